"""Runs ``statemachines/pipeline.asl.json`` locally in moto's Step Functions interpreter.

The definition is the file that deploys, with the same substitutions filled in: function ARNs
point at in-process handlers; the Data API connection comes from the planner, and the
served Data API (DuckDB) accepts every connection mode.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strata.errors import PipelineError
from strata.runtime import Context
from strata_dev.local import distributed_map, moto_patches
from strata_dev.local.functions import (
    CONVERSIONS,
    CONVERT_FUNCTION,
    PIPELINE_FUNCTIONS,
    counted,
    load_handler,
)

REGION = "us-east-1"
DEFINITION = Path("statemachines") / "pipeline.asl.json"
# The template's parameter defaults (a test keeps them equal); `strata run --inline-map-limit`
# overrides InlineMapLimit, e.g. to try the distributed Map on a few files.
LOCAL_SUBSTITUTIONS = {
    "ConvertConcurrency": "4",
    "InlineMapLimit": "500",
    "CrawlerName": "strata-local-cleansed",
}

Event = dict[str, Any]


@dataclass
class Execution:
    arn: str
    status: str
    output: dict[str, Any] | None
    error: str | None
    cause: str | None


def definition_text(project_dir: Path, substitutions: dict[str, str]) -> str:
    text = (project_dir / DEFINITION).read_text(encoding="utf-8")
    for name, value in substitutions.items():
        text = text.replace("${" + name + "}", value)
    if "${" in text:
        start = text.index("${")
        raise PipelineError(
            f"{DEFINITION}: no local value for {text[start : text.index('}', start) + 1]}"
        )
    return text


class LocalStepFunctions:
    """A moto-backed Step Functions with the pipeline created and its handlers registered."""

    def __init__(
        self, ctx: Context, project_dir: Path, overrides: dict[str, str] | None = None
    ) -> None:
        self.ctx = ctx
        self.project_dir = project_dir
        self.overrides = dict(overrides or {})
        self._sfn: Any = None
        self.state_machine_arn = ""
        self.substitutions: dict[str, str] = {}

    def setup(self) -> None:
        import boto3

        moto_patches.install()
        moto_patches.serve_warehouse(self.ctx.ports.warehouse)
        # The distributed Map reads Discover's item list and writes its results here.
        distributed_map.serve_bucket(self.ctx.ports.artifacts)
        role = boto3.client("iam", region_name=REGION).create_role(
            RoleName="strata-local", AssumeRolePolicyDocument="{}"
        )["Role"]["Arn"]
        lambda_client = boto3.client("lambda", region_name=REGION)
        substitutions = dict(LOCAL_SUBSTITUTIONS)
        for resource, folder in PIPELINE_FUNCTIONS.items():
            handler = load_handler(self.project_dir, folder)
            if resource == CONVERT_FUNCTION:
                handler = counted(handler, CONVERSIONS)
            moto_patches.register_handler(resource, handler)
            arn = lambda_client.create_function(
                FunctionName=resource,
                Role=role,
                Runtime="python3.12",
                Handler="app.lambda_handler",
                Code={"ZipFile": _stub_zip()},
            )["FunctionArn"]
            substitutions[f"{resource}Arn"] = arn
        substitutions.update(_local_services(role))
        substitutions.update(self.overrides)
        self.substitutions = substitutions
        self._sfn = boto3.client("stepfunctions", region_name=REGION)
        self.state_machine_arn = self._sfn.create_state_machine(
            name="strata-pipeline",
            definition=definition_text(self.project_dir, substitutions),
            roleArn=role,
        )["stateMachineArn"]

    def invoke(self, resource: str, event: Event) -> Any:
        payload, errored = moto_patches.invoke_handler(resource, event)
        if errored:
            raise PipelineError(f"{resource}: {payload['errorType']}: {payload['errorMessage']}")
        return payload

    def start(self, name: str, execution_input: Event) -> str:
        return self._sfn.start_execution(
            stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(execution_input)
        )["executionArn"]

    def wait(
        self, arn: str, on_event: Callable[[Event], None] | None = None, poll: float = 0.05
    ) -> Execution:
        seen = 0
        while True:
            description = self._sfn.describe_execution(executionArn=arn)
            if on_event is not None:
                events = self._history(arn, seen)
                for event in events:
                    on_event(event)
                seen += len(events)
            if description["status"] != "RUNNING":
                output = description.get("output")
                return Execution(
                    arn=arn,
                    status=description["status"],
                    output=json.loads(output) if output else None,
                    error=description.get("error"),
                    cause=description.get("cause"),
                )
            time.sleep(poll)

    def _history(self, arn: str, seen: int = 0) -> list[Event]:
        """The execution's events after the first ``seen``, read from moto's backend in this
        process: the API (and the backend's own getter) copies the whole history on every
        poll, which costs seconds once BuildModels has run a few hundred statements."""
        import copy

        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.stepfunctions.parser.models import stepfunctions_parser_backends

        backend = stepfunctions_parser_backends[DEFAULT_ACCOUNT_ID][REGION]
        env = backend.describe_execution(execution_arn=arn).exec_worker.env
        if env is None:  # the execution has not started yet
            return []
        events = env.event_manager
        with events._mutex:
            return copy.deepcopy(events._history_event_list[seen:])


@contextmanager
def local_step_functions(
    ctx: Context, project_dir: Path, overrides: dict[str, str] | None = None
) -> Iterator[LocalStepFunctions]:
    """The pipeline in moto; ``overrides`` replace local substitution values (template
    parameters such as ``InlineMapLimit``)."""
    import logging

    from moto import mock_aws

    # moto logs every failed task with its whole parse tree; the run report says it better.
    logging.getLogger("moto").setLevel(logging.CRITICAL)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        try:
            machine = LocalStepFunctions(ctx, project_dir, overrides)
            machine.setup()
            yield machine
        finally:
            moto_patches.uninstall()


def _local_services(role: str) -> dict[str, str]:
    """The services the definition calls directly, created in moto: the crawler (the local
    catalog is already current, so it only has to finish) and the alert topic."""
    import boto3
    from moto.moto_api import state_manager

    state_manager.set_transition("glue::crawl", {"progression": "immediate"})
    glue = boto3.client("glue", region_name=REGION)
    glue.create_database(DatabaseInput={"Name": "strata_local"})
    glue.create_crawler(
        Name=LOCAL_SUBSTITUTIONS["CrawlerName"],
        Role=role,
        DatabaseName="strata_local",
        Targets={"S3Targets": [{"Path": "s3://cleansed/"}]},
    )
    topic = boto3.client("sns", region_name=REGION).create_topic(Name="strata-alerts")
    return {"AlertTopicArn": topic["TopicArn"]}


def _stub_zip() -> bytes:
    # moto wants a deployment package; the code that runs is the in-process handler.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def lambda_handler(event, context):\n    return {}\n")
    return buffer.getvalue()
