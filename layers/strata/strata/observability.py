"""Powertools wiring shared by every handler: structured logs with the run's id as
correlation id, EMF metrics per source, and X-Ray traces."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, TypeAdapter, ValidationError

from strata.errors import PipelineError
from strata.settings import ENVIRONMENT

logger = Logger(service="strata")
metrics = Metrics(namespace="Strata", service="strata")
# dev and prod may share an account: every metric says which environment it comes from.
metrics.set_default_dimensions(environment=os.environ.get(ENVIRONMENT, "dev"))
# Disabled outside Lambda (Powertools checks the environment), so local runs stay quiet.
tracer = Tracer(service="strata")

Handler = Callable[[dict[str, Any], Any], Any]
E = TypeVar("E")

# Metric units by name; every other metric is a count. The names are CamelCase of the
# snake_case words the library measures (rows_in: RowsIn), as the dashboard searches them.
_UNITS = {"bytes_landed": MetricUnit.Bytes, "ingest_duration": MetricUnit.Seconds}


def lambda_entry(
    event_type: Any, *, correlation_id_path: str
) -> Callable[[Callable[[E, Any], Any]], Handler]:
    """Decorate a handler: the event parsed into ``event_type`` (a payload model, or a union
    of them) before the handler sees it, the result model dumped after; log context,
    correlation id from the event, metrics flushed."""
    adapter: TypeAdapter[E] = TypeAdapter(event_type)

    def decorate(handler: Callable[[E, Any], Any]) -> Handler:
        @functools.wraps(handler)
        @tracer.capture_lambda_handler
        @metrics.log_metrics
        @logger.inject_lambda_context(correlation_id_path=correlation_id_path, clear_state=True)
        def wrapper(event: dict[str, Any], context: Any) -> Any:
            return dumped(handler(parse_event(adapter, event), context))

        return wrapper

    return decorate


def parse_event(adapter: TypeAdapter[E], event: Any) -> E:
    """The event as its model, or a :class:`PipelineError` naming each field that is wrong."""
    try:
        return adapter.validate_python(event)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_where(error['loc'])}: {error['msg']}" for error in exc.errors(include_url=False)
        )
        # A model's title is its name; a union's (``tagged-union[...]``) says nothing useful.
        what = exc.title if "[" not in exc.title else "payload of this function"
        raise PipelineError(f"the event is not a {what}: {problems}") from exc


def _where(location: tuple[int | str, ...]) -> str:
    """A field's path in the event: keys and list positions, with the union members pydantic
    tried (``end``, ``failure``; not the types' own descriptions, ``list[...]``)."""
    parts = [str(part) for part in location if "[" not in str(part)]
    return ".".join(parts) or "(the event)"


def dumped(result: Any) -> Any:
    """A result model as the JSON the caller receives (by alias, every field)."""
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json", by_alias=True)
    return result


def measure(source: str, **values: float | None) -> None:
    """Metrics of one source (an invocation concerns one source), named from their words:
    ``measure("orders", rows_in=3)`` publishes RowsIn. A None value is not published."""
    if metrics.dimension_set.get("source") != source:
        metrics.add_dimension(name="source", value=source)
    for word, value in values.items():
        if value is not None:
            name = "".join(part.title() for part in word.split("_"))
            metrics.add_metric(name=name, unit=_UNITS.get(word, MetricUnit.Count), value=value)


def log_to_file(path: Path) -> Path:
    """Send the handlers' structured log lines to a file instead of standard output: the
    local CLI runs handlers in its own process, and their JSON lines belong in a log, not
    between the progress lines on a terminal. The file is made at the first line, so a
    command refused before it does anything leaves no folder behind. Returns the path."""
    handler = logger.registered_handler
    if isinstance(handler, logging.StreamHandler):
        previous = handler.setStream(_LazyFile(path))
        if isinstance(previous, _LazyFile):
            previous.close()
    logger.setLevel("INFO")
    return path


class _LazyFile:
    """A text file opened for appending at its first write."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: Any = None

    def write(self, text: str) -> int:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        return int(self._file.write(text))

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
