/* Links in a post: URLs, bare domains, e-mail addresses, profile links and @handles.
 *
 * Found on the cleaned text (defanged brackets are already undone there), left to right:
 * - "http://", "https://", "hxxp://", "hxxps://" or "www." at the start of a word opens a URL;
 * - a dot between host characters opens a host: followed by '/' or a port it is a URL
 *   ("bit.ly/abc", "t.me/x"), else a domain ("evil.com.vn");
 * - an '@' with an address part before it is an e-mail address; with nothing before it, an
 *   @handle, reported only when "Telegram"/"tele"/"TikTok"/"Facebook" comes just before it
 *   or right after it;
 * - "evil dot com", "evil chấm com", "evil . com" are domains written out; "x at gmail dot
 *   com" and "x at gmail.com" are e-mail addresses when the domain is written out or is a
 *   mail provider's (else "visit us at evil.com" would be an address).
 * A host counts only when its last label is a top-level domain of the Public Suffix List
 * (libpsl, without the implicit "*" rule), is written in one case, is not a file extension
 * that happens to be a TLD (.zip, .mov, .py, .sh, .md), and the host is not itself a public
 * suffix; an all-capitals host needs a common TLD, and so does a one-letter first label
 * unless a path follows it ("t.ly/abc", "s.id/x": shorteners). That keeps "TP.HCM", "TS.BS",
 * "xong.Chúc" and "photo.jpg" out. An underscore is never part of a host: it glues words to
 * it ("Bam_vao_www.evil.icu" is the host "www.evil.icu", as a reader sees it). A URL or domain is
 * then canonicalised by its normaliser; a URL that fidx_social_from_url reads as a profile is
 * reported as the social account ("zalo.me/0912345678" → "zalo:+84912345678").
 * A VietQR payload pasted in the text ("000201…6304ABCD", fidx/emvco.h) is the bank account it
 * names, its span the whole payload: nothing inside it is read as a link or a number. */
#include <string.h>

#include "fidx/domain.h"
#include "fidx/email.h"
#include "fidx/emvco.h"
#include "fidx/social.h"
#include "fidx/url.h"
#include "scan/scan_internal.h"

#define HOST_MAX 253
#define TLD_MAX 63
#define HANDLE_MIN 2
#define PLATFORM_LOOKBACK 3 /* words before an @handle searched for its platform */

static const char *const common_tlds[] = {
    "com", "net", "org", "vn",   "info", "biz",    "xyz",  "top",   "me",   "io",   "co",
    "cc",  "app", "vip", "club", "shop", "online", "site", "store", "live", "link", "asia",
    "tv",  "us",  "uk",  "win",  "bet",  "pro",    "fun",  "icu",   "cn",   "ru",   "in",
};
static const char *const file_exts[] = {"zip", "mov", "py", "sh", "md"};
/* Mail providers whose domain after a spelled-out " at " makes an address. */
static const char *const mail_domains[] = {
    "gmail.com", "yahoo.com", "yahoo.com.vn", "outlook.com",    "hotmail.com", "icloud.com",
    "live.com",  "msn.com",   "proton.me",    "protonmail.com", "yandex.com",  "mail.ru",
    "aol.com",   "gmx.com",   "zoho.com",     "qq.com",         "163.com",
};
/* Words before " at " that are not the local part of an address ("find me at x dot com"). */
static const char *const not_local[] = {"me",     "us",   "you",  "him",  "her", "them", "it",
                                        "online", "home", "look", "here", "now", "site", "email"};

static int is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_ldh(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || c == '-';
}

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

static int prefix_ci(const char *p, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    if (len < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((is_alpha((unsigned char)p[i]) ? (p[i] | 0x20) : p[i]) != lit[i])
            return 0;
    return 1;
}

/* A host character at t[i]: ASCII letter, digit, '-', '.', or a letter beyond ASCII (an
 * internationalised name). Its length through *len. Not '_': host names have none, and
 * smishing glues words to a link with it ("Bam_vao_www.evil.icu"). */
static int host_at(const fidx__scan_t *x, size_t i, size_t *len)
{
    unsigned char c = (unsigned char)x->t[i];
    *len = 1;
    if (c < 0x80)
        return is_ldh(c) || c == '.';
    return fidx__scan_letter_at(x, i, len);
}

static size_t host_end(const fidx__scan_t *x, size_t i, size_t hi)
{
    size_t l;
    while (i < hi && host_at(x, i, &l))
        i += l;
    return i < hi ? i : hi;
}

static size_t host_start(const fidx__scan_t *x, size_t i, size_t lo)
{
    size_t l;
    while (i > lo) {
        size_t p = fidx__scan_text_utf8_prev(x->t, i);
        if (p < lo || !host_at(x, p, &l))
            break;
        i = p;
    }
    return i;
}

/* ---- is it a host? ----------------------------------------------------------------------- */

/* The top-level label of h, lower-cased into low (TLD_MAX + 1 bytes); its case through *upper
 * and *lower. 0 when it is not letters (or a punycode label). */
static size_t tld_of(const char *h, size_t len, char *low, int *upper, int *lower)
{
    size_t s = len;
    while (s > 0 && h[s - 1] != '.')
        s--;
    size_t tl = len - s;
    *upper = *lower = 0;
    if (s == 0 || tl < 2 || tl > TLD_MAX)
        return 0;
    int puny = prefix_ci(h + s, tl, "xn--");
    for (size_t i = 0; i < tl; i++) {
        unsigned char c = (unsigned char)h[s + i];
        if (c >= 'A' && c <= 'Z')
            *upper = 1;
        else if (c >= 'a' && c <= 'z')
            *lower = 1;
        else if (!(puny && (is_digit(c) || c == '-')))
            return 0;
        low[i] = (char)(is_alpha(c) ? (c | 0x20) : c);
    }
    low[tl] = '\0';
    return tl;
}

/* A label that only masks something: "xxx" in "0912.xxx.xxx" (numbers for sale). */
static int placeholder(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] | 0x20) == 'x')
        i++;
    return n >= 2 && i == n;
}

/* No empty or placeholder label; the first label's length (0 when the host is not one). */
static size_t labels_ok(const char *h, size_t len)
{
    size_t first = 0;
    for (size_t i = 0, s = 0; i <= len; i++) {
        if (i < len && h[i] != '.')
            continue;
        if (i == s || placeholder(h + s, i - s))
            return 0;
        if (s == 0)
            first = i;
        s = i + 1;
    }
    return first;
}

static int has_lower_ascii(const char *h, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (h[i] >= 'a' && h[i] <= 'z')
            return 1;
    return 0;
}

/* How sure the text is that a host is meant: HOST_LINK, a path follows it. */
enum { HOST_PROSE, HOST_LINK, HOST_STRICT, HOST_EMAIL };

/* Whether h[0..len) reads as a host name (see the top of the file). HOST_STRICT: the TLD must
 * also be a common one ("evil . com"); HOST_EMAIL: after an '@', where case says nothing. */
static int host_plausible(const fidx__scan_t *x, const char *h, size_t len, int mode)
{
    char low[TLD_MAX + 1];
    int upper, lower;
    size_t first = labels_ok(h, len);
    if (len > HOST_MAX || first == 0 || tld_of(h, len, low, &upper, &lower) == 0)
        return 0;
    if (in_list(low, file_exts, sizeof file_exts / sizeof file_exts[0]))
        return 0;
    int common = in_list(low, common_tlds, sizeof common_tlds / sizeof common_tlds[0]);
    if (mode != HOST_EMAIL &&
        ((upper && lower) || (upper && (!common || has_lower_ascii(h, len))) ||
         (((first == 1 && mode != HOST_LINK) || mode == HOST_STRICT) && !common)))
        return 0;
    return psl_is_public_suffix2(x->sc->psl, low, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
}

static int ipv4_text(const char *h, size_t len)
{
    size_t parts = 0, digits = 0;
    unsigned v = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && is_digit((unsigned char)h[i])) {
            v = v * 10 + (unsigned)(h[i] - '0');
            if (++digits > 3 || v > 255)
                return 0;
            continue;
        }
        if (digits == 0 || (i < len && h[i] != '.'))
            return 0;
        parts++;
        digits = v = 0;
    }
    return parts == 4;
}

/* ---- emitting ---------------------------------------------------------------------------- */

static int local_byte(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || (c && strchr(".!#$%'*+-^_`{|}~", c));
}

/* The start of the local part of an address written "LOCAL at " before t[hs] (any case, one
 * space each side), or hs when there is none. */
static size_t spoken_at(const fidx__scan_t *x, size_t hs, size_t lo)
{
    char w[16];
    if (hs < lo + 5 || x->t[hs - 1] != ' ' || (x->t[hs - 2] | 0x20) != 't' ||
        (x->t[hs - 3] | 0x20) != 'a' || x->t[hs - 4] != ' ')
        return hs;
    size_t le = hs - 4, ls = le;
    while (ls > lo && local_byte((unsigned char)x->t[ls - 1]))
        ls--;
    while (ls < le && x->t[ls] == '.')
        ls++;
    if (ls == le || (ls > 0 && (unsigned char)x->t[ls - 1] >= 0x80))
        return hs;
    if (le - ls >= sizeof w)
        return ls; /* longer than any of the words */
    for (size_t i = ls; i < le; i++)
        w[i - ls] = (char)(is_alpha((unsigned char)x->t[i]) ? (x->t[i] | 0x20) : x->t[i]);
    w[le - ls] = '\0';
    return in_list(w, not_local, sizeof not_local / sizeof not_local[0]) ? hs : ls;
}

/* An address written "LOCAL at DOMAIN" over t[ls, ce), the domain's canonical form given. */
static int emit_spoken_email(fidx__scan_t *x, size_t ls, size_t hs, size_t ce, const char *canon,
                             size_t n)
{
    char addr[FIDX_CANON_CAP], out[FIDX_CANON_CAP];
    size_t ll = hs - 4 - ls, m;
    if (ll + 1 + n >= sizeof addr)
        return 0;
    memcpy(addr, x->t + ls, ll);
    addr[ll] = '@';
    memcpy(addr + ll + 1, canon, n);
    if (fidx_email_normalize(addr, ll + 1 + n, out, sizeof out, &m, NULL) != 0)
        return 0;
    (void)fidx__scan_emit(x, FIDX_KIND_EMAIL, ls, ce, out, m);
    return 1;
}

/* A domain over t[cs, ce) (h: its text, dots written out or not; worded: they were), or the
 * address it ends when " at " and a local part come before it. */
static int emit_domain(fidx__scan_t *x, size_t cs, size_t ce, const char *h, size_t len, size_t lo,
                       int worded)
{
    char canon[FIDX_CANON_CAP];
    size_t n;
    if (fidx_domain_normalize(h, len, canon, sizeof canon, &n, NULL) != 0 ||
        psl_is_public_suffix2(x->sc->psl, canon, PSL_TYPE_ANY)) /* "com.vn" alone */
        return 0;
    size_t ls = spoken_at(x, cs, lo);
    if (ls < cs &&
        (worded || in_list(canon, mail_domains, sizeof mail_domains / sizeof mail_domains[0])))
        if (emit_spoken_email(x, ls, cs, ce, canon, n))
            return 1;
    (void)fidx__scan_emit(x, FIDX_KIND_DOMAIN, cs, ce, canon, n);
    return 1;
}

/* Canonicalises t[cs, e) into canon when the result can be looked up (a lookup reads it
 * again, so at most FIDX_MAX_VALUE_LEN bytes): 0, -1 when not, FIDX_ETOOBIG when too long. */
static int url_canon(const fidx__scan_t *x, size_t cs, size_t e, char *canon, size_t *n)
{
    if (e - cs > FIDX_MAX_VALUE_LEN)
        return FIDX_ETOOBIG;
    int rc = fidx_url_canonicalize(x->t + cs, e - cs, canon, FIDX_CANON_CAP, n, NULL);
    if (rc == FIDX_ETOOBIG || rc == FIDX_ENOSPC || (rc == 0 && *n > FIDX_MAX_VALUE_LEN))
        return FIDX_ETOOBIG;
    return rc == 0 ? 0 : -1;
}

/* A URL too long to look up (escapes triple a byte) is judged by its head: its authority and
 * the path segments that fit, cut after a '/'. No entry is longer than FIDX_MAX_VALUE_LEN, so
 * its host and leading segments are all an entry can match; reading nothing instead would
 * let a long tail hide a known host. */
#define URL_HEAD_MAX ((FIDX_MAX_VALUE_LEN - HOST_MAX - 16) / 3)
static int url_head_canon(const fidx__scan_t *x, size_t cs, size_t ce, char *canon, size_t *n)
{
    const char *t = x->t;
    const char *sep = memmem(t + cs, ce - cs < 10 ? ce - cs : 10, "://", 3);
    size_t p = sep ? (size_t)(sep - t) + 3 : cs, e;
    while (p < ce && t[p] != '/' && t[p] != '?' && t[p] != '#')
        p++;
    for (e = ce - cs > URL_HEAD_MAX ? cs + URL_HEAD_MAX : ce; e > p && t[e - 1] != '/'; e--)
        ;
    return url_canon(x, cs, e > p ? e : p, canon, n) == 0 ? 0 : -1;
}

/* A URL over t[cs, ce): the profile it links to, or the URL itself. */
static int emit_url(fidx__scan_t *x, size_t cs, size_t ce)
{
    char canon[FIDX_CANON_CAP], social[FIDX_CANON_CAP];
    size_t n, sn;
    fidx_url_parts_t u;
    int rc = url_canon(x, cs, ce, canon, &n);
    if (rc == FIDX_ETOOBIG)
        rc = url_head_canon(x, cs, ce, canon, &n);
    if (rc != 0 || fidx_url_split(canon, n, &u) != 0 || !memchr(u.host.p, '.', u.host.len))
        return 0;
    if (fidx_social_from_url(canon, n, social, sizeof social, &sn) == 0)
        (void)fidx__scan_emit(x, FIDX_KIND_SOCIAL, cs, ce, social, sn);
    else
        (void)fidx__scan_emit(x, FIDX_KIND_URL, cs, ce, canon, n);
    return 1;
}

/* ---- URLs -------------------------------------------------------------------------------- */

static int url_byte(unsigned char c)
{
    return c > 0x20 && c < 0x7F && !strchr("<>\"`{}|\\^", c);
}

/* Drops what ends a sentence rather than the URL: trailing punctuation, and a closing
 * bracket with no opening one inside ("(xem evil.com/a)"). */
static size_t trim_url(const char *t, size_t s, size_t e)
{
    while (e > s) {
        char c = t[e - 1];
        if (strchr(".,;:!?'\"*", c)) {
            e--;
            continue;
        }
        if (c != ')' && c != ']')
            break;
        char o = c == ')' ? '(' : '[';
        long depth = 0;
        for (size_t i = s; i < e; i++)
            depth += (t[i] == o) - (t[i] == c);
        if (depth >= 0)
            break;
        e--;
    }
    return e;
}

/* End of a URL whose authority starts at t[auth]: host (letters beyond ASCII allowed), user
 * info and port, then path, query and fragment in ASCII. */
static size_t url_end(const fidx__scan_t *x, size_t s, size_t auth, size_t hi)
{
    size_t e = auth, l;
    while (e < hi && (host_at(x, e, &l) || strchr(":@[]%", x->t[e])))
        e += l;
    if (e < hi && (x->t[e] == '/' || x->t[e] == '?' || x->t[e] == '#'))
        while (e < hi && url_byte((unsigned char)x->t[e]))
            e++;
    return trim_url(x->t, s, e < hi ? e : hi);
}

/* "://" at t[i]: a URL when a scheme ("http", "https", defanged "hxxp", "hxxps") starts the
 * word before it. */
static size_t try_scheme(fidx__scan_t *x, size_t i, size_t lo, size_t hi)
{
    static const char *const schemes[] = {"https", "http", "hxxps", "hxxp"};
    size_t s = i, l;
    if (i + 3 >= hi || x->t[i + 1] != '/' || x->t[i + 2] != '/' || !host_at(x, i + 3, &l))
        return 0;
    while (s > lo && is_alpha((unsigned char)x->t[s - 1]))
        s--;
    if (s > 0 && host_at(x, fidx__scan_text_utf8_prev(x->t, s), &l))
        return 0; /* not the start of a word */
    for (size_t k = 0; k < sizeof schemes / sizeof schemes[0]; k++)
        if (i - s == strlen(schemes[k]) && prefix_ci(x->t + s, i - s, schemes[k])) {
            size_t e = url_end(x, s, i + 3, hi);
            (void)emit_url(x, s, e);
            return e;
        }
    return 0;
}

/* ---- hosts around a dot ------------------------------------------------------------------ */

static size_t try_worded(fidx__scan_t *x, size_t ss, size_t se, size_t lo, size_t hi);

/* A dot at t[i]: a host "evil.com", a URL "evil.com/x", or a spelled-out " . " separator. */
static size_t try_dot(fidx__scan_t *x, size_t i, size_t lo, size_t hi)
{
    size_t l;
    if (i + 1 >= hi || i <= lo)
        return 0;
    if (x->t[i - 1] == ' ' && x->t[i + 1] == ' ')
        return try_worded(x, i, i + 1, lo, hi);
    if (x->t[i + 1] == '.' || !host_at(x, i + 1, &l)) /* ". " ends most sentences */
        return 0;
    size_t hs = host_start(x, i, lo);
    if (hs == i)
        return 0;
    size_t he = host_end(x, i + 1, hi);
    while (he > i + 1 && (x->t[he - 1] == '.' || x->t[he - 1] == '-'))
        he--;
    while (hs < i && (x->t[hs] == '.' || x->t[hs] == '-'))
        hs++;
    if ((he < hi && x->t[he] == '@') || (hs > 0 && x->t[hs - 1] == '@'))
        return he; /* part of an e-mail address: the '@' decides */
    int path = he < hi && (x->t[he] == '/' || (x->t[he] == ':' && he + 1 < hi &&
                                               is_digit((unsigned char)x->t[he + 1])));
    if (ipv4_text(x->t + hs, he - hs)
            ? !path
            : !host_plausible(x, x->t + hs, he - hs, path ? HOST_LINK : HOST_PROSE))
        return he;
    if (path || prefix_ci(x->t + hs, he - hs, "www.")) {
        size_t e = url_end(x, hs, hs, hi);
        (void)emit_url(x, hs, e);
        return e;
    }
    (void)emit_domain(x, hs, he, x->t + hs, he - hs, lo, 0);
    return he;
}

/* A written-out dot at t[p]: "dot", "chấm" (or "cham"), or a lone '.', followed by a space.
 * Returns the end of the word, or 0. */
static size_t dot_word(const fidx__scan_t *x, size_t p, size_t hi)
{
    if (p >= hi)
        return 0;
    if (x->t[p] == '.')
        return p + 1 < hi && x->t[p + 1] == ' ' ? p + 1 : 0;
    size_t l;
    if (!fidx__scan_letter_at(x, p, &l))
        return 0;
    fidx__word_t w;
    size_t e = fidx__scan_text_word_read(x, p, hi, &w);
    int dot = strcmp(w.fold, "dot") == 0 && !(w.flags & SCAN_W_MARKS);
    int cham = strcmp(w.fold, "cham") == 0 &&
               (!(w.flags & SCAN_W_MARKS) || (w.xlen == 6 && memcmp(w.exact, "chấm", 6) == 0));
    return (dot || cham) && e + 1 < hi && x->t[e] == ' ' ? e : 0;
}

/* End of the ASCII host text at t[p] ("com", "com.vn"), without a final dot. */
static size_t ascii_label_end(const fidx__scan_t *x, size_t p, size_t hi)
{
    size_t s = p;
    while (p < hi && (is_ldh((unsigned char)x->t[p]) || x->t[p] == '.'))
        p++;
    while (p > s && x->t[p - 1] == '.')
        p--;
    return p;
}

/* "evil dot com", "evil chấm com chấm vn", "evil . com": the separator is t[ss, se), with
 * one space on each side. */
static size_t try_worded(fidx__scan_t *x, size_t ss, size_t se, size_t lo, size_t hi)
{
    static const char *const stop[] = {"the", "a",  "an", "of", "in",   "on",   "to", "and",
                                       "or",  "is", "at", "by", "this", "that", "my", "your"};
    char h[HOST_MAX + 1], w[16];
    if (ss < lo + 2 || x->t[ss - 1] != ' ' || se + 1 >= hi || x->t[se] != ' ')
        return 0;
    size_t le = ss - 1, ls = le;
    while (ls > lo && (is_ldh((unsigned char)x->t[ls - 1]) || x->t[ls - 1] == '.'))
        ls--;
    size_t hn = le - ls, end = 0, pos = se + 1;
    if (hn < 2 || hn > HOST_MAX || (ls > 0 && (unsigned char)x->t[ls - 1] >= 0x80))
        return 0;
    memcpy(h, x->t + ls, hn);
    for (;;) {
        size_t lend = ascii_label_end(x, pos, hi);
        if (lend == pos || hn + 1 + (lend - pos) > HOST_MAX ||
            (lend < hi && (unsigned char)x->t[lend] >= 0x80))
            break;
        h[hn++] = '.';
        memcpy(h + hn, x->t + pos, lend - pos);
        hn += lend - pos;
        end = lend;
        size_t next = lend + 1 < hi && x->t[lend] == ' ' ? dot_word(x, lend + 1, hi) : 0;
        if (!next)
            break;
        pos = next + 1;
    }
    size_t wl = le - ls < sizeof w - 1 ? le - ls : sizeof w - 1;
    for (size_t i = 0; i < wl; i++)
        w[i] = (char)(is_alpha((unsigned char)x->t[ls + i]) ? (x->t[ls + i] | 0x20) : x->t[ls + i]);
    w[wl] = '\0';
    int spaced = x->t[ss] == '.', letter = 0;
    for (size_t i = 0; i < wl; i++)
        letter |= is_alpha((unsigned char)w[i]);
    /* " . " is the weakest sign of a host: "in 2019 . com" is a sentence */
    if (end == 0 || in_list(w, stop, sizeof stop / sizeof stop[0]) ||
        (spaced && (le - ls < 3 || !letter)) ||
        !host_plausible(x, h, hn, spaced ? HOST_STRICT : HOST_PROSE))
        return 0;
    (void)emit_domain(x, ls, end, h, hn, lo, 1);
    return end;
}

/* ---- e-mail addresses and @handles ------------------------------------------------------- */

/* The platform a word names, for an @handle next to it, or NULL. */
static const char *platform_of(const fidx__word_t *w)
{
    static const struct {
        const char *word, *platform;
    } words[] = {
        {"telegram", "telegram"}, {"tele", "telegram"}, {"tg", "telegram"},
        {"tlg", "telegram"},      {"tiktok", "tiktok"}, {"tok", "tiktok"},
        {"facebook", "facebook"}, {"fb", "facebook"},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!(w->flags & SCAN_W_NUMBER) && strcmp(w->fold, words[i].word) == 0)
            return words[i].platform;
    return NULL;
}

/* The platform an @handle over t[at, end) is on, from the few words before it on its line
 * or the word right after it ("Telegram: @x", "@x (Telegram)"), or NULL. */
static const char *handle_platform(const fidx__scan_t *x, size_t at, size_t end, size_t lo)
{
    fidx__window_t b, a;
    const char *p = NULL;
    fidx__scan_window_before(x, at, lo, PLATFORM_LOOKBACK, &b);
    for (size_t k = b.n, seen = 0; k > 0 && seen < PLATFORM_LOOKBACK && !p; k--, seen++) {
        const fidx__word_t *w = &b.w[k - 1];
        if (k == b.n ? b.nl_edge : (w->flags & SCAN_W_NL))
            break;
        p = platform_of(w);
    }
    if (p)
        return p;
    fidx__scan_window_after(x, end, x->n, 1, &a);
    return a.n > 0 && !a.nl_edge ? platform_of(&a.w[0]) : NULL;
}

static size_t try_handle(fidx__scan_t *x, size_t at, size_t lo, size_t hi)
{
    size_t e = at + 1;
    while (e < hi && (is_alpha((unsigned char)x->t[e]) || is_digit((unsigned char)x->t[e]) ||
                      x->t[e] == '_' || x->t[e] == '.'))
        e++;
    while (e > at + 1 && x->t[e - 1] == '.')
        e--;
    if (e - at - 1 < HANDLE_MIN)
        return at + 1;
    const char *platform = handle_platform(x, at, e, lo);
    char canon[FIDX_CANON_CAP];
    size_t n;
    if (platform &&
        fidx_social_normalize(x->t + at, e - at, platform, canon, sizeof canon, &n, NULL) == 0)
        (void)fidx__scan_emit(x, FIDX_KIND_SOCIAL, at, e, canon, n);
    return e;
}

static size_t try_at(fidx__scan_t *x, size_t at, size_t lo, size_t hi)
{
    size_t ls = at;
    while (ls > lo && local_byte((unsigned char)x->t[ls - 1]))
        ls--;
    while (ls < at && x->t[ls] == '.')
        ls++;
    if (ls == at)
        return try_handle(x, at, lo, hi);
    size_t de = host_end(x, at + 1, hi);
    while (de > at + 1 && (x->t[de - 1] == '.' || x->t[de - 1] == '-'))
        de--;
    if (de == at + 1)
        return at + 1;
    char canon[FIDX_CANON_CAP];
    size_t n;
    if (host_plausible(x, x->t + at + 1, de - at - 1, HOST_EMAIL) &&
        fidx_email_normalize(x->t + ls, de - ls, canon, sizeof canon, &n, NULL) == 0)
        (void)fidx__scan_emit(x, FIDX_KIND_EMAIL, ls, de, canon, n);
    return de;
}

/* ---- the pass ---------------------------------------------------------------------------- */

/* Only a few bytes can start a link; everything else is passed over one byte at a time
 * (a "www." host is met at its dot). */
/* A VietQR payload (fidx/emvco.h) pasted in a post is a transfer to the account it names: it
 * is found by the link pass, so that neither a link nor a number is read inside it. The
 * payloads are found in one sweep ahead of the loop below (*qr, the next one at or after i):
 * linear in the text (fidx_emvco_find). Returns the end of the payload at i, or 0. */
static size_t try_payload(fidx__scan_t *x, size_t i, int *have, size_t *from,
                          fidx_emvco_match_t *qr)
{
    if (*have && qr->start < i) /* passed inside a link: look again from here */
        *from = i, *have = fidx_emvco_find(x->t, x->n, from, qr);
    if (!*have || qr->start != i)
        return 0;
    if (qr->qr.canonical_len && fidx__scan_emit(x, FIDX_KIND_BANK_ACCOUNT, i, qr->end,
                                                qr->qr.canonical, qr->qr.canonical_len) != 0)
        return 0;
    size_t end = qr->end; /* an e-wallet's payload names no account: skipped, not emitted */
    *have = fidx_emvco_find(x->t, x->n, from, qr);
    return end;
}

void fidx__scan_links(fidx__scan_t *x)
{
    size_t i = 0, n = x->n, from = 0;
    fidx_emvco_match_t qr;
    int have = fidx_emvco_find(x->t, n, &from, &qr);
    while (i < n && !x->full) {
        size_t lo = x->res->found ? x->ce[x->res->found - 1] : 0, next = 0, se;
        char c = x->t[i];
        if (c == '0' && have)
            next = try_payload(x, i, &have, &from, &qr);
        else if (c == '@')
            next = try_at(x, i, lo, n);
        else if (c == '.')
            next = try_dot(x, i, lo, n);
        else if (c == ':')
            next = try_scheme(x, i, lo, n);
        else if ((c | 0x20) == 'd' || (c | 0x20) == 'c') /* "dot", "chấm" between spaces */
            next = i > 0 && x->t[i - 1] == ' ' && i + 1 < n &&
                           ((x->t[i + 1] | 0x20) == 'o' || (x->t[i + 1] | 0x20) == 'h') &&
                           (se = dot_word(x, i, n)) != 0
                       ? try_worded(x, i, se, lo, n)
                       : 0;
        i = next > i ? next : i + 1;
    }
}
