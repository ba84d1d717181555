/* The console's frame: sign-in and sign-out, the language switch, the menu of screens (those
 * the role may use), and which screen shows (the URL's #fragment: #queue, #search, …). */
"use strict";

(function () {
  var $ = function (id) { return document.getElementById(id); };
  var current = null;

  function applyLanguage() {
    document.documentElement.lang = FX.lang;
    document.title = FX.t("app_title");
    $("lang").textContent = FX.t("other_lang");
    $("lang").setAttribute("lang", FX.lang === "vi" ? "en" : "vi");
    $("signout").textContent = FX.t("signout");
    $("signin-title").textContent = FX.t("signin");
    $("token-label").textContent = FX.t("token");
    $("signin-button").textContent = FX.t("signin");
    $("skip").textContent = FX.t("skip");
    $("menu").setAttribute("aria-label", FX.t("menu"));
  }

  function allowed(s) {
    return !s.needs || s.needs.every(function (r) { return FX.can(r); });
  }

  function buildMenu() {
    var ul = FX.el("ul");
    FX.screens.filter(allowed).forEach(function (s) {
      ul.appendChild(FX.el("li", {}, FX.el("a", { href: "#" + s.id, id: "menu-" + s.id,
        "aria-current": current === s.id ? "page" : null, text: FX.t(s.title) })));
    });
    $("menu").replaceChildren(ul);
  }

  function show() {
    if (!FX.me) return;
    var id = (location.hash || "").replace(/^#/, "").split("/")[0];
    var list = FX.screens.filter(allowed);
    var s = list.filter(function (x) { return x.id === id; })[0] || list[0];
    current = s ? s.id : null;
    buildMenu();
    var el = $("screen");
    el.replaceChildren();
    FX.status("");
    if (!s) {
      el.appendChild(FX.el("p", { text: FX.t("not_allowed") }));
      return;
    }
    var arg = decodeURIComponent((location.hash || "").replace(/^#[^/]*\/?/, ""));
    s.render(el, arg);
  }

  function signedIn(me) {
    FX.me = me;
    $("signin").hidden = true;
    $("signout").hidden = false;
    $("who").textContent = FX.t("signed_as", me.name, me.role);
    show();
  }

  function signedOut(message) {
    FX.me = null;
    $("screen").replaceChildren();
    $("menu").replaceChildren();
    $("who").textContent = "";
    $("signout").hidden = true;
    $("signin").hidden = false;
    $("signin-error").textContent = message || "";
    $("token").value = "";
    $("token").focus();
  }
  FX.onSignedOut = function () { signedOut(FX.t("signin_ended")); };

  $("signin-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var token = $("token").value;
    $("token").value = ""; /* the token is typed once and kept nowhere */
    FX.call("POST", "/admin/session", { token: token }).then(function (r) {
      if (r.status === 200) return signedIn(r.data);
      var retry = r.status === 429;
      $("signin-error").textContent = retry ? FX.t("signin_limited", "60+") : FX.t("signin_bad");
      $("token").focus();
    });
  });

  $("signout").addEventListener("click", function () {
    FX.call("DELETE", "/admin/session").then(function () { signedOut(""); });
  });

  $("lang").addEventListener("click", function () {
    FX.lang = FX.lang === "vi" ? "en" : "vi";
    try { localStorage.setItem("fidx_console_lang", FX.lang); } catch (e) { /* private mode */ }
    applyLanguage();
    if (FX.me) {
      $("who").textContent = FX.t("signed_as", FX.me.name, FX.me.role);
      show();
    }
  });

  window.addEventListener("hashchange", show);

  try { FX.lang = localStorage.getItem("fidx_console_lang") === "en" ? "en" : "vi"; } catch (e) { /* none */ }
  applyLanguage();
  FX.call("GET", "/admin/session").then(function (r) {
    if (r.status === 200) signedIn(r.data);
    else signedOut("");
  });
})();
