/* Pieces shared by the routes that check values (check.c, batch.c, page.c, reports.c, admin.c):
 * checking one value into JSON, and reading query parameters. */
#ifndef FIDX_SERVICE_ROUTE_COMMON_H
#define FIDX_SERVICE_ROUTE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"
#include "fidx/kind.h"
#include "http/request.h"
#include "service.h"

#define FIDX__KIND_HELP                                                                            \
    "kind must be one of phone, bank_account, url, domain, social_account, email"

/* Looks q[0..len) up as every route does: the snapshot and the overlay (fidx_check), then,
 * for a url or domain nothing matched, the look-alike index; counted in the metrics. The
 * result is left in w->result. 0 or the fidx_check error. */
FIDX_MUST_CHECK int fidx__lookup(fidx__worker_t *w, fidx_kind_t kind, const char *platform,
                                 const char *q, size_t len, fidx_err_t *err);

/* fidx__lookup in the steps of fidx_check_start/_prefetch/_finish (fidx/lookup.h), into res,
 * for a batch that overlaps its lookups: start reads the value (0 or the fidx_check error,
 * counted as invalid), finish looks it up and counts it. */
FIDX_MUST_CHECK int fidx__lookup_start(fidx__worker_t *w, fidx_kind_t kind, const char *platform,
                                       const char *q, size_t len, fidx_result_t *res,
                                       fidx_err_t *err);
void fidx__lookup_finish(fidx__worker_t *w, fidx_result_t *res);

/* Checks q[0..len) against w's snapshot and appends its JSON result to out. Returns 0, or the
 * fidx_check error (err filled; nothing appended; FIDX_EINVAL/FIDX_ETOOBIG/FIDX_EKIND mean an
 * invalid value), or FIDX_ENOMEM/FIDX_ENOSPC when out cannot hold the result. */
FIDX_MUST_CHECK int fidx__check_value(fidx__worker_t *w, fidx_kind_t kind, const char *platform,
                                      const char *q, size_t len, fidx__sbuf_t *out,
                                      fidx_err_t *err);

/* Finds and decodes one optional query parameter into out (cap bytes, NUL-terminated): 0 and
 * *len (0 when absent), or -1 with the 400 answer set (repeated, too long, bad escapes). */
int fidx__decoded_param(const fidx__req_t *req, fidx__resp_t *resp, const char *name, char *out,
                        size_t cap, size_t *len);

/* 503 not_writer: this process is a reader (--follow), so writes go to its writer, whose
 * address the error carries ({"error":{"code","message","writer"}}). */
void fidx__resp_not_writer(const fidx__req_t *req, fidx__resp_t *resp);

/* A whole number query parameter in [min, max]: 0 and *v (def when absent), or -1 with the
 * 400 answer set. */
int fidx__u64_param(const fidx__req_t *req, fidx__resp_t *resp, const char *name, uint64_t min,
                    uint64_t max, uint64_t def, uint64_t *v);

/* A kind parameter: empty means "detect" (FIDX_KIND_NONE); FIDX_EINVAL when not a kind. */
FIDX_MUST_CHECK int fidx__kind_param(const char *p, size_t len, fidx_kind_t *kind);

#endif
