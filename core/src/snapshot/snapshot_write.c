/* Writes a builder's table as a snapshot file: entries sorted into direct-addressed buckets
 * per kind, packed records, value strings, Roaring posting lists, checksummed sections; then
 * published atomically (temporary file, fsync, rename, fsync of the directory). */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <roaring/roaring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "snapshot/builder.h"
#include "fidx/durable.h"
#include "snapshot/snapshot_format.h"

typedef struct {
    snap_section_t hdr;
    void *data;
} out_section_t;

typedef struct {
    out_section_t sec[SNAP_MAX_SECTIONS];
    unsigned n;
} layout_t;

typedef struct {
    uint64_t key;
    uint32_t idx;
} sort_item_t;

static void add_section(layout_t *l, uint32_t type, uint32_t kind, void *data, size_t len)
{
    assert(l->n < SNAP_MAX_SECTIONS);
    out_section_t *s = &l->sec[l->n++];
    memset(s, 0, sizeof *s);
    s->hdr.type = type;
    s->hdr.kind = kind;
    s->hdr.length = len;
    s->data = data;
}

static void layout_free(layout_t *l)
{
    for (unsigned i = 0; i < l->n; i++)
        free(l->sec[i].data);
}

/* LSD radix sort on the 64-bit key, 8 bits a pass: linear time for millions of entries. */
static int radix_sort(sort_item_t *a, size_t n)
{
    sort_item_t *tmp = malloc(n * sizeof *tmp + 1);
    if (!tmp)
        return FIDX_ENOMEM;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((a[i].key >> shift) & 0xFF) + 1]++;
        if (count[((a[0].key >> shift) & 0xFF) + 1] == n)
            continue; /* every key has the same byte here */
        for (unsigned i = 1; i < 257; i++)
            count[i] += count[i - 1];
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i].key >> shift) & 0xFF]++] = a[i];
        memcpy(a, tmp, n * sizeof *a);
    }
    free(tmp);
    return 0;
}

static unsigned ceil_log2(uint64_t x)
{
    unsigned d = 0;
    while (d < 63 && (UINT64_C(1) << d) < x)
        d++;
    return d;
}

static const char *entry_str(const fidx_builder_t *b, const builder_entry_t *e, uint16_t *len)
{
    memcpy(len, b->arena + e->str, 2);
    return b->arena + e->str + 2;
}

static uint64_t entry_sortkey(const fidx_builder_t *b, const builder_entry_t *e)
{
    if (e->kind == FIDX_KIND_PHONE)
        return snap_phone_sortkey(e->ident);
    if (e->kind != FIDX_KIND_BANK_ACCOUNT)
        return e->ident;
    /* Bank entries are found by account digits alone, so that "*:N" finds N at every bank. */
    uint16_t len;
    const char *s = entry_str(b, e, &len);
    const char *colon = memchr(s, ':', len);
    size_t off = colon ? (size_t)(colon - s) + 1 : 0;
    return XXH3_64bits_withSeed(s + off, len - off, FIDX_KIND_BANK_ACCOUNT);
}

/* Global state gathered while the kinds are laid out. */
typedef struct {
    roaring_bitmap_t *post_status[FIDX_STATUS_COUNT];
    roaring_bitmap_t *post_cat[FIDX_CAT_COUNT];
    roaring_bitmap_t *post_source[FIDX_MAX_SNAPSHOT_SOURCES];
    snap_pair_t *reports, *notes, *labels;
    size_t n_reports, cap_reports, n_notes, cap_notes, n_labels, cap_labels;
    char *noteblob;
    size_t noteblob_len;
    uint64_t next_gid;
} globals_t;

static int push_pair(snap_pair_t **v, size_t *n, size_t *cap, uint32_t gid, uint32_t value)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 256;
        snap_pair_t *p = realloc(*v, c * sizeof *p);
        if (!p)
            return FIDX_ENOMEM;
        *v = p;
        *cap = c;
    }
    (*v)[(*n)++] = (snap_pair_t){gid, value};
    return 0;
}

/* Everything about one entry that is not its key: the packed record, posting lists, and the
 * side tables for large report counts, notes and labels. */
static int emit_record(const fidx_builder_t *b, globals_t *g, const builder_entry_t *e,
                       uint32_t gid, uint64_t *rec)
{
    unsigned rep = e->reports >= SNAP_REC_REPORTS_MAX ? SNAP_REC_REPORTS_MAX : e->reports;
    *rec = snap_rec_pack(e->status, e->categories, e->sourceset, rep, e->first_seen, e->last_seen);
    roaring_bitmap_add(g->post_status[e->status], gid);
    for (int c = 0; c < FIDX_CAT_COUNT; c++)
        if (e->categories & (1u << c))
            roaring_bitmap_add(g->post_cat[c], gid);
    for (uint64_t k = b->set_key[e->sourceset]; k; k >>= 8)
        roaring_bitmap_add(g->post_source[(k & 0xFF) - 1], gid);
    int rc = 0;
    if (rep == SNAP_REC_REPORTS_MAX)
        rc = push_pair(&g->reports, &g->n_reports, &g->cap_reports, gid, e->reports);
    if (!rc && e->note) /* notes keep their arena offsets: the arena becomes SEC_NOTEBLOB */
        rc = push_pair(&g->notes, &g->n_notes, &g->cap_notes, gid, e->note - 1);
    if (!rc && e->label) /* likewise labels: their arena becomes SEC_LABELBLOB */
        rc = push_pair(&g->labels, &g->n_labels, &g->cap_labels, gid, e->label - 1);
    return rc;
}

typedef struct {
    uint32_t *starts; /* first entry of each bucket, before the split into dirbase + dir */
    uint32_t *dirbase;
    uint16_t *dir;
    void *fp;
    uint64_t *rec;
    uint32_t *stroff;
    char *blob;
    size_t blob_len;
} kind_out_t;

static int alloc_kind(kind_out_t *o, size_t n, unsigned d, unsigned fp_bits, int strings,
                      size_t blob_len)
{
    memset(o, 0, sizeof *o);
    size_t buckets = (size_t)1 << d;
    o->starts = calloc(buckets + 1, sizeof *o->starts);
    o->dir = calloc(buckets + 1, sizeof *o->dir);
    o->dirbase = calloc((buckets >> SNAP_GROUP_BITS) + 1, sizeof *o->dirbase);
    o->fp = malloc(n * (fp_bits / 8) + 1);
    o->rec = malloc(n * sizeof *o->rec + 1);
    if (strings) {
        o->stroff = malloc(n * sizeof *o->stroff + 1);
        o->blob = malloc(blob_len + 1);
    }
    if (!o->starts || !o->dir || !o->dirbase || !o->fp || !o->rec ||
        (strings && (!o->stroff || !o->blob)))
        return FIDX_ENOMEM;
    return 0;
}

static void free_kind(kind_out_t *o)
{
    free(o->starts);
    free(o->dir);
    free(o->dirbase);
    free(o->fp);
    free(o->rec);
    free(o->stroff);
    free(o->blob);
}

static int fill_kind(const fidx_builder_t *b, globals_t *g, const sort_item_t *items, size_t n,
                     const snap_kind_meta_t *m, kind_out_t *o)
{
    for (size_t i = 0; i < n; i++) {
        const builder_entry_t *e = &b->entries[items[i].idx];
        uint64_t bucket = snap_bucket(items[i].key, m->dir_bits);
        uint64_t fp = snap_fp(items[i].key, m->dir_bits, m->fp_bits);
        o->starts[bucket + 1]++;
        if (m->fp_bits == 64)
            ((uint64_t *)o->fp)[i] = fp;
        else
            ((uint32_t *)o->fp)[i] = (uint32_t)fp;
        if (o->stroff) {
            uint16_t len;
            const char *s = entry_str(b, e, &len);
            o->stroff[i] = (uint32_t)o->blob_len;
            memcpy(o->blob + o->blob_len, &len, 2);
            memcpy(o->blob + o->blob_len + 2, s, len);
            o->blob_len += (size_t)len + 2;
        }
        int rc = emit_record(b, g, e, (uint32_t)(m->base + i), &o->rec[i]);
        if (rc)
            return rc;
    }
    uint64_t buckets = UINT64_C(1) << m->dir_bits;
    for (uint64_t i = 1; i <= buckets; i++)
        o->starts[i] += o->starts[i - 1];
    for (uint64_t bk = 0; bk <= buckets; bk++) { /* offsets fit: see fits_groups */
        if ((bk & ((1u << SNAP_GROUP_BITS) - 1)) == 0)
            o->dirbase[bk >> SNAP_GROUP_BITS] = o->starts[bk];
        o->dir[bk] = (uint16_t)(o->starts[bk] - o->dirbase[bk >> SNAP_GROUP_BITS]);
    }
    free(o->starts);
    o->starts = NULL;
    return 0;
}

/* Bucket count: a few entries per bucket keeps the search inside one or two cache lines.
 * Phone fingerprints hold the 32 bits below the bucket bits, which is exact only when the
 * buckets take at least 51 - 32 = 19 bits; smaller phone sets store the whole key. */
/* Whether every group of buckets holds at most SNAP_GROUP_MAX_ENTRIES (items sorted). */
static int fits_groups(const sort_item_t *items, size_t n, unsigned d)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t g = snap_bucket(items[i].key, d) >> SNAP_GROUP_BITS;
        run = (i && g == (snap_bucket(items[i - 1].key, d) >> SNAP_GROUP_BITS)) ? run + 1 : 1;
        if (run > SNAP_GROUP_MAX_ENTRIES)
            return 0;
    }
    return 1;
}

/* Bucket count: a few entries per bucket keeps the search inside one or two cache lines.
 * Phone fingerprints hold the 32 bits below the bucket bits, which is exact only when the
 * buckets take at least 51 - 32 = 19 bits: sets of 2^18 phones or more get those 19 bits
 * (~4 bytes of directory each at 2^18, ~0.2 at 10M); smaller ones store whole 64-bit keys. */
static void choose_shape(int kind, const sort_item_t *items, uint64_t n, snap_kind_meta_t *m)
{
    unsigned d = ceil_log2((n + 3) / 4);
    m->fp_bits = 32;
    if (kind == FIDX_KIND_PHONE) {
        d = ceil_log2((n + 7) / 8);
        if (n >= (UINT64_C(1) << 18) && d < SNAP_PHONE_BITS - 32)
            d = SNAP_PHONE_BITS - 32;
        if (d < SNAP_PHONE_BITS - 32)
            m->fp_bits = 64;
    }
    while (d < SNAP_MAX_DIR_BITS && !fits_groups(items, n, d))
        d++;
    m->dir_bits = d;
}

static int gather(const fidx_builder_t *b, int kind, sort_item_t **out, size_t *n_out,
                  size_t *blob_len)
{
    size_t n = 0;
    *blob_len = 0;
    sort_item_t *items = malloc((b->n_live + 1) * sizeof *items);
    if (!items)
        return FIDX_ENOMEM;
    for (size_t i = 0; i < b->n_entries; i++) {
        const builder_entry_t *e = &b->entries[i];
        if (e->kind != kind || e->removed)
            continue;
        items[n].key = entry_sortkey(b, e);
        items[n].idx = (uint32_t)i;
        n++;
        if (kind != FIDX_KIND_PHONE) {
            uint16_t len;
            entry_str(b, e, &len);
            *blob_len += (size_t)len + 2;
        }
    }
    *out = items;
    *n_out = n;
    if (*blob_len > UINT32_MAX)
        return FIDX_ELIMIT;
    return n ? radix_sort(items, n) : 0;
}

static int layout_kind(const fidx_builder_t *b, globals_t *g, layout_t *l, int kind)
{
    sort_item_t *items = NULL;
    size_t n, blob_len;
    kind_out_t o;
    memset(&o, 0, sizeof o);
    int rc = gather(b, kind, &items, &n, &blob_len);
    snap_kind_meta_t *m = calloc(1, sizeof *m);
    if (!rc && !m)
        rc = FIDX_ENOMEM;
    if (rc)
        goto fail;
    m->n = n;
    m->base = g->next_gid;
    choose_shape(kind, items, n, m);
    if (!fits_groups(items, n, m->dir_bits)) {
        rc = FIDX_ELIMIT;
        goto fail;
    }
    int strings = kind != FIDX_KIND_PHONE;
    if ((rc = alloc_kind(&o, n, m->dir_bits, m->fp_bits, strings, blob_len)) != 0 ||
        (rc = fill_kind(b, g, items, n, m, &o)) != 0)
        goto fail;
    g->next_gid += n;
    /* The layout has room for every section (6 kinds x 7 + 7 global < SNAP_MAX_SECTIONS). */
    size_t fp_len = n * (m->fp_bits / 8);
    add_section(l, SEC_KIND_META, (uint32_t)kind, m, sizeof *m);
    size_t buckets = (size_t)1 << m->dir_bits;
    add_section(l, SEC_DIRBASE, (uint32_t)kind, o.dirbase,
                ((buckets >> SNAP_GROUP_BITS) + 1) * sizeof(uint32_t));
    add_section(l, SEC_DIR, (uint32_t)kind, o.dir, (buckets + 1) * sizeof(uint16_t));
    add_section(l, SEC_FP, (uint32_t)kind, o.fp, fp_len);
    add_section(l, SEC_REC, (uint32_t)kind, o.rec, n * sizeof(uint64_t));
    if (strings) {
        add_section(l, SEC_STROFF, (uint32_t)kind, o.stroff, n * sizeof(uint32_t));
        add_section(l, SEC_STRBLOB, (uint32_t)kind, o.blob, o.blob_len);
    } else {
        free(o.stroff);
        free(o.blob);
    }
    free(items);
    return 0;
fail:
    free(items);
    free(m);
    free_kind(&o);
    return rc;
}

static void *copy_bytes(const void *p, size_t n)
{
    void *q = malloc(n + 1);
    if (q && n)
        memcpy(q, p, n);
    return q;
}

static int layout_sources(const fidx_builder_t *b, layout_t *l)
{
    size_t cap = 4 + (size_t)b->n_sources * (FIDX_MAX_SOURCE_LEN + 1);
    size_t cap2 = 4 + (size_t)b->n_sets * (FIDX_MAX_SOURCES + 1);
    unsigned char *p = malloc(cap), *q = malloc(cap2);
    if (!p || !q) {
        free(p);
        free(q);
        return FIDX_ENOMEM;
    }
    size_t n = 4, m = 4;
    memcpy(p, &b->n_sources, 4);
    for (unsigned i = 0; i < b->n_sources; i++) {
        size_t len = strlen(b->source[i]);
        p[n++] = (unsigned char)len;
        memcpy(p + n, b->source[i], len);
        n += len;
    }
    memcpy(q, &b->n_sets, 4);
    for (unsigned i = 0; i < b->n_sets; i++) {
        size_t at = m++;
        q[at] = 0;
        for (uint64_t k = b->set_key[i]; k; k >>= 8, q[at]++)
            q[m++] = (unsigned char)((k & 0xFF) - 1);
    }
    add_section(l, SEC_SOURCES, 0, p, n);
    add_section(l, SEC_SOURCESETS, 0, q, m);
    return 0;
}

static int layout_postings(globals_t *g, unsigned n_sources, layout_t *l)
{
    roaring_bitmap_t *all[FIDX_STATUS_COUNT + FIDX_CAT_COUNT + FIDX_MAX_SNAPSHOT_SOURCES];
    snap_posting_t tab[FIDX_STATUS_COUNT + FIDX_CAT_COUNT + FIDX_MAX_SNAPSHOT_SOURCES];
    uint32_t count = 0;
    for (unsigned i = 0; i < FIDX_STATUS_COUNT; i++)
        tab[count] = (snap_posting_t){POST_STATUS, i, 0, 0}, all[count++] = g->post_status[i];
    for (unsigned i = 0; i < FIDX_CAT_COUNT; i++)
        tab[count] = (snap_posting_t){POST_CATEGORY, i, 0, 0}, all[count++] = g->post_cat[i];
    for (unsigned i = 0; i < n_sources; i++)
        tab[count] = (snap_posting_t){POST_SOURCE, i, 0, 0}, all[count++] = g->post_source[i];
    size_t off = 8 + count * sizeof(snap_posting_t);
    for (uint32_t i = 0; i < count; i++) {
        roaring_bitmap_run_optimize(all[i]);
        tab[i].offset = off;
        tab[i].length = roaring_bitmap_portable_size_in_bytes(all[i]);
        off += tab[i].length;
    }
    char *p = calloc(1, off);
    if (!p)
        return FIDX_ENOMEM;
    memcpy(p, &count, 4);
    memcpy(p + 8, tab, count * sizeof(snap_posting_t));
    for (uint32_t i = 0; i < count; i++)
        roaring_bitmap_portable_serialize(all[i], p + tab[i].offset);
    add_section(l, SEC_POSTINGS, 0, p, off);
    return 0;
}

static int globals_init(globals_t *g, unsigned n_sources)
{
    memset(g, 0, sizeof *g);
    for (unsigned i = 0; i < FIDX_STATUS_COUNT; i++)
        if (!(g->post_status[i] = roaring_bitmap_create()))
            return FIDX_ENOMEM;
    for (unsigned i = 0; i < FIDX_CAT_COUNT; i++)
        if (!(g->post_cat[i] = roaring_bitmap_create()))
            return FIDX_ENOMEM;
    for (unsigned i = 0; i < n_sources; i++)
        if (!(g->post_source[i] = roaring_bitmap_create()))
            return FIDX_ENOMEM;
    return 0;
}

static void globals_dispose(globals_t *g)
{
    for (unsigned i = 0; i < FIDX_STATUS_COUNT; i++)
        roaring_bitmap_free(g->post_status[i]);
    for (unsigned i = 0; i < FIDX_CAT_COUNT; i++)
        roaring_bitmap_free(g->post_cat[i]);
    for (unsigned i = 0; i < FIDX_MAX_SNAPSHOT_SOURCES; i++)
        if (g->post_source[i])
            roaring_bitmap_free(g->post_source[i]);
    free(g->reports);
    free(g->notes);
    free(g->labels);
}

static int build_layout(const fidx_builder_t *b, layout_t *l)
{
    globals_t g;
    int rc = globals_init(&g, b->n_sources);
    for (int k = 0; !rc && k < FIDX_KIND_COUNT; k++)
        rc = layout_kind(b, &g, l, k);
    if (!rc)
        rc = layout_sources(b, l);
    if (!rc) {
        add_section(l, SEC_REPORTS, 0, copy_bytes(g.reports, g.n_reports * sizeof(snap_pair_t)),
                    g.n_reports * sizeof(snap_pair_t));
        add_section(l, SEC_NOTES, 0, copy_bytes(g.notes, g.n_notes * sizeof(snap_pair_t)),
                    g.n_notes * sizeof(snap_pair_t));
        add_section(l, SEC_NOTEBLOB, 0, copy_bytes(b->notes, b->notes_len), b->notes_len);
        add_section(l, SEC_LABELS, 0, copy_bytes(g.labels, g.n_labels * sizeof(snap_pair_t)),
                    g.n_labels * sizeof(snap_pair_t));
        add_section(l, SEC_LABELBLOB, 0, copy_bytes(b->labels, b->labels_len), b->labels_len);
        for (unsigned i = l->n - 5; i < l->n; i++)
            if (!l->sec[i].data)
                rc = FIDX_ENOMEM;
    }
    if (!rc)
        rc = layout_postings(&g, b->n_sources, l);
    globals_dispose(&g);
    return rc;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return FIDX_EIO;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static size_t align_up(size_t x)
{
    return (x + SNAP_ALIGN - 1) & ~(size_t)(SNAP_ALIGN - 1);
}

/* Places the sections, fills the header and writes everything to fd. */
static int write_layout(int fd, layout_t *l, int64_t build_time)
{
    static const char zeros[SNAP_ALIGN];
    size_t table = sizeof(snap_header_t) + l->n * sizeof(snap_section_t);
    size_t off = align_up(table);
    for (unsigned i = 0; i < l->n; i++) {
        l->sec[i].hdr.offset = off;
        l->sec[i].hdr.hash = XXH3_64bits(l->sec[i].data, l->sec[i].hdr.length);
        off = align_up(off + l->sec[i].hdr.length);
    }
    char *head = calloc(1, table);
    if (!head)
        return FIDX_ENOMEM;
    snap_header_t h = {.version = FIDX_SNAPSHOT_VERSION,
                       .n_sections = l->n,
                       .build_time = build_time,
                       .file_size = off};
    memcpy(h.magic, SNAP_MAGIC, 8);
    memcpy(head, &h, sizeof h);
    for (unsigned i = 0; i < l->n; i++)
        memcpy(head + sizeof h + i * sizeof(snap_section_t), &l->sec[i].hdr,
               sizeof(snap_section_t));
    h.header_hash = XXH3_64bits(head, table);
    memcpy(head, &h, sizeof h);
    int rc = write_all(fd, head, table);
    free(head);
    size_t pos = table;
    for (unsigned i = 0; !rc && i < l->n; i++) {
        rc = write_all(fd, zeros, l->sec[i].hdr.offset - pos);
        if (!rc)
            rc = write_all(fd, l->sec[i].data, l->sec[i].hdr.length);
        pos = l->sec[i].hdr.offset + l->sec[i].hdr.length;
    }
    return rc ? rc : write_all(fd, zeros, off - pos);
}

/* The directory holding path, fsynced: the rename into it must survive a crash too. */
static int fsync_dir_of(const char *path)
{
    char buf[PATH_MAX];
    if (strlen(path) >= sizeof buf)
        return FIDX_EIO;
    strcpy(buf, path);
    return fidx_fsync_dir(dirname(buf)) == 0 ? 0 : FIDX_EIO;
}

int fidx_builder_write(fidx_builder_t *b, const char *path, int64_t build_time, fidx_err_t *err)
{
    return fidx_builder_write_mode(b, path, build_time, 0644, err);
}

int fidx_builder_write_mode(fidx_builder_t *b, const char *path, int64_t build_time, unsigned mode,
                            fidx_err_t *err)
{
    layout_t l;
    char tmp[PATH_MAX];
    l.n = 0;
    if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp)
        return fidx_err_set(err, FIDX_EINVAL, 0, "output path too long");
    int rc = build_layout(b, &l);
    if (rc) {
        layout_free(&l);
        return fidx_err_set(err, rc, 0,
                            rc == FIDX_ELIMIT ? "snapshot limit reached" : "out of memory");
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        layout_free(&l);
        return fidx_err_set(err, FIDX_EIO, 0,
                            "cannot create the temporary file next to the output");
    }
    const char *why = "cannot write the snapshot (disk full?)";
    rc = write_layout(fd, &l, build_time);
    layout_free(&l);
    if (!rc && (fchmod(fd, (mode_t)(mode & 0777)) != 0 || fsync(fd) != 0))
        rc = FIDX_EIO, why = "cannot sync the snapshot to disk";
    if (close(fd) != 0 && !rc)
        rc = FIDX_EIO, why = "cannot close the snapshot file";
    if (!rc && rename(tmp, path) != 0)
        rc = FIDX_EIO, why = "cannot rename the temporary file over the output";
    if (rc) {
        unlink(tmp);
        return fidx_err_set(err, rc, 0, why);
    }
    if (fsync_dir_of(path) != 0)
        return fidx_err_set(err, FIDX_EIO, 0, "cannot sync the output directory");
    return 0;
}
