"""The per-source section of ``template.yaml``: one ingestion function per source, each with
only the permissions its source needs.

- api/sftp sources: a function (``<Source>IngestFunction``) started by its own EventBridge
  Scheduler schedule, whose role may invoke only that function.
- s3_drop/manual sources: a function (``<Source>LandFunction``) started by an EventBridge rule
  matching "Object Created" events of the landing bucket under the source's ``s3_drop.prefix``.
  Events the rule cannot deliver, and events that still fail after the function's retries, go
  to the one shared ``LandingFailuresQueue`` (static part of the template).

``strata template`` (or ``python -m strata_dev.deploy.sources_template``) rewrites the lines
between the two markers from the contracts in ``sources/``; ``--check`` (and a test, so
``make test``) fails when they are stale. Adding a source is adding its contract and running
``strata template``.

Every function reserves the concurrency of its kind in the environment
(``Mappings.Environments``: ``IngestConcurrency``, ``LandConcurrency``), logs to a group
encrypted with the data key, and carries checkov skips with their reasons; the schedules run
only with ``SchedulesEnabled`` (the ``SchedulesOn`` condition).

Each function may read the published project, use the lake key, and read and write only its own
state items (``dynamodb:LeadingKeys``). An api/sftp function may write and list its own raw
prefix (``<source>/``) and read only its own secret; a drop function may read and list only its
landing prefix and write only its raw prefix.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from strata.contracts.ingestion import ApiSettings, NoAuth, SftpSettings
from strata.contracts.model import SourceContract
from strata.errors import ConfigError

# Function folder (``functions/<folder>/app.py``) per kind of scheduled source.
FUNCTION_FOLDERS = {"api": "ingest_api", "sftp": "ingest_sftp"}
# Drop sources (files put in the landing bucket) share one handler, one function each.
DROP_KINDS = ("s3_drop", "manual")
DROP_FOLDER = "land_s3_drop"
TEMPLATE = Path("template.yaml")
BEGIN = "  # >>> strata template: per-source ingestion (from sources/*.yaml; do not edit) >>>"
END = "  # <<< strata template <<<"
DEFAULT_SCHEDULE = "rate(1 hour)"
# The function outlives the run's time budget by this much (manifest, metrics), up to 15 min.
TIMEOUT_MARGIN_SECONDS = 60
LAMBDA_MAX_TIMEOUT = 900
DESCRIPTION_LIMIT = 256
# checkov's findings that do not apply to these functions, each with its reason (kept in the
# template as `checkov:skip` entries; `make checkov` runs the scanner).
NO_VPC = (
    "Reaches vendor APIs, SFTP servers and AWS APIs over the internet and no private resource; "
    "a VPC would only add NAT gateways."
)
ENV_HOLDS_NO_SECRETS = (
    "The environment holds resource names only; credentials are read from Secrets Manager "
    "at run time."
)
SCHEDULED_DLQ = (
    "Started by its schedule without retries: the next scheduled run is the retry, and its "
    "errors alarm reports the failure."
)
DROP_DLQ = (
    "Events that still fail after the retries go to LandingFailuresQueue through the on-failure "
    "destination (EventInvokeConfig), which checkov does not count as a DLQ."
)
# Secrets Manager names secrets `strata/<env>/<name>` and appends 6 random characters.
SECRET_ARN = (
    "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
    "strata/${EnvironmentName}/"
)


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def function_id(contract: SourceContract) -> str:
    """The source's function resource: ``orders_api`` (api) → ``OrdersApiIngestFunction``,
    ``orders`` (s3_drop) → ``OrdersLandFunction``."""
    role = "Land" if contract.kind in DROP_KINDS else "Ingest"
    return f"{camel(contract.name)}{role}Function"


def function_folder(contract: SourceContract) -> str:
    """The handler's folder under ``functions/``."""
    return DROP_FOLDER if contract.kind in DROP_KINDS else FUNCTION_FOLDERS[contract.kind]


def scheduled_sources(contracts: dict[str, SourceContract]) -> list[SourceContract]:
    """The sources Strata fetches itself on a schedule, in name order."""
    return [
        contracts[name] for name in sorted(contracts) if contracts[name].kind in FUNCTION_FOLDERS
    ]


def drop_sources(contracts: dict[str, SourceContract]) -> list[SourceContract]:
    """The sources whose files are put in the landing bucket, in name order."""
    return [contracts[name] for name in sorted(contracts) if contracts[name].kind in DROP_KINDS]


def per_source(contracts: dict[str, SourceContract]) -> list[SourceContract]:
    """Every source with a function of its own (all four kinds), in name order."""
    kinds = (*FUNCTION_FOLDERS, *DROP_KINDS)
    return [contracts[name] for name in sorted(contracts) if contracts[name].kind in kinds]


def secret_names(contract: SourceContract) -> list[str]:
    if isinstance(contract.api, ApiSettings) and not isinstance(contract.api.auth, NoAuth):
        return [contract.api.auth.secret]  # type: ignore[union-attr]
    if isinstance(contract.sftp, SftpSettings):
        return [contract.sftp.secret]
    return []


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def render_section(contracts: dict[str, SourceContract]) -> str:
    """The lines between the markers, for these contracts, in source name order."""
    blocks = [
        _drop_block(contract) if contract.kind in DROP_KINDS else _scheduled_block(contract)
        for contract in per_source(contracts)
    ]
    if not blocks:
        return "  # (no sources)\n"
    return "\n".join(blocks)


def _description(text: str) -> str:
    if len(text) > DESCRIPTION_LIMIT:
        text = text[: DESCRIPTION_LIMIT - 1] + "…"
    return _quoted(text)


def _scheduled_block(contract: SourceContract) -> str:
    ident = camel(contract.name)
    fn = function_id(contract)
    dashed = contract.name.replace("_", "-")
    settings = contract.api or contract.sftp
    assert settings is not None
    timeout = min(LAMBDA_MAX_TIMEOUT, settings.time_budget_seconds + TIMEOUT_MARGIN_SECONDS)
    description = f"Ingests {contract.name} ({contract.kind}) into raw: {contract.description}"
    sizing = (
        "      MemorySize: 1024\n      EphemeralStorage:\n        Size: 4096\n"
        if contract.kind == "sftp"
        else "      MemorySize: 512\n"
    )
    state_keys = ", ".join(
        _quoted(f"{kind}#{contract.name}") for kind in ("ingest", "landed", "pending")
    )
    secrets = "".join(
        "            - Sid: ReadOwnSecret\n"
        "              Effect: Allow\n"
        "              Action: secretsmanager:GetSecretValue\n"
        f"              Resource: !Sub {_quoted(SECRET_ARN + name + '-??????')}\n"
        for name in secret_names(contract)
    )
    schedule = contract.schedule or DEFAULT_SCHEDULE
    head = _function_head(
        f"{ident}IngestLogGroup",
        fn,
        f"ingest-{dashed}",
        description,
        "IngestConcurrency",
        SCHEDULED_DLQ,
    )
    return f"""\
{head}      CodeUri: functions/{FUNCTION_FOLDERS[contract.kind]}/
      Timeout: {timeout}
{sizing}      Layers:
        - !Ref StrataLayer
        - !Ref IngestLayer
      Environment:
        Variables:
          STRATA_SOURCE: {contract.name}
      # The next scheduled run is the retry: an immediate one would only meet the same outage.
      EventInvokeConfig:
        MaximumRetryAttempts: 0
      Policies:
        - Version: "2012-10-17"
          Statement:
            - Sid: WriteOwnRawPrefix
              Effect: Allow
              Action: [s3:PutObject, s3:GetObject, s3:AbortMultipartUpload]
              Resource: !Sub ${{RawBucket.Arn}}/{contract.name}/*
            - Sid: ListOwnRawPrefix
              Effect: Allow
              Action: s3:ListBucket
              Resource: !GetAtt RawBucket.Arn
              Condition:
                StringLike:
                  s3:prefix: [{contract.name}/*]
{_key_and_state_statements(state_keys)}{secrets}
  {ident}IngestScheduleRole:
    Type: AWS::IAM::Role
    Properties:
      Description: Lets EventBridge Scheduler start the {contract.name} ingestion
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: scheduler.amazonaws.com
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                aws:SourceAccount: !Ref AWS::AccountId
      Policies:
        - PolicyName: invoke-{dashed}-ingestion
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Sid: InvokeOwnFunction
                Effect: Allow
                Action: lambda:InvokeFunction
                Resource: !GetAtt {fn}.Arn

  {ident}IngestSchedule:
    Type: AWS::Scheduler::Schedule
    Properties:
      Name: !Sub strata-${{EnvironmentName}}-ingest-{dashed}
      Description: {_quoted(f"Ingests {contract.name} on its contract's schedule")}
      ScheduleExpression: {_quoted(schedule)}
      ScheduleExpressionTimezone: UTC
      FlexibleTimeWindow:
        Mode: "OFF"
      # Off unless SchedulesEnabled (dev and test do not poll the real systems by default).
      State: !If [SchedulesOn, ENABLED, DISABLED]
      Target:
        Arn: !GetAtt {fn}.Arn
        RoleArn: !GetAtt {ident}IngestScheduleRole.Arn
        Input: {_quoted(json.dumps({"source": contract.name, "trigger": "schedule"}))}
        RetryPolicy:
          MaximumEventAgeInSeconds: 3600
          MaximumRetryAttempts: 3

{
        _errors_alarm(
            f"{ident}IngestErrorsAlarm",
            f"ingest-{dashed}",
            fn,
            f"The {contract.name} ingestion function raised errors.",
        )
    }"""


def _drop_block(contract: SourceContract) -> str:
    ident = camel(contract.name)
    fn = function_id(contract)
    dashed = contract.name.replace("_", "-")
    assert contract.s3_drop is not None
    # The contract keeps IAM wildcards and URL-encoded characters out of it (LANDING_PREFIX).
    prefix = contract.s3_drop.prefix
    description = (
        f"Lands {contract.name} ({contract.kind}) files from landing/{prefix} into raw: "
        f"{contract.description}"
    )
    state_keys = ", ".join(_quoted(f"{kind}#{contract.name}") for kind in ("landed", "pending"))
    alarm = (
        f"The {contract.name} landing function raised errors (events that still fail after "
        "its retries wait in the landing failures queue)."
    )
    head = _function_head(
        f"{ident}LandLogGroup", fn, f"land-{dashed}", description, "LandConcurrency", DROP_DLQ
    )
    return f"""\
{head}      CodeUri: functions/{DROP_FOLDER}/
      Layers:
        - !Ref StrataLayer
      Environment:
        Variables:
          STRATA_SOURCE: {contract.name}
      EventInvokeConfig:
        MaximumRetryAttempts: 2
        MaximumEventAgeInSeconds: 21600
        DestinationConfig:
          OnFailure:
            Type: SQS
            Destination: !GetAtt LandingFailuresQueue.Arn
      Events:
        ObjectCreated:
          Type: EventBridgeRule
          Properties:
            # LandingFailuresQueuePolicy admits dead letters from rules named strata-<env>-land-*.
            RuleName: !Sub strata-${{EnvironmentName}}-land-{dashed}
            Pattern:
              source: [aws.s3]
              detail-type: [Object Created]
              detail:
                bucket:
                  name: [!Ref LandingBucket]
                object:
                  key: [{{prefix: {_quoted(prefix)}}}]
            RetryPolicy:
              MaximumEventAgeInSeconds: 86400
              MaximumRetryAttempts: 8
            DeadLetterConfig:
              Arn: !GetAtt LandingFailuresQueue.Arn
      Policies:
        - Version: "2012-10-17"
          Statement:
            - Sid: ReadOwnLandingPrefix
              Effect: Allow
              Action: [s3:GetObject, s3:GetObjectTagging]
              Resource: !Sub {_quoted("${LandingBucket.Arn}/" + prefix + "*")}
            - Sid: ListOwnLandingPrefix
              Effect: Allow
              Action: s3:ListBucket
              Resource: !GetAtt LandingBucket.Arn
              Condition:
                StringLike:
                  s3:prefix: [{_quoted(prefix + "*")}]
            - Sid: WriteOwnRawPrefix
              Effect: Allow
              Action: [s3:PutObject, s3:PutObjectTagging, s3:GetObject, s3:AbortMultipartUpload]
              Resource: !Sub ${{RawBucket.Arn}}/{contract.name}/*
{_key_and_state_statements(state_keys)}
{_errors_alarm(f"{ident}LandErrorsAlarm", f"land-{dashed}", fn, alarm)}"""


def _function_head(
    log_group: str, function: str, name: str, description: str, concurrency: str, dlq: str
) -> str:
    """A per-source function's log group (kept 14 or 90 days, encrypted with the data key) and
    the start of its resource: checkov's inapplicable findings with their reasons, the reserved
    concurrency of its kind in this environment (``Mappings.Environments``)."""
    return f"""\
  {log_group}:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: Delete
    UpdateReplacePolicy: Delete
    Properties:
      LogGroupName: !Sub /aws/lambda/${{{function}}}
      RetentionInDays: !If [IsProd, 90, 14]
      KmsKeyId: !GetAtt DataKey.Arn

  {function}:
    Type: AWS::Serverless::Function
    Metadata:
      checkov:
        skip:
          - id: CKV_AWS_116
            comment: {_quoted(dlq)}
          - id: CKV_AWS_117
            comment: {_quoted(NO_VPC)}
          - id: CKV_AWS_173
            comment: {_quoted(ENV_HOLDS_NO_SECRETS)}
    Properties:
      FunctionName: !Sub strata-${{EnvironmentName}}-{name}
      ReservedConcurrentExecutions: !FindInMap [Environments, !Ref EnvironmentName, {concurrency}]
      Description: {_description(description)}
"""


def _key_and_state_statements(state_keys: str) -> str:
    """The statements every per-source function has: the project (contracts) to read, the
    lake's key, its own state items."""
    return f"""\
            - Sid: ReadProject
              Effect: Allow
              Action: s3:GetObject
              Resource: !Sub ${{ArtifactsBucket.Arn}}/project/*
            - Sid: ListProject
              Effect: Allow
              Action: s3:ListBucket
              Resource: !GetAtt ArtifactsBucket.Arn
              Condition:
                StringLike:
                  s3:prefix: [project/*]
            - Sid: LakeKey
              Effect: Allow
              Action: [kms:Decrypt, kms:GenerateDataKey]
              Resource: !GetAtt DataKey.Arn
            - Sid: OwnStateItems
              Effect: Allow
              Action:
                - dynamodb:GetItem
                - dynamodb:PutItem
                - dynamodb:DeleteItem
                - dynamodb:Query
              Resource: !GetAtt StateTable.Arn
              Condition:
                ForAllValues:StringEquals:
                  dynamodb:LeadingKeys: [{state_keys}]
"""


def _errors_alarm(logical_id: str, name: str, function: str, description: str) -> str:
    return f"""\
  {logical_id}:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: !Sub strata-${{EnvironmentName}}-{name}-errors
      AlarmDescription: {_quoted(description)}
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions:
        - Name: FunctionName
          Value: !Ref {function}
      Statistic: Sum
      Period: 300
      EvaluationPeriods: 1
      Threshold: !FindInMap [Environments, !Ref EnvironmentName, FunctionErrorsThreshold]
      ComparisonOperator: GreaterThanOrEqualToThreshold
      TreatMissingData: notBreaching
      AlarmActions: [!Ref AlertTopic]
"""


# --------------------------------------------------------------------------- the file


def replace_section(template: str, section: str, file: str = str(TEMPLATE)) -> str:
    lines = template.splitlines(keepends=True)
    try:
        start = lines.index(BEGIN + "\n")
        end = lines.index(END + "\n", start)
    except ValueError:
        raise ConfigError(
            f"the markers are missing; add these two lines under Resources:\n{BEGIN}\n{END}",
            file=file,
        ) from None
    return "".join(lines[: start + 1]) + section + "".join(lines[end:])


def rendered_template(project_dir: Path) -> str:
    from strata.contracts.loader import load_contracts

    path = project_dir / TEMPLATE
    contracts = load_contracts(project_dir / "sources")
    return replace_section(path.read_text(encoding="utf-8"), render_section(contracts), str(path))


def is_current(project_dir: Path) -> bool:
    path = project_dir / TEMPLATE
    return path.read_text(encoding="utf-8") == rendered_template(project_dir)


def write(project_dir: Path) -> bool:
    """Rewrite the section; True when the file changed."""
    path = project_dir / TEMPLATE
    text = rendered_template(project_dir)
    if path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m strata_dev.deploy.sources_template",
        description="Regenerate the per-source section of template.yaml from sources/.",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when the section is stale")
    parser.add_argument("--root", type=Path, default=Path("."), help="project folder")
    args = parser.parse_args(argv)
    if args.check:
        if is_current(args.root):
            return 0
        print(
            f"{args.root / TEMPLATE}: the per-source section is stale: run `strata template` "
            "and commit the result",
            file=sys.stderr,
        )
        return 1
    changed = write(args.root)
    print(f"{'updated' if changed else 'unchanged'}: {args.root / TEMPLATE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
