/* The analysts' console (docs/CONSOLE.md) over HTTP:
 *   GET /admin/                 the console's page (one page; its screens are scripts)
 *   GET /admin                  the same page (its links are absolute)
 *   GET /admin/static/NAME      its embedded files (service/src/web/console/)
 *   POST /admin/session         sign-in: {"token":"…"} → a session cookie and who signed in
 *   GET /admin/session          who the session is (and its CSRF token), 401 without one
 *   DELETE /admin/session       sign-out (with the session's X-CSRF-Token)
 * The console then calls the analysts' API (/v1/admin/…) with its cookie; the router accepts
 * the cookie in place of a Bearer token (session.c). The token is read from the sign-in's body
 * only: never from a URL, never logged, never stored by the page.
 *
 * The cookie is HttpOnly and SameSite=Strict, valid for the whole origin (the API's paths are
 * outside /admin/), and Secure when the sign-in came over TLS through a proxy the operator
 * trusts (--trusted-proxy, routes/proxy.h): the service's own listener is plain HTTP. Sign-ins
 * are limited per client network: the client behind a trusted proxy, else the peer. */
#include <string.h>
#include <strings.h>

#include <http_parser.h>
#include <nettle/sha2.h>

#include "admin/admin.h"
#include "admin/roles.h"
#include "base/clock.h"
#include "http/json_body.h"
#include "reports/netaddr.h"
#include "reports/ratelimit.h"
#include "routes/handlers.h"
#include "routes/proxy.h"
#include "routes/session.h"
#include "web/web_assets.h"

#define CT_HTML "text/html; charset=utf-8"
#define STATIC_PREFIX "/admin/static/"
#define STATIC_PREFIX_LEN (sizeof STATIC_PREFIX - 1)

/* As the citizens' page's (page.c): nothing but this origin, no inline script or style. */
#define SECURITY_HEADERS                                                                           \
    "Content-Security-Policy: default-src 'self'; base-uri 'none'; object-src 'none'; "            \
    "form-action 'self'; frame-ancestors 'none'\r\n"                                               \
    "Referrer-Policy: no-referrer\r\n"                                                             \
    "X-Frame-Options: DENY\r\n"
#define NO_STORE SECURITY_HEADERS "Cache-Control: no-store\r\n"
/* Files are revalidated (ETag) so a new binary's console is used at once. */
#define REVALIDATE SECURITY_HEADERS "Cache-Control: no-cache\r\n"

/* The console's files, by the name they are served under. */
static const struct {
    const char *name, *type;
} files[] = {
    {"console.css", "text/css; charset=utf-8"},
    {"api.js", "text/javascript; charset=utf-8"},
    {"app.js", "text/javascript; charset=utf-8"},
    {"queue.js", "text/javascript; charset=utf-8"},
    {"search.js", "text/javascript; charset=utf-8"},
    {"load.js", "text/javascript; charset=utf-8"},
    {"audit.js", "text/javascript; charset=utf-8"},
    {"dashboard.js", "text/javascript; charset=utf-8"},
    {"warnings.js", "text/javascript; charset=utf-8"},
};

void fidx__route_console_page(const fidx__req_t *req, fidx__resp_t *resp)
{
    (void)req;
    const fidx__asset_t *a = fidx__asset_find("console.html");
    if (!a) {
        fidx__resp_error(resp, 404, "not_found", "no such resource");
        return;
    }
    resp->content_type = CT_HTML;
    resp->headers = NO_STORE;
    fidx__sbuf_put(resp->body, (const char *)a->data, a->len);
}

void fidx__route_console_static(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx_str_t name = fidx_str(req->path.p + STATIC_PREFIX_LEN, req->path.len - STATIC_PREFIX_LEN);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        const fidx__asset_t *a = fidx__asset_find(files[i].name);
        if (!fidx_str_eq(name, files[i].name) || !a)
            continue;
        resp->content_type = files[i].type;
        resp->headers = REVALIDATE;
        snprintf(resp->more, sizeof resp->more, "ETag: \"%s\"\r\n", a->hash);
        fidx__sbuf_put(resp->body, (const char *)a->data, a->len);
        return;
    }
    fidx__resp_error(resp, 404, "not_found", "no such resource");
}

/* ---- the session ---- */

/* By bit (admin/roles.h); NULL: a right the console has no use for (replicate). */
static const char *const right_names[] = {"status", "lookup",  "reports", "load", "delist",
                                          "review", "compact", NULL,      "warn"};

/* Who the session is: name, role, its rights by name, its CSRF token, when it ends. */
static void whoami_json(fidx__resp_t *resp, const fidx__session_t *se, uint64_t idle_ms)
{
    unsigned rights = fidx__role_rights((fidx__role_t)se->role);
    uint64_t now = fidx__clock_mono_ms();
    fidx__sbuf_reset(resp->body, SIZE_MAX);
    fidx__sbuf_puts(resp->body, "{\"name\":");
    fidx__sbuf_json_string(resp->body, se->name, strlen(se->name));
    fidx__sbuf_printf(resp->body, ",\"role\":\"%s\",\"rights\":[",
                      fidx__role_name((fidx__role_t)se->role));
    for (size_t i = 0, n = 0; i < sizeof right_names / sizeof right_names[0]; i++)
        if ((rights & (1u << i)) && right_names[i])
            fidx__sbuf_printf(resp->body, "%s\"%s\"", n++ ? "," : "", right_names[i]);
    fidx__sbuf_printf(
        resp->body, "],\"csrf\":\"%s\",\"idle_timeout_s\":%llu,\"expires_in_s\":%llu}", se->csrf,
        (unsigned long long)(idle_ms / 1000),
        (unsigned long long)(se->expires_ms > now ? (se->expires_ms - now) / 1000 : 0));
}

static void no_session(fidx__resp_t *resp)
{
    fidx__resp_error(resp, 401, "unauthorized", "not signed in (or the session has ended)");
}

void fidx__route_console_whoami(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__session_t se;
    resp->headers = NO_STORE;
    if (fidx__session_of(req, &se) != 0) {
        no_session(resp);
        return;
    }
    whoami_json(resp, &se, req->w->cfg->session_idle_ms);
}

/* Whether the request says its body is application/json (parameters allowed). Only that type:
 * another site's page cannot send it without a CORS preflight, which this service never
 * grants, so it cannot sign an analyst in under its own token (login CSRF). The API's looser
 * rule (json_body.h) also takes the form type, which any page may send. */
static int strictly_json(const fidx__req_t *req)
{
    static const char type[] = "application/json";
    size_t n = sizeof type - 1, len = req->content_type.len;
    const char *p = req->content_type.p;
    return p && !req->content_type_overflow && len >= n && strncasecmp(p, type, n) == 0 &&
           (len == n || p[n] == ';' || p[n] == ' ');
}

/* The token of a sign-in's body, checked: 0 with name, role and the token's SHA-256; -1 with
 * the answer set. */
static int check_token(const fidx__req_t *req, fidx__resp_t *resp, char *name, fidx__role_t *role,
                       uint8_t digest[SHA256_DIGEST_SIZE])
{
    char auth[7 + FIDX__TOKEN_SECRET_MAX + 1];
    if (!strictly_json(req)) {
        fidx__resp_error(resp, 400, "bad_request", "a sign-in's Content-Type is application/json");
        return -1;
    }
    json_t *body = fidx__json_body(req, resp, 0, 1);
    if (!body)
        return -1;
    json_t *t = json_object_get(body, "token");
    size_t len = json_is_string(t) ? json_string_length(t) : 0;
    int r = -1;
    if (!len || len > FIDX__TOKEN_SECRET_MAX) {
        fidx__resp_error(resp, 400, "bad_request", "\"token\" must be the analyst's token");
    } else {
        memcpy(auth, "Bearer ", 7);
        memcpy(auth + 7, json_string_value(t), len);
        r = fidx__admin_auth(req->w->svc->admin, auth, 7 + len, name, role);
        struct sha256_ctx ctx;
        sha256_init(&ctx);
        sha256_update(&ctx, len, (const uint8_t *)json_string_value(t));
        sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
        if (r != 0)
            fidx__resp_error(resp, 401, "unauthorized", "this token is not valid");
        memset(auth, 0, sizeof auth);
    }
    json_decref(body);
    return r == 0 ? 0 : -1;
}

void fidx__route_console_signin(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__service_t *svc = req->w->svc;
    char name[FIDX__TOKEN_NAME_MAX + 1], id[FIDX__SESSION_ID_HEX + 1];
    fidx__role_t role = FIDX__ROLE_READER;
    fidx__session_t se;
    uint8_t net[16];
    unsigned retry = 0;
    uint64_t now = fidx__clock_mono_ms();
    fidx__client_t client;
    resp->headers = NO_STORE;
    fidx__proxy_req_client(req, &client);
    fidx__net_key(client.text, FIDX__NET_HOST_V6, FIDX__NET_WIDE_V4, net);
    if (!fidx__ratelimit_take_key(svc->signin_limit, net, now, &retry)) {
        fidx__resp_error(resp, 429, "rate_limited", "too many sign-ins from this network");
        snprintf(resp->more, sizeof resp->more, "Retry-After: %u\r\n", retry);
        return;
    }
    uint8_t digest[SHA256_DIGEST_SIZE];
    if (check_token(req, resp, name, &role, digest) != 0)
        return; /* a failed sign-in keeps its token taken */
    fidx__ratelimit_refund_key(svc->signin_limit, net, now);
    if (role == FIDX__ROLE_REPLICA) { /* a machine's token: no console */
        fidx__resp_error(resp, 403, "forbidden", "the role replica may not use the console");
        return;
    }
    if (fidx__sessions_create(svc->sessions, name, (int)role, digest, now, id, &se) != 0) {
        fidx__resp_error(resp, 503, "unavailable", "no randomness for a session; try again");
        return;
    }
    whoami_json(resp, &se, req->w->cfg->session_idle_ms);
    snprintf(resp->more, sizeof resp->more,
             "Set-Cookie: " FIDX__SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s\r\n", id,
             client.tls ? "; Secure" : "");
}

void fidx__route_console_signout(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__session_t se;
    fidx_str_t id;
    resp->headers = NO_STORE;
    if (fidx__session_of(req, &se) != 0) {
        no_session(resp);
        return;
    }
    if (!fidx__session_csrf_ok(req, &se)) {
        fidx__resp_error(resp, 403, "csrf", "signing out needs the session's X-CSRF-Token");
        return;
    }
    if (fidx__session_cookie(req, &id) == 0)
        fidx__sessions_end(req->w->svc->sessions, id.p, id.len);
    fidx__sbuf_puts(resp->body, "{\"signed_out\":true}");
    snprintf(resp->more, sizeof resp->more,
             "Set-Cookie: " FIDX__SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; "
             "Max-Age=0\r\n");
}
