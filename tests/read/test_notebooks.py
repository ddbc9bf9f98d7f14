"""The example notebooks: executed on the demo lake (they train, score every customer and
write the scores back), say what to run first on an empty lake, and are committed without
outputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def outputs(executed: Path) -> list[str]:
    import nbformat

    document = nbformat.read(executed, as_version=4)
    return [
        output.get("text", "")
        for cell in document.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream"
    ]


def test_the_churn_notebook_trains_scores_every_customer_and_writes_the_table(
    demo_project, tmp_path
):
    import strata_read
    from strata_read.notebooks import execute

    notebook = demo_project / "notebooks" / "churn_ltv.ipynb"
    notebook.parent.mkdir(exist_ok=True)
    shutil.copy(REPO / "notebooks" / "churn_ltv.ipynb", notebook)
    executed = execute(notebook, demo_project / "lake" / "notebooks")
    summary = json.loads(outputs(executed)[-1].strip().splitlines()[-1])
    lake = strata_read.connect(demo_project, env={})
    customers = lake.read("analytics.customer_lifetime_value", columns=["customer_id"])
    scores = lake.read("adhoc.customer_churn_scores")
    assert summary["table"] == "adhoc.customer_churn_scores"
    assert summary["customers_scored"] == len(customers) == len(scores) > 300
    assert set(scores["customer_id"]) == set(customers["customer_id"])
    assert scores["churn_risk"].between(0, 1).all() and scores["churn_risk"].nunique() > 10
    assert set(scores["segment"]) == {0, 1, 2, 3}
    assert summary["trained_on"] > 100
    assert summary["auc"] > 0.65  # the generated history carries signal the model finds
    figure = demo_project / "lake" / "notebooks" / summary["figure"]
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_on_an_empty_lake_the_notebook_says_what_to_run_first(tmp_path):
    from nbclient.exceptions import CellExecutionError

    from strata_read.notebooks import execute

    project = tmp_path / "project"
    for part in ("sources", "warehouse", "notebooks"):
        shutil.copytree(REPO / part, project / part)
    with pytest.raises(CellExecutionError, match=r"EmptyLakeError.*make demo"):
        execute(project / "notebooks" / "churn_ltv.ipynb", project / "lake" / "notebooks")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_committed_notebooks_carry_no_outputs(notebook):
    from strata_read.notebooks import has_outputs

    assert has_outputs(notebook) == [], (
        f"{notebook.relative_to(REPO)}: cells {has_outputs(notebook)} carry outputs or execution "
        "counts: clear them before committing (Jupyter: Edit > Clear Outputs of All Cells)"
    )


def test_the_outputs_check_fails_on_a_notebook_with_outputs(tmp_path):
    import nbformat
    from nbformat.v4 import new_output

    from strata_read.notebooks import has_outputs

    document = nbformat.read(REPO / "notebooks" / "churn_ltv.ipynb", as_version=4)
    code = [index for index, cell in enumerate(document.cells) if cell.cell_type == "code"]
    document.cells[code[1]].outputs = [new_output("stream", name="stdout", text="hello\n")]
    document.cells[code[2]].execution_count = 3
    nbformat.write(document, tmp_path / "dirty.ipynb")
    assert has_outputs(tmp_path / "dirty.ipynb") == code[1:3]
