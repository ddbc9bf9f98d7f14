"""The warehouse build's payloads: what PlanModels and NextWave receive, the wave of
statements the BuildModels Map runs, each statement's outcome, and the build's summary."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator,
    Field,
    JsonValue,
    SerializerFunctionWrapHandler,
    Tag,
    model_serializer,
)

from strata.lake.payloads.base import Payload
from strata.lake.payloads.discover import RunInput

NodeKind = Literal["operation", "model", "test", "freshness"]
ConnectionMode = Literal["serverless-iam", "serverless-secret", "cluster-iam", "cluster-secret"]


class Connection(Payload):
    """The Data API connection: the mode picks the state's variant, which reads only the
    fields of that mode (a workgroup or a cluster; a secret or, on a cluster, a user)."""

    mode: ConnectionMode
    database: str
    workgroup: str | None = None
    cluster: str | None = None
    secret_arn: str | None = None
    db_user: str | None = None

    @model_serializer(mode="wrap")
    def _given_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # The fields of the other modes stay out of the state rather than travel as nulls.
        return {key: value for key, value in handler(self).items() if value is not None}


class PollCount(Payload):
    count: int = 0


class WaveItem(Payload):
    """One statement (or batch) of a wave, as the item processor reads it."""

    id: str
    name: str
    kind: NodeKind
    sqls: list[str]
    single: bool
    client_token: str
    fetch: bool
    fetch_suffix: str
    poll_seconds: int
    max_polls: int
    poll: PollCount = Field(default_factory=PollCount)
    connection: Connection


class StatementResult(Payload):
    """A GetStatementResult page: its column metadata and records, in the casing of whoever
    fetched it (the SDK integration's ``Name``/``LongValue``, the Data API's ``name``)."""

    columns: list[dict[str, JsonValue]] = Field(default_factory=list)
    records: list[list[dict[str, JsonValue]]] = Field(default_factory=list)


class StatementOutcome(Payload):
    """What the item processor's last Pass state returns for an item (or the local executor
    for the same item)."""

    id: str
    kind: NodeKind
    status: Literal["FINISHED", "FAILED", "ABORTED"]
    started_at: str
    finished_at: str
    statement_id: str | None = None
    error: str | None = None
    result: StatementResult | None = None


class _Node(Payload):
    id: str
    name: str
    status: str
    message: str | None = None


class OperationNode(_Node):
    kind: Literal["operation"]


class ModelNode(_Node):
    kind: Literal["model"]
    rows: int | None = None


class CheckNode(_Node):
    """A test or a freshness check, with its failing rows' count and sample."""

    kind: Literal["test", "freshness"]
    test: str
    severity: str
    failures: int | None = None
    sample: list[dict[str, JsonValue]] = Field(default_factory=list)


NodeSummary = Annotated[OperationNode | ModelNode | CheckNode, Field(discriminator="kind")]


class BuildSummary(Payload):
    """What the Report learns of the build: every node's outcome, compact; ``message`` says why
    a deferred build did not run."""

    status: Literal["success", "error", "deferred"]
    nodes: list[NodeSummary] = Field(default_factory=list)
    run_results_key: str | None = None
    message: str | None = None


class PlanInput(Payload):
    """PlanModels' Payload: the run, its execution (for the build lock's owner) and the
    execution's input (its ``models``)."""

    run_id: str
    execution_arn: str | None = None
    run_input: RunInput = Field(default_factory=RunInput, alias="input")


class NextWaveInput(Payload):
    """NextWave's Payload: the outcomes of the wave just run."""

    action: Literal["next"]
    run_id: str
    results: list[StatementOutcome]


def _plan_step(value: Any) -> str:
    # NextWave says ``"action": "next"``; PlanModels sends no action.
    return "next" if isinstance(value, dict) and "action" in value else "plan"


PlanEvent = Annotated[
    Annotated[PlanInput, Tag("plan")] | Annotated[NextWaveInput, Tag("next")],
    Discriminator(_plan_step),
]


class PlanOutput(Payload):
    """PlanModels' and NextWave's result, ``$.plan``: the next wave, or the end and its
    summary."""

    done: bool
    wave: list[WaveItem]
    concurrency: int
    summary: BuildSummary | None = None


class WarehouseOutput(Payload):
    """BuildModels' result, ``$.warehouse``."""

    summary: BuildSummary
