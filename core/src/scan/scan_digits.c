/* Numbers in a post: phone numbers and bank accounts, however they are grouped.
 *
 * A run is a sequence of groups, each a string of digits or one spelled-out digit ("không",
 * "chín", "nine"), separated by short gaps: spaces, one of . - _ (a comma only next to a
 * spelled-out digit), parentheses around a group ("(028)", "(0)"), with an optional leading
 * '+'. So "0912.345.678", "0 9 1 2 3 4 5 6 7 8", "+84 (0) 912 345 678", "0 2 4 - 3 8 2 2 - …"
 * and "không chín 1 2…" are each one run; two numbers in one run ("0912 345 678 - 0987 654
 * 321") are told apart by the split below.
 *
 * A run is dropped when it is a list of equal groups (lottery numbers, "09 12 34 56 78 90…"),
 * a date, a thousands-grouped amount ("1.990.000"), or when the words around it say it is an
 * amount, a code or a quantity (scan_context.c). Otherwise, when they say it is an account, the
 * whole run is one; else its groups are split into phone numbers: the split that covers the
 * most digits with numbers fidx_phone_normalize accepts, cutting only between groups, so a
 * long account number never yields a phone number from its middle. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fidx/phone.h"
#include "scan/scan_internal.h"

#define RUN_GROUPS 48   /* a run with more groups is not read */
#define RUN_DIGITS 64   /* nor one with more digits */
#define GROUP_DIGITS 20 /* nor one with a longer group */
#define GAP_MAX 4       /* bytes between two groups */
#define PHONE_DIGITS_MIN 8
#define PHONE_DIGITS_MAX 15
#define NO_POS ((size_t)-1)
#define TEN 10 /* "mười": a spoken pair of digits starts (mười hai = 12) */

static const struct {
    const char *text;
    uint8_t digit, exact_only;
} digit_words[SCAN_DIGIT_WORDS] = {
    {"không", 0, 0}, {"một", 1, 0},   {"mốt", 1, 1},   {"hai", 2, 0},  {"ba", 3, 0},
    {"bốn", 4, 0},   {"tư", 4, 1},    {"năm", 5, 0},   {"lăm", 5, 0},  {"sáu", 6, 0},
    {"bảy", 7, 0},   {"bẩy", 7, 1},   {"tám", 8, 0},   {"chín", 9, 0}, {"zero", 0, 0},
    {"one", 1, 0},   {"two", 2, 0},   {"three", 3, 0}, {"four", 4, 0}, {"five", 5, 0},
    {"six", 6, 0},   {"seven", 7, 0}, {"eight", 8, 0}, {"nine", 9, 0}, {"mười", TEN, 1},
};

typedef struct {
    size_t start, end;    /* the digits or the word */
    size_t open, close;   /* with the parentheses around it, when it has both */
    uint8_t nd, word, at; /* digits, spelled out, index of its first digit in run_t.d */
    uint8_t val, val2;    /* the digits a spelled-out group stands for (val2 when nd is 2) */
    uint8_t huge;         /* more than GROUP_DIGITS digits */
    uint8_t date;         /* part of three groups that read as a date */
    char sep;             /* punctuation in the gap before it: 0, '.', '-', '_' or ',' */
} group_t;

typedef struct {
    size_t start, end;
    int plus, bad;
    int cut;        /* ended because the next group did not fit (the list goes on) */
    size_t plus_at; /* the '+', or the '(' before it */
    size_t ng, nd;
    group_t g[RUN_GROUPS];
    char d[RUN_DIGITS];
} run_t;

int fidx__scan_digits_init(fidx_scanner_t *sc)
{
    size_t n = sizeof digit_words / sizeof digit_words[0];
    sc->digits = calloc(n, sizeof *sc->digits);
    if (!sc->digits)
        return FIDX_ENOMEM;
    for (size_t i = 0; i < n && digit_words[i].text; i++) {
        fidx__phrase_t *p = &sc->digits[sc->ndigits];
        if (fidx__scan_text_lexword(sc, digit_words[i].text, strlen(digit_words[i].text), &p->w[0]))
            return FIDX_EINVAL; /* as for the context words: a bug in the table */
        p->nw = 1;
        p->cls = digit_words[i].digit;
        p->exact_only = digit_words[i].exact_only;
        sc->digit_keys[sc->ndigits++] = p->w[0].key;
    }
    return 0;
}

int fidx__scan_digits_word(const fidx__scan_t *x, fidx__word_t *w)
{
    for (size_t i = 0; i < x->sc->ndigits; i++) {
        const fidx__phrase_t *p = &x->sc->digits[i];
        if (p->w[0].flen == w->flen && p->w[0].fold[0] == w->fold[0] &&
            fidx__scan_text_word_is(w, &p->w[0], p->exact_only))
            return p->cls;
    }
    return -1;
}

/* Whether a word's packed folded letters are those of a spelled-out digit: most words are
 * ruled out here without reading them fully. */
static int digit_key(const fidx_scanner_t *sc, uint64_t key)
{
    for (size_t k = 0; key && k < sc->ndigits; k++)
        if (sc->digit_keys[k] == key)
            return 1;
    return 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ---- reading a run ----------------------------------------------------------------------- */

static int word_byte(char c)
{
    return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (unsigned char)c >= 0x80;
}

/* The digit a letter stands for, when it sits between two digits: "07O8" is 0708, "09l2"
 * is 0912 (scammers swap them in to slip past filters); or when it starts a word and two
 * digits follow it: "O938 456 712", "0912 345 l78" (a phone number's leading 0 written as O
 * is the commonest); else 0. Not at the end of a number: "20l" is twenty litres. */
static char look_alike(const fidx__scan_t *x, size_t i, size_t hi)
{
    char c = x->t[i];
    char d = (c == 'O' || c == 'o') ? '0' : (c == 'l' || c == 'I') ? '1' : 0;
    if (!d || i + 1 >= hi || !is_digit(x->t[i + 1]))
        return 0;
    if (i > 0 && is_digit(x->t[i - 1]))
        return d;
    return i + 2 < hi && is_digit(x->t[i + 2]) && !(i > 0 && word_byte(x->t[i - 1])) ? d : 0;
}

/* The word after t[e] past one space: its end, or 0. */
static size_t next_word(const fidx__scan_t *x, size_t e, size_t hi, fidx__word_t *w)
{
    size_t l;
    if (e + 1 >= hi || x->t[e] != ' ' || !fidx__scan_letter_at(x, e + 1, &l))
        return 0;
    return fidx__scan_text_word_read(x, e + 1, hi, w);
}

static int is_muoi(const fidx__word_t *w)
{
    return strcmp(w->fold, "muoi") == 0 &&
           (!(w->flags & SCAN_W_MARKS) || (w->xlen == 6 && memcmp(w->exact, "mươi", 6) == 0));
}

/* Numbers read out two digits at a time, as Vietnamese speak phone numbers: "mười hai" (12),
 * "ba mươi tư" (34), "năm mươi" (50). g is the spelled-out digit ending at t[e] ("mười" read
 * as TEN); when a pair starts there, g becomes its two digits. Returns the group's end. */
static size_t spoken_pair(const fidx__scan_t *x, size_t e, size_t hi, group_t *g)
{
    fidx__word_t w;
    size_t we;
    int tens = g->val == TEN ? 1 : -1;
    if (tens < 0 && g->val >= 2 && g->val <= 9 && (we = next_word(x, e, hi, &w)) && is_muoi(&w)) {
        tens = g->val;
        e = we;
    }
    if (tens < 0)
        return e;
    int unit = (we = next_word(x, e, hi, &w)) ? fidx__scan_digits_word(x, &w) : -1;
    g->nd = 2;
    g->val = (uint8_t)tens;
    g->val2 = unit >= 1 && unit <= 9 ? (uint8_t)unit : 0;
    return unit >= 1 && unit <= 9 ? we : e;
}

/* Reads one group at t[pos]; 0 when none starts there. Digits beyond the limits mark the run
 * bad (it is still read to its end, so that no part of it is read again as a number). */
static int read_group(const fidx__scan_t *x, size_t pos, size_t hi, group_t *g)
{
    memset(g, 0, sizeof *g);
    g->start = g->open = pos;
    if (is_digit(x->t[pos]) || look_alike(x, pos, hi)) {
        size_t e = pos;
        while (e < hi && (is_digit(x->t[e]) || look_alike(x, e, hi)))
            e++;
        g->end = g->close = e;
        if (e - pos > GROUP_DIGITS)
            g->huge = 1; /* one long number: read to its end, never matched */
        else
            g->nd = (uint8_t)(e - pos);
        return 1;
    }
    size_t l;
    if (!fidx__scan_letter_at(x, pos, &l))
        return 0;
    fidx__word_t w;
    size_t e = fidx__scan_text_word_read(x, pos, hi, &w);
    int v = fidx__scan_digits_word(x, &w);
    if (v < 0)
        return 0;
    g->word = 1;
    g->nd = 1;
    g->val = (uint8_t)v;
    g->end = g->close = spoken_pair(x, e, hi, g);
    return 1;
}

/* Whether one more group fits; when it does not, the run ends before it and the group
 * starts the next run (a long list of numbers is read a few at a time, split between them). */
static int group_fits(const run_t *r, const group_t *g)
{
    return r->ng < RUN_GROUPS && r->nd + g->nd <= RUN_DIGITS;
}

static void add_group(const fidx__scan_t *x, run_t *r, group_t *g)
{
    g->at = (uint8_t)r->nd;
    if (g->word) {
        r->d[r->nd] = (char)('0' + g->val);
        if (g->nd == 2)
            r->d[r->nd + 1] = (char)('0' + g->val2);
    } else {
        for (size_t k = 0; k < g->nd; k++) {
            char c = x->t[g->start + k];
            r->d[r->nd + k] = is_digit(c) ? c : look_alike(x, g->start + k, g->end);
        }
    }
    r->nd += g->nd;
    r->g[r->ng++] = *g;
}

/* The gap after a group, at t[pos]: where the next group may start (0: the run ends here),
 * its punctuation and an opening parenthesis in it. */
static size_t read_gap(const fidx__scan_t *x, size_t pos, size_t hi, char *sep, size_t *open)
{
    size_t j = pos;
    *sep = 0;
    *open = NO_POS;
    while (j < hi && j - pos < GAP_MAX) {
        char c = x->t[j];
        int punct = c == '.' || c == '-' || c == '_' || c == ',';
        if (punct && (*sep || *open != NO_POS))
            break;
        if (c == '-' && j > pos && j + 1 < hi && is_digit(x->t[j + 1]))
            return 0; /* " -3.500.000": a sign in front of the next number */
        if (punct)
            *sep = c;
        else if (c == '(' && *open == NO_POS)
            *open = j;
        else if (c != ' ' && c != '\t')
            break;
        j++;
    }
    return j > pos ? j : 0;
}

/* A leading "+", "(+" or "(" before the first group. */
static size_t read_lead(const fidx__scan_t *x, size_t i, size_t hi, run_t *r, size_t *open)
{
    *open = NO_POS;
    if (x->t[i] == '(' && i + 1 < hi) {
        *open = i;
        i++;
    }
    if (x->t[i] == '+' && i + 1 < hi && is_digit(x->t[i + 1])) {
        r->plus = 1;
        r->plus_at = *open != NO_POS ? *open : i;
        i++;
    }
    return i;
}

static int collect_run(const fidx__scan_t *x, size_t i, size_t hi, run_t *r)
{
    memset(r, 0, offsetof(run_t, g));
    size_t open, pos = read_lead(x, i, hi, r, &open);
    group_t g;
    char sep = 0;
    for (;;) {
        if (pos >= hi || !read_group(x, pos, hi, &g))
            break;
        if (sep == ',' && !g.word && !(r->ng > 0 && r->g[r->ng - 1].word))
            break; /* "0912345678, 0987654321": two numbers */
        if (r->ng > 0 && !g.huge && !group_fits(r, &g)) {
            r->cut = 1;
            break;
        }
        if (r->ng > 0 && g.huge)
            break;
        if (g.huge) { /* a number too long to be anything we look for */
            r->bad = 1;
            r->end = g.close;
            break;
        }
        g.sep = sep;
        if (open != NO_POS && g.close < hi && x->t[g.close] == ')') {
            g.open = open;
            g.close++;
        }
        add_group(x, r, &g);
        r->end = g.close;
        pos = read_gap(x, g.close, hi, &sep, &open);
        if (pos == 0)
            break;
    }
    if (r->ng == 0 && !r->bad)
        return 0;
    r->start = r->plus ? r->plus_at : (r->ng ? r->g[0].open : i);
    if (r->plus && r->ng && r->g[0].open < r->plus_at)
        r->start = r->g[0].open;
    return r->end > i;
}

/* ---- shapes that are not phone numbers or accounts --------------------------------------- */

static unsigned group_value(const run_t *r, const group_t *g)
{
    unsigned v = 0;
    for (size_t k = 0; k < g->nd && k < 9; k++)
        v = v * 10 + (unsigned)(r->d[g->at + k] - '0');
    return v;
}

/* Six or more short groups of the same length: lottery numbers, scores, a table. */
static int list_like(const run_t *r)
{
    if (r->ng < 6 || r->g[0].word || r->g[0].nd < 2 || r->g[0].nd > 3)
        return 0;
    for (size_t k = 1; k < r->ng; k++)
        if (r->g[k].word || r->g[k].nd != r->g[0].nd)
            return 0;
    return 1;
}

static int day_month(unsigned d, unsigned m)
{
    return d >= 1 && d <= 31 && m >= 1 && m <= 12;
}

/* Groups k..k+n-1 (n = 2 or 3) read as a date: 12.03.2024, 12-3-24, 2024-03-12, 03.2024. */
static int date_at(const run_t *r, size_t k, size_t n)
{
    const group_t *g = r->g + k;
    if (k + n > r->ng || g[1].sep == 0 || g[1].sep == ',' || (k == 0 && r->plus))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (g[i].word || (i > 0 && g[i].sep != g[1].sep))
            return 0;
    unsigned a = group_value(r, &g[0]), b = group_value(r, &g[1]);
    if (n == 2)
        return g[0].nd <= 2 && g[1].nd == 4 && a >= 1 && a <= 12 && b >= 1900 && b <= 2099;
    unsigned c = group_value(r, &g[2]);
    if (g[0].nd <= 2 && g[1].nd <= 2 && (g[2].nd == 2 || g[2].nd == 4))
        return day_month(a, b);
    return g[0].nd == 4 && g[1].nd <= 2 && g[2].nd <= 2 && day_month(c, b);
}

static int date_like(const run_t *r)
{
    return (r->ng == 2 || r->ng == 3) && date_at(r, 0, r->ng);
}

/* Marks the groups that make up dates; whether there is one. */
static int mark_dates(run_t *r)
{
    int any = 0;
    for (size_t k = 0; k + 3 <= r->ng; k++)
        if (date_at(r, k, 3)) {
            r->g[k].date = r->g[k + 1].date = r->g[k + 2].date = 1;
            any = 1;
        }
    return any;
}

/* 1.990.000, 25,000,000: an amount written with thousands separators. */
static int amount_like(const run_t *r)
{
    const group_t *g = r->g;
    if (r->ng < 2 || r->plus || g[0].word || g[0].nd > 3 || r->d[0] == '0' ||
        (g[1].sep != '.' && g[1].sep != ','))
        return 0;
    for (size_t k = 1; k < r->ng; k++)
        if (g[k].word || g[k].nd != 3 || g[k].sep != g[1].sep)
            return 0;
    return 1;
}

static int ends_in_thousands(const run_t *r)
{
    return r->nd >= 4 && memcmp(r->d + r->nd - 3, "000", 3) == 0;
}

/* ---- emitting ---------------------------------------------------------------------------- */

static size_t span_start(const run_t *r, size_t i)
{
    return (i == 0 && r->plus) ? r->start : r->g[i].open;
}

/* Whether groups [i, j) could open a phone number at all: a national 0 (not 00 unless 0084),
 * 1800/1900, 84, or the run's '+'. Saves calling the normaliser on every split. */
static int phone_prefix(const run_t *r, size_t i, size_t nd)
{
    const char *d = r->d + r->g[i].at;
    if (i == 0 && r->plus)
        return 1;
    if (nd < PHONE_DIGITS_MIN || nd > PHONE_DIGITS_MAX - 2)
        return 0;
    if (d[0] == '0')
        return d[1] != '0' || (nd > 4 && d[2] == '8' && d[3] == '4');
    if (d[0] == '1')
        return (d[1] == '8' || d[1] == '9') && d[2] == '0' && d[3] == '0';
    return d[0] == '8' && d[1] == '4';
}

/* Normalises groups [i, j) as a phone number into out (cap bytes). */
static int phone_of(const run_t *r, size_t i, size_t j, char *out, size_t cap, size_t *len)
{
    char buf[2 * RUN_DIGITS + 8];
    size_t n = 0;
    for (size_t k = i; k < j; k++) {
        const group_t *g = &r->g[k];
        int paren = g->open < g->start && !g->word;
        if (paren)
            buf[n++] = '(';
        if (k == 0 && r->plus)
            buf[n++] = '+';
        memcpy(buf + n, r->d + g->at, g->nd);
        n += g->nd;
        if (paren)
            buf[n++] = ')';
    }
    return fidx_phone_normalize(buf, n, out, cap, len, NULL);
}

/* Splits the run into phone numbers (see the top of the file) and records them; none may
 * start before group first. */
static void emit_phones(fidx__scan_t *x, const run_t *r, size_t first)
{
    size_t k = r->ng;
    uint8_t best[RUN_GROUPS + 1], take[RUN_GROUPS + 1];
    char canon[32];
    size_t len;
    best[k] = 0;
    for (size_t i = k; i-- > 0;) {
        best[i] = best[i + 1];
        take[i] = 0;
        size_t j = i, nd = 0;
        while (j < k && nd + r->g[j].nd <= PHONE_DIGITS_MAX + 1 && !r->g[j].date)
            nd += r->g[j++].nd;
        for (; j > i; nd -= r->g[--j].nd) { /* longest first: it wins a tie */
            if (i < first || nd + best[j] <= best[i] || !phone_prefix(r, i, nd) ||
                phone_of(r, i, j, canon, sizeof canon, &len) != 0)
                continue;
            best[i] = (uint8_t)(nd + best[j]);
            take[i] = (uint8_t)j;
        }
    }
    for (size_t i = 0; i < k;) {
        if (!take[i]) {
            i++;
            continue;
        }
        if (phone_of(r, i, take[i], canon, sizeof canon, &len) == 0 &&
            fidx__scan_emit(x, FIDX_KIND_PHONE, span_start(r, i), r->g[take[i] - 1].close, canon,
                            len) != 0)
            return;
        i = take[i];
    }
}

static void emit_account(fidx__scan_t *x, const run_t *r, const fidx_bank_t *bank)
{
    char in[8 + RUN_DIGITS], canon[64];
    size_t n = 0, len;
    const char *bin = bank ? bank->bin : "*";
    memcpy(in, bin, strlen(bin));
    n = strlen(bin);
    in[n++] = ':';
    memcpy(in + n, r->d, r->nd);
    n += r->nd;
    if (fidx_bank_normalize(in, n, canon, sizeof canon, &len, NULL) == 0)
        (void)fidx__scan_emit(x, FIDX_KIND_BANK_ACCOUNT, span_start(r, 0), r->end, canon, len);
}

static void process_run(fidx__scan_t *x, run_t *r, size_t lo, size_t hi)
{
    if (r->bad || r->nd < FIDX_BANK_ACCOUNT_MIN || list_like(r) || date_like(r) || amount_like(r))
        return;
    int dated = mark_dates(r);
    fidx__context_t c;
    fidx__scan_context(x, span_start(r, 0), r->end, lo, hi, &c);
    if (c.cls == SCAN_CTX_CODE) { /* "mã đơn 0912…" names the first number only */
        if (!c.whole)
            emit_phones(x, r, 1);
        return;
    }
    if (c.cls == SCAN_CTX_BANK && c.verb && ends_in_thousands(r))
        return; /* "CK 500000 vào STK …": an amount */
    if (c.cls == SCAN_CTX_BANK && !r->plus && r->nd <= FIDX_BANK_ACCOUNT_MAX && !dated) {
        emit_account(x, r, c.bank);
        return;
    }
    emit_phones(x, r, 0);
}

/* ---- the pass ---------------------------------------------------------------------------- */

static int run_starts(const fidx__scan_t *x, size_t i, size_t hi)
{
    char c = x->t[i], n = i + 1 < hi ? x->t[i + 1] : 0;
    if (is_digit(c) || ((c == 'O' || c == 'o') && look_alike(x, i, hi)))
        return 1;
    if (c == '+')
        return is_digit(n) && !(i > 0 && (is_digit(x->t[i - 1]) || ((x->t[i - 1] | 0x20) >= 'a' &&
                                                                    (x->t[i - 1] | 0x20) <= 'z')));
    return c == '(' && (is_digit(n) || n == '+');
}

/* Where to read on after a run that was cut because it was full: a number may straddle the
 * cut, so its groups at the end that no match took, up to a phone number's digits less one,
 * are read again with the groups after them (else six unknown numbers written in groups
 * would hide the seventh). Never before group 1, so reading always moves on. */
static size_t resume_at(const run_t *r, size_t taken_to)
{
    size_t k = r->ng, nd = 0;
    while (k > 1 && nd + r->g[k - 1].nd < PHONE_DIGITS_MAX && r->g[k - 1].open >= taken_to)
        nd += r->g[--k].nd;
    return k < r->ng ? r->g[k].open : r->end;
}

/* Reads and decides on the run starting at t[i]; returns where it ends. Kept out of line:
 * its large frame is for runs only, not for every word step() passes over. */
static __attribute__((noinline)) size_t read_run(fidx__scan_t *x, size_t i, size_t lo, size_t hi)
{
    run_t r;
    if (!collect_run(x, i, hi, &r))
        return i + 1;
    size_t found = x->res->found;
    process_run(x, &r, lo, hi);
    if (r.cut)
        return resume_at(&r, x->res->found > found ? x->ce[x->res->found - 1] : i);
    return r.end > i ? r.end : i + 1;
}

/* Looks at t[i]: reads a run there if one starts, else steps over a word or a character.
 * Returns where to go on. */
static size_t step(fidx__scan_t *x, size_t i, size_t lo, size_t hi)
{
    unsigned char b = (unsigned char)x->t[i];
    if (!run_starts(x, i, hi)) {
        if (b < 0x80 && ((b | 0x20) < 'a' || (b | 0x20) > 'z'))
            return i + 1;
        uint64_t key;
        size_t e = fidx__scan_text_word_key(x, i, hi, &key);
        fidx__word_t w;
        if (e == i)
            return i + 1;
        if (!digit_key(x->sc, key))
            return e;
        fidx__scan_text_word_read(x, i, e, &w);
        if (fidx__scan_digits_word(x, &w) < 0)
            return e;
    }
    return read_run(x, i, lo, hi);
}

void fidx__scan_digits(fidx__scan_t *x)
{
    size_t i = 0, li = 0, lo = 0;
    while (i < x->n && !x->full) {
        size_t hi = li < x->nlinks ? x->cs[li] : x->n;
        if (i >= hi) { /* a link: numbers inside it are part of it */
            lo = x->ce[li++];
            i = lo > i ? lo : i;
            continue;
        }
        i = step(x, i, lo, hi);
    }
}
