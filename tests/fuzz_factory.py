"""Hypothesis strategies shared by the fuzz tests: the default files with random mutations."""

from __future__ import annotations

from hypothesis import strategies as st

from conftest import TEXTS

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

