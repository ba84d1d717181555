/* Opening a snapshot: map the file, check the header, every section's bounds and checksum,
 * and the index structure, so that lookups on an accepted file can never leave the mapping.
 * A file that fails any check is refused with the reason. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "fidx/file.h"
#include "snapshot/snapshot_internal.h"

static int corrupt(fidx_err_t *err, size_t off, const char *why)
{
    return fidx_err_set(err, FIDX_ECORRUPT, off, why);
}

static int check_header(fidx_snapshot_t *s, fidx_err_t *err)
{
    snap_header_t h;
    if (s->size < sizeof h)
        return corrupt(err, 0, "file too short to be a snapshot");
    memcpy(&h, s->base, sizeof h);
    if (memcmp(h.magic, SNAP_MAGIC, 8) != 0)
        return corrupt(err, 0, "not a fraudidx snapshot (bad magic)");
    if (h.version < SNAP_VERSION_MIN || h.version > FIDX_SNAPSHOT_VERSION)
        return fidx_err_set(err, FIDX_EVERSION, 8, "unsupported snapshot format version");
    if (h.file_size != s->size)
        return corrupt(err, 24, "file size differs from the header (truncated or extended)");
    if (h.n_sections > SNAP_MAX_SECTIONS)
        return corrupt(err, 12, "too many sections");
    size_t table = sizeof h + h.n_sections * sizeof(snap_section_t);
    if (table > s->size)
        return corrupt(err, sizeof h, "section table beyond the end of the file");
    /* The header hash covers header and table with the hash field read as zero. */
    char copy[sizeof(snap_header_t) + SNAP_MAX_SECTIONS * sizeof(snap_section_t)];
    memcpy(copy, s->base, table);
    memset(copy + offsetof(snap_header_t, header_hash), 0, sizeof h.header_hash);
    if (XXH3_64bits(copy, table) != h.header_hash)
        return corrupt(err, offsetof(snap_header_t, header_hash), "header checksum mismatch");
    s->hdr = (const snap_header_t *)s->base;
    s->sec = (const snap_section_t *)(s->base + sizeof h);
    return 0;
}

/* The padding between sections carries no checksum, so it must be zero: then every byte of
 * the file is checked and a single flipped byte anywhere is caught. */
static int check_gap(const fidx_snapshot_t *s, size_t from, size_t to, fidx_err_t *err)
{
    if (from > to || to - from >= SNAP_ALIGN)
        return corrupt(err, from, "sections overlap or are out of order");
    for (size_t i = from; i < to; i++)
        if (s->base[i])
            return corrupt(err, i, "padding between sections is not zero (the file is damaged)");
    return 0;
}

static int check_sections(const fidx_snapshot_t *s, fidx_err_t *err)
{
    size_t end = sizeof(snap_header_t) + s->hdr->n_sections * sizeof(snap_section_t);
    for (uint32_t i = 0; i < s->hdr->n_sections; i++) {
        const snap_section_t *x = &s->sec[i];
        if (x->type == 0 || x->type >= SEC_TYPE_MAX || x->kind >= FIDX_KIND_COUNT)
            return corrupt(err, i, "unknown section type");
        if (x->offset % SNAP_ALIGN || x->offset > s->size || x->length > s->size - x->offset)
            return corrupt(err, x->offset, "section outside the file");
        if (XXH3_64bits(s->base + x->offset, x->length) != x->hash)
            return corrupt(err, x->offset, "section checksum mismatch (the file is damaged)");
        if (check_gap(s, end, x->offset, err) != 0)
            return FIDX_ECORRUPT;
        end = x->offset + x->length;
    }
    return check_gap(s, end, s->size, err);
}

static const snap_section_t *find_section(const fidx_snapshot_t *s, uint32_t type, uint32_t kind)
{
    for (uint32_t i = 0; i < s->hdr->n_sections; i++)
        if (s->sec[i].type == type && s->sec[i].kind == kind)
            return &s->sec[i];
    return NULL;
}

/* A required section of exactly len bytes (len == SIZE_MAX: any length). */
static const char *section(const fidx_snapshot_t *s, uint32_t type, uint32_t kind, size_t len,
                           size_t *got)
{
    const snap_section_t *x = find_section(s, type, kind);
    if (got)
        *got = 0;
    if (!x || (len != SIZE_MAX && x->length != len))
        return NULL;
    if (got)
        *got = x->length;
    return s->base + x->offset;
}

static int load_kind(fidx_snapshot_t *s, int kind, uint64_t base, fidx_err_t *err)
{
    snap_kind_t *k = &s->kind[kind];
    const char *m = section(s, SEC_KIND_META, (uint32_t)kind, sizeof k->meta, NULL);
    if (!m)
        return corrupt(err, 0, "missing or malformed kind header section");
    memcpy(&k->meta, m, sizeof k->meta);
    uint64_t n = k->meta.n;
    unsigned d = k->meta.dir_bits, fpb = k->meta.fp_bits;
    int phone = kind == FIDX_KIND_PHONE;
    if (n > UINT32_MAX || k->meta.base != base || d > SNAP_MAX_DIR_BITS ||
        (fpb != 32 && fpb != 64) || (!phone && fpb != 32) ||
        (phone && fpb == 32 && d < SNAP_PHONE_BITS - 32))
        return corrupt(err, 0, "kind header has impossible values");
    size_t buckets = (size_t)1 << d;
    k->dir = (const uint16_t *)section(s, SEC_DIR, (uint32_t)kind, (buckets + 1) * 2, NULL);
    k->dirbase = (const uint32_t *)section(s, SEC_DIRBASE, (uint32_t)kind,
                                           ((buckets >> SNAP_GROUP_BITS) + 1) * 4, NULL);
    k->fp = section(s, SEC_FP, (uint32_t)kind, n * (fpb / 8), NULL);
    k->rec = (const uint64_t *)section(s, SEC_REC, (uint32_t)kind, n * 8, NULL);
    if (!k->dir || !k->dirbase || !k->fp || !k->rec)
        return corrupt(err, 0, "index section missing or of the wrong size");
    if (!phone) {
        k->stroff = (const uint32_t *)section(s, SEC_STROFF, (uint32_t)kind, n * 4, NULL);
        k->blob = section(s, SEC_STRBLOB, (uint32_t)kind, SIZE_MAX, &k->blob_len);
        if (!k->stroff || !k->blob)
            return corrupt(err, 0, "value section missing or of the wrong size");
    }
    if (snap_bucket_start(k, 0) != 0 || snap_bucket_start(k, buckets) != n)
        return corrupt(err, 0, "bucket directory does not cover the entries");
    for (size_t i = 0; i < buckets; i++)
        if (snap_bucket_start(k, i) > snap_bucket_start(k, i + 1))
            return corrupt(err, i, "bucket directory is not in order");
    return 0;
}

static int load_sources(fidx_snapshot_t *s, fidx_err_t *err)
{
    size_t len, pos = 4;
    const unsigned char *p = (const unsigned char *)section(s, SEC_SOURCES, 0, SIZE_MAX, &len);
    if (!p || len < 4)
        return corrupt(err, 0, "missing sources section");
    memcpy(&s->n_sources, p, 4);
    if (s->n_sources > FIDX_MAX_SNAPSHOT_SOURCES)
        return corrupt(err, 0, "too many sources");
    for (unsigned i = 0; i < s->n_sources; i++) {
        if (pos >= len || p[pos] > len - pos - 1)
            return corrupt(err, pos, "source name beyond its section");
        s->source[i] = fidx_str((const char *)p + pos + 1, p[pos]);
        pos += 1u + p[pos];
    }
    p = (const unsigned char *)section(s, SEC_SOURCESETS, 0, SIZE_MAX, &len);
    if (!p || len < 4)
        return corrupt(err, 0, "missing source sets section");
    memcpy(&s->n_sets, p, 4);
    if (s->n_sets > FIDX_MAX_SNAPSHOT_SOURCE_SETS)
        return corrupt(err, 0, "too many source sets");
    pos = 4;
    for (unsigned i = 0; i < s->n_sets; i++) {
        if (pos >= len || p[pos] > FIDX_MAX_SOURCES || p[pos] > len - pos - 1)
            return corrupt(err, pos, "source set beyond its section");
        s->set_n[i] = p[pos];
        for (unsigned j = 0; j < p[pos]; j++) {
            if (p[pos + 1 + j] >= s->n_sources)
                return corrupt(err, pos, "source set names an unknown source");
            s->set_ids[i][j] = p[pos + 1 + j];
        }
        pos += 1u + p[pos];
    }
    return 0;
}

/* Version 2's public labels; a version 1 file has none (and may not carry the sections). */
static int load_labels(fidx_snapshot_t *s, fidx_err_t *err)
{
    size_t len;
    int has = find_section(s, SEC_LABELS, 0) || find_section(s, SEC_LABELBLOB, 0);
    if (s->hdr->version < 2)
        return has ? corrupt(err, 0, "label sections in a version 1 snapshot") : 0;
    s->labels = (const snap_pair_t *)section(s, SEC_LABELS, 0, SIZE_MAX, &len);
    s->n_labels = len / sizeof(snap_pair_t);
    s->labelblob = section(s, SEC_LABELBLOB, 0, SIZE_MAX, &s->labelblob_len);
    if (!s->labels || len % sizeof(snap_pair_t) || !s->labelblob)
        return corrupt(err, 0, "missing or malformed labels section");
    return 0;
}

static int load_tables(fidx_snapshot_t *s, fidx_err_t *err)
{
    size_t len;
    s->reports = (const snap_pair_t *)section(s, SEC_REPORTS, 0, SIZE_MAX, &len);
    s->n_reports = len / sizeof(snap_pair_t);
    if (!s->reports || len % sizeof(snap_pair_t))
        return corrupt(err, 0, "malformed reports section");
    s->notes = (const snap_pair_t *)section(s, SEC_NOTES, 0, SIZE_MAX, &len);
    s->n_notes = len / sizeof(snap_pair_t);
    if (!s->notes || len % sizeof(snap_pair_t))
        return corrupt(err, 0, "malformed notes section");
    s->noteblob = section(s, SEC_NOTEBLOB, 0, SIZE_MAX, &s->noteblob_len);
    s->postings = section(s, SEC_POSTINGS, 0, SIZE_MAX, &s->postings_len);
    if (!s->noteblob || !s->postings || s->postings_len < 8)
        return corrupt(err, 0, "missing notes or posting lists");
    return load_labels(s, err);
}

static int read_all(int fd, char *p, size_t len, fidx_err_t *err)
{
    for (size_t got = 0; got < len;) {
        ssize_t n = pread(fd, p + got, len - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fidx_err_set(err, FIDX_EIO, got, "cannot read the file");
        if (n == 0)
            return corrupt(err, got, "the file shrank while it was read (being written over?)");
        got += (size_t)n;
    }
    return 0;
}

/* What is checked before anything is mapped, allocated or read past the header: the magic,
 * the version and the size the header states against the file's. A file that is not a
 * snapshot of exactly its size (a 20 GB sparse file of zeros, a half-written copy) costs one
 * small read. A copy must also fit in half the machine's memory: a reload holds the old copy
 * and the new one at once. */
static int check_before_reading(int fd, size_t size, int mode, fidx_err_t *err)
{
    snap_header_t h;
    if (size < sizeof h)
        return corrupt(err, 0, "file too short to be a snapshot");
    int rc = read_all(fd, (char *)&h, sizeof h, err);
    if (rc)
        return rc;
    if (memcmp(h.magic, SNAP_MAGIC, 8) != 0)
        return corrupt(err, 0, "not a fraudidx snapshot (bad magic)");
    if (h.version < SNAP_VERSION_MIN || h.version > FIDX_SNAPSHOT_VERSION)
        return fidx_err_set(err, FIDX_EVERSION, 8, "unsupported snapshot format version");
    if (h.file_size != size)
        return corrupt(err, 24, "file size differs from the header (truncated or extended)");
    if (size > FIDX_SNAPSHOT_MAX_BYTES)
        return fidx_err_set(err, FIDX_ELIMIT, 24, "larger than the largest snapshot (64 GiB)");
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (mode != FIDX_OPEN_LAZY && pages > 0 && page > 0 &&
        size > (uint64_t)pages * (uint64_t)page / 2)
        return fidx_err_set(err, FIDX_ELIMIT, 24,
                            "larger than half of this machine's memory (a reload holds two "
                            "copies)");
    return 0;
}

/* Copies the whole file into private anonymous memory. The service serves from this copy,
 * never from a mapping of the file: a mapping of a file that someone truncates faults
 * (SIGBUS) at the next lookup, and bytes written over it in place show through, even with
 * MAP_PRIVATE (only pages this process wrote are its own). The copy is what open then
 * validates, so a file changed while it was read is refused by its checksums. huge: advise
 * transparent huge pages (fewer TLB misses on a large snapshot, see bench/RESULTS.md). */
static int read_copy(int fd, fidx_snapshot_t *s, int huge_pages, fidx_err_t *err)
{
    size_t huge = (size_t)2 << 20, extra = huge_pages ? huge : 0;
    s->map_len = huge_pages ? (s->size + huge - 1) & ~(huge - 1) : s->size;
    char *raw =
        mmap(NULL, s->map_len + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return fidx_err_set(err, FIDX_ENOMEM, 0, "cannot allocate memory for the snapshot");
    char *p = raw;
    if (huge_pages) {
        /* Huge pages need 2 MiB alignment: map one more and trim both ends. */
        p = (char *)(((uintptr_t)raw + huge - 1) & ~(uintptr_t)(huge - 1));
        if (p > raw)
            munmap(raw, (size_t)(p - raw));
        munmap(p + s->map_len, (size_t)(raw + huge - p));
        madvise(p, s->map_len, MADV_HUGEPAGE);
    }
    int rc = read_all(fd, p, s->size, err);
    if (rc) {
        munmap(p, s->map_len);
        return rc;
    }
    mprotect(p, s->map_len, PROT_READ);
    s->base = p;
    return 0;
}

static int map_file(const char *path, int mode, fidx_snapshot_t *s, fidx_err_t *err)
{
    struct stat st;
    int fd = fidx_file_open_regular(path, 0, &st);
    if (fd == FIDX_FILE_NOT_REGULAR)
        return corrupt(err, 0, "not a regular file");
    if (fd < 0)
        return fidx_err_set(err, errno == ENOENT ? FIDX_ENOTFOUND : FIDX_EIO, 0,
                            errno == ENOENT ? "no such file" : "cannot open the file");
    s->size = s->map_len = (size_t)st.st_size;
    int rc = st.st_size <= 0 ? corrupt(err, 0, "the file is empty")
                             : check_before_reading(fd, s->size, mode, err);
    if (!rc && mode == FIDX_OPEN_LAZY) {
        void *p = mmap(NULL, s->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
            rc = fidx_err_set(err, FIDX_EIO, 0, "cannot map the file");
        else
            s->base = p;
    } else if (!rc) {
        rc = read_copy(fd, s, mode == FIDX_OPEN_RESIDENT, err);
    }
    close(fd);
    return rc;
}

int fidx_snapshot_open(const char *path, int mode, fidx_snapshot_t **out, fidx_err_t *err)
{
    fidx_snapshot_t *s = calloc(1, sizeof *s);
    if (!s)
        return fidx_err_set(err, FIDX_ENOMEM, 0, "out of memory");
    int rc = map_file(path, mode, s, err);
    if (!rc)
        rc = check_header(s, err);
    if (!rc)
        rc = check_sections(s, err);
    uint64_t base = 0;
    for (int k = 0; !rc && k < FIDX_KIND_COUNT; k++) {
        rc = load_kind(s, k, base, err);
        base += s->kind[k].meta.n;
    }
    if (!rc)
        rc = load_sources(s, err);
    if (!rc)
        rc = load_tables(s, err);
    if (rc) {
        if (s->base)
            munmap((void *)s->base, s->map_len);
        free(s);
        return rc;
    }
    atomic_init(&s->refs, 1);
    *out = s;
    return 0;
}

fidx_snapshot_t *fidx_snapshot_acquire(fidx_snapshot_t *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void fidx_snapshot_release(fidx_snapshot_t *s)
{
    if (!s || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    munmap((void *)s->base, s->map_len);
    free(s);
}

int64_t fidx_snapshot_build_time(const fidx_snapshot_t *s)
{
    return s->hdr->build_time;
}

uint64_t fidx_snapshot_count(const fidx_snapshot_t *s, fidx_kind_t kind)
{
    return (kind >= 0 && kind < FIDX_KIND_COUNT) ? s->kind[kind].meta.n : 0;
}
