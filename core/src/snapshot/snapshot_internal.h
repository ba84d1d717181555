/* The opened snapshot: pointers into the mapping, checked at open. Shared by the reader,
 * verify, entry decoding and lookup. */
#ifndef FIDX_SNAPSHOT_INTERNAL_H
#define FIDX_SNAPSHOT_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fidx/snapshot.h"
#include "fidx/str.h"
#include "snapshot/snapshot_format.h"

typedef struct {
    snap_kind_meta_t meta;
    const uint32_t *dirbase;
    const uint16_t *dir;
    const void *fp;
    const uint64_t *rec;
    const uint32_t *stroff; /* NULL for phones */
    const char *blob;
    size_t blob_len;
} snap_kind_t;

struct fidx_snapshot {
    atomic_long refs;
    const char *base;
    size_t size;    /* of the file */
    size_t map_len; /* of the mapping */
    const snap_header_t *hdr;
    const snap_section_t *sec;
    snap_kind_t kind[FIDX_KIND_COUNT];
    unsigned n_sources;
    fidx_str_t source[FIDX_MAX_SNAPSHOT_SOURCES];
    unsigned n_sets;
    uint8_t set_n[FIDX_MAX_SNAPSHOT_SOURCE_SETS];
    uint8_t set_ids[FIDX_MAX_SNAPSHOT_SOURCE_SETS][FIDX_MAX_SOURCES];
    const snap_pair_t *reports, *notes, *labels;
    size_t n_reports, n_notes, n_labels; /* n_labels: 0 in a version 1 file */
    const char *noteblob, *postings, *labelblob;
    size_t noteblob_len, postings_len, labelblob_len;
};

/* Index of the first entry of bucket b (0 <= b <= 2^dir_bits). */
static inline uint64_t snap_bucket_start(const snap_kind_t *k, uint64_t b)
{
    return (uint64_t)k->dirbase[b >> SNAP_GROUP_BITS] + k->dir[b];
}

/* Entries [*first, *first + count) of kind k whose fingerprint equals that of sortkey; the
 * count is returned. A binary search inside one bucket (a few entries: one or two cache
 * lines). Bucket bounds were checked at open, so this stays inside the mapping. */
#define SNAP_SEARCH(T, f, fpv)                                                                     \
    do {                                                                                           \
        while (lo < hi) {                                                                          \
            uint64_t mid = lo + (hi - lo) / 2;                                                     \
            if (((const T *)(f))[mid] < (T)(fpv))                                                  \
                lo = mid + 1;                                                                      \
            else                                                                                   \
                hi = mid;                                                                          \
        }                                                                                          \
        *first = lo;                                                                               \
        while (lo < end && ((const T *)(f))[lo] == (T)(fpv))                                       \
            lo++;                                                                                  \
    } while (0)

static inline uint64_t snap_find(const snap_kind_t *k, uint64_t sortkey, uint64_t *first)
{
    if (!k->meta.n)
        return 0;
    uint64_t b = snap_bucket(sortkey, k->meta.dir_bits);
    uint64_t lo = snap_bucket_start(k, b), hi = snap_bucket_start(k, b + 1), end = hi;
    uint64_t fp = snap_fp(sortkey, k->meta.dir_bits, k->meta.fp_bits);
    /* The record of a hit lies in the bucket's stretch of the record array: fetch it while
     * the fingerprints are searched, so the two cache misses overlap. */
    __builtin_prefetch(&k->rec[lo]);
    __builtin_prefetch(&k->rec[lo + (hi - lo) / 2]);
    if (k->meta.fp_bits == 64)
        SNAP_SEARCH(uint64_t, k->fp, fp);
    else
        SNAP_SEARCH(uint32_t, k->fp, fp);
    return lo - *first;
}

/* The value of string entry i (bounds were checked at open; the blob is checked here). */
static inline fidx_str_t snap_value(const snap_kind_t *k, uint64_t i)
{
    uint32_t off = k->stroff[i];
    uint16_t len;
    if ((size_t)off + 2 > k->blob_len)
        return fidx_str("", 0);
    memcpy(&len, k->blob + off, 2);
    if ((size_t)off + 2 + len > k->blob_len)
        return fidx_str("", 0);
    return fidx_str(k->blob + off + 2, len);
}

/* Report count of global id gid with packed record rec. */
uint32_t fidx__snapshot_entry_reports(const fidx_snapshot_t *s, uint32_t gid, uint64_t rec);

/* Note of global id gid, or an empty slice. */
fidx_str_t fidx__snapshot_entry_note(const fidx_snapshot_t *s, uint32_t gid);

/* Public label of global id gid, or an empty slice (always, in a version 1 file). */
fidx_str_t fidx__snapshot_entry_label(const fidx_snapshot_t *s, uint32_t gid);

/* Posting list i (CRoaring _safe reader, bounds checked); caller frees. NULL if malformed. */
#include <roaring/roaring.h>
roaring_bitmap_t *fidx__snapshot_entry_posting(const fidx_snapshot_t *s, uint32_t i,
                                               snap_posting_t *meta);
uint32_t fidx__snapshot_entry_posting_count(const fidx_snapshot_t *s);

#endif
