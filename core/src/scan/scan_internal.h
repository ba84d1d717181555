/* Shared between the scan*.c files (not public): the scanner's tables, the state of one scan,
 * words as the scanner compares them, and the functions one pass offers the others.
 *
 *   scan.c          the scanner object and the driver, which runs the passes below
 *   scan_text.c     the cleaned text (NFC, invisible characters, look-alike forms, defanged
 *                   brackets), its offset map, UTF-8 and word helpers
 *   scan_emit.c     recording a match into the result
 *   scan_window.c   the tokens before and after a position
 *   scan_context.c  what the words around a number say (STK, Zalo, giá, mã…), bank names
 *   scan_links.c    URLs, domains, e-mail addresses, profile links, @handles
 *   scan_digits.c   runs of digits and spelled-out digits: phone numbers and accounts
 * Below scan.c, each file calls only files above it in this list. */
#ifndef FIDX_SCAN_INTERNAL_H
#define FIDX_SCAN_INTERNAL_H

#include <libpsl.h>
#include <stddef.h>
#include <stdint.h>

#include "fidx/bank.h"
#include "fidx/scan.h"

/* Folded bytes of a word that take part in comparisons; longer words never match. */
#define SCAN_WORD_MAX 24
/* Exact (lower-case UTF-8) bytes kept of a word. */
#define SCAN_EXACT_MAX 48
/* Words a phrase of the lexicon may have. */
#define SCAN_PHRASE_WORDS 4
/* Tokens looked at before and after a number. */
#define SCAN_WINDOW 10
/* Entries of the spelled-out digit table (scan_digits.c). */
#define SCAN_DIGIT_WORDS 32

/* A word of the lexicon: folded (ASCII, lower case, no diacritics) and exact (lower-case NFC
 * UTF-8, diacritics kept). */
typedef struct {
    uint8_t flen, xlen;
    char fold[SCAN_WORD_MAX + 1];
    char exact[SCAN_EXACT_MAX];
    uint64_t
        key; /* the folded letters packed in 8 bytes (fidx__scan_text_word_key), 0 when longer */
} fidx__lexword_t;

/* Classes of words and phrases around a number. */
enum {
    SCAN_CTX_NONE = 0,
    SCAN_CTX_PHONE,     /* SĐT, Zalo, hotline, gọi, liên hệ… */
    SCAN_CTX_BANK,      /* STK, số tài khoản, TK, ngân hàng… */
    SCAN_CTX_BANK_VERB, /* CK, chuyển khoản: an account or an amount follows */
    SCAN_CTX_CODE,      /* mã, đơn hàng, CCCD, OTP…: the number is an identifier */
    SCAN_CTX_AMOUNT,    /* giá, số tiền, phí…: the number is money */
    SCAN_CTX_UNIT,      /* đ, vnđ, triệu, kg… right after a number */
};

typedef struct {
    fidx__lexword_t w[SCAN_PHRASE_WORDS];
    uint8_t nw;
    uint8_t cls;        /* SCAN_CTX_* or, for digit words, the digit */
    uint8_t exact_only; /* typed without diacritics, the word does not count */
} fidx__phrase_t;

/* A bank name as the scanner compares it: folded letters and digits only ("quandoi"). */
#define SCAN_BANK_KEY_MAX 48
typedef struct {
    char key[SCAN_BANK_KEY_MAX];
    uint8_t len;
    uint8_t needs_prefix; /* a Vietnamese name: only after "ngân hàng"/"NH"/"bank" */
    uint16_t bank;        /* index in the bank table */
} fidx__bankkey_t;

struct fidx_scanner {
    const psl_ctx_t *psl;
    psl_ctx_t *psl_owned;     /* what to free: NULL when psl is libpsl's built-in list */
    uint8_t fold_lo[0x250];   /* U+0000..U+024F → lower-case ASCII letter, or 0 */
    uint8_t fold_hi[0x100];   /* U+1E00..U+1EFF (Vietnamese) */
    uint16_t lower_lo[0x250]; /* the lower-case letter, for the same two ranges */
    uint16_t lower_hi[0x100];
    fidx__phrase_t *phrases; /* context phrases, sorted by their last word (folded) */
    size_t nphrases;
    fidx__phrase_t *digits; /* spelled-out digits ("không", "chín", "nine") */
    size_t ndigits;
    uint64_t digit_keys[SCAN_DIGIT_WORDS]; /* their folded letters packed, for a quick test */
    fidx__bankkey_t *banks;                /* sorted by key */
    size_t nbanks;
};

/* A token of text as the scanner compares it: a word, or a number (SCAN_W_NUMBER). */
#define SCAN_W_NUMBER 1 /* digits, not a word */
#define SCAN_W_MARKS 2  /* has letters beyond ASCII (typed with diacritics) */
#define SCAN_W_LONG 4   /* longer than SCAN_WORD_MAX: never matches */
#define SCAN_W_NL 8     /* a line break lies between this token and the next one */
#define SCAN_W_ODD 16   /* has letters with no ASCII folding (not Latin) */
typedef struct {
    size_t start, end; /* in the cleaned text */
    uint8_t flen, xlen, flags, ndigits;
    char fold[SCAN_WORD_MAX + 1];
    char exact[SCAN_EXACT_MAX];
} fidx__word_t;

/* Tokens in text order; for a window before a number, the last one is the nearest. */
typedef struct {
    size_t n;
    int nl_edge; /* a line break lies between the number and its nearest token */
    fidx__word_t w[SCAN_WINDOW];
} fidx__window_t;

/* One scan in progress. t/off are the cleaned text and its offset map (in the result's
 * workspace); cs/ce (there too) are the cleaned-text spans of the indicators found so far,
 * res->found of them: the link pass's first, then the number pass's, each in text order. */
typedef struct {
    const fidx_scanner_t *sc;
    const char *src;
    size_t src_len;
    const char *t;
    size_t n;
    const uint32_t *off;
    const uint32_t *cs, *ce;
    fidx_scan_result_t *res;
    size_t nlinks;    /* indicators of the link pass: cs/ce[0..nlinks) */
    size_t slot_mask; /* the values' hash table: res->ws.slot[0..slot_mask] */
    int full;         /* an indicator found had no room: the scan fails (FIDX_ELIMIT) */
} fidx__scan_t;

/* ---- small helpers every pass calls per character (inline: they are the hot path) ---- */

/* Decodes one UTF-8 character at p[0..len) into *cp; its length, or 0 when it is not
 * well-formed (overlong, surrogate, truncated, beyond U+10FFFF). */
static inline size_t fidx__scan_utf8_decode(const char *p, size_t len, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)p;
    if (len == 0)
        return 0;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    size_t n = u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : u[0] >= 0xC2 ? 2 : 0;
    if (n == 0 || u[0] > 0xF4 || n > len)
        return 0;
    uint32_t c = u[0] & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (u[i] & 0x3Fu);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

/* The lower-case ASCII letter cp folds to (Latin and Vietnamese letters), or 0. */
static inline char fidx__scan_fold_cp(const fidx_scanner_t *sc, uint32_t cp)
{
    if (cp < 0x250)
        return (char)sc->fold_lo[cp];
    if (cp >= 0x1E00 && cp < 0x1F00)
        return (char)sc->fold_hi[cp - 0x1E00];
    return 0;
}

int fidx__scan_text_is_letter_slow(uint32_t cp);

static inline int fidx__scan_is_letter(const fidx_scanner_t *sc, uint32_t cp)
{
    if (cp < 0x80)
        return ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
    return fidx__scan_fold_cp(sc, cp) || fidx__scan_text_is_letter_slow(cp);
}

/* Whether a letter starts at t[i] (and the length of the character there through *len). */
static inline int fidx__scan_letter_at(const fidx__scan_t *x, size_t i, size_t *len)
{
    unsigned char b = (unsigned char)x->t[i];
    if (b < 0x80) {
        *len = 1;
        return ((b | 0x20) >= 'a' && (b | 0x20) <= 'z');
    }
    uint32_t cp;
    size_t l = fidx__scan_utf8_decode(x->t + i, x->n - i, &cp);
    *len = l ? l : 1;
    return l && fidx__scan_is_letter(x->sc, cp);
}

/* ---- scan_text.c ---- */
void fidx__scan_text_fold_init(fidx_scanner_t *sc);
size_t fidx__scan_text_clean(const char *src, size_t len, char *out, uint32_t *off);
size_t fidx__scan_text_src_end(const fidx__scan_t *x, size_t ce);
size_t fidx__scan_text_utf8_prev(const char *t, size_t i);
/* Reads the word starting at t[i] (a letter) up to limit; returns its end. */
size_t fidx__scan_text_word_read(const fidx__scan_t *x, size_t i, size_t limit, fidx__word_t *w);
/* The end of the word starting at t[i], and its folded letters packed in 8 bytes through
 * *key (0 when it has more, or letters without an ASCII folding). */
size_t fidx__scan_text_word_key(const fidx__scan_t *x, size_t i, size_t limit, uint64_t *key);
int fidx__scan_text_lexword(const fidx_scanner_t *sc, const char *p, size_t len,
                            fidx__lexword_t *out);
int fidx__scan_text_word_is(const fidx__word_t *w, const fidx__lexword_t *lw, int exact_only);

/* ---- scan_emit.c ---- */
/* Prepares the result for a scan of the cleaned text (x->n bytes): nothing found yet. */
void fidx__scan_emit_reset(fidx__scan_t *x);
/* Records an indicator over t[cs, ce) with its canonical value (stored once per distinct
 * value). -1 when the result has no room left (x->full is then set). */
int fidx__scan_emit(fidx__scan_t *x, fidx_kind_t kind, size_t cs, size_t ce, const char *canon,
                    size_t len);
/* Lists the first FIDX_SCAN_MAX_MATCHES indicators found, in text order, in res->m. */
void fidx__scan_emit_list(fidx__scan_t *x);

/* ---- scan_window.c ---- */
/* Up to max (<= SCAN_WINDOW) tokens before pos (not before lo) or after it (not past hi). */
void fidx__scan_window_before(const fidx__scan_t *x, size_t pos, size_t lo, size_t max,
                              fidx__window_t *win);
void fidx__scan_window_after(const fidx__scan_t *x, size_t pos, size_t hi, size_t max,
                             fidx__window_t *win);

/* ---- scan_context.c ---- */
int fidx__scan_context_init(fidx_scanner_t *sc);
/* The class of the longest phrase ending at token k of win (SCAN_CTX_NONE when none); *first
 * is set to the index of its first token. want: that class only, or 0 for any class but
 * SCAN_CTX_UNIT. */
int fidx__scan_context_phrase_at(const fidx_scanner_t *sc, const fidx__window_t *win, size_t k,
                                 int want, size_t *first);

/* What the words around a number say it is. */
typedef struct {
    int cls;                 /* SCAN_CTX_PHONE, _BANK, _CODE (not an indicator), _NONE */
    int whole;               /* _CODE: for the whole run (a unit after it, letters glued to
                              * it), not only for the number a keyword before it names */
    int verb;                /* the bank keyword was a verb (CK, chuyển khoản) */
    const fidx_bank_t *bank; /* the bank named nearby, or NULL */
} fidx__context_t;
void fidx__scan_context(const fidx__scan_t *x, size_t start, size_t end, size_t lo, size_t hi,
                        fidx__context_t *ctx);

/* ---- scan_digits.c ---- */
int fidx__scan_digits_init(fidx_scanner_t *sc);
/* The digit a word spells (0-9), or -1. */
int fidx__scan_digits_word(const fidx__scan_t *x, fidx__word_t *w);
void fidx__scan_digits(fidx__scan_t *x);

/* ---- scan_links.c ---- */
void fidx__scan_links(fidx__scan_t *x);

#endif
