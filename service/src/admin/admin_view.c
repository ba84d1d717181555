/* The writers' view of values (admin.h): what the overlay or the snapshot holds for a value,
 * merged with a change the way the indexer merges; whether a change changes anything; and
 * which stored entries a value in any written form stands for (a bank account without its
 * bank stands for every bank's). Every function is called under the writers' lock (a->mu). */
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"

int fidx__admin_view_merge(fidx__admin_t *a, const fidx_indicator_t *ind, fidx_indicator_t *before,
                           fidx_indicator_t *cur)
{
    if (fidx_view_get(a->base, a->ov, ind->kind, ind->value, ind->value_len, before) != 0) {
        memcpy(cur, ind, sizeof *cur);
        return 0;
    }
    memcpy(cur, before, sizeof *cur);
    fidx_indicator_merge(cur, ind);
    return 1;
}

int fidx__admin_same(const fidx_indicator_t *x, const fidx_indicator_t *y)
{
    if (x->kind != y->kind || x->status != y->status || x->categories != y->categories ||
        x->reports != y->reports || x->first_seen != y->first_seen ||
        x->last_seen != y->last_seen || x->n_sources != y->n_sources ||
        x->note_len != y->note_len || x->label_len != y->label_len || x->value_len != y->value_len)
        return 0;
    for (unsigned i = 0; i < x->n_sources; i++)
        if (strcmp(x->sources[i], y->sources[i]) != 0)
            return 0;
    return memcmp(x->note, y->note, x->note_len) == 0 &&
           memcmp(x->label, y->label, x->label_len) == 0 &&
           memcmp(x->value, y->value, x->value_len) == 0;
}

typedef struct {
    const char *bin; /* the bank asked for; "*": any */
    size_t bin_len;
    fidx_view_each_fn fn;
    void *arg;
} bank_filter_t;

/* A lookup of BIN:N matches the entries BIN:N and *:N; of *:N, N at every bank. */
static int bank_filter(void *arg, const fidx_indicator_t *ind)
{
    bank_filter_t *f = arg;
    const char *c = memchr(ind->value, ':', ind->value_len);
    size_t bl = c ? (size_t)(c - ind->value) : 0;
    int any = f->bin_len == 1 && f->bin[0] == '*';
    int wildcard = bl == 1 && ind->value[0] == '*';
    int same = bl == f->bin_len && memcmp(ind->value, f->bin, bl) == 0;
    return any || wildcard || same ? f->fn(f->arg, ind) : 0;
}

int fidx__admin_view_matches(fidx__admin_t *a, fidx_kind_t kind, const char *v, size_t len,
                             fidx_view_each_fn fn, void *arg)
{
    const char *c = kind == FIDX_KIND_BANK_ACCOUNT ? memchr(v, ':', len) : NULL;
    if (c) {
        bank_filter_t f = {v, (size_t)(c - v), fn, arg};
        size_t skip = f.bin_len + 1;
        return fidx_view_bank_each(a->base, a->ov, v + skip, len - skip, bank_filter, &f);
    }
    fidx_indicator_t *ind = malloc(sizeof *ind);
    if (!ind)
        return FIDX_ENOMEM;
    int rc = fidx_view_get(a->base, a->ov, kind, v, len, ind) == 0 ? fn(arg, ind) : 0;
    free(ind);
    return rc;
}
