"""The site's large browser files, apart from the Strata layer (only the site function needs
them): Cytoscape.js for the lineage graph, and in the Site layer also Plotly's
``plotly.min.js``, copied from the pinned plotly wheel when the layer is built
(``layers/site/Makefile``). Locally Plotly's bundle comes from the plotly package itself."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def asset(name: str) -> Path | None:
    """A file shipped here, or None when this install does not carry it."""
    found = Path(str(resources.files(__package__).joinpath(name)))
    return found if found.is_file() else None
