"""`strata template`: one function per api/sftp source in template.yaml, generated from the
contracts between markers, each with its own schedule and only its own permissions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from strata.cli.main import main
from strata.contracts.ingestion import NoAuth
from strata.contracts.loader import load_contracts
from strata.deploy import sources_template
from strata.deploy.template import load_template
from strata.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def template():
    return load_template(REPO / "template.yaml")


def scheduled():
    return sources_template.scheduled_sources(load_contracts(REPO / "sources"))


def statements(function):
    return {s["Sid"]: s for p in function["Properties"]["Policies"] for s in p["Statement"]}


def test_the_per_source_section_of_template_yaml_is_current():
    # Stale? Run `strata template` (or `python -m strata.deploy.sources_template`) and commit.
    assert sources_template.is_current(REPO)


def test_every_api_and_sftp_source_has_its_function_and_schedule(template):
    resources = template["Resources"]
    assert {c.name for c in scheduled()} == {"orders_api", "customers"}
    for contract in scheduled():
        fn_id = sources_template.function_id(contract)
        props = resources[fn_id]["Properties"]
        assert props["CodeUri"] == f"functions/{sources_template.FUNCTION_FOLDERS[contract.kind]}/"
        assert props["Environment"]["Variables"]["STRATA_SOURCE"] == contract.name
        assert {"Ref": "IngestLayer"} in props["Layers"]
        settings = contract.api or contract.sftp
        assert props["Timeout"] == settings.time_budget_seconds + 60
        schedule = next(
            r["Properties"]
            for r in resources.values()
            if r["Type"] == "AWS::Scheduler::Schedule"
            and r["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": [fn_id, "Arn"]}
        )
        assert schedule["ScheduleExpression"] == (contract.schedule or "rate(1 hour)")
        assert json.loads(schedule["Target"]["Input"])["source"] == contract.name
        role = resources[schedule["Target"]["RoleArn"]["Fn::GetAtt"][0]]["Properties"]
        (invoke,) = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
        assert invoke["Action"] == "lambda:InvokeFunction"
        assert invoke["Resource"] == {"Fn::GetAtt": [fn_id, "Arn"]}


def test_each_function_may_touch_only_its_raw_prefix_state_items_and_secret(template):
    for contract in scheduled():
        function = template["Resources"][sources_template.function_id(contract)]
        granted = statements(function)
        raw = json.dumps(granted["WriteOwnRawPrefix"]["Resource"])
        assert raw.endswith(f'/{contract.name}/*"}}') and "s3:DeleteObject" not in json.dumps(
            granted
        )
        assert granted["ListOwnRawPrefix"]["Condition"]["StringLike"]["s3:prefix"] == [
            f"{contract.name}/*"
        ]
        keys = granted["OwnStateItems"]["Condition"]["ForAllValues:StringEquals"]
        assert keys["dynamodb:LeadingKeys"] == [
            f"ingest#{contract.name}",
            f"landed#{contract.name}",
            f"pending#{contract.name}",
        ]
        (secret,) = sources_template.secret_names(contract)
        assert granted["ReadOwnSecret"]["Action"] == "secretsmanager:GetSecretValue"
        assert granted["ReadOwnSecret"]["Resource"]["Fn::Sub"].endswith(
            f":secret:strata/${{EnvironmentName}}/{secret}-??????"
        )


def test_an_api_source_without_auth_gets_no_secret_access():
    contracts = load_contracts(REPO / "sources")
    open_api = contracts["orders_api"].model_copy(
        update={"api": contracts["orders_api"].api.model_copy(update={"auth": NoAuth(type="none")})}
    )
    assert sources_template.secret_names(open_api) == []


def test_adding_a_source_makes_the_section_stale_until_strata_template_runs(project_dir, capsys):
    shutil.copy(
        project_dir / "sources" / "orders_api.yaml", project_dir / "sources" / "shop_api.yaml"
    )
    contract = project_dir / "sources" / "shop_api.yaml"
    contract.write_text(contract.read_text().replace("name: orders_api", "name: shop_api"))

    assert main(["--project-dir", str(project_dir), "template", "--check"]) == 1
    assert "stale: run `strata template`" in capsys.readouterr().err
    assert main(["--project-dir", str(project_dir), "template"]) == 0
    assert main(["--project-dir", str(project_dir), "template", "--check"]) == 0

    resources = load_template(project_dir / "template.yaml")["Resources"]
    assert "ShopApiIngestFunction" in resources and "ShopApiIngestSchedule" in resources
    assert "DiscoverFunction" in resources  # the rest of the template is untouched


def test_removing_every_scheduled_source_leaves_an_empty_section(project_dir):
    for name in ("orders_api", "customers"):
        (project_dir / "sources" / f"{name}.yaml").unlink()
    assert sources_template.write(project_dir)
    resources = load_template(project_dir / "template.yaml")["Resources"]
    assert not [r for r in resources if r.endswith("IngestFunction")]


def test_a_template_without_markers_is_refused_with_the_lines_to_add():
    with pytest.raises(ConfigError, match="markers are missing"):
        sources_template.replace_section("Resources:\n", "", "template.yaml")
