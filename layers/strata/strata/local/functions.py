"""The repository's Lambda handlers, loaded from ``functions/<name>/app.py`` by file path
(every handler module is called ``app``, as SAM expects)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

# Template resource → function folder. The state machine's substitutions name the resources.
PIPELINE_FUNCTIONS = {
    "DiscoverFunction": "discover",
    "ConvertFunction": "convert",
    "PlanModelsFunction": "plan_models",
    "ReportFunction": "report",
}
INGEST_FUNCTIONS = {"LandS3DropFunction": "land_s3_drop"}


def load_handler(project_dir: Path, folder: str) -> Any:
    path = project_dir / "functions" / folder / "app.py"
    spec = importlib.util.spec_from_file_location(f"strata_functions.{folder}", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no handler at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lambda_handler
