"""The Report's payloads: what the Report state and the failure path (ReportFailure) send,
the distributed Map's written results they may point to, and the Report's answer."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BeforeValidator, Discriminator, Field, Tag

from strata.lake.payloads.base import AwsShape, Payload, TaskError
from strata.lake.payloads.convert import BatchOutcome, ConvertBatch
from strata.lake.payloads.discover import DiscoverOutput
from strata.lake.payloads.warehouse import BuildSummary, PlanOutput, WarehouseOutput


def _parsed(value: Any) -> Any:
    """AWS writes a child's Input and Output as JSON text; an object is taken as it is."""
    return json.loads(value) if isinstance(value, str) else value


class ResultWriterDetails(AwsShape):
    bucket: str = Field(alias="Bucket")
    key: str = Field(alias="Key")


class WrittenResults(AwsShape):
    """A distributed Map's output: where its ResultWriter put the children's results."""

    map_run_arn: str = Field(alias="MapRunArn")
    details: ResultWriterDetails = Field(alias="ResultWriterDetails")


class ResultFile(AwsShape):
    key: str = Field(alias="Key")


class ResultManifest(AwsShape):
    """The ResultWriter's ``manifest.json``: the result files by child status (``SUCCEEDED``,
    ``FAILED``, ``PENDING``)."""

    result_files: dict[str, list[ResultFile]] = Field(alias="ResultFiles")


class MapChild(AwsShape):
    """A child execution in a result file. A succeeded child's output is its batch's outcome;
    a failed one has its error instead (and, in AWS, its input; moto keeps none)."""

    status: str = Field(alias="Status")
    input: Annotated[ConvertBatch | None, BeforeValidator(_parsed)] = Field(
        default=None, alias="Input"
    )
    output: Annotated[BatchOutcome | None, BeforeValidator(_parsed)] = Field(
        default=None, alias="Output"
    )
    error: str | None = Field(default=None, alias="Error")
    cause: str | None = Field(default=None, alias="Cause")


# An inline Map's results (one per batch) are in the state; a distributed Map's are where it
# wrote them.
Conversions = list[BatchOutcome] | WrittenResults


class CrawlerStatus(Payload):
    state: str


class CrawlPolls(Payload):
    """``$.crawl``: the crawler's polls so far and its last state."""

    polls: int
    status: CrawlerStatus | None = None


class ReportInput(Payload):
    """The Report state's Payload, at the end of a run that reached it."""

    run_id: str
    execution_name: str
    conversions: Conversions
    warehouse: WarehouseOutput

    @property
    def discovery(self) -> DiscoverOutput | None:
        return None

    @property
    def summary(self) -> BuildSummary:
        return self.warehouse.summary

    @property
    def error(self) -> TaskError | None:
        return None


class PipelineState(Payload):
    """The execution's state where a Catch sent it to ReportFailure: the execution's input
    with each step's result so far, and ``error``. The input's own keys are ignored here, not
    refused: a failure report must be written even for an input Discover refused."""

    model_config = AwsShape.model_config

    discovery: DiscoverOutput | None = None
    conversions: Conversions | None = None
    crawl: CrawlPolls | None = None
    crawl_error: TaskError | None = None
    plan: PlanOutput | None = None
    warehouse: WarehouseOutput | None = None
    error: TaskError


class FailureReportInput(Payload):
    """ReportFailure's Payload: the whole state (``input``) of a run that stopped."""

    execution_name: str
    state: PipelineState = Field(alias="input")

    @property
    def run_id(self) -> str:
        return self.state.discovery.run_id if self.state.discovery else self.execution_name

    @property
    def discovery(self) -> DiscoverOutput | None:
        return self.state.discovery

    @property
    def conversions(self) -> Conversions:
        return self.state.conversions or []

    @property
    def summary(self) -> BuildSummary | None:
        return self.state.warehouse.summary if self.state.warehouse else None

    @property
    def error(self) -> TaskError:
        return self.state.error


def _report_path(value: Any) -> str:
    # The failure path sends the whole state under ``input``; the Report state never does.
    return "failure" if isinstance(value, dict) and "input" in value else "end"


ReportEvent = Annotated[
    Annotated[ReportInput, Tag("end")] | Annotated[FailureReportInput, Tag("failure")],
    Discriminator(_report_path),
]


class ReportOutput(Payload):
    """The run's verdict, which the Succeeded? choice reads, and where its report is."""

    status: str
    passed: bool
    report_key: str
