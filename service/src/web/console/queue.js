/* The review queue: pending reports and disputes grouped by value, disputes of listed values
 * first, then the most reported; a decision (with its reason) for one report or the group.
 * Keys: j / k next / previous group; a approve as reported, c approve as confirmed, x reject,
 * u uphold a dispute (each picks the action and moves to the reason; Enter decides). */
"use strict";

(function () {
  FX.addStrings({
    vi: {
      menu_queue: "Hàng chờ duyệt", queue_title: "Báo cáo chờ duyệt", queue_empty: "Không có báo cáo nào đang chờ.",
      queue_reports: "{0} báo cáo", queue_disputes: "{0} khiếu nại", queue_urgent: "Khiếu nại về giá trị đang bị liệt kê",
      queue_canonical: "Dạng chuẩn", queue_written: "Như người báo viết", queue_current: "Kết luận hiện tại",
      queue_text: "Nội dung", queue_channel: "Kênh", queue_date: "Ngày xảy ra", queue_amount: "Số tiền (đồng)",
      queue_received: "Nhận lúc", queue_type: "Loại", type_scam: "lừa đảo", type_dispute: "khiếu nại",
      queue_action: "Quyết định", act_approve_reported: "Duyệt: được báo cáo (đáng ngờ)",
      act_approve_confirmed: "Duyệt: đã xác nhận lừa đảo", act_reject: "Bác bỏ báo cáo",
      act_uphold: "Chấp nhận khiếu nại (gỡ khỏi danh sách)", act_reject_dispute: "Bác bỏ khiếu nại",
      explain_reported: "«Được báo cáo»: giá trị được liệt kê theo lời cộng đồng; người dân thấy «đáng ngờ», không phải «đã xác minh».",
      explain_confirmed: "«Đã xác nhận»: đơn vị của bạn đã kiểm chứng; người dân thấy «lừa đảo, đã xác minh», nguồn ghi tên đơn vị bạn.",
      decide_group: "Áp dụng cho cả nhóm", decide_one: "Chỉ báo cáo này", reason_needed: "Hãy ghi lý do.",
      decided: "Đã quyết định {0} báo cáo.", keys_help: "Phím tắt: j/k nhóm sau/trước, a duyệt (được báo cáo), c duyệt (đã xác nhận), x bác bỏ, u chấp nhận khiếu nại, Enter quyết định.",
      queue_more: "Còn nữa: {0}", reload: "Tải lại",
      channel_call: "cuộc gọi", channel_sms: "tin nhắn SMS", channel_zalo: "Zalo", channel_facebook: "Facebook",
      channel_telegram: "Telegram", channel_web: "trang web", channel_other: "khác",
    },
    en: {
      menu_queue: "Review queue", queue_title: "Reports waiting for review", queue_empty: "No report is waiting.",
      queue_reports: "{0} reports", queue_disputes: "{0} disputes", queue_urgent: "Dispute of a listed value",
      queue_canonical: "Canonical", queue_written: "As the reporter wrote it", queue_current: "Current verdict",
      queue_text: "Text", queue_channel: "Channel", queue_date: "When it happened", queue_amount: "Amount (VND)",
      queue_received: "Received", queue_type: "Type", type_scam: "scam", type_dispute: "dispute",
      queue_action: "Decision", act_approve_reported: "Approve as reported (suspicious)",
      act_approve_confirmed: "Approve as confirmed scam", act_reject: "Reject the report",
      act_uphold: "Uphold the dispute (delist)", act_reject_dispute: "Reject the dispute",
      explain_reported: "“Reported”: listed on the community's word; citizens see “suspicious”, never “verified”.",
      explain_confirmed: "“Confirmed”: your unit has verified it; citizens see “scam, verified”, and your unit is named among the sources.",
      decide_group: "Decide for the whole group", decide_one: "This report only", reason_needed: "Give a reason.",
      decided: "{0} reports decided.", keys_help: "Keys: j/k next/previous group, a approve as reported, c approve as confirmed, x reject, u uphold a dispute, Enter decides.",
      queue_more: "More: {0}", reload: "Reload",
      channel_call: "call", channel_sms: "SMS", channel_zalo: "Zalo", channel_facebook: "Facebook",
      channel_telegram: "Telegram", channel_web: "website", channel_other: "other",
    },
  });

  var ACTIONS = {
    approve_reported: { action: "approve", status: "reported", type: "scam" },
    approve_confirmed: { action: "approve", status: "confirmed", type: "scam" },
    reject: { action: "reject", type: "scam" },
    uphold: { action: "uphold", type: "dispute" },
    reject_dispute: { action: "reject", type: "dispute" },
  };
  var KEYS = { a: "approve_reported", c: "approve_confirmed", x: "reject", u: "uphold" };

  function urgent(g) {
    return g.disputes > 0 && g.current && (g.current.verdict === "scam" || g.current.verdict === "suspicious");
  }

  function order(groups) {
    return groups.slice().sort(function (a, b) {
      return (urgent(b) - urgent(a)) || (b.count - a.count) || (a.first_report < b.first_report ? -1 : 1);
    });
  }

  function decisionBody(key, reason) {
    var a = ACTIONS[key];
    var body = { action: a.action, reason: reason };
    if (a.status) body.status = a.status;
    return body;
  }

  function reportRow(g, r, n, form) {
    var one = FX.el("button", { type: "button", class: "secondary", id: "one-" + r.id,
      text: FX.t("decide_one"), onclick: function () { form.decide([r.id]); } });
    return FX.el("tr", {},
      FX.el("td", { text: FX.t("type_" + (r.type || "scam")) }),
      FX.el("td", { text: r.query || r.value || "" }),
      FX.el("td", { text: r.description || "" }),
      FX.el("td", { text: r.channel ? FX.t("channel_" + r.channel) : "" }),
      FX.el("td", { text: r.date || "" }),
      FX.el("td", { text: r.amount_vnd !== undefined && r.amount_vnd !== null ? Number(r.amount_vnd).toLocaleString("vi-VN") : "" }),
      FX.el("td", { text: FX.date(r.time) }),
      FX.el("td", {}, FX.can("review") ? one : null));
  }

  function groupEl(g, i, reload) {
    var gid = "g" + i;
    var hasScam = g.count > g.disputes, hasDispute = g.disputes > 0;
    var options = [];
    if (hasScam) options.push(["approve_reported", FX.t("act_approve_reported")],
      ["approve_confirmed", FX.t("act_approve_confirmed")], ["reject", FX.t("act_reject")]);
    if (hasDispute) options.push(["uphold", FX.t("act_uphold")], ["reject_dispute", FX.t("act_reject_dispute")]);
    var actionField = FX.field({ id: gid + "-action", label: FX.t("queue_action"), options: options });
    var reasonField = FX.field({ id: gid + "-reason", label: FX.t("reason") });
    var select = actionField.querySelector("select"), reason = reasonField.querySelector("input");
    var explain = FX.el("p", { class: "muted", id: gid + "-explain" });
    function explainNow() {
      explain.textContent = select.value === "approve_confirmed" ? FX.t("explain_confirmed")
        : select.value === "approve_reported" ? FX.t("explain_reported") : "";
    }
    select.addEventListener("change", explainNow);
    explainNow();
    var err = FX.el("p", { class: "error", role: "alert" });
    var form = FX.el("form", { class: "row", "aria-label": FX.t("queue_action") + " — " + g.value },
      actionField, reasonField, FX.el("button", { type: "submit", id: gid + "-decide", text: FX.t("decide_group") }));
    form.decide = function (ids) {
      var why = reason.value.trim();
      if (!why) { err.textContent = FX.t("reason_needed"); reason.focus(); return; }
      var body = decisionBody(select.value, why), call;
      if (ids) {
        call = FX.call("POST", "/v1/admin/reports/" + encodeURIComponent(ids[0]), body);
      } else {
        body.value = g.value;
        body.kind = g.kind;
        if (select.value === "reject_dispute") body.type = "dispute";
        call = FX.call("POST", "/v1/admin/reports", body);
      }
      call.then(function (r) {
        if (r.status !== 200) { err.textContent = FX.t("failed", FX.errorText(r)); return; }
        var n = ids ? 1 : (r.data.decided || []).length;
        var failed = ids ? [] : (r.data.failed || []);
        if (failed.length) err.textContent = FX.t("failed", failed[0].error.message);
        FX.status(FX.t("decided", n));
        reload();
      });
    };
    form.addEventListener("submit", function (ev) { ev.preventDefault(); form.decide(null); });
    form.select = select;
    form.reason = reason;

    var head = FX.el("h2", { id: gid + "-title" }, g.value + " ");
    var facts = FX.el("p", {},
      FX.el("span", { text: FX.t("queue_reports", g.count) }),
      g.disputes ? [" · ", FX.el("span", { text: FX.t("queue_disputes", g.disputes) })] : null,
      " · ", FX.t("queue_canonical") + ": ", FX.el("code", { text: g.kind + " " + g.value }),
      " · ", FX.t("queue_current") + ": ", FX.verdictEl(g.current));
    var table = FX.el("table", {}, FX.el("thead", {}, FX.el("tr", {},
      [FX.t("queue_type"), FX.t("queue_written"), FX.t("queue_text"), FX.t("queue_channel"),
       FX.t("queue_date"), FX.t("queue_amount"), FX.t("queue_received"), ""].map(function (h) {
        return FX.el("th", { scope: "col", text: h });
      }))), FX.el("tbody", {}, (g.reports || []).map(function (r, n) { return reportRow(g, r, n, form); })));
    var box = FX.el("section", { class: "group", tabindex: "0", id: gid, "aria-labelledby": gid + "-title",
      "data-value": g.value },
      head, urgent(g) ? FX.el("p", {}, FX.el("span", { class: "flag", text: FX.t("queue_urgent") })) : null,
      facts, FX.el("div", { class: "table-wrap" }, table),
      FX.can("review") ? [form, explain, err] : null);
    box.form = form;
    return box;
  }

  function render(el) {
    var list = FX.el("div", { id: "queue-list" });
    var help = FX.el("p", { class: "keys muted", text: FX.t("keys_help") });
    var reloadBtn = FX.el("button", { type: "button", class: "secondary", id: "queue-reload", text: FX.t("reload") });
    el.append(FX.el("h1", { text: FX.t("queue_title") }), FX.can("review") ? help : null, reloadBtn, list);
    var selected = 0;
    function select(i) {
      var boxes = list.querySelectorAll(".group");
      if (!boxes.length) return;
      selected = Math.max(0, Math.min(boxes.length - 1, i));
      boxes.forEach(function (b, n) { b.classList.toggle("selected", n === selected); });
      boxes[selected].focus();
    }
    function load() {
      list.replaceChildren(FX.el("p", { text: FX.t("loading") }));
      FX.call("GET", "/v1/admin/reports?group=value&limit=100").then(function (r) {
        if (r.status !== 200) { list.replaceChildren(FX.el("p", { class: "error", text: FX.t("failed", FX.errorText(r)) })); return; }
        var groups = order(r.data.groups || []);
        list.replaceChildren();
        if (!groups.length) list.appendChild(FX.el("p", { text: FX.t("queue_empty") }));
        groups.forEach(function (g, i) { list.appendChild(groupEl(g, i, load)); });
        if (r.data.next) list.appendChild(FX.el("p", { class: "muted", text: FX.t("queue_more", "…") }));
      });
    }
    reloadBtn.addEventListener("click", load);
    el.onkeydown = function (ev) {
      var t = ev.target.tagName;
      if (ev.altKey || ev.ctrlKey || ev.metaKey || t === "INPUT" || t === "SELECT" || t === "TEXTAREA") return;
      if (ev.key === "j") { select(selected + 1); ev.preventDefault(); return; }
      if (ev.key === "k") { select(selected - 1); ev.preventDefault(); return; }
      var key = KEYS[ev.key];
      var box = list.querySelectorAll(".group")[selected];
      if (!key || !box || !box.form) return;
      var opt = box.form.select.querySelector("option[value='" + key + "']");
      if (!opt) return;
      box.form.select.value = key;
      box.form.select.dispatchEvent(new Event("change"));
      box.form.reason.focus();
      ev.preventDefault();
    };
    load();
  }

  FX.screen({ id: "queue", title: "menu_queue", needs: ["reports"], render: render });
})();
