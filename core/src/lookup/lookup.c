/* Lookup: a query value is normalised, turned into probes (each a kind, a stored form and a
 * specificity), every probe is looked up in the live overlay and in the snapshot, and the most
 * specific hit decides, allowlisted before confirmed before reported. An overlay entry replaces
 * the snapshot's entry of the same kind and value, and a delisting hides it. No allocation and
 * no lock: all state is on the stack or in the caller's result, and the overlay is read
 * through atomic loads (overlay_internal.h). */
#include "fidx/lookup.h"

#include <string.h>
#include <xxhash.h>

#include "fidx/normalize.h"
#include "fidx/phone.h"
#include "fidx/social.h"
#include "fidx/url.h"
#include "live/overlay_internal.h"
#include "snapshot/snapshot_internal.h"

/* Specificity: profiles and phones found in a link beat any URL or domain entry; among those
 * a host with more labels beats a shorter one, and on the same host a URL expression (longer
 * path first) beats a domain entry. */
#define SPEC_EXACT (UINT64_C(1) << 40)
#define SPEC_HOST(labels) ((uint64_t)(labels) << 20)

typedef struct {
    const fidx_snapshot_t *s;
    const ov_table_t *ot; /* the overlay's table, NULL when there is none or it is empty */
    uint64_t visible;     /* overlay changes up to this sequence number are seen */
    fidx_match_t *m;      /* where a phone hit's value is copied */
    int found;
    uint64_t spec;
    unsigned status;
    int kind;
    uint64_t i;          /* snapshot entry of the best hit, when e is NULL */
    const ov_entry_t *e; /* overlay entry of the best hit */
} best_t;

/* Whether a hit of this specificity and status beats the best so far. */
static int better(const best_t *b, uint64_t spec, unsigned status)
{
    return !b->found || spec > b->spec || (spec == b->spec && status > b->status);
}

/* Keeps entry i of kind if it is more specific than the best so far, or as specific and of a
 * stronger status. A phone hit's value is the phone probed: it is copied now, since phone
 * entries store no string. */
static void consider(best_t *b, int kind, uint64_t i, uint64_t spec, const char *probe,
                     size_t probe_len)
{
    fidx_match_t *m = b->m;
    unsigned status = SNAP_REC_STATUS(b->s->kind[kind].rec[i]);
    if (!better(b, spec, status))
        return;
    b->found = 1;
    b->spec = spec;
    b->status = status;
    b->kind = kind;
    b->i = i;
    b->e = NULL;
    if (kind == FIDX_KIND_PHONE && probe_len < sizeof m->value_buf) {
        memcpy(m->value_buf, probe, probe_len);
        m->value = fidx_str(m->value_buf, probe_len);
    }
}

static void consider_overlay(best_t *b, const ov_entry_t *e, uint64_t spec)
{
    if (e->delisted || !better(b, spec, e->status))
        return;
    b->found = 1;
    b->spec = spec;
    b->status = e->status;
    b->kind = e->kind;
    b->e = e;
}

/* What the overlay says of exactly (kind, v) as lookups see it now: NULL when nothing (the
 * snapshot decides), else the entry (possibly a delisting). */
static const ov_entry_t *overlay_state(const best_t *b, int kind, uint64_t hash, const char *v,
                                       size_t len)
{
    if (!b->ot)
        return NULL;
    return ov_visible(ov_find(b->ot, (fidx_kind_t)kind, hash, v, len), b->visible);
}

/* sortkey: the phone's sort key when fidx_check_start already made it, else 0. */
static void probe_phone(best_t *b, const char *canon, size_t len, uint64_t spec, uint64_t sortkey)
{
    uint64_t key, first;
    if (b->ot) {
        const ov_entry_t *e = overlay_state(
            b, FIDX_KIND_PHONE, fidx__overlay_hash(FIDX_KIND_PHONE, canon, len), canon, len);
        if (e) {
            consider_overlay(b, e, spec);
            return;
        }
    }
    if (!sortkey) {
        if (fidx_phone_key(canon, len, &key) != 0)
            return;
        sortkey = snap_phone_sortkey(key);
    }
    if (snap_find(&b->s->kind[FIDX_KIND_PHONE], sortkey, &first))
        consider(b, FIDX_KIND_PHONE, first, spec, canon, len);
}

static void probe_string(best_t *b, int kind, const char *v, size_t len, uint64_t spec)
{
    const snap_kind_t *k = &b->s->kind[kind];
    uint64_t first, hash = XXH3_64bits_withSeed(v, len, (XXH64_hash_t)kind);
    if (b->ot) {
        const ov_entry_t *e = overlay_state(b, kind, hash, v, len);
        if (e) {
            consider_overlay(b, e, spec);
            return;
        }
    }
    uint64_t n = snap_find(k, hash, &first);
    for (uint64_t i = first; i < first + n; i++) {
        fidx_str_t got = snap_value(k, i);
        if (got.len == len && memcmp(got.p, v, len) == 0) /* a hit is confirmed, never guessed */
            consider(b, kind, i, spec, NULL, 0);
    }
}

/* Whether the stored bank value got (BIN:DIGITS or *:DIGITS) answers a query for bin:digits,
 * and how specifically: 0 not at all, 1 as a wildcard or for a "*" query, 2 the same bank. */
static int bank_match(fidx_str_t got, fidx_str_t bin, fidx_str_t digits)
{
    const char *c = memchr(got.p, ':', got.len);
    if (!c || got.len - (size_t)(c - got.p) - 1 != digits.len ||
        memcmp(c + 1, digits.p, digits.len) != 0)
        return 0;
    fidx_str_t gbin = fidx_str(got.p, (size_t)(c - got.p));
    int wildcard = gbin.len == 1 && gbin.p[0] == '*';
    int query_any = bin.len == 1 && bin.p[0] == '*';
    int same = gbin.len == bin.len && memcmp(gbin.p, bin.p, bin.len) == 0;
    if (!(query_any || wildcard || same))
        return 0;
    return same && !query_any ? 2 : 1;
}

/* Every visible overlay entry filed under the digits' hash (all banks' entries for them). */
static void probe_bank_overlay(best_t *b, uint64_t hash, fidx_str_t bin, fidx_str_t digits)
{
    const ov_table_t *t = b->ot;
    for (size_t j = hash & t->mask;; j = (j + 1) & t->mask) {
        const ov_entry_t *e = ov_slot(t, j);
        if (!e)
            return;
        if (e->hash != hash || e->kind != FIDX_KIND_BANK_ACCOUNT)
            continue;
        e = ov_visible(e, b->visible);
        int how = e ? bank_match(fidx_str(ov_value(e), e->value_len), bin, digits) : 0;
        if (how)
            consider_overlay(b, e, SPEC_EXACT + (how == 2));
    }
}

/* "BIN:N" matches entries BIN:N and *:N (the exact bank is more specific); "*:N" matches N at
 * every bank, all equally specific. */
static void probe_bank(best_t *b, const char *v, size_t len)
{
    const char *colon = memchr(v, ':', len);
    if (!colon)
        return;
    fidx_str_t bin = fidx_str(v, (size_t)(colon - v)),
               digits = fidx_str(colon + 1, len - bin.len - 1);
    const snap_kind_t *k = &b->s->kind[FIDX_KIND_BANK_ACCOUNT];
    uint64_t first, hash = XXH3_64bits_withSeed(digits.p, digits.len, FIDX_KIND_BANK_ACCOUNT);
    if (b->ot)
        probe_bank_overlay(b, hash, bin, digits);
    uint64_t n = snap_find(k, hash, &first);
    for (uint64_t i = first; i < first + n; i++) {
        fidx_str_t got = snap_value(k, i);
        int how = bank_match(got, bin, digits);
        /* An entry the overlay knows (changed or delisted) was judged from the overlay. */
        if (how && !overlay_state(b, FIDX_KIND_BANK_ACCOUNT, hash, got.p, got.len))
            consider(b, FIDX_KIND_BANK_ACCOUNT, i, SPEC_EXACT + (how == 2), NULL, 0);
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
static void probe_domains(best_t *b, const char *host, size_t len)
{
    unsigned labels = count_labels(host, len);
    for (size_t i = 0; labels >= 2; labels--) {
        probe_string(b, FIDX_KIND_DOMAIN, host + i, len - i, SPEC_HOST(labels));
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
static void probe_social(best_t *b, const char *v, size_t len)
{
    probe_string(b, FIDX_KIND_SOCIAL, v, len, SPEC_EXACT);
    if (len > 5 && memcmp(v, "zalo:", 5) == 0)
        probe_phone(b, v + 5, len - 5, SPEC_EXACT, 0);
}

/* A phone number is also its Zalo account. */
static void probe_phone_and_zalo(best_t *b, const char *canon, size_t len, uint64_t sortkey)
{
    char zalo[40];
    probe_phone(b, canon, len, SPEC_EXACT, sortkey);
    /* (no Zalo account to look for when neither the snapshot nor the overlay has any) */
    if (canon[0] == '+' && len + 5 < sizeof zalo &&
        (b->ot || b->s->kind[FIDX_KIND_SOCIAL].meta.n)) {
        memcpy(zalo, "zalo:", 5);
        memcpy(zalo + 5, canon, len);
        probe_string(b, FIDX_KIND_SOCIAL, zalo, len + 5, SPEC_EXACT);
    }
}

static void probe_url(best_t *b, const char *canon, size_t len)
{
    fidx_url_parts_t parts;
    fidx_url_exprs_t ex;
    if (fidx_url_split(canon, len, &parts) != 0)
        return;
    if (fidx_url_expressions(canon, len, &ex) == 0)
        for (size_t i = 0; i < ex.n; i++) {
            fidx_str_t e = ex.expr[i];
            uint64_t spec = SPEC_HOST(ex.host_labels[i]) + 1 + ex.path_len[i];
            probe_string(b, FIDX_KIND_URL, e.p, e.len, spec);
            /* An entry with a path covers the pages under it: "sites.example/view/x" also
             * answers for ".../view/x/home" (whole path segments only). Safe Browsing would
             * need the entry written "sites.example/view/x/"; public lists do not write it so.
             * Each directory expression is therefore probed without its final '/' too, as a
             * little less specific than with it. */
            if (ex.path_len[i] > 1 && e.p[e.len - 1] == '/')
                probe_string(b, FIDX_KIND_URL, e.p, e.len - 1, spec - 1);
        }
    if (!is_ipv4(parts.host))
        probe_domains(b, parts.host.p, parts.host.len);
    char social[FIDX_CANON_CAP];
    size_t n;
    if (fidx_social_from_url(canon, len, social, sizeof social, &n) == 0)
        probe_social(b, social, n);
}

/* A domain is also checked as the link "http://domain/" (what a person typing it opens). */
static void probe_domain_query(best_t *b, const char *d, size_t len)
{
    char url[FIDX_CANON_CAP];
    if (len + 9 > sizeof url) {
        probe_domains(b, d, len);
        return;
    }
    memcpy(url, "http://", 7);
    memcpy(url + 7, d, len);
    url[7 + len] = '/';
    url[8 + len] = '\0';
    probe_url(b, url, len + 8);
}

static void fill_match(const best_t *b, fidx_result_t *res)
{
    const fidx_snapshot_t *s = b->s;
    if (b->e) {
        ov_entry_match(b->e, &res->match);
        return;
    }
    const snap_kind_t *k = &s->kind[b->kind];
    uint64_t rec = k->rec[b->i];
    fidx_match_t *m = &res->match;
    uint32_t gid = (uint32_t)(k->meta.base + b->i);
    m->kind = (fidx_kind_t)b->kind;
    m->status = (fidx_status_t)SNAP_REC_STATUS(rec);
    m->categories = SNAP_REC_CATEGORIES(rec);
    m->reports = fidx__snapshot_entry_reports(s, gid, rec);
    m->first_seen = SNAP_REC_FIRST(rec);
    m->last_seen = SNAP_REC_LAST(rec);
    m->n_sources = 0;
    unsigned set = SNAP_REC_SOURCESET(rec);
    for (unsigned j = 0; set < s->n_sets && j < s->set_n[set]; j++)
        m->sources[m->n_sources++] = s->source[s->set_ids[set][j]];
    m->label = fidx__snapshot_entry_label(s, gid);
    if (b->kind != FIDX_KIND_PHONE) /* a phone's value was copied when it was found */
        m->value = snap_value(k, b->i);
}

static fidx_verdict_t verdict_of(fidx_status_t st)
{
    return st == FIDX_STATUS_ALLOWLISTED ? FIDX_VERDICT_SAFE
           : st == FIDX_STATUS_CONFIRMED ? FIDX_VERDICT_SCAM
                                         : FIDX_VERDICT_SUSPICIOUS;
}

int fidx_check_is_payload(const char *q, size_t len)
{
    if (len < 6 || memcmp(q, "000201", 6) != 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (q[i] < '0' || q[i] > '9')
            return 1;
    return len > FIDX_EMVCO_ACCOUNT_MAX;
}

/* A VietQR payload: parsed, then its account normalised as the bank_account kind. */
static int normalize_payload(const char *q, size_t len, fidx_result_t *res, fidx_err_t *err)
{
    if (len > sizeof res->qr_text)
        return fidx_err_set(err, FIDX_ETOOBIG, sizeof res->qr_text,
                            "payload longer than 512 bytes");
    memcpy(res->qr_text, q, len);
    int rc = fidx_emvco_parse(res->qr_text, len, &res->qr, err);
    if (rc)
        return rc;
    if (res->qr.canonical_len == 0)
        return fidx_err_set(err, FIDX_EINVAL, 0,
                            "this VietQR payload names no bank account number (an e-wallet "
                            "reference), so it cannot be checked");
    res->has_qr = 1;
    return fidx_normalize(FIDX_KIND_BANK_ACCOUNT, NULL, res->qr.canonical, res->qr.canonical_len,
                          &res->kind, res->canonical, sizeof res->canonical, &res->canonical_len,
                          err);
}

int fidx_check_start(const fidx_snapshot_t *s, fidx_kind_t kind, const char *platform,
                     const char *q, size_t len, fidx_result_t *res, fidx_err_t *err)
{
    const snap_kind_t *k = &s->kind[FIDX_KIND_PHONE];
    uint64_t key;
    int rc;
    res->has_qr = 0;
    res->prefetch_key = 0;
    if ((kind == FIDX_KIND_NONE || kind == FIDX_KIND_BANK_ACCOUNT) && fidx_check_is_payload(q, len))
        rc = normalize_payload(q, len, res, err);
    else
        rc = fidx_normalize(kind, platform, q, len, &res->kind, res->canonical,
                            sizeof res->canonical, &res->canonical_len, err);
    if (rc || res->kind != FIDX_KIND_PHONE || !k->meta.n ||
        fidx_phone_key(res->canonical, res->canonical_len, &key) != 0)
        return rc;
    res->prefetch_key = snap_phone_sortkey(key);
    uint64_t b = snap_bucket(res->prefetch_key, k->meta.dir_bits);
    __builtin_prefetch(&k->dir[b]);
    __builtin_prefetch(&k->dirbase[b >> SNAP_GROUP_BITS]);
    return 0;
}

void fidx_check_prefetch(const fidx_snapshot_t *s, const fidx_result_t *res)
{
    const snap_kind_t *k = &s->kind[FIDX_KIND_PHONE];
    if (!res->prefetch_key)
        return;
    uint64_t lo = snap_bucket_start(k, snap_bucket(res->prefetch_key, k->meta.dir_bits));
    __builtin_prefetch((const char *)k->fp + lo * (k->meta.fp_bits / 8));
    __builtin_prefetch(&k->rec[lo]);
}

int fidx_check(const fidx_snapshot_t *s, const fidx_overlay_t *ov, fidx_kind_t kind,
               const char *platform, const char *q, size_t len, fidx_result_t *res, fidx_err_t *err)
{
    int rc = fidx_check_start(s, kind, platform, q, len, res, err);
    if (rc)
        return rc;
    fidx_check_finish(s, ov, res);
    return 0;
}

void fidx_check_finish(const fidx_snapshot_t *s, const fidx_overlay_t *ov, fidx_result_t *res)
{
    const char *c = res->canonical;
    size_t n = res->canonical_len;
    best_t b = {0};
    b.s = s;
    b.m = &res->match;
    if (ov && (b.ot = fidx__overlay_table(ov)) != NULL)
        b.visible = fidx__overlay_visible(ov);
    switch (res->kind) {
    case FIDX_KIND_PHONE:
        probe_phone_and_zalo(&b, c, n, res->prefetch_key);
        break;
    case FIDX_KIND_BANK_ACCOUNT:
        probe_bank(&b, c, n);
        break;
    case FIDX_KIND_URL:
        probe_url(&b, c, n);
        break;
    case FIDX_KIND_DOMAIN:
        probe_domain_query(&b, c, n);
        break;
    case FIDX_KIND_SOCIAL:
        probe_social(&b, c, n);
        break;
    default:
        probe_string(&b, res->kind, c, n, SPEC_EXACT);
    }
    res->has_match = b.found;
    res->has_lookalike = 0;
    res->verdict = FIDX_VERDICT_UNKNOWN;
    if (b.found) {
        fill_match(&b, res);
        res->verdict = verdict_of(res->match.status);
    }
}

int fidx_check_lookalike(const fidx_lookalike_t *la, fidx_result_t *res)
{
    if (!la || res->has_match || (res->kind != FIDX_KIND_URL && res->kind != FIDX_KIND_DOMAIN))
        return 0;
    if (!fidx_lookalike_check_canonical(la, res->kind, res->canonical, res->canonical_len,
                                        &res->lookalike))
        return 0;
    res->has_lookalike = 1;
    if (res->lookalike.rule != FIDX_LOOKALIKE_SHORTENER)
        res->verdict = FIDX_VERDICT_SUSPICIOUS;
    return 1;
}
