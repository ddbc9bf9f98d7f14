"""The Strata layer ships runtime code only: no CLI, local twin, template or docs generator.

`sam build` copies the layer's ContentUri folder as it is, so the folder is what ships. The
import check runs every runtime module and every function handler in a fresh interpreter that
refuses the developer tools and the local twin's libraries, as Lambda would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from strata_dev.deploy.template import load_template

REPO = Path(__file__).resolve().parents[2]
# What only a developer's machine has: the CLI and generators, and the local twin's libraries.
DEV_ONLY = ("strata_dev", "moto", "asyncssh", "pytest")

REFUSE_DEV_IMPORTS = """
import importlib, importlib.abc, pathlib, sys
DEV_ONLY = {dev_only!r}

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in DEV_ONLY:
            raise ImportError(f"{{name}} is not in the Lambda package")
        return None

sys.meta_path.insert(0, Refuse())
layer = pathlib.Path({layer!r})
for path in sorted(layer.rglob("*.py")):
    parts = path.relative_to(layer).with_suffix("").parts
    module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    importlib.import_module(module)
for app in {apps!r}:
    spec = importlib.util.spec_from_file_location("app_" + pathlib.Path(app).parent.name, app)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
print("imported", len(list(layer.rglob("*.py"))), "modules and", len({apps!r}), "handlers")
"""


def strata_layer() -> Path:
    resources = load_template(REPO / "template.yaml")["Resources"]
    return REPO / resources["StrataLayer"]["Properties"]["ContentUri"]


def shipped_files() -> list[str]:
    layer = strata_layer()
    return sorted(
        str(path.relative_to(layer))
        for path in layer.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


def test_the_strata_layer_holds_no_developer_tools():
    shipped = shipped_files()
    assert any(name.startswith("strata/lake/") for name in shipped)
    dev = [
        name
        for name in shipped
        if name.startswith(("strata_dev", "strata/cli/", "strata/local/", "strata/deploy/"))
        or name.endswith("contracts/docs.py")
    ]
    assert dev == []


def test_the_sites_browser_libraries_ship_in_the_site_layer_not_this_one():
    """Cytoscape.js and Plotly's bundle serve the site function alone (its Site layer)."""
    shipped = shipped_files()
    assert any(name.startswith("strata/site/") for name in shipped)
    heavy = [name for name in shipped if "cytoscape" in name or "plotly" in name.lower()]
    assert heavy == []
    layer = strata_layer()
    largest = max((layer / name).stat().st_size for name in shipped)
    assert largest < 100_000  # the largest file is code, not a vendored library


def test_every_runtime_module_and_handler_imports_without_the_developer_tools():
    apps = sorted(str(path) for path in (REPO / "functions").glob("*/app.py"))
    assert apps, "no function handlers found"
    script = REFUSE_DEV_IMPORTS.format(dev_only=DEV_ONLY, layer=str(strata_layer()), apps=apps)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PYTHONPATH": str(strata_layer()), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "handlers" in result.stdout
