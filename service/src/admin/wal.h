/* The write-ahead log of analysts' changes: DATA_DIR/wal-NNNNNNNNNNNNNNNN.log segments.
 *
 * A segment is a 32-byte header (magic "FIDXWAL1", its number, the sequence number of its first
 * record, XXH3-64 of those) followed by groups. A group is what one fsync made durable: a
 * 32-byte header (magic "FWG1", record count, first sequence number, payload length, XXH3-64 of
 * the header fields and the payload) and the records, each a u32 length, a u8 type, three
 * zero bytes and the body. Sequence numbers run on without a gap across groups and segments.
 *
 * Writers append records with fidx__wal_append (serialised by the caller); one commit thread
 * writes everything appended since its last round as one group, fdatasyncs it, writes and
 * fdatasyncs the audit lines that came with it, then reports the durable sequence number and
 * wakes every waiter: concurrent writers share one fsync (group commit). */
#ifndef FIDX_SERVICE_WAL_H
#define FIDX_SERVICE_WAL_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"
#include "admin/wal_feed.h"
#include "base/sbuf.h"

#define FIDX__WAL_MAX_RECORD (1u << 20) /* bytes of one record's body */

/* FIDX__WAL_WARNING: a warning's whole state after a change (warnings/warning.h, its JSON). */
enum { FIDX__WAL_PUT = 1, FIDX__WAL_DELIST = 2, FIDX__WAL_DECISION = 3, FIDX__WAL_WARNING = 4 };

/* How replay treats damage: read-only (report it, change nothing), writable (cut a torn tail
 * off), repair (also cut at damage in the middle, keeping what is cut in *.damaged files). */
enum { FIDX__WAL_READ_ONLY = 0, FIDX__WAL_WRITABLE, FIDX__WAL_REPAIR };

typedef struct fidx__wal fidx__wal_t;

/* A record, in order. Nonzero stops the replay (it fails with that code). */
typedef int (*fidx__wal_record_cb)(void *ctx, uint64_t seq, unsigned type, const char *body,
                                   size_t len);

typedef struct {
    uint64_t segments, groups, records, bytes;
    uint64_t last_segment; /* 0 when none */
    uint64_t first_seq;    /* of the first segment replayed (0 when none) */
    uint64_t next_seq;     /* after the last record replayed */
    uint64_t cut_bytes;    /* torn tail (or, repairing, damage) cut off */
} fidx__wal_replay_t;

/* Replays every segment of dir numbered >= from, in order, through cb. Returns 0, or -1 with a
 * sentence in msg that names the file, the offset and what to do (damage in the middle of the
 * log is refused unless repairing). Torn tails are logged. */
int fidx__wal_replay(const char *dir, uint64_t from, int mode, fidx__wal_record_cb cb, void *ctx,
                     fidx__wal_replay_t *st, char *msg, size_t cap);

/* Called by the commit thread once every record with a sequence number <= seq is durable,
 * before the waiters are woken. */
typedef void (*fidx__wal_durable_cb)(void *ctx, uint64_t seq);
/* Called by the commit thread after each round (durable or failed), once the waiters are
 * woken: fidx__wal_durable / fidx__wal_failed tell what changed. */
typedef void (*fidx__wal_round_cb)(void *ctx);

/* Called by the commit thread once audit text of len bytes is written and fsynced at byte
 * offset off of the audit log, before the round's changes are made visible. */
typedef void (*fidx__wal_audit_cb)(void *ctx, uint64_t off, const char *text, size_t len);

/* Starts a new segment (numbered after every existing one, and at least from) whose first
 * record will be next_seq, and the commit thread. audit_fd (-1: none) receives the audit text
 * given to fidx__wal_append. Caller owns *out; close with fidx__wal_close. */
int fidx__wal_open(const char *dir, uint64_t from, uint64_t next_seq, int audit_fd,
                   fidx__wal_durable_cb cb, fidx__wal_round_cb round_cb, void *ctx,
                   fidx__wal_t **out, char *msg, size_t cap);

/* Sets the audit callback (ctx is fidx__wal_open's); before the first append. */
void fidx__wal_on_audit(fidx__wal_t *w, fidx__wal_audit_cb cb);

/* Writes what is appended, stops the commit thread, closes the files. */
void fidx__wal_close(fidx__wal_t *w);

/* The sequence number the next record appended gets. Writers only. */
uint64_t fidx__wal_next_seq(fidx__wal_t *w);

/* Encodes one record (header and body) at the end of out. */
void fidx__wal_record(fidx__sbuf_t *out, unsigned type, const void *body, size_t len);

/* Appends n records (made with fidx__wal_record, numbered fidx__wal_next_seq() onwards) and
 * audit text to the next group. Writers only. 0, or FIDX_EIO once the log has failed. */
FIDX_MUST_CHECK int fidx__wal_append(fidx__wal_t *w, const char *records, size_t len, uint64_t n,
                                     const char *audit, size_t audit_len);

/* Without waiting or locking (any thread): the largest sequence number durable so far, and
 * whether the log has failed. Both are stored before the round callback runs. */
uint64_t fidx__wal_durable(fidx__wal_t *w);
int fidx__wal_failed(fidx__wal_t *w);

/* Waits until seq is durable. 0, or FIDX_EIO when the log failed first. */
FIDX_MUST_CHECK int fidx__wal_wait(fidx__wal_t *w, uint64_t seq);

/* Waits until everything appended so far, records and audit text, is written and synced (and
 * the audit callback has run for it): for an append with audit text only, which has no
 * sequence number to wait for. 0, or FIDX_EIO when the log failed first. */
FIDX_MUST_CHECK int fidx__wal_flush(fidx__wal_t *w);

/* Why the log failed (a sentence), or NULL while it works. After a failure every append
 * fails: the service answers analysts 503 until it is restarted. */
const char *fidx__wal_failure(fidx__wal_t *w);

/* Waits until everything appended is durable, then continues in a new segment. *segment: its
 * number; *last: the last sequence number before it. Writers only. */
FIDX_MUST_CHECK int fidx__wal_rotate(fidx__wal_t *w, uint64_t *segment, uint64_t *last);

/* The segments numbered below segment are folded into a snapshot: deletes those folded
 * keep_ms ago or longer (0: all of them now). The rest stay for replicas a little behind, and
 * go with a later call (fidx__wal_trim). */
void fidx__wal_drop_before(fidx__wal_t *w, uint64_t segment, uint64_t keep_ms);
/* Deletes the folded segments whose time has come (a timer calls it). */
void fidx__wal_trim(fidx__wal_t *w, uint64_t keep_ms);

/* Appends the durable records after since to out (wal_feed.h, fidx__wal_feed_read: at most
 * about max bytes, always one record at least). Any thread. */
FIDX_MUST_CHECK int fidx__wal_read(fidx__wal_t *w, uint64_t since, size_t max, fidx__sbuf_t *out,
                                   fidx__wal_chunk_t *ch);
/* The oldest record's sequence number the log keeps (0: none). Any thread. */
uint64_t fidx__wal_oldest(fidx__wal_t *w);
/* The segment that holds seq (the last one whose first record is at or before it; 0: none). */
uint64_t fidx__wal_segment_of(fidx__wal_t *w, uint64_t seq);
/* Creates segment num of dir, empty, whose first record will be first_seq (durably): a
 * reader's log before its first change. 0, or -1 with msg. */
int fidx__wal_create_empty(const char *dir, uint64_t num, uint64_t first_seq, char *msg,
                           size_t cap);

/* A replica starting over from a newer snapshot: waits until everything appended is durable,
 * then goes on in a new segment whose first record is next_seq (not below the next sequence
 * number: the log never goes back), as if every record before it were durable. *segment: its
 * number. Writers only. 0, FIDX_EINVAL, FIDX_EIO. */
FIDX_MUST_CHECK int fidx__wal_restart(fidx__wal_t *w, uint64_t next_seq, uint64_t *segment);

typedef struct {
    uint64_t segment, segment_bytes;
    uint64_t next_seq, durable_seq;
    uint64_t groups, records, bytes;
    uint64_t fsync_ns_total, fsync_ns_max;
    int failed;
} fidx__wal_stats_t;

void fidx__wal_stats(fidx__wal_t *w, fidx__wal_stats_t *st);

/* "DIR/wal-0000000000000007.log" */
void fidx__wal_segment_path(const char *dir, uint64_t segment, char *out, size_t cap);

#endif
