"""``python -m strata_read.notebooks [notebook ...]``: execute notebooks headless (nbclient),
each in ``lake/notebooks/`` (its figures land there), keeping the executed copy there too;
the committed notebooks stay without outputs. Exits 1 at the first cell that fails, with the
cell's error."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from strata_read.connect import find_project

TIMEOUT_SECONDS = 600


def execute(notebook: Path, output_dir: Path, timeout: int = TIMEOUT_SECONDS) -> Path:
    """Run every cell of ``notebook`` with the working directory ``output_dir``; returns the
    executed copy (``output_dir/<name>``)."""
    import nbformat
    from nbclient import NotebookClient

    output_dir.mkdir(parents=True, exist_ok=True)
    document = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        document,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(output_dir)}},
    )
    try:
        client.execute()
    finally:
        executed = output_dir / notebook.name
        nbformat.write(document, executed)
    return executed


def has_outputs(notebook: Path) -> list[int]:
    """The indexes of the code cells that carry outputs or an execution count."""
    import nbformat

    document = nbformat.read(notebook, as_version=4)
    return [
        index
        for index, cell in enumerate(document.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]


def main(argv: list[str] | None = None) -> int:
    from nbclient.exceptions import CellExecutionError

    parser = argparse.ArgumentParser(prog="python -m strata_read.notebooks", description=__doc__)
    project = find_project(Path.cwd())
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=project / "lake" / "notebooks")
    options = parser.parse_args(argv)
    for notebook in options.notebooks or sorted((project / "notebooks").glob("*.ipynb")):
        try:
            executed = execute(notebook, options.out.resolve())
        except CellExecutionError as exc:
            print(f"Error: {notebook}: {exc}", file=sys.stderr)
            return 1
        print(f"{notebook} executed: {executed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
