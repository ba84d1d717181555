/* Full integrity check of an opened snapshot, beyond what open checks: each entry sits in the
 * bucket its value hashes to, in fingerprint order, records hold legal values, side tables are
 * ordered, and the Roaring posting lists (read with the _safe reader) equal what the records
 * say. */
#include <roaring/roaring.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "fidx/normalize.h"
#include "fidx/phone.h"
#include "snapshot/snapshot_internal.h"

static int corrupt(fidx_err_t *err, uint64_t where, const char *why)
{
    return fidx_err_set(err, FIDX_ECORRUPT, (size_t)where, why);
}

static uint64_t value_sortkey(int kind, fidx_str_t v)
{
    if (kind == FIDX_KIND_BANK_ACCOUNT) {
        const char *colon = memchr(v.p, ':', v.len);
        size_t off = colon ? (size_t)(colon - v.p) + 1 : 0;
        return XXH3_64bits_withSeed(v.p + off, v.len - off, FIDX_KIND_BANK_ACCOUNT);
    }
    return XXH3_64bits_withSeed(v.p, v.len, (XXH64_hash_t)kind);
}

/* A stored value must be what normalising it gives back: a lookup only ever probes canonical
 * forms, so a value that is not one could never be found (a crafted file can carry one with
 * valid checksums; fuzz_snapshot found it). */
static int is_stored_form(int kind, fidx_str_t v)
{
    static __thread char canon[FIDX_CANON_CAP], key[FIDX_CANON_CAP];
    fidx_kind_t got;
    size_t n, kn;
    if (fidx_normalize((fidx_kind_t)kind, NULL, v.p, v.len, &got, canon, sizeof canon, &n, NULL) !=
            0 ||
        fidx_storage_key(got, canon, n, key, sizeof key, &kn) != 0)
        return 0;
    return kn == v.len && memcmp(key, v.p, kn) == 0;
}

static uint64_t fp_at(const snap_kind_t *k, uint64_t i)
{
    return k->meta.fp_bits == 64 ? ((const uint64_t *)k->fp)[i] : ((const uint32_t *)k->fp)[i];
}

static int verify_key(const fidx_snapshot_t *s, int kind, uint64_t i, uint64_t bucket,
                      fidx_err_t *err)
{
    const snap_kind_t *k = &s->kind[kind];
    uint64_t sortkey;
    if (kind == FIDX_KIND_PHONE) {
        fidx_indicator_t e;
        uint64_t key;
        if (fidx_snapshot_entry(s, FIDX_KIND_PHONE, i, &e) != 0 ||
            fidx_phone_key(e.value, e.value_len, &key) != 0)
            return corrupt(err, i, "a phone entry does not decode to a phone number");
        sortkey = snap_phone_sortkey(key);
    } else {
        fidx_str_t v = snap_value(k, i);
        if (v.len == 0)
            return corrupt(err, i, "an entry's value lies outside its section or is empty");
        if (!is_stored_form(kind, v))
            return corrupt(err, i, "an entry's value is not in canonical form");
        sortkey = value_sortkey(kind, v);
    }
    uint64_t fp = fp_at(k, i);
    if (snap_bucket(sortkey, k->meta.dir_bits) != bucket ||
        snap_fp(sortkey, k->meta.dir_bits, k->meta.fp_bits) != fp)
        return corrupt(err, i, "an entry is not where its value hashes to");
    return 0;
}

static int verify_record(const fidx_snapshot_t *s, uint64_t rec, uint32_t gid, fidx_err_t *err)
{
    uint16_t first = SNAP_REC_FIRST(rec), last = SNAP_REC_LAST(rec);
    if (SNAP_REC_STATUS(rec) >= FIDX_STATUS_COUNT || SNAP_REC_SOURCESET(rec) >= s->n_sets)
        return corrupt(err, gid, "a record has an impossible status or source set");
    if (first && last && first > last)
        return corrupt(err, gid, "a record was last seen before it was first seen");
    if (SNAP_REC_REPORTS(rec) == SNAP_REC_REPORTS_MAX &&
        fidx__snapshot_entry_reports(s, gid, rec) < SNAP_REC_REPORTS_MAX)
        return corrupt(err, gid, "a large report count is missing from its table");
    return 0;
}

static int verify_kind(const fidx_snapshot_t *s, int kind, fidx_err_t *err)
{
    const snap_kind_t *k = &s->kind[kind];
    uint64_t buckets = (uint64_t)1 << k->meta.dir_bits;
    for (uint64_t b = 0; b < buckets; b++) {
        uint64_t start = snap_bucket_start(k, b), end = snap_bucket_start(k, b + 1);
        for (uint64_t i = start; i < end; i++) {
            /* Lookups binary-search a bucket's fingerprints (snap_find): they must be in
             * order, or an entry that is where it hashes to can still never be found
             * (fuzz_snapshot found such a file). */
            if (i > start && fp_at(k, i - 1) > fp_at(k, i))
                return corrupt(err, i, "a bucket's entries are out of order");
            int rc = verify_key(s, kind, i, b, err);
            if (!rc)
                rc = verify_record(s, k->rec[i], (uint32_t)(k->meta.base + i), err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int verify_pairs(const snap_pair_t *v, size_t n, uint64_t total, fidx_err_t *err)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].gid >= total || (i && v[i - 1].gid >= v[i].gid))
            return corrupt(err, i, "a side table is out of order or names a missing entry");
    return 0;
}

/* Rebuilds posting list (type, index) from the records. */
static roaring_bitmap_t *expected_posting(const fidx_snapshot_t *s, const snap_posting_t *m)
{
    roaring_bitmap_t *r = roaring_bitmap_create();
    for (int kind = 0; r && kind < FIDX_KIND_COUNT; kind++) {
        const snap_kind_t *k = &s->kind[kind];
        for (uint64_t i = 0; i < k->meta.n; i++) {
            uint64_t rec = k->rec[i];
            int in = 0;
            if (m->type == POST_STATUS)
                in = SNAP_REC_STATUS(rec) == m->index;
            else if (m->type == POST_CATEGORY)
                in = (SNAP_REC_CATEGORIES(rec) >> m->index) & 1;
            else {
                unsigned set = SNAP_REC_SOURCESET(rec);
                for (unsigned j = 0; set < s->n_sets && j < s->set_n[set]; j++)
                    in |= s->set_ids[set][j] == m->index;
            }
            if (in)
                roaring_bitmap_add(r, (uint32_t)(k->meta.base + i));
        }
    }
    return r;
}

static int verify_postings(const fidx_snapshot_t *s, fidx_err_t *err)
{
    uint32_t count = fidx__snapshot_entry_posting_count(s);
    if (count != FIDX_STATUS_COUNT + FIDX_CAT_COUNT + s->n_sources)
        return corrupt(err, 0, "posting lists missing");
    for (uint32_t i = 0; i < count; i++) {
        snap_posting_t m;
        roaring_bitmap_t *got = fidx__snapshot_entry_posting(s, i, &m);
        if (!got)
            return corrupt(err, i, "a posting list cannot be read");
        /* The writer's order: statuses, then categories, then sources, each once. */
        uint32_t want_type = i < FIDX_STATUS_COUNT                    ? POST_STATUS
                             : i < FIDX_STATUS_COUNT + FIDX_CAT_COUNT ? POST_CATEGORY
                                                                      : POST_SOURCE;
        uint32_t want_index = want_type == POST_STATUS     ? i
                              : want_type == POST_CATEGORY ? i - FIDX_STATUS_COUNT
                                                           : i - FIDX_STATUS_COUNT - FIDX_CAT_COUNT;
        if (m.type != want_type || m.index != want_index) {
            roaring_bitmap_free(got);
            return corrupt(err, i,
                           "a posting list is out of place or names no status, "
                           "category or source");
        }
        roaring_bitmap_t *want = expected_posting(s, &m);
        int same = want && roaring_bitmap_equals(got, want);
        roaring_bitmap_free(got);
        roaring_bitmap_free(want);
        if (!same)
            return corrupt(err, i, "a posting list disagrees with the records");
    }
    return 0;
}

/* Labels are shown to citizens: each one inside its blob and a label the schema accepts. */
static int verify_labels(const fidx_snapshot_t *s, uint64_t total, fidx_err_t *err)
{
    int rc = verify_pairs(s->labels, s->n_labels, total, err);
    for (size_t i = 0; !rc && i < s->n_labels; i++) {
        uint32_t off = s->labels[i].value;
        uint16_t len;
        if ((size_t)off + 2 > s->labelblob_len)
            return corrupt(err, i, "a label lies outside its section");
        memcpy(&len, s->labelblob + off, 2);
        if ((size_t)off + 2 + len > s->labelblob_len)
            return corrupt(err, i, "a label lies outside its section");
        if (len == 0 || fidx_label_check(s->labelblob + off + 2, len, NULL) != 0)
            return corrupt(err, i, "a label is empty, too long, not UTF-8 or has a control");
    }
    return rc;
}

int fidx_snapshot_verify(const fidx_snapshot_t *s, fidx_err_t *err)
{
    uint64_t total = 0;
    for (int kind = 0; kind < FIDX_KIND_COUNT; kind++) {
        int rc = verify_kind(s, kind, err);
        if (rc)
            return rc;
        total += s->kind[kind].meta.n;
    }
    int rc = verify_pairs(s->reports, s->n_reports, total, err);
    if (!rc)
        rc = verify_pairs(s->notes, s->n_notes, total, err);
    if (!rc)
        rc = verify_labels(s, total, err);
    return rc ? rc : verify_postings(s, err);
}
