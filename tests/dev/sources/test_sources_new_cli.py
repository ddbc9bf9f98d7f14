"""``strata sources new`` in a copy of the project: the contract, the staging model and the
generated files are written and `strata validate` passes; an existing contract is kept unless
``--force``; a sample that cannot be read is one clear error."""

from __future__ import annotations

import gzip

import infer_samples
from infer_helpers import write

from strata_dev.cli.main import main


def strata(project_dir, *argv: str) -> int:
    return main(["--project-dir", str(project_dir), *argv])


def test_new_source_writes_contract_model_and_generated_files_and_validates(
    project_dir, tmp_path, capsys
):
    sample = write(tmp_path / "orders.csv", infer_samples.orders_csv(rows=50))
    code = strata(
        project_dir, "sources", "new", "shop_orders", "--kind", "s3_drop", "--sample",
        str(sample), "--owner", "shop@example.com", "--description", "Web-shop orders.",
        "--timezone", "Europe/Paris",
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "wrote sources/shop_orders.yaml" in out
    assert "updated template.yaml" in out
    assert "updated warehouse/models/_sources.yml" in out
    assert "nothing to review" in out
    model = project_dir / "warehouse/models/stage/stg_shop_orders.sql"
    assert "{{ source('lake', 'shop_orders') }}" in model.read_text()
    schema = (project_dir / "warehouse/models/stage/stg_shop_orders.yml").read_text()
    assert "- not_null\n    - unique" in schema
    # The source's landing prefix is granted in the template's per-source section.
    assert "/shop_orders/*" in (project_dir / "template.yaml").read_text()
    assert strata(project_dir, "validate") == 0, capsys.readouterr().out


def test_an_existing_contract_is_kept_without_force(project_dir, tmp_path, capsys):
    sample = write(tmp_path / "orders.csv", infer_samples.orders_csv(rows=20))
    contract = project_dir / "sources" / "orders.yaml"
    before = contract.read_text()
    argv = ["sources", "new", "orders", "--kind", "s3_drop", "--sample", str(sample)]
    assert strata(project_dir, *argv) == 2
    assert "sources/orders.yaml" in capsys.readouterr().err
    assert contract.read_text() == before
    model = project_dir / "warehouse/models/stage/stg_orders.sql"
    sql = model.read_text()
    assert strata(project_dir, *argv, "--force") == 0
    assert contract.read_text() != before
    assert "kept warehouse/models/stage/stg_orders.sql" in capsys.readouterr().out
    assert model.read_text() == sql  # the analysts' model is theirs
    assert not (project_dir / "warehouse/models/stage/stg_orders.yml").exists()


def test_unreadable_samples_are_one_clear_error(project_dir, tmp_path, capsys):
    cases = {
        "missing.csv": None,
        "empty.csv": b"",
        "broken.csv.gz": gzip.compress(b"id,name\n1,a\n")[:12],
        "broken.json": b'{"data": [{"id": 1}',
        "old.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
    }
    for name, data in cases.items():
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
        argv = ["sources", "new", "things", "--kind", "s3_drop", "--sample", str(path)]
        assert strata(project_dir, *argv) == 1
        err = capsys.readouterr().err
        assert f"{path}: cannot infer a contract: " in err, err
        assert "Traceback" not in err
    assert not (project_dir / "sources" / "things.yaml").exists()
