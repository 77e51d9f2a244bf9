"""Report output paths through the real CLI (a subprocess, as CI runs it, often as root): devices,
FIFOs and symlinks are written through, never replaced; ``-o -`` is standard output; repeated
outputs of one format are all written; a bad path fails before collection, naming the path given;
new files get the umask's permissions; a failure leaves no report half-written."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from support import DEMO

DEMO_SCAN = ["scan", "--from", str(DEMO), "--as-of", "2026-11-01T00:00:00Z"]


def nhiscan(cwd: Path, *args: str, umask: int = 0o022, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "nhiscan", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        umask=umask,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )


# /dev/zero discards writes like /dev/null; /dev/null itself only where it is still a device
# (a tool that renamed a regular file over it, as nhiscan once did as root, leaves it one).
DEVICES = ["/dev/zero"] + (["/dev/null"] if stat.S_ISCHR(os.stat("/dev/null").st_mode) else [])


@pytest.mark.parametrize("device", DEVICES)
def test_a_character_device_stays_one(tmp_path: Path, device: str) -> None:
    before = os.stat(device)
    r = nhiscan(tmp_path, *DEMO_SCAN, "-f", "json", "-o", device, "-f", "sarif", "-o", device)
    assert r.returncode == 0, r.stderr
    after = os.stat(device)
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_rdev, stat.S_IMODE(after.st_mode)) == (before.st_rdev, stat.S_IMODE(before.st_mode))
    assert not list(Path("/dev").glob(f".{Path(device).name}.*"))


def test_a_symlink_is_written_through_and_kept(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "real.json"
    target.write_text("old")
    link, dangling = tmp_path / "link.json", tmp_path / "dangling.json"
    link.symlink_to(target)
    dangling.symlink_to(tmp_path / "reports" / "new.json")
    r = nhiscan(tmp_path, *DEMO_SCAN, "-f", "json", "-o", "link.json", "-f", "sarif", "-o", "dangling.json")
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["format"] == "nhiscan-report"
    assert dangling.is_symlink() and json.loads((tmp_path / "reports" / "new.json").read_text())["runs"]
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["new.json", "real.json"]


def test_a_fifo_gets_the_report(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    r = nhiscan(tmp_path, *DEMO_SCAN, "-f", "json", "-o", str(fifo))
    reader.join(timeout=30)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(received[0])["findings"]


def test_dash_is_standard_output(tmp_path: Path) -> None:
    r = nhiscan(tmp_path, *DEMO_SCAN, "-f", "json", "-o", "-", "-f", "sarif", "-o", "r.sarif")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["format"] == "nhiscan-report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.sarif"]
    r = nhiscan(tmp_path, "inventory", "--from", str(DEMO), "-f", "json", "-o", "-")
    assert r.returncode == 0 and json.loads(r.stdout)["identities"]
    assert not (tmp_path / "-").exists()


def test_dash_counts_as_the_one_standard_output(tmp_path: Path) -> None:
    r = nhiscan(tmp_path, *DEMO_SCAN, "-f", "table", "-f", "json", "-o", "-")
    assert r.returncode == 2
    assert "only one format can go to standard output" in r.stderr


def test_one_format_to_two_files_writes_both(tmp_path: Path) -> None:
    r = nhiscan(tmp_path, *DEMO_SCAN, "-f", "json", "-o", "a.json", "-f", "json", "-o", "b.json")
    assert r.returncode == 0, r.stderr
    a, b = (tmp_path / "a.json").read_text(), (tmp_path / "b.json").read_text()
    assert a == b and json.loads(a)["findings"]
    assert r.stdout == ""


class Listener:
    """A TCP port that records whether anyone connected (a stand-in AWS endpoint)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.connected = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connected.set()
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def aws_endpoint(tmp_path: Path):  # type: ignore[no-untyped-def]
    listener = Listener()
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "not-a-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": listener.url,
        "AWS_CONFIG_FILE": str(home / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "none"),
        "HOME": str(home),
    }
    yield listener, env
    listener.close()


def test_the_stand_in_endpoint_sees_a_live_scan(tmp_path: Path, aws_endpoint) -> None:  # type: ignore[no-untyped-def]
    listener, env = aws_endpoint
    proc = subprocess.Popen(
        [sys.executable, "-m", "nhiscan", "scan", "aws", "-f", "json", "-o", "x.json"],
        cwd=tmp_path,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert listener.connected.wait(timeout=60)
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["scan", "aws", "-f", "json", "-o", "no/such/dir/r.json"], "no/such/dir/r.json"),
        (["scan", "aws", "-f", "table", "--save-inventory", "missing/inv.json"], "missing/inv.json"),
        (["scan", "aws", "-f", "json", "-o", "file.txt/r.json"], "file.txt/r.json"),
        (["inventory", "aws", "-o", "missing/inv.txt"], "missing/inv.txt"),
        (["graph", "aws", "-o", "missing/g.mmd"], "missing/g.mmd"),
    ],
)
def test_a_missing_output_folder_fails_before_collection(
    tmp_path: Path,
    aws_endpoint,  # type: ignore[no-untyped-def]
    args: list[str],
    named: str,
) -> None:
    listener, env = aws_endpoint
    (tmp_path / "file.txt").write_text("a file, not a folder")
    r = nhiscan(tmp_path, *args, env=env)
    assert r.returncode == 2, r.stderr
    assert r.stderr == f"nhiscan: error: {named}: cannot write: the output directory does not exist\n"
    assert not listener.connected.is_set()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "json", "-o", "."], ".: cannot write: it is a directory"),
        (["-f", "json", "-o", "r.json", "-f", "sarif", "-o", "./r.json"], "named twice as an output"),
    ],
)
def test_bad_output_paths_are_one_line_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    r = nhiscan(tmp_path, *DEMO_SCAN, *args)
    assert r.returncode == 2
    assert len(r.stderr.splitlines()) == 1 and message in r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder anyway")
def test_an_unwritable_folder_is_named(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o555)
    r = nhiscan(tmp_path, *DEMO_SCAN, "-f", "json", "-o", "ro/r.json")
    assert r.returncode == 2
    assert r.stderr == "nhiscan: error: ro/r.json: cannot write: Permission denied\n"


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600)])
def test_new_report_files_follow_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    r = nhiscan(tmp_path, *DEMO_SCAN, "-f", "json", "-o", "r.json", "--save-inventory", "i.json", umask=umask)
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(os.stat(tmp_path / "r.json").st_mode) == mode
    assert stat.S_IMODE(os.stat(tmp_path / "i.json").st_mode) == mode


def test_an_existing_report_keeps_its_mode(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text("old")
    report.chmod(0o640)
    r = nhiscan(tmp_path, *DEMO_SCAN, "-f", "json", "-o", "r.json")
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(os.stat(report).st_mode) == 0o640 and report.read_text() != "old"


def test_a_failed_write_leaves_no_report_half_written(tmp_path: Path) -> None:
    # /dev/full refuses every write (ENOSPC): the regular files staged beside it must not appear
    (tmp_path / "old.json").write_text("previous report")
    r = nhiscan(
        tmp_path, *DEMO_SCAN, "-f", "json", "-o", "old.json", "-f", "sarif", "-o", "new.sarif",
        "-f", "markdown", "-o", "/dev/full",
    )  # fmt: skip
    assert r.returncode == 2
    assert r.stderr == "nhiscan: error: /dev/full: cannot write: No space left on device\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.json"]
    assert (tmp_path / "old.json").read_text() == "previous report"
