/* The committed log read back by sequence number: what replicas follow
 * (GET /v1/replica/changes) and what bots page through (GET /v1/changes). The log itself
 * (wal.c) tells this table of its segments as they appear, of each group as the commit thread
 * makes it durable, and of segments as they are folded and deleted; readers then find the
 * records after any sequence number without scanning the log from its start.
 *
 * The index is sparse: one entry (sequence number, offset of its record and of its group) per
 * FIDX__WAL_FEED_STEP bytes of log, so a read starts at most that far before the record it
 * wants, and a gigabyte of log costs 16,000 entries. Segments written before this process
 * opened the log are indexed when first read (their group checksums checked on the way).
 *
 * Threads: one mutex guards the table; reads copy a position under it and read the segment
 * file (mapped) without it. Only records up to the durable sequence number the caller gives
 * are read, and those are never rewritten, so a read needs nothing more. */
#ifndef FIDX_SERVICE_WAL_FEED_H
#define FIDX_SERVICE_WAL_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "fidx/error.h"

#define FIDX__WAL_FEED_STEP (64 * 1024) /* log bytes between two index entries */

typedef struct fidx__wal_feed fidx__wal_feed_t;

/* Which records a read copied: first_seq .. first_seq + n - 1 (n 0: none). */
typedef struct {
    uint64_t first_seq, n;
} fidx__wal_chunk_t;

/* The table for the log in dir. Caller owns *out; free with fidx__wal_feed_free. */
FIDX_MUST_CHECK int fidx__wal_feed_new(const char *dir, fidx__wal_feed_t **out);
void fidx__wal_feed_free(fidx__wal_feed_t *f);

/* Segment num exists and its first record is first_seq. here: this process writes it (its
 * groups will be noted); otherwise it is complete and indexed when first read. */
FIDX_MUST_CHECK int fidx__wal_feed_segment(fidx__wal_feed_t *f, uint64_t num, uint64_t first_seq,
                                           int here);
/* The commit thread made a group durable in segment num at offset off: n records numbered from
 * first, whose encoded bytes are recs[0..len). */
void fidx__wal_feed_group(fidx__wal_feed_t *f, uint64_t num, uint64_t off, uint64_t first,
                          const char *recs, size_t len);

/* Segments below `below` are folded into a snapshot (now_ms: a monotonic clock); returns the
 * number below which every folded segment was folded keep_ms ago or longer, i.e. the segments
 * that may be deleted now (folded segments form a prefix of the log, so these do too). */
uint64_t fidx__wal_feed_fold(fidx__wal_feed_t *f, uint64_t below, uint64_t now_ms,
                             uint64_t keep_ms);
/* Forgets the segments numbered below num (deleted). */
void fidx__wal_feed_drop_before(fidx__wal_feed_t *f, uint64_t num);

/* The number of the last segment whose first record is at or before seq (0: none). */
uint64_t fidx__wal_feed_segment_of(fidx__wal_feed_t *f, uint64_t seq);

/* The sequence number of the oldest record the log holds (0: it holds no segment). */
uint64_t fidx__wal_feed_oldest(fidx__wal_feed_t *f);

/* Appends to out the records numbered since+1 to upto in order, each as the log holds it (u32
 * body length, u8 type, three zero bytes, body), stopping at the first record that takes out
 * to max bytes or beyond (at least one record is always copied); *ch says which. 0 (nothing
 * when since >= upto); FIDX_ENOTFOUND when since+1 is older than the oldest record kept, or the
 * log has a gap there (a replica that jumped ahead); FIDX_ECORRUPT, FIDX_EIO, FIDX_ENOMEM. upto
 * must be durable. */
FIDX_MUST_CHECK int fidx__wal_feed_read(fidx__wal_feed_t *f, uint64_t since, uint64_t upto,
                                        size_t max, fidx__sbuf_t *out, fidx__wal_chunk_t *ch);

#endif
