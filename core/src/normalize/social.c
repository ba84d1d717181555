/* Social accounts: "PLATFORM:HANDLE" for Facebook, Telegram, TikTok and Zalo.
 *
 * Three ways in: a profile link (canonicalised by url.c first, so defanged, upper-case or
 * mobile-site links read the same), an already canonical "platform:handle", or a bare handle
 * ("@scam_bot") with the platform given. Each platform has its own handle rules:
 *   facebook  username of 5-50 [a-z0-9.], or a numeric profile id as "id:DIGITS"
 *             (profile.php?id=…, people/Name/ID, or a bare number)
 *   telegram  5-32 [a-z0-9_] starting with a letter (Telegram ignores case)
 *   tiktok    2-24 [a-z0-9_.] ("tiktok.com/@handle")
 *   zalo      a phone number, canonical E.164 (fidx_phone_normalize): "zalo.me/0912345678"
 * Links that are not to one person's or page's profile (groups, posts, share and login
 * pages, invite links, "zalo.me/g/…") are refused. Handles are lower-cased: all four
 * platforms treat them without case. Facebook also ignores dots in usernames, but the
 * contract's canonical form keeps them ("facebook:nguyen.van.a"), so they are kept. */
#include "fidx/social.h"

#include <string.h>

#include "fidx/phone.h"
#include "fidx/str.h"
#include "fidx/url.h"

typedef enum { FACEBOOK, TELEGRAM, TIKTOK, ZALO, PLATFORM_COUNT, PLATFORM_NONE = -1 } platform_t;

static const char *const platform_names[PLATFORM_COUNT] = {"facebook", "telegram", "tiktok",
                                                           "zalo"};

#define FB_ID_MAX 20
#define FB_NAME_MIN 5
#define FB_NAME_MAX 50
#define TG_MIN 5
#define TG_MAX 32
#define TT_MIN 2
#define TT_MAX 24

/* A canonical handle ("nguyen.van.a", "id:1000…", "+8491…"): at most 50 bytes. */
typedef struct {
    char b[64];
    size_t n;
} handle_t;

static const char R_NOT_PROFILE[] =
    "link is not to a profile (a group, post, page of the site or invite link)";
static const char R_NOT_SOCIAL[] = "not a link to a Facebook, Telegram, TikTok or Zalo profile";

/* First path segments of facebook.com that are features of the site, not profiles. Names
 * shorter than 5 bytes, and "….php", cannot be usernames and need no entry. */
static const char *const fb_reserved[] = {
    "groups",     "pages",      "watch",      "events",      "share",        "sharer",
    "login",      "logout",     "help",       "marketplace", "photos",       "videos",
    "reels",      "stories",    "gaming",     "hashtag",     "search",       "settings",
    "privacy",    "policies",   "legal",      "terms",       "business",     "careers",
    "recover",    "checkpoint", "bookmarks",  "saved",       "memories",     "fundraisers",
    "donate",     "places",     "media",      "notes",       "dialog",       "plugins",
    "developers", "games",      "offers",     "messages",    "friends",      "notifications",
    "composer",   "security",   "campaign",   "directory",   "find-friends", "signup",
    "story",      "permalink",  "photo",      "video",       "profile",      "people",
    "public",     "latest",     "watchparty", "messenger",   "instantgames", "community",
    "lite",       "mobile",     "support",    "username",    "reel",         "about",
    "home",       "feeds",      "friendship", "shares",
};

/* First path segments of t.me that are not a user, bot, group or channel name. */
static const char *const tg_reserved[] = {
    "joinchat", "addstickers", "addemoji", "addtheme", "addlist",      "share",   "proxy",
    "socks",    "setlanguage", "login",    "boost",    "confirmphone", "invoice", "contact",
};

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? (c | 0x20) : c;
}

static int eq_ci(const char *p, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    if (len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)p[i]) != lit[i])
            return 0;
    return 1;
}

static int in_list(const char *p, size_t len, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (eq_ci(p, len, list[i]))
            return 1;
    return 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_lower_alnum(int c)
{
    return (c >= 'a' && c <= 'z') || is_digit((char)c);
}

/* Copies p lower-cased into h when every byte is alphanumeric or in extra. */
static int take_handle(const char *p, size_t len, const char *extra, handle_t *h)
{
    if (len >= sizeof h->b)
        return -1;
    for (size_t i = 0; i < len; i++) {
        int c = lower((unsigned char)p[i]);
        if (!is_lower_alnum(c) && (c == 0 || !strchr(extra, c)))
            return -1;
        h->b[i] = (char)c;
    }
    h->n = len;
    return 0;
}

static int all_digits(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_digit(p[i]))
            return 0;
    return len > 0;
}

static int facebook_id(const char *p, size_t len, handle_t *h, fidx_err_t *err)
{
    if (!all_digits(p, len) || len > FB_ID_MAX)
        return fidx_err_set(err, FIDX_EINVAL, 0, "Facebook profile id must be 1-20 digits");
    memcpy(h->b, "id:", 3);
    memcpy(h->b + 3, p, len);
    h->n = 3 + len;
    return 0;
}

/* "nguyen.van.a", "100012345678901" (an id) or "id:100012345678901". */
static int facebook_handle(const char *p, size_t len, handle_t *h, fidx_err_t *err)
{
    if (len >= 3 && eq_ci(p, 3, "id:"))
        return facebook_id(p + 3, len - 3, h, err);
    if (all_digits(p, len))
        return facebook_id(p, len, h, err);
    int letter = 0;
    for (size_t i = 0; i < len; i++)
        letter |= lower((unsigned char)p[i]) >= 'a' && lower((unsigned char)p[i]) <= 'z';
    if (len < FB_NAME_MIN || len > FB_NAME_MAX || !letter || take_handle(p, len, ".", h) != 0)
        return fidx_err_set(err, FIDX_EINVAL, 0,
                            "Facebook username must be 5-50 letters, digits or dots");
    return 0;
}

static int telegram_handle(const char *p, size_t len, handle_t *h, fidx_err_t *err)
{
    if (len < TG_MIN || len > TG_MAX || lower((unsigned char)p[0]) < 'a' ||
        lower((unsigned char)p[0]) > 'z' || take_handle(p, len, "_", h) != 0)
        return fidx_err_set(err, FIDX_EINVAL, 0,
                            "Telegram username must be 5-32 letters, digits or '_', starting "
                            "with a letter");
    return 0;
}

static int tiktok_handle(const char *p, size_t len, handle_t *h, fidx_err_t *err)
{
    if (len < TT_MIN || len > TT_MAX || take_handle(p, len, "_.", h) != 0)
        return fidx_err_set(err, FIDX_EINVAL, 0,
                            "TikTok username must be 2-24 letters, digits, '_' or '.'");
    return 0;
}

static int zalo_handle(const char *p, size_t len, handle_t *h, fidx_err_t *err)
{
    fidx_err_t perr = {0};
    if (fidx_phone_normalize(p, len, h->b, sizeof h->b, &h->n, &perr) != 0)
        return fidx_err_set(err, FIDX_EINVAL, perr.offset,
                            "a Zalo account is a phone number, and this is not a valid one");
    return 0;
}

/* A handle as written after "platform:" or given with the platform; one leading '@' is
 * allowed where the platform uses it. */
static int platform_handle(platform_t pf, const char *p, size_t len, handle_t *h, fidx_err_t *err)
{
    if (len > 0 && p[0] == '@' && pf != ZALO)
        p++, len--;
    switch (pf) {
    case FACEBOOK:
        return facebook_handle(p, len, h, err);
    case TELEGRAM:
        return telegram_handle(p, len, h, err);
    case TIKTOK:
        return tiktok_handle(p, len, h, err);
    default:
        return zalo_handle(p, len, h, err);
    }
}

/* Path segment i (0-based) of a canonical path ("/a/b" → "a", "b"); empty when absent. */
static fidx_str_t segment(fidx_str_t path, size_t i)
{
    size_t s = 1;
    for (;;) {
        size_t e = s;
        while (e < path.len && path.p[e] != '/')
            e++;
        if (i == 0 || e >= path.len)
            return i == 0 && s <= path.len ? fidx_str(path.p + s, e - s) : fidx_str(path.p, 0);
        s = e + 1;
        i--;
    }
}

/* Value of the parameter name in a query ("id=1&sk=about"), or {NULL, 0}. */
static fidx_str_t query_param(fidx_str_t q, const char *name)
{
    size_t nl = strlen(name), i = 0;
    while (i < q.len) {
        size_t e = i;
        while (e < q.len && q.p[e] != '&')
            e++;
        if (e - i > nl && memcmp(q.p + i, name, nl) == 0 && q.p[i + nl] == '=')
            return fidx_str(q.p + i + nl + 1, e - i - nl - 1);
        i = e + 1;
    }
    return fidx_str(NULL, 0);
}

static int facebook_link(const fidx_url_parts_t *u, handle_t *h, fidx_err_t *err)
{
    fidx_str_t s1 = segment(u->path, 0);
    if (eq_ci(s1.p, s1.len, "profile.php")) {
        fidx_str_t id = query_param(u->query, "id");
        return id.p ? facebook_id(id.p, id.len, h, err)
                    : fidx_err_set(err, FIDX_EINVAL, 0, R_NOT_PROFILE);
    }
    if (eq_ci(s1.p, s1.len, "people")) { /* people/Nguyen-Van-A/100012345678901 */
        fidx_str_t id = segment(u->path, 2);
        return facebook_id(id.p, id.len, h, err);
    }
    if (s1.len == 0 ||
        in_list(s1.p, s1.len, fb_reserved, sizeof fb_reserved / sizeof *fb_reserved) ||
        (s1.len > 4 && eq_ci(s1.p + s1.len - 4, 4, ".php")))
        return fidx_err_set(err, FIDX_EINVAL, 0, R_NOT_PROFILE);
    return facebook_handle(s1.p, s1.len, h, err);
}

static int telegram_link(const fidx_url_parts_t *u, handle_t *h, fidx_err_t *err)
{
    fidx_str_t s1 = segment(u->path, 0);
    if (eq_ci(s1.p, s1.len, "s")) /* t.me/s/channel: the channel's web preview */
        s1 = segment(u->path, 1);
    if (s1.len == 0 || s1.p[0] == '+' ||
        in_list(s1.p, s1.len, tg_reserved, sizeof tg_reserved / sizeof *tg_reserved))
        return fidx_err_set(err, FIDX_EINVAL, 0, R_NOT_PROFILE);
    return telegram_handle(s1.p, s1.len, h, err);
}

static int tiktok_link(const fidx_url_parts_t *u, handle_t *h, fidx_err_t *err)
{
    fidx_str_t s1 = segment(u->path, 0);
    if (s1.len < 2 || s1.p[0] != '@')
        return fidx_err_set(err, FIDX_EINVAL, 0, R_NOT_PROFILE);
    return tiktok_handle(s1.p + 1, s1.len - 1, h, err);
}

static int zalo_link(const fidx_url_parts_t *u, handle_t *h, fidx_err_t *err)
{
    fidx_str_t s1 = segment(u->path, 0);
    size_t start = s1.len > 0 && s1.p[0] == '+';
    if (!all_digits(s1.p + start, s1.len - start)) /* "zalo.me/g/…" is a group */
        return fidx_err_set(err, FIDX_EINVAL, 0, R_NOT_PROFILE);
    return zalo_handle(s1.p, s1.len, h, err);
}

/* host is dom or one of the listed subdomains of it ("" = none). */
static int host_in(fidx_str_t host, const char *dom, const char *const *subs, size_t nsubs)
{
    size_t dl = strlen(dom);
    if (host.len < dl || memcmp(host.p + host.len - dl, dom, dl) != 0)
        return 0;
    size_t sl = host.len - dl;
    if (sl == 0)
        return 1;
    if (host.p[sl - 1] != '.')
        return 0;
    return in_list(host.p, sl - 1, subs, nsubs);
}

static const char *const fb_subs[] = {"www",   "m",    "web",    "mbasic",
                                      "touch", "free", "mobile", "iphone"};
static const char *const www_sub[] = {"www", "m"};

/* The platform and handle of a canonical profile URL. */
static int from_parts(const fidx_url_parts_t *u, platform_t *pf, handle_t *h, fidx_err_t *err)
{
    fidx_str_t host = u->host;
    size_t nfb = sizeof fb_subs / sizeof *fb_subs, nw = sizeof www_sub / sizeof *www_sub;
    if (host_in(host, "facebook.com", fb_subs, nfb) || host_in(host, "fb.com", fb_subs, nfb)) {
        *pf = FACEBOOK;
        return facebook_link(u, h, err);
    }
    if (host_in(host, "t.me", www_sub, nw) || host_in(host, "telegram.me", www_sub, nw) ||
        host_in(host, "telegram.dog", www_sub, nw)) {
        *pf = TELEGRAM;
        return telegram_link(u, h, err);
    }
    if (host.len > 5 && memcmp(host.p + host.len - 5, ".t.me", 5) == 0 &&
        !memchr(host.p, '.', host.len - 5)) { /* "name.t.me" */
        *pf = TELEGRAM;
        return telegram_handle(host.p, host.len - 5, h, err);
    }
    if (host_in(host, "tiktok.com", www_sub, nw)) {
        *pf = TIKTOK;
        return tiktok_link(u, h, err);
    }
    if (host_in(host, "zalo.me", www_sub, nw)) {
        *pf = ZALO;
        return zalo_link(u, h, err);
    }
    return fidx_err_set(err, FIDX_EINVAL, 0, R_NOT_SOCIAL);
}

static int write_account(platform_t pf, const handle_t *h, char *out, size_t cap, size_t *out_len)
{
    const char *name = platform_names[pf];
    size_t nl = strlen(name);
    if (nl + 1 + h->n + 1 > cap)
        return FIDX_ENOSPC;
    memcpy(out, name, nl);
    out[nl] = ':';
    memcpy(out + nl + 1, h->b, h->n);
    out[nl + 1 + h->n] = '\0';
    *out_len = nl + 1 + h->n;
    return 0;
}

int fidx_social_from_url(const char *canon_url, size_t len, char *out, size_t cap, size_t *out_len)
{
    fidx_url_parts_t u;
    if (fidx_url_split(canon_url, len, &u) != 0)
        return FIDX_EINVAL;
    platform_t pf;
    handle_t h;
    if (from_parts(&u, &pf, &h, NULL) != 0)
        return FIDX_ENOTFOUND;
    return write_account(pf, &h, out, cap, out_len);
}

static platform_t platform_parse(const char *p, size_t len)
{
    for (int i = 0; i < PLATFORM_COUNT; i++)
        if (eq_ci(p, len, platform_names[i]))
            return (platform_t)i;
    return PLATFORM_NONE;
}

/* Whether the value is a link rather than a handle: it has a '/', a scheme or "www.", or
 * starts with a platform's host name ("t.me", "facebook.com"). */
static int looks_like_link(const char *p, size_t len)
{
    static const char *const hosts[] = {"facebook.com", "m.facebook.com", "fb.com", "t.me",
                                        "telegram.me",  "tiktok.com",     "zalo.me"};
    if (memchr(p, '/', len))
        return 1;
    for (size_t i = 0; i < sizeof hosts / sizeof *hosts; i++) {
        size_t n = strlen(hosts[i]);
        if (len >= n && eq_ci(p, n, hosts[i]) && (len == n || p[n] == '?' || p[n] == ':'))
            return 1;
    }
    return (len >= 4 && (eq_ci(p, 4, "http") || eq_ci(p, 4, "hxxp") || eq_ci(p, 4, "www.")));
}

static int from_link(const char *p, size_t len, platform_t *pf, handle_t *h, fidx_err_t *err)
{
    char canon[FIDX_CANON_CAP];
    size_t n;
    fidx_url_parts_t u;
    if (fidx_url_canonicalize(p, len, canon, sizeof canon, &n, err) != 0 ||
        fidx_url_split(canon, n, &u) != 0)
        return fidx_err_set(err, FIDX_EINVAL, 0, R_NOT_SOCIAL);
    return from_parts(&u, pf, h, err);
}

int fidx_social_normalize(const char *p, size_t len, const char *platform, char *out, size_t cap,
                          size_t *out_len, fidx_err_t *err)
{
    if (len > FIDX_MAX_VALUE_LEN)
        return fidx_err_set(err, FIDX_ETOOBIG, FIDX_MAX_VALUE_LEN, "social account too long");
    while (len > 0 && (unsigned char)p[0] <= 0x20)
        p++, len--;
    while (len > 0 && (unsigned char)p[len - 1] <= 0x20)
        len--;
    platform_t hint = PLATFORM_NONE, pf;
    if (platform && (hint = platform_parse(platform, strlen(platform))) == PLATFORM_NONE)
        return fidx_err_set(err, FIDX_EINVAL, 0,
                            "unknown social platform (facebook, telegram, tiktok or zalo)");
    const char *colon = memchr(p, ':', len);
    handle_t h;
    int rc;
    if (colon && (pf = platform_parse(p, (size_t)(colon - p))) != PLATFORM_NONE) {
        rc = platform_handle(pf, colon + 1, len - (size_t)(colon - p) - 1, &h, err);
    } else if (looks_like_link(p, len)) {
        rc = from_link(p, len, &pf, &h, err);
    } else if (hint != PLATFORM_NONE) {
        pf = hint;
        rc = platform_handle(pf, p, len, &h, err);
    } else {
        return fidx_err_set(
            err, FIDX_EINVAL, 0,
            "a bare handle needs its platform (facebook, telegram, tiktok or zalo)");
    }
    if (rc != 0)
        return rc;
    if (write_account(pf, &h, out, cap, out_len) != 0)
        return fidx_err_set(err, FIDX_ENOSPC, 0, "output buffer too small");
    return 0;
}
