"""``strata run``: fetch the api and sftp sources (what their schedules do in AWS), land what
waits in the landing folder (what each drop source's EventBridge rule does), then execute the
pipeline state machine locally, with progress, and return the run report.

Every source is ingested by its kind's function, as in AWS: the resource ``strata template``
generates for it (``function_id``), running the same handler in-process, told the source by its
schedule's input (api/sftp) or finding it from the landing key (drops), as it is there."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from strata import progress, scratch
from strata.errors import ModelError, PipelineError, RunBusyError, UsageError
from strata.ingest.events import s3_object_created
from strata.lake import claims, state_keys
from strata.lake.keys import new_run_id, report_key
from strata.models import build_manifest
from strata.models.sources import SOURCE_NAME
from strata.orchestration import run_records
from strata.runtime import Context
from strata_dev.console import Console
from strata_dev.deploy.naming import (
    drop_sources,
    function_folder,
    function_id,
    scheduled_sources,
)
from strata_dev.local import moto_patches
from strata_dev.local.functions import CONVERSIONS, load_handler
from strata_dev.local.snapshot import publish_snapshot
from strata_dev.local.stepfunctions import Execution, LocalStepFunctions, local_step_functions


@dataclass
class RunOutcome:
    run_id: str
    execution: Execution
    report: dict[str, Any]
    landed: int
    ingest_failures: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        """The report's computed verdict; the execution's status follows it (a test keeps the
        two equal), so the exit code, the report and ``strata runs`` agree."""
        return self.execution.status == "SUCCEEDED" and bool(self.report.get("passed"))


def validate_project(ctx: Context) -> int:
    """Contracts and models, all checked before anything is written; returns the model count."""
    manifest = build_manifest(ctx.project, ctx.settings, "validate")
    return sum(node["resource_type"] == "model" for node in manifest["nodes"].values())


def check_sources(ctx: Context, sources: list[str] | None) -> None:
    unknown = sorted(set(sources or ()) - set(ctx.project.contracts))
    if unknown:
        known = ", ".join(sorted(ctx.project.contracts))
        raise UsageError(f"--source: no contract for {', '.join(unknown)} (sources: {known})")


def _with_everything_needed(compiled: Any, models: list[str]) -> list[str]:
    """dbt's "@" selection and a little more: these models, every model they read, and every
    model their tests read (a relationships test between two sources' stage models must find
    both built, also in a new lake)."""
    from strata.models.selection import select

    known = {model.name for model in compiled.models}
    wanted = list(models)
    while wanted:
        chosen = select(compiled, [f"+{name}" for name in wanted])
        tested = {
            parent
            for test in compiled.tests
            if test.name in chosen.tests
            for parent in test.depends_on
            if parent in known
        }
        missing = sorted(tested - set(chosen.models))
        if not missing:
            return [f"+{name}" for name in wanted]
        wanted += missing
    return []


@dataclass(frozen=True)
class PipelineOptions:
    sources: list[str] | None = None
    substitutions: dict[str, str] | None = None
    allow_deferred: bool = False
    wait: bool = False
    # The models' run options as the execution input carries them (``select``, ``exclude``,
    # ``target``, ``full_refresh``); with sources and no selection, their downstream models.
    models: dict[str, Any] = field(default_factory=dict)


def models_input(ctx: Context, options: PipelineOptions, console: Console) -> dict[str, Any]:
    """The execution's ``models`` input, checked now: a selector or target that cannot compile
    is a usage error before anything runs. A run of some sources builds what reads them."""
    from strata.models import RunOptions
    from strata.models.plan import compile_for
    from strata.models.selection import select

    models = dict(options.models)
    if options.sources and not models.get("select"):
        compiled = compile_for(ctx.project, ctx.settings, models.get("target"))
        downstream: list[str] = []
        for source in options.sources:
            try:
                chosen = select(compiled, [f"source:{SOURCE_NAME}.{source}+"])
            except ModelError:
                console.detail(f"no model reads {source} yet")
                continue
            downstream += [name for name in chosen.models if name not in downstream]
        models["select"] = _with_everything_needed(compiled, downstream) or None
    try:
        build_manifest(ctx.project, ctx.settings, "validate", RunOptions.from_input(models))
    except ModelError as exc:
        raise UsageError(str(exc)) from exc
    return {key: value for key, value in models.items() if value not in (None, False, [])}


def run_pipeline(
    ctx: Context, project_dir: Path, console: Console, options: PipelineOptions | None = None
) -> RunOutcome:
    options = options or PipelineOptions()
    check_sources(ctx, options.sources)
    validate_project(ctx)
    models = models_input(ctx, options, console)
    run_id = new_run_id()
    with single_flight(ctx, run_id, console, options.wait):
        _recover(ctx, console)
        started = datetime.now(UTC)
        execution_input: dict[str, Any] = {"allow_deferred": options.allow_deferred}
        if options.sources:
            execution_input["sources"] = options.sources
        if models:
            execution_input["models"] = models
        owner = ctx.ports.liveness.owner()
        run_records.record_start(
            ctx.ports.state,
            run_id,
            owner,
            started,
            options.sources,
            {"allow_deferred": options.allow_deferred},
        )
        with local_step_functions(ctx, project_dir, options.substitutions) as machine:
            failures = fetch_sources(ctx, machine, project_dir, console, options.sources)
            landed = land_drops(ctx, machine, project_dir, console, options.sources)
            console.step(f"pipeline run {run_id} (statemachines/pipeline.asl.json)")
            arn = machine.start(run_id, execution_input)
            try:
                execution = machine.wait(arn, on_event=Progress(console))
            finally:
                progress.finish(CONVERSIONS)
                progress.finish(STATEMENTS)
        report = _report(ctx, run_id)
        _show_site(report.get("site"), console)
        # Readers (notebooks, the read API) open this copy: never the file the next run writes.
        publish_snapshot(ctx.ports.warehouse, ctx.settings.lake_dir)
    return RunOutcome(
        run_id=run_id, execution=execution, report=report, landed=landed, ingest_failures=failures
    )


WAIT_POLL_SECONDS = 1.0
# The local run lock's lease: only consulted for an owner on another host (a shared folder).
RUN_LOCK_LEASE = timedelta(hours=3)


@contextmanager
def single_flight(ctx: Context, run_id: str, console: Console, wait: bool) -> Iterator[None]:
    """One local run at a time, decided before any work: a second ``strata run`` is refused at
    once with who holds the lake (or, with ``wait``, waits for it). A killed run's lock is
    taken over at once: its process is gone."""
    claimant = claims.Claimant.of(ctx.ports.liveness, run_id)
    announced = False
    while True:
        now = datetime.now(UTC)
        taken = claims.take(
            ctx.ports.state, *state_keys.LOCAL_RUN_LOCK, claimant, now=now, lease=RUN_LOCK_LEASE
        )
        if isinstance(taken, claims.Claim):
            break
        holder = f"another run ({claims.describe(taken, ctx.ports.liveness)}) is in progress"
        if not wait:
            raise RunBusyError(f"{holder}; wait for it with `strata run --wait`")
        if not announced:
            console.step(f"waiting: {holder}")
            announced = True
        time.sleep(WAIT_POLL_SECONDS)
    try:
        yield
    finally:
        claims.release(ctx.ports.state, taken)


def _recover(ctx: Context, console: Console) -> None:
    """What a killed run left behind: its scratch folders, and its record (now abandoned).
    Its claims need nothing: their owner is dead, so this run takes them over as it meets them."""
    for folder in scratch.sweep():
        console.detail(f"removed {folder}, left by a run that was killed")
    for run_id in run_records.abandon_dead(ctx.ports.state, ctx.ports.liveness, datetime.now(UTC)):
        console.warn(f"run {run_id} was killed before its end: recorded as abandoned")


def fetch_sources(
    ctx: Context,
    machine: LocalStepFunctions,
    project_dir: Path,
    console: Console,
    sources: list[str] | None,
) -> list[str]:
    """What each api/sftp source's schedule does in AWS: invoke its function once. A source
    that fails is reported and the run goes on with the others; returns the failures."""
    failures = []
    for contract in scheduled_sources(ctx.project.contracts):
        if sources and contract.name not in sources:
            continue
        resource = function_id(contract)
        handler = load_handler(project_dir, function_folder(contract))
        moto_patches.register_handler(resource, handler)
        try:
            result = machine.invoke(resource, {"source": contract.name})
        except PipelineError as exc:
            failures.append(f"{contract.name}: {exc}")
            console.warn(f"ingest {contract.name} ({contract.kind}) failed: {exc}")
            continue
        console.step(f"ingest {contract.name} ({contract.kind}): {_fetched(result)}")
        for line in _file_fates(result):
            console.detail(line)
        if result.get("status") == "failed":
            failures.append(f"{contract.name}: {result.get('error')}")
            console.warn(f"ingest {contract.name} ({contract.kind}) failed: {result.get('error')}")
    return failures


def _fetched(result: dict[str, Any]) -> str:
    if "pages" in result:
        return (
            f"{result['pages_landed']} page(s) landed, {result['records']} record(s), "
            f"watermark {result.get('watermark') or '-'}"
        )
    counts = [
        f"{result['files_landed']} new file(s) landed",
        f"{result['files_skipped']} already landed",
    ]
    for key, label in (
        ("files_duplicate", "duplicate(s) of landed bytes not landed"),
        ("files_in_flight", "in flight"),
        ("files_waiting", "waiting"),
        ("files_failed", "failed"),
    ):
        if result.get(key):
            counts.append(f"{result[key]} {label}")
    return ", ".join(counts)


def _file_fates(result: dict[str, Any]) -> list[str]:
    """One line per file that did not simply land: who holds it, why it waits."""
    lines = [
        f"{item['remote_path']}: in flight (run {item.get('run_id')}, since {item.get('since')})"
        for item in result.get("in_flight", [])
    ]
    lines += [f"{item['remote_path']}: {item.get('reason')}" for item in result.get("waiting", [])]
    lines += [
        f"{item['remote_path']}: same bytes as {item.get('duplicate_of')}"
        for item in result.get("duplicates", [])
    ]
    return lines


def land_drops(
    ctx: Context,
    machine: LocalStepFunctions,
    project_dir: Path,
    console: Console,
    sources: list[str] | None,
) -> int:
    """What EventBridge does in AWS: each drop source's rule sends one Object Created event per
    file under the source's landing prefix to the landing function."""
    landed = duplicates = 0
    for contract in drop_sources(ctx.project.contracts):
        if sources and contract.name not in sources:
            continue
        assert contract.s3_drop is not None
        resource = function_id(contract)
        handler = load_handler(project_dir, function_folder(contract))
        moto_patches.register_handler(resource, handler)
        for info in ctx.ports.landing.list(contract.s3_drop.prefix):
            event = s3_object_created(ctx.ports.landing.bucket, info.key, info.size, info.etag)
            result = machine.invoke(resource, event)
            if result["status"] == "landed":
                landed += 1
                console.detail(f"landed {info.key} → raw/{result['raw_key']}")
            elif result["status"] == "duplicate":
                duplicates += 1
    console.step(f"ingest: {landed} new file(s) landed in raw, {duplicates} already landed")
    return landed


class Progress:
    """Turns execution history events into one line per step that matters."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind in ("TaskStateEntered", "MapStateEntered", "ParallelStateEntered"):
            name = event["stateEnteredEventDetails"]["name"]
            if name in ("Report", "ReportFailure"):
                progress.finish(STATEMENTS)
            if name in _LABELS:
                self.console.step(_LABELS.get(name, name))
        elif kind in ("TaskStateExited", "PassStateExited"):
            details = event["stateExitedEventDetails"]
            self._exited(details["name"], json.loads(details.get("output") or "{}"))
        elif kind == "MapStateExited":
            progress.finish(CONVERSIONS)
        elif kind == "ExecutionFailed":
            details = event.get("executionFailedEventDetails", {})
            self.console.warn(f"execution failed: {details.get('error')}: {details.get('cause')}")

    def _exited(self, name: str, output: dict[str, Any]) -> None:
        if name == "Discover":
            discovery = output.get("discovery", {})
            mode = discovery.get("map_mode")
            if discovery.get("item_count"):
                # Each conversion advances it, in whichever Map (or child execution) it runs.
                progress.start(CONVERSIONS, "convert", discovery["item_count"], "files")
            batches = discovery.get("batch_count", 0)
            self.console.detail(
                f"{discovery.get('item_count', 0)} new raw object(s) to convert in "
                f"{batches} batch(es)"
                + (
                    " (distributed Map: one child execution per batch)"
                    if mode == "distributed"
                    else ""
                )
            )
        elif name == "Convert":
            for file in output.get("files", []):
                self._converted(file)
        elif name == "ConversionFailed":
            # The state keeps the error's name; its text is in the run's failure record and
            # in the summary at the end.
            for item in output.get("items", []):
                self.console.warn(f"{item.get('raw_key')}: {output.get('error')}")
        elif name == "Compact":
            done = output.get("compaction", {})
            if done.get("partitions"):
                self.console.detail(
                    f"compacted {done['partitions']} partition(s): "
                    f"{done['files_before']} files → {done['files_after']}"
                )
        elif name == "CrawlerState":
            self.console.detail(
                f"catalog crawl: {output.get('crawl', {}).get('status', {}).get('state')}"
            )
        elif name == "NotifyFailure":
            self.console.warn("failure alert published to the alert topic (SNS)")
        elif name == "PlanModels":
            progress.start(STATEMENTS, "build models and tests", unit="statements")
        elif name in _OUTCOMES:
            progress.advance(STATEMENTS)
            if output.get("kind") == "model":
                self._built(output)

    def _converted(self, file: dict[str, Any]) -> None:
        name = PurePosixPath(file.get("raw_key", "")).name
        if file.get("status") == "failed":
            self.console.warn(f"{name}: {file.get('error')}")
            return
        self.console.detail(
            f"{name}: {file.get('rows_in')} rows in → "
            f"{file.get('rows_out')} out, {file.get('rows_quarantined')} quarantined"
            + (" (file quarantined)" if file.get("status") == "quarantined" else "")
        )

    def _built(self, output: dict[str, Any]) -> None:
        model = str(output.get("id", "")).rsplit(".", 1)[-1]
        if output.get("status") == "FINISHED":
            self.console.detail(f"built {model}")
        else:
            self.console.warn(f"{model}: {output.get('status')}: {output.get('error')}")


# The progress task of the warehouse build: its statements, counted as each one ends (the
# waves are planned one after the other, so the total is not known in advance).
STATEMENTS = "statements"

# BuildModels' item processor ends in one of these Pass states, with the statement's outcome.
_OUTCOMES = (
    "ResultFetched",
    "StatementFinished",
    "StatementFailed",
    "StatementAborted",
    "StatementTimedOut",
    "SubmitFailed",
    "PollFailed",
)

_LABELS = {
    "Discover": "discover new raw objects",
    "ConvertEach": "convert raw → cleansed (typed Parquet, quarantine)",
    "ConvertEachDistributed": "convert raw → cleansed (typed Parquet, quarantine), distributed",
    "Compact": "compact the touched partitions (small files → large, swapped atomically)",
    "StartCrawl": "crawl the cleansed catalog (Glue)",
    "PlanModels": "compile warehouse models",
    "BuildModels": "build stage and analytics models, run tests (Data API → DuckDB)",
    "Report": "write the run report",
    "Site": "build the site (dashboards, data docs)",
}


def _show_site(site: dict[str, Any] | None, console: Console) -> None:
    """What the Site state recorded in the report; a failure is a warning only."""
    if site is None:
        console.warn("the site was not built: the Site step recorded nothing (see the output)")
        return
    if site["status"] == "failed":
        console.warn(f"the site was not built: {site['error']} (the run's data is loaded)")
        return
    for problem in site["problems"]:
        console.warn(problem)
    done = "unchanged, the last build kept" if site["status"] == "reused" else "built"
    console.detail(f"site {done}: {site['location']}/index.html; open it with `strata site serve`")


def _report(ctx: Context, run_id: str) -> dict[str, Any]:
    key = report_key(run_id)
    if not ctx.ports.artifacts.exists(key):
        return {"run_id": run_id, "status": "failed", "sources": {}, "tests": [], "models": []}
    return json.loads(ctx.ports.artifacts.get_bytes(key))
