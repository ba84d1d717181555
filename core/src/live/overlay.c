/* The live overlay (fidx/overlay.h): writers' side and memory reclamation. The layout and the
 * lock-free reads are in overlay_internal.h; lookup.c reads through them.
 *
 * Reclamation is quiescent-state based. A replaced version stays reachable (as the `prev` of
 * its successor) until the successor is visible, so it first waits on `wait` for the visible
 * sequence number to pass its successor's; then it is tagged with a new epoch and waits on
 * `grace` until every reader that was online before that epoch began has gone offline or come
 * online again. Dropped entries and old tables go to `grace` directly. */
#include "live/overlay_internal.h"

#include <stdlib.h>
#include <xxhash.h>

#include "fidx/phone.h"
#include "snapshot/snapshot_internal.h"

#define FIRST_CAPACITY 1024

uint64_t fidx__overlay_hash(fidx_kind_t kind, const char *value, size_t len)
{
    if (kind == FIDX_KIND_BANK_ACCOUNT) {
        const char *colon = memchr(value, ':', len);
        if (colon) {
            size_t skip = (size_t)(colon - value) + 1;
            value += skip;
            len -= skip;
        }
    }
    return XXH3_64bits_withSeed(value, len, (XXH64_hash_t)kind);
}

int fidx_overlay_new(unsigned max_readers, fidx_overlay_t **out)
{
    if (max_readers == 0 || max_readers > FIDX_OVERLAY_MAX_READERS)
        return FIDX_EINVAL;
    fidx_overlay_t *ov = calloc(1, sizeof *ov);
    if (!ov)
        return FIDX_ENOMEM;
    ov->readers = aligned_alloc(64, max_readers * sizeof *ov->readers);
    if (!ov->readers) {
        free(ov);
        return FIDX_ENOMEM;
    }
    for (unsigned i = 0; i < max_readers; i++) {
        atomic_init(&ov->readers[i].ctr, 0);
        ov->readers[i].ov = ov;
    }
    ov->max_readers = max_readers;
    atomic_init(&ov->table, NULL);
    atomic_init(&ov->visible, 0);
    atomic_init(&ov->epoch, 1);
    *out = ov;
    return 0;
}

/* ---- retired lists ------------------------------------------------------------------------ */

static ov_entry_t *entry_of(ov_retired_t *r)
{
    return (ov_entry_t *)((char *)r - offsetof(ov_entry_t, retired));
}

static ov_table_t *table_of(ov_retired_t *r)
{
    return (ov_table_t *)((char *)r - offsetof(ov_table_t, retired));
}

static void retired_push(ov_retired_list_t *l, ov_retired_t *r, uint64_t tag)
{
    r->next = NULL;
    r->tag = tag;
    if (l->tail)
        l->tail->next = r;
    else
        l->head = r;
    l->tail = r;
    l->n++;
}

/* Takes the oldest object off l when its tag is <= through; NULL when none is due. */
static ov_retired_t *retired_pop(ov_retired_list_t *l, uint64_t through)
{
    ov_retired_t *r = l->head;
    if (!r || r->tag > through)
        return NULL;
    l->head = r->next;
    if (!l->head)
        l->tail = NULL;
    l->n--;
    return r;
}

static size_t table_size(const ov_table_t *t)
{
    return sizeof *t + (t->mask + 1) * sizeof t->slot[0];
}

void fidx_overlay_free(fidx_overlay_t *ov)
{
    if (!ov)
        return;
    ov_table_t *t = atomic_load_explicit(&ov->table, memory_order_relaxed);
    if (t) {
        for (size_t i = 0; i <= t->mask; i++)
            free(atomic_load_explicit(&t->slot[i], memory_order_relaxed));
        free(t);
    }
    for (ov_retired_t *r; (r = retired_pop(&ov->wait, UINT64_MAX)) != NULL;)
        free(entry_of(r));
    for (ov_retired_t *r; (r = retired_pop(&ov->grace, UINT64_MAX)) != NULL;)
        free(entry_of(r));
    for (ov_retired_t *r; (r = retired_pop(&ov->tables, UINT64_MAX)) != NULL;)
        free(table_of(r));
    free(ov->readers);
    free(ov);
}

/* ---- readers ------------------------------------------------------------------------------ */

int fidx_overlay_reader_add(fidx_overlay_t *ov, fidx_overlay_reader_t **out)
{
    if (ov->n_readers >= ov->max_readers)
        return FIDX_ELIMIT;
    *out = &ov->readers[ov->n_readers++];
    return 0;
}

void fidx_overlay_online(fidx_overlay_reader_t *r)
{
    uint64_t e = atomic_load(&r->ov->epoch);
    atomic_store(&r->ctr, e);
    /* Our later loads of slots must not be ordered before this store (store-load): a writer
     * that does not see us online must be seen by us to have unlinked what it frees. */
    atomic_thread_fence(memory_order_seq_cst);
}

void fidx_overlay_offline(fidx_overlay_reader_t *r)
{
    atomic_store_explicit(&r->ctr, 0, memory_order_release);
}

int fidx_overlay_is_online(const fidx_overlay_reader_t *r)
{
    return atomic_load_explicit((_Atomic uint64_t *)&r->ctr, memory_order_relaxed) != 0;
}

/* ---- entries ------------------------------------------------------------------------------ */

static size_t entry_size(const ov_entry_t *e)
{
    size_t n = sizeof *e + e->value_len + 1u + e->label_len + 1u + e->note_len + 1u;
    for (unsigned i = 0; i < e->n_sources; i++)
        n += e->source_len[i] + 1u;
    return n;
}

/* A new version: ind's fields, or a delisting of (kind, value) when ind is NULL. */
static ov_entry_t *entry_new(const fidx_indicator_t *ind, fidx_kind_t kind, const char *value,
                             size_t len, uint64_t seq)
{
    ov_entry_t head = {0};
    head.seq = seq;
    head.hash = fidx__overlay_hash(kind, value, len);
    head.kind = (uint8_t)kind;
    head.value_len = (uint16_t)len;
    head.delisted = ind == NULL;
    if (ind) {
        head.status = (uint8_t)ind->status;
        head.categories = ind->categories;
        head.reports = ind->reports;
        head.first_seen = ind->first_seen;
        head.last_seen = ind->last_seen;
        head.note_len = (uint16_t)ind->note_len;
        head.label_len = (uint16_t)ind->label_len;
        head.n_sources = ind->n_sources;
        for (unsigned i = 0; i < ind->n_sources; i++)
            head.source_len[i] = (uint8_t)strnlen(ind->sources[i], FIDX_MAX_SOURCE_LEN);
    }
    ov_entry_t *e = malloc(entry_size(&head));
    if (!e)
        return NULL;
    *e = head;
    char *p = e->data;
    memcpy(p, value, len);
    p[len] = '\0';
    p += len + 1;
    if (ind)
        memcpy(p, ind->label, ind->label_len);
    p[head.label_len] = '\0';
    p += head.label_len + 1;
    if (ind)
        memcpy(p, ind->note, ind->note_len);
    p[head.note_len] = '\0';
    p += head.note_len + 1;
    for (unsigned i = 0; ind && i < head.n_sources; i++) {
        memcpy(p, ind->sources[i], head.source_len[i]);
        p[head.source_len[i]] = '\0';
        p += head.source_len[i] + 1;
    }
    return e;
}

/* e copied into an indicator: its match (ov_entry_match, the label with it) and its note. */
static void entry_decode(const ov_entry_t *e, fidx_indicator_t *out)
{
    fidx_match_t m;
    ov_entry_match(e, &m);
    out->kind = m.kind;
    out->status = m.status;
    out->categories = m.categories;
    out->reports = m.reports;
    out->first_seen = m.first_seen;
    out->last_seen = m.last_seen;
    out->n_sources = m.n_sources;
    memset(out->sources, 0, sizeof out->sources);
    for (unsigned i = 0; i < m.n_sources; i++)
        memcpy(out->sources[i], m.sources[i].p, m.sources[i].len);
    out->note_len = e->note_len;
    memcpy(out->note, ov_note(e), e->note_len + 1u);
    out->label_len = m.label.len;
    memcpy(out->label, m.label.p, m.label.len + 1u); /* its NUL too */
    out->value_len = m.value.len;
    memcpy(out->value, m.value.p, m.value.len + 1u); /* the value's NUL too */
}

/* ---- tables ------------------------------------------------------------------------------- */

static ov_table_t *writer_table(const fidx_overlay_t *ov)
{
    return atomic_load_explicit((_Atomic(ov_table_t *) *)&ov->table, memory_order_relaxed);
}

static ov_entry_t *writer_slot(const ov_table_t *t, size_t i)
{
    return atomic_load_explicit((_Atomic(ov_entry_t *) *)&t->slot[i], memory_order_relaxed);
}

/* Index of (kind, value)'s slot in t, or of the empty slot where it would go. */
static size_t writer_find(const ov_table_t *t, fidx_kind_t kind, uint64_t hash, const char *v,
                          size_t len)
{
    size_t i = hash & t->mask;
    for (const ov_entry_t *e; (e = writer_slot(t, i)) != NULL; i = (i + 1) & t->mask)
        if (e->hash == hash && e->kind == (uint8_t)kind && e->value_len == len &&
            memcmp(ov_value(e), v, len) == 0)
            break;
    return i;
}

static ov_table_t *table_new(size_t cap)
{
    ov_table_t *t = calloc(1, sizeof *t + cap * sizeof t->slot[0]);
    if (!t)
        return NULL;
    t->mask = cap - 1;
    return t;
}

static uint64_t new_epoch(fidx_overlay_t *ov)
{
    return atomic_fetch_add(&ov->epoch, 1) + 1;
}

/* The listed / delisted counts (status), as a value's newest version comes or goes. */
static void count_value(fidx_overlay_t *ov, const ov_entry_t *e, int delta)
{
    if (e->delisted)
        ov->n_delisted += (uint64_t)(int64_t)delta;
    else
        ov->n_listed += (uint64_t)(int64_t)delta;
}

/* Builds a table of capacity cap holding every slot of the current one, except (when drop)
 * values whose newest change has seq <= drop_seq; swaps it in and retires the old table and the
 * dropped entries. */
static int rebuild(fidx_overlay_t *ov, size_t cap, int drop, uint64_t drop_seq)
{
    ov_table_t *old = writer_table(ov), *t = table_new(cap);
    ov_retired_list_t dropped = {0};
    if (!t)
        return FIDX_ENOMEM;
    for (size_t i = 0; old && i <= old->mask; i++) {
        ov_entry_t *e = writer_slot(old, i);
        if (!e)
            continue;
        if (drop && e->seq <= drop_seq) {
            retired_push(&dropped, &e->retired, 0);
            continue;
        }
        size_t j = e->hash & t->mask;
        while (writer_slot(t, j))
            j = (j + 1) & t->mask;
        atomic_store_explicit(&t->slot[j], e, memory_order_relaxed);
        t->used++;
    }
    atomic_store_explicit(&ov->table, t, memory_order_release);
    ov->bytes += table_size(t);
    uint64_t tag = new_epoch(ov);
    for (ov_retired_t *r; (r = retired_pop(&dropped, UINT64_MAX)) != NULL;) {
        count_value(ov, entry_of(r), -1);
        retired_push(&ov->grace, r, tag);
    }
    if (old)
        retired_push(&ov->tables, &old->retired, tag);
    return 0;
}

/* Whether replacing old (may be NULL) by e may change which domains and sites are allowlisted:
 * a domain or url value allowlisted before or after, or delisted (the snapshot's entry it hides
 * may have been allowlisted; delistings are rare). */
static int touches_allowlist(const ov_entry_t *e, const ov_entry_t *old)
{
    if (e->kind != FIDX_KIND_DOMAIN && e->kind != FIDX_KIND_URL)
        return 0;
    return e->delisted || e->status == FIDX_STATUS_ALLOWLISTED ||
           (old && !old->delisted && old->status == FIDX_STATUS_ALLOWLISTED);
}

/* Publishes e as the newest version of its value (invisible to lookups until its seq is). */
static int install(fidx_overlay_t *ov, ov_entry_t *e)
{
    ov_table_t *t = writer_table(ov);
    if (!t || (t->used + 1) * 2 > t->mask + 1) {
        int rc = rebuild(ov, t ? (t->mask + 1) * 2 : FIRST_CAPACITY, 0, 0);
        if (rc)
            return rc;
        t = writer_table(ov);
    }
    size_t i = writer_find(t, (fidx_kind_t)e->kind, e->hash, ov_value(e), e->value_len);
    ov_entry_t *old = writer_slot(t, i);
    if (touches_allowlist(e, old))
        atomic_store_explicit(&ov->allow_seq, e->seq, memory_order_release);
    atomic_store_explicit(&ov->change_seq, e->seq, memory_order_release);
    e->prev = old;
    atomic_store_explicit(&t->slot[i], e, memory_order_release);
    ov->bytes += entry_size(e);
    ov->last_seq = e->seq;
    count_value(ov, e, +1);
    if (!old) {
        t->used++;
        return 0;
    }
    count_value(ov, old, -1);
    /* Reachable as e->prev until e is visible. */
    retired_push(&ov->wait, &old->retired, e->seq);
    return 0;
}

/* ---- writers ------------------------------------------------------------------------------ */

static int valid_value(fidx_kind_t kind, size_t len)
{
    return kind >= 0 && kind < FIDX_KIND_COUNT && len > 0 && len < FIDX_CANON_CAP;
}

int fidx_overlay_put(fidx_overlay_t *ov, const fidx_indicator_t *ind, uint64_t seq)
{
    if (!valid_value(ind->kind, ind->value_len) || ind->status >= FIDX_STATUS_COUNT ||
        ind->n_sources > FIDX_MAX_SOURCES || ind->note_len > FIDX_MAX_NOTE_LEN ||
        ind->label_len > FIDX_MAX_LABEL_LEN || seq <= ov->last_seq)
        return FIDX_EINVAL;
    ov_entry_t *e = entry_new(ind, ind->kind, ind->value, ind->value_len, seq);
    if (!e)
        return FIDX_ENOMEM;
    int rc = install(ov, e);
    if (rc)
        free(e);
    return rc;
}

int fidx_overlay_delist(fidx_overlay_t *ov, fidx_kind_t kind, const char *value, size_t len,
                        uint64_t seq)
{
    if (!valid_value(kind, len) || seq <= ov->last_seq)
        return FIDX_EINVAL;
    ov_entry_t *e = entry_new(NULL, kind, value, len, seq);
    if (!e)
        return FIDX_ENOMEM;
    int rc = install(ov, e);
    if (rc)
        free(e);
    return rc;
}

int fidx_overlay_get(const fidx_overlay_t *ov, fidx_kind_t kind, const char *value, size_t len,
                     fidx_indicator_t *out)
{
    const ov_table_t *t = writer_table(ov);
    if (!t || !valid_value(kind, len))
        return FIDX_OVERLAY_ABSENT;
    uint64_t hash = fidx__overlay_hash(kind, value, len);
    const ov_entry_t *e = writer_slot(t, writer_find(t, kind, hash, value, len));
    if (!e)
        return FIDX_OVERLAY_ABSENT;
    if (e->delisted)
        return FIDX_OVERLAY_DELISTED;
    if (out)
        entry_decode(e, out);
    return FIDX_OVERLAY_LISTED;
}

/* The snapshot's entry of exactly (kind, value). */
static int snapshot_get(const fidx_snapshot_t *s, fidx_kind_t kind, const char *value, size_t len,
                        fidx_indicator_t *out)
{
    const snap_kind_t *k = &s->kind[kind];
    uint64_t first, n, sortkey;
    if (kind == FIDX_KIND_PHONE) {
        if (fidx_phone_key(value, len, &sortkey) != 0)
            return FIDX_ENOTFOUND;
        if (!snap_find(k, snap_phone_sortkey(sortkey), &first))
            return FIDX_ENOTFOUND;
        return fidx_snapshot_entry(s, kind, first, out);
    }
    n = snap_find(k, fidx__overlay_hash(kind, value, len), &first);
    for (uint64_t i = first; i < first + n; i++) {
        fidx_str_t got = snap_value(k, i);
        if (got.len == len && memcmp(got.p, value, len) == 0)
            return fidx_snapshot_entry(s, kind, i, out);
    }
    return FIDX_ENOTFOUND;
}

int fidx_view_get(const fidx_snapshot_t *s, const fidx_overlay_t *ov, fidx_kind_t kind,
                  const char *value, size_t len, fidx_indicator_t *out)
{
    if (!valid_value(kind, len))
        return FIDX_ENOTFOUND;
    int st = ov ? fidx_overlay_get(ov, kind, value, len, out) : FIDX_OVERLAY_ABSENT;
    if (st == FIDX_OVERLAY_LISTED)
        return 0;
    if (st == FIDX_OVERLAY_DELISTED || !s)
        return FIDX_ENOTFOUND;
    return snapshot_get(s, kind, value, len, out);
}

/* Whether v is a bank value "BIN:d" or "*:d" for the digits d. */
static int bank_digits_are(fidx_str_t v, const char *d, size_t len)
{
    const char *c = memchr(v.p, ':', v.len);
    return c && v.len - (size_t)(c - v.p) - 1 == len && memcmp(c + 1, d, len) == 0;
}

static int bank_each_overlay(const ov_table_t *t, uint64_t hash, const char *d, size_t len,
                             fidx_indicator_t *ind, fidx_view_each_fn fn, void *arg)
{
    int rc = 0;
    for (size_t i = hash & t->mask; rc == 0; i = (i + 1) & t->mask) {
        const ov_entry_t *e = writer_slot(t, i);
        if (!e)
            break;
        if (e->hash != hash || e->kind != FIDX_KIND_BANK_ACCOUNT || e->delisted ||
            !bank_digits_are(fidx_str(ov_value(e), e->value_len), d, len))
            continue;
        entry_decode(e, ind);
        rc = fn(arg, ind);
    }
    return rc;
}

static int bank_each_snapshot(const fidx_snapshot_t *s, const fidx_overlay_t *ov, uint64_t hash,
                              const char *d, size_t len, fidx_indicator_t *ind,
                              fidx_view_each_fn fn, void *arg)
{
    const snap_kind_t *k = &s->kind[FIDX_KIND_BANK_ACCOUNT];
    uint64_t first, n = snap_find(k, hash, &first);
    int rc = 0;
    for (uint64_t i = first; i < first + n && rc == 0; i++) {
        fidx_str_t v = snap_value(k, i);
        if (!bank_digits_are(v, d, len) ||
            (ov &&
             fidx_overlay_get(ov, FIDX_KIND_BANK_ACCOUNT, v.p, v.len, NULL) != FIDX_OVERLAY_ABSENT))
            continue; /* the overlay's state of it (or its delisting) was seen already */
        rc = fidx_snapshot_entry(s, FIDX_KIND_BANK_ACCOUNT, i, ind);
        if (rc == 0)
            rc = fn(arg, ind);
    }
    return rc;
}

int fidx_view_bank_each(const fidx_snapshot_t *s, const fidx_overlay_t *ov, const char *d,
                        size_t len, fidx_view_each_fn fn, void *arg)
{
    if (len == 0 || len >= FIDX_CANON_CAP)
        return 0;
    fidx_indicator_t *ind = malloc(sizeof *ind);
    if (!ind)
        return FIDX_ENOMEM;
    uint64_t hash = XXH3_64bits_withSeed(d, len, (XXH64_hash_t)FIDX_KIND_BANK_ACCOUNT);
    const ov_table_t *t = ov ? writer_table(ov) : NULL;
    int rc = t ? bank_each_overlay(t, hash, d, len, ind, fn, arg) : 0;
    if (rc == 0 && s)
        rc = bank_each_snapshot(s, ov, hash, d, len, ind, fn, arg);
    free(ind);
    return rc;
}

void fidx_overlay_publish(fidx_overlay_t *ov, uint64_t seq)
{
    uint64_t cur = atomic_load_explicit(&ov->visible, memory_order_relaxed);
    while (seq > cur && !atomic_compare_exchange_weak_explicit(
                            &ov->visible, &cur, seq, memory_order_release, memory_order_relaxed))
        ;
}

uint64_t fidx_overlay_visible(const fidx_overlay_t *ov)
{
    return fidx__overlay_visible(ov);
}

uint64_t fidx_overlay_last_seq(const fidx_overlay_t *ov)
{
    return ov->last_seq;
}

/* ---- reclamation -------------------------------------------------------------------------- */

/* The oldest epoch an online reader came online at (UINT64_MAX when none is online). */
static uint64_t oldest_online(const fidx_overlay_t *ov)
{
    uint64_t min = UINT64_MAX;
    atomic_thread_fence(memory_order_seq_cst);
    for (unsigned i = 0; i < ov->n_readers; i++) {
        uint64_t c = atomic_load(&ov->readers[i].ctr);
        if (c && c < min)
            min = c;
    }
    return min;
}

void fidx_overlay_reclaim(fidx_overlay_t *ov)
{
    uint64_t vis = fidx__overlay_visible(ov);
    if (ov->wait.head && ov->wait.head->tag <= vis) {
        uint64_t tag = new_epoch(ov);
        for (ov_retired_t *r; (r = retired_pop(&ov->wait, vis)) != NULL;)
            retired_push(&ov->grace, r, tag);
    }
    if (!ov->grace.head && !ov->tables.head)
        return;
    uint64_t min = oldest_online(ov);
    for (ov_retired_t *r; (r = retired_pop(&ov->grace, min)) != NULL;) {
        ov->bytes -= entry_size(entry_of(r));
        free(entry_of(r));
    }
    for (ov_retired_t *r; (r = retired_pop(&ov->tables, min)) != NULL;) {
        ov->bytes -= table_size(table_of(r));
        free(table_of(r));
    }
}

int fidx_overlay_drop_through(fidx_overlay_t *ov, uint64_t seq)
{
    const ov_table_t *t = writer_table(ov);
    if (!t)
        return 0;
    size_t keep = 0;
    for (size_t i = 0; i <= t->mask; i++) {
        const ov_entry_t *e = writer_slot(t, i);
        keep += e && e->seq > seq;
    }
    size_t cap = FIRST_CAPACITY;
    while (cap < 2 * (keep + 1))
        cap *= 2;
    return rebuild(ov, cap, 1, seq);
}

int fidx_overlay_each(const fidx_overlay_t *ov, uint64_t max_seq, fidx_overlay_each_fn fn,
                      void *arg)
{
    const ov_table_t *t = fidx__overlay_table(ov);
    if (!t)
        return 0;
    fidx_indicator_t *ind = malloc(sizeof *ind);
    if (!ind)
        return FIDX_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i <= t->mask && rc == 0; i++) {
        const ov_entry_t *e = ov_visible(ov_slot(t, i), max_seq);
        if (!e)
            continue;
        if (e->delisted) {
            memset(ind, 0, offsetof(fidx_indicator_t, value));
            ind->kind = (fidx_kind_t)e->kind;
            ind->value_len = e->value_len;
            memcpy(ind->value, ov_value(e), e->value_len + 1u);
        } else {
            entry_decode(e, ind);
        }
        rc = fn(arg, ind, e->delisted);
    }
    free(ind);
    return rc;
}

uint64_t fidx_overlay_allow_seq(const fidx_overlay_t *ov)
{
    return atomic_load_explicit((_Atomic uint64_t *)&ov->allow_seq, memory_order_acquire);
}

uint64_t fidx_overlay_change_seq(const fidx_overlay_t *ov)
{
    return atomic_load_explicit((_Atomic uint64_t *)&ov->change_seq, memory_order_acquire);
}

void fidx_overlay_stats(const fidx_overlay_t *ov, fidx_overlay_stats_t *st)
{
    st->listed = ov->n_listed;
    st->delisted = ov->n_delisted;
    st->values = ov->n_listed + ov->n_delisted;
    st->bytes = ov->bytes;
    st->retired = ov->wait.n + ov->grace.n + ov->tables.n;
}
