"""Which function each source gets, and what its resources are called.

- api/sftp sources are fetched by Strata on a schedule: ``orders_api`` gets
  ``OrdersApiIngestFunction`` (``strata-<env>-ingest-orders-api``), its log group, its schedule,
  the schedule's role and an errors alarm.
- s3_drop/manual sources put files in the landing bucket: ``orders`` gets
  ``OrdersLandFunction`` (``strata-<env>-land-orders``), its log group and an errors alarm.

The template generator and the local twin both name functions through this module, so the
twin invokes the handler the template deploys.
"""

from __future__ import annotations

from dataclasses import dataclass

from strata.contracts.model import SourceContract

# Function folder (``functions/<folder>/app.py``) per kind of scheduled source.
FUNCTION_FOLDERS = {"api": "ingest_api", "sftp": "ingest_sftp"}
# Drop sources (files put in the landing bucket) share one handler, one function each.
DROP_KINDS = ("s3_drop", "manual")
DROP_FOLDER = "land_s3_drop"


def camel(name: str) -> str:
    """``orders_api`` → ``OrdersApi``."""
    return "".join(part.capitalize() for part in name.split("_"))


def is_drop(contract: SourceContract) -> bool:
    return contract.kind in DROP_KINDS


@dataclass(frozen=True)
class SourceNames:
    """The logical ids and physical names of one source's resources."""

    source: str
    role: str  # "ingest" (a scheduled source) or "land" (a drop source)

    @property
    def stem(self) -> str:
        """The logical ids' common start: ``OrdersApiIngest``."""
        return f"{camel(self.source)}{self.role.capitalize()}"

    @property
    def function(self) -> str:
        return f"{self.stem}Function"

    @property
    def log_group(self) -> str:
        return f"{self.stem}LogGroup"

    @property
    def schedule(self) -> str:
        return f"{self.stem}Schedule"

    @property
    def schedule_role(self) -> str:
        return f"{self.stem}ScheduleRole"

    @property
    def errors_alarm(self) -> str:
        return f"{self.stem}ErrorsAlarm"

    @property
    def dashed(self) -> str:
        """``orders-api``: the source's name as physical names spell it."""
        return self.source.replace("_", "-")

    def physical(self, suffix: str = "") -> str:
        """A ``!Sub`` name unique per environment: ``strata-${EnvironmentName}-ingest-orders-api``
        (the function and its schedule), with ``-errors`` the alarm."""
        return f"strata-${{EnvironmentName}}-{self.role}-{self.dashed}{suffix}"


def names(contract: SourceContract) -> SourceNames:
    return SourceNames(contract.name, "land" if is_drop(contract) else "ingest")


def function_id(contract: SourceContract) -> str:
    """The source's function resource: ``orders_api`` (api) → ``OrdersApiIngestFunction``,
    ``orders`` (s3_drop) → ``OrdersLandFunction``."""
    return names(contract).function


def function_folder(contract: SourceContract) -> str:
    """The handler's folder under ``functions/``."""
    return DROP_FOLDER if is_drop(contract) else FUNCTION_FOLDERS[contract.kind]


def scheduled_sources(contracts: dict[str, SourceContract]) -> list[SourceContract]:
    """The sources Strata fetches itself on a schedule, in name order."""
    return [
        contracts[name] for name in sorted(contracts) if contracts[name].kind in FUNCTION_FOLDERS
    ]


def drop_sources(contracts: dict[str, SourceContract]) -> list[SourceContract]:
    """The sources whose files are put in the landing bucket, in name order."""
    return [contracts[name] for name in sorted(contracts) if is_drop(contracts[name])]


def per_source(contracts: dict[str, SourceContract]) -> list[SourceContract]:
    """Every source with a function of its own (all four kinds), in name order."""
    kinds = (*FUNCTION_FOLDERS, *DROP_KINDS)
    return [contracts[name] for name in sorted(contracts) if contracts[name].kind in kinds]
