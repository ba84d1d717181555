/* The console's sessions on requests (session.h): reading the cookie, authenticating the
 * analysts' API by it, and the per-network limit on sign-ins. */
#include "routes/session.h"

#include <stdio.h>
#include <string.h>

#include <http_parser.h>

#include "admin/admin.h"
#include "base/clock.h"
#include "base/log.h"
#include "reports/ratelimit.h"

#define NAME_LEN (sizeof FIDX__SESSION_COOKIE - 1)

int fidx__session_start(fidx__service_t *svc)
{
    const fidx__config_t *cfg = &svc->cfg;
    uint32_t burst = cfg->signin_rate && cfg->signin_rate < FIDX__SIGNIN_BURST ? cfg->signin_rate
                                                                               : FIDX__SIGNIN_BURST;
    if (fidx__sessions_new(cfg->session_idle_ms, cfg->session_max_ms, &svc->sessions) != 0 ||
        fidx__ratelimit_new(cfg->signin_rate, cfg->signin_period_s, burst, &svc->signin_limit) !=
            0) {
        fidx__log(FIDX__LOG_ERROR, "out of memory");
        return -1;
    }
    return 0;
}

void fidx__session_stop(fidx__service_t *svc)
{
    fidx__sessions_free(svc->sessions);
    fidx__ratelimit_free(svc->signin_limit);
    svc->sessions = NULL;
    svc->signin_limit = NULL;
}

int fidx__session_cookie(const fidx__req_t *req, fidx_str_t *id)
{
    fidx_str_t c = req->kept[FIDX__H_COOKIE];
    if (!c.p || (req->kept_bad & (1u << FIDX__H_COOKIE)))
        return -1;
    /* "a=1; fidx_session=HEX; b=2": a pair starts the header or follows "; ". */
    for (size_t i = 0; i + NAME_LEN < c.len; i++) {
        if ((i > 0 && c.p[i - 1] != ' ' && c.p[i - 1] != ';') ||
            memcmp(c.p + i, FIDX__SESSION_COOKIE "=", NAME_LEN + 1) != 0)
            continue;
        size_t start = i + NAME_LEN + 1, end = start;
        while (end < c.len && c.p[end] != ';' && c.p[end] != ' ')
            end++;
        *id = fidx_str(c.p + start, end - start);
        return 0;
    }
    return -1;
}

int fidx__session_of(const fidx__req_t *req, fidx__session_t *se)
{
    fidx_str_t id;
    fidx__sessions_t *s = req->w->svc->sessions;
    if (!s || fidx__session_cookie(req, &id) != 0 ||
        fidx__sessions_use(s, id.p, id.len, fidx__clock_mono_ms(), se) != 0)
        return -1;
    /* The token it was signed in with must still be in the tokens file as it was (SIGHUP
     * re-reads it): removing a token, changing its secret or its role ends its sessions. */
    if (!fidx__admin_token_current(req->w->svc->admin, se->name, se->token_digest,
                                   (fidx__role_t)se->role)) {
        fidx__sessions_end(s, id.p, id.len);
        return -1;
    }
    return 0;
}

int fidx__session_csrf_ok(const fidx__req_t *req, const fidx__session_t *se)
{
    fidx_str_t t = req->kept[FIDX__H_CSRF_TOKEN];
    if (req->kept_bad & (1u << FIDX__H_CSRF_TOKEN))
        return 0;
    return fidx__sessions_csrf_ok(se, t.p, t.len);
}

int fidx__session_auth(fidx__req_t *req, int *csrf_bad)
{
    fidx__session_t se;
    *csrf_bad = 0;
    if (fidx__session_of(req, &se) != 0)
        return -1;
    if (req->method != HTTP_GET && req->method != HTTP_HEAD && !fidx__session_csrf_ok(req, &se)) {
        *csrf_bad = 1;
        return -1;
    }
    snprintf(req->principal, sizeof req->principal, "%s", se.name);
    req->principal_role = se.role;
    return 0;
}
