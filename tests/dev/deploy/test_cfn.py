"""The YAML writer for CloudFormation: intrinsics in short form that the CFN-aware loader reads
back as long form, strings that stay strings, and no YAML anchors."""

from __future__ import annotations

import yaml

from strata_dev.deploy.cfn import FindInMap, GetAtt, If, Ref, Sub, dump_resources
from strata_dev.deploy.template import CfnLoader


def read_back(text: str) -> dict:
    return yaml.load("Resources:\n" + text, Loader=CfnLoader)["Resources"]


def test_intrinsics_are_written_short_and_read_back_long():
    resources = {
        "Thing": {
            "Type": "AWS::Some::Thing",
            "Properties": {
                "Ref": Ref("Bucket"),
                "Sub": Sub("${Bucket.Arn}/a/*"),
                "GetAtt": GetAtt("Queue", "Arn"),
                "If": If("IsProd", 90, 14),
                "Map": FindInMap("Environments", Ref("EnvironmentName"), "Size"),
            },
        }
    }

    text = dump_resources(resources)

    assert "      Ref: !Ref Bucket\n" in text
    assert "      Sub: !Sub ${Bucket.Arn}/a/*\n" in text
    assert "      GetAtt: !GetAtt Queue.Arn\n" in text
    assert "      If: !If [IsProd, 90, 14]\n" in text
    assert "      Map: !FindInMap [Environments, !Ref EnvironmentName, Size]\n" in text
    assert read_back(text)["Thing"]["Properties"] == {
        "Ref": {"Ref": "Bucket"},
        "Sub": {"Fn::Sub": "${Bucket.Arn}/a/*"},
        "GetAtt": {"Fn::GetAtt": ["Queue", "Arn"]},
        "If": {"Fn::If": ["IsProd", 90, 14]},
        "Map": {"Fn::FindInMap": ["Environments", {"Ref": "EnvironmentName"}, "Size"]},
    }


def test_text_that_cannot_be_plain_is_quoted_and_reads_back_unchanged():
    tricky = [
        "a: b # not a comment",
        "2012-10-17",
        "OFF",
        "null",
        "123",
        "'quoted'",
        '{"json": true}',
        "naïve …",
        "",
    ]
    properties = {f"P{i}": value for i, value in enumerate(tricky)}
    properties["Subs"] = [Sub(value) for value in tricky if value]
    properties["Names"] = ["s3:GetObject", "orders/*", "ingest#orders"]

    back = read_back(dump_resources({"R": {"Properties": properties}}))["R"]["Properties"]

    assert [back[f"P{i}"] for i in range(len(tricky))] == tricky
    assert back["Subs"] == [{"Fn::Sub": value} for value in tricky if value]
    assert back["Names"] == ["s3:GetObject", "orders/*", "ingest#orders"]


def test_a_value_used_twice_is_written_twice_without_anchors():
    queue = GetAtt("Queue", "Arn")
    shared = {"Arn": queue}
    text = dump_resources({"A": {"Properties": {"X": shared, "Y": shared, "Z": queue}}})

    assert "&" not in text and "*id" not in text
    back = read_back(text)["A"]["Properties"]
    assert back["X"] == back["Y"] == {"Arn": {"Fn::GetAtt": ["Queue", "Arn"]}}


def test_resources_keep_their_order_and_are_separated_by_a_blank_line():
    text = dump_resources({"B": {"Type": "T"}, "A": {"Type": "T"}})

    assert text == "  B:\n    Type: T\n\n  A:\n    Type: T\n"
