"""Installs the .deb for real with `dpkg -i`, inside a private mount namespace whose /etc, /usr
and /var are overlays on the machine's own: the postinst runs as on a server (adduser, the data
directory, the environment files), and every change vanishes with the namespace. Then the
writer's unit command line is run as the unit would run it (its user, its environment file) and
answers an analyst; systemd-analyze verifies the installed units at their real paths.

Run by test_package.py as `unshare --mount --propagation private python3 postinst_check.py
DEB WORKDIR` (root only). Standard library only."""

import grp
import os
import pwd
import re
import shlex
import shutil
import stat
import sys
import tempfile
import unittest

import deploykit as dk

DEB, WORK = None, None


def overlay(target, work):
    upper, scratch = os.path.join(work, "upper"), os.path.join(work, "work")
    os.makedirs(upper)
    os.makedirs(scratch)
    dk.run(["mount", "-t", "overlay", "overlay", "-o",
            "lowerdir=%s,upperdir=%s,workdir=%s" % (target, upper, scratch), target])


def read_env(path):
    """KEY=VALUE lines of a systemd EnvironmentFile (no quoting is used in ours)."""
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                env[key] = value
    return env


def unit_command(unit_path, env):
    """The unit's ExecStart as systemd expands it: ${VAR} is one word, $VAR is split."""
    with open(unit_path) as f:
        line = re.search(r"(?m)^ExecStart=(.*)$", f.read()).group(1)
    words = []
    for word in shlex.split(line):
        m = re.fullmatch(r"\$\{(\w+)\}|\$(\w+)", word)
        if m and m.group(1):
            words.append(env[m.group(1)])
        elif m:
            words.extend(env[m.group(2)].split())
        else:
            words.append(word)
    return words


class PostinstTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        for d in ("/etc", "/usr", "/var"):
            overlay(d, os.path.join(WORK, "overlay" + d.replace("/", "-")))
        dk.run(["dpkg", "-i", DEB], env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))

    def test_1_user_and_directories(self):
        user = pwd.getpwnam("fraudidx")
        self.assertLess(user.pw_uid, 1000, "not a system user")
        self.assertEqual(user.pw_dir, "/var/lib/fraudidx")
        self.assertIn(user.pw_shell, ("/usr/sbin/nologin", "/bin/false"))
        self.assertEqual(grp.getgrgid(user.pw_gid).gr_name, "fraudidx")
        st = os.stat("/var/lib/fraudidx")
        self.assertEqual((stat.S_IMODE(st.st_mode), st.st_uid), (0o700, user.pw_uid))
        st = os.stat("/etc/fraudidx")
        self.assertEqual((stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid),
                         (0o750, 0, user.pw_gid))
        for name in ("fraudidx.env", "reader.env"):
            st = os.stat("/etc/fraudidx/" + name)
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o640, name)

    def test_2_reinstall_keeps_settings(self):
        with open("/etc/fraudidx/fraudidx.env", "a") as f:
            f.write("# changed by the operator\n")
        dk.run(["dpkg", "-i", DEB], env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        with open("/etc/fraudidx/fraudidx.env") as f:
            self.assertIn("# changed by the operator", f.read())

    def test_3_units_verify_in_place(self):
        for unit in ("/usr/lib/systemd/system/fraudidx.service", "fraudidx-reader@a.service"):
            proc = dk.run(["systemd-analyze", "verify", "--man=no", unit], check=False)
            self.assertEqual((proc.returncode, proc.stdout + proc.stderr), (0, ""), unit)

    def test_4_writer_runs_as_the_unit_says(self):
        user = pwd.getpwnam("fraudidx")
        # What DEPLOY.md tells the operator to do: the snapshot built as the service's user
        # into its directory, the tokens file 0600 and owned by it.
        inputs = tempfile.mkdtemp(prefix="fidx-feeds-")  # readable by the service's user
        self.addCleanup(shutil.rmtree, inputs)
        os.chmod(inputs, 0o755)
        for src in dk.sample_inputs():
            shutil.copy(src, inputs)
            os.chmod(os.path.join(inputs, os.path.basename(src)), 0o644)
        dk.run(["runuser", "-u", "fraudidx", "--", "/usr/bin/fraudidx-indexer", "build", "-o",
                "/var/lib/fraudidx/feeds.fidx"] +
               [os.path.join(inputs, f) for f in sorted(os.listdir(inputs))])
        dk.run(["install", "-m", "0600", "-o", "fraudidx", "-g", "fraudidx", "/dev/null",
                "/etc/fraudidx/tokens"])
        with open("/etc/fraudidx/tokens", "w") as f:
            f.write("deploy %s\n" % dk.SAMPLE_TOKEN)
        # systemd's LogsDirectory= would make this; there is no systemd here.
        dk.run(["install", "-d", "-o", "fraudidx", "-g", "fraudidx", "-m", "0750",
                "/var/log/fraudidx"])
        env = read_env("/etc/fraudidx/fraudidx.env")
        env["FRAUDIDX_LISTEN"] = "127.0.0.1:0"
        argv = unit_command("/usr/lib/systemd/system/fraudidx.service", env)
        svc = dk.Program(argv, user="fraudidx", group="fraudidx", extra_groups=[],
                         cwd="/")
        try:
            auth = {"Authorization": "Bearer " + dk.SAMPLE_TOKEN}
            r = svc.get("/v1/admin/status", headers=auth)
            self.assertEqual(r.status, 200, r)
            r = svc.request("POST", "/v1/admin/indicators", headers=dict(auth, **{
                "Content-Type": "text/csv"}), body=b"kind,value,status\nphone,0911222333,confirmed\n")
            self.assertEqual((r.status, r.json()["accepted"]), (200, 1), r)
            self.assertEqual(svc.get("/v1/check?q=0911222333").json()["verdict"], "scam")
            self.assertEqual(svc.get("/v1/check?q=" + dk.SAMPLE_SCAM_PHONE).json()["verdict"],
                             "scam")
        finally:
            self.assertEqual(svc.stop(), 0)
        wal = [f for f in os.listdir("/var/lib/fraudidx") if f.startswith("wal-")]
        self.assertTrue(wal)
        for name in wal + ["audit.jsonl"]:  # the service's own files (feeds.fidx is ours)
            st = os.stat(os.path.join("/var/lib/fraudidx", name))
            self.assertEqual(st.st_uid, user.pw_uid, name)
            self.assertEqual(stat.S_IMODE(st.st_mode) & 0o077, 0, name)
        self.assertTrue(os.path.getsize("/var/log/fraudidx/access.log") > 0)


if __name__ == "__main__":
    DEB, WORK = sys.argv[1], sys.argv[2]
    del sys.argv[1:3]
    unittest.main(verbosity=2)
