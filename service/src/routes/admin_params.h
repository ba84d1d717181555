/* Parameters of the analysts' routes (admin.c, admin_reports.c): numbers and flags of the query
 * string, a value in any written form read as a lookup reads it, and the checks every change
 * passes before it becomes a job. */
#ifndef FIDX_SERVICE_ROUTES_ADMIN_PARAMS_H
#define FIDX_SERVICE_ROUTES_ADMIN_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "admin/admin.h"
#include "http/request.h"

#define FIDX__LIST_DEFAULT 100 /* items of a page unless limit= says */
#define FIDX__LIST_MAX 1000

/* A value as a lookup reads it: its kind, its canonical form (what reports keep) and its
 * storage form (what entries are stored under: a URL's expression). */
typedef struct {
    const char *raw; /* as sent (borrowed) */
    size_t raw_len;
    fidx_kind_t kind;
    size_t canonical_len, stored_len;
    char canonical[FIDX_CANON_CAP], stored[FIDX_CANON_CAP];
} fidx__value_t;

fidx__admin_t *fidx__admin_of(const fidx__req_t *req);

/* Whether changes may be made now (the log is open and the service is not stopping); 0 with
 * the answer set when not. */
int fidx__admin_can_change(const fidx__req_t *req, fidx__resp_t *resp);

/* An optional decimal parameter up to max (absent leaves *v). 0, or -1 with the answer set. */
int fidx__number_param(const fidx__req_t *req, fidx__resp_t *resp, const char *name, uint64_t max,
                       uint64_t *v);
/* A yes/no parameter: absent, "0", "false" → 0; "1", "true" → 1. -1 with the answer set. */
int fidx__flag_param(const fidx__req_t *req, fidx__resp_t *resp, const char *name, int *on);

/* p[0..len) read as kind (kind_name empty: detect), with the social platform hint, into *v.
 * 0, or -1 with the answer set (400). */
int fidx__value_read(fidx__resp_t *resp, const char *kind_name, size_t kind_len,
                     const char *platform, const char *p, size_t len, fidx__value_t *v);
/* The query parameter `name`, read with the request's "kind" and "platform". 0; 1 when the
 * parameter is absent (v->kind is then the kind asked for, FIDX_KIND_NONE when none); -1
 * with the answer set. */
int fidx__value_param(const fidx__req_t *req, fidx__resp_t *resp, const char *name,
                      fidx__value_t *v);
/* The same, into a job: its kind, storage form (value), canonical form and query. */
int fidx__job_value_param(const fidx__req_t *req, fidx__resp_t *resp, const char *name,
                          fidx__admin_job_t *j);

#endif
