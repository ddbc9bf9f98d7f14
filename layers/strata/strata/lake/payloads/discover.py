"""Discover's payloads: the execution's input, what Discover receives, and the discovery the
Maps iterate over (``$.discovery``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, JsonValue

from strata.lake.payloads.base import Payload


class ModelRunInput(Payload):
    """The execution input's ``models``: which models to build, as ``strata run`` passes them
    (``select`` and ``exclude`` take one selector or a list)."""

    command: str | None = None
    select: str | list[str] | None = None
    exclude: str | list[str] | None = None
    full_refresh: bool | None = None
    vars: dict[str, JsonValue] | None = None
    target: str | None = None


class RunInput(Payload):
    """The execution's input: ``{"trigger": "schedule"}`` from the schedule, or what
    ``strata run`` or an operator passes."""

    trigger: str | None = None
    sources: list[str] | None = None
    models: ModelRunInput | None = None
    allow_deferred: bool = False


class DiscoverInput(Payload):
    """The Discover state's Payload. The two numbers are template parameters substituted into
    the definition, hence text; Discover falls back to its defaults when one is unusable."""

    execution_name: str
    execution_arn: str | None = None
    run_input: RunInput = Field(default_factory=RunInput, alias="input")
    convert_concurrency: str | int | None = None
    inline_map_limit: str | int | None = None
    batch_objects: str | int | None = None
    batch_bytes: str | int | None = None


class DiscoveredItem(Payload):
    """One raw object to convert: a line of ``runs/<run>/items.json``, a member of a batch."""

    source: str
    raw_key: str


class DiscoveredBatch(Payload):
    """An item of the Map: raw objects converted in one invocation, ``bytes`` their size
    together (0 for an object whose size its queue item does not say)."""

    items: list[DiscoveredItem]
    bytes: int = 0


class DiscoverOutput(Payload):
    """Discover's result, ``$.discovery``: the batches inline for a few objects, else the key
    of their list for the distributed Map (``map_mode`` says which Map runs). ``items_key``
    lists every object, one per line of the report."""

    run_id: str
    started_at: str
    convert_concurrency: int
    item_count: int
    batch_count: int
    map_mode: Literal["inline", "distributed"]
    batches: list[DiscoveredBatch]
    artifacts_bucket: str
    items_key: str
    batches_key: str
    results_prefix: str
