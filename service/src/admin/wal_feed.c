/* The committed log read back by sequence number (wal_feed.h): a table of the log's segments
 * with a sparse index of each, and reads that walk a mapped segment from the nearest entry. */
#include "admin/wal_feed.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin/wal_format.h"
#include "base/le_bytes.h"
#include "fidx/file.h"

#define MAX_SEGMENTS 100000
#define MAX_ENTRIES (1u << 24) /* per segment: 1 TB of log at one entry per 64 KiB */

typedef struct {
    uint64_t seq, rec_off, grp_off; /* rec_off 0: the first record of the group at grp_off */
} entry_t;

typedef struct {
    uint64_t num, first_seq;
    int here;           /* written by this process: indexed as its groups are made */
    int indexed;        /* the entries cover the whole segment (for one not written here) */
    uint64_t folded_at; /* monotonic ms when it was folded into a snapshot; 0: not folded */
    uint64_t since_entry;
    entry_t *e;
    size_t n, cap;
} seg_t;

struct fidx__wal_feed {
    char dir[4096];
    pthread_mutex_t mu;
    seg_t *s; /* by number, ascending */
    size_t n, cap;
};

int fidx__wal_feed_new(const char *dir, fidx__wal_feed_t **out)
{
    fidx__wal_feed_t *f = calloc(1, sizeof *f);
    if (!f)
        return FIDX_ENOMEM;
    snprintf(f->dir, sizeof f->dir, "%s", dir);
    pthread_mutex_init(&f->mu, NULL);
    *out = f;
    return 0;
}

void fidx__wal_feed_free(fidx__wal_feed_t *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        free(f->s[i].e);
    free(f->s);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

static int add_entry(seg_t *s, uint64_t seq, uint64_t rec_off, uint64_t grp_off)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        entry_t *e = cap <= MAX_ENTRIES ? realloc(s->e, cap * sizeof *e) : NULL;
        if (!e)
            return FIDX_ENOMEM; /* the index stays sparser: reads walk further */
        s->e = e;
        s->cap = cap;
    }
    s->e[s->n++] = (entry_t){seq, rec_off, grp_off};
    s->since_entry = 0;
    return 0;
}

int fidx__wal_feed_segment(fidx__wal_feed_t *f, uint64_t num, uint64_t first_seq, int here)
{
    int rc = 0;
    pthread_mutex_lock(&f->mu);
    size_t at = f->n;
    while (at > 0 && f->s[at - 1].num >= num)
        at--;
    if (at < f->n && f->s[at].num == num) {
        rc = FIDX_EINVAL; /* known already */
    } else if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        seg_t *s = cap <= MAX_SEGMENTS ? realloc(f->s, cap * sizeof *s) : NULL;
        if (s) {
            f->s = s;
            f->cap = cap;
        } else {
            rc = FIDX_ENOMEM;
        }
    }
    if (rc == 0) {
        memmove(f->s + at + 1, f->s + at, (f->n - at) * sizeof *f->s);
        f->s[at] = (seg_t){.num = num, .first_seq = first_seq, .here = here, .indexed = here};
        f->n++;
        if (here) /* the segment's first group starts after its header */
            rc = add_entry(&f->s[at], first_seq, 0, FIDX__WAL_SEG_HEADER);
    }
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static seg_t *segment(fidx__wal_feed_t *f, uint64_t num)
{
    for (size_t i = f->n; i-- > 0;)
        if (f->s[i].num == num)
            return &f->s[i];
    return NULL;
}

void fidx__wal_feed_group(fidx__wal_feed_t *f, uint64_t num, uint64_t off, uint64_t first,
                          const char *recs, size_t len)
{
    pthread_mutex_lock(&f->mu);
    seg_t *s = segment(f, num);
    uint64_t seq = first;
    for (size_t at = 0; s && at + FIDX__WAL_RECORD_HEADER <= len; seq++) {
        if (s->since_entry >= FIDX__WAL_FEED_STEP)
            (void)add_entry(s, seq, off + FIDX__WAL_GROUP_HEADER + at, off);
        size_t step = FIDX__WAL_RECORD_HEADER + fidx__get32(recs + at);
        s->since_entry += step;
        at += step;
    }
    if (s)
        s->since_entry += FIDX__WAL_GROUP_HEADER;
    pthread_mutex_unlock(&f->mu);
}

uint64_t fidx__wal_feed_fold(fidx__wal_feed_t *f, uint64_t below, uint64_t now_ms, uint64_t keep_ms)
{
    pthread_mutex_lock(&f->mu);
    uint64_t expired = 0;
    int prefix = 1;
    for (size_t i = 0; i < f->n && f->s[i].num < below; i++) {
        seg_t *s = &f->s[i];
        if (!s->folded_at)
            s->folded_at = now_ms ? now_ms : 1;
        if (prefix && now_ms >= s->folded_at && now_ms - s->folded_at >= keep_ms)
            expired = s->num + 1;
        else
            prefix = 0;
    }
    pthread_mutex_unlock(&f->mu);
    /* Files the table does not know (a segment whose header was damaged) go with the rest. */
    return keep_ms == 0 ? below : expired;
}

void fidx__wal_feed_drop_before(fidx__wal_feed_t *f, uint64_t num)
{
    pthread_mutex_lock(&f->mu);
    size_t k = 0;
    while (k < f->n && f->s[k].num < num)
        free(f->s[k++].e);
    memmove(f->s, f->s + k, (f->n - k) * sizeof *f->s);
    f->n -= k;
    pthread_mutex_unlock(&f->mu);
}

uint64_t fidx__wal_feed_segment_of(fidx__wal_feed_t *f, uint64_t seq)
{
    pthread_mutex_lock(&f->mu);
    size_t i = f->n;
    while (i > 0 && f->s[i - 1].first_seq > seq)
        i--;
    uint64_t num = i ? f->s[i - 1].num : 0;
    pthread_mutex_unlock(&f->mu);
    return num;
}

uint64_t fidx__wal_feed_oldest(fidx__wal_feed_t *f)
{
    pthread_mutex_lock(&f->mu);
    uint64_t s = f->n ? f->s[0].first_seq : 0;
    pthread_mutex_unlock(&f->mu);
    return s;
}

/* ---- a mapped segment ---- */

typedef struct {
    const char *p;
    size_t size;
} map_t;

/* 0; FIDX_ENOTFOUND when the file is gone (deleted since); FIDX_EIO. */
static int map_segment(const fidx__wal_feed_t *f, uint64_t num, map_t *m)
{
    char path[4200];
    struct stat sb;
    snprintf(path, sizeof path, "%s/wal-%016" PRIu64 ".log", f->dir, num);
    int fd = fidx_file_open_regular(path, 0, NULL);
    if (fd < 0)
        return errno == ENOENT ? FIDX_ENOTFOUND : FIDX_EIO;
    if (fstat(fd, &sb) != 0 || sb.st_size < FIDX__WAL_SEG_HEADER) {
        close(fd);
        return FIDX_EIO;
    }
    m->size = (size_t)sb.st_size;
    m->p = mmap(NULL, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    return m->p == MAP_FAILED ? FIDX_EIO : 0;
}

/* The group header at off: its first sequence number, record count and end. */
typedef struct {
    uint64_t first, n, end;
} group_t;

static int group_at(const map_t *m, uint64_t off, group_t *g)
{
    if (off > m->size || m->size - off < FIDX__WAL_GROUP_HEADER)
        return FIDX_ECORRUPT;
    const char *h = m->p + off;
    uint64_t len = fidx__get64(h + 16);
    if (memcmp(h, FIDX__WAL_GROUP_MAGIC, 4) != 0 || len > m->size - off - FIDX__WAL_GROUP_HEADER)
        return FIDX_ECORRUPT;
    g->first = fidx__get64(h + 8);
    g->n = fidx__get32(h + 4);
    g->end = off + FIDX__WAL_GROUP_HEADER + len;
    return 0;
}

/* Indexes a segment written before this process opened the log, checking each group. */
static int index_mapped(const map_t *m, seg_t *s)
{
    uint64_t seq = s->first_seq;
    s->since_entry = FIDX__WAL_FEED_STEP; /* the first record gets an entry */
    for (uint64_t off = FIDX__WAL_SEG_HEADER; off < m->size;) {
        group_t g;
        const char *h = m->p + off;
        if (group_at(m, off, &g) != 0 || g.first != seq ||
            fidx__wal_group_sum(h, h + FIDX__WAL_GROUP_HEADER,
                                (size_t)(g.end - off - FIDX__WAL_GROUP_HEADER)) !=
                fidx__get64(h + 24))
            return FIDX_ECORRUPT;
        for (uint64_t r = off + FIDX__WAL_GROUP_HEADER; r + FIDX__WAL_RECORD_HEADER <= g.end;) {
            if (s->since_entry >= FIDX__WAL_FEED_STEP && add_entry(s, seq, r, off) != 0)
                return FIDX_ENOMEM;
            uint64_t step = FIDX__WAL_RECORD_HEADER + fidx__get32(m->p + r);
            s->since_entry += step;
            r += step;
            seq++;
        }
        s->since_entry += FIDX__WAL_GROUP_HEADER;
        off = g.end;
    }
    return 0;
}

/* Makes sure segment num is indexed (it was not written here): maps it and walks it without
 * the lock, then installs the entries. */
static int ensure_indexed(fidx__wal_feed_t *f, uint64_t num, uint64_t first_seq)
{
    map_t m;
    seg_t tmp = {.num = num, .first_seq = first_seq};
    int rc = map_segment(f, num, &m);
    if (rc)
        return rc;
    rc = index_mapped(&m, &tmp);
    munmap((void *)m.p, m.size);
    pthread_mutex_lock(&f->mu);
    seg_t *s = segment(f, num);
    if (rc == 0 && s && !s->indexed) {
        free(s->e);
        s->e = tmp.e;
        s->n = tmp.n;
        s->cap = tmp.cap;
        s->indexed = 1;
        tmp.e = NULL;
    }
    pthread_mutex_unlock(&f->mu);
    free(tmp.e);
    return rc;
}

/* ---- reading ---- */

typedef struct {
    uint64_t num, seq, rec_off, grp_off; /* where to start: segment, record, its group */
} pos_t;

typedef struct {
    uint64_t want, upto;
    size_t max;
    fidx__sbuf_t *out;
    fidx__wal_chunk_t *ch;
} read_t;

/* The start for seq: the last segment whose first record is at or before it, and the last
 * entry at or before it there. Under mu. 0, 1 (that segment is to be indexed first), or
 * FIDX_ENOTFOUND. */
static int find(fidx__wal_feed_t *f, uint64_t seq, pos_t *pos, uint64_t *first_seq)
{
    size_t i = f->n;
    while (i > 0 && f->s[i - 1].first_seq > seq)
        i--;
    if (i == 0)
        return FIDX_ENOTFOUND;
    const seg_t *s = &f->s[i - 1];
    *first_seq = s->first_seq;
    pos->num = s->num;
    if (!s->indexed)
        return 1;
    *pos = (pos_t){s->num, s->first_seq, 0, FIDX__WAL_SEG_HEADER};
    size_t lo = 0, hi = s->n; /* the last entry with e.seq <= seq */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->e[mid].seq <= seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0)
        *pos = (pos_t){s->num, s->e[lo - 1].seq, s->e[lo - 1].rec_off, s->e[lo - 1].grp_off};
    return 0;
}

/* Copies the record at off (numbered pos->seq) if it is wanted. 1 when the read is done. */
static int take(read_t *r, const map_t *m, uint64_t off, uint64_t seq, uint64_t len)
{
    if (seq < r->want)
        return 0;
    if (r->ch->n++ == 0)
        r->ch->first_seq = seq;
    fidx__sbuf_put(r->out, m->p + off, (size_t)len);
    return r->out->len >= r->max || seq >= r->upto;
}

/* Walks segment m from pos. 0: done (upto or max reached); 1: the segment ended, pos->seq is
 * the next record's number; FIDX_ECORRUPT. */
static int walk(read_t *r, const map_t *m, pos_t *pos)
{
    group_t g;
    if (pos->grp_off == m->size)
        return 1; /* a segment with no group (a start or a compaction wrote nothing in it) */
    if (group_at(m, pos->grp_off, &g) != 0 || g.first > pos->seq)
        return FIDX_ECORRUPT;
    uint64_t off = pos->rec_off ? pos->rec_off : pos->grp_off + FIDX__WAL_GROUP_HEADER;
    for (;;) {
        if (off == g.end) {
            if (g.end == m->size)
                return 1;
            if (group_at(m, g.end, &g) != 0 || g.first != pos->seq)
                return FIDX_ECORRUPT;
            off += FIDX__WAL_GROUP_HEADER;
            continue;
        }
        if (g.end - off < FIDX__WAL_RECORD_HEADER)
            return FIDX_ECORRUPT;
        uint64_t len = FIDX__WAL_RECORD_HEADER + (uint64_t)fidx__get32(m->p + off);
        if (len > g.end - off)
            return FIDX_ECORRUPT;
        int done = take(r, m, off, pos->seq, len);
        pos->seq++;
        off += len;
        if (done)
            return r->out->failed ? FIDX_ENOMEM : 0;
    }
}

/* After segment pos->num ended: the next one, which must go on from pos->seq. 0 or
 * FIDX_ENOTFOUND (none, or a gap). */
static int next_segment(fidx__wal_feed_t *f, pos_t *pos)
{
    int rc = FIDX_ENOTFOUND;
    pthread_mutex_lock(&f->mu);
    for (size_t i = 0; i < f->n; i++) {
        if (f->s[i].num <= pos->num)
            continue;
        if (f->s[i].first_seq == pos->seq) {
            *pos = (pos_t){f->s[i].num, pos->seq, 0, FIDX__WAL_SEG_HEADER};
            rc = 0;
        }
        break;
    }
    pthread_mutex_unlock(&f->mu);
    return rc;
}

/* Where reading starts for seq, indexing its segment first when needed. */
static int start(fidx__wal_feed_t *f, uint64_t seq, pos_t *pos)
{
    for (int tries = 0; tries < 3; tries++) {
        uint64_t first = 0;
        pthread_mutex_lock(&f->mu);
        int rc = find(f, seq, pos, &first);
        pthread_mutex_unlock(&f->mu);
        if (rc != 1)
            return rc;
        rc = ensure_indexed(f, pos->num, first);
        if (rc)
            return rc;
    }
    return FIDX_EIO;
}

int fidx__wal_feed_read(fidx__wal_feed_t *f, uint64_t since, uint64_t upto, size_t max,
                        fidx__sbuf_t *out, fidx__wal_chunk_t *ch)
{
    read_t r = {since + 1, upto, max, out, ch};
    pos_t pos;
    memset(ch, 0, sizeof *ch);
    if (since >= upto)
        return 0;
    int rc = start(f, r.want, &pos);
    while (rc == 0) {
        map_t m;
        rc = map_segment(f, pos.num, &m);
        if (rc)
            break;
        rc = walk(&r, &m, &pos);
        munmap((void *)m.p, m.size);
        if (rc != 1)
            break;
        rc = next_segment(f, &pos);
    }
    if (rc == FIDX_ENOTFOUND && ch->n)
        rc = 0; /* what was read is sound; the rest went away meanwhile */
    return rc;
}
