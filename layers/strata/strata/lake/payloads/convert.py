"""Convert's payloads: the Map's item (a batch of raw objects), the Lambda's result per
object (also the conversion's manifest in ``runs/<run>/conversions/``), and each file's outcome
as the Map collects it, a failure included."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from strata.lake.payloads.base import Payload
from strata.lake.payloads.discover import DiscoveredItem


class ConvertItem(Payload):
    """One raw object of the run, as a batch's conversion takes it."""

    run_id: str
    source: str
    raw_key: str


class MemberCounts(Payload):
    """The accounting of one file of a zip archive (or of the raw file itself)."""

    entry: str | None
    rows_in: int = 0
    rows_out: int = 0
    rows_quarantined: int = 0
    encoding: str | None = None


class ConversionResult(Payload):
    """A converted (or wholly quarantined) raw object, in full."""

    source: str
    raw_key: str
    status: Literal["converted", "quarantined"]
    rows_in: int
    rows_out: int
    rows_quarantined: int
    # Quarantined before its rows could be read: the counts are of none.
    rows_unknown: bool = False
    partitions: dict[str, int] = Field(default_factory=dict)
    outputs: list[str] = Field(default_factory=list)
    quarantine: list[str] = Field(default_factory=list)
    reason: str | None = None
    drift: list[str] = Field(default_factory=list)
    bytes: int = 0
    members: list[MemberCounts] = Field(default_factory=list)
    new_columns: list[str] = Field(default_factory=list)  # added to the catalog (evolve)


class ConvertedFile(Payload):
    """A file's outcome as the state carries it: Convert's ResultSelector keeps these fields."""

    source: str
    raw_key: str
    status: Literal["converted", "quarantined"]
    rows_in: int
    rows_out: int
    rows_quarantined: int


class FailedFile(Payload):
    """A file whose conversion failed: as the Map's Catch leaves it (the error's name only),
    then with the cause the Report finds in the failure record (``failure_key``), or the
    distributed Map reported."""

    source: str
    raw_key: str
    status: Literal["failed"]
    error: str
    cause: str | None = None
    failure_key: str | None = None


FileOutcome = Annotated[ConvertedFile | FailedFile, Field(discriminator="status")]


class ConvertBatch(Payload):
    """The Map's ItemSelector: a batch of raw objects Discover put together (by count and by
    bytes), converted one after the other in one invocation."""

    run_id: str
    items: list[DiscoveredItem]

    def objects(self) -> list[ConvertItem]:
        return [ConvertItem(run_id=self.run_id, **item.dump()) for item in self.items]


class BatchResult(Payload):
    """Convert's result for a batch: one outcome per object, in the batch's order; an object
    that failed is a :class:`FailedFile` among the others, which converted."""

    files: list[FileOutcome]


class FailedBatch(Payload):
    """A batch whose invocation failed as a whole (a timeout, the memory limit): as the Map's
    Catch leaves it, the error's name and the batch's objects, each of which counts as failed."""

    status: Literal["failed"]
    error: str
    items: list[DiscoveredItem]

    def outcomes(self) -> list[FailedFile]:
        return [
            FailedFile(source=item.source, raw_key=item.raw_key, status="failed", error=self.error)
            for item in self.items
        ]


def _batch_outcome(value: Any) -> str:
    # A batch the Catch caught says ``"status": "failed"``; a converted batch lists its files.
    if isinstance(value, dict):
        return "failed" if "status" in value else "batch"
    return "failed" if isinstance(value, FailedBatch) else "batch"


BatchOutcome = Annotated[
    Annotated[BatchResult, Tag("batch")] | Annotated[FailedBatch, Tag("failed")],
    Discriminator(_batch_outcome),
]


def flatten(outcomes: list[BatchOutcome]) -> list[FileOutcome]:
    """One outcome per object, in the Map's order of the batches."""
    return [
        file
        for outcome in outcomes
        for file in (outcome.files if isinstance(outcome, BatchResult) else outcome.outcomes())
    ]
