"""Discover's batches: the raw objects of a run put together so that one Convert invocation
converts several. Thousands of small files (the shape of a lake fed by APIs) otherwise cost an
invocation and a few state transitions each, and most of each invocation's time is spent
starting up rather than converting.

A batch closes when it holds ``max_objects`` objects or when the next object would take it past
``max_bytes``; an object larger than ``max_bytes`` goes alone. A run with few objects gets
smaller batches, at least as many as the Map converts at once (:func:`batch_size`).

The batches are made here rather than by the distributed Map's ``ItemBatcher``, which cuts by
item count and by the JSON size of the items, not by the size of the objects they name (and
which moto's interpreter does not parse): one rule for both Maps, that bounds the bytes an
invocation converts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from strata.lake.payloads import DiscoveredBatch, DiscoveredItem

# Defaults of the template's ConvertBatchObjects and ConvertBatchBytes.
DEFAULT_BATCH_OBJECTS = 64
DEFAULT_BATCH_BYTES = 64 * 1024 * 1024


def batched(
    sized: Iterable[tuple[DiscoveredItem, int]], max_objects: int, max_bytes: int
) -> list[DiscoveredBatch]:
    """The objects (with their sizes in bytes) in batches, in their order."""
    batches: list[DiscoveredBatch] = []
    current: list[DiscoveredItem] = []
    total = 0
    for item, size in sized:
        if current and (len(current) >= max_objects or total + size > max_bytes):
            batches.append(DiscoveredBatch(items=current, bytes=total))
            current, total = [], 0
        current.append(item)
        total += size
    if current:
        batches.append(DiscoveredBatch(items=current, bytes=total))
    return batches


def batch_size(objects: int, max_objects: int, concurrency: int) -> int:
    """Objects per batch: at most ``max_objects``, but few enough that the Map's concurrency
    is used (60 objects and 4 at a time: batches of 15, not one batch of 60 converted alone)."""
    return max(1, min(max_objects, math.ceil(objects / max(1, concurrency))))
