"""Every command explains itself: a one-line description and an example, no RST markup."""

from __future__ import annotations

import argparse

from strata_dev.cli.main import _parser


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


def test_adding_a_source_is_one_file_and_validate_fix_writes_the_rest(project_dir, capsys):
    from strata_dev.cli.main import main

    text = (project_dir / "sources" / "orders.yaml").read_text(encoding="utf-8")
    text = text.replace("name: orders\n", "name: returns\n").replace(
        "prefix: orders/", "prefix: returns/"
    )
    (project_dir / "sources" / "returns.yaml").write_text(text, encoding="utf-8")

    assert main(["--project-dir", str(project_dir), "validate"]) == 1
    err = capsys.readouterr().err
    assert "template.yaml is out of date with sources/" in err
    assert "warehouse/models/_sources.yml is out of date" in err and "--fix" in err

    assert main(["--project-dir", str(project_dir), "validate", "--fix"]) == 0
    out = capsys.readouterr().out
    assert "updated template.yaml" in out and "updated warehouse/models/_sources.yml" in out
    assert "ReturnsLandRule" in (project_dir / "template.yaml").read_text(encoding="utf-8")
    assert "name: returns" in (project_dir / "warehouse/models/_sources.yml").read_text()
    assert main(["--project-dir", str(project_dir), "validate"]) == 0
