/* One warning to the public (issue 19): what a police unit or analyst writes about a scam going
 * round — title and text in Vietnamese (English optional), the scam's category, the provinces
 * it concerns (or the whole country), example indicators, advice, a validity period and a
 * severity — and its life: draft → published → retracted (with a reason).
 *
 * A warning is always handled whole: the data file and the write-ahead log hold its whole
 * state after each change (rev counts the changes), so replaying a line twice changes nothing
 * and the newest rev wins. Its JSON (fidx__warning_json) is that line and the API's object.
 *
 * Every string read from outside is bounded (the FIDX__WARNING_*_MAX below, in bytes of UTF-8)
 * and checked before it is kept; a bad field is answered with err->reason naming it. */
#ifndef FIDX_SERVICE_WARNING_H
#define FIDX_SERVICE_WARNING_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/sbuf.h"
#include "fidx/error.h"
#include "fidx/kind.h"

#define FIDX__WARNING_ID_LEN 17 /* "w" + 16 hex digits: 8 of the creation time, 8 random */
#define FIDX__WARNING_TITLE_MAX 300
#define FIDX__WARNING_TEXT_MAX 8192
#define FIDX__WARNING_ADVICE_MAX 4096
#define FIDX__WARNING_ISSUER_MAX 200 /* the unit that issues it: "Công an tỉnh Hà Tĩnh" */
#define FIDX__WARNING_REASON_MAX 1024
#define FIDX__WARNING_BY_MAX 64
#define FIDX__WARNING_INDICATORS_MAX 20
#define FIDX__WARNING_LINE_MAX                                                                     \
    (64 * 1024) /* one warning's JSON, well above the sum of the above                             \
                 */

typedef enum {
    FIDX__WARNING_DRAFT = 0,
    FIDX__WARNING_PUBLISHED,
    FIDX__WARNING_RETRACTED
} fidx__warning_state_t;

typedef enum {
    FIDX__SEVERITY_LOW = 0,
    FIDX__SEVERITY_MEDIUM,
    FIDX__SEVERITY_HIGH
} fidx__severity_t;

typedef struct {
    fidx_kind_t kind;
    char *value; /* canonical (fidx_normalize), NUL-terminated; owned */
    size_t len;
} fidx__warning_ind_t;

/* Languages of a warning's texts: [0] Vietnamese (required), [1] English (NULL: none). */
enum { FIDX__WL_VI = 0, FIDX__WL_EN = 1 };

typedef struct {
    char id[FIDX__WARNING_ID_LEN + 1];
    char uuid[37]; /* its Atom id, urn:uuid: (random, fixed at creation) */
    uint32_t rev;  /* 1 at creation, +1 per change */
    fidx__warning_state_t state;
    int64_t created, updated, published, retracted; /* seconds since the epoch; 0: not yet */
    int64_t valid_from, valid_until;                /* 0: from publication / no end */
    int category;                                   /* FIDX_CAT_*, -1: none */
    fidx__severity_t severity;
    int national;                         /* concerns the whole country */
    uint64_t regions;                     /* bit i: provinces.h's province i */
    char *title[2], *text[2], *advice[2]; /* owned, NUL-terminated; NULL: none */
    char *issuer, *reason, *by;           /* owned; NULL: none */
    size_t n_ind;
    fidx__warning_ind_t ind[FIDX__WARNING_INDICATORS_MAX];
} fidx__warning_t;

/* Frees what w owns and zeroes it. */
void fidx__warning_dispose(fidx__warning_t *w);
/* A deep copy of src into dst (uninitialised). 0 or FIDX_ENOMEM. */
FIDX_MUST_CHECK int fidx__warning_copy(fidx__warning_t *dst, const fidx__warning_t *src);

/* Applies an analyst's fields (a JSON object: title, text, advice as {"vi","en"} or a string
 * for Vietnamese; category; regions, an array of province codes or ["all"]; indicators, an
 * array of values or {"value","kind"}; valid_from, valid_until as "YYYY-MM-DD" or
 * "YYYY-MM-DDTHH:MM:SSZ"; severity "low"|"medium"|"high"; issuer) to w. Members absent keep
 * their value; null clears an optional one. Unknown members are refused (a typo must not be
 * silently dropped). 0, FIDX_EINVAL with err->reason, FIDX_ENOMEM. */
FIDX_MUST_CHECK int fidx__warning_set(fidx__warning_t *w, json_t *o, fidx_err_t *err);

/* Whether w is whole enough to exist (a Vietnamese title and text, a region; valid_until
 * after valid_from). 0 or FIDX_EINVAL with err->reason. */
FIDX_MUST_CHECK int fidx__warning_check(const fidx__warning_t *w, fidx_err_t *err);

/* Reads a whole warning (its JSON as fidx__warning_json writes it: a data file's line, a log
 * record) into w (uninitialised; disposed on failure). 0, FIDX_EINVAL / FIDX_ECORRUPT with
 * err->reason, FIDX_ENOMEM. */
FIDX_MUST_CHECK int fidx__warning_parse(const char *p, size_t len, fidx__warning_t *w,
                                        fidx_err_t *err);

/* w as one JSON object, no newline. The public's (public_view) leaves out which analyst's
 * token made the last change ("by"). */
void fidx__warning_json(fidx__sbuf_t *out, const fidx__warning_t *w, int public_view);

/* Whether w concerns province index p (or the whole country). */
int fidx__warning_in_region(const fidx__warning_t *w, int p);
/* Whether w is published and now is within its validity. */
int fidx__warning_current(const fidx__warning_t *w, int64_t now);

const char *fidx__warning_state_name(fidx__warning_state_t s);
const char *fidx__severity_name(fidx__severity_t s);

/* "2026-12-03T07:40:28Z" (21 bytes with NUL). */
void fidx__warning_time(int64_t t, char out[21]);
/* "YYYY-MM-DDTHH:MM:SSZ", or "YYYY-MM-DD" (the start of that day in Vietnam, UTC+7; with
 * end_of_day its last second). 0 or FIDX_EINVAL. */
FIDX_MUST_CHECK int fidx__warning_parse_time(const char *s, size_t len, int end_of_day,
                                             int64_t *out);

#endif
