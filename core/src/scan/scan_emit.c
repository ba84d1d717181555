/* Recording a match: the passes (scan_links.c, scan_digits.c) hand each indicator they find
 * to fidx__scan_emit, which copies its canonical form into the result's arena and maps its
 * span back to the original bytes. Bounded by the result: when it is full the scan says so
 * (truncated) instead of growing. */
#include <string.h>

#include "scan/scan_internal.h"

int fidx__scan_emit(fidx__scan_t *x, fidx_kind_t kind, size_t cs, size_t ce, const char *canon,
                    size_t len)
{
    fidx_scan_result_t *r = x->res;
    if (r->n == FIDX_SCAN_MAX_MATCHES || len + 1 > sizeof r->arena - r->arena_len) {
        r->truncated = 1;
        return -1;
    }
    char *dst = r->arena + r->arena_len;
    memcpy(dst, canon, len);
    dst[len] = '\0';
    r->arena_len += len + 1;
    fidx_scan_match_t *m = &r->m[r->n];
    m->kind = kind;
    m->start = x->off[cs];
    m->end = fidx__scan_text_src_end(x, ce);
    m->canonical = fidx_str(dst, len);
    x->cs[r->n] = cs;
    x->ce[r->n] = ce;
    r->n++;
    return 0;
}
