/* The write-ahead log's layout (wal.h describes it), shared by the log itself (wal.c) and its
 * reading back by sequence number (wal_feed.c). */
#ifndef FIDX_SERVICE_WAL_FORMAT_H
#define FIDX_SERVICE_WAL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#define FIDX__WAL_SEG_MAGIC "FIDXWAL1"
#define FIDX__WAL_GROUP_MAGIC "FWG1"
#define FIDX__WAL_SEG_HEADER 32
#define FIDX__WAL_GROUP_HEADER 32
#define FIDX__WAL_RECORD_HEADER 8

/* A group's checksum: XXH3-64 of its header's first 24 bytes and its payload. */
static inline uint64_t fidx__wal_group_sum(const char *head, const char *payload, size_t len)
{
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    XXH3_64bits_update(&st, head, 24);
    XXH3_64bits_update(&st, payload, len);
    return XXH3_64bits_digest(&st);
}

#endif
