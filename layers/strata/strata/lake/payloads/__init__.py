"""One pydantic model per payload of the pipeline's state machine
(``statemachines/pipeline.asl.json``), by stage. A handler parses its event into its model and
returns its result model dumped; the library between takes and returns the models.

Shapes Strata defines refuse unknown keys (:class:`Payload`); shapes AWS defines ignore the
ones Strata does not read (:class:`AwsShape`)."""

from strata.lake.payloads.base import AwsShape, Payload, TaskError
from strata.lake.payloads.compact import CompactInput, CompactOutput, PartitionCompaction
from strata.lake.payloads.convert import (
    BatchOutcome,
    BatchResult,
    ConversionResult,
    ConvertBatch,
    ConvertedFile,
    ConvertItem,
    FailedBatch,
    FailedFile,
    FileOutcome,
    MemberCounts,
    flatten,
)
from strata.lake.payloads.discover import (
    DiscoveredBatch,
    DiscoveredItem,
    DiscoverInput,
    DiscoverOutput,
    ModelRunInput,
    RunInput,
)
from strata.lake.payloads.ingest import PresignInput, ScheduledInput
from strata.lake.payloads.report import (
    Conversions,
    FailureReportInput,
    MapChild,
    PipelineState,
    ReportEvent,
    ReportInput,
    ReportOutput,
    ResultManifest,
    WrittenResults,
)
from strata.lake.payloads.site import SiteInput, SiteOutput
from strata.lake.payloads.warehouse import (
    BuildSummary,
    CheckNode,
    Connection,
    ModelNode,
    NextWaveInput,
    NodeSummary,
    OperationNode,
    PlanEvent,
    PlanInput,
    PlanOutput,
    StatementOutcome,
    StatementResult,
    WarehouseOutput,
    WaveItem,
)

__all__ = [
    "AwsShape",
    "BatchOutcome",
    "BatchResult",
    "BuildSummary",
    "CheckNode",
    "CompactInput",
    "CompactOutput",
    "Connection",
    "ConversionResult",
    "Conversions",
    "ConvertBatch",
    "ConvertItem",
    "ConvertedFile",
    "DiscoverInput",
    "DiscoverOutput",
    "DiscoveredBatch",
    "DiscoveredItem",
    "FailedBatch",
    "FailedFile",
    "FailureReportInput",
    "FileOutcome",
    "MapChild",
    "MemberCounts",
    "ModelNode",
    "ModelRunInput",
    "NextWaveInput",
    "NodeSummary",
    "OperationNode",
    "PartitionCompaction",
    "Payload",
    "PipelineState",
    "PlanEvent",
    "PlanInput",
    "PlanOutput",
    "PresignInput",
    "ReportEvent",
    "ReportInput",
    "ReportOutput",
    "ResultManifest",
    "RunInput",
    "ScheduledInput",
    "SiteInput",
    "SiteOutput",
    "StatementOutcome",
    "StatementResult",
    "TaskError",
    "WarehouseOutput",
    "WaveItem",
    "WrittenResults",
    "flatten",
]
