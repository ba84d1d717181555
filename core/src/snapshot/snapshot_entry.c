/* Reading entries back out of a snapshot: the side tables (large report counts, notes), whole
 * entries for listing and compaction, and the summary that `info` and /v1/info show. */
#include <roaring/roaring.h>
#include <stdlib.h>
#include <string.h>

#include "fidx/phone.h"
#include "snapshot/snapshot_internal.h"

/* Value of gid in a table sorted by gid, or NULL. */
static const snap_pair_t *pair_find(const snap_pair_t *v, size_t n, uint32_t gid)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].gid < gid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < n && v[lo].gid == gid) ? &v[lo] : NULL;
}

uint32_t fidx__snapshot_entry_reports(const fidx_snapshot_t *s, uint32_t gid, uint64_t rec)
{
    unsigned r = SNAP_REC_REPORTS(rec);
    if (r != SNAP_REC_REPORTS_MAX)
        return r;
    const snap_pair_t *p = pair_find(s->reports, s->n_reports, gid);
    return p ? p->value : r;
}

/* The string gid's pair points to in blob (uint16_t length then bytes), or an empty slice. */
static fidx_str_t blob_string(const snap_pair_t *v, size_t n, uint32_t gid, const char *blob,
                              size_t blob_len)
{
    const snap_pair_t *p = pair_find(v, n, gid);
    uint16_t len;
    if (!p || (size_t)p->value + 2 > blob_len)
        return fidx_str("", 0);
    memcpy(&len, blob + p->value, 2);
    if ((size_t)p->value + 2 + len > blob_len)
        return fidx_str("", 0);
    return fidx_str(blob + p->value + 2, len);
}

fidx_str_t fidx__snapshot_entry_note(const fidx_snapshot_t *s, uint32_t gid)
{
    return blob_string(s->notes, s->n_notes, gid, s->noteblob, s->noteblob_len);
}

fidx_str_t fidx__snapshot_entry_label(const fidx_snapshot_t *s, uint32_t gid)
{
    if (!s->n_labels) /* a version 1 file, or none labelled: no search */
        return fidx_str("", 0);
    return blob_string(s->labels, s->n_labels, gid, s->labelblob, s->labelblob_len);
}

/* Inverse of snap_phone_mix: xor-shifts undone by iteration, multiplies by the inverse of the
 * odd constant (Newton's iteration gives it modulo 2^64, hence modulo 2^51). */
static uint64_t unshift(uint64_t x, unsigned s)
{
    uint64_t y = x;
    for (unsigned i = 0; i * s < SNAP_PHONE_BITS; i++)
        y = x ^ (y >> s);
    return y & SNAP_PHONE_MASK;
}

static uint64_t inverse(uint64_t m)
{
    uint64_t x = m;
    for (int i = 0; i < 6; i++)
        x *= 2 - m * x;
    return x;
}

uint64_t fidx__snapshot_entry_phone_unmix(uint64_t x)
{
    x = unshift(x, 26);
    x = (x * inverse(SNAP_MIX_M2)) & SNAP_PHONE_MASK;
    x = unshift(x, 25);
    x = (x * inverse(SNAP_MIX_M1)) & SNAP_PHONE_MASK;
    return unshift(x, 26);
}

/* The phone key of entry i, rebuilt from its bucket and fingerprint. */
static uint64_t phone_key_at(const snap_kind_t *k, uint64_t i)
{
    uint64_t sortkey;
    if (k->meta.fp_bits == 64) {
        sortkey = ((const uint64_t *)k->fp)[i];
    } else {
        uint64_t lo = 0, hi = (uint64_t)1 << k->meta.dir_bits; /* start(b) <= i < start(b+1) */
        while (hi - lo > 1) {
            uint64_t mid = lo + (hi - lo) / 2;
            if (snap_bucket_start(k, mid) <= i)
                lo = mid;
            else
                hi = mid;
        }
        unsigned d = k->meta.dir_bits;
        sortkey = (lo << (64 - d)) | ((uint64_t)((const uint32_t *)k->fp)[i] << (32 - d));
    }
    return fidx__snapshot_entry_phone_unmix(sortkey >> (64 - SNAP_PHONE_BITS));
}

static void fill_sources(const fidx_snapshot_t *s, uint64_t rec, fidx_indicator_t *out)
{
    unsigned set = SNAP_REC_SOURCESET(rec);
    out->n_sources = 0;
    if (set >= s->n_sets)
        return;
    for (unsigned j = 0; j < s->set_n[set]; j++) {
        fidx_str_t name = s->source[s->set_ids[set][j]];
        size_t n = name.len > FIDX_MAX_SOURCE_LEN ? FIDX_MAX_SOURCE_LEN : name.len;
        memcpy(out->sources[out->n_sources], name.p, n);
        out->sources[out->n_sources++][n] = '\0';
    }
}

int fidx_snapshot_entry(const fidx_snapshot_t *s, fidx_kind_t kind, uint64_t i,
                        fidx_indicator_t *out)
{
    if (kind < 0 || kind >= FIDX_KIND_COUNT || i >= s->kind[kind].meta.n)
        return FIDX_ENOTFOUND;
    const snap_kind_t *k = &s->kind[kind];
    uint64_t rec = k->rec[i];
    uint32_t gid = (uint32_t)(k->meta.base + i);
    out->kind = kind;
    out->status = (fidx_status_t)SNAP_REC_STATUS(rec);
    out->categories = SNAP_REC_CATEGORIES(rec);
    out->reports = fidx__snapshot_entry_reports(s, gid, rec);
    out->first_seen = SNAP_REC_FIRST(rec);
    out->last_seen = SNAP_REC_LAST(rec);
    fill_sources(s, rec, out);
    fidx_str_t note = fidx__snapshot_entry_note(s, gid);
    out->note_len = note.len > FIDX_MAX_NOTE_LEN ? FIDX_MAX_NOTE_LEN : note.len;
    memcpy(out->note, note.p, out->note_len);
    out->note[out->note_len] = '\0';
    fidx_str_t label = fidx__snapshot_entry_label(s, gid);
    out->label_len = label.len > FIDX_MAX_LABEL_LEN ? FIDX_MAX_LABEL_LEN : label.len;
    memcpy(out->label, label.p, out->label_len);
    out->label[out->label_len] = '\0';
    if (kind == FIDX_KIND_PHONE)
        return fidx_phone_from_key(phone_key_at(k, i), out->value, sizeof out->value,
                                   &out->value_len);
    fidx_str_t v = snap_value(k, i);
    if (v.len >= sizeof out->value)
        return FIDX_ECORRUPT;
    memcpy(out->value, v.p, v.len);
    out->value[v.len] = '\0';
    out->value_len = v.len;
    return 0;
}

int fidx_snapshot_entry_value(const fidx_snapshot_t *s, fidx_kind_t kind, uint64_t i,
                              fidx_status_t *status, fidx_str_t *value)
{
    if (kind < 0 || kind >= FIDX_KIND_COUNT || kind == FIDX_KIND_PHONE || i >= s->kind[kind].meta.n)
        return FIDX_ENOTFOUND;
    *status = (fidx_status_t)SNAP_REC_STATUS(s->kind[kind].rec[i]);
    *value = snap_value(&s->kind[kind], i);
    return 0;
}

fidx_str_t fidx_snapshot_entry_label(const fidx_snapshot_t *s, fidx_kind_t kind, uint64_t i)
{
    if (kind < 0 || kind >= FIDX_KIND_COUNT || i >= s->kind[kind].meta.n)
        return fidx_str("", 0);
    return fidx__snapshot_entry_label(s, (uint32_t)(s->kind[kind].meta.base + i));
}

/* Posting list i of the table: bounds checked, read with CRoaring's _safe reader. Caller owns
 * the bitmap (roaring_bitmap_free); NULL when malformed. */
roaring_bitmap_t *fidx__snapshot_entry_posting(const fidx_snapshot_t *s, uint32_t i,
                                               snap_posting_t *meta)
{
    uint32_t count;
    memcpy(&count, s->postings, 4);
    if (i >= count || count > (s->postings_len - 8) / sizeof *meta)
        return NULL;
    memcpy(meta, s->postings + 8 + i * sizeof *meta, sizeof *meta);
    if (meta->offset > s->postings_len || meta->length > s->postings_len - meta->offset)
        return NULL;
    roaring_bitmap_t *r =
        roaring_bitmap_portable_deserialize_safe(s->postings + meta->offset, meta->length);
    if (r && roaring_bitmap_portable_size_in_bytes(r) != meta->length) {
        roaring_bitmap_free(r);
        return NULL;
    }
    return r;
}

uint32_t fidx__snapshot_entry_posting_count(const fidx_snapshot_t *s)
{
    uint32_t count;
    memcpy(&count, s->postings, 4);
    return count;
}

int fidx_snapshot_info(const fidx_snapshot_t *s, fidx_snapshot_info_t *info, fidx_err_t *err)
{
    memset(info, 0, sizeof *info);
    info->version = s->hdr->version;
    info->build_time = s->hdr->build_time;
    info->file_size = s->size;
    for (int k = 0; k < FIDX_KIND_COUNT; k++) {
        info->by_kind[k] = s->kind[k].meta.n;
        info->total += s->kind[k].meta.n;
    }
    info->n_sources = s->n_sources;
    for (unsigned i = 0; i < s->n_sources; i++)
        info->source_name[i] = s->source[i];
    uint32_t count = fidx__snapshot_entry_posting_count(s);
    for (uint32_t i = 0; i < count; i++) {
        snap_posting_t m;
        roaring_bitmap_t *r = fidx__snapshot_entry_posting(s, i, &m);
        if (!r)
            return fidx_err_set(err, FIDX_ECORRUPT, i, "malformed posting list");
        uint64_t c = roaring_bitmap_get_cardinality(r);
        roaring_bitmap_free(r);
        if (m.type == POST_STATUS && m.index < FIDX_STATUS_COUNT)
            info->by_status[m.index] = c;
        else if (m.type == POST_CATEGORY && m.index < FIDX_CAT_COUNT)
            info->by_category[m.index] = c;
        else if (m.type == POST_SOURCE && m.index < s->n_sources)
            info->by_source[m.index] = c;
    }
    return 0;
}
