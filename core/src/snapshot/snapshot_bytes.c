/* A snapshot as a whole file: its bytes (what a writer serves to its replicas) and the hash
 * that names its content. Open has checked every byte before either is read: the header hash
 * covers the header and the section table, the table holds each section's hash, and the
 * padding between sections must be zero, so the header hash names the whole file. */
#include "snapshot/snapshot_internal.h"

void fidx_snapshot_bytes(const fidx_snapshot_t *s, const char **p, size_t *len)
{
    *p = s->base;
    *len = s->size;
}

uint64_t fidx_snapshot_content_hash(const fidx_snapshot_t *s)
{
    return s->hdr->header_hash;
}
