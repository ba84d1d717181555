/* The audit log: filtered by analyst, action, value and date, paged, and exported as CSV (one
 * row per value a line names; cells a spreadsheet would run as a formula are quoted). The
 * screen's address carries its filters (#audit/who=NAME&action=add&since=T), which is how a
 * load links to the lines it wrote. */
"use strict";

(function () {
  FX.addStrings({
    vi: {
      menu_audit: "Nhật ký", audit_title: "Nhật ký thay đổi", audit_who: "Chuyên viên (tên token)", audit_action: "Hành động",
      audit_any: "Tất cả", audit_value: "Giá trị", audit_since: "Từ ngày/giờ (UTC)", audit_go: "Lọc", audit_more: "Xem thêm",
      audit_csv: "Xuất CSV", audit_none: "Không có dòng nào.", audit_values: "{0} giá trị", audit_details: "Chi tiết",
    },
    en: {
      menu_audit: "Audit", audit_title: "Audit log", audit_who: "Analyst (token name)", audit_action: "Action",
      audit_any: "Any", audit_value: "Value", audit_since: "Since (date or time, UTC)", audit_go: "Filter", audit_more: "More",
      audit_csv: "Export CSV", audit_none: "No line.", audit_values: "{0} values", audit_details: "Details",
    },
  });

  var ACTIONS = ["add", "delist", "approve", "reject", "uphold", "compact"];
  var PAGES_MAX = 200; /* CSV export: at most this many pages of the log */

  function valuesOf(l) {
    if (l.values) return l.values;
    if (l.delisted && Array.isArray(l.delisted)) return l.delisted;
    if (l.value) return [{ kind: l.kind, value: l.value, before: l.before, after: l.after }];
    return [];
  }

  function details(l) {
    var skip = { time: 1, token: 1, role: 1, action: 1, reason: 1, values: 1, values_count: 1, kind: 1, value: 1,
                 before: 1, after: 1 };
    return Object.keys(l).filter(function (k) { return !skip[k]; }).map(function (k) {
      var v = l[k];
      return k + "=" + (typeof v === "object" ? JSON.stringify(v) : v);
    }).join(" ");
  }

  function lineRow(l) {
    var vals = valuesOf(l);
    var shown = l.values_count !== undefined ? FX.t("audit_values", l.values_count)
      : vals.length <= 3 ? vals.map(function (v) { return v.kind + " " + v.value; }).join(", ")
      : FX.t("audit_values", vals.length);
    return FX.el("tr", {}, FX.el("td", { text: FX.date(l.time) }),
      FX.el("td", { text: (l.token || "") + (l.role ? " (" + l.role + ")" : "") }),
      FX.el("td", { text: l.action || "" }), FX.el("td", { text: shown }),
      FX.el("td", { text: l.reason || "" }), FX.el("td", { text: details(l) }));
  }

  function cell(v) {
    var s = v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function toCsv(lines) {
    var out = ["time,token,role,action,kind,value,reason,before,after,details"];
    lines.forEach(function (l) {
      var vals = valuesOf(l);
      if (!vals.length) vals = [{}];
      vals.forEach(function (v) {
        out.push([l.time, l.token, l.role, l.action, v.kind, v.value, l.reason, v.before, v.after, details(l)]
          .map(cell).join(","));
      });
    });
    return out.join("\r\n") + "\r\n";
  }

  function render(el, arg) {
    var params = new URLSearchParams(arg || "");
    var who = FX.field({ id: "audit-who", label: FX.t("audit_who"), value: params.get("who") || "" });
    var action = FX.field({ id: "audit-action", label: FX.t("audit_action"), value: params.get("action") || "",
      options: [["", FX.t("audit_any")]].concat(ACTIONS.map(function (a) { return [a, a]; })) });
    var value = FX.field({ id: "audit-value", label: FX.t("audit_value"), value: params.get("value") || "" });
    var since = FX.field({ id: "audit-since", label: FX.t("audit_since"), value: params.get("since") || "",
      placeholder: "2026-12-01" });
    var form = FX.el("form", { class: "row", "aria-label": FX.t("audit_title") }, who, action, value, since,
      FX.el("button", { type: "submit", id: "audit-go", text: FX.t("audit_go") }),
      FX.el("button", { type: "button", class: "secondary", id: "audit-csv", text: FX.t("audit_csv"), onclick: exportCsv }));
    var tbody = FX.el("tbody", { id: "audit-rows" });
    var table = FX.el("div", { class: "table-wrap" }, FX.el("table", { "aria-label": FX.t("audit_title") },
      FX.el("thead", {}, FX.el("tr", {}, [FX.t("when"), FX.t("who"), FX.t("action"), FX.t("value"), FX.t("reason"),
        FX.t("audit_details")].map(function (h) { return FX.el("th", { scope: "col", text: h }); }))), tbody));
    var more = FX.el("button", { type: "button", class: "secondary", id: "audit-more", text: FX.t("audit_more"), hidden: true });
    var note = FX.el("p", { id: "audit-note", "aria-live": "polite" });
    el.append(FX.el("h1", { text: FX.t("audit_title") }), form, note, table, more);
    var next = null;

    /* The table asks for brief lines (an upload's list of values left out, counted); the CSV
     * export for whole ones. */
    function query(after, whole) {
      var q = new URLSearchParams();
      ["who", "action", "value", "since"].forEach(function (k) {
        var v = form.querySelector("#audit-" + k).value.trim();
        if (v) q.set(k, v);
      });
      q.set("limit", whole ? "200" : "50");
      if (!whole) q.set("brief", "1");
      if (after) q.set("after", after);
      return "/v1/admin/audit?" + q.toString();
    }

    function page(after, whole) {
      return FX.call("GET", query(after, whole)).then(function (r) {
        if (r.status !== 200) { note.textContent = FX.t("failed", FX.errorText(r)); return null; }
        return r.data;
      });
    }

    /* A page reads at most 64 MiB of the log: a filter that matches only recent lines may
     * answer empty pages with a cursor first; those are followed (up to 20). */
    function run(after, skipped) {
      if (!after) { tbody.replaceChildren(); note.textContent = FX.t("loading"); }
      page(after).then(function (d) {
        if (!d) return;
        if (!d.lines.length && d.next && (skipped || 0) < 20) return run(d.next, (skipped || 0) + 1);
        note.textContent = !tbody.children.length && !d.lines.length ? FX.t("audit_none") : "";
        d.lines.forEach(function (l) { tbody.appendChild(lineRow(l)); });
        next = d.next;
        more.hidden = !next;
      });
    }

    function exportCsv() {
      var all = [], n = 0;
      function step(after) {
        return page(after, true).then(function (d) {
          if (!d) return;
          all = all.concat(d.lines);
          if (d.next && ++n < PAGES_MAX) return step(d.next);
        });
      }
      step(null).then(function () {
        var url = URL.createObjectURL(new Blob([toCsv(all)], { type: "text/csv" }));
        var a = FX.el("a", { href: url, download: "fraudidx-audit.csv", id: "audit-download" });
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      });
    }

    form.addEventListener("submit", function (ev) { ev.preventDefault(); run(null); });
    more.addEventListener("click", function () { run(next, 0); });
    run(null);
  }

  FX.screen({ id: "audit", title: "menu_audit", needs: ["status"], render: render });
})();
