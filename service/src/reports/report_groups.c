/* The review queue grouped by value (report_groups.h).
 *
 * Groups live in an array (a free list reuses closed ones) and are found by value through an
 * open-addressing table of group indexes (linear probing, at most half full, deletion by
 * shifting back). `order` lists group indexes in the order they opened, each with the
 * sequence number that opened it; a closed group leaves a hole (marked by a stale number) that
 * is squeezed out once holes are half the list, so paging is a binary search for the cursor
 * and then a walk. Each group keeps its pending sequence numbers in a growing array: reports
 * arrive in ascending order, and a decided one is found by binary search. */
#include "reports/report_groups.h"

#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

typedef struct {
    uint64_t hash;
    uint64_t opened; /* 0: a free slot */
    char *value;
    size_t value_len;
    uint64_t *seqs;
    size_t n, cap, disputes;
    uint8_t kind;
    uint32_t next_free; /* index + 1 */
} group_rec_t;

typedef struct {
    uint64_t opened;
    uint32_t group;
} order_t;

struct fidx__groups {
    group_rec_t *grp;
    size_t n_grp, cap_grp;
    uint32_t free_grp; /* index + 1 */
    uint32_t *table;   /* group index + 1; 0 empty */
    size_t table_cap, open, with_disputes;
    order_t *order;
    size_t n_order, cap_order, holes;
};

int fidx__groups_new(fidx__groups_t **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : FIDX_ENOMEM;
}

void fidx__groups_free(fidx__groups_t *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n_grp; i++) {
        free(g->grp[i].value);
        free(g->grp[i].seqs);
    }
    free(g->grp);
    free(g->table);
    free(g->order);
    free(g);
}

static uint64_t hash_of(fidx_kind_t kind, const char *v, size_t len)
{
    return XXH3_64bits_withSeed(v, len, (XXH64_hash_t)kind);
}

static int same(const group_rec_t *r, uint64_t h, fidx_kind_t kind, const char *v, size_t len)
{
    return r->hash == h && r->kind == (uint8_t)kind && r->value_len == len &&
           memcmp(r->value, v, len) == 0;
}

/* The table slot of (kind, v), or of the empty slot where it would go. */
static size_t slot_of(const fidx__groups_t *g, uint64_t h, fidx_kind_t kind, const char *v,
                      size_t len)
{
    size_t mask = g->table_cap - 1, i = h & mask;
    for (; g->table[i]; i = (i + 1) & mask)
        if (same(&g->grp[g->table[i] - 1], h, kind, v, len))
            break;
    return i;
}

static int grow_table(fidx__groups_t *g)
{
    size_t cap = g->table_cap ? g->table_cap * 2 : 256;
    uint32_t *t = calloc(cap, sizeof *t);
    if (!t)
        return FIDX_ENOMEM;
    for (size_t i = 0; i < g->table_cap; i++) {
        if (!g->table[i])
            continue;
        size_t j = g->grp[g->table[i] - 1].hash & (cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = g->table[i];
    }
    free(g->table);
    g->table = t;
    g->table_cap = cap;
    return 0;
}

/* Removes slot i, shifting back the entries of its run that probed past it. */
static void table_delete(fidx__groups_t *g, size_t i)
{
    size_t mask = g->table_cap - 1, j = i;
    g->table[i] = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (!g->table[j])
            return;
        size_t home = g->grp[g->table[j] - 1].hash & mask;
        /* Move j to the hole i when its home does not lie cyclically in (i, j]. */
        if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
            g->table[i] = g->table[j];
            g->table[j] = 0;
            i = j;
        }
    }
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 16;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * size);
    if (!q)
        return FIDX_ENOMEM;
    *p = q;
    *cap = c;
    return 0;
}

/* A new group record (from the free list or the end), its value copied. */
static int group_open(fidx__groups_t *g, uint64_t h, fidx_kind_t kind, const char *v, size_t len,
                      uint64_t seq, uint32_t *idx)
{
    char *copy = malloc(len + 1);
    if (!copy || grow((void **)&g->order, &g->cap_order, g->n_order + 1, sizeof *g->order) ||
        (!g->free_grp && grow((void **)&g->grp, &g->cap_grp, g->n_grp + 1, sizeof *g->grp))) {
        free(copy);
        return FIDX_ENOMEM;
    }
    memcpy(copy, v, len);
    copy[len] = '\0';
    if (g->free_grp) {
        *idx = g->free_grp - 1;
        g->free_grp = g->grp[*idx].next_free;
    } else {
        *idx = (uint32_t)g->n_grp++;
        memset(&g->grp[*idx], 0, sizeof g->grp[*idx]);
    }
    group_rec_t *r = &g->grp[*idx];
    uint64_t *seqs = r->seqs;
    size_t cap = r->cap;
    *r = (group_rec_t){.hash = h,
                       .opened = seq,
                       .value = copy,
                       .value_len = len,
                       .seqs = seqs,
                       .cap = cap,
                       .kind = (uint8_t)kind};
    g->order[g->n_order++] = (order_t){seq, *idx};
    g->open++;
    return 0;
}

int fidx__groups_add(fidx__groups_t *g, fidx_kind_t kind, const char *value, size_t len,
                     uint64_t seq, int dispute)
{
    if ((g->open + 1) * 2 > g->table_cap && grow_table(g) != 0)
        return FIDX_ENOMEM;
    uint64_t h = hash_of(kind, value, len);
    size_t i = slot_of(g, h, kind, value, len);
    uint32_t idx;
    if (g->table[i]) {
        idx = g->table[i] - 1;
    } else {
        if (group_open(g, h, kind, value, len, seq, &idx) != 0)
            return FIDX_ENOMEM;
        g->table[i] = idx + 1;
    }
    group_rec_t *r = &g->grp[idx];
    if (grow((void **)&r->seqs, &r->cap, r->n + 1, sizeof *r->seqs) != 0) {
        if (r->n == 0) /* just opened: close it again */
            fidx__groups_remove(g, kind, value, len, 0, 0);
        return FIDX_ENOMEM;
    }
    r->seqs[r->n++] = seq;
    if (dispute && r->disputes++ == 0)
        g->with_disputes++;
    return 0;
}

/* Squeezes the holes closed groups left in the order, once they are half of it. */
static void squeeze(fidx__groups_t *g)
{
    if (g->holes * 2 < g->n_order)
        return;
    size_t j = 0;
    for (size_t i = 0; i < g->n_order; i++)
        if (g->grp[g->order[i].group].opened == g->order[i].opened)
            g->order[j++] = g->order[i];
    g->n_order = j;
    g->holes = 0;
}

static void group_close(fidx__groups_t *g, size_t slot)
{
    uint32_t idx = g->table[slot] - 1;
    group_rec_t *r = &g->grp[idx];
    table_delete(g, slot);
    free(r->value);
    r->value = NULL;
    r->opened = 0; /* its place in the order is now a hole */
    r->next_free = g->free_grp;
    g->free_grp = idx + 1;
    g->open--;
    g->holes++;
    squeeze(g);
}

void fidx__groups_remove(fidx__groups_t *g, fidx_kind_t kind, const char *value, size_t len,
                         uint64_t seq, int dispute)
{
    if (!g->table_cap)
        return;
    size_t slot = slot_of(g, hash_of(kind, value, len), kind, value, len);
    if (!g->table[slot])
        return;
    group_rec_t *r = &g->grp[g->table[slot] - 1];
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->seqs[mid] < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < r->n && r->seqs[lo] == seq) {
        memmove(r->seqs + lo, r->seqs + lo + 1, (r->n - lo - 1) * sizeof *r->seqs);
        r->n--;
        if (dispute && r->disputes && --r->disputes == 0)
            g->with_disputes--;
    }
    if (r->n == 0) {
        if (r->disputes)
            g->with_disputes--;
        group_close(g, slot);
    }
}

static void view(const group_rec_t *r, fidx__group_t *out)
{
    *out = (fidx__group_t){(fidx_kind_t)r->kind, r->value, r->value_len, r->opened, r->seqs, r->n,
                           r->disputes};
}

int fidx__groups_get(const fidx__groups_t *g, fidx_kind_t kind, const char *value, size_t len,
                     fidx__group_t *out)
{
    if (!g->table_cap)
        return 0;
    size_t slot = slot_of(g, hash_of(kind, value, len), kind, value, len);
    if (!g->table[slot])
        return 0;
    view(&g->grp[g->table[slot] - 1], out);
    return 1;
}

uint64_t fidx__groups_each(fidx__groups_t *g, uint64_t after, int disputes_only, fidx__group_fn fn,
                           void *arg)
{
    size_t lo = 0, hi = g->n_order;
    while (lo < hi) { /* the first opened after the cursor: the order is ascending */
        size_t mid = lo + (hi - lo) / 2;
        if (g->order[mid].opened <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint64_t last = 0;
    for (size_t i = lo; i < g->n_order; i++) {
        const group_rec_t *r = &g->grp[g->order[i].group];
        if (r->opened != g->order[i].opened || (disputes_only && !r->disputes))
            continue; /* a hole */
        fidx__group_t v;
        view(r, &v);
        last = r->opened;
        if (fn(&v, arg))
            break;
    }
    return last;
}

size_t fidx__groups_count(const fidx__groups_t *g, size_t *with_disputes)
{
    if (with_disputes)
        *with_disputes = g->with_disputes;
    return g->open;
}
