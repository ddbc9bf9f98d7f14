"""The pipeline's Site step: build the site and publish it to the site bucket (a private S3
bucket on AWS, the folder ``lake/site`` locally: ``ctx.ports.site``), then record the outcome
in the run's report.

The same code runs in the Site Lambda and in the local twin's Site state. The build happens in
a scratch folder (Lambda's ``/tmp``), then every file is copied to the bucket: assets first,
then the pages, the dashboards' index, and the build's fingerprint last, so a reader never
finds a page whose script is missing; a file whose bytes did not change is not sent again
(``plotly.min.js`` is 4.8 MB). A run that changed nothing finds the bucket's fingerprint equal
to its own and publishes nothing. A site failure is recorded as a warning in the report and
never raised: the data the run loaded stays loaded.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import time
from pathlib import Path, PurePosixPath
from typing import Any

from strata.lake.payloads import SiteOutput
from strata.runtime import Context
from strata.scratch import scratch_dir
from strata.site.build import FINGERPRINT, SiteBuild, build_site, dashboard_files, fingerprint
from strata.storage.base import ObjectStore

# A page is uploaded after what it loads; the index after the pages; the fingerprint last.
INDEX = "index.html"
# What each published file held (its SHA-256), beside the fingerprint; never a page.
MANIFEST = ".files.json"
JSON = "application/json"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".LICENSE": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


def content_type(key: str) -> str:
    """What a browser is told a site file is (S3 would say ``binary/octet-stream``)."""
    suffix = PurePosixPath(key).suffix
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def published_inputs(store: ObjectStore) -> str | None:
    """The fingerprint of the site in the bucket, or None when there is no whole site there."""
    if not store.exists(INDEX) or not store.exists(FINGERPRINT):
        return None
    try:
        return str(json.loads(store.get_bytes(FINGERPRINT))["inputs"])
    except (ValueError, KeyError, TypeError):
        return None


def publish_site(ctx: Context, *, deadline: float | None = None) -> SiteBuild:
    """Build the site unless the bucket holds a build of the same inputs, and publish it.
    ``deadline`` (``time.monotonic()``) bounds the warehouse queries of the dashboards."""
    started = time.perf_counter()
    store = ctx.ports.site
    inputs = fingerprint(ctx, dashboard_files(ctx))
    if published_inputs(store) == inputs:
        pages = json.loads(store.get_bytes(FINGERPRINT)).get("pages", [])
        seconds = time.perf_counter() - started
        return SiteBuild(Path(store.uri()), pages=pages, reused=True, seconds=seconds)
    with scratch_dir("site") as work:
        build = build_site(ctx, work / "site", force=True, deadline=deadline)
        sync(build.out_dir, store)
    build.out_dir = Path(store.uri())
    build.seconds = time.perf_counter() - started
    return build


def sync(folder: Path, store: ObjectStore) -> list[str]:
    """Make the bucket hold exactly ``folder``'s files; returns the keys sent. What each file
    held when last sent is kept in the bucket (``MANIFEST``): an S3 ETag is no digest of the
    bytes under SSE-KMS, so it cannot tell."""
    previous = _manifest(store)
    files = {path.relative_to(folder).as_posix(): path for path in folder.rglob("*")}
    keys = sorted((key for key, path in files.items() if path.is_file()), key=_upload_order)
    digests: dict[str, str] = {}
    sent = []
    for key in keys:
        data = files[key].read_bytes()
        digests[key] = hashlib.sha256(data).hexdigest()
        if key != FINGERPRINT and previous.get(key) == digests[key] and store.exists(key):
            continue
        if key == FINGERPRINT:  # the manifest first: a crash after it re-sends, never skips
            store.put_bytes(MANIFEST, json.dumps(digests).encode(), content_type=JSON)
        store.put_bytes(key, data, content_type=content_type(key))
        sent.append(key)
    stale = {info.key for info in store.list()} - set(keys) - {MANIFEST}
    for key in sorted(stale):
        store.delete(key)
    return sent


def _manifest(store: ObjectStore) -> dict[str, str]:
    if not store.exists(MANIFEST):
        return {}
    try:
        found = json.loads(store.get_bytes(MANIFEST))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _upload_order(key: str) -> tuple[int, str]:
    if key == FINGERPRINT:
        return 3, key
    if key == INDEX:
        return 2, key
    return (1 if key.endswith(".html") else 0), key


def publish_after_run(
    ctx: Context, report_key: str | None, *, deadline: float | None = None
) -> SiteOutput:
    """The Site step: publish the site, record the outcome in the run's report under
    ``site``, and never raise (a failed build is a warning; the run's verdict stands)."""
    try:
        build = publish_site(ctx, deadline=deadline)
        record: dict[str, Any] = {
            "status": "reused" if build.reused else "built",
            "pages": len(build.pages),
            "seconds": round(build.seconds, 2),
            "problems": [str(problem) for problem in build.problems],
            "notes": build.notes,
            "location": ctx.ports.site.uri(),
        }
    except Exception as exc:  # whatever breaks the site must not fail the run
        record = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
    if report_key and ctx.ports.artifacts.exists(report_key):
        report = json.loads(ctx.ports.artifacts.get_bytes(report_key))
        report["site"] = record
        ctx.ports.artifacts.put_bytes(
            report_key, json.dumps(report, indent=2, default=str).encode()
        )
    return SiteOutput(
        status=record["status"],
        pages=record.get("pages", 0),
        problems=len(record.get("problems", [])),
        seconds=record.get("seconds", 0.0),
        error=record.get("error"),
        location=record.get("location", ""),
    )
