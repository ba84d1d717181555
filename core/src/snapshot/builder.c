/* The snapshot builder's in-memory table: indicators added one by one, duplicates merged as
 * the contract says, sources interned into small dictionaries. snapshot_write.c lays the
 * table out as a file. */
#include "snapshot/builder.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "fidx/phone.h"

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 1024;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem)
            return FIDX_ENOMEM;
        n *= 2;
    }
    void *q = realloc(*p, n * elem);
    if (!q)
        return FIDX_ENOMEM;
    *p = q;
    *cap = n;
    return 0;
}

int fidx_builder_new(fidx_builder_t **out)
{
    fidx_builder_t *b = calloc(1, sizeof *b);
    if (!b)
        return FIDX_ENOMEM;
    b->set_key[0] = 0; /* set 0 is the empty set */
    b->n_sets = 1;
    *out = b;
    return 0;
}

void fidx_builder_free(fidx_builder_t *b)
{
    if (!b)
        return;
    free(b->entries);
    free(b->map);
    free(b->arena);
    free(b->notes);
    free(b->labels);
    free(b);
}

uint64_t fidx_builder_count(const fidx_builder_t *b)
{
    return b->n_live;
}

/* The identity of an entry: the exact phone key, or XXH3-64 of the value seeded with the kind. */
static int entry_ident(const fidx_indicator_t *ind, uint64_t *ident)
{
    if (ind->kind == FIDX_KIND_PHONE)
        return fidx_phone_key(ind->value, ind->value_len, ident);
    *ident = XXH3_64bits_withSeed(ind->value, ind->value_len, (XXH64_hash_t)ind->kind);
    return 0;
}

static uint64_t slot_hash(uint64_t ident, unsigned kind)
{
    return (ident ^ ((uint64_t)kind << 56)) * UINT64_C(0x9E3779B97F4A7C15);
}

static int same_entry(const fidx_builder_t *b, const builder_entry_t *e, unsigned kind,
                      uint64_t ident, const char *v, size_t len)
{
    if (e->kind != kind || e->ident != ident)
        return 0;
    if (kind == FIDX_KIND_PHONE)
        return 1;
    const char *s = b->arena + e->str;
    uint16_t n;
    memcpy(&n, s, 2);
    return n == len && memcmp(s + 2, v, len) == 0;
}

/* Slot of the entry (kind, ident, value), or of the empty slot where it would go. */
static size_t map_find(const fidx_builder_t *b, unsigned kind, uint64_t ident, const char *v,
                       size_t len)
{
    size_t mask = b->map_cap - 1;
    size_t i = (size_t)(slot_hash(ident, kind) >> 20) & mask;
    while (b->map[i] && !same_entry(b, &b->entries[b->map[i] - 1], kind, ident, v, len))
        i = (i + 1) & mask;
    return i;
}

static int map_grow(fidx_builder_t *b)
{
    size_t cap = b->map_cap ? b->map_cap * 2 : 4096;
    uint32_t *m = calloc(cap, sizeof *m);
    if (!m)
        return FIDX_ENOMEM;
    for (size_t i = 0; i < b->map_cap; i++) {
        uint32_t id = b->map[i];
        if (!id)
            continue;
        const builder_entry_t *e = &b->entries[id - 1];
        size_t j = (size_t)(slot_hash(e->ident, e->kind) >> 20) & (cap - 1);
        while (m[j])
            j = (j + 1) & (cap - 1);
        m[j] = id;
    }
    free(b->map);
    b->map = m;
    b->map_cap = cap;
    return 0;
}

/* Appends a length-prefixed string to an arena; *off receives its offset. */
static int arena_put(char **arena, size_t *len, size_t *cap, const char *p, size_t n, uint32_t *off)
{
    if (n > UINT16_MAX || *len + n + 2 > UINT32_MAX)
        return FIDX_ELIMIT;
    int rc = grow((void **)arena, cap, *len + n + 2, 1);
    if (rc)
        return rc;
    uint16_t n16 = (uint16_t)n;
    memcpy(*arena + *len, &n16, 2);
    memcpy(*arena + *len + 2, p, n);
    *off = (uint32_t)*len;
    *len += n + 2;
    return 0;
}

static int source_id(fidx_builder_t *b, const char *name, uint8_t *id)
{
    size_t n = strlen(name);
    for (unsigned i = 0; i < b->n_sources; i++)
        if (strlen(b->source[i]) == n && memcmp(b->source[i], name, n) == 0) {
            *id = (uint8_t)i;
            return 0;
        }
    if (b->n_sources >= FIDX_MAX_SNAPSHOT_SOURCES)
        return FIDX_ELIMIT;
    memcpy(b->source[b->n_sources], name, n + 1);
    *id = (uint8_t)b->n_sources++;
    return 0;
}

/* A set of at most 8 source ids packs exactly into 64 bits: sorted ids + 1, one per byte. */
static uint64_t set_pack(const uint8_t *ids, unsigned n)
{
    uint64_t k = 0;
    for (unsigned i = 0; i < n; i++)
        k |= (uint64_t)(ids[i] + 1u) << (8 * i);
    return k;
}

int fidx__builder_set_id(fidx_builder_t *b, uint64_t key, uint16_t *id)
{
    for (unsigned i = 0; i < b->n_sets; i++) /* few distinct sets in practice */
        if (b->set_key[(b->set_last + i) % b->n_sets] == key) {
            b->set_last = (b->set_last + i) % b->n_sets;
            *id = (uint16_t)b->set_last;
            return 0;
        }
    if (b->n_sets >= FIDX_MAX_SNAPSHOT_SOURCE_SETS)
        return FIDX_ELIMIT;
    b->set_key[b->n_sets] = key;
    b->set_last = b->n_sets;
    *id = (uint16_t)b->n_sets++;
    return 0;
}

static int sources_set(fidx_builder_t *b, const fidx_indicator_t *ind, uint16_t *set)
{
    uint8_t ids[FIDX_MAX_SOURCES];
    unsigned n = 0;
    for (unsigned i = 0; i < ind->n_sources && i < FIDX_MAX_SOURCES; i++) {
        int rc = source_id(b, ind->sources[i], &ids[n]);
        if (rc)
            return rc;
        n++;
    }
    for (unsigned i = 1; i < n; i++) /* insertion sort: n <= 8 */
        for (unsigned j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
            uint8_t t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    return fidx__builder_set_id(b, set_pack(ids, n), set);
}

static void set_unpack(uint64_t key, uint8_t *ids, unsigned *n)
{
    *n = 0;
    for (; key; key >>= 8)
        ids[(*n)++] = (uint8_t)((key & 0xFF) - 1);
}

/* Sources unite (at most FIDX_MAX_SOURCES kept, lowest ids first). */
static int merge_sets(fidx_builder_t *b, uint16_t a, uint16_t c, uint16_t *out)
{
    uint8_t x[8], y[8], u[16];
    unsigned nx, ny, nu = 0, i = 0, j = 0;
    set_unpack(b->set_key[a], x, &nx);
    set_unpack(b->set_key[c], y, &ny);
    while (i < nx || j < ny) {
        if (j >= ny || (i < nx && x[i] < y[j]))
            u[nu++] = x[i++];
        else if (i >= nx || y[j] < x[i])
            u[nu++] = y[j++];
        else
            u[nu++] = x[i++], j++;
    }
    if (nu > FIDX_MAX_SOURCES)
        nu = FIDX_MAX_SOURCES;
    return fidx__builder_set_id(b, set_pack(u, nu), out);
}

static uint16_t day_min(uint16_t a, uint16_t b)
{
    return !a ? b : !b ? a : (a < b ? a : b);
}

static uint16_t day_max(uint16_t a, uint16_t b)
{
    return a > b ? a : b;
}

static int merge_into(fidx_builder_t *b, builder_entry_t *e, const builder_entry_t *n)
{
    if (e->removed) { /* added again after a delisting: starts afresh */
        uint32_t str = e->str;
        *e = *n;
        e->str = str;
        b->n_live++;
        return 0;
    }
    uint64_t r = (uint64_t)e->reports + n->reports;
    e->reports = r > FIDX_MAX_REPORTS ? FIDX_MAX_REPORTS : (uint32_t)r;
    e->categories |= n->categories;
    e->first_seen = day_min(e->first_seen, n->first_seen);
    e->last_seen = day_max(e->last_seen, n->last_seen);
    if (n->status > e->status)
        e->status = n->status;
    if (!e->note)
        e->note = n->note;
    if (n->label) /* a later label is the correction (fidx_indicator_merge) */
        e->label = n->label;
    return merge_sets(b, e->sourceset, n->sourceset, &e->sourceset);
}

static int fill_entry(fidx_builder_t *b, const fidx_indicator_t *ind, builder_entry_t *e)
{
    memset(e, 0, sizeof *e);
    e->kind = (uint8_t)ind->kind;
    e->status = (uint8_t)ind->status;
    e->categories = ind->categories;
    e->reports = ind->reports; /* 0 is a valid count (allowlisted entries) */
    e->first_seen = ind->first_seen;
    e->last_seen = ind->last_seen;
    int rc = entry_ident(ind, &e->ident);
    if (!rc)
        rc = sources_set(b, ind, &e->sourceset);
    if (!rc && ind->note_len) {
        uint32_t off;
        rc = arena_put(&b->notes, &b->notes_len, &b->notes_cap, ind->note, ind->note_len, &off);
        e->note = off + 1;
    }
    if (!rc && ind->label_len) {
        uint32_t off;
        rc =
            arena_put(&b->labels, &b->labels_len, &b->labels_cap, ind->label, ind->label_len, &off);
        e->label = off + 1;
    }
    return rc;
}

static int append_entry(fidx_builder_t *b, const fidx_indicator_t *ind, builder_entry_t *e,
                        size_t slot)
{
    if (b->n_entries >= UINT32_MAX - 1)
        return FIDX_ELIMIT;
    int rc = grow((void **)&b->entries, &b->cap_entries, b->n_entries + 1, sizeof *e);
    if (!rc && ind->kind != FIDX_KIND_PHONE)
        rc =
            arena_put(&b->arena, &b->arena_len, &b->arena_cap, ind->value, ind->value_len, &e->str);
    if (rc)
        return rc;
    b->entries[b->n_entries++] = *e;
    b->map[slot] = (uint32_t)b->n_entries;
    b->n_mapped++;
    b->n_live++;
    return 0;
}

int fidx_builder_add(fidx_builder_t *b, const fidx_indicator_t *ind, fidx_err_t *err)
{
    builder_entry_t e;
    if (ind->kind < 0 || ind->kind >= FIDX_KIND_COUNT || ind->status >= FIDX_STATUS_COUNT)
        return fidx_err_set(err, FIDX_EINVAL, 0, "bad kind or status");
    int rc = fill_entry(b, ind, &e);
    if (rc == FIDX_ELIMIT)
        return fidx_err_set(err, rc, 0,
                            "too many distinct sources (255) or combinations of sources (1023)");
    if (rc)
        return fidx_err_set(err, rc, 0,
                            rc == FIDX_EINVAL ? "not a canonical value" : "out of memory");
    if ((b->n_mapped + 1) * 2 > b->map_cap && (rc = map_grow(b)) != 0)
        return fidx_err_set(err, rc, 0, "out of memory");
    size_t slot = map_find(b, e.kind, e.ident, ind->value, ind->value_len);
    if (b->map[slot])
        rc = merge_into(b, &b->entries[b->map[slot] - 1], &e);
    else
        rc = append_entry(b, ind, &e, slot);
    if (rc)
        return fidx_err_set(err, rc, 0,
                            rc == FIDX_ELIMIT ? "snapshot limit reached" : "out of memory");
    return 0;
}

int fidx_builder_remove(fidx_builder_t *b, fidx_kind_t kind, const char *value, size_t len)
{
    fidx_indicator_t probe;
    uint64_t ident;
    if (!b->map_cap || len >= sizeof probe.value)
        return FIDX_ENOTFOUND;
    probe.kind = kind;
    memcpy(probe.value, value, len);
    probe.value_len = len;
    if (entry_ident(&probe, &ident) != 0)
        return FIDX_ENOTFOUND;
    size_t slot = map_find(b, (unsigned)kind, ident, value, len);
    if (!b->map[slot] || b->entries[b->map[slot] - 1].removed)
        return FIDX_ENOTFOUND;
    b->entries[b->map[slot] - 1].removed = 1;
    b->n_live--;
    return 0;
}
