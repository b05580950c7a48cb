"""Random mutations of valid input files never end in a traceback.

Every mutated scenario must either load, or fail with an :class:`InputError`
whose problems each name one of the three files, on one line. Through the
command line the same holds with exit code 0 or 1 and nothing but messages on
stderr. ``FUZZ_EXAMPLES`` raises the number of examples for a nightly run.
"""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from scorer.cli.group import main
from scorer.errors import InputError
from scorer.inputs.loading import load_scenario
from testkit import NAMES, mutated

pytestmark = pytest.mark.slow  # every test here takes seconds (measured with --durations)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))


def _write(folder, files) -> None:
    for kind, content in files.items():
        data = content if isinstance(content, bytes) else content.encode()
        (folder / NAMES[kind]).write_bytes(data)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=mutated())
def test_mutated_inputs_load_or_fail_cleanly(in_tmp, files):
    _write(in_tmp, files)
    try:
        load_scenario("scenario.yaml")
    except InputError as exc:
        for problem in exc.problems:
            assert problem.file in NAMES.values()
            assert "\n" not in str(problem)
            assert problem.line is None or problem.line >= 1


@settings(max_examples=max(50, EXAMPLES // 4), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=mutated())
def test_mutated_inputs_through_the_cli(in_tmp, files):
    _write(in_tmp, files)
    result = CliRunner().invoke(main, ["validate", "scenario.yaml"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        *problems, last = result.stderr.splitlines()
        assert last.startswith("coprod: ")
        assert all(p.split(":")[0] in NAMES.values() for p in problems)
