/* Citizens' reports coming in: the checks every report passes (rate limit per client address,
 * the value must normalise, bounded text) whether it comes as JSON to POST /v1/reports or from
 * the page's plain HTML form (POST /report), and the store and limiter's life with the
 * service. */
#ifndef FIDX_SERVICE_ROUTES_REPORT_INTAKE_H
#define FIDX_SERVICE_ROUTES_REPORT_INTAKE_H

#include <stddef.h>

#include "fidx/str.h"
#include "http/request.h"
#include "web/page_render.h"
#include "reports/reports.h"
#include "service.h"

/* A report's fields as sent (borrowed; {NULL,0} or empty when absent). type: "scam" (the
 * default) or "dispute"; channel: how the scam came; date: YYYY-MM-DD; amount_vnd: decimal
 * digits; contact: a dispute's way to reach the person. */
typedef struct {
    fidx_str_t kind, bank, value, category, description, platform;
    fidx_str_t type, channel, date, amount_vnd, contact;
    /* The API key the report came with (routes/limits.h; its name, NUL-terminated), whose own
     * bucket has already been charged: the per-network buckets are then not, the shared one
     * for everyone still is. NULL: an anonymous citizen. */
    const char *reporter;
} fidx__report_fields_t;

/* What became of a report. */
typedef struct {
    int status;           /* 202 stored; 400, 429, 503 */
    const char *code;     /* the error code for JSON ("invalid_value", …) */
    const char *message;  /* static, English */
    fidx__field_t field;  /* the field a 400 is about */
    unsigned retry_after; /* seconds, with 429 and 503 */
    int merged;           /* 202 for a report that repeats a pending one: its id */
    fidx_kind_t kind;     /* as read */
    const fidx_bank_t *bank;
    int category;
    char id[FIDX__REPORT_ID_LEN + 1]; /* with 202 */
    /* An anonymous report's RateLimit-Policy and RateLimit header lines (routes/limits.h),
     * each ending in CRLF, for the answer; "" when its buckets were not asked. */
    char ratelimit[192];
} fidx__report_outcome_t;

/* Checks and stores one report from client (address text). Never fails to fill *out. */
void fidx__report_submit(fidx__worker_t *w, const char *client, const fidx__report_fields_t *f,
                         fidx__report_outcome_t *out);

/* The same for a request: the client is the one a trusted proxy forwards for (routes/proxy.h),
 * and a request made with an API key files its report under the key's name. */
void fidx__report_submit_req(const fidx__req_t *req, const fidx__report_fields_t *f,
                             fidx__report_outcome_t *out);

/* Opens the rate limiter and, when this process holds the data directory's lock, the report
 * store under cfg.data_dir (main thread, at start). Returns 0, or -1 having logged why. */
int fidx__report_intake_start(fidx__service_t *svc, int holds_data_dir);
/* Opens the report store once this process has taken the data directory's lock over (main
 * thread); until then reports are answered 503 read_only. 0, or -1 having logged why. */
int fidx__report_intake_open_store(fidx__service_t *svc);
/* Closes them (after the workers have stopped). */
void fidx__report_intake_stop(fidx__service_t *svc);

#endif
