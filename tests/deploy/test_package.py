"""The .deb and `cmake --install` (cmake/install.cmake): cpack builds the package from this build
tree; its control fields are read back with dpkg-deb; it is unpacked into a scratch root with
dpkg -x, and the programs found there are run: --help, an index build, and the service
answering /healthz and a lookup on a free loopback port. `cmake --install --prefix` is checked
to put the same files under another prefix, with the units naming that prefix."""

import gzip
import os
import re
import stat
import sys
import tempfile
import unittest

import deploykit as dk

# Libraries the programs link (CMakeLists.txt): dpkg-shlibdeps must have named each package.
EXPECTED_DEPENDS = ["libc6", "libuv1", "libroaring", "libhttp-parser", "libjansson",
                    "libidn2", "libxxhash", "libnettle", "libpsl", "libutf8proc", "adduser"]


def service_version(program):
    out = dk.run([program, "--version"]).stdout.strip()
    m = re.fullmatch(r"fraudidx-service (\d+\.\d+\.\d+)", out)
    assert m, "unexpected --version: %r" % out
    return m.group(1)


class PackageTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        dk.require("cpack", "dpkg-deb", "dpkg-shlibdeps", "help2man")
        if not dk.BUILD_DIR:
            raise AssertionError("FIDX_BUILD_DIR is not set: run through ctest (label deploy)")
        cls._tmp = tempfile.TemporaryDirectory(prefix="fidx-deb-")
        cls.dir = cls._tmp.name
        out = os.path.join(cls.dir, "pkg")
        dk.run(["cpack", "-G", "DEB", "--config",
                os.path.join(dk.BUILD_DIR, "CPackConfig.cmake"), "-B", out], timeout=300)
        debs = [f for f in os.listdir(out) if f.endswith(".deb")]
        assert len(debs) == 1, debs
        cls.deb = os.path.join(out, debs[0])
        cls.root = os.path.join(cls.dir, "root")
        dk.run(["dpkg-deb", "-x", cls.deb, cls.root])

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def field(self, name):
        return dk.run(["dpkg-deb", "-f", self.deb, name]).stdout.strip()

    def installed(self, *parts):
        return os.path.join(self.root, *parts)

    def test_control_fields(self):
        self.assertEqual(self.field("Package"), "fraudidx")
        self.assertEqual(self.field("Version"), service_version(dk.SERVICE) + "-1")
        arch = dk.run(["dpkg", "--print-architecture"]).stdout.strip()
        self.assertEqual(self.field("Architecture"), arch)
        self.assertRegex(self.field("Maintainer"), r"^[^<>]+ <[^<>@\s]+@[^<>@\s]+>$")
        description = self.field("Description").splitlines()
        self.assertEqual(description[0], "fraud-indicator lookup service for Vietnam")
        self.assertGreaterEqual(len(description), 3, "no long description")
        depends = [d.strip() for d in self.field("Depends").split(",")]
        names = [re.match(r"[a-z0-9.+-]+", d).group(0) for d in depends]
        for want in EXPECTED_DEPENDS:
            self.assertTrue(any(n.startswith(want) for n in names),
                            "%s missing from Depends: %s" % (want, depends))
        # shlibdeps gives versions; a bare library name would mean it did not run.
        self.assertTrue(any(d.startswith("libuv1 (>= ") for d in depends), depends)

    def test_maintainer_scripts(self):
        ctrl = os.path.join(self.dir, "control")
        dk.run(["dpkg-deb", "-e", self.deb, ctrl])
        for script in ("postinst", "postrm"):
            path = os.path.join(ctrl, script)
            self.assertTrue(os.path.isfile(path), script)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o755, script)
            dk.run(["sh", "-n", path])  # syntax
        with open(os.path.join(ctrl, "postinst")) as f:
            text = f.read()
        self.assertIn("adduser --system", text)
        self.assertIn("install -d -o fraudidx -g fraudidx -m 0700 /var/lib/fraudidx", text)

    def test_files_in_place(self):
        listing = dk.run(["dpkg-deb", "-c", self.deb]).stdout.splitlines()
        paths = [line.split()[-1] for line in listing]
        for p in paths:  # everything under /usr: nothing in /usr/local, nothing loose in /etc
            self.assertRegex(p, r"^\./(usr/(bin|lib/systemd/system|share/(doc|man))(/|$)|usr/$"
                                r"|usr/lib/$|usr/lib/systemd/$|usr/share/$)", p)
        for prog in ("fraudidx-service", "fraudidx-indexer"):
            path = self.installed("usr", "bin", prog)
            self.assertTrue(os.access(path, os.X_OK), path)
        for unit in ("fraudidx.service", "fraudidx-reader@.service"):
            with open(self.installed("usr", "lib", "systemd", "system", unit)) as f:
                self.assertRegex(f.read(), r"(?m)^ExecStart=/usr/bin/fraudidx-service ")
        examples = self.installed("usr", "share", "doc", "fraudidx", "examples")
        for name in ("tokens.example", "fraudidx.env", "reader.env", "haproxy.cfg",
                     "fraudidx.conf", "alerts.yml", "fraudidx.json"):
            self.assertTrue(os.path.isfile(os.path.join(examples, name)), name)
        self.assertTrue(os.path.isfile(self.installed("usr", "share", "doc", "fraudidx",
                                                      "DEPLOY.md")))

    def test_man_pages(self):
        # help2man's page: the options of --help, plus our include's sections.
        wants = {"fraudidx-service": [r"\-\-max\-connections", r"\-\-tokens"],
                 "fraudidx-indexer": ["verify", "lookup"]}
        for prog, words in wants.items():
            page = self.installed("usr", "share", "man", "man1", prog + ".1.gz")
            with gzip.open(page, "rt", encoding="utf-8") as f:
                text = f.read()
            self.assertRegex(text, r'(?m)^\.TH "?%s"? "?1"? ' % re.escape(prog.upper()))
            for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "FILES", "EXAMPLES", '"SEE ALSO"'):
                self.assertRegex(text, r"(?m)^\.SH %s$" % section, prog)
            for w in words:
                self.assertIn(w, text, prog)
            if dk.shutil.which("groff"):  # man-db's formatter: the page renders without warnings
                proc = dk.run(["groff", "-man", "-Tutf8", "-ww", "-z"], input=text)
                self.assertEqual(proc.stderr, "", prog)

    def test_installed_programs_run(self):
        service = self.installed("usr", "bin", "fraudidx-service")
        indexer = self.installed("usr", "bin", "fraudidx-indexer")
        for prog in (service, indexer):
            self.assertIn("fraudidx-", dk.run([prog, "--help"]).stdout)
        self.assertEqual(service_version(service), service_version(dk.SERVICE))
        work = os.path.join(self.dir, "work")
        os.mkdir(work)
        snapshot = dk.sample_snapshot(work, indexer=indexer)
        dk.run([indexer, "verify", snapshot])
        svc = dk.Program([service, "--snapshot", snapshot, "--listen", "127.0.0.1:0",
                          "--threads", "1", "--data-dir", os.path.join(work, "data")])
        try:
            r = svc.get("/healthz")
            self.assertEqual((r.status, r.json()), (200, {"status": "ok"}))
            r = svc.get("/v1/check?q=" + dk.SAMPLE_SCAM_PHONE)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json()["verdict"], "scam")
        finally:
            self.assertEqual(svc.stop(), 0)

    def test_dpkg_install_runs_postinst(self):
        # A real `dpkg -i` in a private mount namespace (postinst_check.py says how): needs root
        # and unshare, which CI and `make test` (as root) have.
        if os.geteuid() != 0:
            self.skipTest("dpkg -i in a mount namespace needs root")
        dk.require("unshare", "runuser", "systemd-analyze")
        work = os.path.join(self.dir, "postinst")
        os.mkdir(work)
        proc = dk.run(["unshare", "--mount", "--propagation", "private", sys.executable,
                       os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "postinst_check.py"), self.deb, work],
                      check=False, timeout=240)
        sys.stderr.write(proc.stderr)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_cmake_install_prefix(self):
        prefix = os.path.join(self.dir, "prefix")
        dk.run(["cmake", "--install", dk.BUILD_DIR, "--prefix", prefix])
        for path in (("bin", "fraudidx-service"), ("bin", "fraudidx-indexer"),
                     ("share", "man", "man1", "fraudidx-service.1.gz"),
                     ("share", "man", "man1", "fraudidx-indexer.1.gz"),
                     ("share", "doc", "fraudidx", "examples", "tokens.example")):
            self.assertTrue(os.path.isfile(os.path.join(prefix, *path)), path)
        with open(os.path.join(prefix, "lib", "systemd", "system", "fraudidx.service")) as f:
            self.assertIn("ExecStart=%s/bin/fraudidx-service " % prefix, f.read())


if __name__ == "__main__":
    dk.main()
