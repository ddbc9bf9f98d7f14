"""The ingestion section is built as dicts and dumped as YAML: the same data as a reviewed golden
for contracts of every kind, and, for a new contract, its kind's function, the function's
statements and the source's own trigger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from strata.contracts.loader import load_contracts, parse_contract
from strata.errors import ConfigError
from strata_dev.deploy.cfn import FindInMap, GetAtt, If, Ref, Sub
from strata_dev.deploy.sources_template import NO_SOURCES, render_section, section_resources
from strata_dev.deploy.template import CfnLoader

EVERY_KIND = Path(__file__).parent / "fixtures" / "every_kind"

WEATHER_API = """
name: weather_api
description: Hourly observations from the weather service.
owner: data@example.com
kind: api
schedule: cron(0 * * * ? *)
api:
  url: https://weather.example.com/v1/observations
  auth:
    type: api_key
    secret: weather_key
    header: X-API-Key
  time_budget_seconds: 120
format:
  type: json
schema:
  - name: station
    type: string
"""

DROP = """
name: {name}
description: Files a partner drops.
owner: data@example.com
kind: s3_drop
s3_drop:
  prefix: partners/acme/
format:
  type: csv
schema:
  - name: id
    type: string
"""


def as_data(section: str) -> dict:
    """The section's resources as CloudFormation reads them (short-form tags as long form)."""
    return yaml.load("Resources:\n" + section, Loader=CfnLoader)["Resources"] or {}


def sids(policy: dict) -> list[str]:
    assert policy["Version"] == "2012-10-17"
    return [statement["Sid"] for statement in policy["Statement"]]


def test_the_section_equals_as_data_the_reviewed_golden():
    contracts = load_contracts(EVERY_KIND / "sources")
    assert {c.kind for c in contracts.values()} == {"api", "sftp", "s3_drop", "manual"}
    golden = yaml.load((EVERY_KIND / "golden_section.yaml").read_text(), Loader=CfnLoader)

    rendered = as_data(render_section(contracts))

    assert list(rendered) == list(golden["Resources"])  # same resources, same order
    for logical_id, resource in golden["Resources"].items():
        assert rendered[logical_id] == resource, logical_id
    assert rendered == golden["Resources"]


def test_the_dumped_section_reads_back_as_the_dicts_it_was_dumped_from():
    contracts = load_contracts(EVERY_KIND / "sources")
    dicts = section_resources(contracts)
    long_form = json.loads(json.dumps(dicts, default=_long_form))
    assert as_data(render_section(contracts)) == long_form


def _long_form(value: object) -> object:
    """What CloudFormation's long form of an intrinsic looks like, for a JSON round trip."""
    if isinstance(value, Ref):
        return {"Ref": value.name}
    if isinstance(value, Sub):
        return {"Fn::Sub": value.text}
    if isinstance(value, GetAtt):
        return {"Fn::GetAtt": [value.resource, value.attribute]}
    if isinstance(value, If):
        return {"Fn::If": [value.condition, value.when_true, value.when_false]}
    if isinstance(value, FindInMap):
        return {"Fn::FindInMap": [value.map_name, value.top_key, value.second_key]}
    raise TypeError(value)


def test_a_new_api_contract_yields_the_api_function_and_its_own_schedule_as_dicts():
    contract = parse_contract(WEATHER_API, "weather_api.yaml")

    resources = section_resources({"weather_api": contract})

    assert list(resources) == [
        "IngestApiLogGroup",
        "IngestApiFunction",
        "IngestApiErrorsAlarm",
        "IngestScheduleRole",
        "WeatherApiIngestSchedule",
    ]
    function = resources["IngestApiFunction"]
    props = function["Properties"]
    assert function["Type"] == "AWS::Serverless::Function"
    assert props["FunctionName"] == Sub("strata-${EnvironmentName}-ingest-api")
    assert props["CodeUri"] == "functions/ingest_api/"
    assert props["Timeout"] == 180
    # The schedule names the source: the shared function is bound to none.
    assert "Environment" not in props
    common, sources = props["Policies"]
    assert [s["Sid"] for s in common["Statement"]] == ["ReadProject", "ListProject", "LakeKey"]
    assert sids(sources) == [
        "WriteSourcesRawPrefixes",
        "ListSourcesRawPrefixes",
        "SourcesStateItems",
        "ReadSourcesSecrets",
    ]
    granted = {s["Sid"]: s for s in sources["Statement"]}
    assert granted["WriteSourcesRawPrefixes"]["Resource"] == [Sub("${RawBucket.Arn}/weather_api/*")]
    (secret,) = granted["ReadSourcesSecrets"]["Resource"]
    assert secret.text.endswith(":secret:strata/${EnvironmentName}/weather_key-??????")
    assert granted["SourcesStateItems"]["Condition"]["ForAllValues:StringEquals"] == {
        "dynamodb:LeadingKeys": ["ingest#weather_api", "landed#weather_api", "pending#weather_api"]
    }

    schedule = resources["WeatherApiIngestSchedule"]["Properties"]
    assert schedule["Name"] == Sub("strata-${EnvironmentName}-schedule-weather-api")
    assert schedule["ScheduleExpression"] == "cron(0 * * * ? *)"
    assert schedule["State"] == If("SchedulesOn", "ENABLED", "DISABLED")
    assert schedule["Target"]["Arn"] == GetAtt("IngestApiFunction", "Arn")
    assert schedule["Target"]["RoleArn"] == GetAtt("IngestScheduleRole", "Arn")
    assert json.loads(schedule["Target"]["Input"]) == {
        "source": "weather_api",
        "trigger": "schedule",
    }
    (role_policy,) = resources["IngestScheduleRole"]["Properties"]["Policies"]
    (invoke,) = role_policy["PolicyDocument"]["Statement"]
    assert invoke["Action"] == "lambda:InvokeFunction"
    assert invoke["Resource"] == [GetAtt("IngestApiFunction", "Arn")]


def test_a_new_drop_contract_yields_the_landing_function_and_a_rule_on_its_prefix():
    contract = parse_contract(DROP.format(name="acme_drops"), "acme_drops.yaml")

    resources = section_resources({"acme_drops": contract})

    assert list(resources) == [
        "LandLogGroup",
        "LandFunction",
        "LandRulesPermission",
        "LandEventInvokeConfig",
        "LandErrorsAlarm",
        "AcmeDropsLandRule",
    ]
    common, sources = resources["LandFunction"]["Properties"]["Policies"]
    assert sids(common) == ["SendFailedEvents", "ReadProject", "ListProject", "LakeKey"]
    assert sids(sources) == [
        "ReadSourcesLandingPrefixes",
        "ListSourcesLandingPrefixes",
        "WriteSourcesRawPrefixes",
        "SourcesStateItems",
    ]
    rule = resources["AcmeDropsLandRule"]["Properties"]
    assert rule["EventPattern"]["detail"]["object"]["key"] == [{"prefix": "partners/acme/"}]
    assert rule["Name"] == Sub("strata-${EnvironmentName}-drop-acme-drops")
    (target,) = rule["Targets"]
    assert target["Arn"] == GetAtt("LandFunction", "Arn")
    assert target["DeadLetterConfig"] == {"Arn": GetAtt("LandingFailuresQueue", "Arn")}
    permission = resources["LandRulesPermission"]["Properties"]
    assert permission["FunctionName"] == Ref("LandFunction")
    assert permission["SourceArn"].text.endswith(":rule/strata-${EnvironmentName}-drop-*")


def test_a_source_named_like_a_yaml_keyword_stays_a_string_in_the_template():
    # A name written bare would read back as YAML's null, not the source `null`.
    contract = parse_contract(DROP.format(name="'null'"), "null.yaml")

    data = as_data(render_section({"null": contract}))

    assert data["NullLandRule"]["Properties"]["Name"] == {
        "Fn::Sub": "strata-${EnvironmentName}-drop-null"
    }
    (_, sources) = data["LandFunction"]["Properties"]["Policies"]
    keys = sources["Statement"][-1]["Condition"]["ForAllValues:StringEquals"]
    assert keys["dynamodb:LeadingKeys"] == ["ingest#null", "landed#null", "pending#null"]


def test_no_sources_leave_a_comment_in_the_section_and_no_resources():
    assert render_section({}) == NO_SOURCES
    assert as_data(NO_SOURCES) == {}


def test_two_sources_whose_names_spell_the_same_logical_ids_are_refused():
    contracts = {
        name: parse_contract(DROP.format(name=name), f"{name}.yaml") for name in ("x1", "x_1")
    }

    with pytest.raises(ConfigError, match="'x1' and 'x_1' would both own X1LandRule"):
        section_resources(contracts)
