"""The Dask engine on a real LocalCluster gives the same graph as the local engine."""

import shutil

import pytest

import graph
from graph.corpus import sample_corpus

pytest.importorskip("dask.distributed", reason="dask.distributed is not installed")
pytestmark = pytest.mark.model


def test_dask_local_cluster_graphml_equals_local_run(real_nlp, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for file in sorted(sample_corpus().glob("*.txt")):
        shutil.copy(file, folder)
    graph.build(folder, out=tmp_path / "local", nlp=real_nlp, use_cache=False)
    _, report, _ = graph.build(folder, out=tmp_path / "dask", nlp=real_nlp, use_cache=False,
                               engine="dask", jobs=2)
    assert report.documents_read == 10
    for name in ("graph.graphml", "mentions.csv", "merges.csv", "graph.json"):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()


def test_dask_engine_with_stored_extractions(real_nlp, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    files = sorted(sample_corpus().glob("*.txt"))
    for file in files[:6]:
        shutil.copy(file, folder)
    graph.build(folder, out=tmp_path / "dask", nlp=real_nlp, engine="dask", jobs=2)
    for file in files[6:]:
        shutil.copy(file, folder)
    report = graph.build(folder, out=tmp_path / "dask", nlp=real_nlp, engine="dask",
                         jobs=2).report
    assert (report.cache["reused"], report.cache["parsed"]) == (6, 4)
    graph.build(folder, out=tmp_path / "local", nlp=real_nlp, use_cache=False)
    assert (tmp_path / "local" / "graph.graphml").read_bytes() == (
        tmp_path / "dask" / "graph.graphml").read_bytes()


def test_dask_unreachable_scheduler_is_a_clear_error(real_nlp, tmp_path):
    with pytest.raises(graph.GraphError, match="cannot reach the Dask scheduler"):
        graph.build(sample_corpus(), nlp=real_nlp, engine="dask",
                    scheduler="tcp://127.0.0.1:9")
