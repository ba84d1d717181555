"""python3 -m fraudidx against the real service: output, --json, exit statuses; and the
package built as a wheel with pip (no network: Debian's setuptools, --no-build-isolation),
unpacked and run from there."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile

from service import SCAM_PHONE, ServiceCase, free_port, sample_snapshot

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli(*args: str, url: str, stdin: str | None = None,
        pythonpath: str = PACKAGE_DIR) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=pythonpath, FRAUDIDX_URL=url)
    return subprocess.run([sys.executable, "-m", "fraudidx", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=60)


class Cli(ServiceCase):
    def setUp(self) -> None:
        super().setUp()
        self.u = self.url(self.start("--report-burst", "10"))

    def test_check(self) -> None:
        p = cli("check", SCAM_PHONE, url=self.u)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^0910001001: scam \(phone \+84910001001\); confirmed")
        p = cli("--json", "check", "--kind", "social_account", "--platform", "telegram",
                "@viec_lam_000", url=self.u)
        self.assertEqual(json.loads(p.stdout)["verdict"], "suspicious")
        p = cli("check", "hello", "--kind", "phone", url=self.u)
        self.assertEqual(p.returncode, 1)
        self.assertIn("invalid_value", p.stderr)

    def test_check_many_is_one_batch(self) -> None:
        p = cli("check", SCAM_PHONE, "0911111111", "hello", url=self.u)
        self.assertEqual(p.returncode, 1)  # one value could not be read
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 3)
        self.assertIn(": unknown", lines[1])
        self.assertTrue(lines[2].startswith("hello: invalid_value:"))

    def test_scan_report_info(self) -> None:
        p = cli("scan", "-", url=self.u, stdin="Gọi 0910.001.001 để nhận quà")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines()[0], "block")
        self.assertIn("'0910.001.001' [6:18] -> +84910001001", p.stdout)
        p = cli("report", "--category", "impersonation", "--description", "gọi giả công an",
                "0912345678", url=self.u)
        self.assertRegex(p.stdout, r"^report r[0-9a-f]{28}: pending$")
        self.assertEqual(len(self.stored_reports()), 1)
        p = cli("--json", "info", url=self.u)
        self.assertEqual(json.loads(p.stdout)["snapshot"]["total"], 139)

    def test_exit_statuses(self) -> None:
        p = cli("--retries", "0", "info", url="http://127.0.0.1:%d" % free_port())
        self.assertEqual(p.returncode, 3)
        self.assertIn("cannot connect", p.stderr)
        self.assertEqual(cli("frobnicate", url=self.u).returncode, 2)
        self.assertEqual(cli("info", url="ftp://nowhere").returncode, 2)


def copy_package(tmp: str) -> str:
    """The package's files in tmp/src (a build writes fraudidx.egg-info next to them)."""
    src = os.path.join(tmp, "src")
    shutil.copytree(PACKAGE_DIR, src, ignore=shutil.ignore_patterns(
        "tests", "__pycache__", "*.egg-info", "build", "dist"))
    return src


def wheel_builder() -> str | None:
    """A Python with pip, setuptools and wheel (setuptools before 70.1 builds wheels with the
    wheel package): this one, or Debian's (python3-pip, python3-setuptools, python3-wheel)."""
    for exe in (sys.executable, "/usr/bin/python3"):
        if os.path.exists(exe) and subprocess.run(
                [exe, "-c", "import setuptools, wheel, pip"], capture_output=True).returncode == 0:
            return exe
    return None


class Packaging(unittest.TestCase):
    def test_the_source_distribution(self) -> None:
        with tempfile.TemporaryDirectory(prefix="fidx-sdist-") as tmp:
            src = copy_package(tmp)
            p = subprocess.run([sys.executable, "-c", "import sys; from setuptools import "
                                "build_meta as b; print(b.build_sdist(sys.argv[1]))", tmp],
                               cwd=src, capture_output=True, text=True, timeout=300)
            self.assertEqual(p.returncode, 0, "setuptools (Debian: python3-setuptools):\n" +
                             p.stdout + p.stderr)
            name = p.stdout.split()[-1]
            self.assertEqual(name, "fraudidx-0.1.0.tar.gz")
            with tarfile.open(os.path.join(tmp, name)) as t:
                names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
            for f in ("pyproject.toml", "README.md", "fraudidx/__init__.py",
                      "fraudidx/client.py", "fraudidx/py.typed"):
                self.assertIn(f, names)

    def test_the_wheel_builds_and_runs(self) -> None:
        exe = wheel_builder()
        if exe is None:
            self.skipTest("no Python here has pip, setuptools and wheel together "
                          "(apt-get install python3-pip python3-setuptools python3-wheel)")
        with tempfile.TemporaryDirectory(prefix="fidx-wheel-") as tmp:
            p = subprocess.run([exe, "-m", "pip", "wheel", "--no-deps", "--no-index",
                                "--no-build-isolation", "-w", tmp, copy_package(tmp)],
                               capture_output=True, text=True, timeout=300)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            [wheel] = [f for f in os.listdir(tmp) if f.endswith(".whl")]
            self.assertTrue(wheel.startswith("fraudidx-0.1.0-py3-none-any"), wheel)
            site = os.path.join(tmp, "site")
            with zipfile.ZipFile(os.path.join(tmp, wheel)) as z:
                names = z.namelist()
                z.extractall(site)
            self.assertIn("fraudidx/py.typed", names)
            p = cli("--version", url="http://127.0.0.1:1", pythonpath=site)
            self.assertEqual(p.stdout.strip(), "fraudidx-python 0.1.0", p.stderr)


def setUpModule() -> None:
    sample_snapshot()


if __name__ == "__main__":
    unittest.main(verbosity=2)
