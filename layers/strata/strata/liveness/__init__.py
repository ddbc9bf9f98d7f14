"""Liveness port: who is working, and is that worker still alive?

A claim records its owner; a later run asks this port whether the owner still lives, and takes
the claim over at once when it does not, instead of waiting for a lease to run out."""

from strata.liveness.base import Liveness

__all__ = ["Liveness"]
