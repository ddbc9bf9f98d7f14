"""The per-source resources are built as dicts and dumped as YAML: the same data the f-string
renderer wrote (a golden it produced for contracts of every kind), and, for a new contract, its
function, its role's statements and its schedule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from strata.contracts.loader import load_contracts, parse_contract
from strata.errors import ConfigError
from strata_dev.deploy.cfn import FindInMap, GetAtt, If, Ref, Sub
from strata_dev.deploy.source_resources import resources_for
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


def sids(function: dict) -> list[str]:
    (policy,) = function["Properties"]["Policies"]
    assert policy["Version"] == "2012-10-17"
    return [statement["Sid"] for statement in policy["Statement"]]


def test_the_section_equals_as_data_the_golden_the_f_string_renderer_wrote():
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


def test_a_new_api_contract_yields_its_function_role_statements_and_schedule_as_dicts():
    contract = parse_contract(WEATHER_API, "weather_api.yaml")

    resources = resources_for(contract)

    assert list(resources) == [
        "WeatherApiIngestLogGroup",
        "WeatherApiIngestFunction",
        "WeatherApiIngestScheduleRole",
        "WeatherApiIngestSchedule",
        "WeatherApiIngestErrorsAlarm",
    ]
    function = resources["WeatherApiIngestFunction"]
    props = function["Properties"]
    assert function["Type"] == "AWS::Serverless::Function"
    assert props["FunctionName"] == Sub("strata-${EnvironmentName}-ingest-weather-api")
    assert props["CodeUri"] == "functions/ingest_api/"
    assert props["Timeout"] == 180
    assert props["Environment"] == {"Variables": {"STRATA_SOURCE": "weather_api"}}
    assert sids(function) == [
        "WriteOwnRawPrefix",
        "ListOwnRawPrefix",
        "ReadProject",
        "ListProject",
        "LakeKey",
        "OwnStateItems",
        "ReadOwnSecret",
    ]
    (policy,) = props["Policies"]
    granted = {s["Sid"]: s for s in policy["Statement"]}
    assert granted["WriteOwnRawPrefix"]["Resource"] == Sub("${RawBucket.Arn}/weather_api/*")
    assert granted["ReadOwnSecret"]["Resource"].text.endswith(
        ":secret:strata/${EnvironmentName}/weather_key-??????"
    )
    assert granted["OwnStateItems"]["Condition"]["ForAllValues:StringEquals"] == {
        "dynamodb:LeadingKeys": ["ingest#weather_api", "landed#weather_api", "pending#weather_api"]
    }

    schedule = resources["WeatherApiIngestSchedule"]["Properties"]
    assert schedule["ScheduleExpression"] == "cron(0 * * * ? *)"
    assert schedule["State"] == If("SchedulesOn", "ENABLED", "DISABLED")
    assert schedule["Target"]["Arn"] == GetAtt("WeatherApiIngestFunction", "Arn")
    assert schedule["Target"]["RoleArn"] == GetAtt("WeatherApiIngestScheduleRole", "Arn")
    assert json.loads(schedule["Target"]["Input"]) == {
        "source": "weather_api",
        "trigger": "schedule",
    }
    (role_policy,) = resources["WeatherApiIngestScheduleRole"]["Properties"]["Policies"]
    (invoke,) = role_policy["PolicyDocument"]["Statement"]
    assert invoke["Action"] == "lambda:InvokeFunction"
    assert invoke["Resource"] == GetAtt("WeatherApiIngestFunction", "Arn")


def test_a_new_drop_contract_yields_a_landing_function_on_its_prefix_and_no_schedule():
    contract = parse_contract(DROP.format(name="acme_drops"), "acme_drops.yaml")

    resources = resources_for(contract)

    assert list(resources) == [
        "AcmeDropsLandLogGroup",
        "AcmeDropsLandFunction",
        "AcmeDropsLandErrorsAlarm",
    ]
    function = resources["AcmeDropsLandFunction"]
    assert sids(function)[:3] == [
        "ReadOwnLandingPrefix",
        "ListOwnLandingPrefix",
        "WriteOwnRawPrefix",
    ]
    rule = function["Properties"]["Events"]["ObjectCreated"]["Properties"]
    assert rule["Pattern"]["detail"]["object"]["key"] == [{"prefix": "partners/acme/"}]
    assert rule["RuleName"] == Sub("strata-${EnvironmentName}-land-acme-drops")


def test_a_source_named_like_a_yaml_keyword_stays_a_string_in_the_template():
    # The f-string renderer wrote the name bare: a source named `null` got STRATA_SOURCE: null.
    contract = parse_contract(DROP.format(name="'null'"), "null.yaml")

    data = as_data(render_section({"null": contract}))

    props = data["NullLandFunction"]["Properties"]
    assert props["Environment"]["Variables"]["STRATA_SOURCE"] == "null"


def test_no_sources_leave_a_comment_in_the_section_and_no_resources():
    assert render_section({}) == NO_SOURCES
    assert as_data(NO_SOURCES) == {}


def test_two_sources_whose_names_spell_the_same_logical_ids_are_refused():
    contracts = {
        name: parse_contract(DROP.format(name=name), f"{name}.yaml") for name in ("x1", "x_1")
    }

    with pytest.raises(ConfigError, match="'x1' and 'x_1' would both own X1LandLogGroup"):
        section_resources(contracts)
