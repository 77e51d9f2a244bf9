"""Where report files go, checked before a scan starts and written only once everything rendered.

Part of the command line (only the CLI calls it). Paths are taken as a shell redirect (``>``)
would take them, because CI often runs as root and a report path such as ``/dev/null`` or
``/dev/stdout`` must not be turned into a regular file:

- ``-`` is standard output (the CLI handles it; :func:`is_stdout`).
- A symlink is written through: its target is written, the link stays.
- A character device, FIFO or other non-regular file is opened and written directly (no
  temporary file, no rename, no chmod).
- A regular file, or a new one, is written to a temporary file beside it and renamed over it, so
  a failure never leaves half a report. A new file gets the mode a redirect would give it
  (``0666`` less the umask); an existing file keeps its mode.

Every error names the path the user gave, never a temporary file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nhiscan.errors import InputError

STDOUT = "-"


def is_stdout(path: Path | str | None) -> bool:
    """True for no path or ``-``: the report goes to standard output."""
    return path is None or str(path) == STDOUT


@dataclass(frozen=True)
class _Target:
    """How one output path is written."""

    given: Path
    """The path as the user gave it (named in every error)."""
    real: Path
    """The file actually written: the path with every symlink resolved."""
    direct: bool
    """An existing non-regular file (device, FIFO): opened and written in place."""


def _target(given: Path) -> _Target:
    real = Path(os.path.realpath(given))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return _Target(given, real, direct=False)
    except OSError as exc:
        raise _error(given, exc) from exc
    if stat.S_ISDIR(st.st_mode):
        raise InputError(str(given), "cannot write: it is a directory")
    return _Target(given, real, direct=not stat.S_ISREG(st.st_mode))


def _error(given: Path, exc: OSError) -> InputError:
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)):
        return InputError(str(given), "cannot write: the output directory does not exist")
    return InputError(str(given), f"cannot write: {exc.strerror or exc}")


def check_outputs(paths: Iterable[Path]) -> None:
    """Fail now (before a possibly long collection) if any output path cannot be written: a
    missing or unwritable folder, a directory given as a file, the same file named twice. Probes
    each folder with a temporary file, which is what the write itself will need (root ignores
    permission bits, so asking ``os.access`` would not tell)."""
    seen: dict[Path, Path] = {}
    for given in paths:
        if is_stdout(given):
            continue
        t = _target(given)
        if t.direct:
            if not os.access(t.real, os.W_OK):
                raise InputError(str(given), "cannot write: permission denied")
            continue
        if t.real in seen:
            raise InputError(str(given), f"named twice as an output (also as {seen[t.real]})")
        seen[t.real] = given
        directory = t.real.parent
        if not directory.is_dir():
            raise InputError(str(given), "cannot write: the output directory does not exist")
        try:
            fd, probe = tempfile.mkstemp(prefix=f".{t.real.name}.", dir=directory)
        except OSError as exc:
            raise _error(given, exc) from exc
        os.close(fd)
        os.unlink(probe)


def _new_file_mode() -> int:
    # The umask can only be read by setting it; only the CLI runs this, single-threaded.
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_outputs(contents: Sequence[tuple[Path, str]]) -> None:
    """Write every (path, text). Regular files are staged first and renamed into place only
    when every one was staged and every direct write succeeded, so a failure leaves none of
    them half-written (a device or FIFO cannot be staged: what reached it stays)."""
    targets = [(_target(path), text) for path, text in contents]
    staged: list[tuple[_Target, str]] = []
    try:
        for t, text in targets:
            if not t.direct:
                staged.append((t, _stage(t, text)))
        for t, text in targets:
            if t.direct:
                _write_direct(t, text)
        for t, tmp in staged:
            _replace(t, tmp)
    finally:
        for _, tmp in staged:
            Path(tmp).unlink(missing_ok=True)


def _write_direct(t: _Target, text: str) -> None:
    try:
        with open(t.real, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise _error(t.given, exc) from exc


def _replace(t: _Target, tmp: str) -> None:
    try:
        os.replace(tmp, t.real)
    except OSError as exc:
        raise _error(t.given, exc) from exc


def _stage(t: _Target, text: str) -> str:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{t.real.name}.", dir=t.real.parent)
    except OSError as exc:
        raise _error(t.given, exc) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            mode = stat.S_IMODE(os.stat(t.real).st_mode)
        except FileNotFoundError:
            mode = _new_file_mode()
        os.chmod(tmp, mode)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _error(t.given, exc) from exc
    return tmp
