/* Look-alike links: whether a host that no entry matched imitates an allowlisted site, and
 * whether it is a link shortener (whose destination we cannot see).
 *
 * An index is built once per snapshot from its allowlisted `domain` entries and whole-site
 * `url` entries (fidx_lookalike_add_snapshot), plus any allowlisted value added live
 * (fidx_lookalike_add); after that it is only read, so any number of threads may check
 * against it without a lock. To change it, build a new one and swap it in, as with
 * snapshots. What is flagged, and why (docs/ARCHITECTURE.md, "Look-alike links"):
 *
 *  - domain_labels: an allowlisted domain used as labels of another host
 *    ("vietcombank.com.vn.xac-minh.top", "dichvucong.gov.vn-xyz.com");
 *  - brand: a brand (the registrable label of an allowlisted domain, "vietcombank" of
 *    vietcombank.com.vn, and for a bank the code and name the bank table gives, "vcb",
 *    "tpbank") as a whole token of another host's labels, split on '-' and digits
 *    ("vietcombank-xacminh.top", "xacminh-vietcombank.com", "acb-vn.com", "mb247.top");
 *  - brand_affix: a bank's name of FIDX_LOOKALIKE_AFFIX_MIN letters or more glued to other
 *    letters of a token ("vayvietcombank.com.vn"; "tpbankvn.com", at the start only for a
 *    code and "bank");
 *  - confusable: any of these once both sides are folded to their confusable skeletons
 *    (UTS #39, with marks dropped and "w" as "vv"): "vietc0mbank.com.vn",
 *    "vietcornbank.com.vn", Cyrillic letters, Vietnamese diacritics on a brand;
 *  - shortener (fidx_lookalike_shortener): bit.ly, tinyurl.com, … and their subdomains.
 *
 * Never flagged: an allowlisted domain, its registrable domain and their subdomains; hosts
 * under gov.vn (registered only by state bodies); IP addresses. Generic words (bank, online,
 * login, vn, …) never count as brands, and brands of three letters or fewer match only as
 * whole tokens. */
#ifndef FIDX_LOOKALIKE_H
#define FIDX_LOOKALIKE_H

#include <stddef.h>

#include "fidx/error.h"
#include "fidx/kind.h"
#include "fidx/overlay.h"
#include "fidx/snapshot.h"
#include "fidx/str.h"

/* Allowlisted sites one index holds; adding more is FIDX_ELIMIT. */
#define FIDX_LOOKALIKE_MAX_ENTRIES 16384
/* Longest public label kept per entry, bytes (longer ones are cut at a UTF-8 boundary). */
#define FIDX_LOOKALIKE_MAX_LABEL 256
/* Banks' names at least this long also match glued to other letters of a token. */
#define FIDX_LOOKALIKE_AFFIX_MIN 6

typedef enum {
    FIDX_LOOKALIKE_NONE = 0,
    FIDX_LOOKALIKE_DOMAIN_LABELS,
    FIDX_LOOKALIKE_BRAND,
    FIDX_LOOKALIKE_BRAND_AFFIX,
    FIDX_LOOKALIKE_CONFUSABLE,
    FIDX_LOOKALIKE_SHORTENER
} fidx_lookalike_rule_t;

/* What a check found. Strings are borrowed from the index (from static storage for a
 * shortener) until it is freed. */
typedef struct {
    fidx_lookalike_rule_t rule;
    fidx_kind_t kind; /* of the imitated entry: domain or url */
    fidx_str_t value; /* the imitated entry's value: "vietcombank.com.vn", "tpb.vn/" */
    fidx_str_t label; /* its public label; empty when it has none */
    fidx_str_t brand; /* what was recognised: "vietcombank", "tpb.vn", "bit.ly" */
} fidx_lookalike_match_t;

typedef struct fidx_lookalike fidx_lookalike_t;

/* An empty index. Caller owns *out; free with fidx_lookalike_free. FIDX_ENOMEM, or FIDX_EIO
 * when no Public Suffix List can be loaded. */
FIDX_MUST_CHECK int fidx_lookalike_new(fidx_lookalike_t **out, fidx_err_t *err);
void fidx_lookalike_free(fidx_lookalike_t *la);

/* Adds one allowlisted value in storage form: a domain ("vietcombank.com.vn") or a url
 * entry; only whole-site url entries ("tpb.vn/") are used, since a page on a shared host
 * (sites.google.com/view/…) says nothing of the host's owner. Other kinds, url entries with
 * a path, IP addresses and public suffixes are ignored (0). label[0..label_len) is the
 * entry's public label (may be empty). Not to be called while another thread checks. 0,
 * FIDX_EINVAL (not a host name), FIDX_ELIMIT, FIDX_ENOMEM. */
FIDX_MUST_CHECK int fidx_lookalike_add(fidx_lookalike_t *la, fidx_kind_t kind, const char *value,
                                       size_t len, const char *label, size_t label_len,
                                       fidx_err_t *err);

/* Adds every allowlisted domain and url entry of a snapshot. */
FIDX_MUST_CHECK int fidx_lookalike_add_snapshot(fidx_lookalike_t *la, const fidx_snapshot_t *s,
                                                fidx_err_t *err);

/* Adds every allowlisted domain and url entry as lookups see them now: the snapshot's (s),
 * except values the live overlay ov has changed or delisted, then the overlay's visible
 * allowlisted ones. ov NULL: fidx_lookalike_add_snapshot. The caller is an online reader of ov
 * (fidx/overlay.h) or holds its writers' lock. Labels come with the entries. */
FIDX_MUST_CHECK int fidx_lookalike_add_view(fidx_lookalike_t *la, const fidx_snapshot_t *s,
                                            const fidx_overlay_t *ov, fidx_err_t *err);

/* Number of allowlisted sites and of brands the index holds. */
size_t fidx_lookalike_count(const fidx_lookalike_t *la);
size_t fidx_lookalike_brand_count(const fidx_lookalike_t *la);

/* Checks a host in canonical form (lower-case ASCII, IDN labels in punycode, no trailing
 * dot, as fidx_domain_normalize and the host of a canonical URL give it). 1 and *out filled
 * when it imitates an allowlisted site, 0 when not, FIDX_EINVAL when host is not a canonical
 * host name. No allocation, no lock. */
FIDX_MUST_CHECK int fidx_lookalike_check(const fidx_lookalike_t *la, const char *host, size_t len,
                                         fidx_lookalike_match_t *out);

/* Whether a host is a link shortener's: 1 and *out filled (rule shortener, brand the
 * shortener's domain), or 0. */
int fidx_lookalike_shortener(const char *host, size_t len, fidx_lookalike_match_t *out);

/* Both checks on the canonical value of a lookup (fidx_result_t's canonical and kind): the
 * host of a url, or a domain; other kinds and IP hosts answer 0. Imitation first, then
 * shortener. 1 and *out filled, or 0. This is what /v1/check runs when a url or domain
 * lookup found nothing. */
int fidx_lookalike_check_canonical(const fidx_lookalike_t *la, fidx_kind_t kind, const char *canon,
                                   size_t len, fidx_lookalike_match_t *out);

/* "domain_labels", "brand", "brand_affix", "confusable", "shortener" ("none" for NONE). */
const char *fidx_lookalike_rule_name(fidx_lookalike_rule_t rule);

/* JSON members for an answer, without braces: "reason":"imitates","imitates":{"value":…,
 * "kind":…,"rule":…[,"label":…]} or "reason":"shortener","shortener":"bit.ly". Returns the
 * length, or 0 when cap is too small (FIDX_LOOKALIKE_JSON_MAX always suffices: a value is a
 * host and "/", a label at most FIDX_LOOKALIKE_MAX_LABEL bytes, each escaped 6 bytes a byte
 * at worst). */
#define FIDX_LOOKALIKE_JSON_MAX (6 * (256 + FIDX_LOOKALIKE_MAX_LABEL) + 128)
size_t fidx_lookalike_json_members(const fidx_lookalike_match_t *m, char *out, size_t cap);

#endif
