"""Local liveness: the owner is a process on this machine (``pid:<pid>@<host>``).

A killed ``strata run`` leaves claims whose process is gone; the next run sees that at once.
An owner on another host cannot be checked from here (None: its lease decides)."""

from __future__ import annotations

import os
import socket

from strata.liveness.base import Liveness
from strata.scratch import pid_alive

PREFIX = "pid:"


class ProcessLiveness(Liveness):
    def __init__(self, host: str | None = None, pid: int | None = None) -> None:
        self.host = host or socket.gethostname()
        self.pid = pid if pid is not None else os.getpid()

    def owner(self, execution_arn: str | None = None) -> str:
        # Locally every execution runs inside this process: the process is what lives or dies.
        return f"{PREFIX}{self.pid}@{self.host}"

    def is_alive(self, owner: str) -> bool | None:
        parsed = _parse(owner)
        if parsed is None or parsed[1] != self.host:
            return None
        return pid_alive(parsed[0])

    def describe(self, owner: str) -> str:
        parsed = _parse(owner)
        return owner if parsed is None else f"process {parsed[0]} on {parsed[1]}"


def _parse(owner: str) -> tuple[int, str] | None:
    if not owner.startswith(PREFIX):
        return None
    pid, _, host = owner.removeprefix(PREFIX).partition("@")
    return (int(pid), host) if pid.isdigit() and host else None
