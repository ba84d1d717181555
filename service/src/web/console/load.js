/* Load indicators: drop or pick a file (CSV, JSON Lines, a plain list, a MISP event, a STIX
 * bundle) → a dry run says what it would do (new, changed, unchanged, rejected rows with their
 * line and reason) → confirm → the upload, with its progress → the result, with a link to the
 * audit lines it wrote. */
"use strict";

(function () {
  FX.addStrings({
    vi: {
      menu_load: "Nạp dữ liệu", load_title: "Nạp danh sách chỉ báo", load_file: "Chọn tệp (CSV, JSON Lines, danh sách, MISP, STIX)",
      load_drop: "…hoặc kéo thả tệp vào đây", load_preview: "Xem trước (chưa ghi gì)", load_confirm: "Xác nhận và nạp",
      load_cancel: "Huỷ", load_new: "Mới", load_changed: "Thay đổi", load_unchanged: "Không đổi", load_rejected: "Bị loại",
      load_accepted: "Được nhận", load_line: "Dòng", load_reason: "Lý do", load_preview_title: "Xem trước: {0}",
      load_done_title: "Đã nạp: {0}", load_uploading: "Đang tải lên…", load_audit: "Xem các dòng nhật ký của lần nạp này",
      load_rejected_more: "…và {0} dòng bị loại khác.",
    },
    en: {
      menu_load: "Load", load_title: "Load indicators", load_file: "Pick a file (CSV, JSON Lines, list, MISP, STIX)",
      load_drop: "…or drop a file here", load_preview: "Preview (writes nothing)", load_confirm: "Confirm and load",
      load_cancel: "Cancel", load_new: "New", load_changed: "Changed", load_unchanged: "Unchanged", load_rejected: "Rejected",
      load_accepted: "Accepted", load_line: "Line", load_reason: "Reason", load_preview_title: "Preview: {0}",
      load_done_title: "Loaded: {0}", load_uploading: "Uploading…", load_audit: "See the audit lines this load wrote",
      load_rejected_more: "…and {0} more rejected rows.",
    },
  });

  function typeOf(name) {
    var n = name.toLowerCase();
    if (/\.csv$/.test(n)) return "text/csv";
    if (/\.(jsonl|ndjson)$/.test(n)) return "application/x-ndjson";
    if (/\.stix(\.json)?$/.test(n)) return "application/stix+json";
    if (/\.json$/.test(n)) return "application/json";
    return "text/plain"; /* told from the content */
  }

  function summary(d, prefix) {
    var rows = [["load_accepted", d.accepted], ["load_new", d.new], ["load_changed", d.changed],
                ["load_unchanged", d.unchanged],
                ["load_rejected", d.rejected_total !== undefined ? d.rejected_total : d.rejected.length]];
    return FX.el("dl", { class: "cards", id: prefix + "-counts" }, rows.map(function (r) {
      return FX.el("div", { class: "card" }, FX.el("dt", { text: FX.t(r[0]) }),
        FX.el("dd", { class: "big", id: prefix + "-" + r[0], text: String(r[1]) }));
    }));
  }

  function rejectedTable(d) {
    if (!d.rejected.length) return null;
    var total = d.rejected_total !== undefined ? d.rejected_total : d.rejected.length;
    return FX.el("div", { class: "table-wrap" }, FX.el("table", { id: "load-rejected", "aria-label": FX.t("load_rejected") },
      FX.el("thead", {}, FX.el("tr", {}, FX.el("th", { scope: "col", text: FX.t("load_line") }),
        FX.el("th", { scope: "col", text: FX.t("load_reason") }))),
      FX.el("tbody", {}, d.rejected.map(function (r) {
        return FX.el("tr", {}, FX.el("td", { text: String(r.line) }), FX.el("td", { text: r.reason }));
      }))), total > d.rejected.length ? FX.el("p", { text: FX.t("load_rejected_more", total - d.rejected.length) }) : null);
  }

  /* The upload itself through XMLHttpRequest: fetch says nothing of an upload's progress. */
  function upload(file, bar) {
    return new Promise(function (resolve) {
      var x = new XMLHttpRequest();
      x.open("POST", "/v1/admin/indicators");
      x.setRequestHeader("Content-Type", typeOf(file.name));
      x.setRequestHeader("X-CSRF-Token", FX.me.csrf);
      x.upload.onprogress = function (ev) { if (ev.lengthComputable) { bar.max = ev.total; bar.value = ev.loaded; } };
      x.onload = function () {
        var data = x.responseText;
        try { data = JSON.parse(data); } catch (e) { /* text */ }
        resolve({ status: x.status, data: data });
      };
      x.onerror = function () { resolve({ status: 0, data: { error: { message: "network error" } } }); };
      x.send(file);
    });
  }

  function render(el) {
    var input = FX.el("input", { type: "file", id: "load-file", accept: ".csv,.jsonl,.ndjson,.json,.txt,.stix" });
    var drop = FX.el("div", { class: "drop", id: "load-drop" },
      FX.el("label", { for: "load-file", text: FX.t("load_file") }), " ", input, FX.el("p", { text: FX.t("load_drop") }));
    var out = FX.el("div", { id: "load-out", "aria-live": "polite" });
    el.append(FX.el("h1", { text: FX.t("load_title") }), drop, out);

    function preview(file) {
      out.replaceChildren(FX.el("p", { text: FX.t("loading") }));
      FX.call("POST", "/v1/admin/indicators?dry_run=1", file, typeOf(file.name)).then(function (r) {
        if (r.status !== 200) { out.replaceChildren(FX.el("p", { class: "error", text: FX.t("failed", FX.errorText(r)) })); return; }
        var confirm = FX.el("button", { type: "button", id: "load-confirm", text: FX.t("load_confirm") });
        var cancel = FX.el("button", { type: "button", class: "secondary", id: "load-cancel", text: FX.t("load_cancel"),
          onclick: function () { out.replaceChildren(); input.value = ""; } });
        out.replaceChildren(FX.el("h2", { id: "load-preview-title", text: FX.t("load_preview_title", file.name) }),
          summary(r.data, "preview"), rejectedTable(r.data), FX.el("div", { class: "row" }, confirm, cancel));
        confirm.focus();
        confirm.addEventListener("click", function () { commit(file); });
      });
    }

    function commit(file) {
      var since = new Date(Date.now() - 1000).toISOString();
      var bar = FX.el("progress", { id: "load-progress", max: "1", value: "0", "aria-label": FX.t("load_uploading") });
      out.replaceChildren(FX.el("p", { text: FX.t("load_uploading") }), bar);
      upload(file, bar).then(function (r) {
        if (r.status !== 200) { out.replaceChildren(FX.el("p", { class: "error", text: FX.t("failed", FX.errorText(r)) })); return; }
        var link = "#audit/who=" + encodeURIComponent(FX.me.name) + "&action=add&since=" + encodeURIComponent(since);
        out.replaceChildren(FX.el("h2", { id: "load-done-title", text: FX.t("load_done_title", file.name) }),
          summary(r.data, "done"), rejectedTable(r.data),
          FX.el("p", {}, FX.el("a", { href: link, id: "load-audit-link", text: FX.t("load_audit") })));
        input.value = "";
      });
    }

    input.addEventListener("change", function () { if (input.files[0]) preview(input.files[0]); });
    drop.addEventListener("dragover", function (ev) { ev.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
    drop.addEventListener("drop", function (ev) {
      ev.preventDefault();
      drop.classList.remove("over");
      if (ev.dataTransfer.files[0]) preview(ev.dataTransfer.files[0]);
    });
  }

  FX.screen({ id: "load", title: "menu_load", needs: ["load"], render: render });
})();
