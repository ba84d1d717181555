/* Search: any value → its entries (status, categories, sources, note, public label), the
 * reports about it, and its history (who, when, why, before → after). Edit, delist with a
 * reason, and undo a change from the history (re-applies the state before it).
 *
 * An edit or an undo is written through the analysts' API as it stands: an upload of the
 * wanted state merges with what is listed (statuses only strengthen, categories and sources
 * only add up), so when the wanted state is not such a merge the value is first delisted with
 * the same reason, then uploaded: two audit lines, both with the reason. */
"use strict";

(function () {
  FX.addStrings({
    vi: {
      menu_search: "Tra cứu", search_title: "Tra cứu một giá trị", search_value: "Giá trị (số điện thoại, tài khoản, liên kết…)",
      search_kind: "Loại", kind_any: "Tự nhận biết", search_go: "Tra cứu", search_none: "Không có mục nào cho giá trị này.",
      listed: "Đang liệt kê", not_listed: "Không còn liệt kê", origin: "Nguồn gốc", origin_snapshot: "bản dữ liệu gốc",
      origin_load: "tải lên", origin_review: "duyệt báo cáo", e_status: "Trạng thái", e_categories: "Nhóm (cách nhau bởi ;)",
      e_sources: "Nguồn", e_reports: "Số báo cáo", e_seen: "Thấy lần đầu / gần nhất", e_note: "Ghi chú nội bộ",
      e_label: "Nhãn công khai (người dân thấy)", edit: "Sửa", save: "Lưu thay đổi", delist: "Gỡ khỏi danh sách",
      history: "Lịch sử", reports_about: "Báo cáo về giá trị này", before: "Trước", after: "Sau", undo: "Hoàn tác",
      undo_reason: "Lý do hoàn tác", undone: "Đã hoàn tác.", saved: "Đã lưu.", delisted: "Đã gỡ.",
      nothing: "(không liệt kê)", reason_needed: "Hãy ghi lý do.",
    },
    en: {
      menu_search: "Search", search_title: "Search a value", search_value: "Value (phone number, account, link…)",
      search_kind: "Kind", kind_any: "Detect", search_go: "Search", search_none: "Nothing is known of this value.",
      listed: "Listed", not_listed: "No longer listed", origin: "Origin", origin_snapshot: "the base snapshot",
      origin_load: "an upload", origin_review: "a report's review", e_status: "Status", e_categories: "Categories (separated by ;)",
      e_sources: "Sources", e_reports: "Reports", e_seen: "First / last seen", e_note: "Internal note",
      e_label: "Public label (citizens see it)", edit: "Edit", save: "Save the change", delist: "Delist",
      history: "History", reports_about: "Reports about this value", before: "Before", after: "After", undo: "Undo",
      undo_reason: "Why undo", undone: "Undone.", saved: "Saved.", delisted: "Delisted.",
      nothing: "(not listed)", reason_needed: "Give a reason.",
    },
  });

  var KINDS = ["phone", "bank_account", "url", "domain", "social_account", "email"];
  var RANK = { reported: 1, confirmed: 2, allowlisted: 3 };

  function describe(st) {
    if (!st) return FX.t("nothing");
    var parts = [FX.t("status_" + st.status)];
    if (st.categories && st.categories.length) parts.push(st.categories.join(", "));
    if (st.reports !== undefined) parts.push(FX.t("e_reports") + " " + st.reports);
    if (st.sources && st.sources.length) parts.push(st.sources.join(", "));
    if (st.label) parts.push("«" + st.label + "»");
    if (st.note) parts.push(FX.t("e_note") + ": " + st.note);
    return parts.join(" · ");
  }

  /* The upload row that lists value in state st. */
  function row(kind, value, st) {
    var r = { kind: kind, value: value, status: st.status, categories: st.categories || [],
              reports: st.reports === undefined ? 0 : st.reports };
    if (st.sources && st.sources.length) r.source = st.sources.join(";");
    if (st.first_seen) r.first_seen = st.first_seen;
    if (st.last_seen) r.last_seen = st.last_seen;
    if (st.note) r.note = st.note;
    if (st.label) r.label = st.label;
    return JSON.stringify(r) + "\n";
  }

  /* Whether uploading `want` over `cur` gives exactly `want` (the merge rule). */
  function mergeable(cur, want) {
    if (!cur) return true;
    if (RANK[want.status] < RANK[cur.status]) return false;
    var cats = want.categories || [];
    if ((cur.categories || []).some(function (c) { return cats.indexOf(c) < 0; })) return false;
    if ((cur.note || "") && (cur.note || "") !== (want.note || "")) return false;
    if ((cur.label || "") && !want.label) return false;
    if ((want.reports || 0) !== (cur.reports || 0)) return false;
    var srcs = want.sources || [];
    if ((cur.sources || []).some(function (c) { return srcs.indexOf(c) < 0; })) return false;
    return true;
  }

  function delist(kind, value, reason) {
    var q = "value=" + encodeURIComponent(value) + "&kind=" + encodeURIComponent(kind) +
            "&reason=" + encodeURIComponent(reason);
    return FX.call("DELETE", "/v1/admin/indicators?" + q);
  }

  /* Makes (kind, value) hold `want` (null: not listed), from `cur`. */
  function setState(kind, value, cur, want, reason) {
    if (!want) return delist(kind, value, reason);
    var first = mergeable(cur, want) ? Promise.resolve({ status: 200 }) : delist(kind, value, reason);
    return first.then(function (r) {
      if (r.status !== 200) return r;
      var want2 = Object.assign({}, want);
      if (cur && mergeable(cur, want)) want2.reports = 0; /* a merge adds reports up */
      return FX.call("POST", "/v1/admin/indicators", row(kind, value, want2), "application/x-ndjson");
    });
  }

  function done(res, okKey, again) {
    if (res.status === 200) { FX.status(FX.t(okKey)); again(); }
    else FX.status(FX.t("failed", FX.errorText(res)));
  }

  function editForm(e, n, again) {
    var cur = e.listed ? e.entry : null, st = e.entry || { status: "reported", categories: [] };
    var id = "e" + n;
    var status = FX.field({ id: id + "-status", label: FX.t("e_status"), value: st.status,
      options: ["reported", "confirmed", "allowlisted"].map(function (s) { return [s, FX.t("status_" + s)]; }) });
    var cats = FX.field({ id: id + "-cats", label: FX.t("e_categories"), value: (st.categories || []).join(";") });
    var note = FX.field({ id: id + "-note", label: FX.t("e_note"), value: st.note || "" });
    var label = FX.field({ id: id + "-label", label: FX.t("e_label"), value: st.label || "" });
    var reason = FX.field({ id: id + "-reason", label: FX.t("reason") });
    var f = FX.el("form", { class: "row", "aria-label": FX.t("edit") }, status, cats, note, label, reason,
      FX.el("button", { type: "submit", id: id + "-save", text: FX.t("save") }));
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var why = f.querySelector("#" + id + "-reason").value.trim();
      if (!why) return FX.status(FX.t("reason_needed"));
      var want = Object.assign({}, st, {
        status: f.querySelector("#" + id + "-status").value,
        categories: f.querySelector("#" + id + "-cats").value.split(/[;,]/).map(function (s) { return s.trim(); }).filter(Boolean),
        note: f.querySelector("#" + id + "-note").value, label: f.querySelector("#" + id + "-label").value,
      });
      setState(e.kind, e.value, cur, want, why).then(function (r) { done(r, "saved", again); });
    });
    return f;
  }

  function delistForm(e, n, again) {
    var id = "d" + n;
    var f = FX.el("form", { class: "row", "aria-label": FX.t("delist") },
      FX.field({ id: id + "-reason", label: FX.t("reason") }),
      FX.el("button", { type: "submit", class: "danger", id: id + "-delist", text: FX.t("delist") }));
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var why = f.querySelector("input").value.trim();
      if (!why) return FX.status(FX.t("reason_needed"));
      delist(e.kind, e.value, why).then(function (r) { done(r, "delisted", again); });
    });
    return f;
  }

  function historyTable(e, n, again) {
    var canUndo = FX.can("load") && FX.can("delist");
    var rows = (e.history || []).map(function (h, i) {
      var undo = null;
      if (canUndo && h.after !== undefined && h.before !== undefined) {
        undo = FX.el("button", { type: "button", class: "secondary", id: "undo-" + n + "-" + i,
          text: FX.t("undo"), "aria-label": FX.t("undo") + " — " + h.action + " " + FX.date(h.time),
          onclick: function () {
            var why = window.prompt(FX.t("undo_reason"), "undo " + h.action + " " + FX.date(h.time));
            if (!why) return;
            setState(e.kind, e.value, e.listed ? e.entry : null, h.before, why)
              .then(function (r) { done(r, "undone", again); });
          } });
      }
      return FX.el("tr", {}, FX.el("td", { text: FX.date(h.time) }),
        FX.el("td", { text: (h.token || "") + (h.role ? " (" + h.role + ")" : "") }),
        FX.el("td", { text: h.action }), FX.el("td", { text: h.reason || "" }),
        FX.el("td", { text: describe(h.before) }), FX.el("td", { text: describe(h.after) }),
        FX.el("td", {}, undo));
    });
    return FX.el("div", { class: "table-wrap" }, FX.el("table", { "aria-label": FX.t("history") },
      FX.el("thead", {}, FX.el("tr", {}, [FX.t("when"), FX.t("who"), FX.t("action"), FX.t("reason"),
        FX.t("before"), FX.t("after"), ""].map(function (h) { return FX.el("th", { scope: "col", text: h }); }))),
      FX.el("tbody", {}, rows)));
  }

  function entryEl(e, n, again) {
    var st = e.entry;
    var facts = FX.el("dl", {});
    function fact(k, v) { facts.append(FX.el("dt", { text: k }), FX.el("dd", { text: v })); }
    fact(FX.t(e.listed ? "listed" : "not_listed"), describe(st));
    if (e.origin) fact(FX.t("origin"), FX.t("origin_" + e.origin));
    if (st) fact(FX.t("e_seen"), (st.first_seen || "?") + " / " + (st.last_seen || "?"));
    var reports = (e.reports || []).map(function (r) {
      return FX.el("li", {}, FX.date(r.time) + " · " + r.state + " · " + (r.channel || "") + " · " +
        (r.description || "") + (r.reason ? " — " + r.reason : ""));
    });
    return FX.el("section", { class: "group", "aria-labelledby": "entry-" + n },
      FX.el("h2", { id: "entry-" + n, text: e.kind + " " + e.value }), facts,
      FX.can("load") ? [FX.el("h3", { text: FX.t("edit") }), editForm(e, n, again)] : null,
      FX.can("delist") && e.listed ? [FX.el("h3", { text: FX.t("delist") }), delistForm(e, n, again)] : null,
      FX.el("h3", { text: FX.t("history") }), historyTable(e, n, again),
      reports.length ? [FX.el("h3", { text: FX.t("reports_about") }), FX.el("ul", {}, reports)] : null);
  }

  function render(el, arg) {
    var value = FX.field({ id: "search-q", label: FX.t("search_value"), value: arg || "" });
    var kind = FX.field({ id: "search-kind", label: FX.t("search_kind"), options:
      [["", FX.t("kind_any")]].concat(KINDS.map(function (k) { return [k, k]; })) });
    var form = FX.el("form", { class: "row", role: "search" }, value, kind,
      FX.el("button", { type: "submit", id: "search-go", text: FX.t("search_go") }));
    var out = FX.el("div", { id: "search-out", "aria-live": "polite" });
    el.append(FX.el("h1", { text: FX.t("search_title") }), form, out);
    function run() {
      var q = form.querySelector("#search-q").value.trim(), k = form.querySelector("#search-kind").value;
      if (!q) return;
      out.replaceChildren(FX.el("p", { text: FX.t("loading") }));
      FX.call("GET", "/v1/admin/indicators?q=" + encodeURIComponent(q) + (k ? "&kind=" + k : "")).then(function (r) {
        if (r.status !== 200) { out.replaceChildren(FX.el("p", { class: "error", text: FX.t("failed", FX.errorText(r)) })); return; }
        out.replaceChildren(FX.el("p", {}, FX.t("queue_canonical") + ": ", FX.el("code", { text: r.data.canonical || "" })));
        if (!r.data.entries.length) out.appendChild(FX.el("p", { text: FX.t("search_none") }));
        r.data.entries.forEach(function (e, n) { out.appendChild(entryEl(e, n, run)); });
      });
    }
    form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
    if (arg) run(); else form.querySelector("#search-q").focus();
  }

  FX.screen({ id: "search", title: "menu_search", needs: ["lookup"], render: render });
})();
