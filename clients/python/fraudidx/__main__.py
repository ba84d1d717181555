"""python3 -m fraudidx: the client from a shell.

    python3 -m fraudidx check 0912345678 "https://evil.example/login"
    python3 -m fraudidx check --kind social_account --platform telegram @scam_bot
    echo "Gọi 0910.001.001 nhận quà" | python3 -m fraudidx scan -
    python3 -m fraudidx report --category impersonation --description "…" 0912345678
    python3 -m fraudidx --json info

The service is --url, else $FRAUDIDX_URL, else http://127.0.0.1:8080; the key --api-key, else
$FRAUDIDX_API_KEY. Exit status: 0 answered, 1 the service refused a request or a value (the
reason on stderr), 2 usage, 3 the service could not answer (or asked to wait: rate-limited).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Sequence

from . import __version__
from .client import Client
from .errors import FraudidxError, HTTPError, RateLimited, Unavailable
from .models import CheckResult, ItemError, Query, ScanResult


def _describe(r: CheckResult) -> str:
    line = f"{r.query}: {r.verdict} ({r.kind} {r.canonical})"
    if r.match:
        m = r.match
        cats = ", ".join(m.categories) or "no category"
        line += f"; {m.status} {m.kind} {m.value}: {cats}; {m.reports} reports"
        if m.sources:
            line += "; " + ", ".join(m.sources)
    return line


def _print_scan(r: ScanResult) -> None:
    print(r.verdict)
    for m in r.matches:
        print(f"  {m.verdict:10} {m.kind:14} {m.text!r} [{m.start}:{m.end}] -> {m.canonical}")
    if r.truncated:
        print("  (more indicators than one scan lists)")


def _check(fx: Client, a: argparse.Namespace) -> int:
    if len(a.values) == 1:
        r = fx.check(a.values[0], kind=a.kind, platform=a.platform)
        print(json.dumps(r.raw, ensure_ascii=False) if a.json else _describe(r))
        return 0
    items = [Query(v, a.kind, a.platform) for v in a.values]
    status = 0
    for out in fx.check_batch(items):
        if a.json:
            print(json.dumps(out.raw, ensure_ascii=False))
        elif isinstance(out, ItemError):
            print(f"{out.query}: {out.code}: {out.message}")
        else:
            print(_describe(out))
        status |= isinstance(out, ItemError)
    return status


def _scan(fx: Client, a: argparse.Namespace) -> int:
    text = sys.stdin.read() if a.text == "-" else a.text
    r = fx.scan(text)
    if a.json:
        print(json.dumps(r.raw, ensure_ascii=False))
    else:
        _print_scan(r)
    return 0


def _report(fx: Client, a: argparse.Namespace) -> int:
    r = fx.report(a.kind, a.value, a.category, a.description, bank=a.bank, platform=a.platform)
    print(json.dumps(r.raw) if a.json else f"report {r.id}: {r.status}")
    return 0


def _info(fx: Client, a: argparse.Namespace) -> int:
    info: Any = fx.info()
    if a.json:
        print(json.dumps(info, ensure_ascii=False))
    else:
        s, v = info["snapshot"], info["service"]
        print(f"fraudidx-service {v['version']}: {s['total']} indicators, snapshot built "
              f"{s['build_time']}, {v['threads']} threads, up {v['uptime_seconds']} s")
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python3 -m fraudidx", description=__doc__.split("\n")[0],
                                epilog="Exit status: 0 answered, 1 refused, 2 usage, "
                                "3 unavailable or rate-limited.")
    p.add_argument("--url", default=os.environ.get("FRAUDIDX_URL", "http://127.0.0.1:8080"))
    p.add_argument("--api-key", default=os.environ.get("FRAUDIDX_API_KEY"))
    p.add_argument("--timeout", type=float, default=5.0, help="seconds (default 5)")
    p.add_argument("--retries", type=int, default=2, help="default 2")
    p.add_argument("--json", action="store_true", help="print the service's JSON")
    p.add_argument("--version", action="version", version=f"fraudidx-python {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="check values (several: one batch)")
    c.add_argument("values", nargs="+", metavar="VALUE")
    c.add_argument("--kind")
    c.add_argument("--platform")
    c.set_defaults(run=_check)
    s = sub.add_parser("scan", help="scan a post (- reads it from stdin)")
    s.add_argument("text", metavar="TEXT")
    s.set_defaults(run=_scan)
    r = sub.add_parser("report", help="report a scam")
    r.add_argument("value", metavar="VALUE")
    r.add_argument("--kind")
    r.add_argument("--category")
    r.add_argument("--description")
    r.add_argument("--bank")
    r.add_argument("--platform")
    r.set_defaults(run=_report)
    i = sub.add_parser("info", help="the service's snapshot and version")
    i.set_defaults(run=_info)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    a = _parser().parse_args(argv)
    try:
        with Client(a.url, a.api_key, timeout=a.timeout, retries=a.retries) as fx:
            return int(a.run(fx, a))
    except ValueError as e:
        print(f"fraudidx: {e}", file=sys.stderr)
        return 2
    except (Unavailable, RateLimited) as e:
        print(f"fraudidx: {e}", file=sys.stderr)
        return 3
    except (HTTPError, FraudidxError) as e:
        print(f"fraudidx: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
