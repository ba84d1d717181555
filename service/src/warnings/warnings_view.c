/* The public view of the warnings and its indexes (warnings_view.h). */
#include "warnings/warnings_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

static uint64_t value_key(fidx_kind_t kind, const char *v, size_t len)
{
    return XXH3_64bits_withSeed(v, len, (XXH64_hash_t)kind + 1);
}

/* Newest publication first; within one second, the later created (the store's order) first. */
typedef struct {
    int64_t published;
    size_t at; /* in the store's order */
} order_t;

static int newest_first(const void *a, const void *b)
{
    const order_t *x = a, *y = b;
    if (x->published != y->published)
        return x->published > y->published ? -1 : 1;
    return x->at > y->at ? -1 : x->at < y->at;
}

static int by_key(const void *a, const void *b)
{
    const fidx__warnings_key_t *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static void view_free(fidx__warnings_view_t *v)
{
    for (size_t i = 0; i < v->n; i++)
        fidx__warning_dispose(&v->w[i]);
    free(v->w);
    free(v->keys);
    for (int c = 0; c < FIDX_CAT_COUNT; c++)
        free(v->by_cat[c]);
    free(v);
}

/* The indicators of the published warnings, sorted; the tag and the last change. */
static int index_view(fidx__warnings_view_t *v)
{
    size_t nk = 0;
    XXH3_state_t *h = XXH3_createState();
    if (!h)
        return -1;
    XXH3_64bits_reset(h);
    for (size_t i = 0; i < v->n; i++) {
        nk += v->w[i].state == FIDX__WARNING_PUBLISHED ? v->w[i].n_ind : 0;
        XXH3_64bits_update(h, v->w[i].id, FIDX__WARNING_ID_LEN);
        XXH3_64bits_update(h, &v->w[i].rev, sizeof v->w[i].rev);
        if (v->w[i].updated > v->last_modified)
            v->last_modified = v->w[i].updated;
    }
    snprintf(v->etag, sizeof v->etag, "\"%016llx\"", (unsigned long long)XXH3_64bits_digest(h));
    XXH3_freeState(h);
    v->keys = calloc(nk ? nk : 1, sizeof *v->keys);
    if (!v->keys)
        return -1;
    for (size_t i = 0; i < v->n; i++)
        for (size_t k = 0; v->w[i].state == FIDX__WARNING_PUBLISHED && k < v->w[i].n_ind; k++)
            v->keys[v->n_keys++] = (fidx__warnings_key_t){
                value_key(v->w[i].ind[k].kind, v->w[i].ind[k].value, v->w[i].ind[k].len),
                (uint32_t)i};
    qsort(v->keys, v->n_keys, sizeof *v->keys, by_key);
    for (size_t i = 0; i < v->n; i++) {
        int c = v->w[i].category;
        if (c < 0 || v->w[i].state != FIDX__WARNING_PUBLISHED)
            continue;
        if (!v->by_cat[c] && !(v->by_cat[c] = calloc(v->n, sizeof(uint32_t))))
            return -1;
        v->by_cat[c][v->n_cat[c]++] = (uint32_t)i; /* v->w is newest first already */
    }
    return 0;
}

fidx__warnings_view_t *fidx__warnings_view_build(const fidx__warning_t *all, size_t n,
                                                 uint64_t version)
{
    fidx__warnings_view_t *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    atomic_init(&v->refs, 1);
    v->version = version;
    v->w = calloc(n ? n : 1, sizeof *v->w);
    order_t *order = calloc(n ? n : 1, sizeof *order);
    size_t m = 0;
    if (!v->w || !order) {
        free(order);
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        if (all[i].published) /* a draft is never shown */
            order[m++] = (order_t){all[i].published, i};
    qsort(order, m, sizeof *order, newest_first);
    for (size_t i = 0; i < m; i++) {
        if (fidx__warning_copy(&v->w[v->n], &all[order[i].at]) != 0) {
            free(order);
            goto fail;
        }
        v->n++;
    }
    free(order);
    if (index_view(v) != 0)
        goto fail;
    return v;
fail:
    view_free(v);
    return NULL;
}

void fidx__warnings_view_acquire(fidx__warnings_view_t *v)
{
    atomic_fetch_add_explicit(&v->refs, 1, memory_order_relaxed);
}

void fidx__warnings_view_release(fidx__warnings_view_t *v)
{
    if (v && atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel) == 1)
        view_free(v);
}

static int listed(const uint32_t *out, size_t n, uint32_t at)
{
    for (size_t i = 0; i < n; i++)
        if (out[i] == at)
            return 1;
    return 0;
}

size_t fidx__warnings_view_related(const fidx__warnings_view_t *v, fidx_kind_t kind,
                                   const char *value, size_t len, uint16_t mask, int64_t now,
                                   uint32_t *out, size_t max)
{
    size_t n = 0;
    if (!v || v->n == 0)
        return 0;
    if (v->n_keys && value) {
        uint64_t key = value_key(kind, value, len);
        size_t lo = 0, hi = v->n_keys;
        while (lo < hi) { /* the first entry with this key */
            size_t mid = lo + (hi - lo) / 2;
            if (v->keys[mid].key < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < v->n_keys && v->keys[lo].key == key && n < max; lo++) {
            const fidx__warning_t *w = &v->w[v->keys[lo].at];
            if (!fidx__warning_current(w, now) || listed(out, n, v->keys[lo].at))
                continue;
            for (size_t k = 0; k < w->n_ind; k++)
                if (w->ind[k].kind == kind && w->ind[k].len == len &&
                    memcmp(w->ind[k].value, value, len) == 0) {
                    out[n++] = v->keys[lo].at;
                    break;
                }
        }
    }
    for (int c = 0; mask && c < FIDX_CAT_COUNT; c++)
        for (size_t i = 0; (mask & (1u << c)) && i < v->n_cat[c] && n < max; i++) {
            uint32_t at = v->by_cat[c][i];
            if (fidx__warning_current(&v->w[at], now) && !listed(out, n, at))
                out[n++] = at;
        }
    return n;
}

long fidx__warnings_view_find(const fidx__warnings_view_t *v, const char *id, size_t len)
{
    if (!v || len != FIDX__WARNING_ID_LEN)
        return -1;
    for (size_t i = 0; i < v->n; i++)
        if (memcmp(v->w[i].id, id, len) == 0)
            return (long)i;
    return -1;
}
