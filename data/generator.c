/* fraudidx-gen: writes synthetic indicator rows (the indexer's CSV or JSON Lines schema) for
 * benchmarks and tests. Every value is made up; the output is the same for the same seed.
 *
 *   fraudidx-gen --rows N [--seed S] [--kind phone|mixed] [--format csv|jsonl]
 *
 * Phone numbers are drawn uniformly from the Vietnamese mobile number space (the prefixes of
 * libphonenumber's VN metadata, see shared/VN-FACTS.md) through a keyed permutation, so no
 * number repeats however many rows are asked for (up to the 376 million numbers there are).
 * Other kinds get a unique permuted serial in their names. Links against libc only. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Output ---------------------------------------------------------------------------- */

#define OUT_CAP (1u << 20)
#define ROW_MAX 512 /* no row is longer: the buffer is flushed when less room is left */

typedef struct {
    char buf[OUT_CAP];
    size_t n;
} out_t;

static void out_flush(out_t *o)
{
    if (o->n && fwrite(o->buf, 1, o->n, stdout) != o->n) {
        fprintf(stderr, "fraudidx-gen: write error: %s\n", strerror(errno));
        exit(1);
    }
    o->n = 0;
}

static void put_mem(out_t *o, const char *s, size_t n)
{
    memcpy(o->buf + o->n, s, n);
    o->n += n;
}

static void put_str(out_t *o, const char *s)
{
    put_mem(o, s, strlen(s));
}

static void put_char(out_t *o, char c)
{
    o->buf[o->n++] = c;
}

/* v as exactly `width` decimal digits (leading zeros kept). */
static void put_digits(out_t *o, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        o->buf[o->n + (size_t)i] = (char)('0' + v % 10);
        v /= 10;
    }
    o->n += (size_t)width;
}

static void put_uint(out_t *o, uint64_t v)
{
    int w = 1;
    for (uint64_t t = v; t >= 10; t /= 10)
        w++;
    put_digits(o, v, w);
}

static void put_base36(out_t *o, uint64_t v, int width)
{
    static const char d[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    for (int i = width - 1; i >= 0; i--) {
        o->buf[o->n + (size_t)i] = d[v % 36];
        v /= 36;
    }
    o->n += (size_t)width;
}

/* ---- Randomness ------------------------------------------------------------------------ */

static uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15u;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    return x ^ (x >> 31);
}

/* A row's random stream: splitmix64 seeded from (seed, row), so rows do not depend on each
 * other's draws. */
typedef struct {
    uint64_t s;
} rng_t;

static uint64_t rng_next(rng_t *r)
{
    r->s += 0x9E3779B97F4A7C15u;
    return mix64(r->s);
}

static uint32_t rng_below(rng_t *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

static double rng_unit(rng_t *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* A keyed bijection of [0, m): a 4-round Feistel network on `bits` bits (even, 2^bits >= m),
 * walked until the value falls inside [0, m) ("cycle walking" keeps it a bijection). */
typedef struct {
    uint64_t m;
    int half;
    uint64_t key[4];
} perm_t;

static void perm_init(perm_t *p, uint64_t m, int bits, uint64_t seed, uint64_t salt)
{
    p->m = m;
    p->half = bits / 2;
    for (int i = 0; i < 4; i++)
        p->key[i] = mix64(seed ^ mix64(salt + (uint64_t)i));
}

static uint64_t perm_apply(const perm_t *p, uint64_t x)
{
    uint64_t mask = (1ull << p->half) - 1;
    do {
        uint64_t l = x >> p->half, r = x & mask;
        for (int i = 0; i < 4; i++) {
            uint64_t t = l ^ (mix64(r ^ p->key[i]) & mask);
            l = r;
            r = t;
        }
        x = (l << p->half) | r;
    } while (x >= p->m);
    return x;
}

/* ---- Vocabulary ------------------------------------------------------------------------- */

/* Mobile prefixes of the national number (VN-FACTS.md): two digits + 7, or three digits + 6. */
static const uint8_t prefix2[] = {30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 51, 56,
                                  58, 59, 70, 76, 77, 78, 79, 81, 82, 83, 84, 85,
                                  86, 87, 88, 90, 91, 92, 93, 94, 95, 96, 97, 98};
static const uint16_t prefix3[] = {522, 523, 528, 559, 896, 897, 898, 899,
                                   990, 991, 993, 994, 995, 996, 997, 998};
#define N_PREFIX2 (sizeof prefix2 / sizeof prefix2[0])
#define N_PREFIX3 (sizeof prefix3 / sizeof prefix3[0])
#define PHONE_SPACE (N_PREFIX2 * 10000000ull + N_PREFIX3 * 1000000ull)

/* Categories with weights (percent): the kinds of scam reported most often come first. */
static const struct {
    const char *name;
    uint32_t weight;
} categories[] = {
    {"impersonation", 20}, {"task_job", 14}, {"investment", 14},      {"phishing", 14},
    {"shopping", 8},       {"loan", 7},      {"account_takeover", 6}, {"romance", 5},
    {"malware_app", 4},    {"recovery", 3},  {"gambling", 3},         {"other", 2},
};
#define N_CATEGORIES (sizeof categories / sizeof categories[0])

static const char *const sources[] = {"community", "community", "community", "community",
                                      "police",    "bank",      "telco",     "community"};

/* Major banks by BIN (data/banks.csv) with the short name people write. */
static const struct {
    const char *bin, *name;
} banks[] = {
    {"970436", "Vietcombank"}, {"970415", "VietinBank"}, {"970418", "BIDV"},
    {"970405", "Agribank"},    {"970422", "MB"},         {"970407", "Techcombank"},
    {"970416", "ACB"},         {"970432", "VPBank"},     {"970423", "TPBank"},
    {"970403", "Sacombank"},   {"970441", "VIB"},        {"970443", "SHB"},
    {"970437", "HDBank"},      {"970448", "OCB"},        {"546034", "CAKE"},
};
#define N_BANKS (sizeof banks / sizeof banks[0])

static const char *const lures[] = {
    "vietcombank", "vcb",        "bidv",    "vietinbank", "agribank", "mbbank",    "techcombank",
    "vneid",       "dichvucong", "shopee",  "lazada",     "tiki",     "evn",       "thue",
    "baohiem",     "khuyenmai",  "xacminh", "hoantien",   "nhanqua",  "vaytien",   "dautu",
    "vieclam",     "cskh",       "trian",   "capnhat",    "baomat",   "tuyendung", "quatang",
};
#define N_LURES (sizeof lures / sizeof lures[0])

static const char *const tlds[] = {"com",    "net",  "vn",   "com.vn", "xyz", "top",
                                   "online", "site", "info", "shop",   "cc",  "me"};
#define N_TLDS (sizeof tlds / sizeof tlds[0])

static const char *const paths[] = {"dang-nhap", "xac-minh", "otp",     "nhan-qua",  "cap-nhat",
                                    "hoan-tien", "tai-app",  "dang-ky", "thanh-toan"};
#define N_PATHS (sizeof paths / sizeof paths[0])

/* ---- Rows ------------------------------------------------------------------------------- */

typedef enum { GEN_PHONE, GEN_MIXED } gen_kind_t;
typedef enum { FMT_CSV, FMT_JSONL } gen_format_t;

typedef struct {
    uint64_t seed;
    gen_kind_t kind;
    gen_format_t format;
    perm_t phone, account, serial;
    uint64_t next_phone, next_account, next_serial;
    char dates[1827][11]; /* 2022-01-01 .. 2026-12-31 as "YYYY-MM-DD" */
    int ndates;
} gen_t;

static void two_digits(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

static void dates_init(gen_t *g)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    g->ndates = 0;
    for (int y = 2022; y <= 2026; y++)
        for (int m = 0; m < 12; m++) {
            int days = mdays[m] + (m == 1 && y % 4 == 0);
            for (int d = 1; d <= days; d++) {
                char *p = g->dates[g->ndates++];
                two_digits(p, y / 100);
                two_digits(p + 2, y % 100);
                p[4] = '-';
                two_digits(p + 5, m + 1);
                p[7] = '-';
                two_digits(p + 8, d);
                p[10] = 0;
            }
        }
}

/* The national significant number of the i-th mobile number (0 <= i < PHONE_SPACE). */
static uint64_t phone_nsn(uint64_t i)
{
    if (i < N_PREFIX2 * 10000000ull)
        return prefix2[i / 10000000] * 10000000ull + i % 10000000;
    i -= N_PREFIX2 * 10000000ull;
    return prefix3[i / 1000000] * 1000000ull + i % 1000000;
}

/* The number as people write it: "0912345678", "+84912345678", "0912 345 678", ... */
static void put_phone(out_t *o, uint64_t nsn, rng_t *r)
{
    uint32_t f = rng_below(r, 100);
    if (f < 55) {
        put_char(o, '0');
        put_digits(o, nsn, 9);
    } else if (f < 75) {
        put_str(o, "+84");
        put_digits(o, nsn, 9);
    } else if (f < 85 || f >= 95) {
        char sep = f < 85 ? ' ' : '.';
        put_char(o, '0');
        put_digits(o, nsn / 1000000, 3);
        put_char(o, sep);
        put_digits(o, nsn / 1000 % 1000, 3);
        put_char(o, sep);
        put_digits(o, nsn % 1000, 3);
    } else if (f < 90) {
        put_str(o, "84");
        put_digits(o, nsn, 9);
    } else {
        put_str(o, "+84 ");
        put_digits(o, nsn / 10000000, 2);
        put_char(o, ' ');
        put_digits(o, nsn / 10000 % 1000, 3);
        put_char(o, ' ');
        put_digits(o, nsn % 10000, 4);
    }
}

static void put_bank_account(out_t *o, gen_t *g, rng_t *r)
{
    uint64_t acct = perm_apply(&g->account, g->next_account++);
    uint32_t b = rng_below(r, N_BANKS), f = rng_below(r, 10);
    if (f < 5) { /* canonical */
        put_str(o, banks[b].bin);
        put_char(o, ':');
        put_digits(o, acct, 12);
    } else if (f < 8) {
        put_str(o, banks[b].name);
        put_char(o, ' ');
        put_digits(o, acct, 12);
    } else if (f < 9) {
        put_str(o, "STK ");
        put_digits(o, acct / 100000000, 4);
        put_char(o, ' ');
        put_digits(o, acct / 10000 % 10000, 4);
        put_char(o, ' ');
        put_digits(o, acct % 10000, 4);
        put_char(o, ' ');
        put_str(o, banks[b].name);
    } else { /* bank unknown */
        put_str(o, "*:");
        put_digits(o, acct, 12);
    }
}

/* "<lure>-<lure>-<serial>.<tld>": the serial makes every generated host distinct. */
static void put_host(out_t *o, uint64_t serial, rng_t *r)
{
    uint32_t a = rng_below(r, N_LURES), b = (a + 1 + rng_below(r, N_LURES - 1)) % N_LURES;
    put_str(o, lures[a]);
    put_char(o, '-');
    put_str(o, lures[b]);
    put_char(o, '-');
    put_base36(o, serial, 7);
    put_char(o, '.');
    put_str(o, tlds[rng_below(r, N_TLDS)]);
}

static void put_social(out_t *o, gen_t *g, rng_t *r, uint64_t serial)
{
    uint32_t p = rng_below(r, 4);
    const char *lure = lures[rng_below(r, N_LURES)];
    if (p == 3) {
        put_str(o, "zalo.me/0");
        put_digits(o, phone_nsn(perm_apply(&g->phone, g->next_phone++)), 9);
        return;
    }
    put_str(o, p == 0 ? "https://www.facebook.com/" : p == 1 ? "t.me/" : "tiktok.com/@");
    put_str(o, lure);
    put_char(o, p == 1 ? '_' : '.');
    put_base36(o, serial, 7);
}

typedef enum { V_PHONE, V_BANK_ACCOUNT, V_URL, V_DOMAIN, V_SOCIAL, V_EMAIL } value_kind_t;
static const char *const kind_names[] = {"phone",  "bank_account",   "url",
                                         "domain", "social_account", "email"};

/* Mixed rows: half phone numbers, a fifth bank accounts, the rest links and addresses. */
static value_kind_t pick_kind(const gen_t *g, rng_t *r)
{
    if (g->kind == GEN_PHONE)
        return V_PHONE;
    uint32_t k = rng_below(r, 100);
    return k < 50   ? V_PHONE
           : k < 70 ? V_BANK_ACCOUNT
           : k < 80 ? V_URL
           : k < 90 ? V_DOMAIN
           : k < 95 ? V_SOCIAL
                    : V_EMAIL;
}

static void put_value(out_t *o, gen_t *g, rng_t *r, value_kind_t k)
{
    if (k == V_PHONE) {
        put_phone(o, phone_nsn(perm_apply(&g->phone, g->next_phone++)), r);
        return;
    }
    if (k == V_BANK_ACCOUNT) {
        put_bank_account(o, g, r);
        return;
    }
    uint64_t serial = perm_apply(&g->serial, g->next_serial++);
    if (k == V_URL) {
        put_str(o, rng_below(r, 4) ? "https://" : "http://");
        put_host(o, serial, r);
        put_char(o, '/');
        put_str(o, paths[rng_below(r, N_PATHS)]);
    } else if (k == V_DOMAIN) {
        put_host(o, serial, r);
    } else if (k == V_SOCIAL) {
        put_social(o, g, r, serial);
    } else {
        put_str(o, lures[rng_below(r, N_LURES)]);
        put_char(o, '.');
        put_base36(o, serial, 7);
        put_char(o, '@');
        put_host(o, serial, r);
    }
}

static uint32_t pick_category(rng_t *r)
{
    uint32_t x = rng_below(r, 100);
    for (uint32_t i = 0; i < N_CATEGORIES; i++) {
        if (x < categories[i].weight)
            return i;
        x -= categories[i].weight;
    }
    return N_CATEGORIES - 1;
}

/* Status, categories, source, reports and dates of a row. */
typedef struct {
    const char *status, *source;
    int ncat;
    uint32_t cat[2];
    uint64_t reports;
    int first, last; /* indexes into gen_t.dates */
} meta_t;

static meta_t draw_meta(const gen_t *g, rng_t *r)
{
    meta_t m = {"reported", "community", 0, {0, 0}, 1, 0, 0};
    uint32_t s = rng_below(r, 100);
    m.status = s < 70 ? "reported" : s < 98 ? "confirmed" : "allowlisted";
    if (s >= 98) {
        m.source = "official";
    } else {
        m.source = sources[rng_below(r, sizeof sources / sizeof sources[0])];
        m.cat[m.ncat++] = pick_category(r);
        if (rng_below(r, 4) == 0) {
            uint32_t c = pick_category(r);
            if (c != m.cat[0])
                m.cat[m.ncat++] = c;
        }
        double u = rng_unit(r); /* most numbers are reported once or a few times */
        m.reports = 1 + (uint64_t)(50.0 * u * u * u);
    }
    m.first = (int)rng_below(r, (uint32_t)g->ndates);
    double u = rng_unit(r);
    int span = (int)(365.0 * u * u);
    m.last = m.first + span < g->ndates ? m.first + span : g->ndates - 1;
    return m;
}

static void put_meta_csv(out_t *o, const gen_t *g, const meta_t *m)
{
    put_char(o, ',');
    put_str(o, m->status);
    put_char(o, ',');
    for (int i = 0; i < m->ncat; i++) {
        if (i)
            put_char(o, ';');
        put_str(o, categories[m->cat[i]].name);
    }
    put_char(o, ',');
    put_str(o, m->source);
    put_char(o, ',');
    put_uint(o, m->reports);
    put_char(o, ',');
    put_mem(o, g->dates[m->first], 10);
    put_char(o, ',');
    put_mem(o, g->dates[m->last], 10);
    put_str(o, ",\n");
}

static void put_meta_json(out_t *o, const gen_t *g, const meta_t *m)
{
    put_str(o, "\",\"status\":\"");
    put_str(o, m->status);
    put_str(o, "\",\"categories\":[");
    for (int i = 0; i < m->ncat; i++) {
        put_str(o, i ? ",\"" : "\"");
        put_str(o, categories[m->cat[i]].name);
        put_char(o, '"');
    }
    put_str(o, "],\"source\":\"");
    put_str(o, m->source);
    put_str(o, "\",\"reports\":");
    put_uint(o, m->reports);
    put_str(o, ",\"first_seen\":\"");
    put_mem(o, g->dates[m->first], 10);
    put_str(o, "\",\"last_seen\":\"");
    put_mem(o, g->dates[m->last], 10);
    put_str(o, "\"}\n");
}

/* One row. Values hold no character that needs quoting in CSV or escaping in JSON. */
static void put_row(out_t *o, gen_t *g, uint64_t row)
{
    rng_t r = {mix64(g->seed ^ mix64(row))};
    value_kind_t k = pick_kind(g, &r);
    if (g->format == FMT_CSV) {
        put_str(o, kind_names[k]);
        put_char(o, ',');
        put_value(o, g, &r, k);
        meta_t m = draw_meta(g, &r);
        put_meta_csv(o, g, &m);
    } else {
        put_str(o, "{\"kind\":\"");
        put_str(o, kind_names[k]);
        put_str(o, "\",\"value\":\"");
        put_value(o, g, &r, k);
        meta_t m = draw_meta(g, &r);
        put_meta_json(o, g, &m);
    }
}

/* ---- Command line ----------------------------------------------------------------------- */

static const char usage[] =
    "usage: fraudidx-gen --rows N [--seed S] [--kind phone|mixed] [--format csv|jsonl]\n"
    "Writes N synthetic indicator rows to stdout (CSV with a header row, or JSON Lines),\n"
    "the same for the same seed (default 1). --kind phone (default): distinct Vietnamese\n"
    "mobile numbers; --kind mixed: also bank accounts, URLs, domains, social accounts and\n"
    "e-mail addresses.\n";

static void usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "fraudidx-gen: %s%s%s\n%s", what, arg ? ": " : "", arg ? arg : "", usage);
    exit(2);
}

static uint64_t parse_u64(const char *s, const char *flag)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
        usage_error("expected a non-negative number after", flag);
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        usage_error("not a number", s);
    return (uint64_t)v;
}

/* "--flag value" or "--flag=value": the value, or NULL when argv[*i] is not that flag. */
static const char *flag_value(int argc, char **argv, int *i, const char *flag)
{
    size_t fl = strlen(flag);
    if (strncmp(argv[*i], flag, fl) != 0)
        return NULL;
    if (argv[*i][fl] == '=')
        return argv[*i] + fl + 1;
    if (argv[*i][fl] != 0)
        return NULL;
    if (*i + 1 >= argc)
        usage_error("missing value for", flag);
    return argv[++*i];
}

static uint64_t parse_args(int argc, char **argv, gen_t *g)
{
    uint64_t rows = 0;
    int have_rows = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            exit(0);
        } else if ((v = flag_value(argc, argv, &i, "--rows"))) {
            rows = parse_u64(v, "--rows");
            have_rows = 1;
        } else if ((v = flag_value(argc, argv, &i, "--seed"))) {
            g->seed = parse_u64(v, "--seed");
        } else if ((v = flag_value(argc, argv, &i, "--kind"))) {
            if (strcmp(v, "phone") && strcmp(v, "mixed"))
                usage_error("--kind must be phone or mixed, not", v);
            g->kind = strcmp(v, "phone") == 0 ? GEN_PHONE : GEN_MIXED;
        } else if ((v = flag_value(argc, argv, &i, "--format"))) {
            if (strcmp(v, "csv") && strcmp(v, "jsonl"))
                usage_error("--format must be csv or jsonl, not", v);
            g->format = strcmp(v, "csv") == 0 ? FMT_CSV : FMT_JSONL;
        } else {
            usage_error("unknown argument", argv[i]);
        }
    }
    if (!have_rows)
        usage_error("--rows is required", NULL);
    if (rows > PHONE_SPACE) /* every kind but the serials draws from the phone space */
        usage_error("--rows is larger than the number of distinct phone numbers (376000000)", NULL);
    return rows;
}

int main(int argc, char **argv)
{
    static gen_t g;
    static out_t o;
    g.seed = 1;
    g.kind = GEN_PHONE;
    g.format = FMT_CSV;
    uint64_t rows = parse_args(argc, argv, &g);
    dates_init(&g);
    perm_init(&g.phone, PHONE_SPACE, 30, g.seed, 1);
    perm_init(&g.account, 1000000000000ull, 40, g.seed, 2); /* 12-digit account numbers */
    perm_init(&g.serial, 36ull * 36 * 36 * 36 * 36 * 36 * 36, 38, g.seed, 3);
    if (g.format == FMT_CSV)
        put_str(&o, "kind,value,status,categories,source,reports,first_seen,last_seen,note\n");
    for (uint64_t row = 0; row < rows; row++) {
        if (OUT_CAP - o.n < ROW_MAX)
            out_flush(&o);
        put_row(&o, &g, row);
    }
    out_flush(&o);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "fraudidx-gen: write error: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}
