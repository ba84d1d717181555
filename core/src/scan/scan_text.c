/* The text the scanner reads: a cleaned copy of the post and, for each of its bytes, the
 * offset in the original of the character it came from (so matches are reported in the
 * caller's bytes), plus the UTF-8 and word helpers the passes share.
 *
 * Cleaning, in one pass, never making the text longer:
 * - NFC (utf8proc), so "không" typed as o + U+0302 + U+0300 reads as the precomposed letter.
 *   Only sequences that can change are handed to utf8proc: a character from the ranges where
 *   every code point is its own NFC (ASCII, Latin, Vietnamese, CJK, emoji) followed by one
 *   that cannot combine is copied as it is, which keeps Vietnamese text fast.
 * - Default-ignorable code points (zero-width space and joiners, soft hyphen, variation
 *   selectors, bidi controls, Hangul fillers, tags) and enclosing keycap/circle marks are
 *   dropped: scammers put them inside numbers and links to break filters.
 * - Full-width forms, mathematical bold/script letters and digits, circled and superscript
 *   digits become ASCII (their compatibility decomposition); odd spaces become ' ', dashes
 *   '-', line separators '\n'.
 * - Defanged punctuation between host characters is undone: "evil[.]com", "evil(dot)com",
 *   "evil(chấm)com", "x[at]y", "hxxp[:]//"; a defanged dot between spaces becomes " . ".
 * - A scheme spelled out with spaces, "h t t p s : / / evil.com", is closed up to
 *   "https://evil.com" (the spaces dropped), so the link pass reads it as written.
 * Bytes that are not UTF-8 are copied as they are and never match anything. */
#include <string.h>
#include <utf8proc.h>

#include "scan/scan_internal.h"

/* Code points of one composing sequence handed to utf8proc; a longer one is copied as is. */
#define NFC_SEQ_MAX 16
#define MAP_KEEP (-1)
#define MAP_DROP 0

/* Start of the character that ends just before t[i] (i > 0); an invalid byte is one. */
size_t fidx__scan_text_utf8_prev(const char *t, size_t i)
{
    size_t s = i - 1, k = 0;
    while (s > 0 && k < 3 && ((unsigned char)t[s] & 0xC0) == 0x80)
        s--, k++;
    uint32_t cp;
    return fidx__scan_utf8_decode(t + s, i - s, &cp) == i - s ? s : i - 1;
}

/* ---- mapping single code points ---------------------------------------------------------- */

/* Compatibility forms read as ASCII: "①" → "1", "𝟗" → "9", "𝐞" → "e", "⑩" → "10". Only when
 * the ASCII form is not longer than the UTF-8 it replaces. */
static int map_compat(uint32_t cp, size_t cplen, char *out)
{
    utf8proc_int32_t b[4];
    utf8proc_ssize_t n = utf8proc_decompose_char((utf8proc_int32_t)cp, b, 4,
                                                 UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE, NULL);
    if (n < 1 || n > 4 || (size_t)n > cplen)
        return MAP_KEEP;
    for (utf8proc_ssize_t k = 0; k < n; k++) {
        if (b[k] < 0x21 || b[k] > 0x7E)
            return MAP_KEEP;
        out[k] = (char)b[k];
    }
    return (int)n;
}

static int is_compat_digit_or_letter(uint32_t cp)
{
    return cp == 0xB2 || cp == 0xB3 || cp == 0xB9 || (cp >= 0x2070 && cp <= 0x209F) ||
           (cp >= 0x2460 && cp <= 0x24FF) || (cp >= 0x2776 && cp <= 0x2793) ||
           (cp >= 0x1D400 && cp <= 0x1D7FF) || (cp >= 0x1F100 && cp <= 0x1F189);
}

static int one(char *out, char c)
{
    out[0] = c;
    return 1;
}

/* What a non-ASCII code point becomes: MAP_KEEP, MAP_DROP, or that many ASCII bytes. */
static int map_cp(uint32_t cp, size_t cplen, char *out)
{
    if ((cp >= 0xC0 && cp < 0x250) || (cp >= 0x1E00 && cp < 0x1F00))
        return MAP_KEEP; /* Latin and Vietnamese letters: the common case */
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return one(out, (char)(cp - 0xFEE0)); /* full-width ASCII */
    if (cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
        cp == 0x205F || cp == 0x3000)
        return one(out, ' ');
    if (cp == 0x85 || cp == 0x2028 || cp == 0x2029)
        return one(out, '\n');
    if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE58 || cp == 0xFE63)
        return one(out, '-');
    if (cp == 0x2024 || cp == 0x3002 || cp == 0xFF61)
        return one(out, '.');
    if (cp == 0xFE6B)
        return one(out, '@');
    if (is_compat_digit_or_letter(cp))
        return map_compat(cp, cplen, out);
    if ((cp >= 0x20DD && cp <= 0x20E4) || cp == 0x2800)
        return MAP_DROP; /* keycap and circle marks around digits, the blank braille cell */
    if (utf8proc_get_property((utf8proc_int32_t)cp)->ignorable)
        return MAP_DROP;
    return MAP_KEEP;
}

/* ---- NFC ----------------------------------------------------------------------------------- */

/* Whether cp is its own NFC when nothing combines with it (no singleton decomposition, no
 * composition exclusion): true of whole blocks, which lets most text skip utf8proc. */
static int nfc_stable(uint32_t cp)
{
    return cp < 0x300 || (cp >= 0x400 && cp < 0x530) || (cp >= 0xE00 && cp < 0xE80) ||
           (cp >= 0x1E00 && cp < 0x1F00) || (cp >= 0x3040 && cp < 0xD800) ||
           (cp >= 0x1F000 && cp < 0x1FB00);
}

/* Whether the character at p may combine with the one before it under NFC: a combining mark,
 * a spacing vowel sign, a Hangul vowel or final consonant. */
static int composes(const char *p, size_t len)
{
    uint32_t cp;
    size_t l = fidx__scan_utf8_decode(p, len, &cp);
    if (l == 0 || cp < 0x300 || (cp >= 0x1E00 && cp < 0x1F00))
        return 0;
    if (cp < 0x370 || (cp >= 0x1161 && cp <= 0x11C2))
        return 1;
    if (cp >= 0x20DD && cp <= 0x20E4)
        return 0;
    const utf8proc_property_t *pr = utf8proc_get_property((utf8proc_int32_t)cp);
    if (pr->ignorable)
        return 0;
    return pr->combining_class != 0 || pr->category == UTF8PROC_CATEGORY_MN ||
           pr->category == UTF8PROC_CATEGORY_MC;
}

static void put_raw(const char *src, size_t from, size_t to, char *out, uint32_t *off, size_t *o)
{
    for (size_t k = from; k < to; k++) {
        out[*o] = src[k];
        off[(*o)++] = (uint32_t)k;
    }
}

/* Normalises the composing sequence starting at src[i] (a character and the marks after it)
 * into out; every byte of the result maps to i. Falls back to the raw bytes when the sequence
 * is too long or NFC would make it longer. Returns where the sequence ends. */
static size_t nfc_sequence(const char *src, size_t len, size_t i, char *out, uint32_t *off,
                           size_t *o)
{
    uint32_t cp;
    size_t e = i + fidx__scan_utf8_decode(src + i, len - i, &cp);
    for (int k = 1; k < NFC_SEQ_MAX && e < len && composes(src + e, len - e); k++)
        e += fidx__scan_utf8_decode(src + e, len - e, &cp);
    utf8proc_int32_t buf[4 * NFC_SEQ_MAX];
    utf8proc_ssize_t n =
        utf8proc_decompose((const utf8proc_uint8_t *)src + i, (utf8proc_ssize_t)(e - i), buf,
                           4 * NFC_SEQ_MAX, UTF8PROC_DECOMPOSE | UTF8PROC_STABLE);
    if (n > 0 && n <= 4 * NFC_SEQ_MAX)
        n = utf8proc_normalize_utf32(buf, n, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    else
        n = -1;
    utf8proc_uint8_t enc[4 * 4 * NFC_SEQ_MAX];
    size_t m = 0;
    for (utf8proc_ssize_t k = 0; k < n; k++)
        m += (size_t)utf8proc_encode_char(buf[k], enc + m);
    if (n <= 0 || m > e - i) {
        put_raw(src, i, e, out, off, o);
        return e;
    }
    for (size_t k = 0; k < m; k++) {
        out[*o] = (char)enc[k];
        off[(*o)++] = (uint32_t)i;
    }
    return e;
}

/* ---- defanged punctuation ---------------------------------------------------------------- */

static int host_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c >= 0x80;
}

static int prefix_ci(const char *p, size_t len, const char *lit, size_t n)
{
    if (len < n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c | 0x20);
        if (c != lit[i])
            return 0;
    }
    return 1;
}

/* A defanged mark at src[i] where the real one would stand: "[.]" or "(dot)" between host
 * characters, "[@]"/"[at]" between the parts of an address, "[:]" between a scheme and "//".
 * Returns its length and the character through *ch, or 0. */
static size_t defang_at(const char *src, size_t len, size_t i, const char *out, size_t o, char *ch)
{
    static const struct {
        const char *pat;
        char ch;
    } pats[] = {
        {"[.]", '.'},
        {"(.)", '.'},
        {"{.}", '.'},
        {"[dot]", '.'},
        {"(dot)", '.'},
        {"{dot}", '.'},
        {"[@]", '@'},
        {"(@)", '@'},
        {"{@}", '@'},
        {"[at]", '@'},
        {"(at)", '@'},
        {"{at}", '@'},
        {"[:]", ':'},
        {"[/]", '/'},
        {"(ch\xe1\xba\xa5m)", '.'},
        {"[ch\xe1\xba\xa5m]", '.'},
        {"(cham)", '.'},
        {"[cham]", '.'},
    };
    if (o == 0)
        return 0;
    unsigned char prev = (unsigned char)out[o - 1];
    for (size_t k = 0; k < sizeof pats / sizeof pats[0]; k++) {
        size_t pl = strlen(pats[k].pat);
        if (!prefix_ci(src + i, len - i, pats[k].pat, pl))
            continue;
        unsigned char next = i + pl < len ? (unsigned char)src[i + pl] : 0;
        int ok = pats[k].ch == ':' ? ((prev | 0x20) >= 'a' && (prev | 0x20) <= 'z' && next == '/')
                                   : host_byte(prev) && host_byte(next);
        /* "evil [.] com": left as a dot between spaces, which the link pass reads strictly */
        ok |= pats[k].ch == '.' && prev == ' ' && next == ' ';
        if (ok) {
            *ch = pats[k].ch;
            return pl;
        }
    }
    return 0;
}

/* ---- spaced-out schemes ------------------------------------------------------------------ */

#define SPACED_GAP 2 /* spaces between two characters of a spaced-out scheme */

/* "h t t p s : / / " at src[i] (hxxp too, any case, one or two spaces between characters and
 * any after the "//", at least one somewhere): copies "https://" into out, each byte mapped to
 * its own, and returns where the host starts; 0 when it is not one. */
static size_t spaced_scheme(const char *src, size_t len, size_t i, char *out, uint32_t *off,
                            size_t *o)
{
    static const char *const pats[] = {"https://", "http://", "hxxps://", "hxxp://"};
    if (*o > 0 && host_byte((unsigned char)out[*o - 1]))
        return 0; /* not the start of a word */
    for (size_t k = 0; k < sizeof pats / sizeof pats[0]; k++) {
        const char *p = pats[k];
        size_t j = i, n = strlen(p), spaces = 0, at[8];
        for (size_t c = 0; c < n; c++) {
            size_t gap = 0;
            while (c > 0 && j < len && src[j] == ' ' && gap <= SPACED_GAP)
                j++, gap++;
            if (gap > SPACED_GAP || j >= len || (src[j] | (p[c] >= 'a' ? 0x20 : 0)) != p[c])
                break;
            spaces += gap;
            at[c] = j++;
            if (c + 1 < n)
                continue;
            while (j < len && src[j] == ' ')
                j++, spaces++;
            if (spaces == 0 || j >= len || !host_byte((unsigned char)src[j]))
                break;
            for (size_t m = 0; m < n; m++) {
                out[*o] = (char)(src[at[m]] | (p[m] >= 'a' ? 0x20 : 0));
                off[(*o)++] = (uint32_t)at[m];
            }
            return j;
        }
    }
    return 0;
}

/* ---- the cleaning pass ------------------------------------------------------------------- */

static size_t clean_non_ascii(const char *src, size_t len, size_t i, char *out, uint32_t *off,
                              size_t *o)
{
    uint32_t cp;
    size_t l = fidx__scan_utf8_decode(src + i, len - i, &cp);
    if (l == 0) { /* not UTF-8: carried along as an opaque byte */
        put_raw(src, i, i + 1, out, off, o);
        return i + 1;
    }
    if (((cp >= 0xC0 && cp < 0x250) || (cp >= 0x1E00 && cp < 0x1F00)) &&
        (i + l >= len || (unsigned char)src[i + l] < 0xCC || !composes(src + i + l, len - i - l))) {
        put_raw(src, i, i + l, out, off, o); /* a Vietnamese letter, nothing combining after it */
        return i + l;
    }
    char m[4];
    int k = map_cp(cp, l, m);
    if (k == MAP_DROP)
        return i + l;
    if (k > 0) {
        for (int j = 0; j < k; j++) {
            out[*o] = m[j];
            off[(*o)++] = (uint32_t)i;
        }
        return i + l;
    }
    if (!nfc_stable(cp) ||
        (i + l < len && (unsigned char)src[i + l] >= 0xCC && composes(src + i + l, len - i - l)))
        return nfc_sequence(src, len, i, out, off, o);
    put_raw(src, i, i + l, out, off, o);
    return i + l;
}

size_t fidx__scan_text_clean(const char *src, size_t len, char *out, uint32_t *off)
{
    size_t i = 0, o = 0;
    while (i < len) {
        unsigned char b = (unsigned char)src[i];
        if (b >= 0x80) {
            i = clean_non_ascii(src, len, i, out, off, &o);
            continue;
        }
        char ch;
        size_t k = (b == '[' || b == '(' || b == '{') ? defang_at(src, len, i, out, o, &ch) : 0;
        size_t e = (b | 0x20) == 'h' && i + 1 < len && src[i + 1] == ' '
                       ? spaced_scheme(src, len, i, out, off, &o)
                       : 0;
        if (e > 0) {
            i = e;
        } else if (k > 0) {
            out[o] = ch;
            off[o++] = (uint32_t)i;
            i += k;
        } else if (i + 1 < len && (unsigned char)src[i + 1] >= 0xCC &&
                   composes(src + i + 1, len - i - 1)) { /* lead bytes below 0xCC never combine */
            i = nfc_sequence(src, len, i, out, off, &o);
        } else {
            out[o] = (char)b;
            off[o++] = (uint32_t)i;
            i++;
        }
    }
    off[o] = (uint32_t)len;
    return o;
}

/* The original offset just past the character that ends the cleaned text before ce: the start
 * of the next kept character, moved back over characters that cleaning dropped. */
size_t fidx__scan_text_src_end(const fidx__scan_t *x, size_t ce)
{
    if (ce == 0)
        return x->off[0];
    size_t q = x->off[ce], lo = (size_t)x->off[ce - 1] + 1;
    while (q > lo) {
        size_t s = fidx__scan_text_utf8_prev(x->src, q);
        uint32_t cp = 0;
        char m[4];
        if (s < lo || fidx__scan_utf8_decode(x->src + s, q - s, &cp) != q - s || cp < 0x80 ||
            map_cp(cp, q - s, m) != MAP_DROP)
            break;
        q = s;
    }
    return q;
}

/* ---- letters and words ------------------------------------------------------------------- */

/* Tables of the letters that fold to one ASCII letter (diacritics and case removed), made
 * with utf8proc once per scanner. "đ" has no decomposition and is added by hand. */
static uint8_t fold_one(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'A' && cp <= 'Z')   ? (uint8_t)(cp | 0x20)
               : (cp >= 'a' && cp <= 'z') ? (uint8_t)cp
                                          : 0;
    if (cp == 0x110 || cp == 0x111 || cp == 0xD0 || cp == 0xF0)
        return 'd';
    utf8proc_int32_t b[4];
    utf8proc_ssize_t n =
        utf8proc_decompose_char((utf8proc_int32_t)cp, b, 4,
                                UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD, NULL);
    return (n == 1 && b[0] >= 'a' && b[0] <= 'z') ? (uint8_t)b[0] : 0;
}

void fidx__scan_text_fold_init(fidx_scanner_t *sc)
{
    for (uint32_t cp = 0; cp < sizeof sc->fold_lo; cp++) {
        sc->fold_lo[cp] = fold_one(cp);
        sc->lower_lo[cp] = (uint16_t)utf8proc_tolower((utf8proc_int32_t)cp);
    }
    for (uint32_t k = 0; k < sizeof sc->fold_hi; k++) {
        sc->fold_hi[k] = fold_one(0x1E00 + k);
        sc->lower_hi[k] = (uint16_t)utf8proc_tolower((utf8proc_int32_t)(0x1E00 + k));
    }
}

/* Letters (and marks) beyond the folding tables: any script. */
int fidx__scan_text_is_letter_slow(uint32_t cp)
{
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME;
}

size_t fidx__scan_text_word_key(const fidx__scan_t *x, size_t i, size_t limit, uint64_t *key)
{
    uint64_t k = 0;
    size_t n = 0;
    int ok = 1;
    while (i < limit) {
        unsigned char b = (unsigned char)x->t[i];
        uint32_t cp = b;
        size_t l = 1;
        char c = (char)(b | 0x20);
        if (b >= 0x80) {
            l = fidx__scan_utf8_decode(x->t + i, limit - i, &cp);
            if (l == 0 || !fidx__scan_is_letter(x->sc, cp))
                break;
            c = fidx__scan_fold_cp(x->sc, cp);
            ok &= c != 0 || utf8proc_category((utf8proc_int32_t)cp) >= UTF8PROC_CATEGORY_MN;
        } else if (c < 'a' || c > 'z') {
            break;
        }
        if (c && n < 8)
            k |= (uint64_t)(unsigned char)c << (8 * n);
        n += c != 0;
        i += l;
    }
    *key = ok && n <= 8 ? k : 0;
    return i;
}

/* Appends the lower-case UTF-8 of cp to w->exact (SCAN_W_LONG when it does not fit). */
static void exact_put(const fidx_scanner_t *sc, fidx__word_t *w, uint32_t cp)
{
    if (cp < 0x250)
        cp = sc->lower_lo[cp];
    else if (cp >= 0x1E00 && cp < 0x1F00)
        cp = sc->lower_hi[cp - 0x1E00];
    else
        cp = (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
    if (cp < 0x80) {
        if (w->xlen + 1 > SCAN_EXACT_MAX)
            w->flags |= SCAN_W_LONG;
        else
            w->exact[w->xlen++] = (char)cp;
        return;
    }
    if (w->xlen + 4 > SCAN_EXACT_MAX) {
        w->flags |= SCAN_W_LONG;
        return;
    }
    w->xlen = (uint8_t)(w->xlen + utf8proc_encode_char((utf8proc_int32_t)cp,
                                                       (utf8proc_uint8_t *)w->exact + w->xlen));
}

size_t fidx__scan_text_word_read(const fidx__scan_t *x, size_t i, size_t limit, fidx__word_t *w)
{
    w->start = i;
    w->flen = w->xlen = w->flags = w->ndigits = 0;
    while (i < limit) {
        uint32_t cp;
        size_t l = fidx__scan_utf8_decode(x->t + i, limit - i, &cp);
        if (l == 0 || !fidx__scan_is_letter(x->sc, cp))
            break;
        char f = cp < 0x80 ? (char)(cp | 0x20) : fidx__scan_fold_cp(x->sc, cp);
        if (cp >= 0x80 && f) {
            w->flags |= SCAN_W_MARKS;
        } else if (cp >= 0x80) {
            utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
            int mark = c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME;
            w->flags |= mark ? SCAN_W_MARKS : SCAN_W_ODD;
        }
        if (f && w->flen < SCAN_WORD_MAX)
            w->fold[w->flen++] = f;
        else if (f)
            w->flags |= SCAN_W_LONG;
        exact_put(x->sc, w, cp);
        i += l;
    }
    w->fold[w->flen] = '\0';
    w->end = i;
    return i;
}

int fidx__scan_text_lexword(const fidx_scanner_t *sc, const char *p, size_t len,
                            fidx__lexword_t *out)
{
    fidx__scan_t x;
    memset(&x, 0, sizeof x);
    x.sc = sc;
    x.t = p;
    x.n = len;
    fidx__word_t w;
    if (fidx__scan_text_word_read(&x, 0, len, &w) != len || w.flen == 0 ||
        (w.flags & (SCAN_W_LONG | SCAN_W_ODD)))
        return -1;
    out->flen = w.flen;
    out->xlen = w.xlen;
    out->key = 0;
    for (size_t i = 0; w.flen <= 8 && i < w.flen; i++)
        out->key |= (uint64_t)(unsigned char)w.fold[i] << (8 * i);
    memcpy(out->fold, w.fold, sizeof out->fold);
    memcpy(out->exact, w.exact, sizeof out->exact);
    return 0;
}

/* A word typed with diacritics must match the lexicon's spelling; typed without, its folded
 * letters suffice (people often type without), unless the entry says exact_only. */
int fidx__scan_text_word_is(const fidx__word_t *w, const fidx__lexword_t *lw, int exact_only)
{
    if ((w->flags & (SCAN_W_NUMBER | SCAN_W_LONG | SCAN_W_ODD)) || w->flen != lw->flen ||
        memcmp(w->fold, lw->fold, w->flen) != 0)
        return 0;
    if (w->flags & SCAN_W_MARKS)
        return w->xlen == lw->xlen && memcmp(w->exact, lw->exact, w->xlen) == 0;
    return !exact_only || lw->xlen == lw->flen;
}
