/* Warnings to the public (issue 19; docs/WARNINGS.md): the list (drafts too), a form to write
 * or correct one, a preview as citizens will read it, publish, and retract with a reason. Each
 * change is the analysts' API's (/v1/admin/warnings…), answered once durable and audited; a
 * published warning's page opens at /warnings/ID. */
"use strict";

(function () {
  FX.addStrings({
    vi: {
      menu_warnings: "Cảnh báo", w_title: "Cảnh báo cho người dân", w_new: "Viết cảnh báo mới",
      w_list_title: "Tất cả cảnh báo", w_state: "Trạng thái", w_updated: "Cập nhật", w_none: "Chưa có cảnh báo nào.",
      w_draft: "Bản nháp", w_published: "Đã đăng", w_retracted: "Đã rút lại", w_open: "Mở",
      w_title_vi: "Tiêu đề (tiếng Việt)", w_title_en: "Tiêu đề (tiếng Anh, không bắt buộc)",
      w_text_vi: "Nội dung (tiếng Việt)", w_advice_vi: "Lời khuyên (không bắt buộc)",
      w_category: "Hình thức lừa đảo", w_category_none: "— Không rõ —",
      w_regions: "Khu vực (mã tỉnh, cách nhau bởi dấu phẩy; all: cả nước)",
      w_indicators: "Số điện thoại, tài khoản, đường link (mỗi dòng một)", w_valid_until: "Hiệu lực đến (không bắt buộc)",
      w_severity: "Mức độ", w_sev_low: "Thấp", w_sev_medium: "Trung bình", w_sev_high: "Cao",
      w_issuer: "Đơn vị phát hành", w_preview: "Xem trước", w_save: "Lưu nháp", w_publish: "Đăng",
      w_retract: "Rút lại", w_reason: "Lý do rút lại", w_preview_title: "Người dân sẽ thấy:",
      w_saved: "Đã lưu bản nháp {0}.", w_published_ok: "Đã đăng cảnh báo {0}.", w_retracted_ok: "Đã rút lại cảnh báo {0}.",
      w_page: "Trang của cảnh báo", w_edit: "Sửa",
    },
    en: {
      menu_warnings: "Warnings", w_title: "Warnings to the public", w_new: "Write a new warning",
      w_list_title: "Every warning", w_state: "State", w_updated: "Updated", w_none: "No warning yet.",
      w_draft: "Draft", w_published: "Published", w_retracted: "Retracted", w_open: "Open",
      w_title_vi: "Title (Vietnamese)", w_title_en: "Title (English, optional)",
      w_text_vi: "Text (Vietnamese)", w_advice_vi: "Advice (optional)",
      w_category: "Kind of scam", w_category_none: "— Unknown —",
      w_regions: "Regions (province codes, comma-separated; all: the whole country)",
      w_indicators: "Phone numbers, accounts, links (one a line)", w_valid_until: "Valid until (optional)",
      w_severity: "Severity", w_sev_low: "Low", w_sev_medium: "Medium", w_sev_high: "High",
      w_issuer: "Issued by", w_preview: "Preview", w_save: "Save draft", w_publish: "Publish",
      w_retract: "Retract", w_reason: "Why it is retracted", w_preview_title: "Citizens will read:",
      w_saved: "Draft {0} saved.", w_published_ok: "Warning {0} published.", w_retracted_ok: "Warning {0} retracted.",
      w_page: "The warning's page", w_edit: "Edit",
    },
  });

  var CATEGORIES = ["impersonation", "task_job", "investment", "loan", "romance", "shopping",
                    "account_takeover", "phishing", "malware_app", "recovery", "gambling", "other"];

  function lines(s) { return s.split("\n").map(function (x) { return x.trim(); }).filter(Boolean); }

  /* The form's fields as the API takes them. */
  function fieldsOf(f) {
    var until = f.querySelector("#w-valid-until").value;
    return {
      title: { vi: f.querySelector("#w-title-vi").value, en: f.querySelector("#w-title-en").value || null },
      text: { vi: f.querySelector("#w-text-vi").value },
      advice: { vi: f.querySelector("#w-advice-vi").value || null },
      category: f.querySelector("#w-category").value || null,
      regions: f.querySelector("#w-regions").value.split(",").map(function (x) { return x.trim(); }).filter(Boolean),
      indicators: lines(f.querySelector("#w-indicators").value),
      valid_until: until || null,
      severity: f.querySelector("#w-severity").value,
      issuer: f.querySelector("#w-issuer").value || null,
    };
  }

  /* As the citizens' page shows it: title, who, text, advice, what it names. */
  function preview(w) {
    return FX.el("article", { class: "card", id: "w-preview", "aria-labelledby": "w-preview-h" },
      FX.el("p", { class: "muted", text: FX.t("w_preview_title") }),
      FX.el("h2", { id: "w-preview-h", lang: "vi", text: w.title.vi }),
      w.issuer ? FX.el("p", { lang: "vi", text: w.issuer }) : null,
      FX.el("p", { lang: "vi", class: "pre", text: w.text.vi }),
      w.advice && w.advice.vi ? FX.el("p", { lang: "vi", class: "pre", text: w.advice.vi }) : null,
      w.indicators.length ? FX.el("ul", {}, w.indicators.map(function (i) {
        return FX.el("li", { text: typeof i === "string" ? i : i.value });
      })) : null,
      FX.el("p", { class: "muted", text: w.regions.join(", ") }));
  }

  function form(w, done) {
    var cats = [["", FX.t("w_category_none")]].concat(CATEGORIES.map(function (c) { return [c, c]; }));
    var sev = ["low", "medium", "high"].map(function (s) { return [s, FX.t("w_sev_" + s)]; });
    var f = FX.el("form", { id: "w-form", class: "card" },
      FX.field({ id: "w-title-vi", label: FX.t("w_title_vi"), required: true }),
      FX.field({ id: "w-title-en", label: FX.t("w_title_en") }),
      FX.field({ id: "w-text-vi", label: FX.t("w_text_vi"), textarea: true, rows: 5 }),
      FX.field({ id: "w-advice-vi", label: FX.t("w_advice_vi"), textarea: true, rows: 2 }),
      FX.field({ id: "w-category", label: FX.t("w_category"), options: cats, value: w ? w.category || "" : "" }),
      FX.field({ id: "w-regions", label: FX.t("w_regions") }),
      FX.field({ id: "w-indicators", label: FX.t("w_indicators"), textarea: true, rows: 3 }),
      FX.field({ id: "w-valid-until", label: FX.t("w_valid_until"), type: "date" }),
      FX.field({ id: "w-severity", label: FX.t("w_severity"), options: sev, value: w ? w.severity : "medium" }),
      FX.field({ id: "w-issuer", label: FX.t("w_issuer") }));
    if (w) {
      f.querySelector("#w-title-vi").value = w.title.vi || "";
      f.querySelector("#w-title-en").value = w.title.en || "";
      f.querySelector("#w-text-vi").value = w.text.vi || "";
      f.querySelector("#w-advice-vi").value = w.advice.vi || "";
      f.querySelector("#w-regions").value = w.regions.join(", ");
      f.querySelector("#w-indicators").value = w.indicators.map(function (i) { return i.value; }).join("\n");
      f.querySelector("#w-valid-until").value = w.valid_until ? w.valid_until.slice(0, 10) : "";
      f.querySelector("#w-issuer").value = w.issuer || "";
    }
    var out = FX.el("div", { id: "w-form-out", "aria-live": "polite" });
    function save() {
      var path = w ? "/v1/admin/warnings/" + w.id : "/v1/admin/warnings";
      return FX.call("POST", path, fieldsOf(f)).then(function (r) {
        if (r.status !== 200 && r.status !== 201) {
          out.replaceChildren(FX.el("p", { class: "error", role: "alert", text: FX.t("failed", FX.errorText(r)) }));
          return null;
        }
        w = r.data;
        return w;
      });
    }
    var buttons = FX.el("div", { class: "row" },
      FX.el("button", { type: "button", class: "secondary", id: "w-preview-button", text: FX.t("w_preview"),
        onclick: function () { out.replaceChildren(preview(fieldsOf(f))); } }),
      FX.el("button", { type: "button", class: "secondary", id: "w-save", text: FX.t("w_save"),
        onclick: function () { save().then(function (x) { if (x) { FX.status(FX.t("w_saved", x.id)); done(); } }); } }),
      !w || w.state === "draft" ? FX.el("button", { type: "button", id: "w-publish", text: FX.t("w_publish"),
        onclick: function () {
          save().then(function (x) {
            if (!x) return;
            FX.call("POST", "/v1/admin/warnings/" + x.id + "/publish", {}).then(function (r) {
              if (r.status !== 200) { out.replaceChildren(FX.el("p", { class: "error", role: "alert", text: FX.t("failed", FX.errorText(r)) })); return; }
              FX.status(FX.t("w_published_ok", x.id));
              done();
            });
          });
        } }) : null);
    f.append(buttons, out);
    f.addEventListener("submit", function (ev) { ev.preventDefault(); });
    return f;
  }

  function retractForm(w, done) {
    var reason = FX.field({ id: "w-reason-" + w.id, label: FX.t("w_reason") });
    return FX.el("form", { class: "row", id: "w-retract-" + w.id, onsubmit: function (ev) {
      ev.preventDefault();
      FX.call("POST", "/v1/admin/warnings/" + w.id + "/retract", { reason: ev.target.querySelector("input").value })
        .then(function (r) {
          FX.status(r.status === 200 ? FX.t("w_retracted_ok", w.id) : FX.t("failed", FX.errorText(r)));
          if (r.status === 200) done();
        });
    } }, reason, FX.el("button", { type: "submit", class: "secondary", text: FX.t("w_retract") }));
  }

  function render(el) {
    var editor = FX.el("div", { id: "w-editor" });
    var list = FX.el("div", { id: "w-list" });
    function refresh() {
      editor.replaceChildren();
      FX.call("GET", "/v1/admin/warnings").then(function (r) {
        if (r.status !== 200) { list.replaceChildren(FX.el("p", { class: "error", text: FX.t("failed", FX.errorText(r)) })); return; }
        var ws = r.data.warnings;
        if (!ws.length) { list.replaceChildren(FX.el("p", { text: FX.t("w_none") })); return; }
        list.replaceChildren(FX.el("h2", { text: FX.t("w_list_title") }), FX.el("ul", { class: "plain" }, ws.map(function (w) {
          var item = FX.el("li", { class: "card", id: "w-item-" + w.id },
            FX.el("strong", { lang: "vi", text: w.title.vi }), " — ", FX.t("w_" + w.state), " · ",
            FX.t("w_updated") + " " + FX.date(w.updated), " ");
          if (w.state !== "draft") item.append(FX.el("a", { href: "/warnings/" + w.id, text: FX.t("w_page") }), " ");
          if (w.state !== "retracted" && FX.can("warn")) {
            item.append(FX.el("button", { type: "button", class: "secondary", text: FX.t("w_edit"),
              onclick: function () { editor.replaceChildren(form(w, refresh)); editor.querySelector("input").focus(); } }));
          }
          if (w.state === "published" && FX.can("warn")) item.append(retractForm(w, refresh));
          return item;
        })));
      });
    }
    el.append(FX.el("h1", { text: FX.t("w_title") }));
    if (FX.can("warn")) {
      el.append(FX.el("button", { type: "button", id: "w-new", text: FX.t("w_new"), onclick: function () {
        editor.replaceChildren(form(null, refresh));
        editor.querySelector("input").focus();
      } }));
    }
    el.append(editor, list);
    refresh();
  }

  FX.screen({ id: "warnings", title: "menu_warnings", needs: ["status"], render: render });
})();
