/* The page's words (page_internal.h): texts of a language, vocabulary words, placeholders,
 * escaping, dates and moments, and values written the way people write them ("0910 001 001",
 * "Vietcombank · 0000 1000 2001"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fidx/bank.h"
#include "fidx/indicator.h"
#include "web/page_internal.h"

const char *const fidx__lang_codes[FIDX__LANG_COUNT] = {"vi", "en"};

int fidx__lang_parse(const char *p, size_t len, fidx__lang_t *lang)
{
    for (int i = 0; i < FIDX__LANG_COUNT; i++) {
        if (len == 2 && memcmp(p, fidx__lang_codes[i], 2) == 0) {
            *lang = (fidx__lang_t)i;
            return 0;
        }
    }
    return FIDX_EINVAL;
}

static int cmp_name(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

/* The id of a text by name, or -1 (names are sorted: cmake generates them so). */
static int text_id(const char *name)
{
    const char *const *hit =
        bsearch(name, fidx__string_names, FIDX__S_COUNT, sizeof fidx__string_names[0], cmp_name);
    return hit ? (int)(hit - fidx__string_names) : -1;
}

const char *fidx__page_text(fidx__lang_t lang, const char *key)
{
    int id = text_id(key);
    return id < 0 || (int)lang < 0 || (int)lang >= FIDX__LANG_COUNT ? NULL
                                                                    : fidx__strings[lang][id];
}

void fidx__page_word(fidx__sbuf_t *out, const fidx__page_t *pg, const char *prefix,
                     const char *word)
{
    char key[64];
    int n = snprintf(key, sizeof key, "%s%s", prefix, word);
    const char *t = n > 0 && (size_t)n < sizeof key ? fidx__page_text(pg->lang, key) : NULL;
    if (t)
        fidx__sbuf_puts(out, t);
    else
        fidx__html_escape(out, word, strlen(word));
}

int fidx__page_community_only(const fidx_match_t *m)
{
    for (unsigned i = 0; i < m->n_sources && i < FIDX_MAX_SOURCES; i++)
        if (!fidx_str_eq(m->sources[i], "community"))
            return 0;
    return 1;
}

/* ---- escaping ---- */

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when the bytes there are not one. */
static size_t utf8_seq(const unsigned char *p, size_t len)
{
    unsigned c = p[0];
    size_t n = c < 0x80             ? 1
               : (c & 0xe0) == 0xc0 ? 2
               : (c & 0xf0) == 0xe0 ? 3
               : (c & 0xf8) == 0xf0 ? 4
                                    : 0;
    if (n == 0 || n > len)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if (n == 2 && c < 0xc2)
        return 0; /* overlong */
    if (n == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
        return 0; /* overlong, or a UTF-16 surrogate */
    if (n == 4 && ((c == 0xf0 && p[1] < 0x90) || c > 0xf4 || (c == 0xf4 && p[1] >= 0x90)))
        return 0; /* overlong, or beyond U+10FFFF */
    return n;
}

void fidx__html_escape(fidx__sbuf_t *out, const char *p, size_t len)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_seq(s + i, len - i);
        unsigned char c = s[i];
        if (n == 0 || (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
            fidx__sbuf_puts(out, "\xef\xbf\xbd");
            i++;
            continue;
        }
        switch (c) {
        case '&':
            fidx__sbuf_puts(out, "&amp;");
            break;
        case '<':
            fidx__sbuf_puts(out, "&lt;");
            break;
        case '>':
            fidx__sbuf_puts(out, "&gt;");
            break;
        case '"':
            fidx__sbuf_puts(out, "&quot;");
            break;
        case '\'':
            fidx__sbuf_puts(out, "&#39;");
            break;
        default:
            fidx__sbuf_put(out, p + i, n);
        }
        i += n;
    }
}

void fidx__url_escape(fidx__sbuf_t *out, const char *p, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            fidx__sbuf_put(out, p + i, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            fidx__sbuf_put(out, e, 3);
        }
    }
}

/* ---- placeholders ---- */

int fidx__page_until_arg(fidx__sbuf_t *out, const char *text, size_t *pos)
{
    const char *s = text + *pos;
    for (const char *c = s; *c; c++) {
        if (c[0] == '{' && c[1] >= '1' && c[1] <= '9' && c[2] == '}') {
            fidx__sbuf_put(out, s, (size_t)(c - s));
            *pos += (size_t)(c - s) + 3;
            return c[1] - '0';
        }
    }
    fidx__sbuf_puts(out, s);
    *pos += strlen(s);
    return 0;
}

void fidx__page_with_values(fidx__sbuf_t *out, const char *text, const char *v1, size_t len1,
                            const char *v2, size_t len2)
{
    size_t pos = 0;
    for (int a; text && (a = fidx__page_until_arg(out, text, &pos));) {
        if (a == 1)
            fidx__html_escape(out, v1, len1);
        else if (a == 2 && v2)
            fidx__html_escape(out, v2, len2);
    }
}

int fidx__bank_compose(const fidx_bank_t *bank, const char *p, size_t len, char *out, size_t cap,
                       size_t *out_len)
{
    int bare = bank != NULL && len > 0;
    for (size_t i = 0; i < len && bare; i++)
        bare = (p[i] >= '0' && p[i] <= '9') || p[i] == ' ' || p[i] == '.' || p[i] == '-';
    size_t prefix = bare ? strlen(bank->bin) + 1 : 0;
    if (len >= cap || prefix > cap - 1 - len)
        return FIDX_ETOOBIG;
    if (bare) {
        memcpy(out, bank->bin, prefix - 1);
        out[prefix - 1] = ':';
    }
    memcpy(out + prefix, p, len);
    out[prefix + len] = '\0';
    *out_len = prefix + len;
    return 0;
}

void fidx__page_href(fidx__sbuf_t *out, const fidx__page_t *pg, const char *path, int first)
{
    fidx__sbuf_puts(out, path);
    if (pg->lang_given || pg->lang != FIDX__LANG_VI)
        fidx__sbuf_printf(out, "%slang=%s", first ? "?" : "&amp;", fidx__lang_codes[pg->lang]);
}

/* ---- dates and moments ---- */

static const char *const months_en[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* iso is YYYY-MM-DD: the day as the page's language writes it. */
static void put_day(fidx__sbuf_t *out, const fidx__page_t *pg, const char *iso)
{
    int month = (iso[5] - '0') * 10 + (iso[6] - '0');
    if (pg->lang == FIDX__LANG_VI)
        fidx__sbuf_printf(out, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
    else if (month >= 1 && month <= 12)
        fidx__sbuf_printf(out, "%d %s %.4s", atoi(iso + 8), months_en[month - 1], iso);
    else
        fidx__sbuf_put(out, iso, 10);
}

void fidx__page_date(fidx__sbuf_t *out, const fidx__page_t *pg, fidx_day_t day)
{
    char iso[11];
    fidx_day_format(day, iso); /* YYYY-MM-DD */
    fidx__sbuf_printf(out, "<time datetime=\"%.10s\">", iso);
    put_day(out, pg, iso);
    fidx__sbuf_puts(out, "</time>");
}

/* Vietnam keeps UTC+7 all year: the page's readers read the clock they live by. */
#define VN_OFFSET_S (7 * 3600)

void fidx__page_day_at(fidx__sbuf_t *out, const fidx__page_t *pg, int64_t t)
{
    time_t local = (time_t)(t + VN_OFFSET_S);
    struct tm l;
    char day[11];
    if (!gmtime_r(&local, &l) || strftime(day, sizeof day, "%Y-%m-%d", &l) != 10)
        return;
    fidx__sbuf_printf(out, "<time datetime=\"%s\">", day);
    put_day(out, pg, day);
    fidx__sbuf_puts(out, "</time>");
}

void fidx__page_moment(fidx__sbuf_t *out, const fidx__page_t *pg, int64_t t)
{
    time_t utc = (time_t)t, local = (time_t)(t + VN_OFFSET_S);
    struct tm u, l;
    char iso[32], day[11];
    if (!gmtime_r(&utc, &u) || !gmtime_r(&local, &l))
        return;
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &u);
    strftime(day, sizeof day, "%Y-%m-%d", &l);
    fidx__sbuf_printf(out, "<time datetime=\"%s\">%02d:%02d ", iso, l.tm_hour, l.tm_min);
    fidx__sbuf_puts(out, T(pg, time_day_joiner));
    put_day(out, pg, day);
    fidx__sbuf_printf(out, " (%s)</time>", T(pg, vn_time));
}

/* ---- a report's reference ---- */

void fidx__page_report_code(fidx__sbuf_t *out, const fidx__page_t *pg, const char *id)
{
    fidx__sbuf_puts(out, "<a class=\"report-code\" href=\"/report/");
    fidx__url_escape(out, id, strlen(id));
    fidx__page_href(out, pg, "", 1);
    fidx__sbuf_puts(out, "\"><bdi>");
    fidx__html_escape(out, id, strlen(id));
    fidx__sbuf_puts(out, "</bdi></a>");
}

void fidx__page_with_code(fidx__sbuf_t *out, const fidx__page_t *pg, const char *text,
                          const char *id)
{
    size_t pos = 0;
    while (fidx__page_until_arg(out, text, &pos))
        fidx__page_report_code(out, pg, id);
}
