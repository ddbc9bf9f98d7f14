"""`strata template`: one function per source in template.yaml, generated from the contracts
between markers, each with its own trigger (a schedule for api/sftp sources, an S3 event rule on
the landing prefix for drops) and only its own permissions."""

from __future__ import annotations

import fnmatch
import json
import shutil
from pathlib import Path

import pytest

from strata.contracts.ingestion import NoAuth
from strata.contracts.loader import load_contracts
from strata.errors import ConfigError
from strata_dev.cli.main import main
from strata_dev.deploy import naming, policies, sources_template
from strata_dev.deploy.template import load_template

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def template():
    return load_template(REPO / "template.yaml")


def scheduled():
    return naming.scheduled_sources(load_contracts(REPO / "sources"))


def drops():
    return naming.drop_sources(load_contracts(REPO / "sources"))


def statements(function):
    return {s["Sid"]: s for p in function["Properties"]["Policies"] for s in p["Statement"]}


def as_list(value):
    return value if isinstance(value, list) else [value]


def s3_grants(function, action):
    """The object ARNs (as ``<Bucket>/<key pattern>``) a function's policy allows ``action`` on."""
    granted = []
    for statement in statements(function).values():
        if statement["Effect"] == "Allow" and action in as_list(statement["Action"]):
            for resource in as_list(statement["Resource"]):
                text = resource.get("Fn::Sub") if isinstance(resource, dict) else resource
                if isinstance(text, str) and text.startswith("${"):
                    bucket, _, pattern = text.partition(".Arn}/")
                    granted.append(f"{bucket.removeprefix('${')}/{pattern}")
    return granted


def allowed(function, action, bucket, key):
    """Whether the policy's S3 resources cover the object (IAM wildcards: * and ?)."""
    return any(fnmatch.fnmatchcase(f"{bucket}/{key}", g) for g in s3_grants(function, action))


def test_the_per_source_section_of_template_yaml_is_current():
    # Stale? Run `strata template` (or `python -m strata_dev.deploy.sources_template`) and commit.
    assert sources_template.is_current(REPO)


def test_every_api_and_sftp_source_has_its_function_and_schedule(template):
    resources = template["Resources"]
    assert {c.name for c in scheduled()} == {"orders_api", "customers"}
    for contract in scheduled():
        fn_id = naming.function_id(contract)
        props = resources[fn_id]["Properties"]
        assert props["CodeUri"] == f"functions/{naming.FUNCTION_FOLDERS[contract.kind]}/"
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
        function = template["Resources"][naming.function_id(contract)]
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
        (secret,) = policies.secret_names(contract)
        assert granted["ReadOwnSecret"]["Action"] == "secretsmanager:GetSecretValue"
        assert granted["ReadOwnSecret"]["Resource"]["Fn::Sub"].endswith(
            f":secret:strata/${{EnvironmentName}}/{secret}-??????"
        )


def test_every_drop_source_has_its_function_and_landing_rule(template):
    resources = template["Resources"]
    assert {c.name for c in drops()} == {"orders", "shipments", "marketing_spend"}
    for contract in drops():
        fn_id = naming.function_id(contract)
        assert fn_id == f"{naming.camel(contract.name)}LandFunction"
        props = resources[fn_id]["Properties"]
        assert props["CodeUri"] == "functions/land_s3_drop/"
        assert props["FunctionName"] == {
            "Fn::Sub": f"strata-${{EnvironmentName}}-land-{contract.name.replace('_', '-')}"
        }
        assert props["Environment"]["Variables"]["STRATA_SOURCE"] == contract.name
        assert props["Layers"] == [{"Ref": "StrataLayer"}]
        log_group = resources[f"{naming.camel(contract.name)}LandLogGroup"]
        assert log_group["Properties"]["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{{fn_id}}}"}
        (rule,) = props["Events"].values()
        assert rule["Type"] == "EventBridgeRule"
        pattern = rule["Properties"]["Pattern"]
        assert pattern["detail-type"] == ["Object Created"]
        assert pattern["detail"]["object"]["key"] == [{"prefix": contract.s3_drop.prefix}]
        queue = {"Fn::GetAtt": ["LandingFailuresQueue", "Arn"]}
        assert rule["Properties"]["DeadLetterConfig"] == {"Arn": queue}
        assert props["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Destination"] == queue
        alarm = resources[f"{naming.camel(contract.name)}LandErrorsAlarm"]["Properties"]
        assert alarm["MetricName"] == "Errors" and alarm["Namespace"] == "AWS/Lambda"
        assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": fn_id}}]
        assert alarm["AlarmActions"] == [{"Ref": "AlertTopic"}]


def test_a_drop_function_reads_only_its_landing_prefix_and_writes_only_its_raw_prefix(template):
    functions = {
        c.name: template["Resources"][naming.function_id(c)]
        for c in naming.per_source(load_contracts(REPO / "sources"))
    }
    for contract in drops():
        function = functions[contract.name]
        prefix = contract.s3_drop.prefix
        assert allowed(function, "s3:GetObject", "LandingBucket", f"{prefix}a.csv")
        assert not allowed(function, "s3:GetObject", "LandingBucket", "elsewhere/a.csv")
        assert allowed(function, "s3:PutObject", "RawBucket", f"{contract.name}/x/a.csv")
        for other in functions:
            if other != contract.name:
                assert not allowed(function, "s3:PutObject", "RawBucket", f"{other}/x/a.csv")
                assert not allowed(function, "s3:GetObject", "RawBucket", f"{other}/x/a.csv")
        assert not allowed(function, "s3:PutObject", "LandingBucket", f"{prefix}a.csv")
        granted = statements(function)
        assert "s3:DeleteObject" not in json.dumps(granted)
        assert granted["ListOwnLandingPrefix"]["Condition"]["StringLike"]["s3:prefix"] == [
            f"{prefix}*"
        ]
        keys = granted["OwnStateItems"]["Condition"]["ForAllValues:StringEquals"]
        assert keys["dynamodb:LeadingKeys"] == [
            f"landed#{contract.name}",
            f"pending#{contract.name}",
        ]
        assert "secretsmanager:GetSecretValue" not in json.dumps(granted)
        assert "dynamodb:Scan" not in json.dumps(granted)


def test_no_source_function_may_write_another_sources_raw_prefix(template):
    contracts = naming.per_source(load_contracts(REPO / "sources"))
    assert len(contracts) >= 3
    for contract in contracts:
        function = template["Resources"][naming.function_id(contract)]
        for other in contracts:
            may = allowed(function, "s3:PutObject", "RawBucket", f"{other.name}/k/f.csv")
            assert may == (other is contract), (contract.name, other.name)


def test_an_api_source_without_auth_gets_no_secret_access():
    contracts = load_contracts(REPO / "sources")
    open_api = contracts["orders_api"].model_copy(
        update={"api": contracts["orders_api"].api.model_copy(update={"auth": NoAuth(type="none")})}
    )
    assert policies.secret_names(open_api) == []


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


def test_adding_or_moving_a_drop_source_makes_the_section_stale(project_dir, capsys):
    contract = project_dir / "sources" / "returns.yaml"
    shutil.copy(project_dir / "sources" / "orders.yaml", contract)
    text = contract.read_text().replace("name: orders", "name: returns")
    contract.write_text(text.replace("prefix: orders/", "prefix: partner/returns/"))

    assert main(["--project-dir", str(project_dir), "template", "--check"]) == 1
    assert "stale: run `strata template`" in capsys.readouterr().err
    assert main(["--project-dir", str(project_dir), "template"]) == 0
    assert main(["--project-dir", str(project_dir), "template", "--check"]) == 0
    resources = load_template(project_dir / "template.yaml")["Resources"]
    (rule,) = resources["ReturnsLandFunction"]["Properties"]["Events"].values()
    assert rule["Properties"]["Pattern"]["detail"]["object"]["key"] == [
        {"prefix": "partner/returns/"}
    ]
    assert "ReturnsLandErrorsAlarm" in resources

    contract.write_text(contract.read_text().replace("partner/returns/", "returns/"))
    assert main(["--project-dir", str(project_dir), "template", "--check"]) == 1


def test_a_manual_source_gets_a_landing_function_too(project_dir):
    contract = project_dir / "sources" / "orders.yaml"
    contract.write_text(contract.read_text().replace("kind: s3_drop", "kind: manual"))
    assert not sources_template.is_current(project_dir)  # the description names the kind
    sources_template.write(project_dir)
    props = load_template(project_dir / "template.yaml")["Resources"]["OrdersLandFunction"]
    assert props["Properties"]["CodeUri"] == "functions/land_s3_drop/"


def test_removing_every_source_leaves_an_empty_section(project_dir):
    for contract in (project_dir / "sources").glob("*.yaml"):
        contract.unlink()
    assert sources_template.write(project_dir)
    resources = load_template(project_dir / "template.yaml")["Resources"]
    assert not [r for r in resources if r.endswith(("IngestFunction", "LandFunction"))]
    assert "LandingFailuresQueue" in resources  # shared, in the static part


def test_a_template_without_markers_is_refused_with_the_lines_to_add():
    with pytest.raises(ConfigError, match="markers are missing"):
        sources_template.replace_section("Resources:\n", "", "template.yaml")
