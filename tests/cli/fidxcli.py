"""Shared helpers for the fraudidx-indexer CLI tests (tests/cli/test_*.py).

The program under test is $FIDX_INDEXER (ctest sets it to the built binary); the project's
source tree is $FIDX_SOURCE_DIR. Every test case gets its own temporary directory.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
SOURCE_DIR = os.environ.get("FIDX_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
INDEXER = os.environ.get("FIDX_INDEXER")

# One run of the indexer never needs long; a hang is a failure, not a stuck suite.
RUN_TIMEOUT = 30


def data(name):
    return os.path.join(DATA, name)


class Run:
    """What one run of the indexer gave back."""

    def __init__(self, args, proc):
        self.args = args
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def __repr__(self):
        return "fraudidx-indexer %s -> exit %d\n--- stdout\n%s--- stderr\n%s" % (
            " ".join(self.args), self.code, self.out, self.err)

    def json_lines(self):
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


def run(*args, cwd=None):
    if not INDEXER:
        sys.exit("FIDX_INDEXER is not set: run these tests through ctest (label cli)")
    proc = subprocess.run([INDEXER] + [str(a) for a in args], cwd=cwd, capture_output=True,
                          text=True, errors="replace", timeout=RUN_TIMEOUT)
    r = Run([str(a) for a in args], proc)
    # A sanitizer build exits 1 on a memory error: that must never pass for an expected failure.
    if "Sanitizer" in r.err or "runtime error:" in r.err or r.code < 0:
        raise AssertionError("the indexer crashed or a sanitizer fired: %r" % r)
    return r


class IndexerTest(unittest.TestCase):
    """A test case with its own temporary directory and helpers to build and look up."""

    maxDiff = None

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="fidx-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, text):
        p = self.path(name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def run_ok(self, *args):
        r = run(*args)
        self.assertEqual(r.code, 0, r)
        return r

    def run_fail(self, *args, code=1):
        """Runs the indexer expecting exit status code and a message on stderr."""
        r = run(*args)
        self.assertEqual(r.code, code, r)
        self.assertTrue(r.err.strip(), "no message on stderr: %r" % r)
        return r

    def build(self, *inputs, flags=(), out="out.fidx"):
        """Builds a snapshot that must succeed; returns its path."""
        o = self.path(out)
        r = self.run_ok("build", "-o", o, *flags, *inputs)
        self.assertTrue(os.path.isfile(o), r)
        return o

    def lookup(self, snap, *values, kind=None, platform=None):
        """Looks values up; returns one parsed JSON object per value (exit status must be 0)."""
        args = ["lookup"]
        if kind:
            args += ["--kind", kind]
        if platform:
            args += ["--platform", platform]
        r = run(*args, snap, *values)
        self.assertEqual(r.code, 0, r)
        res = r.json_lines()
        self.assertEqual(len(res), len(values), r)
        for v, obj in zip(values, res):
            self.assertEqual(obj.get("query"), v, r)
        return res

    def lookup1(self, snap, value, **kw):
        return self.lookup(snap, value, **kw)[0]

    def assertVerdict(self, res, verdict, canonical=None, match_value=None, match_kind=None,
                      kind=None):
        """Checks a lookup result: verdict, and (when given) canonical form and match."""
        self.assertEqual(res["verdict"], verdict, res)
        if kind is not None:
            self.assertEqual(res["kind"], kind, res)
        if canonical is not None:
            self.assertEqual(res["canonical"], canonical, res)
        if verdict == "unknown":
            self.assertNotIn("match", res, res)
            return
        self.assertIn("match", res, res)
        if match_value is not None:
            self.assertEqual(res["match"]["value"], match_value, res)
        if match_kind is not None:
            self.assertEqual(res["match"]["kind"], match_kind, res)
        status = {"scam": "confirmed", "suspicious": "reported", "safe": "allowlisted"}[verdict]
        self.assertEqual(res["match"]["status"], status, res)

    def assertMatch(self, res, **fields):
        """Checks fields of res["match"]; a field given as None must be absent. categories and
        sources are sets: their order is not part of the contract, duplicates are wrong."""
        self.assertIn("match", res, res)
        for k, v in fields.items():
            if v is None:
                self.assertNotIn(k, res["match"], res)
            elif k in ("categories", "sources"):
                self.assertEqual(sorted(res["match"].get(k, [])), sorted(v),
                                 "%s in %r" % (k, res))
            else:
                self.assertEqual(res["match"].get(k), v, "%s in %r" % (k, res))


def main():
    if not INDEXER or not os.access(INDEXER, os.X_OK):
        sys.exit("FIDX_INDEXER must name the built fraudidx-indexer (got %r)" % INDEXER)
    unittest.main(verbosity=2)
