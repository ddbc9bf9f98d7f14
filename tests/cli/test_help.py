"""Every command explains itself: a one-line description and an example, no RST markup."""

from __future__ import annotations

import argparse

from strata.cli.main import _parser


def subcommands(parser: argparse.ArgumentParser, prefix: str = "strata"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield f"{prefix} {name}", child
                yield from subcommands(child, f"{prefix} {name}")


def test_every_command_has_a_description_and_an_example():
    parser = _parser()
    assert "``" not in parser.format_help() and "first steps" in parser.format_help()
    found = dict(subcommands(parser))
    assert {"strata run", "strata validate", "strata models build", "strata runs"} <= set(found)
    for name, child in found.items():
        text = child.format_help()
        assert child.description, name
        assert "example:" in text and name in text.split("example:")[1], name
        assert "``" not in text, name
