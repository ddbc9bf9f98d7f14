#!/usr/bin/env python3
"""Check every Lambda function's deployment size (code + layers, unzipped) against 250 MB.

For each ``AWS::Serverless::Function`` in the SAM template the size is:

* its ``CodeUri`` folder (plus the packages of a ``requirements.txt`` in it, if any), and
* for each of its layers: the layer's ``ContentUri`` folder plus the packages of the layer's
  ``requirements.txt``.

Packages are installed the way ``sam build`` resolves them for Lambda (python3.12, arm64): binary
wheels only, for the manylinux platforms the Lambda runtime accepts, into a cache under
``.tools/pkgcache/`` keyed by a hash of the requirements file. Sizes are apparent sizes (the
sum of file sizes), which is what Lambda counts when it unzips.

The AWS SDK (boto3, botocore, s3transfer) is either left out of a layer entirely or pinned there
as a whole: a layer that ships botocore (aws-xray-sdk pulls it in) shadows the runtime's, so it
must also ship the matching boto3 and s3transfer, each pinned with ``==``.

Exit status: 0 when every function is below the limit; 1 when one is not, or when a layer ships
part of the SDK or an unpinned SDK package, or when packages cannot be resolved for the Lambda
platform; 2 on usage errors.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from strata_dev.deploy.template import load_template

REPO = Path(__file__).resolve().parent.parent
LIMIT_MB = 250.0
MB = 1024 * 1024
PYTHON_VERSION = "3.12"
# The platforms `sam build` (aws-lambda-builders) accepts for python3.12 on arm64: Lambda's
# Amazon Linux 2023 has glibc 2.34. manylinux2014 alone is not enough: duckdb 2.x publishes
# manylinux_2_28 aarch64 wheels only, and pip does not widen the platform list by itself.
PLATFORMS = (
    "manylinux2014_aarch64",
    "manylinux_2_17_aarch64",
    "manylinux_2_28_aarch64",
    "manylinux_2_34_aarch64",
)
# The AWS SDK, also provided by the Lambda Python runtime: a layer ships all of it, pinned, or
# none of it (half from the layer, half from the runtime would mix versions).
SDK = ("boto3", "botocore", "s3transfer")
# What `sam build` leaves out when it copies a source folder.
EXCLUDED_DIRS = {"__pycache__", ".git", ".venv", "venv", ".aws-sam", ".pytest_cache", ".mypy_cache"}
EXCLUDED_SUFFIXES = (".pyc",)


# ----------------------------------------------------------------------------- sizes
def tree_size(path: Path) -> int:
    """Apparent size in bytes of a file or folder, skipping what `sam build` does not copy."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    for item in path.rglob("*"):
        if any(part in EXCLUDED_DIRS for part in item.relative_to(path).parts):
            continue
        if item.is_file() and not item.is_symlink() and not item.name.endswith(EXCLUDED_SUFFIXES):
            total += item.stat().st_size
    return total


def requirement_names(requirements: Path) -> list[str]:
    names = []
    for raw in requirements.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
        if match:
            names.append(re.sub(r"[-_.]+", "-", match.group(0)).lower())
    return names


def pinned_names(requirements: Path) -> set[str]:
    """The packages a requirements file pins to one version (``name==version``)."""
    pinned = set()
    for raw in requirements.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^]]*\])?==[A-Za-z0-9.+!-]+", line)
        if match:
            pinned.add(re.sub(r"[-_.]+", "-", match.group(1)).lower())
    return pinned


def install_requirements(requirements: Path, cache_root: Path) -> Path:
    """Install a requirements file for Lambda python3.12/arm64 into a cached folder."""
    digest = hashlib.sha256()
    digest.update(requirements.read_bytes())
    digest.update("|".join((PYTHON_VERSION, *PLATFORMS)).encode())
    target = cache_root / digest.hexdigest()[:16]
    stamp = target / ".strata-complete"
    if stamp.exists():
        return target
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    command = [
        sys.executable, "-m", "pip", "install",
        "--quiet", "--disable-pip-version-check", "--no-compile",
        *[arg for platform in PLATFORMS for arg in ("--platform", platform)],
        "--implementation", "cp",
        "--python-version", PYTHON_VERSION,
        "--only-binary=:all:",
        "--target", str(target),
        "-r", str(requirements),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        details = "\n".join(
            line for line in (result.stderr + result.stdout).splitlines()
            if "is ignored: it is neither a file nor a directory" not in line
        )  # fmt: skip
        raise RuntimeError(
            f"pip could not install {show(requirements)} for Lambda "
            f"(python{PYTHON_VERSION}, arm64):\n{details.strip()}"
        )
    stamp.write_text(" ".join(command) + "\n", encoding="utf-8")
    return target


# ----------------------------------------------------------------------------- model
@dataclass
class Layer:
    logical_id: str
    source: Path
    source_bytes: int = 0
    packages_bytes: int = 0
    runtime_packages: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.source_bytes + self.packages_bytes


@dataclass
class Function:
    logical_id: str
    code: Path | None
    code_bytes: int = 0
    layers: list[Layer] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def layers_bytes(self) -> int:
        return sum(layer.total for layer in self.layers)

    @property
    def total(self) -> int:
        return self.code_bytes + self.layers_bytes


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _local_uri(value: Any, base: Path) -> Path | None:
    """A local CodeUri/ContentUri, relative to the template's folder as SAM resolves it."""
    if isinstance(value, str) and not value.startswith("s3://"):
        return (base / value).resolve()
    return None


def show(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


class Checker:
    def __init__(self, template_path: Path, cache_root: Path) -> None:
        self.template = load_template(template_path)
        self.base = template_path.parent
        self.cache_root = cache_root
        self.errors: list[str] = []
        self._packages: dict[Path, int] = {}
        self._layers: dict[str, Layer] = {}

    # a requirements.txt -> installed size (bytes), memoised per run
    def packages_size(self, folder: Path, owner: str) -> tuple[int, list[str]]:
        requirements = folder / "requirements.txt"
        if not requirements.is_file():
            return 0, []
        listed = [name for name in requirement_names(requirements) if name in SDK]
        pinned = pinned_names(requirements)
        if requirements not in self._packages:
            try:
                target = install_requirements(requirements, self.cache_root)
            except RuntimeError as exc:
                self.errors.append(str(exc))
                self._packages[requirements] = 0
                return 0, listed
            self._packages[requirements] = tree_size(target) - tree_size(
                target / ".strata-complete"
            )
            shipped = [name for name in SDK if (target / name).is_dir()]
            unpinned = [name for name in SDK if name not in pinned]
            if shipped and unpinned:
                self.errors.append(
                    f"{show(requirements)} ships {', '.join(shipped)} (they shadow the runtime's) "
                    f"but does not pin {', '.join(unpinned)} with ==: pin boto3, botocore and "
                    f"s3transfer together at requirements/constraints.txt's versions ({owner})."
                )
        return self._packages[requirements], listed

    def layer(self, logical_id: str) -> Layer | None:
        if logical_id in self._layers:
            return self._layers[logical_id]
        resource = self.template.get("Resources", {}).get(logical_id)
        if not resource or resource.get("Type") not in (
            "AWS::Serverless::LayerVersion",
            "AWS::Lambda::LayerVersion",
        ):
            return None
        props = resource.get("Properties", {})
        source = _local_uri(props.get("ContentUri") or props.get("Content"), self.base)
        if source is None:
            self.errors.append(f"layer {logical_id}: ContentUri is not a local folder")
            return None
        layer = Layer(logical_id, source)
        if not source.is_dir():
            self.errors.append(f"layer {logical_id}: folder {show(source)} is missing")
        else:
            layer.source_bytes = tree_size(source)
            layer.packages_bytes, layer.runtime_packages = self.packages_size(
                source, f"layer {logical_id}"
            )
        self._layers[logical_id] = layer
        return layer

    def functions(self) -> list[Function]:
        globals_fn = self.template.get("Globals", {}).get("Function", {}) or {}
        result = []
        for logical_id, resource in sorted(self.template.get("Resources", {}).items()):
            if resource.get("Type") != "AWS::Serverless::Function":
                continue
            props = resource.get("Properties", {}) or {}
            if props.get("PackageType") == "Image":
                continue
            code = _local_uri(props.get("CodeUri", globals_fn.get("CodeUri")), self.base)
            function = Function(logical_id, code)
            if code is None:
                function.notes.append("CodeUri not local")
            elif not code.is_dir():
                function.notes.append(f"{show(code)}/ missing")
            else:
                function.code_bytes = tree_size(code)
                packages, _ = self.packages_size(code, f"function {logical_id}")
                function.code_bytes += packages
            # SAM Globals: lists are additive (global layers first, then the function's).
            for ref in _as_list(globals_fn.get("Layers")) + _as_list(props.get("Layers")):
                if isinstance(ref, dict) and "Ref" in ref:
                    layer = self.layer(ref["Ref"])
                    if layer is not None:
                        function.layers.append(layer)
                        continue
                function.notes.append(f"layer {ref!r} not measured (not in this template)")
            result.append(function)
        return result


def render(functions: list[Function], limit_mb: float) -> str:
    header = (
        f"{'function':<24} {'code MB':>9} {'layers MB':>10} {'total MB':>9} {'limit':>6}  status"
    )
    lines = [header, "-" * len(header)]
    for fn in functions:
        status = "OK" if fn.total / MB < limit_mb else "TOO BIG"
        lines.append(
            f"{fn.logical_id:<24} {fn.code_bytes / MB:>9.2f} {fn.layers_bytes / MB:>10.2f} "
            f"{fn.total / MB:>9.2f} {limit_mb:>6.0f}  {status}"
            + (f"  ({'; '.join(fn.notes)})" if fn.notes else "")
        )
    layers = {layer.logical_id: layer for fn in functions for layer in fn.layers}
    if layers:
        lines.append("")
        lines.append(f"{'layer':<24} {'source MB':>9} {'packages MB':>11} {'total MB':>9}")
        for layer in sorted(layers.values(), key=lambda item: item.logical_id):
            lines.append(
                f"{layer.logical_id:<24} {layer.source_bytes / MB:>9.2f} "
                f"{layer.packages_bytes / MB:>11.2f} {layer.total / MB:>9.2f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--template", type=Path, default=REPO / "template.yaml")
    parser.add_argument("--cache-dir", type=Path, default=REPO / ".tools" / "pkgcache")
    parser.add_argument("--limit-mb", type=float, default=LIMIT_MB)
    args = parser.parse_args(argv)
    if not args.template.is_file():
        print(f"error: template {args.template} not found", file=sys.stderr)
        return 2

    checker = Checker(args.template.resolve(), args.cache_dir.resolve())
    functions = checker.functions()
    if not functions:
        print("error: no AWS::Serverless::Function in the template", file=sys.stderr)
        return 2
    print(render(functions, args.limit_mb))

    too_big = [fn for fn in functions if fn.total / MB >= args.limit_mb]
    for fn in too_big:
        checker.errors.append(
            f"{fn.logical_id}: {fn.total / MB:.1f} MB unzipped (code + layers) reaches Lambda's "
            f"{args.limit_mb:.0f} MB limit"
        )
    if checker.errors:
        print("", file=sys.stderr)
        for error in checker.errors:
            print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"\nall {len(functions)} functions are under {args.limit_mb:.0f} MB unzipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
