/* Bank accounts: finding a bank by any name people write for it, and normalising an account
 * as written in reports ("Vietcombank 0123 456 789", "STK 0123456789 - VCB", "970436:...")
 * into the canonical "BIN:DIGITS" or "*:DIGITS".
 *
 * Everything is matched on a folded copy of the input: ASCII lower case, Vietnamese letters
 * without diacritics (đ → d), full-width digits and letters as ASCII, odd spaces and dashes
 * as ' ' and '-', zero-width characters dropped. The bank table (data/banks.csv, generated
 * into bank_table.c) is scanned linearly, folding each name per call: ~65 banks, not the
 * service hot path. No allocation: buffers live on the stack, bounded by FIDX_MAX_VALUE_LEN. */
#include "fidx/bank.h"

#include <stdint.h>
#include <string.h>

#include "normalize/bank_table.h"
#include "fidx/str.h"

/* Longest table string (name or alias) that can match; longer ones are skipped. */
#define BANK_STR_MAX 256
/* Words of one text segment that noise removal looks at; longer segments only match whole. */
#define SEGMENT_WORDS_MAX 16

_Static_assert(FIDX_MAX_VALUE_LEN < UINT16_MAX, "offsets are kept in uint16_t");

size_t fidx_bank_count(void)
{
    return fidx__bank_table_count;
}

const fidx_bank_t *fidx_bank_at(size_t i)
{
    return i < fidx__bank_table_count ? &fidx__bank_table[i] : NULL;
}

/* ---- Folding ---------------------------------------------------------------------------- */

#define FOLD_DROP 1 /* the code point is removed (zero-width, combining mark) */

/* Code points folded to one ASCII byte. Vietnamese letters are precomposed in Latin-1,
 * Latin Extended-A/B (ă đ ĩ ũ ơ ư) and Latin Extended Additional (U+1EA0..U+1EF9, ordered
 * by base letter); people typing on phones also send NFD (base + U+0300..U+036F marks). */
static const struct {
    uint16_t lo, hi;
    char to;
} fold_ranges[] = {
    {0x00A0, 0x00A0, ' '},       {0x00AD, 0x00AD, FOLD_DROP}, {0x00C0, 0x00C5, 'a'},
    {0x00C7, 0x00C7, 'c'},       {0x00C8, 0x00CB, 'e'},       {0x00CC, 0x00CF, 'i'},
    {0x00D0, 0x00D0, 'd'},       {0x00D1, 0x00D1, 'n'},       {0x00D2, 0x00D6, 'o'},
    {0x00D8, 0x00D8, 'o'},       {0x00D9, 0x00DC, 'u'},       {0x00DD, 0x00DD, 'y'},
    {0x00E0, 0x00E5, 'a'},       {0x00E7, 0x00E7, 'c'},       {0x00E8, 0x00EB, 'e'},
    {0x00EC, 0x00EF, 'i'},       {0x00F0, 0x00F0, 'd'},       {0x00F1, 0x00F1, 'n'},
    {0x00F2, 0x00F6, 'o'},       {0x00F8, 0x00F8, 'o'},       {0x00F9, 0x00FC, 'u'},
    {0x00FD, 0x00FD, 'y'},       {0x00FF, 0x00FF, 'y'},       {0x0102, 0x0103, 'a'},
    {0x0110, 0x0111, 'd'},       {0x0128, 0x0129, 'i'},       {0x0168, 0x0169, 'u'},
    {0x01A0, 0x01A1, 'o'},       {0x01AF, 0x01B0, 'u'},       {0x0300, 0x036F, FOLD_DROP},
    {0x1EA0, 0x1EB7, 'a'},       {0x1EB8, 0x1EC7, 'e'},       {0x1EC8, 0x1ECB, 'i'},
    {0x1ECC, 0x1EE3, 'o'},       {0x1EE4, 0x1EF1, 'u'},       {0x1EF2, 0x1EF9, 'y'},
    {0x2000, 0x200A, ' '},       {0x200B, 0x200D, FOLD_DROP}, {0x2010, 0x2015, '-'},
    {0x202F, 0x202F, ' '},       {0x2060, 0x2060, FOLD_DROP}, {0x3000, 0x3000, ' '},
    {0xFEFF, 0xFEFF, FOLD_DROP}, {0xFF0A, 0xFF0A, '*'},       {0xFF0D, 0xFF0D, '-'},
    {0xFF0E, 0xFF0E, '.'},       {0xFF1A, 0xFF1A, ':'},
};

/* The ASCII byte cp folds to, FOLD_DROP, or 0 when it is kept as it is. */
static char fold_cp(uint32_t cp)
{
    if (cp >= 0xFF10 && cp <= 0xFF19) /* full-width digits */
        return (char)('0' + (cp - 0xFF10));
    if (cp >= 0xFF21 && cp <= 0xFF3A) /* full-width letters */
        return (char)('a' + (cp - 0xFF21));
    if (cp >= 0xFF41 && cp <= 0xFF5A)
        return (char)('a' + (cp - 0xFF41));
    size_t lo = 0, hi = sizeof fold_ranges / sizeof fold_ranges[0];
    while (lo < hi) { /* the ranges are sorted and disjoint */
        size_t mid = lo + (hi - lo) / 2;
        if (cp < fold_ranges[mid].lo)
            hi = mid;
        else if (cp > fold_ranges[mid].hi)
            lo = mid + 1;
        else
            return fold_ranges[mid].to;
    }
    return 0;
}

/* Decodes one UTF-8 sequence of 2 to 4 bytes at p[0..len) into *cp. Returns its length, or 0
 * when it is not well-formed (overlong, surrogate, truncated): that byte is then kept raw. */
static size_t utf8_decode(const unsigned char *p, size_t len, uint32_t *cp)
{
    size_t n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
    if (n == 0 || p[0] > 0xF4 || n > len)
        return 0;
    uint32_t c = p[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

/* Folds p[0..len) into out (room for len bytes: folding never grows the text) and returns
 * the folded length. When off is not NULL, off[i] is the input offset of out[i] and
 * off[result] == len. */
static size_t fold(const char *p, size_t len, char *out, uint16_t *off)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;
        if (u[i] < 0x80) {
            if (off)
                off[n] = (uint16_t)i;
            out[n++] = (char)((u[i] >= 'A' && u[i] <= 'Z') ? u[i] - 'A' + 'a' : u[i]);
            i++;
            continue;
        }
        size_t step = utf8_decode(u + i, len - i, &cp);
        char c = step ? fold_cp(cp) : 0;
        if (step == 0) /* not UTF-8: the byte stays as it is */
            step = 1;
        if (c == 0) { /* a character without a folding stays as it is */
            for (size_t k = 0; k < step; k++) {
                if (off)
                    off[n] = (uint16_t)(i + k);
                out[n++] = (char)u[i + k];
            }
        } else if (c != FOLD_DROP) {
            if (off)
                off[n] = (uint16_t)i;
            out[n++] = c;
        }
        i += step;
    }
    if (off)
        off[n] = (uint16_t)len;
    return n;
}

/* ---- Bank lookup by key ------------------------------------------------------------------ */

/* Key bytes: folded letters and digits, and non-ASCII bytes kept raw. Spaces and ASCII
 * punctuation ("MB Bank", "Co-op", "VCB:") do not count. */
static int is_key_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static size_t compact(char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (is_key_byte((unsigned char)s[i]))
            s[k++] = s[i];
    return k;
}

/* Words of legal form that say nothing about which bank it is: "Ngân hàng TMCP Quân đội",
 * "Ngân hàng Thương mại TNHH MTV Xây dựng Việt Nam" and "Quân đội" are the same bank. The
 * stripping never leaves a key empty. */
static void strip_key(const char **k, size_t *n)
{
    static const char *const prefixes[] = {"nganhang", "thuongmai", "tmcp", "tnhh", "mtv"};
    int again = 1;
    while (again) {
        again = 0;
        for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
            size_t pl = strlen(prefixes[i]);
            if (*n > pl && memcmp(*k, prefixes[i], pl) == 0) {
                *k += pl;
                *n -= pl;
                again = 1;
            }
        }
    }
    if (*n > 7 && memcmp(*k + *n - 7, "vietnam", 7) == 0)
        *n -= 7;
}

/* A cheap test before folding a whole table string: its key starts with its first letter,
 * unless a legal-form prefix was stripped (they start with 'n', 't' or 'm'). */
static int first_byte_may_match(const char *s, char q0)
{
    char c = s[0];
    if (c >= 'A' && c <= 'Z')
        c = (char)(c - 'A' + 'a');
    if ((unsigned char)c >= 0x80 || !is_key_byte((unsigned char)c))
        return 1;
    return c == q0 || c == 'n' || c == 't' || c == 'm';
}

/* Whether table string s[0..slen) has the (stripped) key q[0..qn). */
static int key_equals(const char *s, size_t slen, const char *q, size_t qn)
{
    char buf[BANK_STR_MAX];
    /* a key is never longer than its text */
    if (slen < qn || slen > sizeof buf || !first_byte_may_match(s, q[0]))
        return 0;
    size_t n = compact(buf, fold(s, slen, buf, NULL));
    const char *k = buf;
    strip_key(&k, &n);
    return n == qn && memcmp(k, q, n) == 0;
}

static int bank_has_key(const fidx_bank_t *b, const char *q, size_t qn)
{
    if (key_equals(b->bin, strlen(b->bin), q, qn) || key_equals(b->code, strlen(b->code), q, qn) ||
        key_equals(b->short_name, strlen(b->short_name), q, qn) ||
        key_equals(b->name, strlen(b->name), q, qn))
        return 1;
    for (const char *a = b->aliases; *a;) {
        const char *bar = strchr(a, '|');
        size_t al = bar ? (size_t)(bar - a) : strlen(a);
        if (al > 0 && key_equals(a, al, q, qn))
            return 1;
        a += bar ? al + 1 : al;
    }
    return 0;
}

/* The bank whose key is k[0..n) (already folded and compacted), or NULL. */
static const fidx_bank_t *lookup_key(const char *k, size_t n)
{
    strip_key(&k, &n);
    if (n == 0)
        return NULL;
    for (size_t i = 0; i < fidx__bank_table_count; i++)
        if (bank_has_key(&fidx__bank_table[i], k, n))
            return &fidx__bank_table[i];
    return NULL;
}

const fidx_bank_t *fidx_bank_find(const char *p, size_t len)
{
    char buf[FIDX_MAX_VALUE_LEN];
    if (!p || len == 0 || len > sizeof buf)
        return NULL;
    size_t n = compact(buf, fold(p, len, buf, NULL));
    return lookup_key(buf, n);
}

static const fidx_bank_t *lookup_bin(const char *digits)
{
    for (size_t i = 0; i < fidx__bank_table_count; i++)
        if (memcmp(fidx__bank_table[i].bin, digits, 6) == 0 && fidx__bank_table[i].bin[6] == 0)
            return &fidx__bank_table[i];
    return NULL;
}

/* ---- Normalising ------------------------------------------------------------------------- */

/* A number as written: digits, grouped by single ' ', '.' or '-'. */
typedef struct {
    size_t start, end; /* [start, end) in the folded text */
    size_t ndigits, ngroups;
} run_t;

typedef struct {
    char f[FIDX_MAX_VALUE_LEN]; /* folded input */
    uint16_t off[FIDX_MAX_VALUE_LEN + 1];
    size_t n;
    size_t from; /* where text starts after a leading "*:" */
    int star;
    run_t run[2];
    int nruns;
} parse_t;

typedef struct {
    const fidx_bank_t *bank; /* the bank a segment names, or NULL */
    int unknown;             /* the segment has words that name no bank */
    size_t at;               /* folded offset of those words */
} named_t;

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (unsigned char)c >= 0x80;
}

static int is_group_sep(char c)
{
    return c == ' ' || c == '.' || c == '-';
}

static size_t digits_at(const char *f, size_t n, size_t i)
{
    size_t k = 0;
    while (i + k < n && is_digit(f[i + k]))
        k++;
    return k;
}

/* Reads the number starting at ps->f[i]. Groups go on across single separators, except that
 * two long groups (6+ digits each) are two numbers ("0123456789 9876543210"). */
static run_t read_run(const parse_t *ps, size_t i)
{
    run_t r = {i, i, 0, 0};
    for (;;) {
        size_t g = digits_at(ps->f, ps->n, i);
        i += g;
        r.ndigits += g;
        r.ngroups++;
        if (i + 1 >= ps->n || !is_group_sep(ps->f[i]) || !is_digit(ps->f[i + 1]))
            break;
        if (g >= 6 && digits_at(ps->f, ps->n, i + 1) >= 6)
            break;
        i++;
    }
    r.end = i;
    return r;
}

static int find_runs(parse_t *ps, fidx_err_t *err)
{
    for (size_t i = ps->from; i < ps->n;) {
        if (!is_digit(ps->f[i])) {
            i++;
            continue;
        }
        run_t r = read_run(ps, i);
        if (r.start > 0 && is_letter(ps->f[r.start - 1]))
            return fidx_err_set(err, FIDX_EINVAL, ps->off[r.start - 1],
                                "letters mixed into the account number");
        if (r.end < ps->n && is_letter(ps->f[r.end]))
            return fidx_err_set(err, FIDX_EINVAL, ps->off[r.end],
                                "letters mixed into the account number");
        if (ps->nruns == 2) /* three numbers: point at the second */
            return fidx_err_set(err, FIDX_EINVAL, ps->off[ps->run[1].start],
                                "two different numbers");
        ps->run[ps->nruns++] = r;
        i = r.end;
    }
    if (ps->nruns == 0)
        return fidx_err_set(err, FIDX_EINVAL, 0, "no account number");
    return 0;
}

/* Copies the digits of r into out (room for FIDX_BANK_ACCOUNT_MAX + 1); the count. */
static size_t run_digits(const parse_t *ps, const run_t *r, char *out)
{
    size_t k = 0;
    for (size_t i = r->start; i < r->end && k <= FIDX_BANK_ACCOUNT_MAX; i++)
        if (is_digit(ps->f[i]))
            out[k++] = ps->f[i];
    return k;
}

static int runs_same_digits(const parse_t *ps)
{
    char a[FIDX_BANK_ACCOUNT_MAX + 1], b[FIDX_BANK_ACCOUNT_MAX + 1];
    if (ps->run[0].ndigits != ps->run[1].ndigits || ps->run[0].ndigits > FIDX_BANK_ACCOUNT_MAX)
        return 0;
    size_t n = run_digits(ps, &ps->run[0], a);
    return run_digits(ps, &ps->run[1], b) == n && memcmp(a, b, n) == 0;
}

/* "970436:…": a lone 6-digit group, then only spaces and one ':' before the account. */
static int is_bin_form(const parse_t *ps)
{
    const run_t *r = &ps->run[0];
    if (ps->nruns != 2 || r->ndigits != 6 || r->ngroups != 1)
        return 0;
    int colons = 0;
    for (size_t i = r->end; i < ps->run[1].start; i++) {
        if (ps->f[i] == ':')
            colons++;
        else if (ps->f[i] != ' ')
            return 0;
    }
    return colons == 1;
}

/* A leading '*' (optionally followed by ':') says the bank is unknown. */
static void read_star(parse_t *ps)
{
    size_t i = 0;
    while (i < ps->n && ps->f[i] == ' ')
        i++;
    if (i == ps->n || ps->f[i] != '*')
        return;
    for (i++; i < ps->n && ps->f[i] == ' '; i++)
        ;
    if (i < ps->n && ps->f[i] == ':')
        i++;
    ps->star = 1;
    ps->from = i;
}

/* ---- Bank names around the number ------------------------------------------------------- */

typedef struct {
    size_t start, end;
} word_t;

/* Phrases that are not part of a bank name: "STK", "số tài khoản", "ngân hàng", "NH", ... */
static const char *const noise[][4] = {
    {"so", "tai", "khoan"},
    {"tai", "khoan"},
    {"so", "tk"},
    {"ngan", "hang"},
    {"chuyen", "khoan"},
    {"stk"},
    {"tk"},
    {"ck"},
    {"nh"},
    {"so"},
    {"tai"},
    {"account"},
    {"acc"},
    {"number"},
    {"no"},
};
/* Phrases after which the rest of a segment is a branch or the holder, not the bank. */
static const char *const cut[][4] = {
    {"chi", "nhanh"}, {"cn"}, {"chu", "tk"}, {"chu", "tai", "khoan"}, {"ten", "tk"},
};

/* Number of words of phrase ph matched at words w[i..nw), or 0. */
static size_t phrase_at(const char *f, const word_t *w, size_t i, size_t nw, const char *const *ph)
{
    size_t k = 0;
    for (; k < 4 && ph[k]; k++) {
        size_t l = strlen(ph[k]);
        if (i + k >= nw || w[i + k].end - w[i + k].start != l ||
            memcmp(f + w[i + k].start, ph[k], l))
            return 0;
    }
    return k;
}

static size_t phrase_in(const char *f, const word_t *w, size_t i, size_t nw,
                        const char *const (*list)[4], size_t nlist)
{
    for (size_t j = 0; j < nlist; j++) {
        size_t k = phrase_at(f, w, i, nw, list[j]);
        if (k)
            return k;
    }
    return 0;
}

/* Splits f[a..b) into words; returns their number, or SIZE_MAX when there are too many. */
static size_t split_words(const char *f, size_t a, size_t b, word_t *w)
{
    size_t nw = 0;
    for (size_t i = a; i < b;) {
        if (!is_key_byte((unsigned char)f[i])) {
            i++;
            continue;
        }
        if (nw == SEGMENT_WORDS_MAX)
            return SIZE_MAX;
        w[nw].start = i;
        while (i < b && is_key_byte((unsigned char)f[i]))
            i++;
        w[nw++].end = i;
    }
    return nw;
}

/* Drops noise phrases and everything after a cut phrase; the words kept, in place. */
static size_t drop_noise(const char *f, word_t *w, size_t nw)
{
    size_t kept = 0;
    for (size_t i = 0; i < nw;) {
        if (phrase_in(f, w, i, nw, cut, sizeof cut / sizeof cut[0]))
            break;
        size_t k = phrase_in(f, w, i, nw, noise, sizeof noise / sizeof noise[0]);
        if (k) {
            i += k;
            continue;
        }
        w[kept++] = w[i++];
    }
    return kept;
}

static const fidx_bank_t *lookup_words(const char *f, const word_t *w, size_t nw, char *buf)
{
    size_t n = 0;
    for (size_t i = 0; i < nw; i++) {
        memcpy(buf + n, f + w[i].start, w[i].end - w[i].start);
        n += w[i].end - w[i].start;
    }
    return lookup_key(buf, n);
}

/* What the text f[a..b) beside the number says about the bank: the whole text as a name
 * ("Ngân hàng TMCP Quân đội"), else the text without noise words ("STK", "NH", ...). */
static named_t read_segment(const parse_t *ps, size_t a, size_t b)
{
    named_t r = {NULL, 0, a};
    char buf[FIDX_MAX_VALUE_LEN];
    size_t n = 0;
    for (size_t i = a; i < b; i++) {
        if (!is_key_byte((unsigned char)ps->f[i]))
            continue;
        if (n == 0)
            r.at = i;
        buf[n++] = ps->f[i];
    }
    if (n == 0 || (r.bank = lookup_key(buf, n)) != NULL)
        return r;
    word_t w[SEGMENT_WORDS_MAX];
    size_t nw = split_words(ps->f, a, b, w);
    if (nw != SIZE_MAX) {
        size_t kept = drop_noise(ps->f, w, nw);
        if (kept == 0)
            return r;
        if (kept < nw) /* else the same key was just looked up */
            r.bank = lookup_words(ps->f, w, kept, buf);
        r.at = w[0].start;
    }
    r.unknown = r.bank == NULL;
    return r;
}

/* Combines what the segments say. A name on one side of the number wins over unknown words on
 * the other (the holder's name: "VCB 0123456789 NGUYEN VAN A"); two banks are an error. */
static int pick_bank(const parse_t *ps, const named_t *seg, int nseg, const fidx_bank_t **bank,
                     fidx_err_t *err)
{
    const named_t *unknown = NULL;
    for (int i = 0; i < nseg; i++) {
        if (seg[i].unknown && !unknown)
            unknown = &seg[i];
        if (!seg[i].bank)
            continue;
        if (ps->star)
            return fidx_err_set(err, FIDX_EINVAL, ps->off[seg[i].at], "bank name after '*:'");
        if (*bank && *bank != seg[i].bank)
            return fidx_err_set(err, FIDX_EINVAL, ps->off[seg[i].at], "two different banks");
        *bank = seg[i].bank;
    }
    if (!*bank && unknown && !ps->star)
        return fidx_err_set(err, FIDX_EINVAL, ps->off[unknown->at], "unknown bank name");
    return 0;
}

static int write_canonical(const fidx_bank_t *bank, const char *digits, size_t nd, char *out,
                           size_t cap, size_t *out_len, fidx_err_t *err)
{
    size_t bl = bank ? 6 : 1;
    if (!out || cap < bl + 1 + nd + 1)
        return fidx_err_set(err, FIDX_ENOSPC, 0, "output buffer too small");
    memcpy(out, bank ? bank->bin : "*", bl);
    out[bl] = ':';
    memcpy(out + bl + 1, digits, nd);
    out[bl + 1 + nd] = 0;
    if (out_len)
        *out_len = bl + 1 + nd;
    return 0;
}

/* Chooses the account number among the runs and reads the segments of text around it. */
static int read_parts(parse_t *ps, const run_t **acct, const fidx_bank_t **bank, named_t *seg,
                      int *nseg, fidx_err_t *err)
{
    const run_t *r0 = &ps->run[0], *last = &ps->run[ps->nruns - 1];
    *acct = last;
    *nseg = 0;
    if (is_bin_form(ps)) {
        char bin[FIDX_BANK_ACCOUNT_MAX + 1];
        (void)run_digits(ps, r0, bin);
        if (ps->star || (*bank = lookup_bin(bin)) == NULL)
            return fidx_err_set(err, FIDX_EINVAL, ps->off[r0->start], "unknown bank identifier");
    } else if (ps->nruns == 2) {
        if (!runs_same_digits(ps))
            return fidx_err_set(err, FIDX_EINVAL, ps->off[last->start], "two different numbers");
        seg[(*nseg)++] = read_segment(ps, r0->end, last->start);
    }
    seg[(*nseg)++] = read_segment(ps, ps->from, r0->start);
    seg[(*nseg)++] = read_segment(ps, last->end, ps->n);
    return 0;
}

int fidx_bank_normalize(const char *p, size_t len, char *out, size_t cap, size_t *out_len,
                        fidx_err_t *err)
{
    parse_t ps;
    if (len > FIDX_MAX_VALUE_LEN)
        return fidx_err_set(err, FIDX_ETOOBIG, FIDX_MAX_VALUE_LEN, "bank account too long");
    if (!p && len > 0)
        return fidx_err_set(err, FIDX_EINVAL, 0, "no input");
    ps.n = fold(p ? p : "", len, ps.f, ps.off);
    ps.from = 0;
    ps.star = 0;
    ps.nruns = 0;
    read_star(&ps);
    int rc = find_runs(&ps, err);
    const run_t *acct = NULL;
    const fidx_bank_t *bank = NULL;
    named_t seg[3];
    int nseg = 0;
    if (rc == 0)
        rc = read_parts(&ps, &acct, &bank, seg, &nseg, err);
    if (rc == 0)
        rc = pick_bank(&ps, seg, nseg, &bank, err);
    if (rc != 0)
        return rc;
    if (acct->ndigits < FIDX_BANK_ACCOUNT_MIN)
        return fidx_err_set(err, FIDX_EINVAL, ps.off[acct->start],
                            "account number has fewer than 6 digits");
    if (acct->ndigits > FIDX_BANK_ACCOUNT_MAX)
        return fidx_err_set(err, FIDX_EINVAL, ps.off[acct->start],
                            "account number has more than 19 digits");
    char digits[FIDX_BANK_ACCOUNT_MAX + 1];
    size_t nd = run_digits(&ps, acct, digits);
    return write_canonical(bank, digits, nd, out, cap, out_len, err);
}
