"""The site's resources: a private bucket the site function alone writes, the Site state after
Report, and the optional CloudFront distribution, which must never serve the bucket to a
viewer without CloudFront's signed cookies (issued only after a Cognito sign-in)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cfn_conditions import evaluate

from strata_dev.deploy.template import load_template

REPO = Path(__file__).resolve().parents[2]
DEFINITION = REPO / "statemachines" / "pipeline.asl.json"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(REPO / "template.yaml")


def conditions_for(template: dict[str, Any], **parameters: str) -> dict[str, bool]:
    values = {name: p.get("Default", "") for name, p in template["Parameters"].items()}
    values.update(parameters)
    known: dict[str, bool] = {}

    def condition(name: str) -> bool:
        if name not in known:
            known[name] = bool(evaluate(template["Conditions"][name], values.get, condition))
        return known[name]

    return {name: condition(name) for name in template["Conditions"]}


def present(template: dict[str, Any], **parameters: str) -> dict[str, dict[str, Any]]:
    """The resources CloudFormation would create with these parameter values."""
    conditions = conditions_for(template, **parameters)
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if conditions.get(resource.get("Condition", ""), True)
    }


def chosen(value: Any, conditions: dict[str, bool]) -> Any:
    """A value with every Fn::If resolved (AWS::NoValue dropped from lists)."""
    if isinstance(value, dict):
        if set(value) == {"Fn::If"}:
            name, yes, no = value["Fn::If"]
            return chosen(yes if conditions[name] else no, conditions)
        return {key: chosen(item, conditions) for key, item in value.items()}
    if isinstance(value, list):
        items = [chosen(item, conditions) for item in value]
        return [item for item in items if item != {"Ref": "AWS::NoValue"}]
    return value


def test_the_distribution_is_off_by_default(template):
    assert template["Parameters"]["SiteCdn"]["Default"] == "off"
    default = present(template)
    kinds = {resource["Type"] for resource in default.values()}
    assert "AWS::CloudFront::Distribution" not in kinds
    assert "AWS::Cognito::UserPool" not in kinds
    assert "SiteBucket" in default and "SiteFunction" in default


def test_the_site_bucket_is_private_and_only_the_distribution_may_read_it(template):
    for cdn in ("off", "on"):
        conditions = conditions_for(template, SiteCdn=cdn)
        policy = chosen(template["Resources"]["SiteBucketPolicy"]["Properties"], conditions)
        allows = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
        if cdn == "off":
            assert allows == []  # IAM principals of the account only, by their own policies
            continue
        (allow,) = allows
        assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert allow["Action"] == "s3:GetObject"
        source = allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
        assert source.endswith(":distribution/${SiteDistribution}")


def test_every_behaviour_serving_the_bucket_requires_the_signed_cookies(template):
    resources = present(template, SiteCdn="on")
    config = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    bucket_origins = {
        origin_id
        for origin_id, origin in origins.items()
        if "SiteBucket" in json.dumps(origin["DomainName"])
    }
    assert bucket_origins, "the distribution has no origin on the site bucket"
    for origin_id in bucket_origins:
        assert origins[origin_id]["OriginAccessControlId"] == {
            "Fn::GetAtt": ["SiteOriginAccessControl", "Id"]
        }
        assert origins[origin_id]["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    behaviours = [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", [])]
    for behaviour in behaviours:
        if behaviour["TargetOriginId"] in bucket_origins:
            assert behaviour.get("TrustedKeyGroups") == [{"Ref": "SiteCdnKeyGroup"}], behaviour
            assert behaviour["ViewerProtocolPolicy"] in ("https-only", "redirect-to-https")
        else:  # only the sign-in function is reachable without the cookies
            assert behaviour["PathPattern"] == "/_auth/*"
            assert origins[behaviour["TargetOriginId"]]["DomainName"] != origins.get("site-bucket")
    signin = [b for b in behaviours if b["TargetOriginId"] not in bucket_origins]
    assert len(signin) == 1 and "SiteSignInFunctionUrl" in json.dumps(
        origins[signin[0]["TargetOriginId"]]["DomainName"]
    )


def test_sign_in_is_by_invitation_and_its_key_never_reaches_the_site(template):
    resources = present(template, SiteCdn="on")
    pool = resources["SiteUserPool"]["Properties"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    client = resources["SiteUserPoolClient"]["Properties"]
    assert client["AllowedOAuthFlows"] == ["code"] and client["GenerateSecret"] is True
    signin = resources["SiteSignInFunction"]["Properties"]
    assert signin["FunctionUrlConfig"]["AuthType"] == "AWS_IAM"
    permission = resources["SiteSignInUrlPermission"]["Properties"]
    assert permission["Principal"] == "cloudfront.amazonaws.com"
    # The private key is read from Secrets Manager at sign-in; the site function cannot.
    site_policy = json.dumps(template["Resources"]["SiteFunction"]["Properties"]["Policies"])
    assert "secretsmanager" not in site_policy and "SiteCdnPrivateKey" not in site_policy
    rules = template["Rules"]["SiteCdnHasItsKeys"]
    assert evaluate(rules["RuleCondition"], {"SiteCdn": "on"}.get)


def test_the_site_function_reads_the_warehouse_as_bi_reader_only(template):
    site = template["Resources"]["SiteFunction"]["Properties"]
    assert site["Tags"] == {"RedshiftDbRoles": "bi_reader"}
    env = site["Environment"]["Variables"]
    assert env["STRATA_REDSHIFT_SECRET_ARN"] == ""
    assert env["STRATA_REDSHIFT_DB_USER"] == {"Fn::If": ["OnCluster", "bi_reader", ""]}
    assert env["STRATA_SITE_BUCKET"] == {"Ref": "SiteBucket"}
    text = json.dumps(site["Policies"])
    assert "BatchExecuteStatement" not in text
    assert "dbuser:${RedshiftClusterIdentifier}/bi_reader" in text
    layers = [layer["Ref"] for layer in site["Layers"]]
    assert layers == ["StrataLayer", "EngineLayer", "SiteLayer"]
    assert site["Timeout"] == 900


def test_the_site_state_follows_the_report_and_the_alert_and_never_decides_the_verdict():
    states = json.loads(DEFINITION.read_text())["States"]
    assert states["Succeeded?"]["Choices"][0]["Next"] == "Site"
    assert states["NotifyFailure"]["Next"] == "Site"
    assert states["NotifyFailure"]["Catch"][0]["Next"] == "Site"
    site = states["Site"]
    assert site["Parameters"]["FunctionName"] == "${SiteFunctionArn}"
    assert site["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.site_error", "Next": "SiteNotBuilt"}
    ]
    assert site["Next"] == states["SiteNotBuilt"]["Next"] == "Verdict"
    verdict = states["Verdict"]
    assert verdict["Choices"] == [
        {"Variable": "$.report.passed", "BooleanEquals": True, "Next": "Done"}
    ]
    assert verdict["Default"] == "RunFailed"
    # Every report the Site state may follow says whether the run passed.
    assert states["Report"]["ResultSelector"]["passed.$"] == "$.Payload.passed"
    assert states["ReportFailure"]["ResultSelector"]["passed"] is False
    assert states["ReportNotWritten"]["Parameters"]["passed"] is False


def test_the_site_layer_bundles_the_pinned_plotly_and_no_plotly_package():
    layer = REPO / "layers" / "site"
    locked = {
        name: version
        for name, _, version in (
            line.split("#")[0].strip().partition("==")
            for line in (REPO / "requirements" / "constraints.txt").read_text().splitlines()
        )
    }
    bundle = (layer / "plotly-bundle.txt").read_text()
    (pin,) = re.findall(r"^plotly==(\S+)$", bundle, re.MULTILINE)
    assert pin == locked["plotly"]
    requirements = (layer / "requirements.txt").read_text()
    assert not re.search(r"^plotly", requirements, re.MULTILINE)
    assert "plotly/package_data/plotly.min.js" in (layer / "Makefile").read_text()
    assert (layer / "strata_site_assets" / "cytoscape.min.js").is_file()
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "layers/site" in pyproject["tool"]["setuptools"]["packages"]["find"]["where"]
