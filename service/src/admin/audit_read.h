/* Reading the audit log back (analysts' search and GET /v1/admin/audit): the history of one
 * value, found through the index (audit_index.h) and read with a pread per line, and pages of
 * the whole log, filtered, read from a byte offset on. Never a scan of the whole file per
 * request: a page reads at most FIDX__AUDIT_PAGE_SCAN bytes and says where to go on. */
#ifndef FIDX_SERVICE_AUDIT_READ_H
#define FIDX_SERVICE_AUDIT_READ_H

#include <stddef.h>
#include <stdint.h>

#include "admin/audit_index.h"
#include "base/sbuf.h"

#define FIDX__AUDIT_PAGE_SCAN (64u << 20) /* bytes of the log one page may read */
#define FIDX__AUDIT_PAGE_BYTES (4u << 20) /* a page's answer stops growing past this */

/* Appends to out a JSON array of the changes of (kind, v), newest first, at most max: each the
 * audit line's members ("time", "token", "role", "action", "reason", "report", …) without its
 * list of values, and the value's "before" and "after" states when the line gives them. Lines
 * that turn out not to name the value (a rotated file, a hash collision) are left out.
 * *truncated: older changes exist that are not listed. set_by (16 bytes): the action of the
 * newest change when it left the value listed ("add", "approve"), else "". Returns how many
 * are listed. */
size_t fidx__audit_history(fidx__audit_index_t *ix, int fd, fidx_kind_t kind, const char *v,
                           size_t len, size_t max, fidx__sbuf_t *out, int *truncated, char *set_by);

/* What a page of the log is filtered by; a member NULL or empty matches everything. */
typedef struct {
    const char *since;  /* an ISO time or date prefix: lines at or after it */
    const char *who;    /* a token's name */
    const char *action; /* add, delist, approve, reject, uphold, compact */
    /* The value: only the lines the index has for it (kind, storage form). */
    int has_value;
    fidx_kind_t kind;
    const char *value;
    size_t value_len;
    /* Lines without their "values" list (an upload's names up to 1,000 values), which then
     * end with "values_count": the console's audit table, which shows counts. */
    int brief;
} fidx__audit_filter_t;

/* Appends to out the lines at or after byte offset `after` that pass f, in file order, at most
 * limit, comma-separated (each line a JSON object as written). *next: the offset to go on
 * from, or 0 when the log (as far as written) is read. -1 when the log cannot be read. */
int fidx__audit_page(fidx__audit_index_t *ix, int fd, const fidx__audit_filter_t *f, uint64_t after,
                     size_t limit, fidx__sbuf_t *out, uint64_t *next);

#endif
