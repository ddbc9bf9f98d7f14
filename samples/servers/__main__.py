"""``python -m samples.servers``: serve the demo's vendor API and SFTP server on 127.0.0.1
until interrupted, or ``python -m samples.servers -- <command>``: run the command while they
serve (with the demo secrets in its environment), then stop them and exit with its status."""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import threading

from samples.servers.demo import API_PORT, SFTP_PORT, DemoServers, secret_environment


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command: list[str] = []
    if "--" in args:
        args, command = args[: args.index("--")], args[args.index("--") + 1 :]
    parser = argparse.ArgumentParser(prog="python -m samples.servers", description=__doc__)
    parser.add_argument("--api-port", type=int, default=API_PORT)
    parser.add_argument("--sftp-port", type=int, default=SFTP_PORT)
    options = parser.parse_args(args)
    with DemoServers(options.api_port, options.sftp_port) as servers:
        print(
            f"vendor API on {servers.api.url}, SFTP on 127.0.0.1:{servers.sftp.port}",
            file=sys.stderr,
            flush=True,
        )
        if command:
            env = {**secret_environment(), **os.environ}
            return subprocess.run(command, env=env, check=False).returncode
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
