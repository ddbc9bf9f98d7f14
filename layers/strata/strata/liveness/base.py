"""The port: an owner identity for the current worker, and a liveness test for any owner."""

from __future__ import annotations

import abc


class Liveness(abc.ABC):
    @abc.abstractmethod
    def owner(self, execution_arn: str | None = None) -> str:
        """The identity a claim records for the current worker. ``execution_arn`` is the
        state machine execution the worker serves, when it serves one."""

    @abc.abstractmethod
    def is_alive(self, owner: str) -> bool | None:
        """True or False when this runtime can tell; None when only a lease can tell."""

    def describe(self, owner: str) -> str:
        """The owner in words, for messages (``process 4242 on host``)."""
        return owner


class LeaseOnly(Liveness):
    """No liveness test: a claim binds until its lease runs out (the behaviour before liveness
    existed, kept for callers that have no port at hand)."""

    def owner(self, execution_arn: str | None = None) -> str:
        return execution_arn or "lease-only"

    def is_alive(self, owner: str) -> bool | None:
        return None
