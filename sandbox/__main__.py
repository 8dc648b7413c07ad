"""python -m sandbox serve [--port N] [--faults SHARE --seed N] [--visitor-check] [--rate-limit S]
[--bridge-down] [--mobile-refuses] | config [--base-url URL] | truth | demo."""

from __future__ import annotations

import argparse
import json
import sys
import time

from sandbox.configgen import config_yaml


def _serve(args: argparse.Namespace) -> int:
    from sandbox.server import Sandbox
    from sandbox.world import build_world

    sandbox = Sandbox(world=build_world(seed=args.seed), host=args.host, port=args.port)
    if args.faults:
        from sandbox.faults import Faults, parse_kinds, selection

        Faults(
            rate=args.faults,
            seed=args.seed,
            kinds=parse_kinds(args.fault_kinds),
            stall_s=args.stall_s,
            accounts=selection((args.fault_accounts or "").split(",")),
        ).install(sandbox)
    if args.visitor_check:
        from sandbox.visitor import VisitorCheck

        VisitorCheck(ttl_requests=args.visitor_ttl or None).install(sandbox)
    if args.rate_limit:
        from sandbox.ratelimit import RateLimit

        RateLimit("weibo", after_requests=20, duration_s=args.rate_limit).install(sandbox)
    if args.bridge_down:
        from sandbox.bridgedown import BridgeDown

        BridgeDown().install(sandbox)
    if args.mobile_refuses:
        from sandbox.weibo_pc import MobileRefusal

        MobileRefusal().install(sandbox)
    sandbox.start()
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
    serve.add_argument(
        "--faults", type=float, default=0.0, metavar="SHARE", help="fail this share of answers"
    )
    serve.add_argument("--fault-kinds", metavar="K1,K2", help="only these fault kinds (sandbox/faults.py)")
    serve.add_argument("--fault-accounts", metavar="ID1,ID2", help="only these accounts' answers fail")
    serve.add_argument("--stall-s", type=float, default=35.0, help="length of a stall fault (default 35)")
    serve.add_argument(
        "--visitor-check", action="store_true", help="Weibo's visitor check on (sandbox/visitor.py)"
    )
    serve.add_argument("--visitor-ttl", type=int, default=0, help="a visitor cookie lapses after N requests")
    serve.add_argument(
        "--rate-limit", type=float, default=0.0, metavar="S", help="Weibo answers 418 for S seconds"
    )
    serve.add_argument("--bridge-down", action="store_true", help="the feed bridge (/rsshub/) answers 502")
    serve.add_argument(
        "--mobile-refuses", action="store_true", help="m.weibo.cn's API answers 432 (weibo.com works)"
    )
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
