/* Indicator kinds, statuses and categories: the vocabulary of the contract (shared/API.md). */
#ifndef FIDX_KIND_H
#define FIDX_KIND_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"

typedef enum {
    FIDX_KIND_PHONE = 0,
    FIDX_KIND_BANK_ACCOUNT,
    FIDX_KIND_URL,
    FIDX_KIND_DOMAIN,
    FIDX_KIND_SOCIAL,
    FIDX_KIND_EMAIL,
    FIDX_KIND_COUNT,
    FIDX_KIND_NONE = -1
} fidx_kind_t;

/* Ordered by strength: when entries merge, the larger value wins. */
typedef enum {
    FIDX_STATUS_REPORTED = 0,
    FIDX_STATUS_CONFIRMED = 1,
    FIDX_STATUS_ALLOWLISTED = 2,
    FIDX_STATUS_COUNT
} fidx_status_t;

/* X(enum suffix, name) — bit i of a categories mask is the i-th entry. */
#define FIDX_CATEGORY_MAP(X)                                                                       \
    X(IMPERSONATION, "impersonation")                                                              \
    X(TASK_JOB, "task_job")                                                                        \
    X(INVESTMENT, "investment")                                                                    \
    X(LOAN, "loan")                                                                                \
    X(ROMANCE, "romance")                                                                          \
    X(SHOPPING, "shopping")                                                                        \
    X(ACCOUNT_TAKEOVER, "account_takeover")                                                        \
    X(PHISHING, "phishing")                                                                        \
    X(MALWARE_APP, "malware_app")                                                                  \
    X(RECOVERY, "recovery")                                                                        \
    X(GAMBLING, "gambling")                                                                        \
    X(OTHER, "other")

enum {
#define FIDX_CAT_ENUM(e, name) FIDX_CAT_##e,
    FIDX_CATEGORY_MAP(FIDX_CAT_ENUM)
#undef FIDX_CAT_ENUM
        FIDX_CAT_COUNT
};

typedef enum {
    FIDX_VERDICT_UNKNOWN = 0,
    FIDX_VERDICT_SUSPICIOUS,
    FIDX_VERDICT_SCAM,
    FIDX_VERDICT_SAFE
} fidx_verdict_t;

/* Names as the contract spells them ("bank_account", "confirmed", "task_job", "scam"). */
const char *fidx_kind_name(fidx_kind_t kind);
const char *fidx_status_name(fidx_status_t status);
const char *fidx_category_name(int category);
const char *fidx_verdict_name(fidx_verdict_t verdict);

/* Parse a name (exact, lower-case); FIDX_EINVAL when it is not in the vocabulary. */
FIDX_MUST_CHECK int fidx_kind_parse(const char *p, size_t len, fidx_kind_t *out);
FIDX_MUST_CHECK int fidx_status_parse(const char *p, size_t len, fidx_status_t *out);
FIDX_MUST_CHECK int fidx_category_parse(const char *p, size_t len, int *out);

/* Parses a ';'-separated list of categories (spaces around names allowed, empty list allowed)
 * into a bit mask. FIDX_EINVAL with err->reason on an unknown name. */
FIDX_MUST_CHECK int fidx_categories_parse(const char *p, size_t len, uint16_t *mask,
                                          fidx_err_t *err);

/* Flags of fidx_categories_from_json. */
#define FIDX_CATEGORIES_SKIP_UNKNOWN 1u /* free-form labels: keep the names, skip the rest */

/* Reads a JSON array of category names (jansson's json_t; NULL for an absent member) into a
 * bit mask: *mask is set to the categories named (0 for NULL or an empty array). Without
 * flags, FIDX_EINVAL when arr is not an array ("categories must be an array of names") or a
 * member is not a string naming a category ("unknown category", err->offset its index); *mask
 * is then unchanged. With FIDX_CATEGORIES_SKIP_UNKNOWN, other members (and a non-array) are
 * skipped and it does not fail. */
struct json_t;
FIDX_MUST_CHECK int fidx_categories_from_json(const struct json_t *arr, unsigned flags,
                                              uint16_t *mask, fidx_err_t *err);

#endif
