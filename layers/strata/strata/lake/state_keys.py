"""Every partition key of the state store, defined once.

| ``pk`` | ``sk`` | item |
| --- | --- | --- |
| ``pending#<source>`` | raw key | a landed raw object waiting for conversion |
| ``claim#<source>`` | raw key | the run converting it (a claim: :mod:`strata.lake.claims`) |
| ``converted#<source>`` | raw key | its last conversion's outcome and outputs |
| ``landed#<source>`` | delivery id | the landing ledger: a claim while landing, then landed |
| ``ingest#<source>`` | ``lock`` | the source's ingestion in progress (a claim) |
| ``ingest#<source>`` | ``watermark`` | an API source's committed cursor |
| ``ingest#<source>`` | ``last`` | the source's last ingestion attempt: ok or failed, when, why |
| ``ingest#<source>`` | ``delivered`` | the newest raw object landed: its key and when (freshness) |
| ``run`` | run id | a pipeline run's record: running, then its computed status |
| ``lock#warehouse`` | ``build`` | the run building the warehouse (a claim) |
| ``lock#run`` | ``local`` | the local ``strata run`` in progress (a claim) |
| ``partition#<source>`` | ``<key>=<value>/`` | a cleansed partition's live folder and retired versions |
| ``lock#partition#<source>`` | ``<key>=<value>/`` | the writer of a partition's files (a claim) |
| ``compact#<source>`` | ``<key>=<value>/`` | a partition with new files, for the next compaction |
| ``retired#<source>`` | ``<when>#<prefix>`` | a replaced partition version, deleted after the grace period |
"""

from __future__ import annotations

RUN = "run"
WAREHOUSE_LOCK = ("lock#warehouse", "build")
LOCAL_RUN_LOCK = ("lock#run", "local")
INGEST_LOCK = "lock"
INGEST_WATERMARK = "watermark"
INGEST_LAST = "last"
INGEST_DELIVERED = "delivered"


def pending(source: str) -> str:
    return f"pending#{source}"


def conversion_claim(source: str) -> str:
    return f"claim#{source}"


def converted(source: str) -> str:
    return f"converted#{source}"


def landed(source: str) -> str:
    return f"landed#{source}"


def ingest(source: str) -> str:
    return f"ingest#{source}"


def partition(source: str) -> str:
    return f"partition#{source}"


def partition_lock(source: str) -> str:
    return f"lock#partition#{source}"


def compaction_queue(source: str) -> str:
    return f"compact#{source}"


def retired(source: str) -> str:
    return f"retired#{source}"
