"""The CLI's output: no escape codes where no terminal reads them; query rows for programs."""

from __future__ import annotations

import io
import json

from strata_dev.cli.commands import write_result
from strata_dev.console import Console


def test_an_error_brought_with_escape_codes_is_written_plain_off_a_terminal():
    errors = io.StringIO()
    Console(io.StringIO(), errors=errors).error("Unexpected token.\n  selec \x1b[4m1\x1b[0m")
    assert errors.getvalue() == "Error: Unexpected token.\n  selec 1\n"


def test_query_rows_as_csv_and_json_lines():
    out = io.StringIO()
    console = Console(out)
    write_result(console, ["a", "b"], [(1, "x,y"), (2, None)], "csv")
    assert out.getvalue() == 'a,b\n1,"x,y"\n2,\n'
    out.seek(0)
    out.truncate()
    write_result(console, ["a", "b"], [(1, "x,y")], "json")
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [{"a": 1, "b": "x,y"}]
