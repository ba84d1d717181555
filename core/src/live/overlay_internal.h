/* The overlay's layout, shared by overlay.c (writers, reclamation) and lookup.c (the lock-free
 * reads of fidx_check).
 *
 * An open-addressing table of atomic slot pointers (linear probing, at most half full). A slot
 * holds the newest version of one value's entry; a version is immutable once published and
 * points to the version it replaced, which readers follow while the newer one is not visible
 * yet. Slots are never emptied: a delisting is an entry too. Growth and dropping build a new
 * table and swap the table pointer. Writers publish with release stores, readers load with
 * acquire. */
#ifndef FIDX_OVERLAY_INTERNAL_H
#define FIDX_OVERLAY_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fidx/lookup.h"
#include "fidx/overlay.h"

/* The link of a version or table the writer has retired: it waits on one of the writer's
 * lists until its tag has passed (a sequence number, then an epoch), then it is freed. */
typedef struct ov_retired ov_retired_t;
struct ov_retired {
    ov_retired_t *next;
    uint64_t tag;
};

/* A list of retired objects in the order they were retired, so tags only grow along it and
 * reclamation takes from the head until a tag has not passed. */
typedef struct {
    ov_retired_t *head, *tail;
    uint64_t n;
} ov_retired_list_t;

typedef struct ov_entry ov_entry_t;
struct ov_entry {
    const ov_entry_t *prev; /* the version this one replaced (may be freed once this is seen) */
    ov_retired_t retired;   /* writer's: once replaced or dropped, waiting to be freed */
    uint64_t seq;
    uint64_t hash; /* fidx__overlay_hash of (kind, value) */
    uint32_t reports;
    uint16_t categories;
    fidx_day_t first_seen, last_seen;
    uint16_t value_len, note_len, label_len;
    uint8_t kind, status, n_sources, delisted;
    uint8_t source_len[FIDX_MAX_SOURCES];
    char data[]; /* value NUL label NUL note NUL source0 NUL source1 NUL ... */
};

typedef struct ov_table ov_table_t;
struct ov_table {
    size_t mask; /* capacity - 1 (a power of two) */
    size_t used;
    ov_retired_t retired; /* writer's: once replaced, waiting to be freed */
    _Atomic(ov_entry_t *) slot[];
};

static inline const char *ov_value(const ov_entry_t *e)
{
    return e->data;
}

static inline const char *ov_label(const ov_entry_t *e)
{
    return e->data + e->value_len + 1;
}

static inline const char *ov_note(const ov_entry_t *e)
{
    return ov_label(e) + e->label_len + 1;
}

/* Source i of e (i < n_sources). */
static inline fidx_str_t ov_source(const ov_entry_t *e, unsigned i)
{
    const char *p = ov_note(e) + e->note_len + 1;
    for (unsigned j = 0; j < i; j++)
        p += e->source_len[j] + 1;
    return fidx_str(p, e->source_len[i]);
}

/* The one decoder of a version's fields: e as the match a lookup answers with, strings
 * borrowed from e. lookup.c answers with it; overlay.c copies out of it for the writers'
 * reads (fidx_overlay_get, fidx_overlay_each). The note is not part of a match. */
static inline void ov_entry_match(const ov_entry_t *e, fidx_match_t *m)
{
    m->kind = (fidx_kind_t)e->kind;
    m->status = (fidx_status_t)e->status;
    m->categories = e->categories;
    m->reports = e->reports;
    m->first_seen = e->first_seen;
    m->last_seen = e->last_seen;
    m->n_sources = e->n_sources;
    for (unsigned j = 0; j < e->n_sources; j++)
        m->sources[j] = ov_source(e, j);
    m->value = fidx_str(ov_value(e), e->value_len);
    m->label = fidx_str(ov_label(e), e->label_len);
}

/* The hash a value is filed under: XXH3-64 of the value seeded with the kind, as the snapshot
 * hashes strings; for a bank account, of its account digits only, so that every bank's entry
 * for the same digits is found from one probe. */
uint64_t fidx__overlay_hash(fidx_kind_t kind, const char *value, size_t len);

/* The newest version of e visible at sequence number visible, or NULL. */
static inline const ov_entry_t *ov_visible(const ov_entry_t *e, uint64_t visible)
{
    while (e && e->seq > visible)
        e = e->prev;
    return e;
}

static inline const ov_entry_t *ov_slot(const ov_table_t *t, size_t i)
{
    return atomic_load_explicit((_Atomic(ov_entry_t *) *)&t->slot[i], memory_order_acquire);
}

/* The slot of (kind, value) in t as readers see it: its newest version, or NULL when absent.
 * Visibility is the caller's to apply (ov_visible). */
static inline const ov_entry_t *ov_find(const ov_table_t *t, fidx_kind_t kind, uint64_t hash,
                                        const char *v, size_t len)
{
    for (size_t i = hash & t->mask;; i = (i + 1) & t->mask) {
        const ov_entry_t *e = ov_slot(t, i);
        if (!e)
            return NULL;
        if (e->hash == hash && e->kind == (uint8_t)kind && e->value_len == len &&
            memcmp(ov_value(e), v, len) == 0)
            return e;
    }
}

/* Reader i's counter: 0 while offline, else the epoch it last came online at. One cache line
 * each, so that readers never write to a line another reader writes. */
struct fidx_overlay_reader {
    _Alignas(64) _Atomic uint64_t ctr;
    fidx_overlay_t *ov;
};

struct fidx_overlay {
    /* read by lookups */
    _Atomic(ov_table_t *) table; /* NULL until the first change */
    _Atomic uint64_t visible;    /* changes with seq <= visible are seen by lookups */
    _Atomic uint64_t epoch;      /* reclamation epoch, starts at 1 */
    /* seq of the newest change that may change the allowlisted sites (fidx_overlay_allow_seq);
     * stored by writers, read by anyone */
    _Atomic uint64_t allow_seq;
    _Atomic uint64_t change_seq; /* of the newest change of any value (fidx_overlay_change_seq) */
    /* writers only */
    uint64_t last_seq;
    uint64_t n_listed, n_delisted, bytes;
    ov_retired_list_t wait;   /* replaced versions; tag: the seq that replaced them */
    ov_retired_list_t grace;  /* versions unreachable once seen; tag: epoch */
    ov_retired_list_t tables; /* replaced tables; tag: epoch */
    unsigned max_readers, n_readers;
    fidx_overlay_reader_t *readers;
};

static inline const ov_table_t *fidx__overlay_table(const fidx_overlay_t *ov)
{
    return atomic_load_explicit((_Atomic(ov_table_t *) *)&ov->table, memory_order_acquire);
}

static inline uint64_t fidx__overlay_visible(const fidx_overlay_t *ov)
{
    return atomic_load_explicit((_Atomic uint64_t *)&ov->visible, memory_order_acquire);
}

#endif
