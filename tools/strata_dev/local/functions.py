"""The repository's Lambda handlers, loaded from ``functions/<name>/app.py`` by file path
(every handler module is called ``app``, as SAM expects).

The pipeline's functions are fixed resources; the ingestion functions are one per source
(``strata_dev.deploy.naming.function_id``), registered by the local runner.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from strata import progress
from strata.runtime import Context, current, use

Handler = Callable[[dict[str, Any], Any], Any]

CONVERT_FUNCTION = "ConvertFunction"
# The progress task of a run's conversions: started when Discover has counted them.
CONVERSIONS = "conversions"


# Template resource → function folder. The state machine's substitutions name the resources.
PIPELINE_FUNCTIONS = {
    "DiscoverFunction": "discover",
    CONVERT_FUNCTION: "convert",
    "CompactFunction": "compact",
    "PlanModelsFunction": "plan_models",
    "ReportFunction": "report",
    # The site after the report: the twin's Site state builds lake/site, as AWS's publishes
    # to the site bucket (the same handler and library, the bucket being a folder here).
    "SiteFunction": "site",
}


def counted(handler: Any, task: str) -> Any:
    """``handler``, advancing progress task ``task`` at each call's end by the number of
    objects in its batch (``items``; one for an event without)."""

    def call(event: Any, context: Any) -> Any:
        try:
            return handler(event, context)
        finally:
            items = event.get("items") if isinstance(event, dict) else None
            progress.advance(task, len(items) if isinstance(items, list) else 1)

    return call


def load_handler(project_dir: Path, folder: str) -> Any:
    path = project_dir / "functions" / folder / "app.py"
    spec = importlib.util.spec_from_file_location(f"strata_functions.{folder}", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no handler at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lambda_handler


def bound_to_source(handler: Handler, source: str) -> Handler:
    """The handler as its source's own function runs it in AWS, where ``STRATA_SOURCE`` names
    the source: for the call, the current context's settings carry that source."""

    def run(event: dict[str, Any], context: Any) -> Any:
        outer = current()
        settings = outer.settings.model_copy(update={"source": source})
        use(Context(settings=settings, ports=outer.ports, _project=outer.project))
        try:
            return handler(event, context)
        finally:
            use(outer)

    return run
