"""What a first deploy of each environment gets: the parameters samconfig.toml passes, the
Rules that refuse a stack the pipeline could not run in (no workgroup id, alerts to no one,
prod on the `dev` database), sizing per environment, encrypted logs, access logs, and no
retained resource whose fixed name would block a redeploy after a delete.

The Rules are evaluated here the way CloudFormation evaluates them (Fn::Equals, Fn::Not,
Fn::And, Fn::Or, Fn::Contains over parameter values); only an AWS account confirms that
CloudFormation agrees.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cfn_conditions import evaluate

from strata_dev.deploy.template import load_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"
ENVIRONMENTS = ("dev", "test", "prod")
WORKGROUP_ID = "0f3c2a1e-5b6d-4c7e-8f90-a1b2c3d4e5f6"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
SAM_PYTHON = REPO / ".tools" / "sam" / "bin" / "python"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE)


def samconfig() -> dict[str, Any]:
    return tomllib.loads((REPO / "samconfig.toml").read_text(encoding="utf-8"))


def overrides(env: str) -> dict[str, str]:
    """The parameter_overrides of a samconfig environment, as a dict."""
    text = samconfig()[env]["deploy"]["parameters"]["parameter_overrides"]
    return dict(item.split("=", 1) for item in shlex.split(text))


def parameters(template: dict[str, Any], given: dict[str, str]) -> dict[str, str]:
    """Every parameter's value: the given ones, else the template's default."""
    values = {
        name: str(spec["Default"])
        for name, spec in template["Parameters"].items()
        if "Default" in spec
    }
    values.update(given)
    return values


def rule_value(value: Any, params: dict[str, str]) -> Any:
    return evaluate(value, params.__getitem__)


def refusals(template: dict[str, Any], given: dict[str, str]) -> list[str]:
    """The Rules (by name) whose assertions fail for these parameters."""
    params = parameters(template, given)
    failed = []
    for name, rule in template["Rules"].items():
        if "RuleCondition" in rule and not rule_value(rule["RuleCondition"], params):
            continue
        if not all(rule_value(a["Assert"], params) for a in rule["Assertions"]):
            failed.append(name)
    return failed


def filled_in(env: str) -> dict[str, str]:
    """An environment's samconfig parameters with its placeholders replaced, as a user would."""
    values = overrides(env)
    values["RedshiftWorkgroupId"] = WORKGROUP_ID
    values["AlertEmail"] = f"data-team+{env}@example.org"
    return values


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


# ----------------------------------------------------------------------------- environments
def test_samconfig_has_dev_test_and_prod_each_with_its_own_stack_and_database(template):
    config = samconfig()
    databases = {}
    for env in ENVIRONMENTS:
        deploy = config[env]["deploy"]["parameters"]
        assert deploy["stack_name"] == f"strata-{env}"
        assert deploy["s3_prefix"] == f"strata-{env}"
        values = overrides(env)
        assert values["EnvironmentName"] == env
        assert env in template["Parameters"]["EnvironmentName"]["AllowedValues"]
        assert set(values) <= set(template["Parameters"]), sorted(set(values))
        databases[env] = values["RedshiftDatabase"]
    assert databases["prod"] != "dev"
    assert len(set(databases.values())) == 3
    assert config["default"]["deploy"]["parameters"] == config["dev"]["deploy"]["parameters"]


def test_every_environment_is_a_warehouse_target():
    import yaml

    profiles = yaml.safe_load((REPO / "warehouse" / "profiles.yml").read_text(encoding="utf-8"))
    assert set(ENVIRONMENTS) <= set(profiles["strata"]["outputs"])


def test_samconfig_placeholders_are_refused_until_filled_in(template):
    for env in ENVIRONMENTS:
        as_shipped = refusals(template, overrides(env))
        assert "WorkgroupTargetNamesAWorkgroup" in as_shipped, env
        assert "AlertEmailIsNotThePlaceholder" in as_shipped, env
        assert refusals(template, filled_in(env)) == [], env


def test_the_serverless_target_needs_the_workgroup_id(template):
    given = filled_in("dev")
    assert refusals(template, {**given, "RedshiftWorkgroupId": ""}) == [
        "WorkgroupTargetNamesAWorkgroup"
    ]
    assert refusals(template, {**given, "RedshiftWorkgroupId": PLACEHOLDER_ID}) == [
        "WorkgroupTargetNamesAWorkgroup"
    ]
    cluster = {
        **given,
        "RedshiftTarget": "cluster",
        "RedshiftWorkgroupId": "",
        "RedshiftClusterIdentifier": "dw",
        "RedshiftDbUser": "strata",
    }
    assert refusals(template, cluster) == []


def test_no_iam_statement_names_every_workgroup(template):
    text = json.dumps(template["Resources"])
    assert "workgroup/*" not in text
    workgroup_arns = set(re.findall(r":workgroup/[^\s\"']+", text))
    assert workgroup_arns == {":workgroup/${RedshiftWorkgroupId}"}
    assert "HasWorkgroupId" not in template["Conditions"]


def test_prod_refuses_to_deploy_without_an_alert_address(template):
    prod = filled_in("prod")
    assert refusals(template, {**prod, "AlertEmail": ""}) == ["ProdAlertsReachSomeone"]
    # dev and test may say "nobody" explicitly (an empty address), not by leaving the placeholder.
    for env in ("dev", "test"):
        assert refusals(template, {**filled_in(env), "AlertEmail": ""}) == [], env


def test_prod_refuses_the_default_database(template):
    assert refusals(template, {**filled_in("prod"), "RedshiftDatabase": "dev"}) == [
        "ProdDatabaseIsNotDev"
    ]
    assert refusals(template, {**filled_in("test"), "RedshiftDatabase": "dev"}) == []


# ----------------------------------------------------------------------------- schedules
def test_schedules_run_only_when_enabled_and_only_prod_enables_them(template):
    parameter = template["Parameters"]["SchedulesEnabled"]
    assert parameter["Default"] == "false"
    assert template["Conditions"]["SchedulesOn"] == {
        "Fn::Equals": [{"Ref": "SchedulesEnabled"}, "true"]
    }
    schedules = resources(template, "AWS::Scheduler::Schedule")
    # The pipeline's and each api/sftp source's (generated by `strata template`).
    assert {"PipelineRunSchedule", "CustomersIngestSchedule", "OrdersApiIngestSchedule"} <= set(
        schedules
    )
    for logical_id, schedule in schedules.items():
        assert schedule["Properties"]["State"] == {
            "Fn::If": ["SchedulesOn", "ENABLED", "DISABLED"]
        }, logical_id
    enabled = {env: overrides(env).get("SchedulesEnabled", "false") for env in ENVIRONMENTS}
    assert enabled == {"dev": "false", "test": "false", "prod": "true"}


# ----------------------------------------------------------------------------- sizing
def mapping(template: dict[str, Any], env: str, key: str) -> Any:
    return template["Mappings"]["Environments"][env][key]


def find_in_map_key(value: Any) -> str:
    assert isinstance(value, dict) and "Fn::FindInMap" in value, value
    name, env, key = value["Fn::FindInMap"]
    assert (name, env) == ("Environments", {"Ref": "EnvironmentName"}), value
    return key


def test_every_function_has_reserved_concurrency_sized_per_environment(template):
    functions = resources(template, "AWS::Serverless::Function")
    assert len(functions) >= 8
    for logical_id, function in functions.items():
        key = find_in_map_key(function["Properties"].get("ReservedConcurrentExecutions"))
        for env in ENVIRONMENTS:
            reserved = mapping(template, env, key)
            assert isinstance(reserved, int) and reserved >= 1, (logical_id, env)
    assert set(template["Mappings"]["Environments"]) == set(ENVIRONMENTS)


def test_convert_may_run_as_many_copies_as_the_map_starts(template):
    key = find_in_map_key(
        template["Resources"]["ConvertFunction"]["Properties"]["ReservedConcurrentExecutions"]
    )
    for env in ENVIRONMENTS:
        concurrency = int(parameters(template, overrides(env))["ConvertConcurrency"])
        assert mapping(template, env, key) >= concurrency, env


def test_alarm_thresholds_differ_per_environment_and_prod_alerts_on_the_first_error(template):
    for key in ("FunctionErrorsThreshold", "DeadLettersThreshold"):
        values = {env: mapping(template, env, key) for env in ENVIRONMENTS}
        assert values["prod"] == 1, key
        assert values["dev"] >= values["test"] >= values["prod"], key
        assert len(set(values.values())) > 1, key


# ----------------------------------------------------------------------------- logs
def test_log_groups_are_encrypted_with_the_data_key_which_lets_logs_use_it(template):
    groups = resources(template, "AWS::Logs::LogGroup")
    assert len(groups) == len(resources(template, "AWS::Serverless::Function")) + 1
    statements = template["Resources"]["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
    (logs,) = [
        s
        for s in statements
        if s.get("Principal", {}).get("Service") == {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}
    ]
    assert {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"} <= set(logs["Action"])
    assert not any("*" in action for action in logs["Action"])
    patterns = [
        p["Fn::Sub"] for p in logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    ]
    prefix = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
    for logical_id, group in groups.items():
        props = group["Properties"]
        assert props["KmsKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}, logical_id
        name = props["LogGroupName"]["Fn::Sub"]
        function = re.fullmatch(r"/aws/lambda/\$\{(\w+)\}", name)
        if function:  # the log group of a function: its name is the function's name
            fn = template["Resources"][function.group(1)]["Properties"]["FunctionName"]
            name = "/aws/lambda/" + fn["Fn::Sub"]
        arn = prefix + name
        assert any(re.fullmatch(re.escape(p).replace(r"\*", ".*"), arn) for p in patterns), arn


# ----------------------------------------------------------------------------- access logs
def test_lake_buckets_log_access_to_the_access_log_bucket(template):
    buckets = resources(template, "AWS::S3::Bucket")
    lake = {k: v for k, v in buckets.items() if k != "AccessLogsBucket"}
    assert len(lake) == 6  # landing, raw, cleansed, quarantine, artifacts, site
    prefixes = set()
    for logical_id, bucket in lake.items():
        logging = bucket["Properties"]["LoggingConfiguration"]
        assert logging["DestinationBucketName"] == {"Ref": "AccessLogsBucket"}, logical_id
        prefixes.add(logging["LogFilePrefix"])
        # S3 checks at PutBucketLogging that log delivery may write: the policy comes first.
        assert bucket["DependsOn"] == "AccessLogsBucketPolicy", logical_id
    assert len(prefixes) == len(lake) and all(p.endswith("/") for p in prefixes)
    policy = template["Resources"]["AccessLogsBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "AccessLogsBucket"}
    (allow,) = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert allow["Action"] == "s3:PutObject"
    assert allow["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}


# ----------------------------------------------------------------------------- redeploy
# The properties that give a resource a fixed physical name.
NAME_PROPERTIES = ("BucketName", "TableName", "AliasName", "QueueName", "TopicName", "Name")


def test_no_retained_resource_has_a_fixed_name_that_would_block_a_redeploy(template):
    """A stack deleted and deployed again meets its retained resources: with a fixed name the
    new one cannot be created. Retained resources get generated names (docs/deploy.md shows
    how to re-attach the old data)."""
    retained = {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource.get("DeletionPolicy") == "Retain"
    }
    assert {"DataKey", "RawBucket", "StateTable", "AccessLogsBucket"} <= set(retained)
    for logical_id, resource in retained.items():
        props = resource.get("Properties", {})
        named = [p for p in NAME_PROPERTIES if p in props]
        assert not named, f"{logical_id} is retained with a fixed {named}"
    docs = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert "--change-set-type IMPORT" in docs


# ----------------------------------------------------------------------------- database role
def test_the_pipeline_role_carries_its_database_role_and_the_stack_names_both(template):
    machine = template["Resources"]["PipelineStateMachine"]["Properties"]
    outputs = template["Outputs"]
    assert machine["Tags"]["RedshiftDbRoles"] == outputs["PipelineDatabaseRole"]["Value"]
    assert outputs["PipelineRoleName"]["Value"] == {"Ref": "PipelineStateMachineRole"}


@pytest.fixture(scope="module")
def translated() -> dict[str, Any]:
    """The template as the SAM translator expands it (the SAM CLI's own virtualenv)."""
    if not SAM_PYTHON.is_file():
        pytest.skip("the SAM CLI is not installed: `make tools`")
    result = subprocess.run(
        [str(SAM_PYTHON), str(REPO / "tools" / "sam_translate.py"), str(TEMPLATE)],
        capture_output=True,
        text=True,
        check=True,
        env={"AWS_DEFAULT_REGION": "eu-west-1", "PATH": "/usr/bin:/bin"},
    )
    return json.loads(result.stdout)


def test_sam_tags_the_generated_role_with_the_database_role(translated):
    role = translated["Resources"]["PipelineStateMachineRole"]
    assert role["Type"] == "AWS::IAM::Role"
    tags = {tag["Key"]: tag["Value"] for tag in role["Properties"]["Tags"]}
    assert tags["RedshiftDbRoles"] == {"Fn::Sub": "strata_${EnvironmentName}_pipeline"}
    # The output the bootstrap reads refers to a resource that exists after the transform.
    assert translated["Outputs"]["PipelineRoleName"]["Value"] == {"Ref": "PipelineStateMachineRole"}


def test_sam_tags_the_site_functions_role_as_the_read_only_reader(translated):
    role = translated["Resources"]["SiteFunctionRole"]
    tags = {tag["Key"]: tag["Value"] for tag in role["Properties"]["Tags"]}
    assert tags["RedshiftDbRoles"] == "bi_reader"


def test_the_translated_stack_stays_under_the_resource_limit(translated):
    assert len(translated["Resources"]) < 500
    for logical_id, resource in translated["Resources"].items():
        if resource["Type"] == "AWS::Lambda::Function":
            assert "ReservedConcurrentExecutions" in resource["Properties"], logical_id


# ----------------------------------------------------------------------------- checkov
def test_every_checkov_finding_left_has_a_written_reason(template):
    """`make checkov` passes because each inapplicable finding is skipped in the template, each
    with the reason it does not apply (a bare skip would hide a real finding)."""
    skips = [
        (logical_id, skip)
        for logical_id, resource in template["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    for logical_id, skip in skips:
        assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), (logical_id, skip)
        assert len(skip.get("comment", "").split()) >= 8, (logical_id, skip["id"])
    # Skipped for each function: no DLQ (each says why for its kind), no VPC, plain env vars.
    for logical_id in resources(template, "AWS::Serverless::Function"):
        ids = {s["id"] for owner, s in skips if owner == logical_id}
        assert ids == {"CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173"}, logical_id
