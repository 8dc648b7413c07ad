"""python -m sandbox serve [--port N] | config [--base-url URL] | truth | demo."""

from __future__ import annotations

import argparse
import json
import sys
import time

from sandbox.configgen import config_yaml


def _serve(args: argparse.Namespace) -> int:
    from sandbox.server import Sandbox
    from sandbox.world import build_world

    sandbox = Sandbox(world=build_world(seed=args.seed), host=args.host, port=args.port).start()
    print(sandbox.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    from sandbox.world import DEFAULT_SEED

    parser = argparse.ArgumentParser(prog="python -m sandbox", description="青川旗 platform sandbox")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the sandbox until Ctrl-C")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700, help="0 picks a free port (default 8700)")
    serve.add_argument("--seed", type=int, default=DEFAULT_SEED)
    config = sub.add_parser("config", help="print a config.yaml for the sandbox")
    config.add_argument("--base-url", default="http://127.0.0.1:8700")
    sub.add_parser("truth", help="print the truth of a world built now, as JSON")
    sub.add_parser("demo", help="serve, crawl and report: sandbox/demo.py, what `make demo` runs")
    args = parser.parse_args(argv)

    if args.command == "config":
        sys.stdout.write(config_yaml(args.base_url))
        return 0
    if args.command == "truth":
        from sandbox.world import build_world

        json.dump(build_world().truth(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if args.command == "demo":
        from sandbox.demo import main as demo

        return demo()
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main())
