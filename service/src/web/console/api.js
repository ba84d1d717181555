/* The console's shared module: calls to the service (the session cookie rides along; every
 * change carries the session's CSRF token), the strings of both languages, small DOM helpers
 * and the list of screens. Each screen is its own file that calls FX.screen({...}). */
"use strict";

var FX = (function () {
  var fx = {
    me: null,       /* who is signed in: {name, role, rights, csrf, ...} (GET /admin/session) */
    lang: "vi",
    screens: [],
    strings: { vi: {}, en: {} },
  };

  fx.addStrings = function (s) {
    Object.keys(s).forEach(function (lang) {
      Object.assign(fx.strings[lang], s[lang]);
    });
  };

  /* The text of key in the chosen language; {0}, {1} … replaced by the arguments. */
  fx.t = function (key) {
    var s = fx.strings[fx.lang][key];
    if (s === undefined) s = fx.strings.vi[key];
    if (s === undefined) s = key;
    var args = Array.prototype.slice.call(arguments, 1);
    return s.replace(/\{(\d)\}/g, function (_, i) { return String(args[Number(i)]); });
  };

  fx.can = function (right) {
    return !!fx.me && fx.me.rights.indexOf(right) >= 0;
  };

  /* An element: attrs (attributes; "on*" functions become listeners; "text" its text) and
   * children (nodes or strings, as text: nothing is ever parsed as HTML). */
  fx.el = function (tag, attrs) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === "text") e.textContent = v;
      else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    });
    for (var i = 2; i < arguments.length; i++) fx.append(e, arguments[i]);
    return e;
  };
  fx.append = function (e, c) {
    if (c === undefined || c === null || c === false) return;
    if (Array.isArray(c)) c.forEach(function (x) { fx.append(e, x); });
    else e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  };
  fx.svg = function (tag, attrs) {
    var e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) if (arguments[i]) e.appendChild(arguments[i]);
    return e;
  };

  /* A labelled field: {id, label, type|select|textarea, value, ...}. Returns [label, control]. */
  fx.field = function (o) {
    var c;
    if (o.options) {
      c = fx.el("select", { id: o.id, name: o.name || o.id });
      o.options.forEach(function (op) {
        c.appendChild(fx.el("option", { value: op[0], text: op[1], selected: op[0] === o.value }));
      });
    } else if (o.textarea) {
      c = fx.el("textarea", { id: o.id, name: o.name || o.id, rows: o.rows || 2 });
      c.value = o.value || "";
    } else {
      c = fx.el("input", { id: o.id, name: o.name || o.id, type: o.type || "text",
                           autocomplete: "off", required: o.required, placeholder: o.placeholder });
      if (o.value !== undefined) c.value = o.value;
    }
    return fx.el("div", { class: "field" }, fx.el("label", { for: o.id, text: o.label }), c);
  };

  fx.status = function (msg) {
    var s = document.getElementById("status");
    s.textContent = msg || "";
    clearTimeout(fx.statusTimer);
    if (msg) fx.statusTimer = setTimeout(function () { s.textContent = ""; }, 6000);
  };

  /* A call to the service: {status, data} (data: the parsed JSON, or the text). A 401 means
   * the session ended: the sign-in form comes back. */
  fx.call = function (method, path, body, ctype) {
    var headers = {};
    if (method !== "GET" && method !== "HEAD" && fx.me) headers["X-CSRF-Token"] = fx.me.csrf;
    var init = { method: method, headers: headers, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) {
      if (typeof body === "string" || body instanceof Blob) {
        init.body = body;
        headers["Content-Type"] = ctype || "text/plain";
      } else {
        init.body = JSON.stringify(body);
        headers["Content-Type"] = "application/json";
      }
    }
    return fetch(path, init).then(function (r) {
      return r.text().then(function (text) {
        var data = text;
        try { data = JSON.parse(text); } catch (e) { /* not JSON: kept as text */ }
        if (r.status === 401 && path.indexOf("/v1/admin/") === 0 && fx.onSignedOut) fx.onSignedOut();
        return { status: r.status, data: data };
      });
    });
  };

  /* An answer's error message, for the status line. */
  fx.errorText = function (res) {
    var e = res.data && res.data.error;
    return (e ? e.message : "HTTP " + res.status);
  };

  fx.screen = function (s) { fx.screens.push(s); };

  fx.date = function (iso) { return iso ? String(iso).replace("T", " ").replace(/\.\d+Z$|Z$/, "") : ""; };

  fx.verdictEl = function (current) {
    if (!current) return fx.el("span", { class: "muted", text: "—" });
    var v = current.verdict;
    var listed = current.allowlisted || current.status === "allowlisted";
    var e = fx.el("span", {}, fx.el("span", { class: "verdict " + v, text: fx.t("verdict_" + v) }));
    if (current.status) fx.append(e, " (" + fx.t("status_" + current.status) + ")");
    if (listed) fx.append(e, [" ", fx.el("span", { class: "flag", text: fx.t("flag_official") })]);
    return e;
  };

  fx.addStrings({
    vi: {
      app_title: "fraudidx — Bàn làm việc của chuyên viên", menu: "Trình đơn", skip: "Bỏ qua trình đơn",
      signin: "Đăng nhập", signout: "Đăng xuất", token: "Mã truy cập (token)",
      signin_bad: "Mã truy cập không hợp lệ.", signin_limited: "Đăng nhập sai quá nhiều lần; thử lại sau {0} giây.",
      signin_ended: "Phiên làm việc đã kết thúc; hãy đăng nhập lại.", signed_as: "{0} — vai trò {1}",
      other_lang: "English", loading: "Đang tải…", failed: "Không thành công: {0}", done: "Đã xong.",
      verdict_scam: "lừa đảo", verdict_suspicious: "đáng ngờ", verdict_safe: "an toàn",
      verdict_unknown: "chưa biết", status_confirmed: "đã xác nhận", status_reported: "được báo cáo",
      status_allowlisted: "chính thức", flag_official: "SỐ/TRANG CHÍNH THỨC",
      reason: "Lý do", kind: "Loại", value: "Giá trị", when: "Thời gian", who: "Ai", action: "Hành động",
      not_allowed: "Vai trò của bạn không được dùng màn hình này.",
    },
    en: {
      app_title: "fraudidx — Analysts' console", menu: "Menu", skip: "Skip the menu",
      signin: "Sign in", signout: "Sign out", token: "Access token",
      signin_bad: "This token is not valid.", signin_limited: "Too many failed sign-ins; try again in {0} s.",
      signin_ended: "The session has ended; sign in again.", signed_as: "{0} — role {1}",
      other_lang: "Tiếng Việt", loading: "Loading…", failed: "Failed: {0}", done: "Done.",
      verdict_scam: "scam", verdict_suspicious: "suspicious", verdict_safe: "safe",
      verdict_unknown: "unknown", status_confirmed: "confirmed", status_reported: "reported",
      status_allowlisted: "official", flag_official: "OFFICIAL NUMBER/SITE",
      reason: "Reason", kind: "Kind", value: "Value", when: "When", who: "Who", action: "Action",
      not_allowed: "Your role may not use this screen.",
    },
  });

  return fx;
})();
