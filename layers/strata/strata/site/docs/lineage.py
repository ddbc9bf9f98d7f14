"""The lineage graph: source → raw → cleansed → stage → analytics → dashboard.

Edges come from the contracts (a source lands in its raw prefix, converted into its cleansed
table), the compiled models (``source()`` and ``ref()``) and the dashboards' queries. Each node
gets a column (``rank``: the longest path from a source, so a model built on another sits to its
right) and a place in it (``order``: a few sweeps of the barycenter heuristic, which keeps edges
short), so the browser lays out any part of the graph without a layout engine.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from graphlib import TopologicalSorter
from typing import Any

from strata.site.docs.model import DashboardDoc, Docs
from strata.site.meta import SCHEMA as META_SCHEMA

SWEEPS = 4


@dataclass
class Node:
    id: str
    label: str
    kind: str  # source | raw | cleansed | stage | analytics | adhoc | model | reports | dashboard
    href: str  # relative to the docs' root
    detail: str = ""
    rank: int = 0
    order: int = 0


@dataclass
class Lineage:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)

    def add(self, node: Node) -> None:
        self.nodes[node.id] = node

    def link(self, upstream: str, downstream: str) -> None:
        """An edge between two documented nodes, once (a relation read twice is one edge)."""
        known = upstream in self.nodes and downstream in self.nodes
        if known and (upstream, downstream) not in self.edges:
            self.edges.append((upstream, downstream))

    def upstream(self, node: str) -> list[str]:
        return [a for a, b in self.edges if b == node]

    def downstream(self, node: str) -> list[str]:
        return [b for a, b in self.edges if a == node]

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": [asdict(node) for node in self.nodes.values()],
            "edges": [{"source": a, "target": b} for a, b in self.edges],
        }


def node_id(kind: str, name: str) -> str:
    """``source:orders``, ``raw:orders``, ``cleansed:orders``, ``model:stg_orders``,
    ``dashboard:overview``: also the lineage page's address of a node (``#focus=<id>``)."""
    return f"{kind}:{name}"


def build_lineage(docs: Docs) -> Lineage:
    graph = Lineage()
    for node in _nodes(docs):
        graph.add(node)
    for upstream, downstream in _edges(docs):
        graph.link(upstream, downstream)
    _rank(graph)
    _order(graph)
    return graph


def _nodes(docs: Docs) -> list[Node]:
    nodes = []
    for source in docs.sources.values():
        page = href_of("source", source.name)
        nodes.append(Node(node_id("source", source.name), source.name, "source", page, source.kind))
        label = f"raw/{source.name}"
        nodes.append(
            Node(node_id("raw", source.name), label, "raw", page + "#raw", "bytes as received")
        )
    for table in docs.tables.values():
        page = href_of("table", table.name)
        nodes.append(
            Node(node_id("cleansed", table.name), table.relation, "cleansed", page, "Parquet")
        )
    for model in docs.models.values():
        page = href_of("model", model.name)
        nodes.append(
            Node(node_id("model", model.name), model.name, model.layer, page, model.materialized)
        )
    if any(reads_reports(dashboard) for dashboard in docs.dashboards.values()):
        # The run reports (strata_meta.*) count every source's files, rows and tests: the
        # data-quality dashboard hangs on them, and they on every cleansed table.
        detail = f"{META_SCHEMA}.*, from every run's report"
        nodes.append(Node(REPORTS, "run reports", "reports", "index.html", detail))
    for dashboard in docs.dashboards.values():
        page = href_of("dashboard", dashboard.name)
        node = Node(
            node_id("dashboard", dashboard.name), dashboard.title, "dashboard", page, dashboard.path
        )
        nodes.append(node)
    return nodes


def _edges(docs: Docs) -> list[tuple[str, str]]:
    edges = []
    for source in docs.sources.values():
        edges.append((node_id("source", source.name), node_id("raw", source.name)))
        edges.append((node_id("raw", source.name), node_id("cleansed", source.name)))
    for model in docs.models.values():
        edges += [
            (node_id("cleansed", table), node_id("model", model.name)) for table in model.sources
        ]
        edges += [(node_id("model", parent), node_id("model", model.name)) for parent in model.refs]
    if any(reads_reports(page) for page in docs.dashboards.values()):
        edges += [(node_id("cleansed", table), REPORTS) for table in docs.tables]
    for page in docs.dashboards.values():
        if reads_reports(page):
            edges.append((REPORTS, node_id("dashboard", page.name)))
        edges += [
            (node_id("cleansed", table), node_id("dashboard", page.name)) for table in page.tables
        ]
        edges += [
            (node_id("model", model), node_id("dashboard", page.name)) for model in page.models
        ]
    return edges


# The run reports' node: what the data-quality dashboard reads (``strata_meta.*``).
REPORTS = node_id("reports", "runs")


def reads_reports(dashboard: DashboardDoc) -> bool:
    return any(relation.startswith(META_SCHEMA + ".") for relation in dashboard.other)


# Where each kind of node is documented, relative to the docs' root.
FOLDERS = {"source": "sources", "table": "tables", "model": "models", "dashboard": "dashboards"}


def href_of(kind: str, name: str) -> str:
    return f"{FOLDERS[kind]}/{name}.html"


def _rank(graph: Lineage) -> None:
    """Longest path from a root; dashboards all in the last column, after every model."""
    parents: dict[str, set[str]] = {node: set() for node in graph.nodes}
    for upstream, downstream in graph.edges:
        parents[downstream].add(upstream)
    for node in TopologicalSorter(parents).static_order():
        ups = [graph.nodes[parent].rank + 1 for parent in parents[node]]
        graph.nodes[node].rank = max(ups, default=0)
    last = max((n.rank for n in graph.nodes.values() if n.kind != "dashboard"), default=0)
    for node in graph.nodes.values():
        if node.kind == "dashboard":
            node.rank = last + 1
        elif node.kind == "source":
            node.rank = 0


def _order(graph: Lineage) -> None:
    """Place each column's nodes near the mean place of their neighbours, sweeping right then
    left a few times (Sugiyama's barycenter heuristic)."""
    columns: dict[int, list[str]] = {}
    for node in sorted(graph.nodes.values(), key=lambda n: (n.kind, n.label)):
        columns.setdefault(node.rank, []).append(node.id)
    place = {node: index for column in columns.values() for index, node in enumerate(column)}
    ups: dict[str, list[str]] = {node: [] for node in graph.nodes}
    downs: dict[str, list[str]] = {node: [] for node in graph.nodes}
    for upstream, downstream in graph.edges:
        ups[downstream].append(upstream)
        downs[upstream].append(downstream)
    ranks = sorted(columns)
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 0
        neighbours = ups if forward else downs
        for rank in ranks if forward else reversed(ranks):
            column = columns[rank]
            column.sort(key=lambda node: _barycenter(node, neighbours[node], place))
            place.update({node: index for index, node in enumerate(column)})
    for node, index in place.items():
        graph.nodes[node].order = index


def _barycenter(node: str, neighbours: list[str], place: dict[str, int]) -> float:
    if not neighbours:
        return float(place[node])
    return sum(place[other] for other in neighbours) / len(neighbours)
