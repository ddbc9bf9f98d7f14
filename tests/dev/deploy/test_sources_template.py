"""`strata template`: one ingestion function per kind of source in template.yaml, generated from
the contracts between markers, each source with its own trigger (a schedule for api/sftp
sources, an S3 event rule on the landing prefix for drops), each function with the grants of its
own sources, named one by one, and nothing of another kind's."""

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


def statements(template, function):
    """Every statement the function's role gets: its inline policies and its managed ones."""
    found = []
    for policy in function["Properties"]["Policies"]:
        if "Ref" in policy:
            policy = template["Resources"][policy["Ref"]]["Properties"]["PolicyDocument"]
        found.extend(policy["Statement"])
    return found


def by_sid(template, function):
    return {s["Sid"]: s for s in statements(template, function)}


def as_list(value):
    return value if isinstance(value, list) else [value]


def s3_grants(template, function, action):
    """The object ARNs (as ``<Bucket>/<key pattern>``) a function's policy allows ``action`` on."""
    granted = []
    for statement in statements(template, function):
        if statement["Effect"] == "Allow" and action in as_list(statement["Action"]):
            for resource in as_list(statement["Resource"]):
                text = resource.get("Fn::Sub") if isinstance(resource, dict) else resource
                if isinstance(text, str) and text.startswith("${"):
                    bucket, _, pattern = text.partition(".Arn}/")
                    granted.append(f"{bucket.removeprefix('${')}/{pattern}")
    return granted


def allowed(template, function, action, bucket, key):
    """Whether the policy's S3 resources cover the object (IAM wildcards: * and ?)."""
    grants = s3_grants(template, function, action)
    return any(fnmatch.fnmatchcase(f"{bucket}/{key}", g) for g in grants)


def test_the_per_source_section_of_template_yaml_is_current():
    # Stale? Run `strata template` (or `python -m strata_dev.deploy.sources_template`) and commit.
    assert sources_template.is_current(REPO)


def test_every_api_and_sftp_source_has_its_schedule_naming_it_to_its_kinds_function(template):
    resources = template["Resources"]
    assert {c.name for c in scheduled()} == {"orders_api", "customers"}
    for contract in scheduled():
        fn_id = naming.function_id(contract)
        assert fn_id == {"api": "IngestApiFunction", "sftp": "IngestSftpFunction"}[contract.kind]
        props = resources[fn_id]["Properties"]
        assert props["CodeUri"] == f"functions/{naming.FUNCTION_FOLDERS[contract.kind]}/"
        assert "STRATA_SOURCE" not in json.dumps(props)
        assert {"Ref": "IngestLayer"} in props["Layers"]
        settings = contract.api or contract.sftp
        assert props["Timeout"] >= settings.time_budget_seconds + 60
        schedule = resources[naming.names(contract).trigger]["Properties"]
        assert schedule["Target"]["Arn"] == {"Fn::GetAtt": [fn_id, "Arn"]}
        assert schedule["ScheduleExpression"] == (contract.schedule or "rate(1 hour)")
        assert json.loads(schedule["Target"]["Input"])["source"] == contract.name
        assert schedule["Target"]["RoleArn"] == {"Fn::GetAtt": ["IngestScheduleRole", "Arn"]}
    role = resources["IngestScheduleRole"]["Properties"]
    (invoke,) = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    assert invoke["Action"] == "lambda:InvokeFunction"
    assert invoke["Resource"] == [
        {"Fn::GetAtt": ["IngestApiFunction", "Arn"]},
        {"Fn::GetAtt": ["IngestSftpFunction", "Arn"]},
    ]


def test_each_ingestion_function_may_touch_only_its_sources_prefixes_state_items_and_secrets(
    template,
):
    for contract in scheduled():
        function = template["Resources"][naming.function_id(contract)]
        mates = [c for c in scheduled() if c.kind == contract.kind]
        granted = by_sid(template, function)
        assert "s3:DeleteObject" not in json.dumps(granted)
        assert allowed(template, function, "s3:PutObject", "RawBucket", f"{contract.name}/k/a")
        prefixes = granted["ListSourcesRawPrefixes"]["Condition"]["StringLike"]["s3:prefix"]
        assert prefixes == [f"{c.name}/*" for c in mates]
        keys = granted["SourcesStateItems"]["Condition"]["ForAllValues:StringEquals"]
        assert keys["dynamodb:LeadingKeys"] == [
            f"{kind}#{c.name}" for c in mates for kind in ("ingest", "landed", "pending")
        ]
        secrets = [r["Fn::Sub"] for r in granted["ReadSourcesSecrets"]["Resource"]]
        assert granted["ReadSourcesSecrets"]["Action"] == "secretsmanager:GetSecretValue"
        assert [s.rsplit("/", 1)[1] for s in secrets] == [
            f"{name}-??????" for c in mates for name in policies.secret_names(c)
        ]
        assert all(":secret:strata/${EnvironmentName}/" in s for s in secrets)


def test_every_drop_source_has_its_rule_on_its_prefix_to_the_landing_function(template):
    resources = template["Resources"]
    assert {c.name for c in drops()} == {"orders", "shipments", "marketing_spend"}
    props = resources["LandFunction"]["Properties"]
    assert props["CodeUri"] == "functions/land_s3_drop/"
    assert props["FunctionName"] == {"Fn::Sub": "strata-${EnvironmentName}-land"}
    assert "Environment" not in props and props["Layers"] == [{"Ref": "StrataLayer"}]
    log_group = resources["LandLogGroup"]
    assert log_group["Properties"]["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${LandFunction}"}
    queue = {"Fn::GetAtt": ["LandingFailuresQueue", "Arn"]}
    retries = resources["LandEventInvokeConfig"]["Properties"]
    assert retries["FunctionName"] == {"Ref": "LandFunction"}
    assert retries["DestinationConfig"]["OnFailure"]["Destination"] == queue
    for contract in drops():
        assert naming.function_id(contract) == "LandFunction"
        rule = resources[f"{naming.camel(contract.name)}LandRule"]
        assert rule["Type"] == "AWS::Events::Rule"
        dashed = contract.name.replace("_", "-")
        assert rule["Properties"]["Name"] == {
            "Fn::Sub": f"strata-${{EnvironmentName}}-drop-{dashed}"
        }
        pattern = rule["Properties"]["EventPattern"]
        assert pattern["detail-type"] == ["Object Created"]
        assert pattern["detail"]["object"]["key"] == [{"prefix": contract.s3_drop.prefix}]
        (target,) = rule["Properties"]["Targets"]
        assert target["Arn"] == {"Fn::GetAtt": ["LandFunction", "Arn"]}
        assert target["DeadLetterConfig"] == {"Arn": queue}
    permission = resources["LandRulesPermission"]["Properties"]
    assert permission["Principal"] == "events.amazonaws.com"
    assert permission["SourceArn"]["Fn::Sub"].endswith(":rule/strata-${EnvironmentName}-drop-*")
    alarm = resources["LandErrorsAlarm"]["Properties"]
    assert alarm["MetricName"] == "Errors" and alarm["Namespace"] == "AWS/Lambda"
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "LandFunction"}}]
    assert alarm["AlarmActions"] == [{"Ref": "AlertTopic"}]


def test_the_landing_function_reads_only_drop_prefixes_and_writes_only_drop_raw_prefixes(
    template,
):
    function = template["Resources"]["LandFunction"]
    for contract in drops():
        prefix = contract.s3_drop.prefix
        assert allowed(template, function, "s3:GetObject", "LandingBucket", f"{prefix}a.csv")
        assert allowed(template, function, "s3:PutObject", "RawBucket", f"{contract.name}/x/a")
        assert not allowed(template, function, "s3:PutObject", "LandingBucket", f"{prefix}a.csv")
    assert not allowed(template, function, "s3:GetObject", "LandingBucket", "elsewhere/a.csv")
    for contract in scheduled():
        assert not allowed(template, function, "s3:PutObject", "RawBucket", f"{contract.name}/x")
        assert not allowed(template, function, "s3:GetObject", "RawBucket", f"{contract.name}/x")
    granted = by_sid(template, function)
    assert "s3:DeleteObject" not in json.dumps(granted)
    assert granted["ListSourcesLandingPrefixes"]["Condition"]["StringLike"]["s3:prefix"] == [
        f"{c.s3_drop.prefix}*" for c in drops()
    ]
    keys = granted["SourcesStateItems"]["Condition"]["ForAllValues:StringEquals"]
    assert keys["dynamodb:LeadingKeys"] == [
        f"{kind}#{c.name}" for c in drops() for kind in ("ingest", "landed", "pending")
    ]
    assert "secretsmanager:GetSecretValue" not in json.dumps(granted)
    assert "dynamodb:Scan" not in json.dumps(granted)


def test_no_function_may_write_the_raw_prefix_of_a_source_of_another_kind(template):
    contracts = naming.per_source(load_contracts(REPO / "sources"))
    assert len(contracts) >= 3
    for contract in contracts:
        function = template["Resources"][naming.function_id(contract)]
        for other in contracts:
            may = allowed(template, function, "s3:PutObject", "RawBucket", f"{other.name}/k/f")
            same = naming.function_id(other) == naming.function_id(contract)
            assert may == same, (contract.name, other.name)


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
    assert "IngestApiFunction" in resources and "ShopApiIngestSchedule" in resources
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
    rule = resources["ReturnsLandRule"]["Properties"]
    assert rule["EventPattern"]["detail"]["object"]["key"] == [{"prefix": "partner/returns/"}]
    function = resources["LandFunction"]
    assert allowed(
        {"Resources": resources}, function, "s3:GetObject", "LandingBucket", "partner/returns/a"
    )

    contract.write_text(contract.read_text().replace("partner/returns/", "returns/"))
    assert main(["--project-dir", str(project_dir), "template", "--check"]) == 1


def test_a_manual_source_gets_a_landing_function_too(project_dir):
    contract = project_dir / "sources" / "orders.yaml"
    contract.write_text(contract.read_text().replace("kind: s3_drop", "kind: manual"))
    assert not sources_template.is_current(project_dir)  # the description names the kind
    sources_template.write(project_dir)
    resources = load_template(project_dir / "template.yaml")["Resources"]
    assert resources["OrdersLandRule"]["Properties"]["Targets"][0]["Arn"] == {
        "Fn::GetAtt": ["LandFunction", "Arn"]
    }


def test_removing_every_source_leaves_an_empty_section(project_dir):
    for contract in (project_dir / "sources").glob("*.yaml"):
        contract.unlink()
    assert sources_template.write(project_dir)
    resources = load_template(project_dir / "template.yaml")["Resources"]
    generated = {"IngestApiFunction", "IngestSftpFunction", "LandFunction", "IngestScheduleRole"}
    assert not generated & set(resources)
    assert "LandingFailuresQueue" in resources  # shared, in the static part


def test_a_template_without_markers_is_refused_with_the_lines_to_add():
    with pytest.raises(ConfigError, match="markers are missing"):
        sources_template.replace_section("Resources:\n", "", "template.yaml")
