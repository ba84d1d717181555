/* The warnings store (issue 19): DATA_DIR/warnings.jsonl, append-only, one line per change
 * holding the warning's whole state after it (warning.h); at open the newest rev of each id
 * wins, a torn last line (a crash in the middle of a write) is cut off and any other line that
 * cannot be read is skipped and counted. Each line is written with one write(2) and
 * fdatasync'ed before fidx__warnings_put returns. The analysts' side (admin/admin_warnings.c)
 * logs a change in the write-ahead log with its audit line first, and puts it here once that
 * is durable; replaying the log at start puts again what a crash kept from this file.
 *
 * Memory: every warning (drafts too), at most FIDX__WARNINGS_MAX; and the public view
 * (warnings_view.h), rebuilt and swapped on each change. One mutex guards the store; the
 * change lock (fidx__warnings_lock) serialises analysts' changes from reading a warning to
 * storing its new state. Any thread. Only the process holding the data directory's lock
 * opens it writable. */
#ifndef FIDX_SERVICE_WARNINGS_H
#define FIDX_SERVICE_WARNINGS_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"
#include "warnings/warning.h"
#include "warnings/warnings_view.h"

#define FIDX__WARNINGS_FILE "warnings.jsonl"
#define FIDX__WARNINGS_MAX 2000 /* warnings kept, drafts and retracted ones included */

typedef struct fidx__warnings fidx__warnings_t;

/* Opens dir/warnings.jsonl (created when writable and missing) and replays it. A missing file
 * read-only is an empty store. 0; FIDX_EIO with err->reason (errno set); FIDX_ENOMEM. Caller
 * owns *out; free with fidx__warnings_free. */
FIDX_MUST_CHECK int fidx__warnings_open(const char *dir, int writable, fidx__warnings_t **out,
                                        fidx_err_t *err);
void fidx__warnings_free(fidx__warnings_t *st);

/* Lines skipped at open because they could not be read. */
size_t fidx__warnings_skipped(fidx__warnings_t *st);
size_t fidx__warnings_count(fidx__warnings_t *st);

/* The change lock: held by one analyst's change from reading to storing. */
void fidx__warnings_lock(fidx__warnings_t *st);
void fidx__warnings_unlock(fidx__warnings_t *st);

/* A new warning's id ("w" + creation time + random) and its uuid. */
void fidx__warnings_new_id(fidx__warnings_t *st, int64_t now, char id[FIDX__WARNING_ID_LEN + 1],
                           char uuid[37]);

/* A copy of warning id into out (dispose it). 0, FIDX_ENOTFOUND, FIDX_ENOMEM. */
FIDX_MUST_CHECK int fidx__warnings_get(fidx__warnings_t *st, const char *id, size_t len,
                                       fidx__warning_t *out);

/* Stores w's state (copied): durably appended, then in memory and in a new public view. A
 * state not newer than the one held (rev) changes nothing (a replayed record) and returns 0.
 * FIDX_ELIMIT when FIDX__WARNINGS_MAX are held and w is new; FIDX_EIO (not writable, or the
 * write failed: nothing changed); FIDX_ENOMEM. */
FIDX_MUST_CHECK int fidx__warnings_put(fidx__warnings_t *st, const fidx__warning_t *w,
                                       fidx_err_t *err);

/* Calls cb for each warning (drafts too), newest created first, under the store's mutex; a
 * nonzero return stops. */
typedef int (*fidx__warnings_cb)(const fidx__warning_t *w, void *ctx);
void fidx__warnings_each(fidx__warnings_t *st, fidx__warnings_cb cb, void *ctx);

/* The public view's version (one atomic load; any thread), and the view itself with a
 * reference taken (release it with fidx__warnings_view_release). */
uint64_t fidx__warnings_version(fidx__warnings_t *st);
fidx__warnings_view_t *fidx__warnings_current(fidx__warnings_t *st);

#endif
