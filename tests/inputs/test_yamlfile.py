"""Reading YAML safely: hostile and broken files end in a clear error or a correct load."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from scorer.inputs import yamlfile
from scorer.errors import InputError
from scorer.inputs.yamlfile import (
    MAX_FILE_BYTES,
    parse_yaml,
    read_yaml,
    yaml11_number_hint,
    yaml_events,
)


def problem_of(tmp_path, content: bytes | str, name: str = "f.yaml"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError) as info:
        read_yaml(path, name)
    assert len(info.value.problems) == 1
    return info.value.problems[0]


@pytest.mark.parametrize("content", ["", "   \n\n", "# only a comment\n", "---\n", "~\n", "null\n"])
def test_empty_file(tmp_path, content):
    problem = problem_of(tmp_path, content)
    assert str(problem) == "f.yaml: is empty"


def test_not_utf8_names_the_line(tmp_path):
    problem = problem_of(tmp_path, b"version: 1\nname: caf\xe9\n")
    assert str(problem) == "f.yaml:2: is not valid UTF-8 (byte 0xe9)"


def test_binary_junk(tmp_path):
    problem = problem_of(tmp_path, b"version: 1\n\x00\x01\x02binary")
    assert str(problem) == "f.yaml:2: contains a NUL character; is it a binary file?"


def test_duplicate_key_names_the_second_line(tmp_path):
    problem = problem_of(tmp_path, "version: 1\nitems:\n  a: 1\n  b: 2\n  a: 3\n")
    assert problem.line == 5
    assert problem.message == "duplicate key 'a' (the mapping starts at line 3)"


def test_syntax_error_names_the_line(tmp_path):
    problem = problem_of(tmp_path, "version: 1\nname: [unclosed\nother: 2\n")
    assert problem.line is not None and problem.line >= 2
    assert problem.message.startswith("is not valid YAML")


def test_python_tags_are_refused_not_run(tmp_path):
    problem = problem_of(tmp_path, "version: 1\nx: !!python/object/apply:os.system ['echo hi']\n")
    assert problem.line == 2
    assert problem.message.startswith("tags are not allowed")


@pytest.mark.serial
def test_alias_bomb_is_refused_quickly(tmp_path):
    rows = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    rows += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    start = time.perf_counter()
    problem = problem_of(tmp_path, "\n".join(rows) + "\n")
    assert time.perf_counter() - start < 5
    assert "aliases expand to more than" in problem.message


def test_recursive_alias_is_refused(tmp_path):
    problem = problem_of(tmp_path, "a: &x [1, *x]\n")
    assert "refers to the node that contains it" in problem.message


def test_harmless_aliases_load(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("base: &b {US: 0.5, JP: 0.5}\nother: *b\n")
    assert read_yaml(path, "f.yaml").data == {"base": {"US": 0.5, "JP": 0.5}, "other": {"US": 0.5, "JP": 0.5}}


@pytest.mark.slow
def test_deep_nesting_is_an_error_not_a_crash(tmp_path):
    problem = problem_of(tmp_path, "x: " + "[" * 20000 + "]" * 20000 + "\n")
    assert problem.message in ("is nested too deeply",) or problem.message.startswith("is not valid YAML")


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(InputError) as info:
        read_yaml(path, "big.yaml")
    assert "input files are limited to 64 MiB" in str(info.value)


@pytest.mark.slow
def test_ten_megabyte_file_loads_correctly(tmp_path):
    row = "  - {id: item-%d, text: some words that take up space in a file, n: %d}\n"
    lines = ["items:\n"] + [row % (i, i) for i in range(140_000)]
    path = tmp_path / "ten.yaml"
    path.write_text("".join(lines))
    assert path.stat().st_size > 10 * 2**20
    data = read_yaml(path, "ten.yaml").data
    assert len(data["items"]) == 140_000 and data["items"][-1]["n"] == 139_999


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as info:
        read_yaml(tmp_path / "nope.yaml", "nope.yaml")
    assert str(info.value) == "nope.yaml: file not found"


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfversion: 1\n")
    assert read_yaml(path, "bom.yaml").data == {"version": 1}


# The fast builder must give exactly what ruamel's own safe constructor gives.
scalars = st.one_of(
    st.integers(-10**20, 10**20),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.text(max_size=12),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=4)),
    max_leaves=25,
)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(documents, st.booleans())
def test_fast_builder_matches_ruamel(doc, flow):
    import io

    yaml = YAML(typ="safe")
    yaml.default_flow_style = flow
    buf = io.StringIO()
    yaml.dump({"doc": doc}, buf)
    text = buf.getvalue()
    expected = YAML(typ="safe").load(text)
    assert parse_yaml(text, "t.yaml") == expected


# YAML 1.2.2, section 10.3.2 (core schema): these plain scalars are numbers, booleans or null...
CORE = [("1000", 1000), ("-17", -17), ("+3", 3), ("017", 17), ("0o17", 15), ("0x1F", 31), ("1.5", 1.5),
        (".5e3", 500.0), ("1e5", 1e5), ("-1.5E-3", -0.0015), ("1.", 1.0), ("true", True), ("FALSE", False),
        ("~", None), ("Null", None)]
# ...and these are text, although YAML 1.1 (and ruamel's "1.2" rules) read them as numbers or dates.
YAML11_ONLY = ["1_000", "1_0.5", "0b101", "+0x1F", "0x_1", "1:30", "2026-01-01", "yes", "off", "="]


@pytest.mark.parametrize("text, value", CORE, ids=[t for t, _ in CORE])
def test_core_schema_scalars_are_numbers(text, value):
    got = parse_yaml(f"a: {text}\n", "f.yaml")["a"]
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("text", YAML11_ONLY)
def test_yaml_1_1_numbers_are_text_as_yaml_1_2_says(text):
    assert parse_yaml(f"a: {text}\n", "f.yaml") == {"a": text}
    assert parse_yaml(f"- - {text}\n", "f.yaml") == [[text]]
    # A merge key sends the document to ruamel's own constructor, which must agree.
    assert parse_yaml(f"b: &x {{k: v}}\na: {text}\n<<: *x\n", "f.yaml")["a"] == text


def test_a_yaml_1_1_number_gets_a_hint_and_core_text_does_not():
    assert yaml11_number_hint("1_000").endswith("write 1000")
    assert "YAML 1.1" in yaml11_number_hint("0b101")
    assert yaml11_number_hint("1000") == yaml11_number_hint("high") == yaml11_number_hint("2026-01-01") == ""
# ------------------------------------------------------------ event cap ---

def test_the_event_cap_counts_values_aliases_and_collections(monkeypatch):
    # stream, document, mapping, a, sequence, 1, *x, sequence end, mapping end, document end, stream end; &x 1 is one
    text = "a: [&x 1, *x]\n"
    assert yaml_events(text) == 11
    monkeypatch.setattr(yamlfile, "MAX_YAML_EVENTS", 11)
    assert parse_yaml(text, "f.yaml") == {"a": [1, 1]}
    monkeypatch.setattr(yamlfile, "MAX_YAML_EVENTS", 10)
    with pytest.raises(InputError) as info:
        parse_yaml(text, "f.yaml")
    assert str(info.value).startswith("f.yaml: has 11 YAML parse events (values, aliases, starts and ends of lists "
                                      "and mappings); input files are limited to 10 (")


def long_form_candidates(n: int = 10_000, k: int = 30, years: int = 15) -> str:
    """The largest input of the size targets, every score in the long form (as benchmarks/bench_loading.py --long)."""
    score = "{value: 5, low: 3, high: 7, rationale: judged from the sources, source: GSSR}"
    cost = "[" + ", ".join(["7"] * years) + "]"
    rows = [f"  - id: cand-{i}\n    name: Candidate {i}\n    category: co-production\n"
            f"    partners: {{US: 0.6, JP: 0.4}}\n    cost: {cost}\n    earliest_start: 2026\n    scores:\n"
            + "".join(f"      c{j}: {score}\n" for j in range(k)) for i in range(n)]
    return "version: 1\ncurrency: USD million (notional)\ncandidates:\n" + "".join(rows)


@pytest.mark.slow
def test_the_largest_honest_input_is_within_the_event_cap():
    events = yaml_events(long_form_candidates())
    print(f"{events:,} events; the cap is {yamlfile.MAX_YAML_EVENTS:,}")
    assert events == 4_280_013  # as bench_loading.py --long with 15-year costs
    assert events <= yamlfile.MAX_YAML_EVENTS


@pytest.mark.serial
@pytest.mark.slow
def test_a_file_of_tiny_nodes_is_refused_in_seconds_before_it_is_built(tmp_path):
    # 40 MB within the size cap, 20 million values: 102 s and 5.5 GB before "unknown key".
    junk = tmp_path / "junk.yaml"
    junk.write_text("junk: [" + ",".join(["1"] * 20_000_000) + "]\n")
    coprod = Path(sys.executable).with_name("coprod")
    with open(tmp_path / "err", "wb") as err:
        proc = subprocess.Popen([str(coprod), "validate", str(junk)], stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 300
    while True:  # wait4, not wait: the child's own CPU time and peak memory
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if not pid:
        proc.kill()
        proc.wait()
    proc.returncode = os.waitstatus_to_exitcode(status) if pid else -9
    cpu, peak_mb = usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
    print(f"refused after {cpu:.1f} s of CPU, peak {peak_mb:.0f} MB")  # CPU: the machine may be shared
    assert proc.returncode == 1
    assert (tmp_path / "err").read_text().startswith(f"{junk}: has 20,000,009 YAML parse events")
    assert cpu < 10 and peak_mb < 1000
