"""Evaluates CloudFormation condition and rule expressions over parameter values, for tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "Fn::Equals": lambda args: args[0] == args[1],
    "Fn::Not": lambda args: not args[0],
    "Fn::And": all,
    "Fn::Or": any,
    "Fn::Contains": lambda args: args[1] in args[0],
}


def evaluate(
    value: Any, ref: Callable[[str], Any], condition: Callable[[str], Any] | None = None
) -> Any:
    """``ref`` gives a parameter's value; ``condition`` a named condition's (templates only)."""
    if isinstance(value, dict) and len(value) == 1:
        ((name, args),) = value.items()
        if name == "Ref":
            return ref(args)
        if name == "Condition" and condition is not None:
            return condition(args)
        if name not in FUNCTIONS:
            raise AssertionError(f"unexpected function {name}")
        return FUNCTIONS[name]([evaluate(arg, ref, condition) for arg in args])
    if isinstance(value, list):
        return [evaluate(item, ref, condition) for item in value]
    return value
