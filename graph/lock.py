"""One run at a time in an output folder.

A run writing into a folder holds an exclusive lock (``flock``) on the marker file
``OUT/.entity-graph`` (``config.OUTPUT_MARKER``) from before it tidies the folder until its
last file is written. A second run into the same folder waits a moment, then stops with a
message naming the run that holds it; it never removes the other run's temporary files or
mixes its files with the other's. The lock dies with its process, even after ``kill -9``.
The marker stays after the run, so the folder is known as this tool's output (never read
as articles); a run that fails removes the marker it created, leaving the folder as it was.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from .config import OUTPUT_MARKER
from .errors import OutputError, OutputLocked

try:
    import fcntl
except ImportError:  # not POSIX: no locking
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

LOCK_WAIT = 2.0
"""Seconds a run waits for another run writing into the same folder before it gives up."""

_MARKER_TEXT = ("entity-graph output folder: this file marks it, so that its files are never "
                "read as articles, and is locked while a run writes here.\npid {pid}\n")
_PID = re.compile(r"^pid (\d+)$", re.MULTILINE)


@contextlib.contextmanager
def locked_output_folder(out: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the lock of the output folder ``out`` (which must exist) for a block.

    Raises:
        OutputLocked: another run still holds it after ``wait`` seconds.
        OutputError: the marker file cannot be created.
    """
    marker = out / OUTPUT_MARKER
    fd, created = _acquire(marker, out, time.monotonic() + wait)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, _MARKER_TEXT.format(pid=os.getpid()).encode(), 0)
        yield
    except BaseException:
        if created:  # still locked: a run waiting for it will see it gone and make its own
            with contextlib.suppress(OSError):
                marker.unlink()
        raise
    finally:
        os.close(fd)  # and with it the lock


def _acquire(marker: Path, out: Path, deadline: float) -> tuple[int, bool]:
    """An open descriptor of ``marker``, locked, and whether this call created the file."""
    while True:
        try:
            fd, created = _open(marker)
        except OSError as err:
            raise OutputError(f"cannot write to {out}: {err.strerror or err}") from err
        if fcntl is None:
            return fd, created
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise OutputLocked(
                    f"another entity-graph run is writing {out}{_holder(marker)}; wait for "
                    "it to finish, or write elsewhere with -o"
                ) from None
            time.sleep(0.05)
            continue
        except BaseException:
            os.close(fd)
            raise
        if _same_file(fd, marker):
            return fd, created
        os.close(fd)  # the run that held it removed the marker meanwhile: lock the new one


def _open(marker: Path) -> tuple[int, bool]:
    """``marker`` opened (made if missing), and whether this call made it."""
    flags = os.O_RDWR | os.O_CLOEXEC
    while True:
        try:
            return os.open(marker, flags | os.O_CREAT | os.O_EXCL, 0o644), True
        except FileExistsError:
            pass
        try:
            return os.open(marker, flags), False
        except FileNotFoundError:  # removed between the two calls: make it
            continue


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), path.stat()
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _holder(marker: Path) -> str:
    """`` (pid N)`` of the run holding the lock, when its marker says."""
    try:
        found = _PID.search(marker.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return ""
    return f" (pid {found.group(1)})" if found else ""
