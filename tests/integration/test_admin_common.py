"""Helpers shared by test_admin.py and test_durability.py (imported, not run by itself): an
analysts' tokens file, a service started with --tokens and --data-dir, the admin calls, and
readers of the write-ahead log's layout (docs/OPERATIONS.md) for the tests that damage it."""

import glob
import hashlib
import json
import os
import subprocess

import fidxsvc

TOKEN = "alice-token-0123456789abcdef"
BOB_TOKEN = "bob-token-fedcba9876543210"
ROLES = ("admin", "analyst", "reviewer", "feeder", "reader", "replica")
# One token per role, named after it ("unit-analyst" has the role analyst).
ROLE_TOKENS = {role: "%s-role-token-0123456789" % role for role in ROLES}
CSV = "text/csv"
JSONL = "application/x-ndjson"
START_FAIL_TIMEOUT = 20


def write_tokens(path, mode=0o600):
    """alice with a plain secret, bob with sha256:HEX of his (both admins: no role given), and
    unit-ROLE with each role."""
    digest = hashlib.sha256(BOB_TOKEN.encode()).hexdigest()
    with open(path, "w", encoding="utf-8") as f:
        f.write("# analysts\nalice %s\n\nbob sha256:%s\n" % (TOKEN, digest))
        for role, token in ROLE_TOKENS.items():
            f.write("unit-%s %s %s\n" % (role, token, role))
    os.chmod(path, mode)
    return path


def phone(n):
    """A distinct, valid Vietnamese mobile number for each n < 10,000,000."""
    return "+8491%07d" % n


def csv_rows(values, status="confirmed", category="impersonation", source="police",
             kind="phone"):
    lines = ["kind,value,status,categories,source"]
    lines += ["%s,%s,%s,%s,%s" % (kind, v, status, category, source) for v in values]
    return "\n".join(lines) + "\n"


def segments(data):
    return sorted(glob.glob(os.path.join(data, "wal-*.log")))


def groups(path):
    """(offset, length) of each group of a segment (32-byte headers, payload length at 16)."""
    with open(path, "rb") as f:
        raw = f.read()
    out, off = [], 32
    while off + 32 <= len(raw):
        plen = int.from_bytes(raw[off + 16:off + 24], "little")
        out.append((off, 32 + plen))
        off += 32 + plen
    return out


class AdminTest(fidxsvc.ServiceTest):
    """A ServiceTest with a tokens file and a data directory."""

    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.dir, "data")
        self.tokens = write_tokens(os.path.join(self.dir, "tokens"))

    def start_admin(self, *args, tokens=True, threads=2, snapshot=None, prefix=()):
        extra = ["--data-dir", self.data] + (["--tokens", self.tokens] if tokens else [])
        return self.start(*(extra + list(args)), threads=threads, snapshot=snapshot,
                          prefix=prefix)

    def start_fails(self, *args):
        """Runs the service expecting it to refuse to start; returns its stderr."""
        argv = [fidxsvc.SERVICE, "--snapshot", self.snapshot, "--listen", "127.0.0.1:0",
                "--threads", "1"] + list(args)
        p = subprocess.run(argv, capture_output=True, text=True, timeout=START_FAIL_TIMEOUT)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertNotIn("Sanitizer", p.stderr)
        return p.stderr

    def repair(self):
        p = subprocess.run([fidxsvc.SERVICE, "--repair-wal", "--data-dir", self.data],
                           capture_output=True, text=True, timeout=START_FAIL_TIMEOUT)
        self.assertNotIn("Sanitizer", p.stderr)
        return p

    # -- calls --

    def admin(self, svc, method, path, body=None, ctype=None, token=TOKEN, conn=None):
        headers = {}
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        if ctype:
            headers["Content-Type"] = ctype
        if isinstance(body, str):
            body = body.encode("utf-8")
        return svc.request(method, path, body=body, headers=headers, conn=conn)

    def add(self, svc, text, ctype=CSV, **kw):
        return self.admin(svc, "POST", "/v1/admin/indicators", text, ctype, **kw)

    def add_ok(self, svc, values, token=TOKEN, **kw):
        r = self.add(svc, csv_rows(values, **kw), token=token)
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual((body["accepted"], body["rejected"]), (len(values), []), body)
        self.assertEqual(body["new"] + body["changed"] + body["unchanged"], len(values), body)
        return r

    def delist(self, svc, kind, value, reason="false positive", **kw):
        from urllib.parse import urlencode
        q = urlencode({"kind": kind, "value": value, "reason": reason})
        return self.admin(svc, "DELETE", "/v1/admin/indicators?" + q, **kw)

    def verdicts(self, svc, values):
        """Verdicts of many values through POST /v1/check, 1000 at a time."""
        out = []
        for i in range(0, len(values), 1000):
            r = svc.post_json("/v1/check", {"items": values[i:i + 1000]})
            self.assertEqual(r.status, 200, r)
            out += [x.get("verdict") for x in r.json()["results"]]
        return out

    def verdict(self, svc, value):
        from urllib.parse import urlencode
        r = svc.get("/v1/check?" + urlencode({"q": value}))
        self.assertEqual(r.status, 200, r)
        return r.json()["verdict"]

    def audit(self):
        path = os.path.join(self.data, "audit.jsonl")
        with open(path, "rb") as f:
            raw = f.read()
        self.assertTrue(raw.endswith(b"\n") or raw == b"", raw[-200:])
        return [json.loads(line) for line in raw.decode("utf-8").splitlines()]
