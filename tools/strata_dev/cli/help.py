"""Subcommands with a one-line summary and an example, the way each ``--help`` shows them."""

from __future__ import annotations

import argparse
from typing import Any


def command(sub: Any, name: str, summary: str, example: str) -> argparse.ArgumentParser:
    """A subcommand with its one-line summary and an example under its options."""
    return sub.add_parser(  # type: ignore[no-any-return]
        name,
        help=summary,
        description=summary[0].upper() + summary[1:] + ".",
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
