"""One error root with specific subclasses that carry their context.

Lambdas let these propagate by name, so the state machine's Retry/Catch can match them
(``"ErrorEquals": ["ConversionError"]``).
"""

from __future__ import annotations


class StrataError(Exception):
    """Root of every error Strata raises on purpose."""


class ConfigError(StrataError):
    """A setting, a contract or a project file is invalid. Carries the file and the field."""

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None) -> None:
        self.file = file
        self.field = field
        where = ": ".join(part for part in (file, field) if part)
        super().__init__(f"{where}: {message}" if where else message)


class ContractError(ConfigError):
    """A source contract is invalid."""


class SourceNotFoundError(ConfigError):
    """A source is referenced that has no contract."""


class StorageError(StrataError):
    """An object could not be read or written."""


class ObjectNotFoundError(StorageError):
    def __init__(self, bucket: str, key: str) -> None:
        self.bucket = bucket
        self.key = key
        super().__init__(f"no object {key!r} in {bucket}")


class ConditionFailedError(StrataError):
    """A conditional write lost: the item already exists (claims, idempotency)."""


class IngestError(StrataError):
    """A delivery could not be landed in raw."""


class ConversionError(StrataError):
    """A raw object could not be converted to cleansed; carries the source and key."""

    def __init__(self, message: str, *, source: str, key: str) -> None:
        self.source = source
        self.key = key
        super().__init__(f"{source}: {key}: {message}")


class ModelError(StrataError):
    """A warehouse model cannot be compiled or built; carries the model name, and the file
    (``warehouse/...``) and line where the problem is, named first in the message."""

    def __init__(
        self,
        message: str,
        *,
        model: str | None = None,
        line: int | None = None,
        file: str | None = None,
    ) -> None:
        self.model = model
        self.line = line
        self.file = file
        place = file or model
        where = place + (f":{line}" if line else "") if place else None
        super().__init__(f"{where}: {message}" if where else message)


class WarehouseError(StrataError):
    """A warehouse statement failed."""


class PipelineError(StrataError):
    """A pipeline execution failed."""


class SecretNotFoundError(StrataError):
    def __init__(self, name: str, where: str) -> None:
        self.name = name
        super().__init__(f"secret {name!r} not found in {where}")


class CatalogError(StrataError):
    """A table or its partitions could not be read or registered; carries the table."""

    def __init__(self, message: str, *, table: str | None = None) -> None:
        self.table = table
        super().__init__(f"{table}: {message}" if table else message)
