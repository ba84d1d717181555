/* Citizens' reports waiting for an analyst: a durable, append-only store.
 *
 * A report is a scam report (someone says a value is used to scam) or a dispute (someone says
 * a listed value is wrong). On disk: DATA_DIR/reports.jsonl, one JSON object a line, never
 * rewritten. Two kinds of line:
 *   {"type":"report","id":"…","time":"2026-11-27T21:33:03Z","kind":"phone",
 *    "value":"+84912345678","query":"0912 345 678","category":"impersonation","description":"…"
 *    [,"report_type":"dispute"][,"channel":"zalo"][,"date":"2026-11-26"][,"amount_vnd":5000000]
 *    [,"contact":"…"][,"reporter":"bot-name"]}
 *   {"type":"decision","id":"…","time":"…","action":"approve","by":"analyst-name",
 *    "status":"confirmed","categories":["impersonation"],"reason":"…"}
 * The optional members are written only when set (a scam report without them reads as it
 * always did, and older code reading a newer file ignores them); a dispute's decision is
 * "uphold" or "reject".
 * The store's state is the replay of the file at open: a report is pending until a decision
 * line names it. Each line is written with one write(2) and fdatasync'ed before the call that
 * wrote it returns, so a report acknowledged with 202 survives a crash or kill -9. A torn last
 * line (a crash in the middle of a write) is cut off at open; any other line that cannot be
 * read is skipped and counted (fidx__reports_skipped), never fatal.
 *
 * The store is also kept in memory: every pending report (at most max_pending wait at once,
 * and intake is rate-limited per client address), and the newest max_pending decided ones
 * (up to twice that between passes that drop the older ones). A decided report dropped from
 * memory stays in the file and is "not found" here. One mutex guards it: this is not the
 * lookup hot path. Every function may be called from any thread.
 *
 * Report ids: "r" + 8 hex digits of the creation time (seconds) + 4 of a per-store counter +
 * 16 of random bits (getrandom): unique, sortable by time, and not guessable. */
#ifndef FIDX_SERVICE_REPORTS_H
#define FIDX_SERVICE_REPORTS_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"
#include "fidx/kind.h"
#include "base/sbuf.h"

#define FIDX__REPORT_ID_LEN 29            /* "r" + 8 + 4 + 16 hex digits */
#define FIDX__REPORT_DESCRIPTION_MAX 4096 /* bytes of UTF-8; the routes also bound characters */
#define FIDX__REPORT_BY_MAX 64            /* an analyst's (token) name */
#define FIDX__REPORT_REASON_MAX 1024
#define FIDX__REPORT_CONTACT_MAX 256 /* bytes of a dispute's contact (a phone, an e-mail) */
#define FIDX__REPORT_REPORTER_MAX 64 /* an API key's name (admin/apikeys.h) */
#define FIDX__REPORT_AMOUNT_MAX 1000000000000000LL /* VND: 10^15 */
#define FIDX__DEFAULT_MAX_PENDING_REPORTS 10000
#define FIDX__DEFAULT_MAX_PENDING_PER_NETWORK 100 /* pending reports from one /48 or /24 */
typedef enum { FIDX__REPORT_SCAM = 0, FIDX__REPORT_DISPUTE = 1 } fidx__report_type_t;

/* Where the scam reached the person. */
typedef enum {
    FIDX__CHANNEL_CALL = 0,
    FIDX__CHANNEL_SMS,
    FIDX__CHANNEL_ZALO,
    FIDX__CHANNEL_FACEBOOK,
    FIDX__CHANNEL_TELEGRAM,
    FIDX__CHANNEL_WEB,
    FIDX__CHANNEL_OTHER,
    FIDX__CHANNEL_COUNT
} fidx__channel_t;

/* err->reason of fidx__reports_add's FIDX_ELIMIT when the whole queue is full (the other
 * FIDX_ELIMIT is one network's share). */
#define FIDX__REPORTS_FULL "too many reports waiting for review"

typedef struct fidx__reports fidx__reports_t;

typedef enum {
    FIDX__REPORT_PENDING = 0,
    FIDX__REPORT_APPROVED,
    FIDX__REPORT_REJECTED,
} fidx__report_state_t;

/* What a citizen sent, after validation by the route (value already normalised). */
typedef struct {
    fidx_kind_t kind;
    const char *value; /* canonical form, as fidx_normalize gives it */
    size_t value_len;
    const char *query; /* the value as typed */
    size_t query_len;
    int category;            /* FIDX_CAT_*, or -1 for none */
    const char *description; /* valid UTF-8, may be empty */
    size_t description_len;
    /* The sender's networks (reports/netaddr.h: the /64 and the /48, IPv4 /32 and /24), 16
     * bytes each, or NULL when unknown. Stored only as salted hashes ("net", "wide"). */
    const uint8_t *net_key, *wide_key;
    /* Optional: a report left zero-initialised says none of them. */
    fidx__report_type_t type; /* FIDX__REPORT_SCAM unless a dispute */
    int has_channel;
    fidx__channel_t channel;
    uint16_t date; /* fidx_day_t of when it happened; 0: not said */
    int has_amount;
    int64_t amount_vnd;  /* money lost or asked for, 0..FIDX__REPORT_AMOUNT_MAX */
    const char *contact; /* a dispute's way to reach the person, valid UTF-8; NULL: none */
    size_t contact_len;
    const char *reporter; /* the API key it came with (its name, NUL-terminated); NULL: none.
                           * Shown to analysts, never to the public. */
} fidx__report_input_t;

/* An analyst's decision on a report. */
typedef struct {
    fidx__report_state_t action; /* FIDX__REPORT_APPROVED or FIDX__REPORT_REJECTED */
    const char *by;              /* who decided (token name), NUL-terminated */
    int has_status;              /* approve: the status the indicator gets */
    fidx_status_t status;
    uint16_t categories; /* approve: the indicator's categories (mask) */
    const char *reason;  /* NUL-terminated, may be NULL */
} fidx__report_decision_t;

/* A report as the store holds it. Borrowed: valid only inside the callback it is given to. */
typedef struct {
    fidx__report_type_t type;
    int channel; /* -1: none */
    uint16_t date;
    int64_t amount_vnd;  /* -1: none */
    const char *contact; /* NULL: none */
    size_t contact_len;
    const char *reporter; /* NUL-terminated; NULL: none */
    char id[FIDX__REPORT_ID_LEN + 1];
    uint64_t seq;    /* position in the file's order, from 1: the paging cursor */
    int64_t created; /* seconds since the epoch */
    fidx_kind_t kind;
    const char *value, *query, *description; /* NUL-terminated */
    size_t value_len, query_len, description_len;
    int category; /* -1: none */
    fidx__report_state_t state;
    /* Set once decided. */
    int64_t decided;
    const char *decided_by, *reason; /* NUL-terminated; reason may be NULL */
    int has_status;
    fidx_status_t status;
    uint16_t categories;
} fidx__report_t;

/* Called for each report listed; return non-zero to stop early (FIDX__REPORT_SKIP: go on, but
 * the report is not listed and not counted). Runs with the store's lock held: it must not
 * call back into the store. */
typedef int (*fidx__report_cb)(const fidx__report_t *r, void *ctx);
#define FIDX__REPORT_SKIP 2

/* Opens (creating it, and dir with mode 0700, when missing) dir/reports.jsonl and replays it.
 * max_pending: how many reports may wait at once before fidx__reports_add refuses more, and
 * how many decided ones are kept in memory (see above).
 * Returns 0, or FIDX_EIO with err->reason ("cannot create the data directory", …; errno is
 * left set for the caller's message), FIDX_ENOMEM. Caller owns *out; free with
 * fidx__reports_free. */
FIDX_MUST_CHECK int fidx__reports_open(const char *dir, size_t max_pending, fidx__reports_t **out,
                                       fidx_err_t *err);
void fidx__reports_free(fidx__reports_t *st);

/* Appends a new pending report, durably (fdatasync) before returning. id_out receives its id
 * (FIDX__REPORT_ID_LEN + 1 bytes). now: seconds since the epoch.
 * A report of the same kind and value from the same /64 as one still pending is not stored
 * again: id_out receives the pending one's id and *merged (when not NULL) is set. So a
 * citizen's retry after an answer that never came, or a flood of one value, adds nothing.
 * Returns 0; FIDX_EINVAL for input the store refuses (err->reason); FIDX_ELIMIT when
 * max_pending reports are already waiting, or the sender's /48 has max_per_network of them
 * (err->reason says which); FIDX_EIO when the file cannot be written (nothing of the report
 * is then kept, in memory or on disk); FIDX_ENOMEM. */
FIDX_MUST_CHECK int fidx__reports_add(fidx__reports_t *st, const fidx__report_input_t *in,
                                      int64_t now, char *id_out, int *merged, fidx_err_t *err);

/* How many pending reports one /48 (IPv4 /24) may have (default
 * FIDX__DEFAULT_MAX_PENDING_PER_NETWORK), so that one network cannot fill the queue. */
void fidx__reports_set_network_cap(fidx__reports_t *st, size_t max_per_network);

/* Records an analyst's decision on report id, durably, and marks the report decided (and no
 * longer claimed). Returns 0; FIDX_ENOTFOUND when there is no such report; FIDX_EINVAL when it
 * is already decided or the decision is malformed (err->reason); FIDX_EIO; FIDX_ENOMEM. */
FIDX_MUST_CHECK int fidx__reports_decide(fidx__reports_t *st, const char *id, size_t id_len,
                                         const fidx__report_decision_t *d, int64_t now,
                                         fidx_err_t *err);

/* Several decisions at once (a bulk decision): their lines written with one write and one
 * fdatasync. rc[i] receives each one's result as fidx__reports_decide would return it. Returns
 * FIDX_EIO when the lines could not be written (none is then recorded), else 0. */
FIDX_MUST_CHECK int fidx__reports_decide_many(fidx__reports_t *st, const char *const *ids,
                                              const fidx__report_decision_t *d, size_t n,
                                              int64_t now, int *rc);

/* Claims pending report id for a decision being made elsewhere (the analysts' log first): a
 * claimed report cannot be claimed again until fidx__reports_unclaim or a decision. cb (may be
 * NULL) sees the report. Returns 0; FIDX_ENOTFOUND; FIDX_EINVAL when it is decided already (cb
 * sees it); FIDX_ELIMIT when it is claimed already. Claims live in memory only. */
FIDX_MUST_CHECK int fidx__reports_claim(fidx__reports_t *st, const char *id, size_t id_len,
                                        fidx__report_cb cb, void *ctx);
void fidx__reports_unclaim(fidx__reports_t *st, const char *id, size_t id_len);

/* Calls cb for up to limit reports in state, in file order, starting after the report whose
 * seq is `after` (0: from the first); reports cb skips are not counted. *next receives the
 * seq to pass as `after` for the next page, or 0 when there are no more. Returns how many
 * reports were listed. */
size_t fidx__reports_list(fidx__reports_t *st, fidx__report_state_t state, uint64_t after,
                          size_t limit, fidx__report_cb cb, void *ctx, uint64_t *next);

/* Calls cb for report id. Returns 0, or FIDX_ENOTFOUND. */
FIDX_MUST_CHECK int fidx__reports_get(fidx__reports_t *st, const char *id, size_t id_len,
                                      fidx__report_cb cb, void *ctx);

/* Calls cb for the reports of (kind, value) held in memory, in file order: with pending_only,
 * the pending ones (from the value's group: no scan). Returns how many. */
size_t fidx__reports_of_value(fidx__reports_t *st, fidx_kind_t kind, const char *value, size_t len,
                              int pending_only, fidx__report_cb cb, void *ctx);

/* A group of the review queue: every pending report of one value. */
typedef struct {
    fidx_kind_t kind;
    const char *value; /* canonical, NUL-terminated */
    size_t value_len;
    uint64_t cursor; /* pass as `after` to go on after this group */
    size_t count, disputes;
    int64_t first, last; /* when its oldest and newest pending reports came */
} fidx__report_group_t;

/* What the grouped listing does with each group: `group` decides whether it is listed (0) or
 * skipped (nonzero); a listed one then gets up to `members_max` of its pending reports, newest
 * first, through `member`, and `end`. All run with the store's lock held. */
typedef struct {
    int (*group)(const fidx__report_group_t *g, void *ctx);
    void (*member)(const fidx__report_t *r, void *ctx);
    void (*end)(const fidx__report_group_t *g, void *ctx);
    size_t members_max;
    void *ctx;
} fidx__group_visit_t;

/* Visits up to limit groups of the queue in the order they opened (a value's group opens with
 * its first pending report), from the first opened after `after` (0: the first); with
 * disputes_only, only groups holding a dispute. *next: the cursor for the next page, or 0. With
 * kind not FIDX_KIND_NONE, only groups of that kind. Returns how many were listed. */
size_t fidx__reports_groups(fidx__reports_t *st, uint64_t after, size_t limit, int disputes_only,
                            fidx_kind_t kind, const fidx__group_visit_t *v, uint64_t *next);
/* The group of one value, visited alike. 0 when the value has no pending report. */
int fidx__reports_group(fidx__reports_t *st, fidx_kind_t kind, const char *value, size_t len,
                        const fidx__group_visit_t *v);

/* Reports in each state now; lines skipped at open because they could not be read. */
void fidx__reports_counts(fidx__reports_t *st, size_t *pending, size_t *approved, size_t *rejected);
/* Pending disputes (of the pending reports), and decisions recorded since the store opened:
 * approvals of scam reports, rejections, disputes upheld. */
void fidx__reports_backlog(fidx__reports_t *st, size_t *disputes, uint64_t *approved,
                           uint64_t *rejected, uint64_t *upheld);
size_t fidx__reports_skipped(fidx__reports_t *st);

/* A report as a JSON object (the file's fields, "type" for the report's type, "state", and for a
 * decided report "decided_at", "decided_by", "status", "categories", "reason"), for the
 * analysts' API. */
void fidx__report_json(fidx__sbuf_t *out, const fidx__report_t *r);

/* "pending", "approved", "rejected"; parse: FIDX_EINVAL for anything else. */
const char *fidx__report_state_name(fidx__report_state_t s);
FIDX_MUST_CHECK int fidx__report_state_parse(const char *p, size_t len, fidx__report_state_t *s);

/* "scam", "dispute"; "call", "sms", "zalo", "facebook", "telegram", "web", "other". Parse:
 * FIDX_EINVAL for anything else. */
const char *fidx__report_type_name(fidx__report_type_t t);
FIDX_MUST_CHECK int fidx__report_type_parse(const char *p, size_t len, fidx__report_type_t *t);
const char *fidx__report_channel_name(int c);
FIDX_MUST_CHECK int fidx__report_channel_parse(const char *p, size_t len, int *c);

#endif
