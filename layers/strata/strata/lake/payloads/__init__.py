"""One pydantic model per payload of the pipeline's state machine
(``statemachines/pipeline.asl.json``), by stage. A handler parses its event into its model and
returns its result model dumped; the library between takes and returns the models.

Shapes Strata defines refuse unknown keys (:class:`Payload`); shapes AWS defines ignore the
ones Strata does not read (:class:`AwsShape`)."""

from strata.lake.payloads.base import AwsShape, Payload, TaskError
from strata.lake.payloads.convert import (
    ConversionResult,
    ConvertedFile,
    ConvertItem,
    FailedFile,
    FileOutcome,
    MemberCounts,
)
from strata.lake.payloads.discover import (
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
    "BuildSummary",
    "CheckNode",
    "Connection",
    "ConversionResult",
    "Conversions",
    "ConvertItem",
    "ConvertedFile",
    "DiscoverInput",
    "DiscoverOutput",
    "DiscoveredItem",
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
]
