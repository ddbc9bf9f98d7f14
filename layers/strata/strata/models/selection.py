"""Node selection, dbt's syntax: ``--select "stg_orders+ tag:daily +fct_orders"``.

A selector is one or more criteria joined by commas (intersection); several selectors,
separated by spaces, add up (union). A criterion is a model name (``*`` globs allowed),
``tag:<tag>``, ``path:<folder>``, ``source:<source>[.<table>]``,
``config.materialized:<kind>`` or ``state:modified`` / ``state:new`` (against an
environment's recorded build, see :mod:`strata.models.state`); a leading ``+`` adds its
ancestors, a trailing ``+`` its descendants. Tests follow the models they test (a test is
selected when any model it reads is), and a singular test can be selected by its name.
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
    state: StateComparison | None = None,
) -> Selection:
    """``state``: what ``state:`` criteria compare with (``None``: they are refused)."""
    all_models = [model.name for model in compiled.models]
    tokens = _tokens(selectors)
    graph = _Graph(compiled, state)
    chosen: set[str] = set()
    for token in tokens:
        chosen |= graph.match_selector(token)
    if not tokens:
        chosen = set(all_models) | {test.name for test in compiled.tests}
    excluded: set[str] = set()
    for token in _tokens(exclude):
        excluded |= graph.match_selector(token)
    models = [name for name in all_models if name in chosen - excluded]
    tests = [
        test.name
        for test in compiled.tests
        if test.name not in excluded and (test.name in chosen or set(test.depends_on) & set(models))
    ]
    return Selection(models=models, tests=tests)


def _tokens(selectors: list[str] | None) -> list[str]:
    return [token for selector in selectors or [] for token in selector.split()]


@dataclass(frozen=True)
class StateComparison:
    """The models ``state:`` selects: changed since an environment's recorded build."""

    environment: str
    modified: set[str]  # new, changed, or failed there
    new: set[str]  # never built there


class _Graph:
    """The project's edges, computed once for every criterion of a selection."""

    def __init__(self, compiled: CompiledProject, state: StateComparison | None) -> None:
        self.compiled = compiled
        self.state = state
        self.parents = {model.name: set(model.refs) for model in compiled.models}
        self.children: dict[str, set[str]] = {name: set() for name in self.parents}
        for name, refs in self.parents.items():
            for ref in refs:
                self.children.setdefault(ref, set()).add(name)

    def match_selector(self, selector: str) -> set[str]:
        result: set[str] | None = None
        for criterion in selector.split(","):
            matched = self.match_criterion(criterion)
            result = matched if result is None else result & matched
        return result or set()

    def match_criterion(self, criterion: str) -> set[str]:
        match = _CRITERION.match(criterion)
        if not match:
            raise ModelError(f"cannot read selector {criterion!r}")
        spec = match["spec"]
        if spec.startswith("state:"):
            found = self.match_state(spec.removeprefix("state:"))
        else:
            found = _match_spec(self.compiled, spec)
            if not found:
                raise ModelError(f"selector {criterion!r} matches no model or test")
        models = found & set(self.parents)
        if match["up"]:
            found |= _closure(models, self.parents)
        if match["down"]:
            found |= _closure(models, self.children)
        return found

    def match_state(self, value: str) -> set[str]:
        """May match nothing: an unchanged project is not an error."""
        if self.state is None:
            raise ModelError(
                f"selector 'state:{value}' needs the environment to compare with: "
                "add --state prod (or another environment with a recorded build)"
            )
        if value == "modified":
            return set(self.state.modified)
        if value == "new":
            return set(self.state.new)
        raise ModelError(f"selector 'state:{value}': use state:modified or state:new")


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
            "(use a name, tag:, path:, source:, config.materialized: or state:)"
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
