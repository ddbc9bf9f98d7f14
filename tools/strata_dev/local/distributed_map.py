"""The distributed Map's S3 side, for the local twin.

moto's interpreter reads a distributed Map's ItemReader object and writes its ResultWriter
files through boto, i.e. moto's S3; locally the lake's buckets are folders. A bucket served here
(:func:`serve_bucket`) is read and written through its ObjectStore instead, so the Discover
function, the Map and the Report share one artifacts store as they share one bucket in AWS. Any
other bucket still goes to moto's S3.

It also fills two gaps of moto 5.2's ResultWriter (pinned, like the other patches):
- its ``Parameters`` are evaluated against the Map's results instead of the state's input, as
  AWS does, so ``Bucket.$``/``Prefix.$`` paths fail: here they see the state's input;
- it writes an empty manifest only: here the children's outputs go to ``SUCCEEDED_0.json`` (a
  child that failed to ``FAILED_0.json``) under ``<Prefix>/<map run id>/``, listed in
  ``manifest.json``, with the fields the pipeline reads (``Status``, ``Output`` as a JSON
  string, ``Error``/``Cause``). moto keeps no input for a failed child, so its entry has none.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from strata.storage.base import ObjectStore

SetAttr = Callable[[Any, str, Any], None]
Put = Callable[[str, str, bytes], None]

_served: dict[str, ObjectStore] = {}


def serve_bucket(store: ObjectStore) -> None:
    """The interpreter's S3 reads and writes for ``store.bucket`` go to ``store``."""
    _served[store.bucket] = store


def clear() -> None:
    _served.clear()


def install(set_attr: SetAttr) -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.eval import (
        resource_eval_s3 as reader,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.result_writer import (
        result_writer_decl as writer,
    )

    read_from_moto = reader.ResourceEvalS3._handle_get_object

    def get_object(env: Any, resource_runtime_part: Any, state_credentials: Any) -> None:
        store = _served.get(env.stack[-1].get("Bucket"))
        if store is None:
            read_from_moto(env, resource_runtime_part, state_credentials)
            return
        parameters = env.stack.pop()
        env.stack.append(store.get_bytes(parameters["Key"]).decode("utf-8"))

    set_attr(reader.ResourceEvalS3, "_handle_get_object", staticmethod(get_object))
    set_attr(writer.ResultWriter, "_eval_body", _eval_result_writer)


def _eval_result_writer(self: Any, env: Any) -> None:
    outputs = env.stack.pop()
    env.stack.append(env.states.get_input())
    self.parargs.eval(env=env)
    parameters = env.stack.pop()
    env.stack.pop()
    map_run_arn = env.map_run_record_pool_manager.get_all().pop().map_run_arn
    env.stack.append(
        write_results(
            parameters["Bucket"],
            parameters.get("Prefix", ""),
            map_run_arn,
            outputs,
            _put_for(self, env),
        )
    )


def write_results(
    bucket: str, prefix: str, map_run_arn: str, outputs: list[Any], put: Put
) -> dict[str, Any]:
    """The result files and manifest of one Map Run; returns the Map's output, as AWS shapes it."""
    folder = f"{prefix.rstrip('/')}/" if prefix else ""
    folder += map_run_arn.rsplit(":", 1)[-1] + "/"
    entries: dict[str, list[dict[str, Any]]] = {
        "SUCCEEDED": [
            {
                "Status": "SUCCEEDED",
                "Output": json.dumps(output),
                "OutputDetails": {"Included": True},
            }
            for output in outputs
            if output is not None
        ],
        "FAILED": [
            {"Status": "FAILED", "Error": "States.Runtime", "Cause": "the child execution failed"}
            for output in outputs
            if output is None
        ],
    }
    files: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    for status, listed in entries.items():
        if listed:
            key = f"{folder}{status}_0.json"
            body = json.dumps(listed).encode("utf-8")
            put(bucket, key, body)
            files[status].append({"Key": key, "Size": len(body)})
    manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": files}
    put(bucket, folder + "manifest.json", json.dumps(manifest, indent=2).encode("utf-8"))
    return {
        "MapRunArn": map_run_arn,
        "ResultWriterDetails": {"Bucket": bucket, "Key": folder + "manifest.json"},
    }


def _put_for(writer: Any, env: Any) -> Put:
    def put(bucket: str, key: str, body: bytes) -> None:
        store = _served.get(bucket)
        if store is not None:
            store.put_bytes(key, body)
            return
        from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import (
            StateCredentials,
        )
        from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for

        writer.resource.eval(env=env)
        region = env.stack.pop().region
        credentials = StateCredentials(role_arn=env.aws_execution_details.role_arn)
        client = boto_client_for(region=region, service="s3", state_credentials=credentials)
        client.put_object(Bucket=bucket, Key=key, Body=body)

    return put
