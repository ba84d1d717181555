/* The dashboard: reports per day by category (90 days), the pending backlog and its age,
 * decisions per day, lookups per second and the verdict mix (the service's own counters,
 * /metrics, read twice), the values most reported this week, the snapshot and the log. The
 * charts are SVG drawn here: nothing is loaded from anywhere else. */
"use strict";

(function () {
  FX.addStrings({
    vi: {
      menu_dashboard: "Tổng quan", dash_title: "Tổng quan", dash_pending: "Báo cáo chờ duyệt", dash_disputes: "Khiếu nại chờ",
      dash_oldest: "Báo cáo chờ lâu nhất", dash_ages: "Dưới 1 ngày: {0} · 1–7 ngày: {1} · trên 7 ngày: {2}",
      dash_per_day: "Báo cáo mỗi ngày theo nhóm ({0} ngày)", dash_decisions: "Quyết định mỗi ngày",
      dash_lookups: "Lượt tra cứu mỗi giây", dash_mix: "Tỉ lệ kết luận (từ khi khởi động)", dash_top: "Bị báo cáo nhiều nhất tuần này",
      dash_state: "Dữ liệu và nhật ký", dash_snapshot: "Bản dữ liệu", dash_wal: "Nhật ký ghi trước", dash_overlay: "Thay đổi trực tiếp",
      approved: "duyệt", rejected: "bác bỏ", upheld: "chấp nhận khiếu nại", dash_count: "Số báo cáo", dash_none: "Chưa có.",
      dash_chart_label: "{0}: tổng {1} trong {2} ngày, cao nhất {3} một ngày",
      dash_overlay_counts: "{0} giá trị liệt kê, {1} đã gỡ", dash_wal_state: "đoạn {0}, đã ghi bền đến thay đổi {1}; {2}",
      dash_ok: "hoạt động tốt",
    },
    en: {
      menu_dashboard: "Dashboard", dash_title: "Dashboard", dash_pending: "Reports pending", dash_disputes: "Disputes pending",
      dash_oldest: "Oldest pending report", dash_ages: "Under 1 day: {0} · 1–7 days: {1} · over 7 days: {2}",
      dash_per_day: "Reports per day by category ({0} days)", dash_decisions: "Decisions per day",
      dash_lookups: "Lookups per second", dash_mix: "Verdict mix (since the start)", dash_top: "Most reported this week",
      dash_state: "Data and log", dash_snapshot: "Snapshot", dash_wal: "Write-ahead log", dash_overlay: "Live changes",
      approved: "approved", rejected: "rejected", upheld: "disputes upheld", dash_count: "Reports", dash_none: "None yet.",
      dash_chart_label: "{0}: {1} in all over {2} days, at most {3} a day",
      dash_overlay_counts: "{0} values listed, {1} delisted", dash_wal_state: "segment {0}, durable up to change {1}; {2}",
      dash_ok: "working",
    },
  });

  var PALETTE = ["#0a4fb8", "#a4161a", "#1b6b2a", "#7a4b00", "#6a1b9a", "#00695c", "#ad1457", "#37474f",
                 "#4e342e", "#283593", "#558b2f", "#ef6c00"];
  var VERDICT_COLORS = { scam: "#a4161a", suspicious: "#7a4b00", safe: "#1b6b2a", unknown: "#4a4a4a" };

  /* A stacked bar chart: days [{day, values: {series: n}}], series names in order. */
  function bars(title, days, series, colors, names) {
    var W = 720, H = 200, L = 36, B = 24, T = 8;
    var max = 1, total = 0;
    days.forEach(function (d) {
      var s = 0;
      series.forEach(function (k) { s += d.values[k] || 0; });
      max = Math.max(max, s);
      total += s;
    });
    var bw = (W - L) / Math.max(1, days.length);
    var svg = FX.svg("svg", { viewBox: "0 0 " + W + " " + H, width: "100%", role: "img",
      "aria-label": FX.t("dash_chart_label", title, total, days.length, max) });
    svg.appendChild(FX.svg("title", { text: title }));
    svg.appendChild(FX.svg("line", { x1: L, y1: H - B, x2: W, y2: H - B, stroke: "#4a4a4a" }));
    svg.appendChild(FX.svg("text", { x: 0, y: T + 10, text: String(max) }));
    svg.appendChild(FX.svg("text", { x: 0, y: H - B, text: "0" }));
    days.forEach(function (d, i) {
      var y = H - B;
      series.forEach(function (k, n) {
        var v = d.values[k] || 0;
        if (!v) return;
        var h = (H - B - T) * v / max;
        y -= h;
        var r = FX.svg("rect", { x: (L + i * bw + 1).toFixed(1), y: y.toFixed(1), width: Math.max(1, bw - 2).toFixed(1),
          height: h.toFixed(1), fill: colors[k] || PALETTE[n % PALETTE.length] });
        r.appendChild(FX.svg("title", { text: d.day + " " + k + ": " + v }));
        svg.appendChild(r);
      });
      var last = i === days.length - 1;
      if (i === 0 || last || (i % 15 === 0 && i < days.length - 8))
        svg.appendChild(FX.svg("text", { x: (L + (last ? i + 1 : i) * bw).toFixed(1), y: H - 6,
          "text-anchor": last ? "end" : "start", text: d.day.slice(5) }));
    });
    var legend = FX.el("p", { class: "legend" }, series.map(function (k, n) {
      return FX.el("span", {}, FX.el("span", { class: "swatch", "data-color": colors[k] || PALETTE[n % PALETTE.length] }),
        names && names[k] ? names[k] : k);
    }));
    legend.querySelectorAll(".swatch").forEach(function (s) { s.style.background = s.getAttribute("data-color"); });
    return FX.el("figure", {}, FX.el("figcaption", {}, FX.el("h2", { text: title })), svg, legend);
  }

  function card(id, title, value, sub) {
    return FX.el("div", { class: "card", id: id }, FX.el("h2", { text: title }),
      FX.el("p", { class: "big", text: String(value) }), sub ? FX.el("p", { class: "muted", text: sub }) : null);
  }

  /* The lookup counters of /metrics: {verdict: n}. */
  function lookups(text) {
    var out = { scam: 0, suspicious: 0, safe: 0, unknown: 0 };
    String(text).split("\n").forEach(function (line) {
      var m = /^fraudidx_lookups_total\{[^}]*verdict="(\w+)"[^}]*\} (\d+)/.exec(line);
      if (m && out[m[1]] !== undefined) out[m[1]] += Number(m[2]);
    });
    return out;
  }

  function sum(o) { return Object.keys(o).reduce(function (s, k) { return s + o[k]; }, 0); }

  function lookupsPanel() {
    var box = FX.el("div", { class: "card", id: "dash-lookups" }, FX.el("h2", { text: FX.t("dash_lookups") }),
      FX.el("p", { class: "big", text: "…" }));
    var t0 = performance.now();
    FX.call("GET", "/metrics").then(function (a) {
      setTimeout(function () {
        FX.call("GET", "/metrics").then(function (b) {
          var x = lookups(a.data), y = lookups(b.data), secs = (performance.now() - t0) / 1000;
          box.querySelector(".big").textContent = ((sum(y) - sum(x)) / Math.max(secs, 0.001)).toFixed(1);
          var all = Math.max(1, sum(y));
          var svg = FX.svg("svg", { viewBox: "0 0 300 24", width: "100%", role: "img",
            "aria-label": FX.t("dash_mix") + ": " + Object.keys(y).map(function (k) {
              return FX.t("verdict_" + k) + " " + Math.round(100 * y[k] / all) + "%"; }).join(", ") });
          var x0 = 0;
          Object.keys(y).forEach(function (k) {
            var w = 300 * y[k] / all;
            if (w > 0) svg.appendChild(FX.svg("rect", { x: x0.toFixed(1), y: 0, width: w.toFixed(1), height: 24, fill: VERDICT_COLORS[k] }));
            x0 += w;
          });
          box.append(FX.el("h3", { text: FX.t("dash_mix") }), svg, FX.el("p", { class: "legend" }, Object.keys(y).map(function (k) {
            return FX.el("span", {}, FX.t("verdict_" + k) + ": " + y[k]);
          })));
        });
      }, 1500);
    });
    return box;
  }

  function statePanel() {
    var box = FX.el("div", { class: "card", id: "dash-state" }, FX.el("h2", { text: FX.t("dash_state") }));
    FX.call("GET", "/v1/admin/status").then(function (r) {
      if (r.status !== 200) return;
      var d = r.data, ov = d.overlay || {}, wal = d.wal || {};
      var facts = FX.el("dl", {});
      function fact(k, v) { facts.append(FX.el("dt", { text: k }), FX.el("dd", { text: String(v) })); }
      fact(FX.t("dash_snapshot"), String(d.snapshot || "").split("/").pop());
      fact(FX.t("dash_overlay"), FX.t("dash_overlay_counts", ov.listed || 0, ov.delisted || 0));
      fact(FX.t("dash_wal"), FX.t("dash_wal_state", wal.segment || 0, wal.durable_seq || 0,
        wal.failure ? wal.failure : FX.t("dash_ok")));
      box.append(facts);
    });
    return box;
  }

  function render(el) {
    el.append(FX.el("h1", { text: FX.t("dash_title") }));
    var cards = FX.el("div", { class: "cards" });
    var charts = FX.el("div", {});
    el.append(cards, charts);
    FX.call("GET", "/v1/admin/stats?days=90").then(function (r) {
      if (r.status !== 200) { charts.append(FX.el("p", { class: "error", text: FX.t("failed", FX.errorText(r)) })); return; }
      var d = r.data, b = d.backlog;
      cards.append(card("dash-pending", FX.t("dash_pending"), b.pending, FX.t("dash_ages", b.ages.under_1d, b.ages["1d_to_7d"], b.ages.over_7d)),
        card("dash-disputes", FX.t("dash_disputes"), b.disputes),
        card("dash-oldest", FX.t("dash_oldest"), b.oldest ? FX.date(b.oldest) : "—"), lookupsPanel());
      if (FX.can("status")) cards.append(statePanel());
      var cats = [];
      d.reports_per_day.forEach(function (x) { Object.keys(x.categories).forEach(function (c) { if (cats.indexOf(c) < 0) cats.push(c); }); });
      charts.append(bars(FX.t("dash_per_day", d.days), d.reports_per_day.map(function (x) { return { day: x.day, values: x.categories }; }), cats, {}));
      charts.append(bars(FX.t("dash_decisions"), d.decisions_per_day.map(function (x) {
        return { day: x.day, values: { approved: x.approved, rejected: x.rejected, upheld: x.upheld } };
      }), ["approved", "rejected", "upheld"], { approved: "#1b6b2a", rejected: "#a4161a", upheld: "#0a4fb8" },
        { approved: FX.t("approved"), rejected: FX.t("rejected"), upheld: FX.t("upheld") }));
      var top = d.top_week.length ? FX.el("table", { id: "dash-top" }, FX.el("thead", {}, FX.el("tr", {},
        FX.el("th", { scope: "col", text: FX.t("value") }), FX.el("th", { scope: "col", text: FX.t("dash_count") }))),
        FX.el("tbody", {}, d.top_week.map(function (t) {
          return FX.el("tr", {}, FX.el("td", {}, FX.can("lookup") ? FX.el("a", { href: "#search/" + encodeURIComponent(t.value), text: t.kind + " " + t.value })
            : t.kind + " " + t.value), FX.el("td", { text: String(t.count) }));
        }))) : FX.el("p", { text: FX.t("dash_none") });
      charts.append(FX.el("h2", { text: FX.t("dash_top") }), top);
    });
  }

  FX.screen({ id: "dashboard", title: "menu_dashboard", needs: ["reports"], render: render });
})();
