"""Strata: a serverless data lake that also runs, whole, on one laptop."""

__version__ = "0.1.0"
