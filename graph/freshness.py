"""Is the output folder already up to date? Then a re-run need not do anything.

A run records in report.json a fingerprint of everything its outputs depend on: each input
document (id, metadata and analysed text) and each skipped input, the settings that shape
the outputs, the model, the user's alias and ignore files, and this tool's version. The CLI
compares it before doing any work (``--force`` rebuilds anyway).

Reading the inputs to hash them is avoided where file metadata answers the question, as
make and git do: when every input file has the path, size and modification time recorded
by the last run, the recorded hash of their content stands; when files were added, removed
or changed size, the outputs are out of date without reading anything. Only files touched
without changing size are read and hashed again.

The outputs are checked too: report.json records the size and SHA-256 of every other file
written, and a folder where one is missing or differs (deleted, truncated, edited) is
rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path

from .config import Settings
from .corpus import input_files, read_corpus, sample_corpus
from .errors import BadSettings
from .overrides import user_file_bytes
from .types import Document, OwnOutput, Skipped

logger = logging.getLogger(__name__)

NOT_IN_FINGERPRINT = frozenset({"out", "cache", "use_cache", "jobs", "engine", "scheduler",
                                "batch_size"})
"""Settings that change how a run works, not what it writes."""


class CorpusDigest:
    """A running hash of the inputs as they are read."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()

    def watch(self, items: Iterable[Document | Skipped]) -> Iterator[Document | Skipped]:
        """Pass ``items`` on, hashing each."""
        for item in items:
            self.add(item)
            yield item

    def add(self, item: Document | Skipped) -> None:
        update = self.digest.update
        if isinstance(item, OwnOutput):  # not an input: the outputs do not depend on it
            return
        if isinstance(item, Skipped):
            update(f"\x01{item.path}\x00{item.reason}".encode("utf-8", "surrogatepass"))
            return
        head = [item.id, item.title, item.date, item.source, item.url]
        update(("\x02" + json.dumps(head)).encode("utf-8", "surrogatepass"))
        for start, end in item.segments:
            update(f"\x00{start}:{end}\x00".encode())
            update(item.text[start:end].encode("utf-8", "surrogatepass"))

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


def run_fingerprint(settings: Settings, corpus: str) -> str:
    """The fingerprint of a run over a corpus with digest ``corpus``."""
    from . import __version__

    shaping = {k: v for k, v in settings.to_dict().items() if k not in NOT_IN_FINGERPRINT}
    files = {name: _file_hash(getattr(settings, name)) for name in ("aliases", "ignore")}
    data = [__version__, corpus, shaping, files, model_identity(settings.model)]
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def own_files(settings: Settings) -> frozenset[str]:
    """Absolute paths of the files a run writes outside its output folder, which must never
    be read as inputs: an extraction store named with --cache, and SQLite's files beside it.
    (The output folder itself is known by its marker.)"""
    if settings.cache is None or not settings.use_cache:
        return frozenset()
    store = os.path.abspath(settings.cache)
    return frozenset({store, *(store + suffix for suffix in ("-journal", "-wal", "-shm"))})


def input_stamps(paths: Iterable[Path], own: Iterable[str] = ()) -> dict[str, str]:
    """Hashes of the input files' paths and sizes (``files``) and of those plus modification
    times and permissions (``stamps``), from file metadata alone; ``own`` as in
    ``read_corpus``."""
    files, stamps = hashlib.sha256(), hashlib.sha256()
    for path, size, mtime, mode in input_files(paths, own):
        entry = f"{path}\x00{size}\x00".encode("utf-8", "surrogatepass")
        files.update(entry)
        stamps.update(entry + f"{mtime}\x00{mode}\x00".encode())
    return {"files": files.hexdigest(), "stamps": stamps.hexdigest()}


def up_to_date(settings: Settings, output_files: Iterable[str]) -> bool:
    """True when the output folder holds every output of an identical earlier run, intact."""
    if settings.out is None or not settings.use_cache:
        return False
    try:
        report = json.loads((settings.out / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(report, dict) or not isinstance(report.get("inputs"), dict):
        return False
    recorded, inputs = report.get("fingerprint"), report["inputs"]
    others = [name for name in output_files if name != "report.json"]
    if not recorded or not outputs_intact(settings.out, others, report.get("checksums")):
        return False
    paths = settings.paths or (sample_corpus(),)
    own = own_files(settings)
    now = input_stamps(paths, own)
    if now["stamps"] == inputs.get("stamps"):  # nothing touched: the recorded content stands
        corpus = inputs.get("corpus")
    elif now["files"] == inputs.get("files"):  # touched, same sizes: hash the content
        digest = CorpusDigest()
        for item in read_corpus(paths, settings.fields, own):
            digest.add(item)
        corpus = digest.hexdigest()
    else:
        return False
    return bool(recorded == run_fingerprint(settings, str(corpus)))


def output_checksums(out: Path, names: Iterable[str]) -> dict[str, dict[str, int | str]]:
    """Size and SHA-256 of each file ``names`` in the folder ``out``, by name."""
    return {name: {"bytes": (out / name).stat().st_size, "sha256": _sha256(out / name)}
            for name in names}


def outputs_intact(out: Path, names: Iterable[str], recorded: object) -> bool:
    """True when each file ``names`` in ``out`` has the size and SHA-256 in ``recorded``
    (as ``output_checksums`` made them); sizes are all compared before any file is read."""
    names = list(names)
    if not isinstance(recorded, dict) or not all(
        isinstance(recorded.get(name), dict) for name in names
    ):
        return False
    try:
        if any((out / name).stat().st_size != recorded[name].get("bytes") for name in names):
            return False
        return all(_sha256(out / name) == recorded[name].get("sha256") for name in names)
    except OSError:
        return False


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def model_identity(model: str) -> str:
    """The model's name and installed version (or its folder's meta.json), without loading it."""
    folder = Path(model)
    if folder.is_dir():
        return _file_hash(folder / "meta.json") or str(folder.resolve())
    try:
        return f"{model}=={metadata.version(model.replace('_', '-'))}"
    except metadata.PackageNotFoundError:
        return model


def _file_hash(path: Path | None) -> str | None:
    if path is None:
        return None
    try:  # a device or a named pipe is neither read nor waited on: the run says why
        return hashlib.sha256(user_file_bytes(Path(path), "file")).hexdigest()
    except BadSettings:
        return "unreadable"
