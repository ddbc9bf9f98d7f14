"""Static checks of the SAM template (template.yaml) and the files it points at.

Offline and fast: no AWS, no SAM CLI. `make lint-template` runs cfn-lint on top of this.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from strata.deploy.template import load_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"
SETTINGS = REPO / "layers" / "strata" / "strata" / "settings.py"
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")

# Actions that IAM only authorises on "*" (no resource type), allowed with Resource "*".
STAR_RESOURCE_ACTIONS = {
    # Step Functions vended logs (state machine Logging).
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    # Redshift Data API statement-level calls.
    "redshift-data:DescribeStatement",
    "redshift-data:GetStatementResult",
    "redshift-data:CancelStatement",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE)


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def fn_prop(template: dict[str, Any], function: dict[str, Any], name: str) -> Any:
    """A function property, falling back to Globals.Function like SAM does."""
    props = function.get("Properties", {})
    if name in props:
        return props[name]
    return template.get("Globals", {}).get("Function", {}).get(name)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def refs_to(value: Any, logical_id: str) -> bool:
    """True when an intrinsic value refers to a resource (Ref, GetAtt or inside a Sub)."""
    text = json.dumps(value)
    return (
        f'{{"Ref": "{logical_id}"}}' in text
        or f'"Fn::GetAtt": ["{logical_id}"' in text
        or f"${{{logical_id}}}" in text
        or f"${{{logical_id}." in text
    )


def iam_statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every identity-policy statement: SAM function/state machine Policies and IAM roles."""
    found: list[tuple[str, dict[str, Any]]] = []
    for logical_id, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        if resource["Type"] in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            for policy in as_list(props.get("Policies", [])):
                if isinstance(policy, dict) and "Statement" in policy:
                    found += [(logical_id, s) for s in as_list(policy["Statement"])]
        elif resource["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                found += [(logical_id, s) for s in as_list(policy["PolicyDocument"]["Statement"])]
        elif resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            found += [(logical_id, s) for s in as_list(props["PolicyDocument"]["Statement"])]
    return found


# ----------------------------------------------------------------------------- template shape
def test_is_a_sam_template_with_the_expected_parameters(template):
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    params = template["Parameters"]
    assert params["EnvironmentName"]["AllowedValues"] == ["dev", "prod"]
    assert "RedshiftWorkgroup" in params
    assert params["RedshiftDatabase"]["Default"] == "dev"
    assert params["PipelineSchedule"]["Default"] == "rate(1 hour)"
    assert params["ConvertConcurrency"]["Default"] == 4


def test_functions_run_python312_on_arm64(template):
    functions = resources(template, "AWS::Serverless::Function")
    generated = {name for name in functions if name.endswith("IngestFunction")}
    assert set(functions) - generated == {
        "LandS3DropFunction",
        "PresignUploadFunction",
        "DiscoverFunction",
        "ConvertFunction",
        "PlanModelsFunction",
        "ReportFunction",
    }
    for logical_id, function in functions.items():
        assert fn_prop(template, function, "Runtime") == "python3.12", logical_id
        assert fn_prop(template, function, "Architectures") == ["arm64"], logical_id
        assert fn_prop(template, function, "Handler") == "app.lambda_handler", logical_id
        assert fn_prop(template, function, "Tracing") == "Active", logical_id


def test_every_function_code_folder_exists_with_app_py(template):
    for logical_id, function in resources(template, "AWS::Serverless::Function").items():
        code_uri = fn_prop(template, function, "CodeUri")
        assert isinstance(code_uri, str), logical_id
        folder = REPO / code_uri
        assert folder.is_dir(), f"{logical_id}: CodeUri {code_uri} does not exist"
        app = folder / "app.py"
        assert app.is_file(), f"{logical_id}: {code_uri}app.py is missing"
        tree = ast.parse(app.read_text(encoding="utf-8"))
        handlers = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
        assert "lambda_handler" in handlers, f"{logical_id}: no lambda_handler in app.py"


def test_every_function_has_a_sample_event(template):
    for logical_id, function in resources(template, "AWS::Serverless::Function").items():
        name = Path(fn_prop(template, function, "CodeUri")).name
        event = REPO / "events" / f"{name}.json"
        assert event.is_file(), f"{logical_id}: events/{name}.json is missing"
        json.loads(event.read_text(encoding="utf-8"))


def test_convert_has_the_memory_time_and_disk_it_needs(template):
    props = template["Resources"]["ConvertFunction"]["Properties"]
    assert props["MemorySize"] == 2048
    assert props["Timeout"] == 900
    assert props["EphemeralStorage"]["Size"] == 4096


def test_layers_are_built_for_python312_arm64(template):
    layers = resources(template, "AWS::Serverless::LayerVersion")
    assert set(layers) == {"StrataLayer", "EngineLayer", "IngestLayer"}
    for logical_id, layer in layers.items():
        props = layer["Properties"]
        assert props["CompatibleRuntimes"] == ["python3.12"], logical_id
        assert props["CompatibleArchitectures"] == ["arm64"], logical_id
        assert layer["Metadata"]["BuildMethod"] == "python3.12", logical_id
        assert (REPO / props["ContentUri"] / "requirements.txt").is_file(), logical_id
    engine_users = {
        logical_id
        for logical_id, fn in resources(template, "AWS::Serverless::Function").items()
        if {"Ref": "EngineLayer"} in as_list(fn_prop(template, fn, "Layers") or [])
    }
    assert engine_users == {"ConvertFunction", "PlanModelsFunction"}


def test_layer_requirements_are_pinned_and_leave_boto3_to_the_runtime(template):
    for layer in resources(template, "AWS::Serverless::LayerVersion").values():
        requirements = REPO / layer["Properties"]["ContentUri"] / "requirements.txt"
        for raw in requirements.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            assert re.fullmatch(r"[A-Za-z0-9._\[\],-]+==[A-Za-z0-9.+-]+", line), (
                f"{requirements.relative_to(REPO)}: '{line}' is not pinned with =="
            )
            name = re.split(r"[=\[]", line, maxsplit=1)[0].lower().replace("_", "-")
            assert name not in {"boto3", "botocore", "s3transfer"}, (
                f"{requirements.relative_to(REPO)}: {name} is provided by the Lambda runtime"
            )


# ----------------------------------------------------------------------------- data at rest
def test_buckets_are_kms_encrypted_versioned_private_and_tls_only(template):
    buckets = resources(template, "AWS::S3::Bucket")
    assert {
        "LandingBucket",
        "RawBucket",
        "CleansedBucket",
        "QuarantineBucket",
        "ArtifactsBucket",
    } <= set(buckets)
    policies = resources(template, "AWS::S3::BucketPolicy")
    for logical_id, bucket in buckets.items():
        props = bucket["Properties"]
        (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms", logical_id
        assert refs_to(rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"], "DataKey")
        assert rule["BucketKeyEnabled"] is True, logical_id
        assert props["VersioningConfiguration"]["Status"] == "Enabled", logical_id
        block = props["PublicAccessBlockConfiguration"]
        assert block == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, logical_id
        assert bucket.get("DeletionPolicy") == "Retain", logical_id

        tls_denies = [
            statement
            for policy in policies.values()
            if policy["Properties"]["Bucket"] == {"Ref": logical_id}
            for statement in as_list(policy["Properties"]["PolicyDocument"]["Statement"])
            if statement["Effect"] == "Deny"
            and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")
            in ("false", False)
        ]
        assert tls_denies, f"{logical_id}: no bucket policy denying aws:SecureTransport=false"
        covered = json.dumps(tls_denies[0]["Resource"])
        assert f'"{logical_id}", "Arn"' in covered and f"${{{logical_id}.Arn}}/*" in covered


def test_noncurrent_versions_expire_in_quarantine_and_artifacts(template):
    for logical_id in ("QuarantineBucket", "ArtifactsBucket"):
        rules = template["Resources"][logical_id]["Properties"]["LifecycleConfiguration"]["Rules"]
        assert any("NoncurrentVersionExpiration" in rule for rule in rules), logical_id


def test_landing_bucket_sends_events_to_eventbridge(template):
    props = template["Resources"]["LandingBucket"]["Properties"]
    assert props["NotificationConfiguration"]["EventBridgeConfiguration"] == {
        "EventBridgeEnabled": True
    }
    events = template["Resources"]["LandS3DropFunction"]["Properties"]["Events"]
    (rule,) = events.values()
    assert rule["Type"] == "EventBridgeRule"
    pattern = rule["Properties"]["Pattern"]
    assert pattern["source"] == ["aws.s3"]
    assert pattern["detail-type"] == ["Object Created"]
    assert pattern["detail"]["bucket"]["name"] == [{"Ref": "LandingBucket"}]


def test_kms_key_rotates(template):
    assert template["Resources"]["DataKey"]["Properties"]["EnableKeyRotation"] is True


def test_state_table_and_glue_database(template):
    table = template["Resources"]["StateTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert {(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]} == {
        ("pk", "HASH"),
        ("sk", "RANGE"),
    }
    assert all(a["AttributeType"] == "S" for a in table["AttributeDefinitions"])
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["SSESpecification"]["SSEEnabled"] is True
    database = template["Resources"]["GlueDatabase"]["Properties"]["DatabaseInput"]
    assert database["Name"] == {"Fn::Sub": "strata_${EnvironmentName}"}


# ----------------------------------------------------------------------------- IAM
def test_no_iam_statement_allows_wildcard_actions(template):
    statements = iam_statements(template)
    assert statements
    for owner, statement in statements:
        for action in as_list(statement.get("Action", [])):
            assert "*" not in action, f"{owner}: wildcard action {action!r}"
        assert "NotAction" not in statement, f"{owner}: NotAction grants too much"


def test_star_resources_only_for_actions_without_resource_types(template):
    for owner, statement in iam_statements(template):
        if statement["Effect"] != "Allow" or "*" not in as_list(statement.get("Resource")):
            continue
        extra = set(as_list(statement["Action"])) - STAR_RESOURCE_ACTIONS
        assert not extra, f"{owner}: {sorted(extra)} granted on Resource '*'"


def test_function_policies_are_scoped_to_stack_resources(template):
    """Every S3/DynamoDB/Glue/KMS statement names this stack's bucket, table, database or key."""
    scoped = {
        "s3:": (
            "LandingBucket",
            "RawBucket",
            "CleansedBucket",
            "QuarantineBucket",
            "ArtifactsBucket",
        ),
        "dynamodb:": ("StateTable",),
        "kms:": ("DataKey",),
    }
    for owner, statement in iam_statements(template):
        for action in as_list(statement["Action"]):
            for prefix, targets in scoped.items():
                if action.startswith(prefix):
                    assert any(refs_to(statement["Resource"], t) for t in targets), (
                        f"{owner}: {action} not scoped to {targets}"
                    )
            if action.startswith("glue:"):
                text = json.dumps(statement["Resource"])
                assert "strata_${EnvironmentName}" in text and "*:*" not in text, owner


def test_schedule_starts_only_the_pipeline(template):
    schedule = template["Resources"]["PipelineRunSchedule"]
    target = schedule["Properties"]["Target"]
    assert target["Arn"] == {"Ref": "PipelineStateMachine"}
    assert schedule["Properties"]["ScheduleExpression"] == {"Ref": "PipelineSchedule"}
    role_id = target["RoleArn"]["Fn::GetAtt"][0]
    role = template["Resources"][role_id]["Properties"]
    principal = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]
    assert principal == "scheduler.amazonaws.com"
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    assert statements == [
        {
            "Sid": "StartPipeline",
            "Effect": "Allow",
            "Action": "states:StartExecution",
            "Resource": {"Ref": "PipelineStateMachine"},
        }
    ]


def test_state_machine_invokes_only_its_functions(template):
    props = template["Resources"]["PipelineStateMachine"]["Properties"]
    invoked = {
        policy["LambdaInvokePolicy"]["FunctionName"]["Ref"]
        for policy in props["Policies"]
        if isinstance(policy, dict) and "LambdaInvokePolicy" in policy
    }
    assert invoked == {
        "DiscoverFunction",
        "ConvertFunction",
        "PlanModelsFunction",
        "ReportFunction",
    }
    assert props["Tracing"] == {"Enabled": True}
    assert refs_to(props["Logging"]["Destinations"][0], "PipelineLogGroup")


# ----------------------------------------------------------------------------- ASL and env
def test_definition_substitutions_match_the_asl_placeholders(template):
    machines = resources(template, "AWS::Serverless::StateMachine")
    assert machines
    for logical_id, machine in machines.items():
        props = machine["Properties"]
        definition = REPO / props["DefinitionUri"]
        assert definition.is_file(), f"{logical_id}: {props['DefinitionUri']} is missing"
        text = definition.read_text(encoding="utf-8")
        json.loads(text)
        used = set(PLACEHOLDER.findall(text))
        keys = set(props["DefinitionSubstitutions"])
        assert used - keys == set(), f"{logical_id}: placeholders without substitution"
        assert keys - used == set(), f"{logical_id}: substitutions never used"
        assert keys == {
            "DiscoverFunctionArn",
            "ConvertFunctionArn",
            "PlanModelsFunctionArn",
            "ReportFunctionArn",
            "RedshiftWorkgroup",
            "RedshiftDatabase",
            "ConvertConcurrency",
        }


def settings_constants() -> set[str]:
    """String constants assigned to UPPER_CASE names at module level in strata/settings.py."""
    tree = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    values = set()
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            and any(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets)
        ):
            values.add(node.value.value)
    return values


def test_environment_variables_are_the_ones_strata_reads(template):
    known = settings_constants()
    assert "STRATA_RUNTIME" in known
    blocks = [template["Globals"]["Function"].get("Environment", {})]
    blocks += [
        fn["Properties"].get("Environment", {})
        for fn in resources(template, "AWS::Serverless::Function").values()
    ]
    names = {name for block in blocks for name in block.get("Variables", {})}
    strata_names = {name for name in names if not name.startswith("POWERTOOLS_")}
    assert strata_names, "no STRATA_* variables in the template"
    unknown = strata_names - known
    assert not unknown, f"not defined in strata/settings.py: {sorted(unknown)}"
    assert template["Globals"]["Function"]["Environment"]["Variables"]["STRATA_RUNTIME"] == "aws"
    assert {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"} <= names


def test_samconfig_has_dev_and_prod():
    config = tomllib.loads((REPO / "samconfig.toml").read_text(encoding="utf-8"))
    assert config["version"] == 0.1
    for env in ("dev", "prod"):
        deploy = config[env]["deploy"]["parameters"]
        assert deploy["stack_name"] == f"strata-{env}"
        assert f"EnvironmentName={env}" in deploy["parameter_overrides"]
        assert deploy["capabilities"] == "CAPABILITY_IAM"
        assert deploy["resolve_s3"] is True
    assert config["prod"]["deploy"]["parameters"]["confirm_changeset"] is True
    assert config["default"]["validate"]["parameters"]["lint"] is True
    assert config["default"]["build"]["parameters"] == {"cached": True, "parallel": True}
