"""What ``config(...)`` and ``+key`` entries may say: the supported part of dbt's configs.

Anything else is refused by name, so a model never silently loses a setting it relies on.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from strata.errors import ModelError

Materialization = Literal["view", "table", "incremental"]
Strategy = Literal["append", "delete+insert", "merge"]
Period = Literal["minute", "hour", "day"]
PERIOD_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
# dbt configs Strata will implement, refused meanwhile with what to do instead.
NOT_YET = {
    "grants": "grants are not applied by Strata yet: grant access on the schemas to the "
    "warehouse's read-only role",
    "contract": "model contracts are not enforced by Strata: test the columns instead",
}


MERGED_KEYS = ("meta", "persist_docs")  # dict configs whose keys each layer adds or overrides


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class PersistDocs(BaseModel):
    """dbt's ``persist_docs``: write the descriptions into the warehouse as comments. Strata
    writes both by default (:mod:`strata.models.descriptions`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    relation: bool = True
    columns: bool = True


class ModelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    materialized: Materialization = "view"
    schema_: str | None = Field(None, alias="schema")
    unique_key: list[str] = []
    incremental_strategy: Strategy | None = None
    tags: list[str] = []
    dist: str | None = None  # even | all | auto | <column>
    sort: list[str] = []
    sort_type: Literal["compound", "interleaved"] = "compound"
    enabled: bool = True
    description: str | None = None
    meta: dict[str, Any] = {}
    docs: dict[str, Any] = {}
    persist_docs: PersistDocs = PersistDocs()

    _lists = field_validator("unique_key", "tags", "sort", mode="before")(_as_list)

    @property
    def schema_name(self) -> str | None:
        return self.schema_

    @property
    def strategy(self) -> Strategy:
        """dbt's default: merge when there is a key to merge on, append otherwise."""
        if self.incremental_strategy:
            return self.incremental_strategy
        return "merge" if self.unique_key else "append"


class TestConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Literal["warn", "error"] = "error"
    tags: list[str] = []
    enabled: bool = True
    meta: dict[str, Any] = {}

    _lists = field_validator("tags", mode="before")(_as_list)

    @field_validator("severity", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value


class Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    count: int = Field(gt=0)
    period: Period

    @property
    def seconds(self) -> int:
        return self.count * PERIOD_SECONDS[self.period]


class Freshness(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    warn_after: Threshold | None = None
    error_after: Threshold | None = None
    filter: str | None = None


def parse_model_config(
    values: dict[str, Any], *, model: str, line: int | None = None, file: str | None = None
) -> ModelConfig:
    config = _validated(ModelConfig, values, model, line, file)
    needs_key = config.materialized == "incremental" and config.strategy != "append"
    if needs_key and not config.unique_key:
        raise ModelError(
            f"incremental_strategy={config.strategy!r} needs a unique_key",
            model=model,
            line=line,
            file=file,
        )
    if config.dist and not config.dist.replace("_", "").isalnum():
        raise ModelError(
            f"dist={config.dist!r} is not a column or a style", model=model, line=line, file=file
        )
    return config


def check_config_values(values: dict[str, Any], *, file: str, line: int | None) -> None:
    """One layer of configs (a folder's ``+key``, a YAML ``config:``), checked key by key where
    it is written; settings that only hold together (a strategy and its key) are checked once
    the layers are merged."""
    _validated(ModelConfig, values, None, line, file)


def merge_configs(*layers: dict[str, Any]) -> dict[str, Any]:
    """dbt's precedence: each layer overrides the ones before it, except ``tags``, which add
    up, and ``meta`` and ``persist_docs``, whose keys are merged."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if key == "tags":
                merged["tags"] = [*merged.get("tags", []), *(_as_list(value) or [])]
            elif key in MERGED_KEYS and isinstance(value, dict):
                merged[key] = {**merged.get(key, {}), **value}
            else:
                merged[key] = value
    return merged


def parse_test_config(values: dict[str, Any], *, test: str) -> TestConfig:
    return _validated(TestConfig, values, test, None)


def parse_freshness(values: Any, *, where: str) -> Freshness | None:
    if values is None:
        return None
    return _validated(Freshness, values, where, None)


def _validated(
    kind: type[Any], values: Any, model: str | None, line: int | None, file: str | None = None
) -> Any:
    try:
        return kind.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"]) or "config"
        if error["type"] == "extra_forbidden" and key in NOT_YET:
            message = f"config {key!r}: {NOT_YET[key]}"
        elif error["type"] == "extra_forbidden":
            supported = ", ".join(
                sorted(field.alias or name for name, field in kind.model_fields.items())
            )
            message = f"config {key!r} is outside the supported dbt subset (supported: {supported})"
        elif error["type"] == "literal_error":
            message = f"{key}={error['input']!r} is not supported ({error['msg'].lower()})"
        else:
            message = f"config {key!r}: {error['msg']}"
        raise ModelError(message, model=model, line=line, file=file) from exc
