/* What a reader reads from its writer, checked before anything is used (docs/API.md,
 * "Replication"): the header fields of the replica routes' answers, and the body of a changes
 * answer (the log's records, as the writer's log holds them). Pure functions: no I/O, no
 * allocation; the fuzz target fuzz_replica drives them with arbitrary bytes. */
#ifndef FIDX_SERVICE_REPLICA_PROTOCOL_H
#define FIDX_SERVICE_REPLICA_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "admin/admin.h"
#include "fidx/error.h"

#define FIDX__REPLICA_HEADER_MAX 1024 /* a header line longer than this is ignored */

/* Fields present (bits of `have`). */
enum {
    FIDX__RH_FIRST_SEQ = 1u << 0,     /* X-Fidx-First-Seq */
    FIDX__RH_COUNT = 1u << 1,         /* X-Fidx-Count */
    FIDX__RH_DURABLE = 1u << 2,       /* X-Fidx-Durable-Seq */
    FIDX__RH_SNAPSHOT = 1u << 3,      /* X-Fidx-Snapshot: "hash" */
    FIDX__RH_SNAPSHOT_NEXT = 1u << 4, /* X-Fidx-Snapshot-Next-Seq */
    FIDX__RH_CHECKSUM = 1u << 5,      /* X-Fidx-Checksum */
    FIDX__RH_NEXT_SEQ = 1u << 6,      /* X-Fidx-Next-Seq (a snapshot's) */
    FIDX__RH_ETAG = 1u << 7,          /* ETag: "hash" */
    FIDX__RH_HISTORY = 1u << 8,       /* X-Fidx-History */
    FIDX__RH_RANGE = 1u << 9,         /* Content-Range: bytes A-B/T */
};

typedef struct {
    unsigned have;
    unsigned bad; /* bits of fields present but malformed (they are not in `have`) */
    uint64_t first_seq, count, durable_seq, snapshot_hash, snapshot_next_seq, checksum;
    uint64_t next_seq, etag_hash;
    uint64_t range_first, range_last, range_total;
    char history[FIDX__HISTORY_LEN + 1];
} fidx__replica_headers_t;

void fidx__replica_headers_reset(fidx__replica_headers_t *h);

/* One header line as a client library hands it over ("Name: value", with or without CRLF).
 * Names are compared without case; unknown names and the status line are ignored. */
void fidx__replica_header_line(fidx__replica_headers_t *h, const char *p, size_t len);

/* Whether p[0..len) is exactly `count` records of the log (u32 body length, u8 type, three
 * zero bytes, body), each of a known type whose body decodes. 0, or FIDX_ECORRUPT with err
 * (offset and reason). */
FIDX_MUST_CHECK int fidx__replica_check_changes(const char *p, size_t len, uint64_t count,
                                                fidx_err_t *err);

#endif
