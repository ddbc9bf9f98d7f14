"""Which function ingests each source, and what the generated resources are called.

One function per kind of source, shared by every source of that kind, so a stack of a hundred
sources stays far under CloudFormation's 500 resources (docs/deploy.md, "The stack's scale"):

- api sources: ``IngestApiFunction`` (``strata-<env>-ingest-api``); sftp sources:
  ``IngestSftpFunction`` (``strata-<env>-ingest-sftp``). Each source has its own EventBridge
  Scheduler schedule, ``OrdersApiIngestSchedule`` (``strata-<env>-schedule-orders-api``), whose
  input names the source.
- s3_drop and manual sources: ``LandFunction`` (``strata-<env>-land``). Each source has its own
  EventBridge rule on its landing prefix, ``OrdersLandRule`` (``strata-<env>-drop-orders``); the
  function finds the source from the object's key.

The template generator and the local twin both name functions through this module, so the
twin invokes the handler the template deploys.
"""

from __future__ import annotations

from dataclasses import dataclass

from strata.contracts.model import SourceContract

# Function folder (``functions/<folder>/app.py``) per kind of scheduled source.
FUNCTION_FOLDERS = {"api": "ingest_api", "sftp": "ingest_sftp"}
# Drop sources (files put in the landing bucket) share one handler and one function.
DROP_KINDS = ("s3_drop", "manual")
DROP_FOLDER = "land_s3_drop"
# The role every schedule of a source assumes, and the permission every landing rule uses.
SCHEDULE_ROLE = "IngestScheduleRole"
LAND_RULES_PERMISSION = "LandRulesPermission"
# A trigger's physical name's word, per role: strata-<env>-schedule-<source>, -drop-<source>.
TRIGGER_WORDS = {"ingest": "schedule", "land": "drop"}
LANDING_RULES = "strata-${EnvironmentName}-drop-*"


def camel(name: str) -> str:
    """``orders_api`` → ``OrdersApi``."""
    return "".join(part.capitalize() for part in name.split("_"))


def is_drop(contract: SourceContract) -> bool:
    return contract.kind in DROP_KINDS


@dataclass(frozen=True)
class KindFunction:
    """The one function of a kind of source and the resources that go with it."""

    stem: str  # the logical ids' common start: IngestApi, IngestSftp, Land
    folder: str  # functions/<folder>/app.py
    dashed: str  # its physical name's end: ingest-api, ingest-sftp, land
    kinds: tuple[str, ...]

    @property
    def function(self) -> str:
        return f"{self.stem}Function"

    @property
    def log_group(self) -> str:
        return f"{self.stem}LogGroup"

    @property
    def errors_alarm(self) -> str:
        return f"{self.stem}ErrorsAlarm"

    @property
    def event_invoke_config(self) -> str:
        return f"{self.stem}EventInvokeConfig"

    def sources_policy(self, number: int) -> str:
        """The managed policies holding its sources' grants, numbered from 1."""
        return f"{self.stem}SourcesPolicy{number}"

    def physical(self, suffix: str = "") -> str:
        """``strata-${EnvironmentName}-ingest-api``; with ``-errors`` the alarm."""
        return f"strata-${{EnvironmentName}}-{self.dashed}{suffix}"

    @property
    def scheduled(self) -> bool:
        return not set(self.kinds) & set(DROP_KINDS)


KIND_FUNCTIONS = (
    KindFunction("IngestApi", FUNCTION_FOLDERS["api"], "ingest-api", ("api",)),
    KindFunction("IngestSftp", FUNCTION_FOLDERS["sftp"], "ingest-sftp", ("sftp",)),
    KindFunction("Land", DROP_FOLDER, "land", DROP_KINDS),
)


def kind_function(contract: SourceContract) -> KindFunction:
    return next(kind for kind in KIND_FUNCTIONS if contract.kind in kind.kinds)


@dataclass(frozen=True)
class SourceNames:
    """The logical id and physical name of one source's own resource: its trigger."""

    source: str
    role: str  # "ingest" (a scheduled source) or "land" (a drop source)

    @property
    def stem(self) -> str:
        """``OrdersApiIngest``."""
        return f"{camel(self.source)}{self.role.capitalize()}"

    @property
    def trigger(self) -> str:
        """``OrdersApiIngestSchedule`` (api/sftp) or ``OrdersLandRule`` (drops)."""
        return f"{self.stem}{'Schedule' if self.role == 'ingest' else 'Rule'}"

    @property
    def dashed(self) -> str:
        """``orders-api``: the source's name as physical names spell it."""
        return self.source.replace("_", "-")

    def physical(self) -> str:
        """A ``!Sub`` name unique per environment: ``strata-${EnvironmentName}-schedule-orders-api``
        (a schedule) or ``strata-${EnvironmentName}-drop-orders`` (a landing rule).

        Not the names the function-per-source design gave its schedules and rules
        (``-ingest-<source>``, ``-land-<source>``): a stack deployed with those creates these
        before it deletes those, and two schedules or rules of one name cannot exist."""
        return f"strata-${{EnvironmentName}}-{TRIGGER_WORDS[self.role]}-{self.dashed}"


def names(contract: SourceContract) -> SourceNames:
    return SourceNames(contract.name, "land" if is_drop(contract) else "ingest")


def function_id(contract: SourceContract) -> str:
    """The function that ingests the source: ``orders_api`` (api) → ``IngestApiFunction``,
    ``orders`` (s3_drop) → ``LandFunction``."""
    return kind_function(contract).function


def function_folder(contract: SourceContract) -> str:
    """The handler's folder under ``functions/``."""
    return kind_function(contract).folder


def sources_of(contracts: dict[str, SourceContract], kind: KindFunction) -> list[SourceContract]:
    """The sources a kind's function serves, in name order."""
    return [contracts[name] for name in sorted(contracts) if contracts[name].kind in kind.kinds]


def scheduled_sources(contracts: dict[str, SourceContract]) -> list[SourceContract]:
    """The sources Strata fetches itself on a schedule, in name order."""
    return [
        contracts[name] for name in sorted(contracts) if contracts[name].kind in FUNCTION_FOLDERS
    ]


def drop_sources(contracts: dict[str, SourceContract]) -> list[SourceContract]:
    """The sources whose files are put in the landing bucket, in name order."""
    return [contracts[name] for name in sorted(contracts) if is_drop(contracts[name])]


def per_source(contracts: dict[str, SourceContract]) -> list[SourceContract]:
    """Every source with a trigger of its own (all four kinds), in name order."""
    kinds = (*FUNCTION_FOLDERS, *DROP_KINDS)
    return [contracts[name] for name in sorted(contracts) if contracts[name].kind in kinds]
