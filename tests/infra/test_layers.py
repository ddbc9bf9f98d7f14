"""The Lambda layers ship what the library needs, at the versions the tests ran with."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROVIDED_BY_LAMBDA = {"boto3", "botocore"}


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            found[re.sub(r"[-_.]+", "-", name.lower())] = version
    return found


def layer_pins() -> dict[str, str]:
    merged: dict[str, str] = {}
    for requirements in sorted((REPO / "layers").glob("*/requirements.txt")):
        merged.update(pins(requirements))
    return merged


def test_layer_pins_match_the_lock_file():
    locked = pins(REPO / "requirements" / "constraints.txt")
    mismatched = {
        name: (version, locked.get(name))
        for name, version in layer_pins().items()
        if locked.get(name) != version
    }
    assert mismatched == {}, "layers/*/requirements.txt disagree with requirements/constraints.txt"


def test_every_library_dependency_is_in_a_layer_or_the_runtime():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    needed = {re.split(r"[<>=!\[ ]", spec)[0].lower() for spec in project["dependencies"]}
    needed = {re.sub(r"[-_.]+", "-", name) for name in needed}
    assert needed - set(layer_pins()) - PROVIDED_BY_LAMBDA == set()
