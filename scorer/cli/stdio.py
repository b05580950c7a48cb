"""Keeping standard output for data while native libraries write to file descriptor 1.

C and C++ libraries print on fd 1 directly, past Python's ``sys.stdout``:
highspy 1.16 prints its banner whenever a ``Highs()`` object is built, before
any option can turn it off. :func:`data_stdout` moves the command's real
stdout to a duplicate descriptor that only ``sys.stdout`` writes to, and points
fd 1 at stderr, so whatever native code prints (in this process or in worker
processes started meanwhile, which inherit fd 1) lands there instead of in the
data. Filtering text could never be complete; this needs no knowledge of what
a library prints.
"""

from __future__ import annotations

import fcntl
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

STDOUT_FD = 1
STDERR_FD = 2
# Whether fd 1 is pointed away from the data right now (by data_stdout).
_redirected = False


@contextmanager
def data_stdout() -> Iterator[None]:
    """For the ``with`` block, ``sys.stdout`` is the original stdout and fd 1 is stderr.

    ``sys.stdout`` is replaced by a stream on a duplicate of fd 1 with the same
    encoding, error handling, line buffering and terminal status (so formats
    chosen by :func:`scorer.present.output.choose_format` do not change) and a
    ``buffer`` for binary output. Everything is put back afterwards, so a
    program that calls the command line in-process keeps its own streams.

    Nothing changes when ``sys.stdout`` is not fd 1 itself (click's CliRunner,
    a caller that redirected it, no stdout at all, or a nested call): native
    output then cannot reach the data in the first place.
    """
    global _redirected
    original = sys.stdout
    if not _on_fd_1(original) or _redirected:
        yield
        return
    original.flush()
    # Above 2, or with stdin or stderr closed the copy would take their place; close-on-exec,
    # so child processes never get the data stream.
    data_fd = fcntl.fcntl(STDOUT_FD, fcntl.F_DUPFD_CLOEXEC, STDERR_FD + 1)
    stream = _text_stream(data_fd, original)
    _point_fd_1_away()
    sys.stdout = stream
    _redirected = True
    try:
        yield
    finally:
        _redirected = False
        try:
            stream.flush()
        except BrokenPipeError:
            pass  # the reader has gone (``| head``): the write that found out failed already
        finally:
            sys.stdout = original
            os.dup2(data_fd, STDOUT_FD)
            _close_quietly(stream)


def silence_native_output() -> None:
    """Inside :func:`data_stdout`, native output goes nowhere instead of to stderr (``-q``).

    Worker processes started afterwards inherit the silence. Outside the
    block this does nothing: fd 1 is then the caller's own stdout.
    """
    if _redirected:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, STDOUT_FD)
        os.close(null)


def _on_fd_1(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.fileno() == STDOUT_FD
    except (AttributeError, ValueError, OSError):  # io.UnsupportedOperation is both
        return False


def _text_stream(fd: int, like: TextIO) -> io.TextIOWrapper:
    raw = io.FileIO(fd, "w", closefd=True)
    return io.TextIOWrapper(io.BufferedWriter(raw), encoding=like.encoding, errors=like.errors,
                            line_buffering=getattr(like, "line_buffering", False))


def _point_fd_1_away() -> None:
    """fd 1 becomes stderr; with stderr closed (``2>&-``), /dev/null."""
    try:
        os.dup2(STDERR_FD, STDOUT_FD)
    except OSError:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, STDOUT_FD)
        os.close(null)


def _close_quietly(stream: io.TextIOWrapper) -> None:
    # After a failed flush (a closed pipe) closing would raise the same error again;
    # the descriptor is freed either way.
    try:
        stream.close()
    except OSError:
        pass
