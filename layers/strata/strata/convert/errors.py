"""Why a raw file as a whole cannot be converted (it goes to quarantine with the reason)."""

from __future__ import annotations


class FileRejected(Exception):
    """The file as a whole cannot be converted: it goes to quarantine with this reason."""


class EmptyFile(FileRejected):
    """A file without a byte: it holds no rows, for certain."""
