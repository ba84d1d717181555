"""deploy/nginx/fraudidx.conf, the alternative to HAProxy: `nginx -t` on it, then Debian's nginx
really running it on free loopback ports in front of two readers and a writer. nginx has no
environment variables, so the test runs a copy in which only the listen addresses, the
upstream servers' addresses and the certificate paths are replaced (each replacement is
checked to have happened), inside a minimal nginx.conf that includes it."""

import http.client
import json
import os
import re
import subprocess
import tempfile
import time
import unittest

import deploykit as dk


class NginxTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        dk.require("nginx", "openssl")
        cls._tmp = tempfile.TemporaryDirectory(prefix="fidx-nginx-")
        d = cls.dir = cls._tmp.name
        os.chmod(d, 0o755)  # nginx's workers run as nobody
        cls.snapshot = dk.sample_snapshot(d)
        cert, key, _ = dk.self_signed_cert(d)
        cls.ctx = dk.tls_context(cert)
        cls.services = []
        cls.writer = cls.start("--tokens", dk.tokens_file(d), "--data-dir",
                               os.path.join(d, "writer"))
        cls.readers = [cls.start("--data-dir", os.path.join(d, "reader%d" % i))
                       for i in (1, 2)]
        cls.https_port, cls.http_port = dk.free_port(), dk.free_port()
        with open(os.path.join(dk.DEPLOY, "nginx", "fraudidx.conf")) as f:
            text = f.read()
        swaps = [("    listen 80;", "    listen 127.0.0.1:%d;" % cls.http_port),
                 ("    listen [::]:80;\n", ""),
                 ("    listen 443 ssl http2;", "    listen 127.0.0.1:%d ssl http2;"
                  % cls.https_port),
                 ("    listen [::]:443 ssl http2;\n", ""),
                 ("/etc/ssl/fraudidx/fullchain.pem", cert),
                 ("/etc/ssl/fraudidx/privkey.pem", key),
                 ("server 10.0.0.11:8080", "server 127.0.0.1:%d" % cls.readers[0].port),
                 ("server 10.0.0.12:8080", "server 127.0.0.1:%d" % cls.readers[1].port),
                 ("server 10.0.0.10:8080 backup", "server 127.0.0.1:%d backup"
                  % cls.writer.port),
                 ("server 10.0.0.10:8080;", "server 127.0.0.1:%d;" % cls.writer.port)]
        for old, new in swaps:
            assert text.count(old) == 1, "fraudidx.conf changed: %r is not there once" % old
            text = text.replace(old, new)
        with open(os.path.join(d, "fraudidx.conf"), "w") as f:
            f.write(text)
        cls.conf = os.path.join(d, "nginx.conf")
        with open(cls.conf, "w") as f:
            f.write("pid %s/nginx.pid;\nerror_log stderr;\nworker_processes 1;\n"
                    "events { worker_connections 256; }\n"
                    "http { access_log off; include %s/fraudidx.conf; }\n" % (d, d))
        cls.test_output = dk.run(["nginx", "-t", "-p", d, "-c", cls.conf, "-e", "stderr"])
        cls.nginx = subprocess.Popen(["nginx", "-p", d, "-c", cls.conf, "-e", "stderr", "-g",
                                      "daemon off;"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        dk.wait_port(cls.https_port)

    @classmethod
    def tearDownClass(cls):
        cls.nginx.terminate()
        try:
            cls.nginx.wait(10)
        except subprocess.TimeoutExpired:
            cls.nginx.kill()
            cls.nginx.wait(10)
        cls.nginx.stderr.close()
        for s in cls.services:
            s.kill()
            s.check_log_clean()
        cls._tmp.cleanup()

    @classmethod
    def start(cls, *args):
        s = dk.fidxsvc.Service(cls.snapshot, *args, threads=1)
        cls.services.append(s)
        return s

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPSConnection("127.0.0.1", self.https_port, context=self.ctx,
                                        timeout=10)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return dk.fidxsvc.Response(r.status, {k.lower(): v for k, v in r.getheaders()},
                                       r.read())
        finally:
            c.close()

    def test_config_test_passes(self):
        self.assertIn("test is successful", self.test_output.stderr)

    def test_reads_writes_and_routes(self):
        for _ in range(6):
            r = self.request("GET", "/v1/check?q=" + dk.SAMPLE_SCAM_PHONE)
            self.assertEqual((r.status, r.json()["verdict"]), (200, "scam"), r)
        body = json.dumps({"text": "Goi " + dk.SAMPLE_SCAM_PHONE}).encode()
        r = self.request("POST", "/v1/scan", body, {"Content-Type": "application/json"})
        self.assertEqual(r.json()["verdict"], "block", r)
        for reader in self.readers:
            self.assertGreater(sum(v for (n, _), v in reader.metrics().items()
                                   if n == "fraudidx_lookups_total"), 0)
        r = self.request("GET", "/v1/admin/status",
                         headers={"Authorization": "Bearer " + dk.SAMPLE_TOKEN})
        self.assertEqual(r.status, 200, r)  # only the writer has the token
        self.assertEqual(self.request("GET", "/metrics").status, 403)
        c = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        c.request("GET", "/v1/check?q=1")
        r = c.getresponse()
        r.read()
        c.close()
        self.assertEqual(r.status, 308)
        self.assertRegex(r.getheader("Location"), r"^https://127\.0\.0\.1(:\d+)?/v1/check\?q=1$")

    def test_z_dead_reader_is_skipped(self):
        # Runs last (it kills a reader). nginx retries a failed read on the next reader.
        self.readers[1].kill()
        for i in range(40):
            r = self.request("POST", "/v1/check", json.dumps({"items": [dk.SAMPLE_SCAM_PHONE]})
                             .encode(), {"Content-Type": "application/json"})
            self.assertEqual(r.status, 200, "lookup %d: %r" % (i, r))


if __name__ == "__main__":
    dk.main()
