"""docs/sources.md is generated from the contract model and must stay current."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel

from strata.contracts.loader import parse_contract
from strata.contracts.model import (
    ApiSettings,
    Column,
    CsvFormat,
    ExcelFormat,
    JsonFormat,
    ParquetFormat,
    Partitioning,
    QualityRule,
    S3DropSettings,
    SftpSettings,
    SourceContract,
)
from strata_dev.docs import contracts as docs

REPO = Path(__file__).resolve().parents[3]
MODELS: list[type[BaseModel]] = [
    SourceContract,
    Column,
    CsvFormat,
    JsonFormat,
    ExcelFormat,
    ParquetFormat,
    Partitioning,
    QualityRule,
    S3DropSettings,
    ApiSettings,
    SftpSettings,
]


def section(text: str, model: type[BaseModel]) -> str:
    """The Markdown of one model's section, up to the next heading."""
    match = re.search(rf"^### {model.__name__}\b.*?(?=^##)", text, re.MULTILINE | re.DOTALL)
    assert match, f"no section for {model.__name__}"
    return match.group(0)


def test_docs_sources_md_is_current():
    # Staleness check: regenerate with `python -m strata_dev.docs.contracts` when this fails.
    assert (REPO / "docs" / "sources.md").read_text(encoding="utf-8") == docs.render_reference()


def test_the_reference_is_deterministic():
    assert docs.render_reference() == docs.render_reference()


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_field_of_every_model_is_documented_in_its_section(model):
    text = section(docs.render_reference(), model)

    for name, info in model.model_fields.items():
        row = next(
            (line for line in text.splitlines() if line.startswith(f"| `{info.alias or name}` |")),
            None,
        )
        assert row is not None, f"{model.__name__}.{name} is missing"
        assert info.description and info.description.split("`")[0] in row.replace("\\|", "|")


def test_columns_are_documented_under_their_alias():
    text = section(docs.render_reference(), SourceContract)

    assert "| `schema` | list of [Column](#column) | **required** |" in text
    assert "| `columns` |" not in text


def test_sections_say_where_a_nested_model_is_used():
    text = docs.render_reference()

    assert "Used by: `schema`." in section(text, Column)
    assert "Used by: `quality`." in section(text, QualityRule)
    assert "Used by: `format`." in section(text, ExcelFormat)


def test_types_are_rendered_readably():
    assert docs.type_name(Literal["a", "b"]) == "`a` | `b`"
    assert docs.type_name(list[str]) == "list of string"
    assert docs.type_name(int | None) == "integer"
    assert docs.type_name(list[str | int | float | bool]) == (
        "list of string | integer | number | boolean"
    )
    assert docs.type_name(Column) == "[Column](#column)"


def test_every_table_row_has_four_cells_because_inner_pipes_are_escaped():
    rows = [line for line in docs.render_reference().splitlines() if line.startswith("| ")]

    assert rows
    for row in rows:
        assert len(re.split(r"(?<!\\)\|", row)) == 6, row


def test_literal_values_are_listed_in_the_type_cell():
    text = section(docs.render_reference(), SourceContract)

    assert "| `kind` | `api` \\| `sftp` \\| `s3_drop` \\| `manual` | **required** |" in text


def test_defaults_and_requirements_are_shown():
    text = docs.render_reference()

    assert "| `name` | string | **required** |" in section(text, SourceContract)
    assert '| `timezone` | string | default `"UTC"` |' in section(text, SourceContract)
    assert '| `null_values` | list of string | default `[""]` |' in section(text, CsvFormat)
    assert "| `sheet` | string | optional |" in section(text, ExcelFormat)


def test_constraints_are_shown():
    text = section(docs.render_reference(), SourceContract)

    assert "At most 40 characters; must match `^[a-z][a-z0-9_]*$`." in text
    assert "At least 0; at most 1." in text


def test_the_inline_example_is_a_valid_contract():
    contract = parse_contract(docs.INLINE_EXAMPLE, "sources/orders.yaml")

    assert contract.name == "orders"


def test_the_example_shown_in_the_docs_is_a_valid_contract():
    example = docs.example_contract()

    assert example in docs.render_reference()
    assert parse_contract(example, "sources/orders.yaml").name == "orders"


def test_a_project_without_orders_yaml_gets_the_inline_example(tmp_path):
    text = docs.render_reference(tmp_path)

    assert docs.INLINE_EXAMPLE.rstrip() in text
    assert "A complete contract, annotated." in text


def test_the_docs_show_the_loaders_real_error_for_a_misspelt_type(tmp_path):
    text = docs.render_reference(tmp_path)

    assert "sources/orders.yaml:18: schema.0.type: 'integer' is not allowed:" in text


def test_check_fails_when_the_file_is_missing_or_stale_and_passes_once_written(tmp_path, capsys):
    assert docs.main(["--check", "--root", str(tmp_path)]) == 1
    assert "is out of date" in capsys.readouterr().err

    assert docs.main(["--root", str(tmp_path)]) == 0
    assert docs.main(["--check", "--root", str(tmp_path)]) == 0

    target = tmp_path / "docs" / "sources.md"
    target.write_text(target.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    assert docs.main(["--check", "--root", str(tmp_path)]) == 1
