"""Output targets that are not plain files of ours (issue 13, items 1 and 2).

Through the installed executable: a FIFO, a symbolic link, a hard link, a
read-only file and character devices made with ``mknod`` in a temporary
folder (never the machine's own /dev nodes: a regression would replace
them), and commands whose outputs cannot all be written. Each test is named
after the guard it checks and fails without it.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from scorer import files as targets
from scorer.errors import OutputError, UsageError

COPROD = str(Path(sys.executable).with_name("coprod")) if Path(sys.executable).with_name("coprod").exists() \
    else shutil.which("coprod") or "coprod"


def coprod(*args: str, cwd: Path, timeout: float = 120, quiet: bool = True) -> subprocess.CompletedProcess:
    """Run the installed executable; quiet (-q) keeps the solver's banner off stderr, not the errors."""
    flags = ["-q"] if quiet else []
    return subprocess.run([COPROD, *flags, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def one_error_line(result: subprocess.CompletedProcess) -> str:
    """The single stderr line of a failed run (no traceback)."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("coprod: error: "), result.stderr
    return lines[0]


def portfolio_ids(text: str) -> list[str]:
    return [row["id"] for row in csv.DictReader(io.StringIO(text))]


def device(path: Path, minor: int) -> Path:
    """A character device of the memory driver (1, minor) in a test folder: 3 is null, 7 is full."""
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    return path


@pytest.fixture
def here(write_case, tmp_path: Path):
    return write_case(tmp_path)


# ------------------------------------------------------- item 1: kinds ---

@pytest.mark.slow
def test_a_character_device_is_written_through_not_replaced(here):
    null = device(here.folder / "null", 3)
    result = coprod("optimize", "scenario.yaml", "-o", "null", cwd=here.folder)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(null.lstat().st_mode) and null.lstat().st_rdev == os.makedev(1, 3)
    assert not [p for p in here.folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_a_full_device_is_a_clean_error(here):
    full = device(here.folder / "full", 7)
    result = coprod("optimize", "scenario.yaml", "-o", "full", cwd=here.folder)
    assert result.returncode == 1
    assert one_error_line(result) == "coprod: error: full: cannot write (No space left on device)"
    assert stat.S_ISCHR(full.lstat().st_mode)


@pytest.mark.slow
def test_a_fifo_reader_gets_the_csv(here):
    fifo = here.folder / "pipe.csv"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = coprod("optimize", "scenario.yaml", "-o", "pipe.csv", cwd=here.folder)
    reader.join(30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the FIFO was replaced by a regular file"
    expected = coprod("optimize", "scenario.yaml", "--format", "csv", cwd=here.folder).stdout
    assert got and got[0].decode() == expected and portfolio_ids(expected)


@pytest.mark.slow
def test_a_symlinked_output_writes_the_link_target_and_keeps_the_link(here):
    (here.folder / "real.csv").write_text("old\n")
    (here.folder / "link.csv").symlink_to("real.csv")
    result = coprod("optimize", "scenario.yaml", "-o", "link.csv", cwd=here.folder)
    assert result.returncode == 0, result.stderr
    assert (here.folder / "link.csv").is_symlink() and os.readlink(here.folder / "link.csv") == "real.csv"
    assert portfolio_ids((here.folder / "real.csv").read_text())


@pytest.mark.slow
def test_weights_set_through_a_symlink_changes_the_file_scenarios_read(here):
    (here.folder / "link.yaml").symlink_to("criteria.yaml")
    result = coprod("weights", "set", "link.yaml", "integration=5", cwd=here.folder, quiet=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "coprod: note: link.yaml: integration weight set to 5\n"
    assert (here.folder / "link.yaml").is_symlink()
    assert "    weight: 5\n  - id: governance" in here.file("criteria").read_text()


@pytest.mark.slow
def test_weights_set_through_a_hard_link_edits_the_file_in_place(here):
    second = here.folder / "second.yaml"
    os.link(here.file("criteria"), second)
    result = coprod("weights", "set", "second.yaml", "integration=5", cwd=here.folder, quiet=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "coprod: note: second.yaml: integration weight set to 5\n"
    assert second.stat().st_ino == here.file("criteria").stat().st_ino and second.stat().st_nlink == 2
    assert "    weight: 5\n  - id: governance" in here.file("criteria").read_text()
    weights = coprod("weights", "scenario.yaml", "--format", "json", cwd=here.folder)
    assert '"raw_weight": 5' in weights.stdout.replace(".0", "")


@pytest.mark.slow
def test_a_read_only_target_is_refused_without_force(here):
    keep = here.folder / "keep.csv"
    keep.write_text("mine\n")
    keep.chmod(0o444)
    result = coprod("optimize", "scenario.yaml", "-o", "keep.csv", cwd=here.folder)
    assert result.returncode == 1
    assert one_error_line(result) == ("coprod: error: keep.csv: is read-only (replacing it needs force); "
                                       "on the command line: --force")
    assert keep.read_text() == "mine\n"
    forced = coprod("optimize", "scenario.yaml", "-o", "keep.csv", "--force", cwd=here.folder)
    assert forced.returncode == 0, forced.stderr
    assert portfolio_ids(keep.read_text()) and stat.S_IMODE(keep.stat().st_mode) == 0o444


@pytest.mark.slow
def test_weights_set_refuses_a_read_only_file_without_force(here):
    here.file("criteria").chmod(0o444)
    result = coprod("weights", "set", "criteria.yaml", "integration=5", cwd=here.folder)
    assert result.returncode == 1 and "is read-only" in one_error_line(result)
    assert here.file("criteria").read_text() == here.texts["criteria"]
    assert coprod("weights", "set", "criteria.yaml", "integration=5", "--force", cwd=here.folder).returncode == 0
    assert here.file("criteria").read_text() != here.texts["criteria"]


@pytest.mark.slow
def test_setuid_and_setgid_bits_are_never_copied(here):
    out = here.folder / "out.csv"
    out.write_text("old\n")
    out.chmod(0o6755)
    result = coprod("optimize", "scenario.yaml", "-o", "out.csv", cwd=here.folder)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o755


@pytest.mark.slow
def test_a_symlink_loop_is_an_error_not_a_traceback(here):
    (here.folder / "a.csv").symlink_to("b.csv")
    (here.folder / "b.csv").symlink_to("a.csv")
    result = coprod("optimize", "scenario.yaml", "-o", "a.csv", cwd=here.folder)
    assert result.returncode == 1
    assert one_error_line(result) == "coprod: error: a.csv: cannot write (Too many levels of symbolic links)"


def test_a_folder_is_not_a_target(tmp_path):
    with pytest.raises(OutputError, match="is a folder, not a file"):
        targets.write(tmp_path, "x")


def test_library_kinds(tmp_path):
    (tmp_path / "plain").write_text("x")
    (tmp_path / "linked").write_text("x")
    os.link(tmp_path / "linked", tmp_path / "other")
    os.mkfifo(tmp_path / "fifo")
    kinds = {name: targets.resolve(tmp_path / name).kind for name in ("plain", "linked", "fifo", "absent")}
    assert kinds == {"plain": targets.FILE, "linked": targets.LINKED, "fifo": targets.STREAM, "absent": targets.NEW}


# ----------------------------------------- item 2: all targets up front ---

@pytest.mark.slow
def test_nothing_is_written_when_a_later_target_is_unwritable(here):
    keep = here.folder / "keep.csv"
    keep.write_text("mine\n")
    result = coprod("optimize", "scenario.yaml", "-o", "keep.csv", "--schedule", "/nonexist/s.csv",
                    "--lp", "model.lp", cwd=here.folder)
    assert result.returncode == 1
    assert one_error_line(result) == "coprod: error: /nonexist/s.csv: folder /nonexist does not exist"
    assert keep.read_text() == "mine\n" and not (here.folder / "model.lp").exists()


@pytest.mark.slow
@pytest.mark.parametrize("spelling", ["x.csv", "./x.csv", "link.csv", "hard.csv"])
def test_the_same_file_twice_is_a_usage_error(here, spelling):
    (here.folder / "x.csv").write_text("mine\n")
    (here.folder / "link.csv").symlink_to("x.csv")
    os.link(here.folder / "x.csv", here.folder / "hard.csv")
    result = coprod("optimize", "scenario.yaml", "-o", "x.csv", "--schedule", spelling, cwd=here.folder)
    assert result.returncode == 2
    assert one_error_line(result) == (f"coprod: error: x.csv and {spelling} are the same file; "
                                      "give each output its own")
    assert (here.folder / "x.csv").read_text() == "mine\n"


def test_resolve_all_raises_a_usage_error_for_the_same_file(tmp_path):
    with pytest.raises(UsageError):
        targets.resolve_all([tmp_path / "a.csv", None, "-", tmp_path / "." / "a.csv"])


@pytest.mark.slow
def test_a_report_folder_with_a_folder_named_like_a_chart_is_left_as_it_was(here):
    rep = here.folder / "rep"
    (rep / "gantt.png").mkdir(parents=True)
    (rep / "gantt.png" / "mine.txt").write_text("mine\n")
    for extra in ((), ("--force",)):
        result = coprod("report", "scenario.yaml", "--no-robustness", "--no-explain", "-o", "rep", *extra,
                        cwd=here.folder)
        assert result.returncode == 1
        assert "gantt.png" in one_error_line(result)
        assert sorted(p.name for p in rep.rglob("*")) == ["gantt.png", "mine.txt"]


@pytest.mark.slow
def test_a_report_folder_never_mixes_two_runs(here):
    full = coprod("report", "scenario.yaml", "--samples", "20", "--portfolio-samples", "2", "--workers", "1",
                  "-o", "rep", cwd=here.folder, timeout=300)
    assert full.returncode == 0, full.stderr
    before = {p.name for p in (here.folder / "rep").iterdir()}
    assert {"tornado.png", "acceptability.svg", "frontier.png"} <= before
    quick = coprod("report", "scenario.yaml", "--no-robustness", "--no-explain", "-o", "rep", cwd=here.folder)
    assert quick.returncode == 0, quick.stderr
    assert sorted(p.name for p in (here.folder / "rep").iterdir()) == [
        "contributions.png", "contributions.svg", "gantt.png", "gantt.svg", "report.html", "report.md"]
    assert sorted(p.name for p in here.folder.iterdir()) == ["candidates.yaml", "criteria.yaml", "rep",
                                                            "scenario.yaml"], "temporary folder left"


@pytest.mark.slow
def test_a_report_folder_with_other_files_is_refused_unless_force(here):
    rep = here.folder / "rep"
    rep.mkdir()
    (rep / "notes.txt").write_text("mine\n")
    (rep / "tornado.png").write_bytes(b"from an earlier run")
    args = ("report", "scenario.yaml", "--no-robustness", "--no-explain", "-o", "rep")
    refused = coprod(*args, cwd=here.folder)
    assert refused.returncode == 1
    assert one_error_line(refused) == ("coprod: error: rep: holds files that are not from a coprod report "
                                       "(notes.txt); choose a new or empty folder, or write beside them "
                                       "with force; on the command line: --force")
    assert sorted(p.name for p in rep.iterdir()) == ["notes.txt", "tornado.png"]
    forced = coprod(*args, "--force", cwd=here.folder)
    assert forced.returncode == 0, forced.stderr
    assert sorted(p.name for p in rep.iterdir()) == [
        "contributions.png", "contributions.svg", "gantt.png", "gantt.svg", "notes.txt", "report.html", "report.md"]
    assert (rep / "notes.txt").read_text() == "mine\n"


def test_a_failed_report_leaves_the_previous_report_whole(here, monkeypatch):
    from scorer.present.report_folder import check_folder, write_folder

    rep = here.folder / "rep"
    rep.mkdir()
    (rep / "report.md").write_text("old report\n")
    (rep / "tornado.png").write_bytes(b"old chart")
    plan = check_folder(rep, {"report.md", "tornado.png", "gantt.png"})
    calls = []

    def failing_fsync(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(targets.os, "fsync", failing_fsync)
    with pytest.raises(OutputError, match="No space left on device"):
        write_folder(plan, {"gantt.png": b"new", "report.md": "new report\n"})
    assert sorted(p.name for p in rep.iterdir()) == ["report.md", "tornado.png"]
    assert (rep / "report.md").read_text() == "old report\n"
    assert sorted(p.name for p in here.folder.iterdir()) == ["candidates.yaml", "criteria.yaml", "rep",
                                                            "scenario.yaml"]
