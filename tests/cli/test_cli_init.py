"""coprod init on the command line: files, messages, refusal to overwrite, and they run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scorer.cli.group import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_init_then_validate_and_optimize(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    result = run("init", str(folder))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    scenario = folder / "scenario.yaml"
    assert result.stderr == (f"coprod: note: wrote {scenario}\ncoprod: note: wrote {folder / 'criteria.yaml'}\n"
                             f"coprod: note: wrote {folder / 'candidates.yaml'}\n"
                             f"coprod: note: next: coprod validate {scenario} && coprod optimize {scenario}\n")
    validated = run("validate", str(scenario))
    assert validated.exit_code == 0 and validated.stdout.startswith(f"{scenario}: valid\n")
    optimised = run("optimize", str(scenario), "--format", "csv")
    assert optimised.exit_code == 0, optimised.output
    assert optimised.stdout.splitlines()[0] == "id,name,start,finish,value,cost_total,cost_JP,cost_US,discounted_value"
    assert run("weights", "set", str(folder / "criteria.yaml"), "standardization=10").exit_code == 0


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    assert run("-q", "init", str(tmp_path)).stderr == ""
    (tmp_path / "scenario.yaml").write_text("edited\n")
    result = run("init", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == (f"coprod: error: {tmp_path / 'scenario.yaml'}, {tmp_path / 'criteria.yaml'}, "
                             f"{tmp_path / 'candidates.yaml'}: already exist (overwriting needs force); "
                             "on the command line: --force\n")
    assert (tmp_path / "scenario.yaml").read_text() == "edited\n"
    assert run("init", "--force", "-q", str(tmp_path)).exit_code == 0
    assert (tmp_path / "scenario.yaml").read_text() != "edited\n"


def test_init_needs_a_folder() -> None:
    assert run("init").exit_code == 2


@pytest.mark.slow
def test_init_refuses_an_empty_folder_name(tmp_path: Path) -> None:
    # '' would otherwise write the starter files into the current directory.
    coprod = Path(sys.executable).with_name("coprod")
    result = subprocess.run([coprod, "init", ""], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.rstrip().endswith("Invalid value for 'DIR': must not be empty")
    assert list(tmp_path.iterdir()) == []
