"""``strata sources new``: a contract and a staging model written from a sample.

Core code: nothing here prints; the CLI shows what :func:`new_source` returns."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from strata.contracts.model import SNAKE_CASE
from strata.errors import ConfigError, UsageError
from strata.secrets.base import SecretStore
from strata_dev.sources import api, render, staging
from strata_dev.sources.guess import Inference, Note
from strata_dev.sources.infer import infer_sample
from strata_dev.sources.sample import Sample, open_sample

KINDS = ("s3_drop", "manual", "sftp", "api")


@dataclass
class NewSource:
    """What the command was asked."""

    name: str
    kind: str
    sample: str  # a file path, or an http(s) URL with kind api
    timezone: str | None = None
    sheet: str | None = None
    description: str | None = None
    owner: str | None = None
    force: bool = False
    auth: dict[str, Any] = field(default_factory=lambda: {"type": "none"})
    pagination: dict[str, Any] | None = None  # None: as the response suggests
    sftp: dict[str, Any] = field(default_factory=dict)  # host, username, secret, path
    params: dict[str, str] = field(default_factory=dict)  # fixed query parameters of an API


@dataclass
class Written:
    contract: Path
    models: list[Path]  # the staging model's files written
    kept: list[Path]  # an existing model of the same name, left as it is
    inference: Inference
    flagged: list[tuple[int, str]]  # (line in the contract, review comment)


def new_source(request: NewSource, project_dir: Path, secrets: SecretStore) -> Written:
    """Infers the contract, checks it, and writes it with its staging model. An existing
    contract is replaced only with ``force``; an existing model of the name, never (the
    analysts' SQL: the new one would be a second model of the same name)."""
    _check_request(request)
    contract_path = project_dir / "sources" / f"{request.name}.yaml"
    if contract_path.exists() and not request.force:
        shown = contract_path.relative_to(project_dir)
        raise UsageError(f"{shown} already exists: pass --force to replace it")
    with tempfile.TemporaryDirectory(prefix="strata-infer-") as folder:
        scratch = Path(folder)
        head_block, inference = _infer(request, secrets, scratch)
    text = render.contract_yaml(inference, _header(request), head_block)
    _validate(text, contract_path.name)
    contract_path.parent.mkdir(parents=True, exist_ok=True)
    contract_path.write_text(text, encoding="utf-8")
    kept = sorted((project_dir / "warehouse" / "models").rglob(f"stg_{request.name}.sql"))
    if kept:
        return Written(contract_path, [], kept, inference, render.flagged_lines(text))
    sql_file, yaml_file = (project_dir / path for path in staging.model_paths(request.name))
    sql_file.parent.mkdir(parents=True, exist_ok=True)
    sql_file.write_text(staging.model_sql(inference), encoding="utf-8")
    description = head_block["description"][0]
    yaml_file.write_text(staging.model_yaml(inference, description), encoding="utf-8")
    flagged = render.flagged_lines(text)
    return Written(contract_path, [sql_file, yaml_file], [], inference, flagged)


def _check_request(request: NewSource) -> None:
    import re

    if not re.match(SNAKE_CASE, request.name) or len(request.name) > 40:
        raise UsageError(f"source name {request.name!r}: snake_case, at most 40 characters")
    if request.kind not in KINDS:
        raise UsageError(f"kind {request.kind!r}: one of {', '.join(KINDS)}")
    if request.timezone is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(request.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(f"--timezone {request.timezone!r}: not an IANA zone") from None
    is_url = request.sample.startswith(("http://", "https://"))
    if is_url != (request.kind == "api"):
        raise UsageError("--sample is a URL with --kind api, and a file with any other kind")


def _infer(
    request: NewSource, secrets: SecretStore, scratch: Path
) -> tuple[dict[str, Any], Inference]:
    headers: dict[str, str] = {}
    settings = None
    if request.kind == "api":
        pagination = request.pagination or {"type": "none"}
        settings = api.settings_for(request.sample, request.auth, pagination, request.params)
        sample, headers = api.fetch_sample(request.name, settings, secrets, scratch / "api")
    else:
        sample = open_sample(Path(request.sample), scratch / "sample")
    inference = infer_sample(
        sample, request.name, scratch, timezone=request.timezone, sheet=request.sheet
    )
    head = _head(request, sample)
    if settings is not None:
        head["api"] = _api_block(request, settings, sample, inference, headers)
    return head, inference


def _head(request: NewSource, sample: Sample) -> dict[str, Any]:
    origin = request.sample if request.kind == "api" else Path(request.sample).name
    described = request.description or f"{request.name}, as in {origin}."
    owner = request.owner or "unknown"
    head: dict[str, Any] = {
        "name": request.name,
        "description": (
            described,
            None if request.description else Note("say what the source holds", review=True),
        ),
        "owner": (owner, None if request.owner else Note("who to ask (--owner)", review=True)),
        "kind": request.kind,
    }
    if request.kind in ("s3_drop", "manual"):
        head["s3_drop"] = (
            {"prefix": f"{request.name}/", "include": _glob(sample)},
            Note("files dropped under this prefix of the landing bucket"),
        )
    elif request.kind == "sftp":
        head["sftp"] = _sftp_block(request, sample)
    else:
        head["schedule"] = ("rate(1 day)", Note("how often to call the API", review=True))
    return head


def _glob(sample: Sample) -> str:
    suffixes = "".join(PurePosixPath(sample.name).suffixes[-1:]) or ""
    container = {"gzip": ".gz", "zip": ".zip"}.get(sample.compression, "")
    if sample.compression == "zip":
        return "*.zip"
    return f"*{suffixes}{container}"


def _sftp_block(request: NewSource, sample: Sample) -> tuple[dict[str, Any], Note]:
    given = request.sftp
    block = {
        "host": given.get("host") or "sftp.example.com",
        "username": given.get("username") or request.name,
        "secret": given.get("secret") or f"{request.name}_sftp",
        "path": given.get("path") or ".",
        "include": [_glob(sample)],
        "allow_unknown_host_key": True,
    }
    return block, Note(
        "replace allow_unknown_host_key by host_keys (ssh-keyscan HOST) before production"
        + ("" if given.get("host") else "; set host (--host)"),
        review=True,
    )


def _api_block(
    request: NewSource,
    settings: Any,
    sample: Sample,
    inference: Inference,
    headers: dict[str, str],
) -> tuple[dict[str, Any], Note | None]:
    block: dict[str, Any] = {"url": settings.url}
    if request.params:
        block["params"] = request.params
    if request.auth.get("type", "none") != "none":
        block["auth"] = request.auth
    note = None
    if request.pagination is not None:
        pagination = request.pagination
    else:
        records_path = inference.format.block.get("records_path")
        pagination, note = api.pagination_hint(sample, headers, records_path)
    if pagination.get("type", "none") != "none":
        block["pagination"] = pagination
    return block, note


def _header(request: NewSource) -> list[str]:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    return [
        f"Inferred by `strata sources new {request.name} --kind {request.kind}` from "
        f"{Path(request.sample).name if request.kind != 'api' else request.sample} on {today}.",
        "Each comment says what in the sample supports the guess below it. A REVIEW comment",
        "marks a guess the sample contradicts or cannot decide: check it, then delete the mark",
        f"(`grep -n REVIEW sources/{request.name}.yaml`).",
    ]


def _validate(text: str, file: str) -> None:
    from strata.contracts.loader import parse_contract

    try:
        parse_contract(text, file)
    except ConfigError as exc:  # a bug here: the inference wrote what the model refuses
        raise ConfigError(f"the inferred contract does not validate: {exc}", file=file) from exc
