"""The README documents every command and option, and each has help text.

In the manner of sqlite-utils' tests/test_docs.py: the commands and options
come from the click group itself (sub-commands of groups such as
``weights set`` included), the README is read with a Markdown parser, so a
command added without a row in the command table, an option that no code span
of the "Commands" section names, or either without ``--help`` text fails here.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import click
import pytest
from markdown_it import MarkdownIt

from scorer.cli.group import main

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, (*path, name))


COMMANDS = {" ".join(path) or "coprod": command for path, command in _commands(main) if not command.hidden}
OPTIONS = [(name, option) for name, command in COMMANDS.items() for option in command.params
           if isinstance(option, click.Option) and not option.hidden]


def _section(tokens: list, title: str) -> list:
    """The tokens under the level-2 heading ``title``, up to the next level-2 heading."""
    start = next(i for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"
                 and tokens[i + 1].content == title)
    end = next((i for i in range(start + 1, len(tokens)) if tokens[i].type == "heading_open"
                and tokens[i].tag == "h2"), len(tokens))
    return tokens[start + 3:end]


@pytest.fixture(scope="module")
def commands_section() -> list:
    return _section(MarkdownIt().enable("table").parse(README.read_text(encoding="utf-8")), "Commands")


def _table_commands(section: list) -> set[str]:
    """Command paths in the first column of the first table: `coprod weights set FILE` gives ``weights set``."""
    start = next(i for i, t in enumerate(section) if t.type == "table_open")
    end = next(i for i in range(start, len(section)) if section[i].type == "table_close")
    table = section[start:end]
    found = set()
    for i, token in enumerate(table):
        if token.type == "td_open" and table[i - 1].type == "tr_open":  # a row's first cell
            for code in (c for c in table[i + 1].children if c.type == "code_inline"):
                words = code.content.split()
                if words[:1] == ["coprod"]:
                    path = itertools.takewhile(lambda w: re.fullmatch(r"[a-z][a-z-]*", w), words[1:])
                    found.add(" ".join(path))
    return found


def _code(section: list) -> str:
    """Every code span and code block of the section, one per line."""
    codes = []
    for token in section:
        if token.type == "inline":
            codes += [c.content for c in token.children if c.type == "code_inline"]
        elif token.type in ("fence", "code_block"):
            codes.append(token.content)
    return "\n".join(codes)


@pytest.fixture(scope="module")
def documented_commands(commands_section) -> set[str]:
    return _table_commands(commands_section)


@pytest.fixture(scope="module")
def documented_code(commands_section) -> str:
    return _code(commands_section)


def test_the_readme_table_is_read() -> None:
    # The parsing below must find what is plainly there, or every other test here could pass on nothing.
    tokens = MarkdownIt().enable("table").parse("## Commands\n\n| command | what |\n|---|---|\n"
                                                "| `coprod weights set FILE ID=N` | x |\n| `coprod score [S]` | y |\n")
    section = _section(tokens, "Commands")
    assert _table_commands(section) == {"weights set", "score"}
    assert _code(section).splitlines() == ["coprod weights set FILE ID=N", "coprod score [S]"]


@pytest.mark.parametrize("name", [n for n in COMMANDS if n != "coprod"])
def test_every_command_is_in_the_readme_command_table(documented_commands, name) -> None:
    command = COMMANDS[name]
    if isinstance(command, click.Group):  # documented by its sub-commands' rows
        assert any(path.startswith(name + " ") for path in documented_commands), name
    else:
        assert name in documented_commands, f"`coprod {name}` has no row in README's command table"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_text(name) -> None:
    assert (COMMANDS[name].help or "").strip(), f"coprod {name} has no help text"


@pytest.mark.parametrize("name, option", OPTIONS, ids=[f"{n}-{o.opts[-1]}" for n, o in OPTIONS])
def test_every_option_is_documented_in_the_readme(documented_code, name, option) -> None:
    spellings = option.opts + option.secondary_opts
    assert any(re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", documented_code) for s in spellings), (
        f"coprod {name} {'/'.join(spellings)} is named in no code span of README's Commands section")


@pytest.mark.parametrize("name, option", OPTIONS, ids=[f"{n}-{o.opts[-1]}" for n, o in OPTIONS])
def test_every_option_has_help_text(name, option) -> None:
    assert (option.help or "").strip(), f"coprod {name} {'/'.join(option.opts)} has no help text"
