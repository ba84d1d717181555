/* Recording what the passes find: the passes (scan_links.c, scan_digits.c) hand each
 * indicator to fidx__scan_emit, which keeps its span and its value. Every indicator of the
 * text is kept, not only the ones that will be listed: a post is judged on all of them, so a
 * scam number cannot hide behind decoys. Identical values are stored once (a hash table over
 * the values), so a text repeating one number thousands of times costs one lookup. Bounded
 * by the result: the text's length bounds how many indicators it can hold (scan.h). */
#include <string.h>
#include <xxhash.h>

#include "scan/scan_internal.h"

_Static_assert(FIDX_SCAN_MAX_FOUND < UINT16_MAX, "value indexes + 1 are kept in uint16_t");

void fidx__scan_emit_reset(fidx__scan_t *x)
{
    fidx_scan_result_t *r = x->res;
    r->n = 0;
    r->truncated = 0;
    r->found = 0;
    r->nvalues = 0;
    r->arena_len = 0;
    /* Twice the slots the text can fill (a quarter of its bytes), so that the table stays at
     * most half full; only these are cleared, so a short post clears a few bytes. */
    size_t slots = 16;
    while (slots < 2 * (x->n / 4) && slots < sizeof r->ws.slot / sizeof r->ws.slot[0])
        slots *= 2;
    memset(r->ws.slot, 0, slots * sizeof r->ws.slot[0]);
    x->slot_mask = slots - 1;
    x->cs = r->ws.cs;
    x->ce = r->ws.ce;
    x->full = 0;
}

static int value_is(const fidx_scan_result_t *r, uint32_t v, uint32_t hash, fidx_kind_t kind,
                    const char *canon, size_t len)
{
    const fidx_scan_value_t *val = &r->values[v];
    return r->ws.hash[v] == hash && val->kind == kind && val->canonical.len == len &&
           memcmp(val->canonical.p, canon, len) == 0;
}

/* The index of the value (kind, canon), added when it is new; -1 when there is no room. */
static long value_of(fidx__scan_t *x, fidx_kind_t kind, const char *canon, size_t len)
{
    fidx_scan_result_t *r = x->res;
    uint32_t hash = (uint32_t)XXH3_64bits_withSeed(canon, len, (XXH64_hash_t)kind);
    size_t s = hash & x->slot_mask;
    for (; r->ws.slot[s]; s = (s + 1) & x->slot_mask)
        if (value_is(r, r->ws.slot[s] - 1u, hash, kind, canon, len))
            return r->ws.slot[s] - 1;
    if (r->nvalues >= (x->slot_mask + 1) / 2 || len + 1 > sizeof r->arena - r->arena_len)
        return -1; /* a table more than half full would mean the bound of scan.h is wrong */
    char *dst = r->arena + r->arena_len;
    memcpy(dst, canon, len);
    dst[len] = '\0';
    r->arena_len += len + 1;
    r->values[r->nvalues] = (fidx_scan_value_t){kind, fidx_str(dst, len)};
    r->ws.hash[r->nvalues] = hash;
    r->ws.slot[s] = (uint16_t)(r->nvalues + 1);
    return (long)r->nvalues++;
}

int fidx__scan_emit(fidx__scan_t *x, fidx_kind_t kind, size_t cs, size_t ce, const char *canon,
                    size_t len)
{
    fidx_scan_result_t *r = x->res;
    long v = r->found < FIDX_SCAN_MAX_FOUND ? value_of(x, kind, canon, len) : -1;
    if (v < 0) {
        x->full = 1;
        return -1;
    }
    r->ws.cs[r->found] = (uint32_t)cs;
    r->ws.ce[r->found] = (uint32_t)ce;
    r->ws.val[r->found] = (uint32_t)v;
    r->found++;
    return 0;
}

static void list_one(fidx__scan_t *x, size_t i)
{
    fidx_scan_result_t *r = x->res;
    fidx_scan_match_t *m = &r->m[r->n++];
    const fidx_scan_value_t *val = &r->values[r->ws.val[i]];
    m->kind = val->kind;
    m->start = x->off[r->ws.cs[i]];
    m->end = fidx__scan_text_src_end(x, r->ws.ce[i]);
    m->canonical = val->canonical;
    m->value = r->ws.val[i];
}

/* The link pass's indicators and the number pass's are each in text order and apart from
 * each other: merging the two lists gives text order. */
void fidx__scan_emit_list(fidx__scan_t *x)
{
    fidx_scan_result_t *r = x->res;
    size_t a = 0, b = x->nlinks;
    while (r->n < FIDX_SCAN_MAX_MATCHES && (a < x->nlinks || b < r->found)) {
        if (b == r->found || (a < x->nlinks && r->ws.cs[a] < r->ws.cs[b]))
            list_one(x, a++);
        else
            list_one(x, b++);
    }
    r->truncated = r->found > r->n;
}
