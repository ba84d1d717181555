/* Lookup: one query value → its kind, canonical form, verdict and the entry that decided.
 *
 * A value can be several indicators at once and is checked as each (shared/API.md, "Status,
 * categories, verdicts"): a URL also against the domain entries of its host and every parent
 * domain, a profile link also as its social account, zalo.me/<phone> also as the phone. The
 * most specific matching entry decides; between equally specific entries allowlisted wins,
 * then confirmed, then reported. Allocation-free: the result lives in caller storage. */
#ifndef FIDX_LOOKUP_H
#define FIDX_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/emvco.h"
#include "fidx/error.h"
#include "fidx/indicator.h"
#include "fidx/kind.h"
#include "fidx/lookalike.h"
#include "fidx/overlay.h"
#include "fidx/snapshot.h"
#include "fidx/str.h"

/* The entry that decided a verdict. Strings are borrowed from the snapshot or the overlay (or
 * from the result's own buffer for values that are formatted, such as phone numbers). */
typedef struct {
    fidx_kind_t kind;
    fidx_str_t value; /* storage form: "+84912345678", "evil.example/", "970436:0123…" */
    fidx_status_t status;
    uint16_t categories;
    uint32_t reports;
    fidx_day_t first_seen, last_seen;
    uint8_t n_sources;
    fidx_str_t sources[FIDX_MAX_SOURCES];
    fidx_str_t label; /* the entry's public label ("Vietcombank — tổng đài chính thức"); empty
                       * when it has none. Never the analysts' note. */
    char value_buf[32];
} fidx_match_t;

typedef struct {
    fidx_kind_t kind; /* the kind the query was read as */
    fidx_verdict_t verdict;
    int has_match;
    fidx_match_t match;
    /* Set by fidx_check_lookalike (fidx_check clears it): a url or domain nothing matched that
     * imitates an allowlisted site (verdict suspicious) or is a link shortener's (verdict
     * still unknown). Strings borrowed from the index until it is freed. */
    int has_lookalike;
    fidx_lookalike_match_t lookalike;
    /* The query was a VietQR payload (fidx/emvco.h), checked as the bank account it names.
     * qr's strings point into qr_text, the result's own copy of the payload, so they live as
     * long as the result, whatever becomes of the query's buffer. */
    int has_qr;
    fidx_emvco_t qr;
    char qr_text[FIDX_EMVCO_MAX_LEN];
    size_t canonical_len;
    char canonical[FIDX_CANON_CAP];
    uint64_t prefetch_key; /* private to fidx_check_start/_prefetch: a phone's sort key, or 0 */
} fidx_result_t;

/* Whether q[0..len) is to be read as a VietQR payload: it starts "000201" and is not a bare
 * number short enough to be an account (a payload is at least 40 bytes with letters). */
int fidx_check_is_payload(const char *q, size_t len);

/* Checks q[0..len) read as kind (FIDX_KIND_NONE: detect) against the snapshot and the live
 * overlay ov (NULL: the snapshot alone; an overlay entry replaces the snapshot's entry of the
 * same kind and value, a delisting hides it). platform is the social platform hint or NULL.
 * FIDX_EINVAL (err->reason) when the value cannot be read as the kind; the result is then
 * undefined. A VietQR payload (fidx_check_is_payload), with kind NONE or bank_account, is
 * parsed (its CRC and structure checked: FIDX_EINVAL with the parser's reason) and its account
 * checked as a bank account, res->has_qr set. With an overlay the caller must be an online reader
 * of it (fidx/overlay.h) until it is done with the result, whose strings may be borrowed from the
 * overlay. */
FIDX_MUST_CHECK int fidx_check(const fidx_snapshot_t *s, const fidx_overlay_t *ov, fidx_kind_t kind,
                               const char *platform, const char *q, size_t len, fidx_result_t *res,
                               fidx_err_t *err);

/* fidx_check in steps, so that a batch overlaps the cache misses of many lookups (a lookup
 * in a large snapshot waits on two: the bucket directory, then the bucket's fingerprints and
 * records). fidx_check_start reads q into res (the same errors as fidx_check) and, for a phone
 * number, prefetches its directory entry; fidx_check_prefetch, optional, reads that entry and
 * prefetches the bucket; fidx_check_finish probes and sets the verdict, as fidx_check would.
 * Start the next values before finishing this one: a prefetch is only a hint, so any order
 * gives the same results, and only an interleaved one is faster. The overlay rule of
 * fidx_check applies to fidx_check_finish. */
FIDX_MUST_CHECK int fidx_check_start(const fidx_snapshot_t *s, fidx_kind_t kind,
                                     const char *platform, const char *q, size_t len,
                                     fidx_result_t *res, fidx_err_t *err);
void fidx_check_prefetch(const fidx_snapshot_t *s, const fidx_result_t *res);
void fidx_check_finish(const fidx_snapshot_t *s, const fidx_overlay_t *ov, fidx_result_t *res);

/* After fidx_check: when nothing matched a url or domain, whether its host imitates a site of
 * the look-alike index la (fidx/lookalike.h) — the verdict becomes suspicious — or is a link
 * shortener's, whose destination cannot be seen — the verdict stays unknown. Either fills
 * res->lookalike and answers 1; otherwise 0 (also when la is NULL). No allocation, no lock. */
int fidx_check_lookalike(const fidx_lookalike_t *la, fidx_result_t *res);

/* The contract's JSON object for a result ({"query":…,"kind":…,"canonical":…,"verdict":…,
 * "match":{…}}, or after the verdict the look-alike members "reason":…; for a VietQR payload
 * also "source":"vietqr","qr":{"bank","bin","account","card","amount","currency","purpose",
 * "name"}), written into out (cap
 * bytes). Returns the length, or 0 when cap is too small (FIDX_CHECK_JSON_MAX is always enough
 * for a query of at most FIDX_MAX_VALUE_LEN bytes). */
#define FIDX_CHECK_JSON_MAX (4 * FIDX_CANON_CAP + FIDX_LOOKALIKE_JSON_MAX)
size_t fidx_result_json(const fidx_result_t *res, const char *query, size_t query_len, char *out,
                        size_t cap);

/* The members of that object after "query" ("kind":…,"canonical":…,"verdict":…[,"match":{…}]),
 * without braces, for callers that add their own members (POST /v1/scan). 0 when cap is too
 * small. */
size_t fidx_result_json_members(const fidx_result_t *res, char *out, size_t cap);

/* "source":"vietqr","qr":{…} for the VietQR payload q (the members a result of a payload
 * carries), for callers that found the payload themselves (a scan's match). 0 when cap is too
 * small; 4,096 bytes are always enough (every field at most 99 bytes). */
size_t fidx_result_qr_json_members(const fidx_emvco_t *q, char *out, size_t cap);

/* The JSON object for a query that failed: {"query":…,"error":{"code":"invalid_value",
 * "message":…}} (batch items) — message from err->reason. */
size_t fidx_error_item_json(const char *query, size_t query_len, const fidx_err_t *err, char *out,
                            size_t cap);

#endif
