/* The citizens' page of fraudidx-service, enhanced. Everything works without this file (plain
   forms, pages rendered by the server); with it:
   - the language chosen with the switch is remembered (localStorage) and reapplied;
   - a check is answered in place: the server renders the answer (GET /check?…&part=result)
     and it replaces the previous one, so both paths say exactly the same words; the answer is
     scrolled to the top of the screen and its heading takes the focus (screen readers read
     it); Enter in the box checks (Shift+Enter makes a new line of a pasted message);
   - the share button under a warning shares it (Web Share API) or copies it with its link;
   - a report is sent to POST /v1/reports and its outcome shown in place, its reference a link
     to its status page.
   The dispute form (GET /dispute) and a report's status page are plain forms and pages.
   No other host is ever contacted. */
(function () {
  "use strict";

  var LANG_KEY = "fidx-lang";

  function storedLang() {
    try {
      return window.localStorage.getItem(LANG_KEY);
    } catch (e) {
      return null; /* storage disabled: the switch still works, it is just not remembered */
    }
  }

  function storeLang(lang) {
    try {
      window.localStorage.setItem(LANG_KEY, lang);
    } catch (e) {
      /* ignored, as above */
    }
  }

  /* Runs before the body is parsed: a remembered language other than the page's reloads the
     page in that language, unless the request named its language (an address with lang=, or a
     form, which always says the language it was filled in: data-lang-given). */
  (function applyRememberedLang() {
    var params = new URLSearchParams(window.location.search);
    var want = storedLang();
    var root = document.documentElement;
    if (params.has("lang") || root.hasAttribute("data-lang-given") || !want ||
        want === root.lang || (want !== "vi" && want !== "en")) {
      return;
    }
    params.set("lang", want);
    window.location.replace(window.location.pathname + "?" + params.toString() + window.location.hash);
  })();

  function $(id) {
    return document.getElementById(id);
  }

  function formParams(form, names) {
    var data = new FormData(form);
    var params = new URLSearchParams();
    names.forEach(function (name) {
      var v = data.get(name);
      if (v !== null && v !== "") {
        params.set(name, String(v));
      }
    });
    return params;
  }

  /* ---- checking, answered in place ---- */

  function updateLangSwitch(params) {
    var sw = $("lang-switch");
    if (!sw) {
      return;
    }
    var p = new URLSearchParams(params);
    p.set("lang", sw.getAttribute("data-lang"));
    sw.setAttribute("href", "/check?" + p.toString());
  }

  /* The answer at the top of the screen, its heading focused (and so read out). */
  function bringAnswer() {
    var section = $("result").querySelector("[data-verdict], [data-follow]");
    var heading = $("result-h");
    if (section) {
      section.scrollIntoView({ block: "start" });
    }
    if (heading) {
      heading.focus({ preventScroll: true });
    }
    showShare();
  }

  function showResult(html, params) {
    var slot = $("result");
    slot.innerHTML = html;
    var section = slot.querySelector("[data-title]");
    if (section) {
      document.title = section.getAttribute("data-title");
    }
    updateLangSwitch(params);
    bringAnswer();
  }

  /* Longer than a web address can carry (the service's header limit is 8 KiB). */
  var MAX_QUERY = 6000;

  function onCheck(event) {
    var form = event.currentTarget;
    var q = $("q");
    if (!q.value.trim()) {
      return; /* the browser's own "required" message */
    }
    event.preventDefault();
    var params = formParams(form, ["q", "kind", "bank", "lang"]);
    var tooLong = $("q-too-long");
    if (params.toString().length > MAX_QUERY) {
      tooLong.textContent = form.getAttribute("data-msg-too-long");
      tooLong.hidden = false;
      q.focus();
      return;
    }
    tooLong.hidden = true;
    var button = form.querySelector("button[type=submit]");
    var slot = $("result");
    button.disabled = true;
    slot.setAttribute("aria-busy", "true");
    fetch("/check?" + params.toString() + "&part=result", {
      headers: { Accept: "text/html" },
      credentials: "same-origin",
    })
      .then(function (r) {
        if (r.status !== 200 && r.status !== 400) {
          throw new Error("status " + r.status);
        }
        return r.text();
      })
      .then(function (html) {
        window.history.pushState(null, "", "/check?" + params.toString());
        showResult(html, params);
      })
      .catch(function () {
        form.submit(); /* let the server answer with a whole page */
      })
      .then(function () {
        button.disabled = false;
        slot.removeAttribute("aria-busy");
      });
  }

  /* Enter checks; Shift+Enter is a new line (a pasted message keeps its lines). */
  function onQueryKey(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("check-form").requestSubmit();
    }
  }

  /* ---- sharing a warning ---- */

  function showShare() {
    var button = $("share");
    if (button) {
      button.hidden = false;
    }
  }

  function shareStatus(button, name) {
    var status = $("share-status");
    if (status) {
      status.textContent = button.getAttribute("data-msg-" + name) || "";
    }
  }

  /* Copies text with a hidden field, for browsers without the clipboard API. */
  function copyByHand(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    document.body.removeChild(area);
    return ok;
  }

  function onShare(button) {
    var text = button.getAttribute("data-share-text");
    var url = new URL(button.getAttribute("data-share-url"), window.location.href).href;
    if (navigator.share) {
      navigator.share({ text: text, url: url }).catch(function () {
        /* closed by the person, or refused: nothing to say */
      });
      return;
    }
    var whole = text + " " + url;
    var copy = navigator.clipboard && navigator.clipboard.writeText
      ? navigator.clipboard.writeText(whole)
      : Promise.reject(new Error("no clipboard"));
    copy.then(function () {
      shareStatus(button, "copied");
    }, function () {
      shareStatus(button, copyByHand(whole) ? "copied" : "failed");
    });
  }

  /* ---- reporting ---- */

  /* A notice above the form; a report's id, when given, replaces {1} as the link to its
     status page (/report/ID), as the server renders it. */
  function notice(kind, text, id) {
    var box = $("report-status");
    box.textContent = "";
    var p = document.createElement("p");
    p.className = "notice " + kind;
    p.setAttribute("role", kind === "error" ? "alert" : "status");
    p.setAttribute("tabindex", "-1");
    if (id) {
      var parts = text.split("{1}");
      var a = document.createElement("a");
      var lang = document.documentElement.lang;
      a.className = "report-code";
      a.href = "/report/" + encodeURIComponent(id) + "?lang=" + encodeURIComponent(lang);
      a.textContent = id;
      p.appendChild(document.createTextNode(parts[0]));
      p.appendChild(a);
      p.appendChild(document.createTextNode(parts.slice(1).join("{1}")));
    } else {
      p.textContent = text;
    }
    box.appendChild(p);
    return p;
  }

  function fieldError(input, text) {
    var id = input.id + "-error";
    var old = $(id);
    if (old) {
      old.parentNode.removeChild(old);
    }
    var describedBy = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
      return x && x !== id;
    });
    if (!text) {
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", describedBy.join(" "));
      return;
    }
    var span = document.createElement("span");
    span.className = "field-error";
    span.id = id;
    span.textContent = text;
    input.parentNode.insertBefore(span, input);
    input.setAttribute("aria-invalid", "true");
    describedBy.push(id);
    input.setAttribute("aria-describedby", describedBy.join(" "));
  }

  function msg(form, name, arg) {
    return (form.getAttribute("data-msg-" + name) || "").replace("{1}", arg === undefined ? "" : arg);
  }

  /* The amount as people write it ("5.000.000"), as the service reads it: a whole number, or
     NaN when it is not one. */
  function amountOf(text) {
    var digits = text.replace(/[.,\s]/g, "");
    return /^[0-9]{1,16}$/.test(digits) ? parseInt(digits, 10) : NaN;
  }

  function reportBody(form) {
    var params = formParams(form, ["kind", "bank", "value", "category", "description", "channel",
                                   "date", "amount_vnd"]);
    var body = {};
    params.forEach(function (v, k) {
      body[k] = v;
    });
    if (body.amount_vnd !== undefined) {
      body.amount_vnd = amountOf(body.amount_vnd);
    }
    return body;
  }

  /* The field a refusal is about: the service's messages name it first. */
  var FIELDS = [["date", "r-date", "date"], ["amount_vnd", "r-amount", "amount"],
                ["channel", "r-channel", "channel"], ["description", "r-description", "description"]];

  function refusedField(answer) {
    var error = answer && answer.error;
    if (error && error.code === "invalid_value") {
      return ["r-value", "value"];
    }
    for (var i = 0; error && i < FIELDS.length; i++) {
      if (String(error.message).indexOf(FIELDS[i][0] + " ") === 0) {
        return [FIELDS[i][1], FIELDS[i][2]];
      }
    }
    return ["r-description", "description"];
  }

  function reportAnswered(form, r, answer) {
    if (r.status === 202) {
      form.reset();
      return notice("ok", form.getAttribute("data-msg-ok") || "", answer.id);
    }
    if (r.status === 429) {
      var seconds = parseInt(r.headers.get("Retry-After") || "60", 10);
      return notice("error", msg(form, "limited", String(Math.max(1, Math.ceil(seconds / 60)))));
    }
    if (r.status === 400) {
      /* The service's own words are English: shown only on the English page. */
      var english = document.documentElement.lang === "en";
      var detail = english && answer && answer.error ? " (" + answer.error.message + ")" : "";
      var field = refusedField(answer);
      fieldError($(field[0]), msg(form, field[1]) + detail);
      notice("error", msg(form, "invalid"));
      $(field[0]).focus();
      return null;
    }
    return notice("error", msg(form, "unavailable"));
  }

  function onReport(event) {
    var form = event.currentTarget;
    var value = $("r-value");
    var amount = $("r-amount");
    event.preventDefault();
    ["r-value", "r-description", "r-channel", "r-date", "r-amount"].forEach(function (id) {
      fieldError($(id), "");
    });
    if (!value.value.trim()) {
      fieldError(value, msg(form, "value"));
      notice("error", msg(form, "invalid"));
      value.focus();
      return;
    }
    if (amount.value.trim() && isNaN(amountOf(amount.value))) {
      fieldError(amount, msg(form, "amount"));
      notice("error", msg(form, "invalid"));
      amount.focus();
      return;
    }
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    notice("pending", msg(form, "sending"));
    var response;
    fetch("/v1/reports", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(reportBody(form)),
      credentials: "same-origin",
    })
      .then(function (r) {
        response = r;
        return r.json().catch(function () {
          return null;
        });
      })
      .then(function (answer) {
        var shown = reportAnswered(form, response, answer);
        if (shown) {
          shown.focus();
        }
      })
      .catch(function () {
        form.submit(); /* the server renders the outcome as a page */
      })
      .then(function () {
        button.disabled = false;
      });
  }

  /* "Report this number" under an answer fills the report form instead of loading a page;
     the share button shares. */
  function onResultClick(event) {
    var share = event.target.closest ? event.target.closest("#share") : null;
    if (share) {
      onShare(share);
      return;
    }
    var link = event.target.closest ? event.target.closest("#report-this") : null;
    if (!link) {
      return;
    }
    var url = new URL(link.href, window.location.href);
    var kind = $("r-kind");
    event.preventDefault();
    kind.value = url.searchParams.get("kind") || "";
    $("r-value").value = url.searchParams.get("value") || "";
    $("report-h").scrollIntoView();
    $("r-value").focus();
  }

  function start() {
    var check = $("check-form");
    var report = $("report-form");
    var sw = $("lang-switch");
    if (!check || !report || !window.fetch || !window.URLSearchParams) {
      return;
    }
    check.addEventListener("submit", onCheck);
    $("q").addEventListener("keydown", onQueryKey);
    if ($("result").querySelector("[data-verdict], [data-follow]")) {
      bringAnswer(); /* a whole page with its answer (a check's, a report's status, a dispute) */
    }
    report.addEventListener("submit", onReport);
    $("result").addEventListener("click", onResultClick);
    if (sw) {
      sw.addEventListener("click", function () {
        storeLang(sw.getAttribute("data-lang"));
      });
    }
    window.addEventListener("popstate", function () {
      window.location.reload();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
