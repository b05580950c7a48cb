"""Random mutations of valid input files never end in a traceback.

Every mutated scenario must either load, or fail with an :class:`InputError`
whose problems each name one of the three files, on one line. Through the
command line the same holds with exit code 0 or 1 and nothing but messages on
stderr. ``FUZZ_EXAMPLES`` raises the number of examples for a nightly run.
"""

from __future__ import annotations

import os

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NAMES, TEXTS
from scorer.cli import main
from scorer.errors import InputError
from scorer.loading import load_scenario

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))

TOKENS = [
    "-1", "0", "1e308", "-1e308", "1e-320", ".nan", ".inf", "-.inf", "", "~", "null", "[]", "{}",
    "[1, [2, [3, [4]]]]", "&a x", "*a", "*undefined", "!!python/object/apply:os.system ['true']",
    "!!binary aGVsbG8=", "|", ">-", "'\x07bell'", '"\\u0000"', '"\\x1b[31m"', "ÿ€ 日本語", "\t", "0x1F",
    "0o17", "1_000", "2026-01-01", "true", "yes", "'=cmd|calc'", "<script>alert(1)</script>",
    "? complex", "{a: 1, a: 2}", "[gpi, gpi]", "99999999999999999999999", "signed", "t7a", "2026",
]

kinds = st.sampled_from(sorted(TEXTS))


@st.composite
def mutated(draw) -> dict[str, str | bytes]:
    """The three files with one to three random mutations."""
    files: dict[str, str | bytes] = dict(TEXTS)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(kinds)
        files[kind] = draw(_mutation(files[kind]))
    return files


def _mutation(text: str | bytes):
    if isinstance(text, bytes):
        return st.just(text)
    lines = text.split("\n")
    i = st.integers(0, max(0, len(lines) - 1))
    token = st.one_of(st.sampled_from(TOKENS), st.text(max_size=20))

    def replace_value(args):
        n, tok = args
        head, sep, _ = lines[n].partition(": ")
        new = lines[:n] + [f"{head}{sep or ': '}{tok}"] + lines[n + 1:]
        return "\n".join(new)

    return st.one_of(
        i.map(lambda n: "\n".join(lines[:n] + lines[n + 1:])),  # delete a line
        i.map(lambda n: "\n".join(lines[:n + 1] + lines[n:])),  # duplicate a line
        st.tuples(i, token).map(replace_value),  # replace a value
        st.tuples(i, token).map(lambda a: "\n".join(lines[: a[0]] + [a[1]] + lines[a[0]:])),  # insert junk
        st.integers(0, len(text)).map(lambda n: text[:n]),  # truncate
        i.map(lambda n: "\n".join(lines[:n] + ["  " + lines[n]] + lines[n + 1:])),  # indent
        st.tuples(st.integers(0, len(text)), st.binary(min_size=1, max_size=8)).map(
            lambda a: text.encode()[: a[0]] + a[1] + text.encode()[a[0]:]
        ),  # raw bytes, maybe not UTF-8
    )


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
