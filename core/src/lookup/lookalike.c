/* Look-alike links (lookalike.h): an index of the allowlisted sites, their registrable
 * domains, brands and confusable skeletons, and the check of a host against it.
 *
 * Everything a check looks up is one open-addressing table of keys (a domain, a brand, or
 * the skeleton of either), hashed with XXH3 and compared byte for byte. A check copies the
 * host once (libpsl wants a NUL-terminated string), folds it once into its skeleton, and then
 * only hashes slices of those two stack buffers: no allocation, no lock, a few dozen probes
 * for an ordinary host. The rules and the reasons for them are in docs/ARCHITECTURE.md. */
#include "fidx/lookalike.h"

#include <libpsl.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "fidx/bank.h"
#include "fidx/json.h"
#include "live/overlay_internal.h"
#include "lookup/lookalike_internal.h"

/* Kinds of key; also the hash seed, so equal bytes of two kinds are two keys. */
enum { K_DOMAIN, K_SK_DOMAIN, K_BRAND, K_SK_BRAND };
enum { PASS_RAW = 0, PASS_SKELETON = 1 };

typedef struct {
    uint64_t hash;
    uint32_t off, len;         /* the key's bytes in the arena */
    uint32_t raw_off, raw_len; /* what it was made from (itself, or what it is the skeleton of) */
    uint32_t site;
    uint8_t kind, affix, used;
} la_key_t;

typedef struct {
    fidx_kind_t kind;
    uint32_t value_off, value_len, label_off, label_len;
} la_site_t;

struct fidx_lookalike {
    psl_ctx_t *psl_owned; /* NULL when psl is libpsl's built-in list */
    const psl_ctx_t *psl;
    char *arena;
    size_t arena_len, arena_cap;
    la_site_t *site;
    size_t n_sites, sites_cap, n_brands;
    la_key_t *slot;
    size_t mask, n_keys; /* capacity mask + 1 is a power of two, at most half full */
    /* Per pass: bit l set when some affix brand is l bytes long; the shortest and longest
     * domain key, to bound the slices tried as domains. */
    uint64_t affix_lens[2];
    size_t dom_min[2], dom_max[2];
    fidx__la_ascii_t ascii[128];
};

/* Words that name no one: never a brand, even if an allowlisted domain is made of one. */
static const char *const generic_words[] = {
    "account",  "api",     "app",    "bank",     "banking",  "card",      "cdn",      "cloud",
    "com",      "cskh",    "dangky", "dangnhap", "dichvu",   "digital",   "ebank",    "edu",
    "email",    "gov",     "help",   "home",     "hotro",    "ibank",     "id",       "info",
    "login",    "mail",    "mobile", "my",       "net",      "news",      "nganhang", "official",
    "online",   "org",     "pay",    "payment",  "portal",   "secure",    "security", "service",
    "services", "shop",    "signin", "support",  "taikhoan", "thanhtoan", "tindung",  "vay",
    "viet",     "vietnam", "vn",     "web",      "www",      "xacminh",   "xacthuc",
};

static int is_generic(const char *p, size_t len)
{
    for (size_t i = 0; i < sizeof generic_words / sizeof *generic_words; i++)
        if (strlen(generic_words[i]) == len && memcmp(generic_words[i], p, len) == 0)
            return 1;
    return 0;
}

/* A canonical host: [a-z0-9-_] labels of 1..63 bytes joined by '.', at most 253 bytes ('_'
 * is not in host names but the domain normaliser keeps it, as DNS does). */
static int valid_host(const char *p, size_t len)
{
    size_t label = 0;
    if (len == 0 || len > FIDX__LA_MAX_HOST)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (c == '.') {
            if (label == 0)
                return 0;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
            if (++label > FIDX__LA_MAX_LABEL)
                return 0;
        } else {
            return 0;
        }
    }
    return label > 0;
}

static int is_ip(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!(p[i] == '.' || (p[i] >= '0' && p[i] <= '9')))
            return 0;
    return 1;
}

/* Under gov.vn, registered only by state bodies (VNNIC): never an imitation. */
static int under_gov_vn(const char *p, size_t len)
{
    return (len == 6 && memcmp(p, "gov.vn", 6) == 0) ||
           (len > 7 && memcmp(p + len - 7, ".gov.vn", 7) == 0);
}

/* ---- the key table ---------------------------------------------------------------------- */

static uint64_t key_hash(int kind, const char *p, size_t len)
{
    return XXH3_64bits_withSeed(p, len, (XXH64_hash_t)kind);
}

static const la_key_t *find_key(const fidx_lookalike_t *la, int kind, const char *p, size_t len)
{
    if (!la->slot)
        return NULL;
    uint64_t h = key_hash(kind, p, len);
    for (size_t j = h & la->mask;; j = (j + 1) & la->mask) {
        const la_key_t *k = &la->slot[j];
        if (!k->used)
            return NULL;
        if (k->hash == h && k->kind == kind && k->len == len &&
            memcmp(la->arena + k->off, p, len) == 0)
            return k;
    }
}

static void place(la_key_t *slot, size_t mask, const la_key_t *k)
{
    size_t j = k->hash & mask;
    while (slot[j].used)
        j = (j + 1) & mask;
    slot[j] = *k;
}

static int grow_keys(fidx_lookalike_t *la)
{
    size_t cap = la->slot ? (la->mask + 1) * 2 : 64;
    la_key_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return FIDX_ENOMEM;
    for (size_t j = 0; la->slot && j <= la->mask; j++)
        if (la->slot[j].used)
            place(slot, cap - 1, &la->slot[j]);
    free(la->slot);
    la->slot = slot;
    la->mask = cap - 1;
    return 0;
}

/* Copies p[0..len) into the arena; its offset in *off. */
static int arena_put(fidx_lookalike_t *la, const char *p, size_t len, uint32_t *off)
{
    if (len > UINT32_MAX - la->arena_len)
        return FIDX_ELIMIT;
    if (la->arena_len + len > la->arena_cap) {
        size_t cap = la->arena_cap ? la->arena_cap * 2 : 4096;
        while (cap < la->arena_len + len)
            cap *= 2;
        char *a = realloc(la->arena, cap);
        if (!a)
            return FIDX_ENOMEM;
        la->arena = a;
        la->arena_cap = cap;
    }
    memcpy(la->arena + la->arena_len, p, len);
    *off = (uint32_t)la->arena_len;
    la->arena_len += len;
    return 0;
}

/* Adds key (kind, p[0..len)) leading to site, made from raw; the first key of equal bytes
 * stays (an earlier site keeps its brand). *added tells whether it was new. */
static int add_key(fidx_lookalike_t *la, int kind, const char *p, size_t len, fidx_str_t raw,
                   uint32_t site, int affix, int *added)
{
    *added = 0;
    if (find_key(la, kind, p, len))
        return 0;
    if ((la->n_keys + 1) * 2 > (la->slot ? la->mask + 1 : 0) && grow_keys(la) != 0)
        return FIDX_ENOMEM;
    la_key_t k = {.hash = key_hash(kind, p, len), .len = (uint32_t)len, .site = site};
    k.kind = (uint8_t)kind;
    k.affix = (uint8_t)affix;
    k.used = 1;
    int rc = arena_put(la, p, len, &k.off);
    if (rc == 0 && raw.p == p) {
        k.raw_off = k.off, k.raw_len = k.len;
    } else if (rc == 0) {
        k.raw_len = (uint32_t)raw.len;
        rc = arena_put(la, raw.p, raw.len, &k.raw_off);
    }
    if (rc != 0)
        return rc;
    place(la->slot, la->mask, &k);
    la->n_keys++;
    *added = 1;
    return 0;
}

/* ---- building ----------------------------------------------------------------------------- */

int fidx_lookalike_new(fidx_lookalike_t **out, fidx_err_t *err)
{
    fidx_lookalike_t *la = calloc(1, sizeof *la);
    if (!la)
        return fidx_err_set(err, FIDX_ENOMEM, 0, "out of memory");
    /* The newer of libpsl's built-in list and Debian's publicsuffix file, as the scanner. */
    la->psl_owned = psl_latest(NULL);
    la->psl = la->psl_owned ? la->psl_owned : psl_builtin();
    if (!la->psl) {
        free(la);
        return fidx_err_set(err, FIDX_EIO, 0, "no Public Suffix List (libpsl) available");
    }
    for (int pass = 0; pass < 2; pass++)
        la->dom_min[pass] = SIZE_MAX;
    fidx__la_ascii_init(la->ascii);
    *out = la;
    return 0;
}

void fidx_lookalike_free(fidx_lookalike_t *la)
{
    if (!la)
        return;
    psl_free(la->psl_owned);
    free(la->arena);
    free(la->site);
    free(la->slot);
    free(la);
}

size_t fidx_lookalike_count(const fidx_lookalike_t *la)
{
    return la->n_sites;
}

size_t fidx_lookalike_brand_count(const fidx_lookalike_t *la)
{
    return la->n_brands;
}

/* A domain key and its skeleton, for the exclusion of the real site and the domain_labels
 * rule. */
static int add_domain(fidx_lookalike_t *la, const char *p, size_t len, uint32_t site)
{
    char sk[FIDX__LA_SKEL_CAP];
    size_t sk_len = fidx__la_skeleton(la->ascii, p, len, sk);
    int added, rc = add_key(la, K_DOMAIN, p, len, fidx_str(p, len), site, 0, &added);
    if (rc == 0)
        rc = add_key(la, K_SK_DOMAIN, sk, sk_len, fidx_str(p, len), site, 0, &added);
    if (rc != 0)
        return rc;
    for (int pass = 0; pass < 2; pass++) {
        size_t n = pass == PASS_RAW ? len : sk_len;
        la->dom_min[pass] = n < la->dom_min[pass] ? n : la->dom_min[pass];
        la->dom_max[pass] = n > la->dom_max[pass] ? n : la->dom_max[pass];
    }
    return 0;
}

/* Where a brand may be glued to other letters of a token (bits of la_key_t.affix). */
enum { AFFIX_START = 1, AFFIX_END = 2 };

/* Only a bank's coined name, of FIDX_LOOKALIKE_AFFIX_MIN letters or more, matches glued to
 * other letters: the other brands are words of the language ("chinhphu", government, is
 * glued in baochinhphu.vn, the government's newspaper). A bank name that is a short code and
 * "bank" (mbbank, tpbank) matches only at a token's start, where its code is read first: at
 * the end it is another bank's name as often as not (cimbbank). */
static int affix_of(const char *p, size_t len, int bank)
{
    if (!bank || len < FIDX_LOOKALIKE_AFFIX_MIN)
        return 0;
    if (len <= 4 + 3 && memcmp(p + len - 4, "bank", 4) == 0)
        return AFFIX_START;
    return AFFIX_START | AFFIX_END;
}

/* A brand and its skeleton (unless generic or a single letter); bank: it names a bank. */
static int add_brand(fidx_lookalike_t *la, const char *p, size_t len, uint32_t site, int bank)
{
    char sk[FIDX__LA_SKEL_CAP];
    if (len < 2 || len > FIDX__LA_MAX_LABEL || is_generic(p, len))
        return 0;
    int affix = affix_of(p, len, bank), added;
    size_t sk_len = fidx__la_skeleton(la->ascii, p, len, sk);
    int rc = add_key(la, K_BRAND, p, len, fidx_str(p, len), site, affix, &added);
    if (rc != 0 || !added)
        return rc;
    la->n_brands++;
    if (affix)
        la->affix_lens[PASS_RAW] |= UINT64_C(1) << len;
    rc = add_key(la, K_SK_BRAND, sk, sk_len, fidx_str(p, len), site, affix, &added);
    if (rc == 0 && affix && sk_len < 64)
        la->affix_lens[PASS_SKELETON] |= UINT64_C(1) << sk_len;
    return rc;
}

/* A bank name from the bank table as a brand: lower-case letters and digits only ("TPBank"
 * → "tpbank"); names with anything else are not host-like and are skipped. */
static int add_bank_name(fidx_lookalike_t *la, const char *name, uint32_t site)
{
    char b[FIDX__LA_MAX_LABEL];
    size_t n = 0;
    for (const char *c = name; *c; c++) {
        char ch = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c;
        if (n == sizeof b || !((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')))
            return 0;
        b[n++] = ch;
    }
    return add_brand(la, b, n, site, 1);
}

/* The brands of a registrable domain: its label left of the public suffix, and when the bank
 * table knows that label as a bank, the bank's code and short name ("tpb" → TPB, TPBank). */
static int add_brands(fidx_lookalike_t *la, const char *reg, size_t reg_len, uint32_t site)
{
    const char *dot = memchr(reg, '.', reg_len);
    size_t len = dot ? (size_t)(dot - reg) : reg_len;
    const fidx_bank_t *bank = fidx_bank_find(reg, len);
    int rc = add_brand(la, reg, len, site, bank != NULL);
    if (rc == 0 && bank)
        rc = add_bank_name(la, bank->code, site);
    if (rc == 0 && bank)
        rc = add_bank_name(la, bank->short_name, site);
    return rc;
}

/* The host of an allowlisted value, or {NULL,0} when the value is not a whole site. */
static fidx_str_t site_host(fidx_kind_t kind, const char *v, size_t len)
{
    if (kind == FIDX_KIND_DOMAIN)
        return fidx_str(v, len);
    if (kind != FIDX_KIND_URL)
        return fidx_str(NULL, 0);
    const char *slash = memchr(v, '/', len);
    if (!slash || (size_t)(slash - v) + 1 != len)
        return fidx_str(NULL, 0);
    return fidx_str(v, (size_t)(slash - v));
}

static int push_site(fidx_lookalike_t *la, fidx_kind_t kind, const char *value, size_t len,
                     const char *label, size_t label_len)
{
    if (la->n_sites == FIDX_LOOKALIKE_MAX_ENTRIES)
        return FIDX_ELIMIT;
    if (la->n_sites == la->sites_cap) {
        size_t cap = la->sites_cap ? la->sites_cap * 2 : 32;
        la_site_t *s = realloc(la->site, cap * sizeof *s);
        if (!s)
            return FIDX_ENOMEM;
        la->site = s;
        la->sites_cap = cap;
    }
    if (label_len > FIDX_LOOKALIKE_MAX_LABEL) {
        label_len = FIDX_LOOKALIKE_MAX_LABEL;
        while (label_len > 0 && ((unsigned char)label[label_len] & 0xC0) == 0x80)
            label_len--; /* cut before a continuation byte: at a character's start */
    }
    la_site_t *s = &la->site[la->n_sites];
    s->kind = kind;
    s->value_len = (uint32_t)len;
    s->label_len = (uint32_t)label_len;
    int rc = arena_put(la, value, len, &s->value_off);
    if (rc == 0)
        rc = arena_put(la, label, label_len, &s->label_off);
    if (rc == 0)
        la->n_sites++;
    return rc;
}

int fidx_lookalike_add(fidx_lookalike_t *la, fidx_kind_t kind, const char *value, size_t len,
                       const char *label, size_t label_len, fidx_err_t *err)
{
    char buf[FIDX__LA_MAX_HOST + 1];
    fidx_str_t host = site_host(kind, value, len);
    if (!host.p)
        return 0;
    if (!valid_host(host.p, host.len))
        return fidx_err_set(err, FIDX_EINVAL, 0, "allowlisted value is not a canonical host name");
    if (is_ip(host.p, host.len))
        return 0;
    memcpy(buf, host.p, host.len);
    buf[host.len] = '\0';
    const char *reg = psl_registrable_domain(la->psl, buf);
    if (!reg)
        return 0; /* a public suffix, or a name under no known suffix */
    size_t reg_len = host.len - (size_t)(reg - buf);
    uint32_t site = (uint32_t)la->n_sites;
    int rc = push_site(la, kind, value, len, label ? label : "", label ? label_len : 0);
    if (rc == 0)
        rc = add_domain(la, host.p, host.len, site);
    if (rc == 0 && reg_len != host.len)
        rc = add_domain(la, reg, reg_len, site);
    if (rc == 0)
        rc = add_brands(la, reg, reg_len, site);
    if (rc != 0)
        return fidx_err_set(err, rc, 0,
                            rc == FIDX_ELIMIT ? "too many allowlisted sites" : "out of memory");
    return 0;
}

/* Whether the overlay (visible up to `visible`) says anything of (kind, v): then it decides. */
static int overlay_knows(const ov_table_t *t, uint64_t visible, fidx_kind_t kind, fidx_str_t v)
{
    if (!t)
        return 0;
    uint64_t hash = fidx__overlay_hash(kind, v.p, v.len);
    return ov_visible(ov_find(t, kind, hash, v.p, v.len), visible) != NULL;
}

/* The snapshot's allowlisted domain and url entries, but those the overlay table t knows. */
static int add_snapshot_sites(fidx_lookalike_t *la, const fidx_snapshot_t *s, const ov_table_t *t,
                              uint64_t visible, fidx_err_t *err)
{
    static const fidx_kind_t kinds[] = {FIDX_KIND_DOMAIN, FIDX_KIND_URL};
    for (size_t k = 0; k < 2; k++) {
        uint64_t n = fidx_snapshot_count(s, kinds[k]);
        for (uint64_t i = 0; i < n; i++) {
            fidx_status_t status;
            fidx_str_t v;
            if (fidx_snapshot_entry_value(s, kinds[k], i, &status, &v) != 0)
                return fidx_err_set(err, FIDX_ECORRUPT, 0, "snapshot entry out of range");
            if (status != FIDX_STATUS_ALLOWLISTED || overlay_knows(t, visible, kinds[k], v))
                continue;
            fidx_str_t label = fidx_snapshot_entry_label(s, kinds[k], i);
            int rc = fidx_lookalike_add(la, kinds[k], v.p, v.len, label.p, label.len, err);
            if (rc != 0 && rc != FIDX_EINVAL) /* a value that is no host name is skipped */
                return rc;
        }
    }
    return 0;
}

int fidx_lookalike_add_snapshot(fidx_lookalike_t *la, const fidx_snapshot_t *s, fidx_err_t *err)
{
    return add_snapshot_sites(la, s, NULL, 0, err);
}

typedef struct {
    fidx_lookalike_t *la;
    fidx_err_t *err;
} view_ctx_t;

static int add_overlay_site(void *arg, const fidx_indicator_t *ind, int delisted)
{
    view_ctx_t *c = arg;
    if (delisted || ind->status != FIDX_STATUS_ALLOWLISTED ||
        (ind->kind != FIDX_KIND_DOMAIN && ind->kind != FIDX_KIND_URL))
        return 0;
    int rc = fidx_lookalike_add(c->la, ind->kind, ind->value, ind->value_len, ind->label,
                                ind->label_len, c->err);
    return rc == FIDX_EINVAL ? 0 : rc;
}

int fidx_lookalike_add_view(fidx_lookalike_t *la, const fidx_snapshot_t *s,
                            const fidx_overlay_t *ov, fidx_err_t *err)
{
    if (!ov)
        return add_snapshot_sites(la, s, NULL, 0, err);
    uint64_t visible = fidx__overlay_visible(ov);
    int rc = add_snapshot_sites(la, s, fidx__overlay_table(ov), visible, err);
    view_ctx_t c = {la, err};
    if (rc == 0)
        rc = fidx_overlay_each(ov, visible, add_overlay_site, &c);
    if (rc == FIDX_ENOMEM)
        fidx_err_set(err, rc, 0, "out of memory");
    return rc;
}

/* ---- checking ----------------------------------------------------------------------------- */

static int found(const fidx_lookalike_t *la, const la_key_t *k, fidx_lookalike_rule_t rule,
                 fidx_lookalike_match_t *out)
{
    const la_site_t *s = &la->site[k->site];
    out->rule = rule;
    out->kind = s->kind;
    out->value = fidx_str(la->arena + s->value_off, s->value_len);
    out->label = fidx_str(la->arena + s->label_off, s->label_len);
    out->brand = fidx_str(la->arena + k->raw_off, k->raw_len);
    return 1;
}

/* Whether host (or a parent domain of it) is an allowlisted domain or the registrable
 * domain of one: the real site and its subdomains. */
static int is_owned(const fidx_lookalike_t *la, const char *h, size_t len)
{
    for (size_t at = 0;;) {
        if (find_key(la, K_DOMAIN, h + at, len - at))
            return 1;
        const char *dot = memchr(h + at, '.', len - at);
        if (!dot)
            return 0;
        at = (size_t)(dot - h) + 1;
    }
}

/* domain_labels: an allowlisted domain (or its skeleton) as a slice of h that starts at the
 * start, after '.' or after '-', and ends at the end, before '.' or before '-'. */
static const la_key_t *domain_in_host(const fidx_lookalike_t *la, const char *h, size_t len,
                                      int pass)
{
    int kind = pass == PASS_RAW ? K_DOMAIN : K_SK_DOMAIN;
    size_t lo = la->dom_min[pass], hi = la->dom_max[pass];
    if (lo > len)
        return NULL;
    for (size_t s = 0; s + lo <= len; s++) {
        if (s > 0 && h[s - 1] != '.' && h[s - 1] != '-')
            continue;
        for (size_t e = s + lo; e <= len && e - s <= hi; e++) {
            if (e < len && h[e] != '.' && h[e] != '-')
                continue;
            if (e == len && s > 0 && h[s - 1] == '-')
                continue; /* "my-tpb.vn": a brand with a token before it (brand_in_label) */
            if (!memchr(h + s, '.', e - s))
                continue;
            const la_key_t *k = find_key(la, kind, h + s, e - s);
            if (k)
                return k;
        }
    }
    return NULL;
}

/* A brand glued to the start or end of token t (only brands of FIDX_LOOKALIKE_AFFIX_MIN
 * bytes or more are marked for this). */
static const la_key_t *affix_brand(const fidx_lookalike_t *la, const char *t, size_t n, int pass)
{
    int kind = pass == PASS_RAW ? K_BRAND : K_SK_BRAND;
    uint64_t lens = la->affix_lens[pass];
    for (size_t l = FIDX_LOOKALIKE_AFFIX_MIN; l < n && l < 64; l++) {
        if (!(lens & (UINT64_C(1) << l)))
            continue;
        const la_key_t *k = find_key(la, kind, t, l);
        if (k && (k->affix & AFFIX_START))
            return k;
        k = find_key(la, kind, t + n - l, l);
        if (k && (k->affix & AFFIX_END))
            return k;
    }
    return NULL;
}

static int token_break(char c)
{
    return c == '-' || c == '_' || (c >= '0' && c <= '9');
}

/* Brands in one label: each token (split on '-' and digits) exactly, each '-'-separated
 * part exactly (brands with digits), the label without its hyphens exactly ("tp-bank"),
 * then affixes of each token. *rule says which. */
static const la_key_t *brand_in_label(const fidx_lookalike_t *la, const char *p, size_t n, int pass,
                                      fidx_lookalike_rule_t *rule)
{
    int kind = pass == PASS_RAW ? K_BRAND : K_SK_BRAND;
    char joined[FIDX__LA_SKEL_CAP];
    size_t jn = 0;
    const la_key_t *k = NULL;
    *rule = FIDX_LOOKALIKE_BRAND;
    for (size_t s = 0, e; s < n && !k; s = e + 1) {
        for (e = s; e < n && !token_break(p[e]); e++)
            ;
        if (e > s)
            k = find_key(la, kind, p + s, e - s);
    }
    for (size_t s = 0, e; s < n && !k; s = e + 1) {
        const char *dash = memchr(p + s, '-', n - s);
        e = dash ? (size_t)(dash - p) : n;
        if (e > s)
            k = find_key(la, kind, p + s, e - s);
        memcpy(joined + jn, p + s, e - s);
        jn += e - s;
    }
    if (!k && jn != n)
        k = find_key(la, kind, joined, jn);
    if (!k)
        *rule = FIDX_LOOKALIKE_BRAND_AFFIX;
    for (size_t s = 0, e; s < n && !k; s = e + 1) {
        for (e = s; e < n && !token_break(p[e]); e++)
            ;
        if (e - s > FIDX_LOOKALIKE_AFFIX_MIN)
            k = affix_brand(la, p + s, e - s, pass);
    }
    return k;
}

/* Every rule on h[0..len) (the host, or its skeleton), whose labels outside the public
 * suffix are h[0..front). */
static int match_pass(const fidx_lookalike_t *la, const char *h, size_t len, size_t front, int pass,
                      fidx_lookalike_match_t *out)
{
    fidx_lookalike_rule_t rule;
    const la_key_t *k = domain_in_host(la, h, len, pass);
    if (k)
        return found(la, k,
                     pass == PASS_RAW ? FIDX_LOOKALIKE_DOMAIN_LABELS : FIDX_LOOKALIKE_CONFUSABLE,
                     out);
    for (size_t s = 0, e; s < front; s = e + 1) {
        const char *dot = memchr(h + s, '.', front - s);
        e = dot ? (size_t)(dot - h) : front;
        k = brand_in_label(la, h + s, e - s, pass, &rule);
        if (k)
            return found(la, k, pass == PASS_RAW ? rule : FIDX_LOOKALIKE_CONFUSABLE, out);
    }
    return 0;
}

int fidx_lookalike_check(const fidx_lookalike_t *la, const char *host, size_t len,
                         fidx_lookalike_match_t *out)
{
    char buf[FIDX__LA_MAX_HOST + 1], sk[FIDX__LA_SKEL_CAP];
    if (!valid_host(host, len))
        return FIDX_EINVAL;
    if (is_ip(host, len) || under_gov_vn(host, len) || la->n_sites == 0 || is_owned(la, host, len))
        return 0;
    memcpy(buf, host, len);
    buf[len] = '\0';
    const char *reg = psl_registrable_domain(la->psl, buf);
    if (!reg)
        return 0;
    const char *dot = strchr(reg, '.');
    size_t front = dot ? (size_t)(dot - buf) : len;
    if (match_pass(la, buf, len, front, PASS_RAW, out))
        return 1;
    size_t sk_front = fidx__la_skeleton(la->ascii, buf, front, sk);
    size_t sk_len = sk_front;
    if (front < len) {
        sk[sk_len++] = '.';
        sk_len += fidx__la_skeleton(la->ascii, buf + front + 1, len - front - 1, sk + sk_len);
    }
    return match_pass(la, sk, sk_len, sk_front, PASS_SKELETON, out);
}

/* ---- shorteners, the canonical value of a lookup, JSON ---------------------------------- */

/* General-purpose link shorteners: a link on them hides its destination. Sorted. */
static const char *const shorteners[] = {
    "bit.do",  "bit.ly",   "bl.ink",        "buff.ly",     "clck.ru", "cutt.ly", "goo.gl",
    "is.gd",   "j.mp",     "lnkd.in",       "ow.ly",       "qrco.de", "rb.gy",   "rebrand.ly",
    "s.id",    "short.gy", "shorturl.asia", "shorturl.at", "surl.li", "t.co",    "t.ly",
    "tiny.cc", "tiny.one", "tinyurl.com",   "u.to",        "urlz.fr", "v.gd",
};

int fidx_lookalike_shortener(const char *host, size_t len, fidx_lookalike_match_t *out)
{
    for (size_t i = 0; i < sizeof shorteners / sizeof *shorteners; i++) {
        size_t n = strlen(shorteners[i]);
        if (len < n || memcmp(host + len - n, shorteners[i], n) != 0 ||
            (len > n && host[len - n - 1] != '.'))
            continue;
        memset(out, 0, sizeof *out);
        out->rule = FIDX_LOOKALIKE_SHORTENER;
        out->kind = FIDX_KIND_DOMAIN;
        out->value = out->brand = fidx_str(shorteners[i], n);
        out->label = fidx_str("", 0);
        return 1;
    }
    return 0;
}

int fidx_lookalike_check_canonical(const fidx_lookalike_t *la, fidx_kind_t kind, const char *canon,
                                   size_t len, fidx_lookalike_match_t *out)
{
    fidx_str_t host = fidx_str(canon, len);
    if (kind == FIDX_KIND_URL) {
        const char *sep = len > 3 ? memmem(canon, len, "://", 3) : NULL;
        if (!sep)
            return 0;
        host.p = sep + 3;
        host.len = 0;
        while (host.p + host.len < canon + len && !strchr(":/?#", host.p[host.len]))
            host.len++;
    } else if (kind != FIDX_KIND_DOMAIN) {
        return 0;
    }
    if (fidx_lookalike_check(la, host.p, host.len, out) == 1)
        return 1;
    return fidx_lookalike_shortener(host.p, host.len, out);
}

const char *fidx_lookalike_rule_name(fidx_lookalike_rule_t rule)
{
    switch (rule) {
    case FIDX_LOOKALIKE_DOMAIN_LABELS:
        return "domain_labels";
    case FIDX_LOOKALIKE_BRAND:
        return "brand";
    case FIDX_LOOKALIKE_BRAND_AFFIX:
        return "brand_affix";
    case FIDX_LOOKALIKE_CONFUSABLE:
        return "confusable";
    case FIDX_LOOKALIKE_SHORTENER:
        return "shortener";
    case FIDX_LOOKALIKE_NONE:
        break;
    }
    return "none";
}

size_t fidx_lookalike_json_members(const fidx_lookalike_match_t *m, char *out, size_t cap)
{
    fidx_buf_t b = fidx_buf(out, cap);
    if (m->rule == FIDX_LOOKALIKE_SHORTENER) {
        fidx_buf_puts(&b, "\"reason\":\"shortener\",\"shortener\":");
        fidx_json_string(&b, m->brand.p, m->brand.len);
        return b.ok ? b.len : 0;
    }
    fidx_buf_puts(&b, "\"reason\":\"imitates\",\"imitates\":{\"value\":");
    fidx_json_string(&b, m->value.p, m->value.len);
    fidx_buf_puts(&b, ",\"kind\":\"");
    fidx_buf_puts(&b, fidx_kind_name(m->kind));
    fidx_buf_puts(&b, "\",\"rule\":\"");
    fidx_buf_puts(&b, fidx_lookalike_rule_name(m->rule));
    fidx_buf_puts(&b, "\"");
    if (m->label.len) {
        fidx_buf_puts(&b, ",\"label\":");
        fidx_json_string(&b, m->label.p, m->label.len);
    }
    fidx_buf_puts(&b, "}");
    return b.ok ? b.len : 0;
}
