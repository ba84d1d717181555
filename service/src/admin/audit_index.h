/* The audit log's index: for each value an audit line names (kind and stored value, keyed by
 * XXH3-64), where those lines are in DATA_DIR/audit.jsonl, newest first. It lets the history
 * of a value be read with a few preads instead of a scan of the whole log per request.
 *
 * Built once at start by reading the file through, then appended by the write-ahead log's
 * commit thread as each group's audit text is written (before the group's changes become
 * visible, so a change that lookups show has its history). A bank account's lines are also
 * filed under its digits ("*:DIGITS"), so that a search without the bank finds every bank's.
 *
 * Memory is bounded per value: the newest FIDX__AUDIT_INDEX_PER_VALUE lines of a value are
 * kept (older ones are dropped from the index, never from the file, and the value is marked
 * truncated). Each value costs a table slot (16 bytes, the table at most half full) and 16
 * bytes per line kept. One mutex guards it; any thread may call. */
#ifndef FIDX_SERVICE_AUDIT_INDEX_H
#define FIDX_SERVICE_AUDIT_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"
#include "fidx/kind.h"

#define FIDX__AUDIT_LINE_MAX (1u << 20)  /* longer lines are not ours: skipped */
#define FIDX__AUDIT_INDEX_PER_VALUE 256u /* lines kept per value, newest first */

typedef struct fidx__audit_index fidx__audit_index_t;

/* Where a line is: byte offset and length (its newline included). */
typedef struct {
    uint64_t off;
    uint32_t len;
} fidx__audit_loc_t;

typedef struct {
    uint64_t values;  /* keys with at least one line */
    uint64_t lines;   /* lines indexed */
    uint64_t refs;    /* line references kept (a line naming n values counts n) */
    uint64_t skipped; /* lines too long, torn or naming nothing */
    uint64_t bytes;   /* memory held */
} fidx__audit_index_stats_t;

/* Caller owns *out; free with fidx__audit_index_free. */
FIDX_MUST_CHECK int fidx__audit_index_new(fidx__audit_index_t **out);
void fidx__audit_index_free(fidx__audit_index_t *ix);

/* Reads the audit log through fd (from offset 0, with pread) and indexes every whole line.
 * 0, or -1 with a sentence in msg (a read error, out of memory). */
int fidx__audit_index_load(fidx__audit_index_t *ix, int fd, char *msg, size_t cap);

/* Text of len bytes (whole lines) was appended at offset off. An offset below the end seen so
 * far means the file was cut (rotated by copy and truncate): the index starts over. */
void fidx__audit_index_add(fidx__audit_index_t *ix, uint64_t off, const char *text, size_t len);

/* The lines that name (kind, v), newest first: up to max into out. Returns how many;
 * *truncated is set when older lines were dropped from the index. */
size_t fidx__audit_index_find(fidx__audit_index_t *ix, fidx_kind_t kind, const char *v, size_t len,
                              fidx__audit_loc_t *out, size_t max, int *truncated);

void fidx__audit_index_stats(fidx__audit_index_t *ix, fidx__audit_index_stats_t *st);

/* Calls fn for each value one audit line p[0..len) names: every `"kind":"K","value":"V"` pair,
 * V unescaped. Reads our own lines; anything else yields nothing or pairs that simply match no
 * value, never more than the bytes hold. Nonzero from fn stops and is returned. */
typedef int (*fidx__audit_value_fn)(void *arg, fidx_kind_t kind, const char *v, size_t len);
int fidx__audit_line_values(const char *p, size_t len, fidx__audit_value_fn fn, void *arg);

#endif
