"""deploy/prometheus/alerts.yml and deploy/grafana/fraudidx.json: promtool checks the rules and
runs their unit tests (alerts_test.yml); every dashboard query is parsed by promtool too (as a
recording rule); and every metric, label and route value the rules and the dashboard name is
checked against what a running service's /metrics really exports."""

import json
import os
import re
import tempfile
import unittest

import deploykit as dk

# Metrics that come with later work. Each rule or panel using one says so in a comment.
FUTURE_METRICS = {
    "fidx_replica_lag_seconds",  # issue 18, replication: a reader's lag behind the writer
}
# Series Prometheus makes itself for every target, and labels it adds to every series.
PROMETHEUS_METRICS = {"up"}
TARGET_LABELS = {"instance", "job"}

PROMQL_WORDS = {"sum", "rate", "increase", "by", "without", "histogram_quantile", "max", "min",
                "avg", "count", "and", "or", "unless", "on", "ignoring", "group_left",
                "group_right", "le", "bool", "offset"}


def rule_exprs(path):
    """The expr of every rule in a Prometheus rules file (inline, or a `|` block)."""
    with open(path) as f:
        lines = f.read().splitlines()
    exprs = []
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)expr:\s*(.*)$", line)
        if not m:
            continue
        if m.group(2).strip() not in ("|", ">", "|-", ">-"):
            exprs.append(m.group(2).strip())
            continue
        indent, block = len(m.group(1)), []
        for follow in lines[i + 1:]:
            if follow.strip() and len(follow) - len(follow.lstrip()) <= indent:
                break
            block.append(follow.strip())
        exprs.append(" ".join(b for b in block if b))
    return exprs


def dashboard_exprs(path):
    with open(path) as f:
        dash = json.load(f)
    exprs = []
    for panel in dash["panels"]:
        if panel["type"] == "row":
            continue
        assert panel.get("targets"), "panel without a query: %s" % panel["title"]
        exprs.extend(t["expr"] for t in panel["targets"])
    for var in dash["templating"]["list"]:
        if var["type"] == "query":
            m = re.fullmatch(r"label_values\((\w+), *(\w+)\)", var["definition"])
            assert m, var["definition"]
            exprs.append("%s{%s!=\"\"}" % (m.group(1), m.group(2)))
    # Grafana's variables, as Grafana would put them in.
    return [e.replace("$__rate_interval", "5m").replace("$instance", ".*") for e in exprs]


def selectors(expr):
    """(metric, {label: [(op, value)]}) for each metric named in expr."""
    out = []
    for m in re.finditer(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?", expr):
        name = m.group(1)
        if name in PROMQL_WORDS or re.fullmatch(r"\d+[smhd]?", name):
            continue
        before = expr[:m.start()].rstrip()
        if before.endswith(("by (", "by(", "without (", "without(")) or re.search(
                r"\b(by|without)\s*\([^)]*$", expr[:m.start()]):
            continue  # a label in by (...)
        labels = {}
        for lm in re.finditer(r'(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"', m.group(2) or ""):
            labels.setdefault(lm.group(1), []).append((lm.group(2), lm.group(3)))
        out.append((name, labels))
    return out


def grouping_labels(expr):
    labels = set()
    for m in re.finditer(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
        labels.update(x.strip() for x in m.group(1).split(",") if x.strip())
    return labels


class MonitoringTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        dk.require("promtool")
        cls._tmp = tempfile.TemporaryDirectory(prefix="fidx-monitoring-")
        cls.rules = os.path.join(dk.DEPLOY, "prometheus", "alerts.yml")
        cls.dashboard = os.path.join(dk.DEPLOY, "grafana", "fraudidx.json")
        # A writer with every route used once, so that the route label shows all its values.
        d = cls._tmp.name
        svc = dk.fidxsvc.Service(dk.sample_snapshot(d), "--tokens", dk.tokens_file(d),
                                 "--data-dir", os.path.join(d, "data"), threads=1)
        try:
            svc.get("/v1/check?q=" + dk.SAMPLE_SCAM_PHONE)
            svc.get("/v1/admin/status")
            svc.get("/")
            cls.exported = dk.exported_metrics(svc)
        finally:
            svc.stop()

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_rules_check(self):
        out = dk.run(["promtool", "check", "rules", self.rules]).stdout
        m = re.search(r"SUCCESS: (\d+) rules found", out)
        self.assertTrue(m, out)
        self.assertGreaterEqual(int(m.group(1)), 5)
        with open(self.rules) as f:
            names = set(re.findall(r"(?m)^\s*- alert: (\w+)$", f.read()))
        for want in ("FraudidxInstanceDown", "FraudidxHigh5xxRate", "FraudidxReplicaStale",
                     "FraudidxWriteAheadLogFailing", "FraudidxReportBacklogFull"):
            self.assertIn(want, names)

    def test_rules_unit_tests(self):
        dk.run(["promtool", "test", "rules", "alerts_test.yml"],
               cwd=os.path.join(dk.DEPLOY, "prometheus"))

    def test_dashboard_queries_parse(self):
        exprs = dashboard_exprs(self.dashboard)
        self.assertGreaterEqual(len(exprs), 10)
        path = os.path.join(self._tmp.name, "dashboard-rules.yml")
        with open(path, "w") as f:
            f.write("groups:\n  - name: dashboard\n    rules:\n")
            for i, e in enumerate(exprs):
                f.write("      - record: fidx:dashboard:query%d\n        expr: %s\n"
                        % (i, json.dumps(e)))
        dk.run(["promtool", "check", "rules", path])

    def check_names(self, exprs, where):
        routes = self.exported["fraudidx_http_request_duration_seconds_count"][1]["route"]
        for expr in exprs:
            used = selectors(expr)
            self.assertTrue(used, expr)
            for name, labels in used:
                if name in FUTURE_METRICS or name in PROMETHEUS_METRICS:
                    continue
                self.assertIn(name, self.exported, "%s: %s is not exported" % (where, name))
                known = set(self.exported[name][1]) | TARGET_LABELS
                for label, matchers in labels.items():
                    self.assertIn(label, known, "%s: %s has no label %s" % (where, name, label))
                    if label != "route":
                        continue
                    for _op, value in matchers:
                        for alt in value.split("|"):
                            self.assertIn(alt, routes, "%s: no route %r" % (where, alt))
            known = set(TARGET_LABELS) | {"le"}
            for name, _ in used:
                if name in self.exported:
                    known |= set(self.exported[name][1])
            for label in grouping_labels(expr):
                self.assertIn(label, known, "%s: grouping by unknown label %s" % (where, label))

    def test_rules_name_exported_metrics(self):
        self.check_names(rule_exprs(self.rules), "alerts.yml")

    def test_dashboard_names_exported_metrics(self):
        self.check_names(dashboard_exprs(self.dashboard), "fraudidx.json")

    def test_name_check_can_fail(self):
        with self.assertRaises(AssertionError):
            self.check_names(["rate(fraudidx_lookup_total[5m])"], "typo")
        with self.assertRaises(AssertionError):
            self.check_names(['fraudidx_http_requests_total{route="/v1/admin/"}'], "route")
        with self.assertRaises(AssertionError):
            self.check_names(["sum by (verdikt) (fraudidx_lookups_total)"], "label")


if __name__ == "__main__":
    dk.main()
