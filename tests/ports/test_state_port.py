"""Behaviour every StateStore shares, run against SQLite and DynamoDB (moto)."""

from __future__ import annotations

import threading

import pytest

from strata.errors import ConditionFailedError


def test_get_of_a_missing_item_returns_none(state):
    assert state.get("ledger#orders", "a.csv") is None


def test_put_then_get_returns_the_item(state):
    state.put("ledger#orders", "a.csv", {"status": "landed", "size": 12})

    assert state.get("ledger#orders", "a.csv") == {"status": "landed", "size": 12}
    assert state.get("ledger#orders", "b.csv") is None
    assert state.get("ledger#other", "a.csv") is None


def test_put_overwrites_the_whole_item(state):
    state.put("p", "s", {"status": "landing", "attempt": 1})
    state.put("p", "s", {"status": "landed"})

    assert state.get("p", "s") == {"status": "landed"}


def test_put_if_absent_writes_a_new_item(state):
    state.put("claims", "k", {"owner": "run-1"}, if_absent=True)

    assert state.get("claims", "k") == {"owner": "run-1"}


def test_put_if_absent_on_an_existing_item_raises_and_keeps_it(state):
    state.put("claims", "k", {"owner": "run-1"})

    with pytest.raises(ConditionFailedError):
        state.put("claims", "k", {"owner": "run-2"}, if_absent=True)

    assert state.get("claims", "k") == {"owner": "run-1"}


def test_query_returns_the_partition_items_with_the_prefix_in_sort_key_order(state):
    for sk in ["2024-01-03#c", "2024-01-01#a", "2023-12-31#z", "2024-01-02#b", "2024-1"]:
        state.put("pending#orders", sk, {"key": sk})
    state.put("pending#other", "2024-01-01#x", {"key": "other"})

    everything = state.query("pending#orders")
    january = state.query("pending#orders", "2024-01-")

    assert [item["key"] for item in everything] == [
        "2023-12-31#z",
        "2024-01-01#a",
        "2024-01-02#b",
        "2024-01-03#c",
        "2024-1",
    ]
    assert [item["key"] for item in january] == ["2024-01-01#a", "2024-01-02#b", "2024-01-03#c"]
    assert state.query("pending#orders", "2025") == []
    assert state.query("pending#nobody") == []


def test_query_treats_like_and_glob_characters_in_the_prefix_literally(state):
    state.put("p", "a%b", {"n": 1})
    state.put("p", "a_b", {"n": 2})
    state.put("p", "axb", {"n": 3})
    state.put("p", "a*b", {"n": 4})

    assert state.query("p", "a%") == [{"n": 1}]
    assert state.query("p", "a_") == [{"n": 2}]
    assert state.query("p", "a*") == [{"n": 4}]


def test_query_orders_sort_keys_by_their_bytes(state):
    for sk in ["b", "B", "a", "é", "Z", "10", "9"]:
        state.put("p", sk, {"key": sk})

    assert [item["key"] for item in state.query("p")] == ["10", "9", "B", "Z", "a", "b", "é"]


def test_query_pages_through_a_large_partition(state):
    padding = "x" * 2000  # ~2 KB items: more than one 1 MB DynamoDB page
    for index in range(700):
        state.put("big", f"{index:05d}", {"n": index, "pad": padding})

    items = state.query("big")

    assert [item["n"] for item in items] == list(range(700))


def test_delete_removes_the_item_and_is_idempotent(state):
    state.put("p", "s1", {"v": 1})
    state.put("p", "s2", {"v": 2})

    state.delete("p", "s1")
    state.delete("p", "s1")
    state.delete("p", "never")

    assert state.get("p", "s1") is None
    assert state.query("p") == [{"v": 2}]


def test_nested_values_round_trip_with_their_types(state):
    item = {
        "count": 3,
        "big": 2**53 + 1,
        "negative": -7,
        "ratio": 0.25,
        "whole_float": 2.0,
        "flag": True,
        "off": False,
        "nothing": None,
        "empty_text": "",
        "text": "naïve ✓",
        "list": [1, "two", None, [3.5, {"deep": False}]],
        "empty_list": [],
        "map": {"a": {"b": {"c": [0]}}, "empty": {}},
    }

    state.put("p", "s", item)
    got = state.get("p", "s")

    assert got == item
    assert type(got["count"]) is int
    assert type(got["big"]) is int
    assert type(got["ratio"]) is float
    assert type(got["whole_float"]) is float
    assert type(got["flag"]) is bool
    assert type(got["list"][3][0]) is float
    assert state.query("p") == [item]


@pytest.mark.parametrize("reserved", ["pk", "sk"])
def test_items_may_not_carry_the_key_attribute_names(state, reserved):
    with pytest.raises(ValueError, match=reserved):
        state.put("p", "s", {reserved: "x"})
    assert state.get("p", "s") is None


def test_concurrent_put_if_absent_from_8_threads_has_exactly_one_winner(state):
    from strata.state.sqlite import SQLiteStateStore

    if not isinstance(state, SQLiteStateStore):
        pytest.skip(
            "DynamoDB's conditional writes are atomic by contract; moto checks the condition "
            "and writes in two steps without a lock, so under load this would test moto"
        )
    barrier = threading.Barrier(8)
    winners: list[int] = []
    losers: list[int] = []
    errors: list[BaseException] = []

    def claim(worker: int) -> None:
        barrier.wait()
        try:
            state.put("claims", "object-1", {"worker": worker}, if_absent=True)
            winners.append(worker)
        except ConditionFailedError:
            losers.append(worker)
        except BaseException as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=claim, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(winners) == 1
    assert sorted(winners + losers) == list(range(8))
    assert state.get("claims", "object-1") == {"worker": winners[0]}


def test_put_if_match_replaces_only_while_the_attribute_holds_the_value(state):
    state.put("claim#orders", "k", {"token": "t1", "run_id": "run-1"})

    state.put("claim#orders", "k", {"token": "t2", "run_id": "run-2"}, if_match=("token", "t1"))
    with pytest.raises(ConditionFailedError):
        state.put("claim#orders", "k", {"token": "t3", "run_id": "run-3"}, if_match=("token", "t1"))

    assert state.get("claim#orders", "k") == {"token": "t2", "run_id": "run-2"}


def test_put_if_match_on_a_missing_item_raises(state):
    with pytest.raises(ConditionFailedError):
        state.put("claim#orders", "gone", {"token": "t2"}, if_match=("token", "t1"))

    assert state.get("claim#orders", "gone") is None


def test_delete_if_match_keeps_an_item_that_changed_hands(state):
    state.put("claim#orders", "k", {"token": "t2"})

    state.delete("claim#orders", "k", if_match=("token", "t1"))
    assert state.get("claim#orders", "k") == {"token": "t2"}
    state.delete("claim#orders", "k", if_match=("token", "t2"))
    assert state.get("claim#orders", "k") is None
