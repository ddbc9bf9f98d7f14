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
from cfn_conditions import evaluate

from strata.contracts.loader import load_contracts
from strata.convert import engine
from strata_dev.deploy import naming
from strata_dev.deploy.template import load_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"
ACCESS_LOGS_BUCKET = "AccessLogsBucket"
SETTINGS = REPO / "layers" / "strata" / "strata" / "settings.py"
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")

# Glue crawler actions: scoped to the stack's crawler, not to the database.
CRAWLER_ACTIONS = {"glue:StartCrawler", "glue:GetCrawler", "glue:StopCrawler"}

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


def generated_functions() -> set[str]:
    """The ingestion functions `strata template` writes, one per kind of source in use."""
    contracts = load_contracts(REPO / "sources")
    return {naming.function_id(contract) for contract in naming.per_source(contracts)}


def drop_rules() -> dict[str, Any]:
    """The landing rules `strata template` writes, one per drop source: resource id → contract."""
    contracts = load_contracts(REPO / "sources")
    return {naming.names(c).trigger: c for c in naming.drop_sources(contracts)}


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


def statements_of(value: Any) -> list[dict[str, Any]]:
    """A policy's statements, each branch of a conditional (Fn::If) statement included."""
    found: list[dict[str, Any]] = []
    for statement in as_list(value):
        if isinstance(statement, dict) and "Fn::If" in statement:
            found += statements_of([b for b in statement["Fn::If"][1:] if "Effect" in b])
        else:
            found.append(statement)
    return found


def iam_statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every identity-policy statement: SAM function/state machine Policies and IAM roles."""
    found: list[tuple[str, dict[str, Any]]] = []
    for logical_id, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        if resource["Type"] in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            for policy in as_list(props.get("Policies", [])):
                if isinstance(policy, dict) and "Statement" in policy:
                    found += [(logical_id, s) for s in statements_of(policy["Statement"])]
        elif resource["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                found += [
                    (logical_id, s) for s in statements_of(policy["PolicyDocument"]["Statement"])
                ]
        elif resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            found += [(logical_id, s) for s in as_list(props["PolicyDocument"]["Statement"])]
    return found


# ----------------------------------------------------------------------------- template shape
def test_is_a_sam_template_with_the_expected_parameters(template):
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    params = template["Parameters"]
    assert params["EnvironmentName"]["AllowedValues"] == ["dev", "test", "prod"]
    assert "RedshiftWorkgroup" in params
    assert params["RedshiftDatabase"]["Default"] == "dev"
    assert params["PipelineSchedule"]["Default"] == "rate(1 hour)"
    assert params["ConvertConcurrency"]["Default"] == 4
    assert params["InlineMapLimit"]["Default"] == 500


def test_functions_run_python312_on_arm64(template):
    functions = resources(template, "AWS::Serverless::Function")
    generated = generated_functions()
    assert generated == {"LandFunction", "IngestApiFunction", "IngestSftpFunction"}
    assert generated <= set(functions)
    assert set(functions) - generated == {
        "PresignUploadFunction",
        "DiscoverFunction",
        "ConvertFunction",
        "CompactFunction",
        "PlanModelsFunction",
        "ReportFunction",
        "SiteFunction",
        SIGN_IN,
        "FreshnessFunction",
    }
    for logical_id, function in functions.items():
        if logical_id == SIGN_IN:  # Node.js: CloudFront's signed cookies need RSA signing
            assert fn_prop(template, function, "Runtime") == "nodejs24.x"
            assert fn_prop(template, function, "Handler") == "index.handler"
            continue
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
        if logical_id == SIGN_IN:
            assert "exports.handler" in (folder / "index.js").read_text(encoding="utf-8")
            continue
        app = folder / "app.py"
        assert app.is_file(), f"{logical_id}: {code_uri}app.py is missing"
        tree = ast.parse(app.read_text(encoding="utf-8"))
        # Defined there, or bound to one a library builds (``scheduled_handler``).
        handlers = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
        handlers += [
            target.id
            for n in tree.body
            if isinstance(n, ast.Assign)
            for target in n.targets
            if isinstance(target, ast.Name)
        ]
        assert "lambda_handler" in handlers, f"{logical_id}: no lambda_handler in app.py"


def test_every_function_has_a_sample_event(template):
    for logical_id, function in resources(template, "AWS::Serverless::Function").items():
        if logical_id == SIGN_IN:  # called by CloudFront with a browser's request, not Strata's
            continue
        name = Path(fn_prop(template, function, "CodeUri")).name
        event = REPO / "events" / f"{name}.json"
        assert event.is_file(), f"{logical_id}: events/{name}.json is missing"
        json.loads(event.read_text(encoding="utf-8"))


def test_convert_has_the_memory_time_and_disk_it_needs(template, monkeypatch):
    props = template["Resources"]["ConvertFunction"]["Properties"]
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", str(props["MemorySize"]))
    monkeypatch.setattr(engine.os, "sched_getaffinity", lambda _pid: {0, 1})
    assert engine.cores() == 2  # a large file converts in two pieces side by side
    assert props["Timeout"] == 900
    assert props["EphemeralStorage"]["Size"] == 10240


def test_layers_are_built_for_python312_arm64(template):
    layers = resources(template, "AWS::Serverless::LayerVersion")
    assert set(layers) == {"StrataLayer", "EngineLayer", "IngestLayer", "SiteLayer"}
    for logical_id, layer in layers.items():
        props = layer["Properties"]
        assert props["CompatibleRuntimes"] == ["python3.12"], logical_id
        assert props["CompatibleArchitectures"] == ["arm64"], logical_id
        # The SiteLayer's Makefile also takes plotly.min.js out of the plotly wheel.
        method = "makefile" if logical_id == "SiteLayer" else "python3.12"
        assert layer["Metadata"]["BuildMethod"] == method, logical_id
        assert (REPO / props["ContentUri"] / "requirements.txt").is_file(), logical_id
    engine_users = {
        logical_id
        for logical_id, fn in resources(template, "AWS::Serverless::Function").items()
        if {"Ref": "EngineLayer"} in as_list(fn_prop(template, fn, "Layers") or [])
    }
    assert engine_users == {
        "ConvertFunction",
        "CompactFunction",
        "PlanModelsFunction",
        "SiteFunction",
    }


SDK = {"boto3", "botocore", "s3transfer"}
# The site's sign-in (SiteCdn on only), the one function not in Python.
SIGN_IN = "SiteSignInFunction"


def test_layer_requirements_are_pinned_and_ship_the_sdk_whole_or_not_at_all(template):
    """aws-xray-sdk pulls botocore into the StrataLayer, where it shadows the runtime's: that
    layer pins boto3, botocore and s3transfer together (matching versions); no other layer
    ships any part of the SDK."""
    shipping = {}
    for logical_id, layer in resources(template, "AWS::Serverless::LayerVersion").items():
        requirements = REPO / layer["Properties"]["ContentUri"] / "requirements.txt"
        pins = {}
        for raw in requirements.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            assert re.fullmatch(r"[A-Za-z0-9._\[\],-]+==[A-Za-z0-9.+-]+", line), (
                f"{requirements.relative_to(REPO)}: '{line}' is not pinned with =="
            )
            name, version = line.split("==")
            pins[re.split(r"\[", name)[0].lower().replace("_", "-")] = version
        if SDK & set(pins):
            assert set(pins) >= SDK, f"{logical_id}: pins {sorted(SDK & set(pins))} only"
            shipping[logical_id] = pins
    assert set(shipping) == {"StrataLayer"}
    pins = shipping["StrataLayer"]
    assert "aws-xray-sdk" in pins  # the reason botocore is there at all
    # boto3 and botocore are released together with the same version number.
    assert pins["boto3"] == pins["botocore"]


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
        if logical_id == ACCESS_LOGS_BUCKET:
            # S3 delivers server access logs only to a bucket with SSE-S3 default encryption.
            assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
        else:
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
            if "Effect" in statement  # a statement under Fn::If is checked in test_site_template
            and statement["Effect"] == "Deny"
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
    assert drop_rules()
    for fn, contract in drop_rules().items():
        rule = template["Resources"][fn]
        assert rule["Type"] == "AWS::Events::Rule"
        pattern = rule["Properties"]["EventPattern"]
        assert pattern["source"] == ["aws.s3"]
        assert pattern["detail-type"] == ["Object Created"]
        assert pattern["detail"]["bucket"]["name"] == [{"Ref": "LandingBucket"}]
        # Only its own source's files: the rule filters on the contract's landing prefix.
        assert pattern["detail"]["object"]["key"] == [{"prefix": contract.s3_drop.prefix}], fn


def test_no_function_listens_to_the_whole_landing_bucket(template):
    for logical_id, function in resources(template, "AWS::Serverless::Function").items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "EventBridgeRule":
                detail = event["Properties"]["Pattern"]["detail"]
                assert detail["object"]["key"][0]["prefix"], logical_id
    for logical_id, rule in resources(template, "AWS::Events::Rule").items():
        detail = rule["Properties"]["EventPattern"].get("detail", {})
        if "object" in detail:
            assert all(key["prefix"] for key in detail["object"]["key"]), logical_id


def test_failed_landings_end_in_the_one_landing_failures_queue(template):
    """Undeliverable events (the rule's DLQ) and events that still fail after the function's
    retries (its on-failure destination) of every drop source reach LandingFailuresQueue, whose
    policy admits exactly the landing rules, by their name."""
    queue = {"Fn::GetAtt": ["LandingFailuresQueue", "Arn"]}
    (policy,) = [
        p["Properties"]
        for p in resources(template, "AWS::SQS::QueuePolicy").values()
        if p["Properties"]["Queues"] == [{"Ref": "LandingFailuresQueue"}]
    ]
    (admit,) = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert admit["Principal"] == {"Service": "events.amazonaws.com"}
    assert admit["Action"] == "sqs:SendMessage" and admit["Resource"] == queue
    admitted = admit["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Sub"]
    assert admitted.startswith("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:")
    rule_names = admitted.split(":rule/", 1)[1]
    assert rule_names == "strata-${EnvironmentName}-drop-*"
    for logical_id in drop_rules():
        rule = template["Resources"][logical_id]["Properties"]
        (target,) = rule["Targets"]
        assert target["DeadLetterConfig"] == {"Arn": queue}, logical_id
        name = rule["Name"]["Fn::Sub"]
        assert re.fullmatch(re.escape(rule_names).replace(r"\*", ".+"), name), logical_id
    retries = template["Resources"]["LandEventInvokeConfig"]["Properties"]
    assert retries["FunctionName"] == {"Ref": "LandFunction"}
    assert retries["DestinationConfig"]["OnFailure"] == {"Destination": queue}


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
            "SiteBucket",
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
            if action in CRAWLER_ACTIONS:
                assert refs_to(statement["Resource"], "CleansedCrawler"), (
                    f"{owner}: {action} not scoped to CleansedCrawler"
                )
                assert "*" not in json.dumps(statement["Resource"]), owner
            elif action.startswith("glue:"):
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
        "CompactFunction",
        "PlanModelsFunction",
        "ReportFunction",
        "SiteFunction",
    }
    assert props["Tracing"] == {"Enabled": True}
    assert refs_to(props["Logging"]["Destinations"][0], "PipelineLogGroup")


def state_machine_statements(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    props = template["Resources"]["PipelineStateMachine"]["Properties"]
    return {
        s["Sid"]: s
        for policy in props["Policies"]
        if isinstance(policy, dict) and "Statement" in policy
        for s in statements_of(policy["Statement"])
        if "Sid" in s
    }


def test_distributed_map_may_start_and_watch_only_this_state_machines_children(template):
    """states:StartExecution on the pipeline itself (its ARN spelled from its Name: a Ref would be
    circular), Describe/StopExecution on its executions only."""
    name = template["Resources"]["PipelineStateMachine"]["Properties"]["Name"]["Fn::Sub"]
    arn = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}"
    statements = state_machine_statements(template)
    start = statements["StartMapChildren"]
    assert as_list(start["Action"]) == ["states:StartExecution"]
    assert start["Resource"] == {"Fn::Sub": f"{arn}:stateMachine:{name}"}
    watch = statements["WatchMapChildren"]
    assert set(as_list(watch["Action"])) == {"states:DescribeExecution", "states:StopExecution"}
    assert as_list(watch["Resource"]) == [
        {"Fn::Sub": f"{arn}:execution:{name}/*"},
        {"Fn::Sub": f"{arn}:execution:{name}:*"},
    ]
    states_actions = {
        action
        for s in statements.values()
        for action in as_list(s["Action"])
        if action.startswith("states:")
    }
    assert states_actions == {
        "states:StartExecution",
        "states:DescribeExecution",
        "states:StopExecution",
    }


def test_distributed_map_reads_and_writes_only_run_files_in_the_artifacts_bucket(template):
    statements = state_machine_statements(template)
    read = statements["ReadMapItems"]
    assert as_list(read["Action"]) == ["s3:GetObject"]
    assert read["Resource"] == {"Fn::Sub": "${ArtifactsBucket.Arn}/runs/*/batches.json"}
    write = statements["WriteMapResults"]
    assert set(as_list(write["Action"])) == {
        "s3:PutObject",
        "s3:GetObject",
        "s3:ListMultipartUploadParts",
        "s3:AbortMultipartUpload",
    }
    assert write["Resource"] == {"Fn::Sub": "${ArtifactsBucket.Arn}/runs/*/map/*"}
    key = statements["MapFilesKey"]
    assert set(as_list(key["Action"])) == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert refs_to(key["Resource"], "DataKey")
    assert key["Condition"] == {
        "StringEquals": {"kms:ViaService": {"Fn::Sub": "s3.${AWS::Region}.amazonaws.com"}}
    }
    s3_resources = [
        json.dumps(s["Resource"])
        for s in statements.values()
        if any(a.startswith("s3:") for a in as_list(s["Action"]))
    ]
    assert len(s3_resources) == 2 and all("/runs/*/" in r for r in s3_resources)


def test_discover_writes_only_the_item_list(template):
    policy = template["Resources"]["DiscoverFunction"]["Properties"]["Policies"][0]
    puts = [s for s in policy["Statement"] if "s3:PutObject" in as_list(s["Action"])]
    assert [s["Resource"] for s in puts] == [
        [
            {"Fn::Sub": "${ArtifactsBucket.Arn}/runs/*/items.json"},
            {"Fn::Sub": "${ArtifactsBucket.Arn}/runs/*/batches.json"},
        ]
    ]


def test_local_runs_use_the_templates_parameter_defaults(template):
    from strata_dev.local.stepfunctions import LOCAL_SUBSTITUTIONS

    for name in (
        "ConvertConcurrency",
        "InlineMapLimit",
        "ConvertBatchObjects",
        "ConvertBatchBytes",
        "CompactionTargetBytes",
    ):
        assert LOCAL_SUBSTITUTIONS[name] == str(template["Parameters"][name]["Default"]), name


def test_the_inline_limit_default_is_discovers(template):
    from strata.orchestration.discover import DEFAULT_INLINE_LIMIT

    assert template["Parameters"]["InlineMapLimit"]["Default"] == DEFAULT_INLINE_LIMIT


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
            "CompactFunctionArn",
            "PlanModelsFunctionArn",
            "ReportFunctionArn",
            "SiteFunctionArn",
            "ConvertConcurrency",
            "InlineMapLimit",
            "ConvertBatchObjects",
            "ConvertBatchBytes",
            "CompactionTargetBytes",
            "CrawlerName",
            "AlertTopicArn",
        }
        assert props["DefinitionSubstitutions"]["CrawlerName"] == {"Ref": "CleansedCrawler"}
        assert props["DefinitionSubstitutions"]["AlertTopicArn"] == {"Ref": "AlertTopic"}


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
        for logical_id, fn in resources(template, "AWS::Serverless::Function").items()
        if logical_id != SIGN_IN  # Node.js, not strata: its own few settings
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


# ----------------------------------------------------------------------------- crawler
def crawler_configuration(template: dict[str, Any]) -> dict[str, Any]:
    configuration = template["Resources"]["CleansedCrawler"]["Properties"]["Configuration"]
    assert isinstance(configuration, str), "Configuration must be a literal JSON string"
    return json.loads(configuration)


def test_crawler_makes_one_table_per_source_folder(template):
    configuration = crawler_configuration(template)
    assert configuration["Version"] == 1.0
    grouping = configuration["Grouping"]
    assert grouping["TableGroupingPolicy"] == "CombineCompatibleSchemas"
    # s3://<cleansed bucket>/<source>/...: the bucket is level 1, a source's folder level 2.
    assert grouping["TableLevelConfiguration"] == 2
    partitions = configuration["CrawlerOutput"]["Partitions"]
    assert partitions["AddOrUpdateBehavior"] == "InheritFromTable"


def test_crawler_crawls_the_cleansed_bucket_into_the_glue_database(template):
    props = template["Resources"]["CleansedCrawler"]["Properties"]
    assert props["DatabaseName"] == {"Ref": "GlueDatabase"}
    (target,) = props["Targets"]["S3Targets"]
    assert target["Path"] == {"Fn::Sub": "s3://${CleansedBucket}/"}
    assert "Schedule" not in props, "the pipeline starts the crawler; no schedule of its own"
    assert props["Role"] == {"Fn::GetAtt": ["CleansedCrawlerRole", "Arn"]}


def test_crawler_schema_change_policy_is_valid_and_never_deletes(template):
    props = template["Resources"]["CleansedCrawler"]["Properties"]
    policy = props["SchemaChangePolicy"]
    assert policy["DeleteBehavior"] == "LOG"
    assert policy["UpdateBehavior"] in ("LOG", "UPDATE_IN_DATABASE")
    recrawl = props.get("RecrawlPolicy", {}).get("RecrawlBehavior", "CRAWL_EVERYTHING")
    if recrawl == "CRAWL_NEW_FOLDERS_ONLY":
        # Glue rejects incremental crawls unless both behaviours are LOG.
        assert policy == {"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"}


def test_crawler_role_is_dedicated_and_explicit(template):
    role = template["Resources"]["CleansedCrawlerRole"]["Properties"]
    assert "ManagedPolicyArns" not in role, "AWSGlueServiceRole grants glue:* and s3 on *"
    trust = role["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"]["Service"] for s in trust] == ["glue.amazonaws.com"]
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    actions = {a for s in statements for a in as_list(s["Action"])}
    assert {"s3:GetObject", "s3:ListBucket", "kms:Decrypt"} <= actions
    assert {"glue:GetTable", "glue:CreateTable", "glue:BatchCreatePartition"} <= actions
    schema_policy = template["Resources"]["CleansedCrawler"]["Properties"]["SchemaChangePolicy"]
    if schema_policy["DeleteBehavior"] == "LOG":
        assert not {a for a in actions if a.startswith("glue:Delete")}, sorted(actions)
    for statement in statements:
        if any(a.startswith("s3:") for a in as_list(statement["Action"])):
            assert refs_to(statement["Resource"], "CleansedBucket"), statement["Sid"]
        if any(a.startswith("logs:") for a in as_list(statement["Action"])):
            assert "/aws-glue/crawlers" in json.dumps(statement["Resource"]), statement["Sid"]


def test_state_machine_may_only_start_and_read_its_crawler(template):
    props = template["Resources"]["PipelineStateMachine"]["Properties"]
    statements = [
        s
        for policy in props["Policies"]
        if isinstance(policy, dict) and "Statement" in policy
        for s in statements_of(policy["Statement"])
    ]
    crawler = [s for s in statements if set(as_list(s["Action"])) & CRAWLER_ACTIONS]
    assert len(crawler) == 1
    assert set(as_list(crawler[0]["Action"])) == {"glue:StartCrawler", "glue:GetCrawler"}
    assert crawler[0]["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}"
        ":crawler/${CleansedCrawler}"
    }


# ----------------------------------------------------------------------------- alerts
def alert_topic_arn_pattern(template: dict[str, Any]) -> str:
    """The topic's ARN as the key policy must spell it (the key cannot Ref the topic: cycle)."""
    name = template["Resources"]["AlertTopic"]["Properties"]["TopicName"]["Fn::Sub"]
    return f"arn:${{AWS::Partition}}:sns:${{AWS::Region}}:${{AWS::AccountId}}:{name}"


def test_alert_topic_is_encrypted_with_the_data_key(template):
    props = template["Resources"]["AlertTopic"]["Properties"]
    assert "KmsMasterKeyId" in props, "the alert topic is not encrypted"
    key = props["KmsMasterKeyId"]
    # alias/aws/sns would block CloudWatch and EventBridge (its key policy cannot be edited).
    assert refs_to(key, "DataKey"), f"alert topic key {key!r} is not the stack's DataKey"


def test_data_key_lets_alarms_and_events_publish_to_the_alert_topic_only(template):
    statements = template["Resources"]["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
    services = [
        s
        for s in statements
        if "Service" in s.get("Principal", {})
        and "aws:sns:topicArn" in json.dumps(s.get("Condition", {}))
    ]
    granted = {
        service
        for s in services
        for service in as_list(s["Principal"]["Service"])
        if {"kms:GenerateDataKey", "kms:Decrypt"} <= set(as_list(s["Action"]))
    }
    assert {"events.amazonaws.com", "cloudwatch.amazonaws.com"} <= granted
    for statement in services:
        assert "*" not in "".join(as_list(statement["Action"])), statement["Sid"]
        conditions = statement["Condition"]["StringEquals"]
        assert conditions["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
        assert conditions["kms:EncryptionContext:aws:sns:topicArn"] == {
            "Fn::Sub": alert_topic_arn_pattern(template)
        }


def test_alert_topic_policy_admits_only_this_stacks_rule_and_alarms(template):
    policies = [
        p["Properties"]
        for p in resources(template, "AWS::SNS::TopicPolicy").values()
        if {"Ref": "AlertTopic"} in p["Properties"]["Topics"]
    ]
    assert len(policies) == 1
    statements = as_list(policies[0]["PolicyDocument"]["Statement"])
    by_service = {s["Principal"]["Service"]: s for s in statements if s["Effect"] == "Allow"}
    assert set(by_service) == {"events.amazonaws.com", "cloudwatch.amazonaws.com"}
    for statement in by_service.values():
        assert statement["Action"] == "sns:Publish"
        assert statement["Resource"] == {"Ref": "AlertTopic"}
    events = by_service["events.amazonaws.com"]["Condition"]
    assert events["ArnEquals"]["aws:SourceArn"] == {
        "Fn::GetAtt": ["PipelineAbnormalEndRule", "Arn"]
    }
    alarms = by_service["cloudwatch.amazonaws.com"]["Condition"]
    assert alarms["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert alarms["ArnLike"]["aws:SourceArn"]["Fn::Sub"].endswith(
        ":alarm:strata-${EnvironmentName}-*"
    )


def test_state_machine_publishes_to_the_alert_topic(template):
    props = template["Resources"]["PipelineStateMachine"]["Properties"]
    publish = [
        p["SNSPublishMessagePolicy"]
        for p in props["Policies"]
        if isinstance(p, dict) and "SNSPublishMessagePolicy" in p
    ]
    assert publish == [{"TopicName": {"Fn::GetAtt": ["AlertTopic", "TopicName"]}}]
    kms = [
        s
        for p in props["Policies"]
        if isinstance(p, dict) and "Statement" in p
        for s in statements_of(p["Statement"])
        if "kms:GenerateDataKey" in as_list(s["Action"])
        and "sns" in json.dumps(s.get("Condition", {}).get("StringEquals", {}))
    ]
    assert len(kms) == 1
    assert kms[0]["Condition"]["StringEquals"]["kms:EncryptionContext:aws:sns:topicArn"] == {
        "Ref": "AlertTopic"
    }


def test_alert_email_is_optional(template):
    parameter = template["Parameters"]["AlertEmail"]
    assert parameter["Default"] == ""
    pattern = re.compile(parameter["AllowedPattern"])
    assert pattern.fullmatch("") and pattern.fullmatch("data-team@example.com")
    assert not pattern.fullmatch("not an address")
    subscriptions = resources(template, "AWS::SNS::Subscription")
    (subscription,) = subscriptions.values()
    assert subscription["Condition"] == "HasAlertEmail"
    assert template["Conditions"]["HasAlertEmail"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlertEmail"}, ""]}]
    }
    assert subscription["Properties"]["TopicArn"] == {"Ref": "AlertTopic"}
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlertEmail"}


def test_timed_out_and_aborted_runs_are_reported(template):
    rule = template["Resources"]["PipelineAbnormalEndRule"]["Properties"]
    pattern = rule["EventPattern"]
    assert pattern["source"] == ["aws.states"]
    assert pattern["detail-type"] == ["Step Functions Execution Status Change"]
    assert pattern["detail"]["stateMachineArn"] == [{"Ref": "PipelineStateMachine"}]
    assert set(pattern["detail"]["status"]) == {"TIMED_OUT", "ABORTED"}
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Ref": "AlertTopic"}
    transformer = target["InputTransformer"]
    paths = transformer["InputPathsMap"]
    assert "$.detail.name" in paths.values() and "$.detail.status" in paths.values()
    template_text = json.dumps(transformer["InputTemplate"])
    used = set(re.findall(r"<([A-Za-z0-9_]+)>", template_text))
    assert used == set(paths), f"InputTemplate uses {sorted(used)}, paths {sorted(paths)}"


def test_every_alarm_notifies_the_alert_topic(template):
    alarms = resources(template, "AWS::CloudWatch::Alarm")
    assert alarms
    for logical_id, alarm in alarms.items():
        props = alarm["Properties"]
        assert props.get("AlarmActions") == [{"Ref": "AlertTopic"}], logical_id
        assert props["TreatMissingData"] == "notBreaching", logical_id
        assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold", logical_id
        # A failed or stuck run alerts at once everywhere; the rest per environment.
        if props["Namespace"] == "AWS/States":
            assert props["Threshold"] == 1, logical_id
        else:
            key = "FunctionErrorsThreshold" if props["Namespace"] == "AWS/Lambda" else None
            key = key or "DeadLettersThreshold"
            assert props["Threshold"] == {
                "Fn::FindInMap": ["Environments", {"Ref": "EnvironmentName"}, key]
            }, logical_id
        # The topic policy admits alarms by this name prefix only.
        name = props["AlarmName"]["Fn::Sub"]
        assert name.startswith("strata-${EnvironmentName}-"), logical_id


def test_alarms_cover_the_pipeline_every_function_and_the_dead_letters(template):
    watched = set()
    for alarm in resources(template, "AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        (dimension,) = props["Dimensions"]
        watched.add((props["Namespace"], props["MetricName"], json.dumps(dimension["Value"])))
        if props["Namespace"] == "AWS/Lambda":
            assert props["Period"] == 300 and props["Statistic"] == "Sum"
    expected = {
        ("AWS/States", "ExecutionsFailed", json.dumps({"Ref": "PipelineStateMachine"})),
        ("AWS/States", "ExecutionsTimedOut", json.dumps({"Ref": "PipelineStateMachine"})),
        (
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            json.dumps({"Fn::GetAtt": ["LandingFailuresQueue", "QueueName"]}),
        ),
    }
    expected |= {
        ("AWS/Lambda", "Errors", json.dumps({"Ref": logical_id}))
        for logical_id in resources(template, "AWS::Serverless::Function")
    }
    assert expected <= watched, f"no alarm for {sorted(expected - watched)}"


# ----------------------------------------------------------------------------- dashboard
PSEUDO_PARAMETERS = {"AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::StackName"}


def render_sub(value: Any, template: dict[str, Any]) -> str:
    """Render a Fn::Sub string the way CloudFormation would, with dummy values."""
    text = value["Fn::Sub"]
    assert isinstance(text, str), "use the one-argument form of Fn::Sub"
    known = set(template["Resources"]) | set(template.get("Parameters", {}))

    def dummy(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        base = name.split(".", 1)[0]
        assert name in PSEUDO_PARAMETERS or base in known, f"${{{name}}} refers to nothing"
        return "dummy-" + re.sub(r"[^A-Za-z0-9]", "-", name)

    return re.sub(r"\$\{([^}]+)\}", dummy, text)


def dashboard(template: dict[str, Any]) -> dict[str, Any]:
    (board,) = resources(template, "AWS::CloudWatch::Dashboard").values()
    body = render_sub(board["Properties"]["DashboardBody"], template)
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        line = body.splitlines()[exc.lineno - 1]
        pytest.fail(f"DashboardBody is not JSON: {exc.msg} at line {exc.lineno}: {line}")


def test_render_sub_catches_unknown_references(template):
    with pytest.raises(AssertionError):
        render_sub({"Fn::Sub": "${NoSuchResource.Arn}"}, template)
    assert render_sub({"Fn::Sub": "${!Literal} ${AWS::Region}"}, template) == (
        "${Literal} dummy-AWS--Region"
    )


def test_dashboard_body_is_json_with_every_view(template):
    widgets = dashboard(template)["widgets"]
    assert widgets
    text = json.dumps(widgets)
    for metric in (
        "ExecutionsStarted",
        "ExecutionsSucceeded",
        "ExecutionsFailed",
        "ExecutionTime",
        "ApproximateNumberOfMessagesVisible",
    ):
        assert f'"{metric}"' in text, metric
    generated = generated_functions()
    for logical_id in resources(template, "AWS::Serverless::Function"):
        if logical_id in generated or logical_id == SIGN_IN:
            # Generated per kind of source: covered by the SEARCH rows checked below; the
            # sign-in function exists only with SiteCdn on (its own alarm watches it).
            continue
        function = f'"dummy-{logical_id}"'
        lambda_rows = [
            row
            for widget in widgets
            for row in widget.get("properties", {}).get("metrics", [])
            if row[:2] in (["AWS/Lambda", "Errors"], ["AWS/Lambda", "Duration"])
            and json.dumps(row[3]) == function
        ]
        assert {row[1] for row in lambda_rows} == {"Errors", "Duration"}, logical_id
    searched = ("ingest", "land")
    for metric in ("Errors", "Duration"):
        for name in searched:
            assert f'MetricName=\\"{metric}\\" FunctionName={name}' in text, (metric, name)
    # The SEARCH rows find every generated function by the word in its name.
    for logical_id in generated:
        name = template["Resources"][logical_id]["Properties"]["FunctionName"]["Fn::Sub"]
        words = name.removeprefix("strata-${EnvironmentName}-").split("-")
        assert words[0] in searched, logical_id
    for widget in widgets:
        if widget["type"] == "metric":
            assert widget["properties"]["region"] == "dummy-AWS--Region"


def test_dashboard_searches_the_emf_metrics_per_source(template):
    expressions = [
        entry["expression"]
        for widget in dashboard(template)["widgets"]
        for row in widget.get("properties", {}).get("metrics", [])
        for entry in row
        if isinstance(entry, dict) and "expression" in entry
    ]
    for metric in ("RowsIn", "RowsOut", "RowsQuarantined", "FilesLanded"):
        (search,) = [e for e in expressions if f'MetricName="{metric}"' in e]
        assert search.startswith("SEARCH('{Strata,environment,service,source} "), search
        assert 'service="strata"' in search, search


# ----------------------------------------------------------------------------- tracing, outputs
def test_traces_do_not_capture_responses(template):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
    assert template["Globals"]["Function"]["Tracing"] == "Active"


def test_outputs_name_the_operations_resources(template):
    outputs = template["Outputs"]
    assert outputs["AlertTopicArn"]["Value"] == {"Ref": "AlertTopic"}
    assert outputs["CleansedCrawlerName"]["Value"] == {"Ref": "CleansedCrawler"}
    assert outputs["DashboardName"]["Value"] == {"Ref": "PipelineDashboard"}


# ----------------------------------------------------------------------------- Redshift modes
def condition_value(template: dict[str, Any], value: Any, parameters: dict[str, str]) -> Any:
    """Evaluate a condition expression (Equals/Not/And/Or/Condition over parameters)."""
    return evaluate(
        value,
        lambda name: parameters.get(name, template["Parameters"][name].get("Default")),
        lambda name: condition_value(template, template["Conditions"][name], parameters),
    )


def resolve_ifs(template: dict[str, Any], value: Any, parameters: dict[str, str]) -> Any:
    """The value with every Fn::If resolved for these parameters (AWS::NoValue dropped)."""
    if isinstance(value, dict):
        if "Fn::If" in value:
            name, yes, no = value["Fn::If"]
            chosen = yes if condition_value(template, {"Condition": name}, parameters) else no
            return resolve_ifs(template, chosen, parameters)
        return {k: resolve_ifs(template, v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        items = [resolve_ifs(template, item, parameters) for item in value]
        return [item for item in items if item != {"Ref": "AWS::NoValue"}]
    return value


def pipeline_statements(template: dict[str, Any], parameters: dict[str, str]) -> list[dict]:
    props = template["Resources"]["PipelineStateMachine"]["Properties"]
    policies = resolve_ifs(template, props["Policies"], parameters)
    return [
        s
        for policy in policies
        if isinstance(policy, dict) and "Statement" in policy
        for s in as_list(policy["Statement"])
    ]


def granted(statements: list[dict], action: str) -> list[Any]:
    return [s["Resource"] for s in statements if action in as_list(s["Action"])]


SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:strata-abc123"
MODES = {
    "serverless-iam": {"RedshiftTarget": "serverless", "RedshiftWorkgroup": "wg"},
    "serverless-secret": {
        "RedshiftTarget": "serverless",
        "RedshiftWorkgroup": "wg",
        "RedshiftSecretArn": SECRET,
    },
    "cluster-iam": {
        "RedshiftTarget": "cluster",
        "RedshiftClusterIdentifier": "dw",
        "RedshiftDbUser": "strata",
    },
    "cluster-secret": {
        "RedshiftTarget": "cluster",
        "RedshiftClusterIdentifier": "dw",
        "RedshiftSecretArn": SECRET,
    },
}


@pytest.mark.parametrize("mode", MODES)
def test_the_state_machine_may_reach_only_its_redshift_target_and_credentials(template, mode):
    statements = pipeline_statements(template, MODES[mode])
    target, auth = mode.split("-")
    (run,) = granted(statements, "redshift-data:ExecuteStatement")
    assert granted(statements, "redshift-data:BatchExecuteStatement") == [run]
    arn = json.dumps(run)
    if target == "cluster":
        assert ":redshift:" in arn and "cluster:${RedshiftClusterIdentifier}" in arn
    else:
        assert ":redshift-serverless:" in arn and "workgroup/" in arn
    serverless_iam = granted(statements, "redshift-serverless:GetCredentials")
    cluster_iam = granted(statements, "redshift:GetClusterCredentials")
    secret = granted(statements, "secretsmanager:GetSecretValue")
    assert bool(serverless_iam) == (mode == "serverless-iam")
    assert bool(cluster_iam) == (mode == "cluster-iam")
    assert bool(secret) == (auth == "secret")
    if cluster_iam:
        resources = json.dumps(cluster_iam)
        assert "dbuser:${RedshiftClusterIdentifier}/${RedshiftDbUser}" in resources
        assert "dbname:${RedshiftClusterIdentifier}/${RedshiftDatabase}" in resources
        assert "*" not in resources
    if secret:
        assert secret == [{"Ref": "RedshiftSecretArn"}]
    assert not any("GetClusterCredentialsWithIAM" in json.dumps(s) for s in statements)


def test_the_planner_gets_the_redshift_connection_settings(template):
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["STRATA_REDSHIFT_TARGET"] == {"Ref": "RedshiftTarget"}
    assert env["STRATA_REDSHIFT_CLUSTER"] == {"Ref": "RedshiftClusterIdentifier"}
    assert env["STRATA_REDSHIFT_DB_USER"] == {"Ref": "RedshiftDbUser"}
    assert env["STRATA_REDSHIFT_SECRET_ARN"] == {"Ref": "RedshiftSecretArn"}
    assert template["Parameters"]["RedshiftTarget"]["AllowedValues"] == ["serverless", "cluster"]
    assert set(template["Rules"]) >= {
        "WorkgroupTargetNamesAWorkgroup",
        "ClusterTargetNamesACluster",
        "IamOnClusterNamesADbUser",
    }
