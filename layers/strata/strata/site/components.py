"""The chart components an analyst writes in a dashboard page, and what each one accepts.

A component is one tag, Evidence-style: ``<LineChart data={revenue} x=order_date y=revenue />``.
``data`` names a SQL query of the same page; the options that name columns are checked against
the columns that query returns (:mod:`strata.site.validate`), so a chart on a missing column
fails ``strata validate`` with the page and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FORMATS = frozenset(
    {"num", "num0", "num1", "num2", "pct", "pct0", "pct1", "eur", "usd", "gbp", "date", "text"}
)
AGGREGATES = frozenset({"first", "sum", "avg", "min", "max", "count"})


@dataclass(frozen=True)
class Kind:
    """One component: its options, which name columns, and which must be given."""

    tag: str
    kind: str  # what the browser script draws: line, bar, histogram, value, table, ...
    required: frozenset[str]
    options: frozenset[str]
    column_options: frozenset[str]  # options whose value is a column, or columns (y=a,b)
    inline: bool = False  # may stand inside a sentence (``<Value>``)
    filter: bool = False


def _kind(
    tag: str,
    kind: str,
    required: str,
    optional: str = "",
    columns: str = "",
    *,
    inline: bool = False,
    filter: bool = False,
) -> Kind:
    req = frozenset(required.split())
    return Kind(
        tag,
        kind,
        req,
        req | frozenset(optional.split()) | {"title"},
        frozenset(columns.split()),
        inline,
        filter,
    )


KINDS: dict[str, Kind] = {
    k.tag: k
    for k in (
        _kind("LineChart", "line", "data x y", "series fmt", "x y series"),
        _kind("BarChart", "bar", "data x y", "series fmt stacked horizontal", "x y series"),
        _kind("Histogram", "histogram", "data x", "bins fmt", "x"),
        _kind("BigValue", "value", "data value", "fmt agg", "value"),
        _kind("Value", "inline_value", "data value", "fmt agg", "value", inline=True),
        _kind("DataTable", "table", "data", "columns fmt status rows", "columns fmt status"),
        _kind("Dropdown", "dropdown", "data column", "", "column", filter=True),
        _kind("DateRange", "daterange", "data column", "", "column", filter=True),
    )
}

# ``name=value``, ``name="a value"``, ``name='a value'``, ``name={query}`` or a bare ``name``.
_ATTRIBUTE = re.compile(
    r"""\s*(?P<name>[A-Za-z_][\w-]*)
        (?:\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|\{(?P<ref>[^}]*)\}|(?P<bare>[^\s"'=<>`/]+)))?""",
    re.VERBOSE,
)
TAG = re.compile(
    r"<(?P<tag>[A-Z][A-Za-z]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*?)/>", re.DOTALL
)


@dataclass
class Component:
    """One component as written: its tag, options and the page line it starts on."""

    tag: str
    options: dict[str, str]
    line: int
    problems: list[str] = field(default_factory=list)

    @property
    def kind(self) -> Kind | None:
        return KINDS.get(self.tag)

    @property
    def data(self) -> str:
        return self.options.get("data", "")

    def columns(self) -> list[tuple[str, str]]:
        """(option, column) for every option that names columns (``y=a,b`` names two)."""
        kind = self.kind
        if kind is None:
            return []
        return [
            (option, column.strip())
            for option in sorted(kind.column_options & set(self.options))
            for column in re.split(r"[,\s]+", _columns_only(option, self.options[option]))
            if column.strip()
        ]

    def spec(self) -> dict[str, str]:
        """What the browser script needs to draw it."""
        assert self.kind is not None
        return {"kind": self.kind.kind, **self.options}


def _columns_only(option: str, value: str) -> str:
    # A DataTable's ``fmt`` reads ``column:format column:format``; the others list columns.
    if option == "fmt":
        return " ".join(pair.partition(":")[0] for pair in value.split())
    return value


def parse_component(text: str, line: int) -> Component:
    """A component tag's options, each problem named (unknown tag or option, missing option)."""
    match = TAG.fullmatch(text.strip())
    if match is None:
        return Component("?", {}, line, [f"not a component tag: {text.strip()[:60]!r}"])
    component = Component(match["tag"], {}, line)
    attrs = match["attrs"]
    position = 0
    while attrs[position:].strip():
        found = _ATTRIBUTE.match(attrs, position)
        if found is None or found.end() == position:
            component.problems.append(f"cannot read the options at {attrs[position:].strip()!r}")
            break
        value = next(
            (found[group] for group in ("dq", "sq", "ref", "bare") if found[group] is not None),
            "true",
        )
        if found["name"] == "data" and found["ref"] is None:
            component.problems.append(f"data must name a query in braces: data={{{value}}}")
        component.options[found["name"]] = value.strip()
        position = found.end()
    component.problems += option_problems(component)
    return component


def option_problems(component: Component) -> list[str]:
    kind = component.kind
    if kind is None:
        known = ", ".join(sorted(KINDS))
        return [f"unknown component <{component.tag}> (known: {known})"]
    problems = [
        f"<{component.tag}> needs {option}="
        for option in sorted(kind.required - set(component.options))
    ]
    problems += [
        f"<{component.tag}> has no option {option!r} (options: {', '.join(sorted(kind.options))})"
        for option in sorted(set(component.options) - kind.options)
    ]
    fmt = component.options.get("fmt")
    if fmt and component.tag != "DataTable" and fmt not in FORMATS:
        problems.append(f"fmt={fmt}: not a format (formats: {', '.join(sorted(FORMATS))})")
    if fmt and component.tag == "DataTable":
        for pair in fmt.split():
            _, _, name = pair.partition(":")
            if name not in FORMATS:
                problems.append(f"fmt={pair}: write column:format, a format of {sorted(FORMATS)}")
    agg = component.options.get("agg")
    if agg and agg not in AGGREGATES:
        problems.append(f"agg={agg}: one of {', '.join(sorted(AGGREGATES))}")
    for option in ("bins", "rows"):
        value = component.options.get(option)
        if value is not None and not value.isdigit():
            problems.append(f"{option}={value}: a whole number")
    return problems
