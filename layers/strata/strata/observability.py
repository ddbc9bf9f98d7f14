"""Powertools wiring shared by every handler: structured logs with the run's id as
correlation id, EMF metrics per source, and X-Ray traces."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from strata.settings import ENVIRONMENT

logger = Logger(service="strata")
metrics = Metrics(namespace="Strata", service="strata")
# dev and prod may share an account: every metric says which environment it comes from.
metrics.set_default_dimensions(environment=os.environ.get(ENVIRONMENT, "dev"))
# Disabled outside Lambda (Powertools checks the environment), so local runs stay quiet.
tracer = Tracer(service="strata")

Handler = Callable[[dict[str, Any], Any], Any]


def lambda_entry(correlation_id_path: str) -> Callable[[Handler], Handler]:
    """Decorate a handler: log context, correlation id from the event, metrics flushed."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        @tracer.capture_lambda_handler
        @metrics.log_metrics
        @logger.inject_lambda_context(correlation_id_path=correlation_id_path, clear_state=True)
        def wrapper(event: dict[str, Any], context: Any) -> Any:
            return handler(event, context)

        return wrapper

    return decorate


def count(name: str, value: float, source: str, unit: str = MetricUnit.Count) -> None:
    """A metric of one source (a handler invocation concerns one source)."""
    if metrics.dimension_set.get("source") != source:
        metrics.add_dimension(name="source", value=source)
    metrics.add_metric(name=name, unit=unit, value=value)


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
