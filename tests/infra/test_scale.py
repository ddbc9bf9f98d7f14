"""A hundred sources deploy in one stack: the translated template of 100 generated contracts
stays under CloudFormation's limits (500 resources, 1 MB, 200 outputs and parameters) and every
policy under IAM's (6,144 characters a managed policy, 10,240 a role's inline ones, 10 managed
policies a role), counted with every generated name at its longest."""

from __future__ import annotations

from pathlib import Path

import pytest

from strata.contracts.loader import load_contracts
from strata.errors import ConfigError
from strata_dev.deploy import naming, policies, scale
from strata_dev.deploy.policy_size import MANAGED_POLICY_LIMIT, deployed_length


@pytest.fixture(scope="module")
def hundred(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    if not scale.SAM_PYTHON.is_file():
        pytest.skip("the SAM CLI is not installed: `make tools`")
    project = scale.write_project(tmp_path_factory.mktemp("scale") / "p", 100, name_length=32)
    return project, scale.translate(project / "template.yaml")


def test_a_hundred_sources_of_every_kind_translate_within_every_limit(hundred):
    project, translated = hundred
    contracts = load_contracts(project / "sources")
    assert len(contracts) == 100
    assert {c.kind for c in contracts.values()} == {"api", "sftp", "s3_drop", "manual"}

    measured = scale.measure(project / "template.yaml", translated, 100)

    assert measured.problems() == []
    assert measured.resources < 250  # one trigger per source, not a function each
    assert len(translated.get("Outputs", {})) <= scale.MAX_OUTPUTS
    assert len(translated["Parameters"]) <= scale.MAX_PARAMETERS
    assert len(translated["Mappings"]["Environments"]["prod"]) <= scale.MAX_MAPPINGS


def test_every_source_is_started_by_its_own_trigger_at_a_hundred(hundred):
    project, translated = hundred
    resources = translated["Resources"]
    for contract in load_contracts(project / "sources").values():
        trigger = resources[naming.names(contract).trigger]
        target = (
            trigger["Properties"]["Target"]
            if trigger["Type"] == "AWS::Scheduler::Schedule"
            else trigger["Properties"]["Targets"][0]
        )
        assert target["Arn"] == {"Fn::GetAtt": [naming.function_id(contract), "Arn"]}
    functions = [k for k, r in resources.items() if r["Type"] == "AWS::Lambda::Function"]
    assert {"IngestApiFunction", "IngestSftpFunction", "LandFunction"} <= set(functions)


def test_the_grants_are_packed_within_the_limits_however_long_the_names():
    """The worst case: a hundred sources of one kind, names of 40 characters (the most a
    contract allows), every generated ARN at its longest."""
    for kind in ("api", "sftp", "s3_drop"):
        texts = [scale.contract_text(n, kind, name_length=40) for n in range(100)]
        contracts = load_contracts_from(texts)
        function = naming.kind_function(contracts[0])
        inline, *managed = policies.packed_policies(function, contracts)
        assert deployed_length(inline) <= policies.inline_budget(function), kind
        assert 1 <= len(managed) <= policies.MAX_SOURCES_POLICIES, kind
        assert max(deployed_length(doc) for doc in managed) <= MANAGED_POLICY_LIMIT, kind
        # Every source is granted, once, in name order.
        raw = [
            resource.text
            for doc in (inline, *managed)
            for statement in doc["Statement"]
            if statement["Sid"] == "WriteSourcesRawPrefixes"
            for resource in statement["Resource"]
        ]
        assert raw == [f"${{RawBucket.Arn}}/{c.name}/*" for c in contracts], kind


def test_more_sources_than_a_role_can_hold_are_refused_naming_the_way_out():
    texts = [scale.contract_text(n, "api", name_length=40) for n in range(140)]
    contracts = load_contracts_from(texts)
    with pytest.raises(ConfigError, match="140 sources need more than 8 managed policies"):
        policies.packed_policies(naming.kind_function(contracts[0]), contracts)


def load_contracts_from(texts: list[tuple[str, str]]) -> list:
    from strata.contracts.loader import parse_contract

    return [parse_contract(text, f"{name}.yaml") for name, text in texts]
