"""Selectors, dbt's syntax: names, +ancestors, descendants+, tag:, path:, source:, commas."""

from __future__ import annotations

import pytest

from strata.errors import ModelError
from strata.models import compile_for
from strata.models.selection import select
from strata.project import Project

# a → b → d, a → c (tagged), e alone; e reads the orders source directly too
FILES = {
    "dbt_project.yml": "name: p\nmodels:\n  p:\n    marts:\n      +tags: [marts]\n",
    "models/base/a.sql": "select * from {{ source('lake', 'orders') }}",
    "models/base/e.sql": "select * from {{ source('lake', 'orders') }}",
    "models/marts/b.sql": "select * from {{ ref('a') }}",
    "models/marts/c.sql": (
        "{{ config(tags=['finance'], materialized='table') }} select * from {{ ref('a') }}"
    ),
    "models/marts/d.sql": "select * from {{ ref('b') }}",
    "models/marts/schema.yml": (
        "models:\n  - name: b\n    columns:\n      - name: id\n        data_tests: [unique]\n"
    ),
    "tests/d_is_small.sql": "select * from {{ ref('d') }} where false",
}


@pytest.fixture
def compiled(ctx):
    project = Project(contracts=ctx.project.contracts, warehouse_files=FILES)
    return compile_for(project, ctx.settings)


@pytest.mark.parametrize(
    ("selectors", "exclude", "models"),
    [
        (None, None, ["a", "e", "b", "c", "d"]),
        (["b"], None, ["b"]),
        (["+d"], None, ["a", "b", "d"]),
        (["a+"], None, ["a", "b", "c", "d"]),
        (["+b+"], None, ["a", "b", "d"]),
        (["tag:finance"], None, ["c"]),
        (["tag:marts"], None, ["b", "c", "d"]),
        (["tag:marts,a+"], None, ["b", "c", "d"]),
        (["path:marts"], ["c"], ["b", "d"]),
        (["models/base"], None, ["a", "e"]),
        (["source:lake.orders"], None, ["a", "e"]),
        (["config.materialized:table"], None, ["c"]),
        (["b c", "e"], None, ["e", "b", "c"]),
        (["[bd]"], None, ["b", "d"]),
    ],
)
def test_selectors_pick_models_in_dependency_order(compiled, selectors, exclude, models):
    chosen = select(compiled, selectors, exclude)
    assert sorted(chosen.models, key=[m.name for m in compiled.models].index) == chosen.models
    assert chosen.models == models


def test_tests_follow_the_models_they_read(compiled):
    assert select(compiled, ["b"]).tests == ["unique_b_id"]
    assert select(compiled, ["d"]).tests == ["d_is_small"]
    only_test = select(compiled, ["d_is_small"])
    assert only_test.models == [] and only_test.tests == ["d_is_small"]


def test_a_selector_that_matches_nothing_or_an_unknown_method_is_an_error(compiled):
    with pytest.raises(ModelError, match="selector 'ghost' matches no model or test"):
        select(compiled, ["ghost"])
    with pytest.raises(ModelError, match="selector method 'access' is not supported"):
        select(compiled, ["access:public"])
    with pytest.raises(ModelError, match=r"'state:modified' needs the environment .* --state"):
        select(compiled, ["state:modified+"])
