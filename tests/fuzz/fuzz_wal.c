/* Fuzz target for the replay of the analysts' write-ahead log (service/src/wal.c, and the
 * record decoders of admin_records.c), which the service runs over DATA_DIR/wal-*.log at every
 * start. libFuzzer; replayed by ctest (docs/FUZZING.md).
 *
 * Input: byte 0 is a mode, the rest one segment file (wal-0000000000000001.log in a fresh
 * directory under /dev/shm). Mode bit 0: first rewrite what a forger would (the segment
 * number, the segment header's checksum, and the checksum of each group found walking the
 * file), so that mutations reach the record checks behind the checksums (as fuzz_snapshot
 * does). Bit 1: replay writable (a torn tail is cut off) instead of read-only.
 *
 * Properties: replay answers 0, or -1 with a message; records come with consecutive sequence
 * numbers, a known type and a body inside the file, and decode or are refused cleanly; the
 * counts it reports are the records it gave; read-only replay leaves the file as it was; after
 * a writable replay that succeeded, the log replays again cleanly (nothing more to cut) and
 * gives the same records. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "admin/admin.h"
#include "fuzz_common.h"
#include "base/le_bytes.h"
#include "admin/wal.h"

static char path[128];

static void make_dir(void)
{
    if (!path[0])
        snprintf(path, sizeof path, "%s/wal-0000000000000001.log", fuzz_temp_dir());
}

/* The layout wal.h describes: a 32-byte segment header (checksum of its first 24 bytes at 24),
 * then groups of a 32-byte header (payload length at 16, checksum of header bytes 0..24 and
 * the payload at 24) and the payload. */
static void forge(uint8_t *p, size_t size)
{
    if (size < 32)
        return;
    fidx__put64((char *)p + 8, 1);
    fidx__put64((char *)p + 24, XXH3_64bits(p, 24));
    for (size_t off = 32; size - off >= 32 && memcmp(p + off, "FWG1", 4) == 0;) {
        uint64_t len = fidx__get64((const char *)p + off + 16);
        if (len > size - off - 32)
            break;
        XXH3_state_t st;
        XXH3_64bits_reset(&st);
        XXH3_64bits_update(&st, p + off, 24);
        XXH3_64bits_update(&st, p + off + 32, (size_t)len);
        fidx__put64((char *)p + off + 24, XXH3_64bits_digest(&st));
        off += 32 + (size_t)len;
    }
}

typedef struct {
    uint64_t n, first, last;
    uint64_t sum; /* of the bodies' hashes, to compare two replays */
    size_t file_size;
} seen_t;

static int on_record(void *ctx, uint64_t seq, unsigned type, const char *body, size_t len)
{
    seen_t *s = ctx;
    FUZZ_CHECK(s->n == 0 || seq == s->last + 1, "records came with a gap in their numbers");
    FUZZ_CHECK(type >= FIDX__WAL_PUT && type <= FIDX__WAL_WARNING, "a record of unknown type");
    FUZZ_CHECK(len <= s->file_size && len <= FIDX__WAL_MAX_RECORD, "a record larger than its file");
    if (s->n == 0)
        s->first = seq;
    s->last = seq;
    s->n++;
    s->sum += XXH3_64bits_withSeed(body, len, seq * 4 + type);
    if (type == FIDX__WAL_PUT) {
        fidx_indicator_t ind;
        if (fidx__admin_decode_put(body, len, &ind) == 0)
            FUZZ_CHECK(ind.kind >= 0 && ind.kind < FIDX_KIND_COUNT && ind.value_len > 0 &&
                           ind.value[ind.value_len] == '\0' && ind.note[ind.note_len] == '\0',
                       "a decoded change is malformed");
    } else if (type == FIDX__WAL_DECISION) {
        fidx__admin_decision_t d;
        if (fidx__admin_decode_decision(body, len, &d) == 0)
            FUZZ_CHECK(memchr(d.by, 0, sizeof d.by) && memchr(d.reason, 0, sizeof d.reason),
                       "a decoded decision is not terminated");
    }
    return 0;
}

static int replay(int mode, seen_t *s, fidx__wal_replay_t *st, size_t size)
{
    char msg[1024] = "";
    memset(s, 0, sizeof *s);
    memset(st, 0, sizeof *st);
    s->file_size = size;
    int rc = fidx__wal_replay(fuzz_temp_dir(), 0, mode, on_record, s, st, msg, sizeof msg);
    FUZZ_CHECK(rc == 0 || (rc == -1 && msg[0]), "replay failed without saying why");
    if (rc == 0)
        FUZZ_CHECK(st->records == s->n, "replay counted other records than it gave");
    return rc;
}

static size_t file_size(void)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (size_t)sb.st_size : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    make_dir();
    int mode = data[0];
    uint8_t *file = (uint8_t *)fuzz_dup(data + 1, size - 1);
    size_t n = size - 1;
    if (mode & 1)
        forge(file, n);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FUZZ_CHECK(fd >= 0 && write(fd, file, n) == (ssize_t)n, "the harness cannot write the log");
    close(fd);

    seen_t a, b;
    fidx__wal_replay_t st;
    if (!(mode & 2)) {
        int rc = replay(FIDX__WAL_READ_ONLY, &a, &st, n);
        if (getenv("FUZZ_WAL_SHOW")) /* what a seed does */
            fprintf(stderr, "  replay %d: %llu records, %llu bytes cut\n", rc,
                    (unsigned long long)a.n, (unsigned long long)st.cut_bytes);
        FUZZ_CHECK(file_size() == n, "a read-only replay changed the log");
    } else if (replay(FIDX__WAL_WRITABLE, &a, &st, n) == 0) {
        FUZZ_CHECK(file_size() + st.cut_bytes == n || file_size() == n,
                   "a writable replay cut other bytes than it says");
        FUZZ_CHECK(replay(FIDX__WAL_READ_ONLY, &b, &st, file_size()) == 0 && st.cut_bytes == 0,
                   "a log replayed writable does not replay cleanly again");
        FUZZ_CHECK(a.n == b.n && a.sum == b.sum, "a second replay gave other records");
    }
    unlink(path);
    free(file);
    return 0;
}
