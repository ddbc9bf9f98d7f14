"""One error root with specific subclasses that carry their context.

Lambdas let these propagate by name, so the state machine's Retry/Catch can match them
(``"ErrorEquals": ["ConversionError"]``).
"""

from __future__ import annotations


class StrataError(Exception):
    """Root of every error Strata raises on purpose. ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class UsageError(StrataError):
    """The command was called wrongly (an unknown source, a missing argument)."""

    exit_code = 2


class RunBusyError(StrataError):
    """Another run is in progress; this one did nothing."""

    exit_code = 3


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


class TransientError(StrataError):
    """A call failed in a way that may pass if tried again later: throttling, a service's 5xx,
    a connection or read timeout (:mod:`strata.aws_errors`). Every Lambda task's Retry in the
    state machine matches it by name, and Lambda names an error by its class, so this class is
    raised itself: a subclass would carry another name past the Retry, hence none is allowed."""

    def __init__(
        self,
        message: str,
        *,
        service: str | None = None,
        operation: str | None = None,
        code: str | None = None,
    ) -> None:
        self.service = service
        self.operation = operation
        self.code = code
        where = ".".join(part for part in (service, operation) if part)
        super().__init__(f"{where}: {message}" if where else message)

    def __init_subclass__(cls, **kwargs: object) -> None:
        raise TypeError(
            f"{cls.__name__}: the state machine retries TransientError by name; raise "
            "TransientError itself instead of a subclass"
        )


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
