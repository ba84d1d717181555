/* Phone numbers: the many ways people write them → one canonical form, and its integer key.
 *
 * One pass over the bytes tokenises the input (ASCII and full-width digits, '+', parentheses,
 * separators, ignorable spaces) into at most PHONE_MAX_DIGITS digits while checking the layout
 * (one leading '+', balanced parentheses only near the start, one punctuation mark between
 * digit groups); a second step reads the digits against Vietnam's numbering plan or, for
 * another country code, checks only the E.164 length. No allocation, no regex: the plan is a
 * few tables of allowed prefixes indexed by digits.
 *
 * Source of the Vietnamese plan: libphonenumber's metadata for region VN
 * (resources/PhoneNumberMetadata.xml, as also shipped by libphonenumber-for-php), i.e.
 *   mobile  (9-digit NSN):  (?:5(?:2[238]|59)|89[6-9]|99[013-9])\d{6}
 *                          |(?:3\d|5[1689]|7[06-9]|8[1-8]|9[0-8])\d{7}
 *   fixed  (10-digit NSN): 2(?:0[3-9]|1[0-689]|2[0-25-9]|[38][2-9]|4[2-8]|5[124-9]|6[0-39]
 *                          |7[0-7]|9[0-4679])\d{7}
 *   toll-free 1800\d{4,6}, premium 1900\d{4,6}
 *   VoIP   (9-digit NSN):  672\d{6}   (read as a mobile number: it is dialled like one)
 * and the 2018 renumbering of 11-digit mobile numbers (shared/VN-FACTS.md). Every prefix is
 * compared with libphonenumber by tests/unit/phoneplan/phone_plan_test.cc; where we differ on
 * purpose (051x and 0288 numbers, which libphonenumber 8.12 calls invalid; the old 11-digit
 * mobiles; its short UAN and 12xx toll-free ranges) is docs/API.md's "Phone numbers".
 *
 * Choices (see also the contract, shared/API.md):
 * - 1800/1900 numbers are accepted only as dialled, without +84 or 0: they cannot be called
 *   from abroad, so "+84 1900…" or "01900…" is a mistake we refuse rather than guess at.
 * - '/' is not a separator: "12/03/2024" is a date, not a phone number.
 * - A bare national significant number ("912345678") is refused: without 0 or +84 it is as
 *   likely an account number as a phone number.
 * - Another country's number keeps every digit except a "(0)" trunk marker right after the
 *   country code; a plain 0 there is kept (Italian numbers begin with it). */
#include <stdint.h>
#include <string.h>

#include "fidx/phone.h"
#include "fidx/str.h"

/* "00" + 15 E.164 digits + a "(0)" trunk digit: any longer digit string is refused. */
#define PHONE_MAX_DIGITS 18
/* Longest canonical value: '+' and 15 digits (E.164 maximum). */
#define PHONE_CANON_MAX 16
#define E164_MIN 8
#define E164_MAX 15
/* Parentheses hold a country or area code ("(+84)", "(0)", "(0261)"): at most this many
 * digits, opened within the first PAREN_MAX_START digits, at most PAREN_MAX_GROUPS times. */
#define PAREN_MAX_DIGITS 4
#define PAREN_MAX_START 5
#define PAREN_MAX_GROUPS 2
#define NO_POS SIZE_MAX

typedef enum {
    T_NONE,
    T_DIGIT,
    T_PLUS,
    T_LPAREN,
    T_RPAREN,
    T_SPACE,  /* space, tab, NBSP and other wide spaces: a gap between groups */
    T_PUNCT,  /* '.', '-' and their look-alikes: at most one per gap */
    T_IGNORE, /* zero-width characters, dropped wherever they are */
    T_BREAK,  /* line breaks: allowed before or after the number only */
    T_SLASH,
    T_LETTER,
    T_OTHER
} tok_kind_t;

typedef struct {
    tok_kind_t kind;
    char c;   /* the digit, or the separator as ASCII */
    size_t n; /* bytes consumed */
} token_t;

typedef struct {
    char d[PHONE_MAX_DIGITS];
    size_t nd;
    size_t start;    /* byte offset of the first significant character */
    size_t trunk_at; /* index in d of a "(0)" group, or NO_POS */
    size_t paren_at; /* index in d where the open group began, or NO_POS */
    tok_kind_t prev; /* last token that was not a separator */
    char gap;        /* separator seen since prev: 0, ' ' or the punctuation mark */
    int plus, nparens, broken;
    /* Shape of the first digit groups, to recognise dates ("12-03-2024"). */
    int ngroups;
    unsigned glen[3], gval[3];
    char gsep[3];
} scan_t;

typedef struct {
    char s[PHONE_CANON_MAX + 1];
    size_t n;
} canon_t;

static const char R_EMPTY[] = "empty phone number";
static const char R_PAREN[] = "parentheses may only hold a country or area code";

/* ---- tokens ----------------------------------------------------------------------------- */

static token_t tok(tok_kind_t kind, char c, size_t n)
{
    token_t t = {kind, c, n};
    return t;
}

static token_t ascii_token(unsigned char b)
{
    if (b >= '0' && b <= '9')
        return tok(T_DIGIT, (char)b, 1);
    switch (b) {
    case '+':
        return tok(T_PLUS, '+', 1);
    case '(':
        return tok(T_LPAREN, '(', 1);
    case ')':
        return tok(T_RPAREN, ')', 1);
    case ' ':
    case '\t':
        return tok(T_SPACE, ' ', 1);
    case '.':
    case '-':
        return tok(T_PUNCT, (char)b, 1);
    case '\n':
    case '\r':
    case '\v':
    case '\f':
        return tok(T_BREAK, ' ', 1);
    case '/':
        return tok(T_SLASH, '/', 1);
    }
    if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z')
        return tok(T_LETTER, 0, 1);
    return tok(T_OTHER, 0, 1);
}

/* U+FFxx full-width forms: EF BC xx. Digits FF10..FF19, '+' FF0B, '(' FF08, ')' FF09,
 * '-' FF0D, '.' FF0E. */
static token_t fullwidth_token(unsigned char b)
{
    if (b >= 0x90 && b <= 0x99)
        return tok(T_DIGIT, (char)('0' + (b - 0x90)), 3);
    switch (b) {
    case 0x8B:
        return tok(T_PLUS, '+', 3);
    case 0x88:
        return tok(T_LPAREN, '(', 3);
    case 0x89:
        return tok(T_RPAREN, ')', 3);
    case 0x8D:
        return tok(T_PUNCT, '-', 3);
    case 0x8E:
        return tok(T_PUNCT, '.', 3);
    }
    return tok(T_OTHER, 0, 1);
}

/* U+2000..U+206F (E2 80 xx, E2 81 xx): zero-width characters, dashes, narrow spaces. */
static token_t punct_block_token(unsigned char b1, unsigned char b2)
{
    if (b1 == 0x80) {
        if (b2 >= 0x8B && b2 <= 0x8D) /* U+200B..U+200D */
            return tok(T_IGNORE, 0, 3);
        if (b2 >= 0x90 && b2 <= 0x93) /* U+2010..U+2013 hyphens, figure and en dash */
            return tok(T_PUNCT, '-', 3);
        if (b2 == 0x87 || b2 == 0xAF) /* U+2007 figure space, U+202F narrow NBSP */
            return tok(T_SPACE, ' ', 3);
    } else if (b1 == 0x81 && b2 == 0xA0) { /* U+2060 word joiner */
        return tok(T_IGNORE, 0, 3);
    }
    return tok(T_OTHER, 0, 1);
}

/* Recognises the few non-ASCII characters that occur in written phone numbers by their exact
 * UTF-8 bytes; anything else (including invalid UTF-8) is T_OTHER. */
static token_t next_token(const unsigned char *p, size_t left)
{
    if (p[0] < 0x80)
        return ascii_token(p[0]);
    if (left >= 2 && p[0] == 0xC2 && p[1] == 0xA0) /* U+00A0 NBSP */
        return tok(T_SPACE, ' ', 2);
    if (left < 3)
        return tok(T_OTHER, 0, 1);
    if (p[0] == 0xEF && p[1] == 0xBC)
        return fullwidth_token(p[2]);
    if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) /* U+FEFF */
        return tok(T_IGNORE, 0, 3);
    if (p[0] == 0xE2)
        return punct_block_token(p[1], p[2]);
    if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) /* U+3000 ideographic space */
        return tok(T_SPACE, ' ', 3);
    return tok(T_OTHER, 0, 1);
}

/* ---- layout ----------------------------------------------------------------------------- */

static void note_group(scan_t *s, unsigned digit)
{
    int g = s->ngroups - 1;
    if (g < 0 || g > 2)
        return;
    s->glen[g]++;
    if (s->gval[g] < 10000)
        s->gval[g] = s->gval[g] * 10 + digit;
}

static int on_digit(scan_t *s, char c, size_t off, fidx_err_t *err)
{
    if (s->nd == PHONE_MAX_DIGITS)
        return fidx_err_set(err, FIDX_EINVAL, off, "too many digits for a phone number");
    if (s->paren_at != NO_POS && s->nd - s->paren_at == PAREN_MAX_DIGITS)
        return fidx_err_set(err, FIDX_EINVAL, off,
                            "unbalanced parentheses, or more than a country or area code in them");
    if (s->prev != T_DIGIT || s->gap) {
        if (s->ngroups < 3)
            s->gsep[s->ngroups] = s->prev == T_DIGIT ? s->gap : '(';
        s->ngroups++;
    }
    note_group(s, (unsigned)(c - '0'));
    s->d[s->nd++] = c;
    return 0;
}

static int on_plus(scan_t *s, size_t off, fidx_err_t *err)
{
    if (s->plus)
        return fidx_err_set(err, FIDX_EINVAL, off, "more than one '+'");
    /* '+' opens the number, possibly inside a leading "(+84)". */
    if (s->nd != 0 || !(s->prev == T_NONE || (s->prev == T_LPAREN && s->nparens == 1)))
        return fidx_err_set(err, FIDX_EINVAL, off, "'+' is allowed only at the start");
    s->plus = 1;
    return 0;
}

static int on_lparen(scan_t *s, size_t off, fidx_err_t *err)
{
    if (s->paren_at != NO_POS)
        return fidx_err_set(err, FIDX_EINVAL, off, "nested parentheses");
    if (s->nparens == PAREN_MAX_GROUPS || s->nd > PAREN_MAX_START)
        return fidx_err_set(err, FIDX_EINVAL, off, R_PAREN);
    s->nparens++;
    s->paren_at = s->nd;
    return 0;
}

static int on_rparen(scan_t *s, size_t off, fidx_err_t *err)
{
    if (s->paren_at == NO_POS)
        return fidx_err_set(err, FIDX_EINVAL, off, "unbalanced parentheses");
    if (s->gap == '.' || s->gap == '-')
        return fidx_err_set(err, FIDX_EINVAL, off, "separator before ')'");
    if (s->nd == s->paren_at)
        return fidx_err_set(err, FIDX_EINVAL, off, "empty parentheses");
    if (s->nd - s->paren_at == 1 && s->d[s->paren_at] == '0') {
        if (s->trunk_at != NO_POS)
            return fidx_err_set(err, FIDX_EINVAL, off, "more than one \"(0)\"");
        s->trunk_at = s->paren_at;
    }
    s->paren_at = NO_POS;
    return 0;
}

static int on_separator(scan_t *s, token_t t, size_t off, fidx_err_t *err)
{
    if (t.kind == T_SPACE) {
        if (s->gap == 0)
            s->gap = ' ';
        return 0;
    }
    if (s->prev != T_DIGIT && s->prev != T_RPAREN)
        return fidx_err_set(err, FIDX_EINVAL, off, "separator not between digits");
    if (s->gap == '.' || s->gap == '-')
        return fidx_err_set(err, FIDX_EINVAL, off, "two separators in a row");
    s->gap = t.c;
    return 0;
}

static int refuse_char(tok_kind_t kind, size_t off, fidx_err_t *err)
{
    if (kind == T_SLASH)
        return fidx_err_set(err, FIDX_EINVAL, off, "'/' is not allowed in a phone number (dates)");
    if (kind == T_LETTER)
        return fidx_err_set(err, FIDX_EINVAL, off, "letters are not allowed in a phone number");
    return fidx_err_set(err, FIDX_EINVAL, off, "character not allowed in a phone number");
}

/* Feeds one token to the layout checks. Whitespace before the number is skipped; a line break
 * after it is fine only if nothing but whitespace follows. */
static int feed(scan_t *s, token_t t, size_t off, fidx_err_t *err)
{
    int rc = 0;
    if (t.kind == T_IGNORE || ((t.kind == T_SPACE || t.kind == T_BREAK) && s->prev == T_NONE))
        return 0;
    if (t.kind == T_BREAK) {
        s->broken = 1;
        return on_separator(s, tok(T_SPACE, ' ', t.n), off, err);
    }
    if (t.kind == T_SPACE)
        return on_separator(s, t, off, err);
    if (s->broken)
        return fidx_err_set(err, FIDX_EINVAL, off, "line break inside a phone number");
    if (s->prev == T_NONE)
        s->start = off;
    switch (t.kind) {
    case T_DIGIT:
        rc = on_digit(s, t.c, off, err);
        break;
    case T_PLUS:
        rc = on_plus(s, off, err);
        break;
    case T_LPAREN:
        rc = on_lparen(s, off, err);
        break;
    case T_RPAREN:
        rc = on_rparen(s, off, err);
        break;
    case T_PUNCT:
        return on_separator(s, t, off, err);
    default:
        return refuse_char(t.kind, off, err);
    }
    s->prev = t.kind;
    s->gap = 0;
    return rc;
}

static int scan(const char *p, size_t len, scan_t *s, fidx_err_t *err)
{
    const unsigned char *u = (const unsigned char *)p;
    memset(s, 0, sizeof *s);
    s->trunk_at = s->paren_at = NO_POS;
    for (size_t i = 0; i < len;) {
        token_t t = next_token(u + i, len - i);
        int rc = feed(s, t, i, err);
        if (rc)
            return rc;
        i += t.n;
    }
    if (s->prev == T_NONE)
        return fidx_err_set(err, FIDX_EINVAL, 0, R_EMPTY);
    if (s->paren_at != NO_POS)
        return fidx_err_set(err, FIDX_EINVAL, len, "unbalanced parentheses");
    if (s->gap == '.' || s->gap == '-')
        return fidx_err_set(err, FIDX_EINVAL, len, "phone number ends with a separator");
    if (s->prev == T_RPAREN)
        return fidx_err_set(err, FIDX_EINVAL, len, R_PAREN);
    if (s->prev == T_PLUS)
        return fidx_err_set(err, FIDX_EINVAL, len, "'+' without digits");
    return 0;
}

/* "12-03-2024", "2024.03.12": three groups joined by one and the same '.' or '-', the shape
 * of a day, month and year. Such strings fail the plan anyway; this only gives the reason. */
static int looks_like_date(const scan_t *s)
{
    if (s->plus || s->nparens || s->ngroups != 3 || s->gsep[1] != s->gsep[2] ||
        (s->gsep[1] != '.' && s->gsep[1] != '-'))
        return 0;
    const unsigned *l = s->glen, *v = s->gval;
    if (l[0] <= 2 && l[1] <= 2 && l[2] == 4)
        return v[0] >= 1 && v[0] <= 31 && v[1] >= 1 && v[1] <= 31 && (v[0] <= 12 || v[1] <= 12) &&
               v[2] >= 1900 && v[2] <= 2099;
    if (l[0] == 4 && l[1] <= 2 && l[2] <= 2)
        return v[0] >= 1900 && v[0] <= 2099 && v[1] >= 1 && v[1] <= 12 && v[2] >= 1 && v[2] <= 31;
    return 0;
}

/* ---- Vietnam's numbering plan ----------------------------------------------------------- */

#define ALL 0x3FF
#define B(d) (1u << (d))

/* Mobile: index = first two digits of the 9-digit NSN, value = allowed third digits. */
static const uint16_t vn_mobile[100] = {
    [30] = ALL,  [31] = ALL,
    [32] = ALL,  [33] = ALL,
    [34] = ALL,  [35] = ALL,
    [36] = ALL,  [37] = ALL,
    [38] = ALL,  [39] = ALL,
    [51] = ALL,  [52] = B(2) | B(3) | B(8),
    [55] = B(9), [56] = ALL,
    [58] = ALL,  [59] = ALL,
    [67] = B(2), /* VoIP */
    [70] = ALL,  [76] = ALL,
    [77] = ALL,  [78] = ALL,
    [79] = ALL,  [81] = ALL,
    [82] = ALL,  [83] = ALL,
    [84] = ALL,  [85] = ALL,
    [86] = ALL,  [87] = ALL,
    [88] = ALL,  [89] = B(6) | B(7) | B(8) | B(9),
    [90] = ALL,  [91] = ALL,
    [92] = ALL,  [93] = ALL,
    [94] = ALL,  [95] = ALL,
    [96] = ALL,  [97] = ALL,
    [98] = ALL,  [99] = ALL & ~B(2),
};

/* Fixed line: the 10-digit NSN starts with 2; index = its second digit, value = allowed third
 * digits (the area code is 2 + these two digits). */
static const uint16_t vn_fixed[10] = {
    [0] = ALL & ~(B(0) | B(1) | B(2)),
    [1] = ALL & ~(B(7)),
    [2] = ALL & ~(B(3) | B(4)),
    [3] = ALL & ~(B(0) | B(1)),
    [4] = ALL & ~(B(0) | B(1) | B(9)),
    [5] = ALL & ~(B(0) | B(3)),
    [6] = B(0) | B(1) | B(2) | B(3) | B(9),
    [7] = ALL & ~(B(8) | B(9)),
    [8] = ALL & ~(B(0) | B(1)),
    [9] = ALL & ~(B(5) | B(8)),
};

/* 2018 renumbering: index = the two digits after "1" of an old 10-digit NSN (01xy…),
 * value = the new two-digit mobile prefix. */
static const uint8_t vn_old_mobile[100] = {
    [20] = 70, [21] = 79, [22] = 77, [23] = 83, [24] = 84, [25] = 85, [26] = 76,
    [27] = 81, [28] = 78, [29] = 82, [62] = 32, [63] = 33, [64] = 34, [65] = 35,
    [66] = 36, [67] = 37, [68] = 38, [69] = 39, [86] = 56, [88] = 58, [99] = 59,
};

#undef B

/* Moves a "(0)" position past k leading digits; a "(0)" inside them becomes an invalid
 * position (neither NO_POS nor 0), which the callers refuse. */
static size_t shift(size_t t, size_t k)
{
    if (t == NO_POS)
        return NO_POS;
    return t >= k ? t - k : NO_POS - 1;
}

static unsigned dig(char c)
{
    return (unsigned)(c - '0');
}

static int vn_is_mobile(const char *nsn)
{
    return (vn_mobile[dig(nsn[0]) * 10 + dig(nsn[1])] >> dig(nsn[2])) & 1u;
}

static int vn_is_fixed(const char *nsn)
{
    return nsn[0] == '2' && ((vn_fixed[dig(nsn[1])] >> dig(nsn[2])) & 1u);
}

static int has_service_prefix(const char *d, size_t n)
{
    return n >= 4 && (d[0] == '1' && (d[1] == '8' || d[1] == '9') && d[2] == '0' && d[3] == '0');
}

static void emit(canon_t *c, const char *prefix, const char *d, size_t n)
{
    size_t k = strlen(prefix);
    memcpy(c->s, prefix, k);
    memcpy(c->s + k, d, n);
    c->n = k + n;
    c->s[c->n] = '\0';
}

/* A Vietnamese national significant number (no 0, no 84) of any length → "+84…". */
static int vn_number(const char *nsn, size_t n, canon_t *c, size_t off, fidx_err_t *err)
{
    char now[9];
    if (has_service_prefix(nsn, n))
        return fidx_err_set(err, FIDX_EINVAL, off,
                            "1800/1900 numbers are written without +84 or 0");
    if (n < 9)
        return fidx_err_set(err, FIDX_EINVAL, off, "too short for a Vietnamese phone number");
    if (n > 10)
        return fidx_err_set(err, FIDX_EINVAL, off, "too long for a Vietnamese phone number");
    if (n == 10 && nsn[0] == '1') {
        uint8_t p = vn_old_mobile[dig(nsn[1]) * 10 + dig(nsn[2])];
        if (!p)
            return fidx_err_set(err, FIDX_EINVAL, off,
                                "not an old mobile prefix (2018 renumbering)");
        now[0] = (char)('0' + p / 10);
        now[1] = (char)('0' + p % 10);
        memcpy(now + 2, nsn + 3, 7);
        nsn = now;
        n = 9;
    }
    if (n == 10 && vn_is_fixed(nsn)) {
        emit(c, "+84", nsn, n);
        return 0;
    }
    if (n == 10)
        return fidx_err_set(err, FIDX_EINVAL, off,
                            nsn[0] == '2' ? "unknown Vietnamese landline area code"
                                          : "too long for a Vietnamese mobile number");
    if (vn_is_mobile(nsn)) {
        emit(c, "+84", nsn, n);
        return 0;
    }
    return fidx_err_set(err, FIDX_EINVAL, off,
                        nsn[0] == '2' ? "too short for a Vietnamese landline number"
                                      : "prefix is not in Vietnam's numbering plan");
}

/* After "+84", "0084" or "84": an optional trunk 0, written "(0)" or plain (VN numbers never
 * start with 0, so dropping it is safe). trunk_at is relative to d. */
static int vn_international(const char *d, size_t n, size_t trunk_at, canon_t *c, size_t off,
                            fidx_err_t *err)
{
    if (trunk_at != NO_POS && trunk_at != 0)
        return fidx_err_set(err, FIDX_EINVAL, off,
                            "\"(0)\" is allowed only after the country code");
    if (n > 0 && d[0] == '0') {
        d++;
        n--;
    }
    return vn_number(d, n, c, off, err);
}

/* ---- other countries -------------------------------------------------------------------- */

/* Country calling codes assigned by ITU-T ("List of ITU-T Recommendation E.164 assigned
 * country codes", annex to the ITU Operational Bulletin), cross-checked against the codes in
 * libphonenumber's metadata (which adds 878). Sorted; 1- to 3-digit codes never collide as
 * integers because the set is prefix-free (no assigned 3-digit code extends an assigned 2-digit
 * one), so the value alone identifies the code. */
static const uint16_t itu_codes[] = {
    1,   7,   20,  27,  30,  31,  32,  33,  34,  36,  39,  40,  41,  43,  44,  45,  46,  47,  48,
    49,  51,  52,  53,  54,  55,  56,  57,  58,  60,  61,  62,  63,  64,  65,  66,  81,  82,  84,
    86,  90,  91,  92,  93,  94,  95,  98,  211, 212, 213, 216, 218, 220, 221, 222, 223, 224, 225,
    226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244,
    245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255, 256, 257, 258, 260, 261, 262, 263, 264,
    265, 266, 267, 268, 269, 290, 291, 297, 298, 299, 350, 351, 352, 353, 354, 355, 356, 357, 358,
    359, 370, 371, 372, 373, 374, 375, 376, 377, 378, 379, 380, 381, 382, 383, 385, 386, 387, 389,
    420, 421, 423, 500, 501, 502, 503, 504, 505, 506, 507, 508, 509, 590, 591, 592, 593, 594, 595,
    596, 597, 598, 599, 670, 672, 673, 674, 675, 676, 677, 678, 679, 680, 681, 682, 683, 685, 686,
    687, 688, 689, 690, 691, 692, 800, 808, 850, 852, 853, 855, 856, 870, 878, 880, 881, 882, 883,
    886, 888, 960, 961, 962, 963, 964, 965, 966, 967, 968, 970, 971, 972, 973, 974, 975, 976, 977,
    979, 991, 992, 993, 994, 995, 996, 998,
};

static int itu_assigned(unsigned v)
{
    size_t lo = 0, hi = sizeof itu_codes / sizeof itu_codes[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (itu_codes[mid] == v)
            return 1;
        if (itu_codes[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Length of the country code that d starts with, or 0 when none is assigned. */
static size_t country_code_len(const char *d, size_t n)
{
    unsigned v = 0;
    for (size_t k = 0; k < 3 && k < n; k++) {
        v = v * 10 + dig(d[k]);
        if (v == 0)
            return 0;
        if (itu_assigned(v))
            return k + 1;
    }
    return 0;
}

/* d: the digits after '+' or "00". A number dialled with "00" must be longer than a Vietnamese
 * national number (10 digits in all): "0012345678" is a mistyped VN number, not +1 2345678. */
static int international(const char *d, size_t n, size_t trunk_at, int via00, canon_t *c,
                         size_t off, fidx_err_t *err)
{
    char buf[PHONE_MAX_DIGITS];
    size_t cc = country_code_len(d, n);
    if (cc == 0)
        return fidx_err_set(err, FIDX_EINVAL, off,
                            via00 ? "0 followed by 0 is not a Vietnamese prefix"
                                  : "unknown country calling code");
    if (cc == 2 && d[0] == '8' && d[1] == '4')
        return vn_international(d + 2, n - 2, shift(trunk_at, 2), c, off, err);
    if (trunk_at != NO_POS && trunk_at != cc)
        return fidx_err_set(err, FIDX_EINVAL, off,
                            "\"(0)\" is allowed only after the country code");
    if (trunk_at != NO_POS) {
        memcpy(buf, d, cc);
        memcpy(buf + cc, d + cc + 1, n - cc - 1);
        d = buf;
        n--;
    }
    if (via00 && n < E164_MIN + 1)
        return fidx_err_set(err, FIDX_EINVAL, off,
                            "0 followed by 0 is not a Vietnamese prefix (and too short to be an "
                            "international number)");
    if (n < E164_MIN)
        return fidx_err_set(err, FIDX_EINVAL, off, "too short for an international number");
    if (n > E164_MAX)
        return fidx_err_set(err, FIDX_EINVAL, off, "too long for an international number");
    emit(c, "+", d, n);
    return 0;
}

/* ---- the whole number ------------------------------------------------------------------- */

static int service_number(const char *d, size_t n, size_t trunk_at, canon_t *c, size_t off,
                          fidx_err_t *err)
{
    if (trunk_at != NO_POS)
        return fidx_err_set(err, FIDX_EINVAL, off,
                            "\"(0)\" is allowed only after the country code");
    if (n < 8 || n > 10)
        return fidx_err_set(err, FIDX_EINVAL, off, "1800/1900 numbers have 8 to 10 digits");
    emit(c, "", d, n);
    return 0;
}

static int interpret(const scan_t *s, canon_t *c, fidx_err_t *err)
{
    const char *d = s->d;
    size_t n = s->nd, off = s->start, t = s->trunk_at;
    if (looks_like_date(s))
        return fidx_err_set(err, FIDX_EINVAL, off, "looks like a date, not a phone number");
    if (n < E164_MIN)
        return fidx_err_set(err, FIDX_EINVAL, off, "too short to be a phone number");
    if (s->plus)
        return international(d, n, t, 0, c, off, err);
    if (d[0] == '0' && d[1] == '0') {
        return international(d + 2, n - 2, shift(t, 2), 1, c, off, err);
    }
    if (d[0] == '0') {
        if (t != NO_POS && t != 0)
            return fidx_err_set(err, FIDX_EINVAL, off,
                                "\"(0)\" is allowed only after the country code");
        return vn_number(d + 1, n - 1, c, off, err);
    }
    if (d[0] == '8' && d[1] == '4')
        return vn_international(d + 2, n - 2, shift(t, 2), c, off, err);
    if (has_service_prefix(d, n))
        return service_number(d, n, t, c, off, err);
    return fidx_err_set(err, FIDX_EINVAL, off, "a phone number starts with 0, +, 84, 1800 or 1900");
}

static int normalize(const char *p, size_t len, canon_t *c, fidx_err_t *err)
{
    scan_t s;
    if (len > FIDX_MAX_VALUE_LEN)
        return fidx_err_set(err, FIDX_ETOOBIG, FIDX_MAX_VALUE_LEN, "phone number too long");
    if (!p && len)
        return fidx_err_set(err, FIDX_EINVAL, 0, R_EMPTY);
    int rc = scan(p, len, &s, err);
    return rc ? rc : interpret(&s, c, err);
}

static int copy_out(const canon_t *c, char *out, size_t cap, size_t *out_len)
{
    if (!out || cap < c->n + 1)
        return FIDX_ENOSPC;
    memcpy(out, c->s, c->n + 1);
    if (out_len)
        *out_len = c->n;
    return 0;
}

/* The common case on the lookup path, a Vietnamese number already in canonical form
 * ("+84" and 9 mobile or 10 landline digits), checked without the tokenizer: the same tables
 * decide, at a tenth of the cost (callgrind: ~1,100 instructions down to ~60). */
static int vn_canonical_fast(const char *p, size_t len)
{
    if (len < 12 || len > 13 || p[0] != '+' || p[1] != '8' || p[2] != '4')
        return 0;
    for (size_t i = 3; i < len; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return (len == 12 && vn_is_mobile(p + 3)) || (len == 13 && vn_is_fixed(p + 3));
}

/* The next commonest, a Vietnamese number as people type it: ASCII digits, at most one ' ',
 * '.' or '-' between two of them, an optional leading '+' ("0912 345 678", "0912.345.678",
 * "+84 912 345 678", "84912345678"). Its NSN (9 mobile or 10 landline digits) into nsn, else
 * 0: then the full reading decides, and words any error. Every such input reads the same in
 * both (no date has ten digits; "00", "840…" and old 11-digit numbers are left to the full
 * reading); phone_test compares them on every separator and prefix. */
static size_t vn_typed_fast(const char *p, size_t len, char *nsn)
{
    char d[14];
    size_t n = 0, i = p[0] == '+';
    if (len < 10 || len > 20 || p[len - 1] < '0' || p[len - 1] > '9')
        return 0;
    for (; i < len; i++) {
        char ch = p[i];
        if (ch >= '0' && ch <= '9') {
            if (n == sizeof d)
                return 0;
            d[n++] = ch;
        } else if (!(ch == ' ' || ch == '.' || ch == '-') || n == 0 || p[i + 1] < '0' ||
                   p[i + 1] > '9') {
            return 0;
        }
    }
    size_t skip = p[0] == '+' || d[0] == '8' ? 2 : 1;
    if ((p[0] == '+' || d[0] == '8') ? (d[0] != '8' || d[1] != '4') : (d[0] != '0'))
        return 0;
    if (n - skip < 9 || d[skip] == '0')
        return 0;
    memcpy(nsn, d + skip, n - skip);
    return (n - skip == 9 && vn_is_mobile(nsn)) || (n - skip == 10 && vn_is_fixed(nsn)) ? n - skip
                                                                                        : 0;
}

int fidx_phone_normalize(const char *p, size_t len, char *out, size_t cap, size_t *out_len,
                         fidx_err_t *err)
{
    canon_t c;
    char nsn[14];
    size_t nn;
    if (vn_canonical_fast(p, len)) {
        if (len + 1 > cap)
            return fidx_err_set(err, FIDX_ENOSPC, 0, "output buffer too small");
        memcpy(out, p, len);
        out[len] = '\0';
        *out_len = len;
        return 0;
    }
    if (p && (nn = vn_typed_fast(p, len, nsn)) != 0) {
        if (nn + 4 > cap)
            return fidx_err_set(err, FIDX_ENOSPC, 0, "output buffer too small");
        memcpy(out, "+84", 3);
        memcpy(out + 3, nsn, nn);
        out[nn + 3] = '\0';
        *out_len = nn + 3;
        return 0;
    }
    int rc = normalize(p, len, &c, err);
    if (rc)
        return rc;
    if (copy_out(&c, out, cap, out_len))
        return fidx_err_set(err, FIDX_ENOSPC, 0, "output buffer too small");
    return 0;
}

/* ---- keys ------------------------------------------------------------------------------- */

/* Canonical means: normalising it gives it back unchanged. */
static int is_canonical(const char *canon, size_t len)
{
    canon_t c;
    if (canon && vn_canonical_fast(canon, len))
        return 1;
    if (!canon || len == 0 || len > PHONE_CANON_MAX || normalize(canon, len, &c, NULL))
        return 0;
    return c.n == len && memcmp(c.s, canon, len) == 0;
}

int fidx_phone_key(const char *canon, size_t len, uint64_t *key)
{
    if (!key || !is_canonical(canon, len))
        return FIDX_EINVAL;
    int service = canon[0] != '+';
    uint64_t v = 0;
    for (size_t i = service ? 0 : 1; i < len; i++)
        v = v * 10 + dig(canon[i]);
    /* At most 15 digits: v < 10^15 < 2^50, so the service bit never collides with a digit. */
    *key = service ? v | FIDX_PHONE_SERVICE_BIT : v;
    return 0;
}

int fidx_phone_from_key(uint64_t key, char *out, size_t cap, size_t *out_len)
{
    canon_t c;
    char rev[20];
    size_t n = 0, k = 0;
    if (key >= (FIDX_PHONE_SERVICE_BIT << 1))
        return FIDX_EINVAL;
    uint64_t v = key & ~FIDX_PHONE_SERVICE_BIT;
    if (!(key & FIDX_PHONE_SERVICE_BIT))
        c.s[n++] = '+';
    do {
        rev[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && k < sizeof rev);
    if (n + k > PHONE_CANON_MAX)
        return FIDX_EINVAL;
    while (k)
        c.s[n++] = rev[--k];
    c.s[n] = '\0';
    c.n = n;
    /* Only keys of canonical values have an inverse. */
    if (!is_canonical(c.s, c.n))
        return FIDX_EINVAL;
    return copy_out(&c, out, cap, out_len);
}
