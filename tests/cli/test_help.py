"""Help that helps: summaries that fit, and real examples on every command (issue 15.1)."""

from __future__ import annotations

import shlex

import pytest

from thriving.cli import cli
from thriving.cli.examples import HELP


def test_every_command_has_a_summary_and_examples():
    assert sorted(HELP) == sorted(cli.commands)


def test_the_command_list_shows_whole_summaries(runner):
    result = runner.invoke(cli, ["--help"], terminal_width=80)
    assert result.exit_code == 0
    listing = result.output[result.output.index("Commands:") :]
    for name, (summary, _) in HELP.items():
        assert f"  {name}" in listing
        assert summary in listing, f"{name}'s summary is cut: {summary!r}"
    assert "..." not in listing


@pytest.mark.parametrize("name", sorted(HELP))
def test_each_command_help_ends_with_examples_it_can_run(runner, name):
    result = runner.invoke(cli, [name, "--help"], terminal_width=80)
    assert result.exit_code == 0
    tail = result.output[result.output.index("Examples:") :]
    command = cli.commands[name]
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    for example in HELP[name][1]:
        assert example in tail
        words = shlex.split(example)
        assert words[0] == "thriving"
        assert words[1] in cli.commands
        if words[1] == name:  # an option of another command is checked there
            unknown = [w.split("=")[0] for w in words[2:] if w.startswith("--")]
            assert set(unknown) <= options, f"{example!r} uses options {name} lacks"
