/* The snapshot: one immutable, versioned, checksummed file holding every indicator, mapped
 * read-only and shared by all readers. The layout is described in docs/SNAPSHOT.md.
 *
 * Writing goes through a builder: add indicators (duplicates merge as the contract says),
 * then write to a path atomically (temporary file, fsync, rename, fsync of the directory). */
#ifndef FIDX_SNAPSHOT_H
#define FIDX_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"
#include "fidx/indicator.h"
#include "fidx/kind.h"
#include "fidx/str.h"

#define FIDX_SNAPSHOT_VERSION 2            /* written; version 1 (no labels) is still read */
#define FIDX_MAX_SNAPSHOT_SOURCES 255      /* distinct source names in one snapshot */
#define FIDX_MAX_SNAPSHOT_SOURCE_SETS 1023 /* distinct combinations of sources */

typedef struct fidx_snapshot fidx_snapshot_t;

/* Summary of a snapshot, from its header and posting lists. */
typedef struct {
    uint32_t version;
    int64_t build_time; /* seconds since the epoch, UTC */
    uint64_t file_size;
    uint64_t total;
    uint64_t by_kind[FIDX_KIND_COUNT];
    uint64_t by_status[FIDX_STATUS_COUNT];
    uint64_t by_category[FIDX_CAT_COUNT];
    uint32_t n_sources;
    fidx_str_t source_name[FIDX_MAX_SNAPSHOT_SOURCES]; /* borrowed from the snapshot */
    uint64_t by_source[FIDX_MAX_SNAPSHOT_SOURCES];
} fidx_snapshot_info_t;

/* How a snapshot is brought into memory: mapped and faulted in on use (short-lived tools only:
 * a mapped file truncated or written over in place faults or shows the new bytes), copied
 * into private memory (a server: nothing done to the file afterwards reaches it), or copied
 * into memory backed by transparent huge pages (a server with a large snapshot: fewer TLB
 * misses). Whatever the mode, the header and the file's size are checked before anything is
 * mapped or read; a copy must fit in half the machine's memory. */
enum { FIDX_OPEN_LAZY = 0, FIDX_OPEN_POPULATE = 1, FIDX_OPEN_RESIDENT = 2 };

/* The largest snapshot opened (FIDX_ELIMIT beyond): 64 GiB. */
#define FIDX_SNAPSHOT_MAX_BYTES ((uint64_t)64 << 30)

/* Opens (FIDX_OPEN_*) and validates a snapshot: header, section bounds, every section's XXH3-64
 * checksum and the index structure (so that any lookup on it stays in bounds). A file that is not
 * sound is refused with FIDX_ECORRUPT / FIDX_EVERSION / FIDX_ELIMIT and err->reason ("section 3
 * checksum mismatch"). mode: FIDX_OPEN_*. Caller owns *out (reference count 1); release with
 * fidx_snapshot_release. */
FIDX_MUST_CHECK int fidx_snapshot_open(const char *path, int mode, fidx_snapshot_t **out,
                                       fidx_err_t *err);

/* Full integrity check beyond open: every record decoded and range-checked, every string
 * re-hashed into its bucket, posting lists read with CRoaring's _safe reader and compared with
 * the records. 0 when sound, FIDX_ECORRUPT with err->reason otherwise. */
FIDX_MUST_CHECK int fidx_snapshot_verify(const fidx_snapshot_t *s, fidx_err_t *err);

/* Reference counting (atomic): a reader acquires before use and releases after; the mapping
 * goes away with the last release. */
fidx_snapshot_t *fidx_snapshot_acquire(fidx_snapshot_t *s);
void fidx_snapshot_release(fidx_snapshot_t *s);

/* Fills *info. Borrowed strings live as long as s. */
FIDX_MUST_CHECK int fidx_snapshot_info(const fidx_snapshot_t *s, fidx_snapshot_info_t *info,
                                       fidx_err_t *err);
int64_t fidx_snapshot_build_time(const fidx_snapshot_t *s);
uint64_t fidx_snapshot_count(const fidx_snapshot_t *s, fidx_kind_t kind);

/* Entry i (0 <= i < fidx_snapshot_count(kind)) of a kind, decoded into *out (value in its
 * storage form, note included). For listing and compaction; not the lookup path. */
FIDX_MUST_CHECK int fidx_snapshot_entry(const fidx_snapshot_t *s, fidx_kind_t kind, uint64_t i,
                                        fidx_indicator_t *out);

/* Status and value (storage form, borrowed from the snapshot) of entry i of a string kind
 * (any kind but phone): what a scan for the allowlisted entries of a kind needs, without
 * decoding the whole entry. FIDX_ENOTFOUND for a phone kind or i out of range. */
FIDX_MUST_CHECK int fidx_snapshot_entry_value(const fidx_snapshot_t *s, fidx_kind_t kind,
                                              uint64_t i, fidx_status_t *status, fidx_str_t *value);

/* The whole file as it was opened (checked byte for byte): borrowed until s is released. */
void fidx_snapshot_bytes(const fidx_snapshot_t *s, const char **p, size_t *len);
/* A hash that names the file's content (XXH3-64 of its header and section table, which hold
 * the hash of every section): two files with the same value hold the same bytes. */
uint64_t fidx_snapshot_content_hash(const fidx_snapshot_t *s);
/* Public label of entry i of a kind (borrowed from the snapshot), empty when it has none (every
 * entry of a version 1 file) or i is out of range. */
fidx_str_t fidx_snapshot_entry_label(const fidx_snapshot_t *s, fidx_kind_t kind, uint64_t i);

typedef struct fidx_builder fidx_builder_t;

/* Caller owns *out; free with fidx_builder_free. */
FIDX_MUST_CHECK int fidx_builder_new(fidx_builder_t **out);
void fidx_builder_free(fidx_builder_t *b);

/* Adds one indicator (value in storage form, as fidx_row_to_indicator gives it); the same
 * kind and value given again merges (fidx_indicator_merge). FIDX_ELIMIT past the snapshot's
 * limits (sources, source combinations, 2^32 entries). */
FIDX_MUST_CHECK int fidx_builder_add(fidx_builder_t *b, const fidx_indicator_t *ind,
                                     fidx_err_t *err);

/* Removes an indicator if present (delisting, when compacting). 0 or FIDX_ENOTFOUND. */
int fidx_builder_remove(fidx_builder_t *b, fidx_kind_t kind, const char *value, size_t len);

/* Number of distinct indicators added. */
uint64_t fidx_builder_count(const fidx_builder_t *b);

/* Writes the snapshot to path atomically: path.tmp.XXXXXX in the same directory, fsync,
 * rename over path, fsync the directory. build_time is stored in the header. The file is
 * readable by all (0644): the indexer's output is a feed build meant to be shipped. */
FIDX_MUST_CHECK int fidx_builder_write(fidx_builder_t *b, const char *path, int64_t build_time,
                                       fidx_err_t *err);

/* The same with the file's permission bits (0600 for the service's data directory: a
 * compacted snapshot carries the analysts' notes). The mode is set before the rename, so the
 * file never appears at path with other bits. */
FIDX_MUST_CHECK int fidx_builder_write_mode(fidx_builder_t *b, const char *path, int64_t build_time,
                                            unsigned mode, fidx_err_t *err);

#endif
