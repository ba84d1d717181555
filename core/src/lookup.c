/* Lookup: a query value is normalised, turned into probes (each a kind, a stored form and a
 * specificity), every probe is looked up in the snapshot, and the most specific hit decides,
 * allowlisted before confirmed before reported. No allocation: all state is on the stack or in
 * the caller's result. */
#include "fidx/lookup.h"

#include <string.h>
#include <xxhash.h>

#include "fidx/normalize.h"
#include "fidx/phone.h"
#include "fidx/social.h"
#include "fidx/url.h"
#include "snapshot_internal.h"

/* Specificity: profiles and phones found in a link beat any URL or domain entry; among those
 * a host with more labels beats a shorter one, and on the same host a URL expression (longer
 * path first) beats a domain entry. */
#define SPEC_EXACT (UINT64_C(1) << 40)
#define SPEC_HOST(labels) ((uint64_t)(labels) << 20)

typedef struct {
    int found;
    uint64_t spec;
    unsigned status;
    int kind;
    uint64_t i;
    fidx_match_t *m; /* where a phone hit's value is copied */
} best_t;

/* Keeps entry i of kind if it is more specific than the best so far, or as specific and of a
 * stronger status. A phone hit's value is the phone probed: it is copied now, since phone
 * entries store no string. */
static void consider(best_t *b, const fidx_snapshot_t *s, int kind, uint64_t i, uint64_t spec,
                     const char *probe, size_t probe_len)
{
    fidx_match_t *m = b->m;
    unsigned status = SNAP_REC_STATUS(s->kind[kind].rec[i]);
    if (b->found && (spec < b->spec || (spec == b->spec && status <= b->status)))
        return;
    *b = (best_t){1, spec, status, kind, i, b->m};
    if (kind == FIDX_KIND_PHONE && probe_len < sizeof m->value_buf) {
        memcpy(m->value_buf, probe, probe_len);
        m->value = fidx_str(m->value_buf, probe_len);
    }
}

static void probe_phone(const fidx_snapshot_t *s, const char *canon, size_t len, uint64_t spec,
                        best_t *b)
{
    uint64_t key, first;
    if (fidx_phone_key(canon, len, &key) != 0)
        return;
    if (snap_find(&s->kind[FIDX_KIND_PHONE], snap_phone_sortkey(key), &first))
        consider(b, s, FIDX_KIND_PHONE, first, spec, canon, len);
}

static void probe_string(const fidx_snapshot_t *s, int kind, const char *v, size_t len,
                         uint64_t spec, best_t *b)
{
    const snap_kind_t *k = &s->kind[kind];
    uint64_t first, n = snap_find(k, XXH3_64bits_withSeed(v, len, (XXH64_hash_t)kind), &first);
    for (uint64_t i = first; i < first + n; i++) {
        fidx_str_t got = snap_value(k, i);
        if (got.len == len && memcmp(got.p, v, len) == 0) /* a hit is confirmed, never guessed */
            consider(b, s, kind, i, spec, NULL, 0);
    }
}

/* "BIN:N" matches entries BIN:N and *:N (the exact bank is more specific); "*:N" matches N at
 * every bank, all equally specific. */
static void probe_bank(const fidx_snapshot_t *s, const char *v, size_t len, best_t *b)
{
    const char *colon = memchr(v, ':', len);
    if (!colon)
        return;
    fidx_str_t bin = fidx_str(v, (size_t)(colon - v)),
               digits = fidx_str(colon + 1, len - bin.len - 1);
    const snap_kind_t *k = &s->kind[FIDX_KIND_BANK_ACCOUNT];
    uint64_t first,
        n = snap_find(k, XXH3_64bits_withSeed(digits.p, digits.len, FIDX_KIND_BANK_ACCOUNT),
                      &first);
    for (uint64_t i = first; i < first + n; i++) {
        fidx_str_t got = snap_value(k, i);
        const char *c = memchr(got.p, ':', got.len);
        if (!c || got.len - (size_t)(c - got.p) - 1 != digits.len ||
            memcmp(c + 1, digits.p, digits.len) != 0)
            continue;
        fidx_str_t gbin = fidx_str(got.p, (size_t)(c - got.p));
        int wildcard = gbin.len == 1 && gbin.p[0] == '*';
        int query_any = bin.len == 1 && bin.p[0] == '*';
        int same = gbin.len == bin.len && memcmp(gbin.p, bin.p, bin.len) == 0;
        if (query_any || wildcard || same)
            consider(b, s, FIDX_KIND_BANK_ACCOUNT, i, SPEC_EXACT + (same && !query_any), NULL, 0);
    }
}

static unsigned count_labels(const char *p, size_t len)
{
    unsigned n = 1;
    for (size_t i = 0; i < len; i++)
        n += p[i] == '.';
    return n;
}

/* Domain entries of the host and every parent domain (not the bare top-level label). */
static void probe_domains(const fidx_snapshot_t *s, const char *host, size_t len, best_t *b)
{
    unsigned labels = count_labels(host, len);
    for (size_t i = 0; labels >= 2; labels--) {
        probe_string(s, FIDX_KIND_DOMAIN, host + i, len - i, SPEC_HOST(labels), b);
        const char *dot = memchr(host + i, '.', len - i);
        if (!dot)
            break;
        i = (size_t)(dot - host) + 1;
    }
}

static int is_ipv4(fidx_str_t host)
{
    for (size_t i = 0; i < host.len; i++)
        if (!(host.p[i] == '.' || (host.p[i] >= '0' && host.p[i] <= '9')))
            return 0;
    return host.len > 0;
}

/* A social account found in a link (or given directly); a Zalo account is also its phone. */
static void probe_social(const fidx_snapshot_t *s, const char *v, size_t len, best_t *b)
{
    probe_string(s, FIDX_KIND_SOCIAL, v, len, SPEC_EXACT, b);
    if (len > 5 && memcmp(v, "zalo:", 5) == 0)
        probe_phone(s, v + 5, len - 5, SPEC_EXACT, b);
}

/* A phone number is also its Zalo account. */
static void probe_phone_and_zalo(const fidx_snapshot_t *s, const char *canon, size_t len, best_t *b)
{
    char zalo[40];
    probe_phone(s, canon, len, SPEC_EXACT, b);
    if (canon[0] == '+' && len + 5 < sizeof zalo) {
        memcpy(zalo, "zalo:", 5);
        memcpy(zalo + 5, canon, len);
        probe_string(s, FIDX_KIND_SOCIAL, zalo, len + 5, SPEC_EXACT, b);
    }
}

static void probe_url(const fidx_snapshot_t *s, const char *canon, size_t len, best_t *b)
{
    fidx_url_parts_t parts;
    fidx_url_exprs_t ex;
    if (fidx_url_split(canon, len, &parts) != 0)
        return;
    if (fidx_url_expressions(canon, len, &ex) == 0)
        for (size_t i = 0; i < ex.n; i++)
            probe_string(s, FIDX_KIND_URL, ex.expr[i].p, ex.expr[i].len,
                         SPEC_HOST(ex.host_labels[i]) + 1 + ex.path_len[i], b);
    if (!is_ipv4(parts.host))
        probe_domains(s, parts.host.p, parts.host.len, b);
    char social[FIDX_CANON_CAP];
    size_t n;
    if (fidx_social_from_url(canon, len, social, sizeof social, &n) == 0)
        probe_social(s, social, n, b);
}

/* A domain is also checked as the link "http://domain/" (what a person typing it opens). */
static void probe_domain_query(const fidx_snapshot_t *s, const char *d, size_t len, best_t *b)
{
    char url[FIDX_CANON_CAP];
    if (len + 9 > sizeof url) {
        probe_domains(s, d, len, b);
        return;
    }
    memcpy(url, "http://", 7);
    memcpy(url + 7, d, len);
    url[7 + len] = '/';
    url[8 + len] = '\0';
    probe_url(s, url, len + 8, b);
}

static void fill_match(const fidx_snapshot_t *s, const best_t *b, fidx_result_t *res)
{
    const snap_kind_t *k = &s->kind[b->kind];
    uint64_t rec = k->rec[b->i];
    fidx_match_t *m = &res->match;
    uint32_t gid = (uint32_t)(k->meta.base + b->i);
    m->kind = (fidx_kind_t)b->kind;
    m->status = (fidx_status_t)SNAP_REC_STATUS(rec);
    m->categories = SNAP_REC_CATEGORIES(rec);
    m->reports = fidx__snap_reports(s, gid, rec);
    m->first_seen = SNAP_REC_FIRST(rec);
    m->last_seen = SNAP_REC_LAST(rec);
    m->n_sources = 0;
    unsigned set = SNAP_REC_SOURCESET(rec);
    for (unsigned j = 0; set < s->n_sets && j < s->set_n[set]; j++)
        m->sources[m->n_sources++] = s->source[s->set_ids[set][j]];
    if (b->kind != FIDX_KIND_PHONE) /* a phone's value was copied when it was found */
        m->value = snap_value(k, b->i);
}

static fidx_verdict_t verdict_of(fidx_status_t st)
{
    return st == FIDX_STATUS_ALLOWLISTED ? FIDX_VERDICT_SAFE
           : st == FIDX_STATUS_CONFIRMED ? FIDX_VERDICT_SCAM
                                         : FIDX_VERDICT_SUSPICIOUS;
}

int fidx_check(const fidx_snapshot_t *s, fidx_kind_t kind, const char *platform, const char *q,
               size_t len, fidx_result_t *res, fidx_err_t *err)
{
    int rc = fidx_normalize(kind, platform, q, len, &res->kind, res->canonical,
                            sizeof res->canonical, &res->canonical_len, err);
    if (rc)
        return rc;
    const char *c = res->canonical;
    size_t n = res->canonical_len;
    best_t b = {0};
    b.m = &res->match;
    switch (res->kind) {
    case FIDX_KIND_PHONE:
        probe_phone_and_zalo(s, c, n, &b);
        break;
    case FIDX_KIND_BANK_ACCOUNT:
        probe_bank(s, c, n, &b);
        break;
    case FIDX_KIND_URL:
        probe_url(s, c, n, &b);
        break;
    case FIDX_KIND_DOMAIN:
        probe_domain_query(s, c, n, &b);
        break;
    case FIDX_KIND_SOCIAL:
        probe_social(s, c, n, &b);
        break;
    default:
        probe_string(s, res->kind, c, n, SPEC_EXACT, &b);
    }
    res->has_match = b.found;
    res->verdict = FIDX_VERDICT_UNKNOWN;
    if (b.found) {
        fill_match(s, &b, res);
        res->verdict = verdict_of(res->match.status);
    }
    return 0;
}
