/* The citizens' page rendered on the server (see page_render.h): the template service/web/
 * page.html with {{key}} (a text of the page's language, trusted HTML from
 * service/web/strings/) and {{@slot}} (filled here from the request, escaped), and the
 * verdict explained: what it means, the categories in words, how many reports and since when,
 * and what to do now. The same code answers the page without JavaScript and the fragments
 * page.js puts in place, so both say exactly the same thing. */
#include "web/page_render.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fidx/indicator.h"
#include "web/web_assets.h"
#include "web_strings.h"

#define T(pg, id) (fidx__strings[(pg)->lang][FIDX__S_##id])

static const char *const lang_codes[FIDX__LANG_COUNT] = {"vi", "en"};

int fidx__lang_parse(const char *p, size_t len, fidx__lang_t *lang)
{
    for (int i = 0; i < FIDX__LANG_COUNT; i++) {
        if (len == 2 && memcmp(p, lang_codes[i], 2) == 0) {
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

/* A vocabulary word ("cat_phishing", "kind_phone", "src_police") in the page's language; the
 * word itself, escaped, when the strings have none (a source named by a feed, say). */
static void put_word(fidx__sbuf_t *out, const fidx__page_t *pg, const char *prefix,
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

static void put_esc(fidx__sbuf_t *out, const char *s)
{
    fidx__html_escape(out, s, strlen(s));
}

/* Writes text up to its next placeholder {1}..{9} and returns that number, having moved *pos
 * past it; at the end of the text returns 0. The caller writes the argument in between. */
static int put_until_arg(fidx__sbuf_t *out, const char *text, size_t *pos)
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

/* A text whose only placeholder {1} is an escaped value. */
static void put_with_value(fidx__sbuf_t *out, const char *text, const char *v, size_t vlen)
{
    size_t pos = 0;
    while (put_until_arg(out, text, &pos))
        fidx__html_escape(out, v, vlen);
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

/* ---- pieces of the page ---- */

static const char *kind_options[] = {"phone",  "bank_account",   "url",
                                     "domain", "social_account", "email"};

static void put_selected(fidx__sbuf_t *out, int selected)
{
    if (selected)
        fidx__sbuf_puts(out, " selected");
}

static void put_kind_options(fidx__sbuf_t *out, const fidx__page_t *pg, fidx_kind_t chosen)
{
    fidx__sbuf_puts(out, "<option value=\"\"");
    put_selected(out, chosen == FIDX_KIND_NONE);
    fidx__sbuf_printf(out, ">%s</option>", T(pg, kind_auto));
    for (size_t i = 0; i < sizeof kind_options / sizeof kind_options[0]; i++) {
        fidx_kind_t k;
        if (fidx_kind_parse(kind_options[i], strlen(kind_options[i]), &k) != 0)
            continue;
        fidx__sbuf_printf(out, "<option value=\"%s\"", kind_options[i]);
        put_selected(out, chosen == k);
        fidx__sbuf_puts(out, ">");
        put_word(out, pg, "kind_", kind_options[i]);
        fidx__sbuf_puts(out, "</option>");
    }
}

static void put_bank_options(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx_bank_t *chosen)
{
    fidx__sbuf_printf(out, "<option value=\"\">%s</option>", T(pg, bank_none));
    for (size_t i = 0; i < fidx_bank_count(); i++) {
        const fidx_bank_t *b = fidx_bank_at(i);
        fidx__sbuf_puts(out, "<option value=\"");
        put_esc(out, b->bin);
        fidx__sbuf_puts(out, "\"");
        put_selected(out, chosen && strcmp(chosen->bin, b->bin) == 0);
        fidx__sbuf_puts(out, ">");
        put_esc(out, b->short_name);
        if (b->code[0] && strcmp(b->code, b->short_name) != 0) {
            fidx__sbuf_puts(out, " (");
            put_esc(out, b->code);
            fidx__sbuf_puts(out, ")");
        }
        fidx__sbuf_puts(out, "</option>");
    }
}

static void put_category_options(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    fidx__sbuf_printf(out, "<option value=\"\">%s</option>", T(pg, category_none));
    for (int c = 0; c < FIDX_CAT_COUNT; c++) {
        fidx__sbuf_printf(out, "<option value=\"%s\"", fidx_category_name(c));
        put_selected(out, pg->report_category == c);
        fidx__sbuf_puts(out, ">");
        put_word(out, pg, "cat_", fidx_category_name(c));
        fidx__sbuf_puts(out, "</option>");
    }
}

/* A link to this site with the page's language kept when the request named it. */
static void put_href(fidx__sbuf_t *out, const fidx__page_t *pg, const char *path, int first_param)
{
    fidx__sbuf_puts(out, path);
    if (pg->lang_given || pg->lang != FIDX__LANG_VI)
        fidx__sbuf_printf(out, "%slang=%s", first_param ? "?" : "&amp;", lang_codes[pg->lang]);
}

/* ---- the verdict explained ---- */

static void put_date(fidx__sbuf_t *out, const fidx__page_t *pg, fidx_day_t day)
{
    static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char iso[11];
    fidx_day_format(day, iso); /* YYYY-MM-DD */
    int month = (iso[5] - '0') * 10 + (iso[6] - '0');
    fidx__sbuf_printf(out, "<time datetime=\"%.10s\">", iso);
    if (pg->lang == FIDX__LANG_VI)
        fidx__sbuf_printf(out, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
    else if (month >= 1 && month <= 12)
        fidx__sbuf_printf(out, "%d %s %.4s", atoi(iso + 8), months[month - 1], iso);
    else
        fidx__sbuf_put(out, iso, 10);
    fidx__sbuf_puts(out, "</time>");
}

static const char *verdict_key(fidx_verdict_t v)
{
    switch (v) {
    case FIDX_VERDICT_SCAM:
        return "scam";
    case FIDX_VERDICT_SUSPICIOUS:
        return "suspicious";
    case FIDX_VERDICT_SAFE:
        return "safe";
    default:
        return "unknown";
    }
}

/* "this phone number" / "số điện thoại này", for the explanations. */
static void put_this(fidx__sbuf_t *out, const fidx__page_t *pg, fidx_kind_t kind)
{
    put_word(out, pg, "this_", fidx_kind_name(kind));
}

/* A text whose only placeholder {1} is "this <kind>". */
static void put_with_this(fidx__sbuf_t *out, const fidx__page_t *pg, const char *text,
                          fidx_kind_t kind)
{
    size_t pos = 0;
    while (text && put_until_arg(out, text, &pos))
        put_this(out, pg, kind);
}

/* Whether every source of the deciding entry is the community (or it names none): a verdict
 * the police or an official source did not give must never be worded as theirs. */
static int community_only(const fidx_match_t *m)
{
    for (unsigned i = 0; i < m->n_sources && i < FIDX_MAX_SOURCES; i++)
        if (!fidx_str_eq(m->sources[i], "community"))
            return 0;
    return 1;
}

/* The words for r: its verdict's, except that a scam verdict whose entry only the community
 * vouches for (confirmed on citizens' reports, never verified) has words of its own. */
static const char *words_key(const fidx_result_t *r)
{
    if (r->verdict == FIDX_VERDICT_SCAM && r->has_match && community_only(&r->match))
        return "scam_community";
    return verdict_key(r->verdict);
}

static void put_verdict_text(fidx__sbuf_t *out, const fidx__page_t *pg, const char *what,
                             const fidx_result_t *r)
{
    char key[48];
    snprintf(key, sizeof key, "verdict_%s_%s", words_key(r), what);
    put_with_this(out, pg, fidx__page_text(pg->lang, key), r->kind);
}

static void put_reports_fact(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx_match_t *m)
{
    char n[24];
    snprintf(n, sizeof n, "%u", (unsigned)m->reports);
    fidx__sbuf_printf(out, "<dt>%s</dt><dd>", T(pg, fact_reports));
    put_with_value(out, m->reports == 1 ? T(pg, reports_one) : T(pg, reports_many), n, strlen(n));
    if (m->first_seen) {
        size_t pos = 0;
        const char *t =
            m->last_seen && m->last_seen != m->first_seen ? T(pg, seen_between) : T(pg, seen_since);
        for (int a; (a = put_until_arg(out, t, &pos));)
            put_date(out, pg, a == 1 ? m->first_seen : m->last_seen);
    }
    fidx__sbuf_puts(out, "</dd>");
}

static void put_categories_fact(fidx__sbuf_t *out, const fidx__page_t *pg, uint16_t cats)
{
    if (!cats)
        return;
    fidx__sbuf_printf(out, "<dt>%s</dt><dd><ul class=\"cats\">", T(pg, fact_categories));
    for (int c = 0; c < FIDX_CAT_COUNT; c++) {
        if (!(cats & (1u << c)))
            continue;
        fidx__sbuf_puts(out, "<li>");
        put_word(out, pg, "cat_", fidx_category_name(c));
        fidx__sbuf_puts(out, "</li>");
    }
    fidx__sbuf_puts(out, "</ul></dd>");
}

static void put_sources_fact(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx_match_t *m)
{
    if (!m->n_sources)
        return;
    fidx__sbuf_printf(out, "<dt>%s</dt><dd>", T(pg, fact_sources));
    for (unsigned i = 0; i < m->n_sources && i < FIDX_MAX_SOURCES; i++) {
        char src[FIDX_MAX_SOURCE_LEN + 1];
        size_t n = m->sources[i].len < sizeof src - 1 ? m->sources[i].len : sizeof src - 1;
        memcpy(src, m->sources[i].p, n);
        src[n] = '\0';
        if (i)
            fidx__sbuf_puts(out, ", ");
        put_word(out, pg, "src_", src);
    }
    fidx__sbuf_puts(out, "</dd>");
}

/* The entry that decided, when it is not simply the value asked about (a link decided by its
 * domain, a profile link by the account). */
static void put_match_fact(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx_result_t *r)
{
    const fidx_match_t *m = &r->match;
    if (m->kind == r->kind && m->value.len == r->canonical_len &&
        memcmp(m->value.p, r->canonical, m->value.len) == 0)
        return;
    fidx__sbuf_printf(out, "<dt>%s</dt><dd><bdi class=\"value\">", T(pg, fact_match));
    fidx__html_escape(out, m->value.p, m->value.len);
    fidx__sbuf_puts(out, "</bdi> (");
    put_word(out, pg, "kind_", fidx_kind_name(m->kind));
    fidx__sbuf_puts(out, ")</dd>");
}

static void put_facts(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx_result_t *r)
{
    if (!r->has_match)
        return;
    const fidx_match_t *m = &r->match;
    fidx__sbuf_puts(out, "<dl class=\"facts\">");
    put_categories_fact(out, pg, m->categories);
    if (m->status != FIDX_STATUS_ALLOWLISTED)
        put_reports_fact(out, pg, m);
    put_sources_fact(out, pg, m);
    put_match_fact(out, pg, r);
    fidx__sbuf_puts(out, "</dl>");
}

/* The value asked about: as typed, its kind, and the form it was read as. */
static void put_checked(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx_result_t *r)
{
    fidx__sbuf_printf(out, "<p class=\"checked\">%s <bdi class=\"value\">", T(pg, checked_label));
    fidx__html_escape(out, pg->q.p, pg->q.len);
    fidx__sbuf_puts(out, "</bdi><br><span class=\"meta\">");
    put_word(out, pg, "kind_", fidx_kind_name(r->kind));
    fidx__sbuf_printf(out, " · %s <bdi class=\"value\">", T(pg, canonical_label));
    fidx__html_escape(out, r->canonical, r->canonical_len);
    fidx__sbuf_puts(out, "</bdi></span></p>");
}

static void put_report_link(fidx__sbuf_t *out, const fidx__page_t *pg, fidx_kind_t kind)
{
    fidx__sbuf_printf(out,
                      "<p class=\"actions\"><a class=\"button-link\" id=\"report-this\" "
                      "href=\"/report?kind=%s&amp;value=",
                      fidx_kind_name(kind));
    fidx__url_escape(out, pg->q.p, pg->q.len);
    put_href(out, pg, "", 0);
    fidx__sbuf_puts(out, "#report\">");
    put_with_this(out, pg, T(pg, report_this), kind);
    fidx__sbuf_puts(out, "</a></p>");
}

static void put_todo(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx_result_t *r)
{
    fidx__sbuf_printf(out, "<h3>%s</h3><ul class=\"todo\"><li>", T(pg, todo_heading));
    put_verdict_text(out, pg, "todo", r);
    fidx__sbuf_printf(out, "</li>%s</ul>", T(pg, todo_common));
}

static void slot_title(fidx__sbuf_t *out, const fidx__page_t *pg);

/* The answer's section opens with the page title page.js gives the document when it puts the
 * answer in place. */
static void open_answer(fidx__sbuf_t *out, const fidx__page_t *pg, const char *cls,
                        const char *verdict)
{
    fidx__sbuf_printf(out,
                      "<section class=\"verdict v-%s\" aria-labelledby=\"result-h\" "
                      "data-verdict=\"%s\" data-title=\"",
                      cls, verdict);
    slot_title(out, pg);
    fidx__sbuf_puts(out, "\"><h2 id=\"result-h\" tabindex=\"-1\">"
                         "<span class=\"icon\" aria-hidden=\"true\"></span>");
}

static void put_verdict(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx_result_t *r)
{
    open_answer(out, pg, verdict_key(r->verdict), fidx_verdict_name(r->verdict));
    fidx__sbuf_puts(out, "<span class=\"badge\">");
    put_verdict_text(out, pg, "badge", r);
    fidx__sbuf_puts(out, "</span> <span class=\"title\">");
    put_verdict_text(out, pg, "title", r);
    fidx__sbuf_puts(out, "</span></h2>");
    put_checked(out, pg, r);
    fidx__sbuf_puts(out, "<p class=\"explain\">");
    put_verdict_text(out, pg, "explain", r);
    fidx__sbuf_puts(out, "</p>");
    put_facts(out, pg, r);
    put_todo(out, pg, r);
    if (r->verdict != FIDX_VERDICT_SAFE)
        put_report_link(out, pg, r->kind);
    fidx__sbuf_puts(out, "</section>");
}

static void put_invalid(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    open_answer(out, pg, "invalid", "invalid");
    fidx__sbuf_printf(out, "%s</h2><p class=\"checked\">%s <bdi class=\"value\">",
                      T(pg, invalid_title), T(pg, checked_label));
    fidx__html_escape(out, pg->q.p, pg->q.len);
    fidx__sbuf_printf(out, "</bdi></p><p>%s</p><p class=\"hint\">%s <span lang=\"en\">",
                      T(pg, invalid_explain), T(pg, technical_detail));
    put_esc(out, pg->invalid);
    fidx__sbuf_puts(out, "</span></p></section>");
}

void fidx__page_render_result(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    if (pg->result)
        put_verdict(out, pg, pg->result);
    else if (pg->invalid)
        put_invalid(out, pg);
}

/* ---- the report section ---- */

static void put_report_status(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    char n[16];
    switch (pg->report) {
    case FIDX__REPORT_ACCEPTED:
        fidx__sbuf_puts(out, "<p class=\"notice ok\" role=\"status\" tabindex=\"-1\">");
        put_with_value(out, T(pg, report_ok), pg->report_id, strlen(pg->report_id));
        break;
    case FIDX__REPORT_LIMITED:
        snprintf(n, sizeof n, "%u", (pg->retry_after + 59) / 60);
        fidx__sbuf_puts(out, "<p class=\"notice error\" role=\"alert\" tabindex=\"-1\">");
        put_with_value(out, T(pg, report_limited), n, strlen(n));
        break;
    case FIDX__REPORT_UNAVAILABLE:
        fidx__sbuf_printf(out, "<p class=\"notice error\" role=\"alert\" tabindex=\"-1\">%s",
                          T(pg, report_unavailable));
        break;
    case FIDX__REPORT_INVALID:
        fidx__sbuf_printf(out, "<p class=\"notice error\" role=\"alert\" tabindex=\"-1\">%s",
                          T(pg, report_invalid));
        break;
    default:
        return;
    }
    fidx__sbuf_puts(out, "</p>");
}

/* The message next to the field a refused report was refused for. */
static void put_field_error(fidx__sbuf_t *out, const fidx__page_t *pg, fidx__field_t field,
                            const char *id)
{
    if (pg->report != FIDX__REPORT_INVALID || pg->report_error_field != field)
        return;
    fidx__sbuf_printf(out, "<span class=\"field-error\" id=\"%s-error\">%s", id,
                      field == FIDX__FIELD_VALUE ? T(pg, report_value_error)
                                                 : T(pg, report_description_error));
    if (pg->report_error) {
        fidx__sbuf_puts(out, " <span lang=\"en\">(");
        put_esc(out, pg->report_error);
        fidx__sbuf_puts(out, ")</span>");
    }
    fidx__sbuf_puts(out, "</span>");
}

static int field_in_error(const fidx__page_t *pg, fidx__field_t field)
{
    return pg->report == FIDX__REPORT_INVALID && pg->report_error_field == field;
}

/* Texts page.js shows when it sends the report itself, as data attributes of the form. */
static void put_report_data(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    static const struct {
        const char *attr, *key;
    } msgs[] = {
        {"data-msg-sending", "report_sending"},
        {"data-msg-ok", "report_ok"},
        {"data-msg-limited", "report_limited"},
        {"data-msg-invalid", "report_invalid"},
        {"data-msg-unavailable", "report_unavailable"},
        {"data-msg-value", "report_value_error"},
        {"data-msg-description", "report_description_error"},
    };
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        fidx__sbuf_printf(out, " %s=\"", msgs[i].attr);
        put_esc(out, fidx__page_text(pg->lang, msgs[i].key));
        fidx__sbuf_puts(out, "\"");
    }
}

/* ---- the template ---- */

static void slot_title(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    if (pg->result) {
        put_verdict_text(out, pg, "badge", pg->result);
        fidx__sbuf_puts(out, ": ");
        fidx__html_escape(out, pg->q.p, pg->q.len < 80 ? pg->q.len : 80);
        fidx__sbuf_puts(out, " — ");
    } else if (pg->invalid) {
        fidx__sbuf_printf(out, "%s — ", T(pg, invalid_title));
    } else if (pg->focus_report) {
        fidx__sbuf_printf(out, "%s — ", T(pg, report_heading));
    }
    fidx__sbuf_puts(out, T(pg, site_title));
}

static void slot_asset(fidx__sbuf_t *out, const char *name)
{
    const fidx__asset_t *a = fidx__asset_find(name);
    fidx__sbuf_printf(out, "/static/%s?v=%s", name, a ? a->hash : "0");
}

/* The switch to the other language keeps the question, so the answer is shown again. */
static void slot_lang_switch(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    fidx__lang_t other = pg->lang == FIDX__LANG_VI ? FIDX__LANG_EN : FIDX__LANG_VI;
    const char *code = lang_codes[other];
    int keep = pg->q.len && !pg->focus_report;
    fidx__sbuf_printf(out, "<a class=\"lang-switch\" id=\"lang-switch\" href=\"%s?",
                      keep ? "/check" : "/");
    if (keep) {
        fidx__sbuf_puts(out, "q=");
        fidx__url_escape(out, pg->q.p, pg->q.len);
        if (pg->kind != FIDX_KIND_NONE)
            fidx__sbuf_printf(out, "&amp;kind=%s", fidx_kind_name(pg->kind));
        if (pg->bank)
            fidx__sbuf_printf(out, "&amp;bank=%s", pg->bank->bin);
        fidx__sbuf_puts(out, "&amp;");
    }
    fidx__sbuf_printf(out, "lang=%s\" hreflang=\"%s\" lang=\"%s\" data-lang=\"%s\">%s</a>", code,
                      code, code, code, fidx__strings[other][FIDX__S_lang_name]);
}

/* Forms always say their language, so what they bring back is in the language they were
 * filled in (page.js reapplies a remembered language only to addresses that name none). */
static void slot_hidden_lang(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    fidx__sbuf_printf(out, "<input type=\"hidden\" name=\"lang\" value=\"%s\">",
                      lang_codes[pg->lang]);
}

static void slot_report_description_hint(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    char n[16];
    snprintf(n, sizeof n, "%d", FIDX__REPORT_TEXT_MAX_CHARS);
    put_with_value(out, T(pg, report_description_hint), n, strlen(n));
}

#define IS(lit) (len == sizeof(lit) - 1 && memcmp(name, lit, len) == 0)

/* The report form's slots ({{@report_…}}); -1 for a name it does not know. */
static int slot_report(fidx__sbuf_t *out, const fidx__page_t *pg, const char *name, size_t len)
{
    int value_err = field_in_error(pg, FIDX__FIELD_VALUE);
    int text_err = field_in_error(pg, FIDX__FIELD_DESCRIPTION);
    if (IS("report_status"))
        put_report_status(out, pg);
    else if (IS("report_data"))
        put_report_data(out, pg);
    else if (IS("report_kind_options"))
        put_kind_options(out, pg, pg->report_kind);
    else if (IS("report_bank_options"))
        put_bank_options(out, pg, pg->report_bank);
    else if (IS("report_category_options"))
        put_category_options(out, pg);
    else if (IS("report_value"))
        fidx__html_escape(out, pg->report_value.p, pg->report_value.len);
    else if (IS("report_description"))
        fidx__html_escape(out, pg->report_description.p, pg->report_description.len);
    else if (IS("report_description_hint"))
        slot_report_description_hint(out, pg);
    else if (IS("report_text_max"))
        fidx__sbuf_printf(out, "%d", FIDX__REPORT_TEXT_MAX_CHARS);
    else if (IS("report_value_error"))
        put_field_error(out, pg, FIDX__FIELD_VALUE, "r-value");
    else if (IS("report_description_error"))
        put_field_error(out, pg, FIDX__FIELD_DESCRIPTION, "r-description");
    else if (IS("report_value_describedby"))
        fidx__sbuf_puts(out, value_err ? " r-value-error" : "");
    else if (IS("report_description_describedby"))
        fidx__sbuf_puts(out, text_err ? " r-description-error" : "");
    else if (IS("report_value_invalid"))
        fidx__sbuf_puts(out, value_err ? " aria-invalid=\"true\"" : "");
    else if (IS("report_description_invalid"))
        fidx__sbuf_puts(out, text_err ? " aria-invalid=\"true\"" : "");
    else
        return -1;
    return 0;
}

/* Dispatches one {{@slot}}; -1 for a name it does not know. */
static int slot(fidx__sbuf_t *out, const fidx__page_t *pg, const char *name, size_t len)
{
    if (len > 7 && memcmp(name, "report_", 7) == 0)
        return slot_report(out, pg, name, len);
    if (IS("lang"))
        fidx__sbuf_puts(out, lang_codes[pg->lang]);
    else if (IS("lang_given")) /* page.js then keeps this language (a form said it) */
        fidx__sbuf_puts(out, pg->lang_given ? " data-lang-given" : "");
    else if (IS("title"))
        slot_title(out, pg);
    else if (IS("asset_css"))
        slot_asset(out, "page.css");
    else if (IS("asset_js"))
        slot_asset(out, "page.js");
    else if (IS("asset_icon"))
        slot_asset(out, "icon.svg");
    else if (IS("home_href"))
        put_href(out, pg, "/", 1);
    else if (IS("lang_switch"))
        slot_lang_switch(out, pg);
    else if (IS("hidden_lang"))
        slot_hidden_lang(out, pg);
    else if (IS("q"))
        fidx__html_escape(out, pg->q.p, pg->q.len);
    else if (IS("more_open"))
        fidx__sbuf_puts(out, pg->kind != FIDX_KIND_NONE || pg->bank ? " open" : "");
    else if (IS("kind_options"))
        put_kind_options(out, pg, pg->kind);
    else if (IS("bank_options"))
        put_bank_options(out, pg, pg->bank);
    else if (IS("result"))
        fidx__page_render_result(out, pg);
    else
        return -1;
    return 0;
}
#undef IS

/* One {{name}}: a text of the page's language, or a slot. Unknown names (which cmake refuses
 * at build time) render nothing. */
static void placeholder(fidx__sbuf_t *out, const fidx__page_t *pg, const char *name, size_t len)
{
    char key[64];
    if (len && name[0] == '@') {
        (void)slot(out, pg, name + 1, len - 1);
        return;
    }
    if (len >= sizeof key)
        return;
    memcpy(key, name, len);
    key[len] = '\0';
    const char *t = fidx__page_text(pg->lang, key);
    if (t)
        fidx__sbuf_puts(out, t);
}

void fidx__page_render(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    const fidx__asset_t *tpl = fidx__asset_find("page.html");
    if (!tpl)
        return;
    const char *p = (const char *)tpl->data, *end = p + tpl->len;
    while (p < end) {
        const char *open = memmem(p, (size_t)(end - p), "{{", 2);
        const char *close = open ? memmem(open + 2, (size_t)(end - open - 2), "}}", 2) : NULL;
        if (!open || !close) {
            fidx__sbuf_put(out, p, (size_t)(end - p));
            break;
        }
        fidx__sbuf_put(out, p, (size_t)(open - p));
        placeholder(out, pg, open + 2, (size_t)(close - open - 2));
        p = close + 2;
    }
}

void fidx__page_init(fidx__page_t *pg, fidx__lang_t lang)
{
    memset(pg, 0, sizeof *pg);
    pg->lang = lang;
    pg->kind = FIDX_KIND_NONE;
    pg->report_kind = FIDX_KIND_NONE;
    pg->report_category = -1;
}
