"""Node selection, dbt's syntax: ``--select "stg_orders+ tag:daily +fct_orders"``.

A selector is one or more criteria joined by commas (intersection); several selectors,
separated by spaces, add up (union). A criterion is a model name (``*`` globs allowed),
``tag:<tag>``, ``path:<folder>``, ``source:<source>[.<table>]`` or
``config.materialized:<kind>``; a leading ``+`` adds its ancestors, a trailing ``+`` its
descendants. Tests follow the models they test (a test is selected when any model it reads
is), and a singular test can be selected by its name.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from strata.errors import ModelError
from strata.models.compiler import CompiledProject

_CRITERION = re.compile(r"^(?P<up>\+?)(?P<spec>[^+]+)(?P<down>\+?)$")


@dataclass(frozen=True)
class Selection:
    models: list[str]  # in dependency order
    tests: list[str]


def select(
    compiled: CompiledProject,
    selectors: list[str] | None = None,
    exclude: list[str] | None = None,
) -> Selection:
    all_models = [model.name for model in compiled.models]
    tokens = _tokens(selectors)
    chosen: set[str] = set()
    for token in tokens:
        chosen |= _match_selector(compiled, token)
    if not tokens:
        chosen = set(all_models) | {test.name for test in compiled.tests}
    excluded: set[str] = set()
    for token in _tokens(exclude):
        excluded |= _match_selector(compiled, token)
    models = [name for name in all_models if name in chosen - excluded]
    tests = [
        test.name
        for test in compiled.tests
        if test.name not in excluded and (test.name in chosen or set(test.depends_on) & set(models))
    ]
    return Selection(models=models, tests=tests)


def _tokens(selectors: list[str] | None) -> list[str]:
    return [token for selector in selectors or [] for token in selector.split()]


def _match_selector(compiled: CompiledProject, selector: str) -> set[str]:
    result: set[str] | None = None
    for criterion in selector.split(","):
        matched = _match_criterion(compiled, criterion)
        result = matched if result is None else result & matched
    return result or set()


def _match_criterion(compiled: CompiledProject, criterion: str) -> set[str]:
    match = _CRITERION.match(criterion)
    if not match:
        raise ModelError(f"cannot read selector {criterion!r}")
    spec = match["spec"]
    found = _match_spec(compiled, spec)
    if not found:
        raise ModelError(f"selector {criterion!r} matches no model or test")
    parents = {model.name: set(model.refs) for model in compiled.models}
    children: dict[str, set[str]] = {name: set() for name in parents}
    for name, refs in parents.items():
        for ref in refs:
            children.setdefault(ref, set()).add(name)
    models = found & set(parents)
    if match["up"]:
        found |= _closure(models, parents)
    if match["down"]:
        found |= _closure(models, children)
    return found


def _match_spec(compiled: CompiledProject, spec: str) -> set[str]:
    method, _, value = spec.rpartition(":")
    models = compiled.models
    if method == "tag":
        return {m.name for m in models if value in m.config.tags} | {
            t.name for t in compiled.tests if value in t.config.tags
        }
    if method == "path" or (not method and "/" in value):
        prefix = value.removeprefix("models/").rstrip("/")
        return {
            m.name
            for m in models
            if m.path.removeprefix("models/").startswith(prefix + "/")
            or m.path.removeprefix("models/") == prefix
            or m.path == value
        }
    if method == "source":
        source, _, table = value.partition(".")
        return {
            m.name
            for m in models
            if any(s == source and (not table or t == table) for s, t in m.sources)
        }
    if method == "config.materialized":
        return {m.name for m in models if m.materialized == value}
    if method:
        raise ModelError(
            f"selector method {method!r} is not supported "
            "(use a name, tag:, path:, source: or config.materialized:)"
        )
    names = [m.name for m in models] + [t.name for t in compiled.tests]
    return {name for name in names if fnmatch.fnmatchcase(name, value)}


def _closure(start: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(start)
    while stack:
        for other in edges.get(stack.pop(), set()):
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return seen
