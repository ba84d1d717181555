/* The audit log: DATA_DIR/audit.jsonl, append-only JSON Lines, one line per accepted change
 * (who by token name, when, what, why, how many rows). Lines are built here and written by the
 * write-ahead log's group commit (wal.c) together with the changes they describe, and fsynced
 * with them before the analyst is answered. A token's secret is never written. */
#ifndef FIDX_SERVICE_AUDIT_H
#define FIDX_SERVICE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/sbuf.h"
#include "fidx/indicator.h"

#define FIDX__AUDIT_FILE "audit.jsonl"

/* Opens (creating, mode 0600) dir/audit.jsonl for appending. A torn last line (a crash in the
 * middle of writing it: it was never acknowledged) is cut off first (and logged), so that the
 * next line does not glue onto it. Returns the descriptor, or -1 with a sentence in msg. */
int fidx__audit_open(const char *dir, char *msg, size_t cap);

/* Opens dir/audit.jsonl for reading (the history's preads). -1 with msg. */
int fidx__audit_open_read(const char *dir, char *msg, size_t cap);

/* {"time":"2024-05-01T10:00:00.123Z","token":NAME,"role":ROLE,"action":ACTION — then fields,
 * then end. */
void fidx__audit_begin(fidx__sbuf_t *out, int64_t now_ms, const char *token, const char *role,
                       const char *action);
void fidx__audit_str(fidx__sbuf_t *out, const char *key, const char *v, size_t len);
void fidx__audit_num(fidx__sbuf_t *out, const char *key, uint64_t v);
/* Appends raw JSON text as the value of key (the caller made it valid JSON). */
void fidx__audit_raw(fidx__sbuf_t *out, const char *key, const char *json, size_t len);
void fidx__audit_end(fidx__sbuf_t *out); /* "}\n" */

/* A state of a value as the member key: {"status","categories":[…],"reports","sources":[…],
 * "first_seen","last_seen","label"} (dates and label when known), or null for "not listed"
 * (ind NULL). The history of a value is read from these (before and after each change). */
void fidx__audit_state(fidx__sbuf_t *out, const char *key, const fidx_indicator_t *ind);
/* The same object alone (ind not NULL). */
void fidx__audit_state_object(fidx__sbuf_t *out, const fidx_indicator_t *ind);

#endif
