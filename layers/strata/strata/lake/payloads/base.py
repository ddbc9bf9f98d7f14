"""What every payload model shares: the configuration of our own shapes and AWS's, and the
error a Catch puts in the state."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Payload(BaseModel):
    """A shape Strata defines: an unknown key is a mistake (a typo, a stale field) and fails by
    name instead of being dropped."""

    model_config = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True)

    def dump(self) -> dict[str, Any]:
        """The JSON the state machine (or a file) receives, every field included."""
        return self.model_dump(mode="json", by_alias=True)

    def dump_given(self) -> dict[str, Any]:
        """Only the fields given when the model was made: the exact keys a dict had."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class AwsShape(Payload):
    """A shape AWS defines (Step Functions, the Map's ResultWriter): fields added by AWS later,
    or by moto, are ignored, and only those Strata reads are declared."""

    model_config = ConfigDict(extra="ignore", validate_by_name=True, validate_by_alias=True)


class TaskError(AwsShape):
    """What a Catch puts at its ResultPath: the error's name and, as text, its cause (for a
    Lambda, the JSON of its errorMessage, errorType and stackTrace)."""

    error: str = Field(alias="Error")
    cause: str | None = Field(default=None, alias="Cause")
