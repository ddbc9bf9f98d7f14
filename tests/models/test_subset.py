"""The edges of the dbt subset: YAML `config:` is honoured with dbt's precedence, and every dbt
feature Strata does not implement is refused at its file and line, never silently ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from strata.errors import ModelError
from strata.models import compile_for
from strata.project import Project

REPO = Path(__file__).resolve().parents[2]
PROJECT = (
    "name: shop\nmodels:\n  shop:\n    stage:\n      +materialized: view\n      +tags: [daily]\n"
)
MODEL = "models/stage/a.sql"


def compiled(ctx, extra: dict[str, str], project: str = PROJECT):
    files = {"dbt_project.yml": project, MODEL: "select 1 as id", **extra}
    whole = Project(contracts=ctx.project.contracts, warehouse_files=files)
    return compile_for(whole, ctx.settings)


def refused(ctx, extra: dict[str, str], project: str = PROJECT) -> str:
    with pytest.raises(ModelError) as caught:
        compiled(ctx, extra, project)
    return str(caught.value)


def line_of(text: str, needle: str) -> int:
    lines = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[0]


YAML_CONFIG = """\
models:
  - name: a
    config:
      materialized: table
      tags: [finance]
      sort: [id]
"""


def test_yaml_config_overrides_the_folder_config_and_tags_add_up(ctx):
    model = compiled(ctx, {"models/stage/a.yml": YAML_CONFIG}).model("a")

    assert model.materialized == "table"  # the folder says view: YAML wins
    assert model.config.sort == ["id"]
    assert model.config.tags == ["daily", "finance"]


def test_the_sql_files_config_overrides_the_yaml_config(ctx):
    sql = "{{ config(materialized='view', tags=['adhoc']) }}\nselect 1 as id"
    model = compiled(ctx, {MODEL: sql, "models/stage/a.yml": YAML_CONFIG}).model("a")

    assert model.materialized == "view"
    assert model.config.tags == ["daily", "finance", "adhoc"]
    assert model.config.sort == ["id"]


def test_a_yaml_config_schema_moves_the_model_and_its_dependents_refs(ctx):
    yaml = "models:\n  - name: a\n    config: {schema: marts}\n"
    result = compiled(
        ctx, {"models/stage/a.yml": yaml, "models/stage/b.sql": "select * from {{ ref('a') }}"}
    )

    assert result.model("a").relation == "marts.a"
    assert result.model("b").compiled_sql == "select * from marts.a"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("materialized: ephemeral", "materialized='ephemeral' is not supported"),
        ("grants: {insert: [analyst]}", "grants.insert"),
        ("grants: {select: ['a b']}", "grants.select.0"),
        ("post_hook: vacuum", "config 'post_hook' is outside the supported dbt subset"),
    ],
)
def test_a_yaml_config_strata_does_not_implement_is_refused_at_its_line(ctx, setting, message):
    yaml = f"models:\n  - name: a\n    config:\n      {setting}\n"

    error = refused(ctx, {"models/stage/a.yml": yaml})

    assert error.startswith(f"warehouse/models/stage/a.yml:{line_of(yaml, setting)}: ")
    assert message in error


@pytest.mark.parametrize(
    ("yaml", "needle", "message"),
    [
        (
            "models:\n  - name: a\n    constraints:\n      - type: primary_key\n",
            "constraints",
            "constraints are not implemented",
        ),
        (
            "models:\n  - name: a\n    columns:\n      - name: id\n        constraints: []\n",
            "constraints",
            "constraints are not implemented",
        ),
        (
            "models:\n  - name: a\n    access: public\n",
            "access",
            "'access' on a model (a): is outside the supported dbt subset",
        ),
        (
            "unit_tests:\n  - name: t\n    model: a\n    given:\n      - input: ref('b')\n"
            "        fixture: rows_of_b\n    expect: {rows: []}\n",
            "fixture",
            "'fixture' in an input of `given:` is outside the supported dbt subset",
        ),
        ("exposures:\n  - name: board\n", "exposures", "exposures are not implemented"),
        ("sources:\n  - name: raw\n", "sources", "sources are generated from the contracts"),
        ("semantic_models: []\n", "semantic_models", "outside the supported dbt subset"),
    ],
)
def test_yaml_features_strata_does_not_implement_are_refused_at_their_line(
    ctx, yaml, needle, message
):
    error = refused(ctx, {"models/stage/a.yml": yaml})

    assert error.startswith(f"warehouse/models/stage/a.yml:{line_of(yaml, needle)}: ")
    assert message in error


@pytest.mark.parametrize(
    ("path", "text", "message", "line"),
    [
        ("snapshots/orders_history.sql", "{% snapshot x %}{% endsnapshot %}", "snapshots", None),
        ("seeds/countries.csv", "", "dbt seeds", None),
        ("analyses/explore.sql", "select 1", "analyses", None),
        ("packages.yml", "packages: []", "outside the supported dbt subset", None),
        ("models/stage/docs.md", "{% docs a %}x{% enddocs %}", ".md files are outside", None),
        (
            "macros/cents.sql",
            "{# money #}\n{% materialization cents, default %}{% endmaterialization %}",
            "unknown tag 'materialization'",
            2,
        ),
        (
            "tests/is_even.sql",
            "\n{% test is_even(model, column_name) %}select 1{% endtest %}",
            "a generic test definition belongs in a tests/generic/ file",
            2,
        ),
    ],
)
def test_files_strata_does_not_implement_are_refused_by_path(ctx, path, text, message, line):
    error = refused(ctx, {path: text})

    where = f"warehouse/{path}" + (f":{line}" if line else "")
    assert error.startswith(f"{where}: ")
    assert message in error


def test_the_repositorys_schema_macro_is_accepted_and_a_different_rule_is_not(ctx):
    macro = (REPO / "warehouse/macros/generate_schema_name.sql").read_text()
    assert compiled(ctx, {"macros/generate_schema_name.sql": macro}).model("a")

    other = macro.replace("{{ target.name }}_{{ name }}", "{{ name }}_{{ target.name }}")
    error = refused(ctx, {"macros/generate_schema_name.sql": other})

    line = line_of(other, "macro generate_schema_name")
    assert error.startswith(f"warehouse/macros/generate_schema_name.sql:{line}: ")
    assert "names schema 'public_dev' for target 'dev'" in error


@pytest.mark.parametrize(
    ("project", "needle", "message"),
    [
        (
            PROJECT + "      materialized: table\n",
            "materialized: table",
            "'materialized' names a folder: write a config as +materialized",
        ),
        (PROJECT + "    mart:\n      +schema: m\n", "mart:", "models/mart/ is no folder"),
        (PROJECT + "      +grants: {update: [bi]}\n", "+grants", "grants.update"),
        (PROJECT + "on-run-start: ['grant x']\n", "on-run-start", "outside the supported dbt"),
        (PROJECT + "seeds:\n  shop: {}\n", "seeds:", "outside the supported dbt subset"),
        (PROJECT + "  dbt_utils: {}\n", "dbt_utils", "packages are outside the supported"),
    ],
)
def test_dbt_project_settings_strata_does_not_implement_are_refused_at_their_line(
    ctx, project, needle, message
):
    error = refused(ctx, {}, project)

    assert error.startswith(f"warehouse/dbt_project.yml:{line_of(project, needle)}: ")
    assert message in error


def test_dbt_output_folders_are_not_part_of_the_project(ctx):
    assert compiled(ctx, {"target/manifest.json": "", "logs/dbt.log": ""}).model("a")


def test_validate_refuses_a_seed_file_of_the_project_folder(project_dir, capsys):
    from strata_dev.cli.main import main

    seeds = project_dir / "warehouse" / "seeds"
    seeds.mkdir()
    (seeds / "countries.csv").write_text("code,name\nFR,France\n")

    assert main(["--project-dir", str(project_dir), "validate"]) == 1
    assert "warehouse/seeds/countries.csv: dbt seeds" in capsys.readouterr().err
