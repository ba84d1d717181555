/* Fuzz target for the snapshot reader (libFuzzer; replayed by ctest, see docs/FUZZING.md).
 * The input is a mode byte and a snapshot file; the seeds are real snapshots built by the
 * indexer from data/sample, so mutations start from a sound file. Mode bit 0: before opening,
 * the harness recomputes what a forger would (file size, every section's XXH3 checksum, the
 * header checksum; snapshot_format.h), so that mutations get past the checksums and reach the
 * structural checks behind them, the real defence against a crafted file. Bit 1: open with
 * FIDX_OPEN_RESIDENT instead of FIDX_OPEN_LAZY. Properties:
 * - fidx_snapshot_open returns 0, FIDX_ECORRUPT or FIDX_EVERSION, with a reason;
 * - on a file that opens: counts fit the file, info and entry decoding fail cleanly or give
 *   values within their bounds, lookups of a set of values and of the file's own entries stay
 *   in bounds and their JSON is valid, and fidx_snapshot_verify returns 0 or FIDX_ECORRUPT;
 * - on a file that also verifies: every entry decodes, and a lookup of its value (as its
 *   kind) finds a match. */
#include <fcntl.h>
#include <jansson.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

#include "fidx/lookup.h"
#include "fidx/snapshot.h"
#include "snapshot/snapshot_format.h"

#include "fuzz_common.h"

/* Bounds the work per input: entries decoded and looked up when the file does not verify,
 * and all entries looked up when it does (seeds hold about 150). */
#define SOME_ENTRIES 16
#define MAX_ENTRIES 4096

static const char *const queries[] = {
    "0912345678",
    "+84912345678",
    "19001234",
    "970436:0123456789",
    "*:0123456789",
    "Vietcombank 0123456789",
    "http://evil.example/login?x=1",
    "https://a.b.c.example/1/2.html",
    "evil.example",
    "xn--ngnhng-ltan.vn",
    "facebook:nguyen.van.a",
    "zalo:+84912345678",
    "t.me/scam_bot",
    "scam@example.com",
    "192.168.1.1/x",
};

/* The file the snapshot is opened from: an anonymous memory file, rewritten for each input
 * and reached through /proc/self/fd, so fuzzing does no disk I/O and leaves nothing behind. */
static const char *snapshot_path(int *fd_out)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz_snapshot", MFD_CLOEXEC);
        FUZZ_CHECK(fd >= 0, "memfd_create failed in the harness");
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    *fd_out = fd;
    return path;
}

static void write_file(int fd, const uint8_t *p, size_t n)
{
    FUZZ_CHECK(ftruncate(fd, 0) == 0, "ftruncate failed in the harness");
    for (size_t off = 0; off < n;) {
        ssize_t w = pwrite(fd, p + off, n - off, (off_t)off);
        FUZZ_CHECK(w > 0, "pwrite failed in the harness");
        off += (size_t)w;
    }
}

/* What a forger recomputes after changing bytes: the file size, each section's checksum
 * (sections inside the file) and the header's checksum over header and table. */
static void fix_checksums(uint8_t *f, size_t n)
{
    snap_header_t h;
    if (n < sizeof h)
        return;
    memcpy(&h, f, sizeof h);
    h.file_size = n;
    size_t table = sizeof h + (size_t)h.n_sections * sizeof(snap_section_t);
    if (h.n_sections > SNAP_MAX_SECTIONS || table > n)
        return;
    for (uint32_t i = 0; i < h.n_sections; i++) {
        snap_section_t x;
        memcpy(&x, f + sizeof h + i * sizeof x, sizeof x);
        if (x.offset > n || x.length > n - x.offset)
            continue;
        x.hash = XXH3_64bits(f + x.offset, x.length);
        memcpy(f + sizeof h + i * sizeof x, &x, sizeof x);
    }
    h.header_hash = 0;
    memcpy(f, &h, sizeof h);
    h.header_hash = XXH3_64bits(f, table);
    memcpy(f, &h, sizeof h);
}

static void check_result_json(const fidx_result_t *res, const char *q, size_t n)
{
    char *out = malloc(FIDX_CHECK_JSON_MAX);
    FUZZ_CHECK(out != NULL, "out of memory in the harness");
    size_t len = fidx_result_json(res, q, n, out, FIDX_CHECK_JSON_MAX);
    FUZZ_CHECK(len > 0 && len < FIDX_CHECK_JSON_MAX, "FIDX_CHECK_JSON_MAX was not enough");
    json_t *j = json_loadb(out, len, JSON_ALLOW_NUL, NULL);
    FUZZ_CHECK(json_is_object(j), "a result's JSON does not parse as an object");
    json_decref(j);
    free(out);
}

/* Any lookup on an opened snapshot stays in bounds and answers sensibly; returns has_match. */
static int lookup(const fidx_snapshot_t *s, fidx_kind_t kind, const char *q, size_t n)
{
    fidx_result_t *res = malloc(sizeof *res);
    fidx_err_t err = {0, 0, NULL};
    FUZZ_CHECK(res != NULL, "out of memory in the harness");
    char *qq = fuzz_dup(q, n);
    int rc = fidx_check(s, NULL, kind, NULL, qq, n, res, &err), found = 0;
    FUZZ_CHECK(rc == 0 || rc == FIDX_EINVAL || rc == FIDX_ETOOBIG, "fidx_check: undocumented code");
    if (rc == 0) {
        found = res->has_match;
        if (found) {
            const fidx_match_t *m = &res->match;
            FUZZ_CHECK(m->kind >= 0 && m->kind < FIDX_KIND_COUNT, "match kind out of range");
            FUZZ_CHECK(m->n_sources <= FIDX_MAX_SOURCES, "match has too many sources");
            FUZZ_CHECK(m->value.len < FIDX_CANON_CAP, "match value longer than any value");
        }
        check_result_json(res, qq, n);
    }
    free(qq);
    free(res);
    return found;
}

static void check_entry(const fidx_indicator_t *e)
{
    FUZZ_CHECK(e->value_len < FIDX_CANON_CAP && e->value[e->value_len] == '\0',
               "a decoded entry's value is too long or not terminated");
    FUZZ_CHECK(e->note_len <= FIDX_MAX_NOTE_LEN && e->note[e->note_len] == '\0',
               "a decoded entry's note is too long or not terminated");
    FUZZ_CHECK(e->n_sources <= FIDX_MAX_SOURCES, "a decoded entry has too many sources");
}

/* Unverified: decoding and looking up some entries must fail cleanly or stay in bounds. */
static void probe_opened(const fidx_snapshot_t *s, size_t size, fidx_indicator_t *e)
{
    fidx_snapshot_info_t *info = malloc(sizeof *info);
    fidx_err_t err = {0, 0, NULL};
    FUZZ_CHECK(info != NULL, "out of memory in the harness");
    int rc = fidx_snapshot_info(s, info, &err);
    FUZZ_CHECK(rc == 0 || (rc == FIDX_ECORRUPT && err.reason),
               "fidx_snapshot_info broke its contract");
    free(info);
    (void)fidx_snapshot_build_time(s);
    for (int k = 0; k < FIDX_KIND_COUNT; k++) {
        uint64_t n = fidx_snapshot_count(s, (fidx_kind_t)k);
        FUZZ_CHECK(n <= size / 8, "more entries than the file has room for");
        for (uint64_t i = 0; i < n && i < SOME_ENTRIES; i++)
            if (fidx_snapshot_entry(s, (fidx_kind_t)k, i, e) == 0) {
                check_entry(e);
                (void)lookup(s, (fidx_kind_t)k, e->value, e->value_len);
            }
    }
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        (void)lookup(s, FIDX_KIND_NONE, queries[i], strlen(queries[i]));
}

/* Verified: every entry decodes and is found by a lookup of its own value. */
static void check_verified(const fidx_snapshot_t *s, fidx_indicator_t *e)
{
    uint64_t done = 0;
    for (int k = 0; k < FIDX_KIND_COUNT; k++) {
        uint64_t n = fidx_snapshot_count(s, (fidx_kind_t)k);
        for (uint64_t i = 0; i < n && done < MAX_ENTRIES; i++, done++) {
            FUZZ_CHECK(fidx_snapshot_entry(s, (fidx_kind_t)k, i, e) == 0,
                       "an entry of a verified snapshot does not decode");
            check_entry(e);
            if (!lookup(s, (fidx_kind_t)k, e->value, e->value_len))
                fprintf(stderr, "entry %llu of kind %s, value '%.*s', status %s:\n",
                        (unsigned long long)i, fidx_kind_name((fidx_kind_t)k), (int)e->value_len,
                        e->value, fidx_status_name(e->status));
            FUZZ_CHECK(lookup(s, (fidx_kind_t)k, e->value, e->value_len),
                       "a verified snapshot does not find one of its own entries");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int mode = data[0], fd;
    uint8_t *file = (uint8_t *)fuzz_dup(data + 1, size - 1);
    if (mode & 1)
        fix_checksums(file, size - 1);
    const char *path = snapshot_path(&fd);
    write_file(fd, file, size - 1);
    free(file);
    fidx_snapshot_t *s = NULL;
    fidx_err_t err = {0, 0, NULL};
    int rc = fidx_snapshot_open(path, mode & 2 ? FIDX_OPEN_RESIDENT : FIDX_OPEN_LAZY, &s, &err);
    FUZZ_CHECK(rc == 0 || rc == FIDX_ECORRUPT || rc == FIDX_EVERSION,
               "fidx_snapshot_open returned an undocumented code");
    if (rc != 0) {
        FUZZ_CHECK(err.code == rc && err.reason != NULL, "a refused snapshot without a reason");
        return 0;
    }
    fidx_indicator_t *e = malloc(sizeof *e);
    FUZZ_CHECK(e != NULL, "out of memory in the harness");
    probe_opened(s, size - 1, e);
    err = (fidx_err_t){0, 0, NULL};
    rc = fidx_snapshot_verify(s, &err);
    FUZZ_CHECK(rc == 0 || (rc == FIDX_ECORRUPT && err.reason),
               "fidx_snapshot_verify broke its contract");
    if (rc == 0)
        check_verified(s, e);
    free(e);
    fidx_snapshot_release(s);
    return 0;
}
