/* Warnings to the public on the citizens' page (issue 19): the current ones on the start page
 * (of the visitor's province, chosen with a plain form: no JavaScript needed), a page per
 * warning at /warnings/ID (the link to share), and an answer's related warnings. A warning's
 * texts are shown in the page's language when it has them, else in Vietnamese, marked
 * lang="vi" so that a screen reader reads them as such. Everything from a warning is escaped. */
#include <string.h>

#include "web/page_internal.h"
#include "warnings/provinces.h"

#define LIST_MAX 5 /* warnings on the start page */

static void put_esc(fidx__sbuf_t *out, const char *s)
{
    fidx__html_escape(out, s, strlen(s));
}

/* text[] of a warning in the page's language or Vietnamese; *lang_vi when Vietnamese is shown
 * on an English page. */
static const char *pick(const fidx__page_t *pg, char *const *text, int *foreign)
{
    int en = pg->lang == FIDX__LANG_EN && text[FIDX__WL_EN];
    *foreign = pg->lang == FIDX__LANG_EN && !en;
    return en ? text[FIDX__WL_EN] : text[FIDX__WL_VI];
}

static void put_text(fidx__sbuf_t *out, const fidx__page_t *pg, const char *tag, const char *cls,
                     char *const *text)
{
    int foreign;
    const char *s = pick(pg, text, &foreign);
    fidx__sbuf_printf(out, "<%s%s%s%s%s>", tag, cls ? " class=\"" : "", cls ? cls : "",
                      cls ? "\"" : "", foreign ? " lang=\"vi\"" : "");
    put_esc(out, s);
    fidx__sbuf_printf(out, "</%s>", tag);
}

static void put_link(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx__warning_t *w)
{
    char path[64];
    snprintf(path, sizeof path, "/warnings/%s", w->id);
    fidx__sbuf_puts(out, "<a href=\"");
    fidx__page_href(out, pg, path, 1);
    fidx__sbuf_puts(out, "\">");
}

static const char *province_name(const fidx__page_t *pg, int i)
{
    const fidx__province_t *p = fidx__province_at(i);
    return !p ? "" : pg->lang == FIDX__LANG_EN ? p->name_en : p->name_vi;
}

/* One line of a list: the title as a link, and when and where. */
static void put_item(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx__warning_t *w)
{
    int foreign;
    const char *title = pick(pg, w->title, &foreign);
    fidx__sbuf_printf(out, "<li class=\"w-item sev-%s\">", fidx__severity_name(w->severity));
    put_link(out, pg, w);
    fidx__sbuf_printf(out, "<span%s>", foreign ? " lang=\"vi\"" : "");
    put_esc(out, title);
    fidx__sbuf_puts(out, "</span></a> <span class=\"hint\">");
    fidx__page_moment(out, pg, w->published);
    if (w->issuer) { /* a unit's name, in Vietnamese */
        fidx__sbuf_printf(out, " · <span%s>", pg->lang == FIDX__LANG_EN ? " lang=\"vi\"" : "");
        put_esc(out, w->issuer);
        fidx__sbuf_puts(out, "</span>");
    }
    fidx__sbuf_puts(out, "</span></li>");
}

static void put_province_form(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    fidx__sbuf_printf(out,
                      "<form class=\"province\" action=\"/#warnings-h\" method=\"get\">"
                      "<input type=\"hidden\" name=\"lang\" value=\"%s\">"
                      "<label for=\"province\">%s</label> <select id=\"province\" "
                      "name=\"province\"><option value=\"\">%s</option>",
                      fidx__lang_codes[pg->lang], T(pg, province_label), T(pg, province_all));
    for (int i = 0; i < FIDX__PROVINCE_COUNT; i++) {
        fidx__sbuf_printf(out, "<option value=\"%s\"%s>", fidx__province_at(i)->code,
                          pg->province == i ? " selected" : "");
        put_esc(out, province_name(pg, i));
        fidx__sbuf_puts(out, "</option>");
    }
    fidx__sbuf_printf(out, "</select> <button type=\"submit\">%s</button></form>",
                      T(pg, province_button));
}

void fidx__page_warnings_list(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    const fidx__warnings_view_t *v = pg->warnings;
    if (!v || pg->result || pg->message || pg->invalid || pg->focus_report || pg->warning >= 0 ||
        pg->warning_missing)
        return;
    fidx__sbuf_puts(out, "<section id=\"warnings\" class=\"card warnings\" "
                         "aria-labelledby=\"warnings-h\"><h2 id=\"warnings-h\" tabindex=\"-1\">");
    if (pg->province >= 0) {
        const char *name = province_name(pg, pg->province);
        fidx__page_with_values(out, T(pg, warnings_heading_in), name, strlen(name), NULL, 0);
    } else {
        fidx__sbuf_puts(out, T(pg, warnings_heading));
    }
    fidx__sbuf_puts(out, "</h2>");
    size_t n = 0;
    for (size_t i = 0; i < v->n && n < LIST_MAX; i++) {
        const fidx__warning_t *w = &v->w[i];
        if (!fidx__warning_current(w, pg->now) ||
            (pg->province >= 0 && !fidx__warning_in_region(w, pg->province)))
            continue;
        fidx__sbuf_puts(out, n++ ? "" : "<ul class=\"w-list\">");
        put_item(out, pg, w);
    }
    fidx__sbuf_puts(out, n ? "</ul>" : "");
    if (!n)
        fidx__sbuf_printf(out, "<p>%s</p>", T(pg, warnings_none));
    put_province_form(out, pg);
    const fidx__province_t *p = fidx__province_at(pg->province);
    fidx__sbuf_printf(out, "<p class=\"hint\"><a href=\"/warnings%s%s.atom\">%s</a></p></section>",
                      p ? "/" : "", p ? p->code : "", T(pg, warnings_feed));
}

void fidx__page_warnings_related(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    if (!pg->warnings || !pg->n_related)
        return;
    fidx__sbuf_printf(out,
                      "<div class=\"related\"><h3 id=\"related-h\">%s</h3>"
                      "<ul class=\"w-list\" aria-labelledby=\"related-h\">",
                      T(pg, related_heading));
    for (size_t i = 0; i < pg->n_related; i++)
        put_item(out, pg, &pg->warnings->w[pg->related[i]]);
    fidx__sbuf_puts(out, "</ul></div>");
}

void fidx__page_warnings_title(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    int foreign;
    if (pg->warning_missing)
        fidx__sbuf_printf(out, "%s — ", T(pg, warning_missing_title));
    if (pg->warning < 0 || !pg->warnings)
        return;
    put_esc(out, pick(pg, pg->warnings->w[pg->warning].title, &foreign));
    fidx__sbuf_puts(out, " — ");
}

/* ---- a warning's own page ---- */

static void put_fact(fidx__sbuf_t *out, const char *text, const char *v)
{
    fidx__sbuf_puts(out, "<li>");
    fidx__page_with_values(out, text, v, strlen(v), NULL, 0);
    fidx__sbuf_puts(out, "</li>");
}

static void put_regions(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx__warning_t *w)
{
    fidx__sbuf_t names;
    fidx__sbuf_init(&names, 4096);
    if (w->national)
        fidx__sbuf_puts(&names, T(pg, province_all));
    for (int i = 0, n = 0; i < FIDX__PROVINCE_COUNT; i++)
        if (w->regions & (1ull << i)) {
            fidx__sbuf_puts(&names, n++ ? ", " : "");
            fidx__sbuf_puts(&names, province_name(pg, i));
        }
    fidx__sbuf_puts(&names, "");
    if (!names.failed && names.len) {
        fidx__sbuf_puts(out, "<li>");
        fidx__page_with_values(out, T(pg, warning_regions), names.p, names.len, NULL, 0);
        fidx__sbuf_puts(out, "</li>");
    }
    fidx__sbuf_free(&names);
}

static void put_facts(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx__warning_t *w)
{
    fidx__sbuf_puts(out, "<ul class=\"facts\"><li>");
    size_t pos = 0;
    for (const char *t = T(pg, warning_published_at); fidx__page_until_arg(out, t, &pos);)
        fidx__page_moment(out, pg, w->published);
    fidx__sbuf_puts(out, "</li>");
    if (w->issuer)
        put_fact(out, T(pg, warning_issued_by), w->issuer);
    put_regions(out, pg, w);
    if (w->valid_until) {
        fidx__sbuf_puts(out, "<li>");
        pos = 0;
        for (const char *t = T(pg, warning_valid_until); fidx__page_until_arg(out, t, &pos);)
            fidx__page_moment(out, pg, w->valid_until);
        fidx__sbuf_puts(out, "</li>");
    }
    if (w->category >= 0) {
        fidx__sbuf_puts(out, "<li>");
        fidx__page_word(out, pg, "cat_", fidx_category_name(w->category));
        fidx__sbuf_puts(out, "</li>");
    }
    fidx__sbuf_printf(out, "<li>%s</li></ul>",
                      w->severity == FIDX__SEVERITY_HIGH     ? T(pg, sev_high)
                      : w->severity == FIDX__SEVERITY_MEDIUM ? T(pg, sev_medium)
                                                             : T(pg, sev_low));
}

/* The example indicators, each in plain words with a link that checks it now. */
static void put_indicators(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx__warning_t *w)
{
    if (!w->n_ind)
        return;
    fidx__sbuf_printf(out, "<h2>%s</h2><ul class=\"w-ind\">", T(pg, warning_indicators));
    for (size_t i = 0; i < w->n_ind; i++) {
        fidx__sbuf_puts(out, "<li><span class=\"value\">");
        fidx__page_plain_value(out, pg, w->ind[i].kind, w->ind[i].value, w->ind[i].len);
        fidx__sbuf_puts(out, "</span> <a href=\"/check?q=");
        fidx__url_escape(out, w->ind[i].value, w->ind[i].len);
        fidx__sbuf_printf(out, "&amp;kind=%s", fidx_kind_name(w->ind[i].kind));
        if (pg->lang_given || pg->lang != FIDX__LANG_VI)
            fidx__sbuf_printf(out, "&amp;lang=%s", fidx__lang_codes[pg->lang]);
        fidx__sbuf_printf(out, "#result\">%s</a></li>", T(pg, warning_check_link));
    }
    fidx__sbuf_puts(out, "</ul>");
}

static void put_article(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx__warning_t *w)
{
    fidx__sbuf_printf(out, "<article class=\"card warning sev-%s\" aria-labelledby=\"main-h\">",
                      fidx__severity_name(w->severity));
    if (w->state == FIDX__WARNING_RETRACTED) {
        fidx__sbuf_puts(out, "<p class=\"notice error\" role=\"status\">");
        const char *reason = w->reason ? w->reason : "";
        fidx__page_with_values(out, T(pg, warning_retracted), reason, strlen(reason), NULL, 0);
        fidx__sbuf_puts(out, "</p>");
    } else if (!fidx__warning_current(w, pg->now)) {
        fidx__sbuf_printf(out, "<p class=\"notice\" role=\"status\">%s</p>",
                          T(pg, warning_expired));
    }
    put_facts(out, pg, w);
    put_text(out, pg, "p", "w-text", w->text);
    if (w->advice[FIDX__WL_VI]) {
        fidx__sbuf_printf(out, "<h2>%s</h2>", T(pg, warning_advice));
        put_text(out, pg, "p", "w-text", w->advice);
    }
    put_indicators(out, pg, w);
    fidx__sbuf_puts(out, "<p><a href=\"");
    fidx__page_href(out, pg, "/", 1);
    fidx__sbuf_printf(out, "#warnings-h\">%s</a></p></article>", T(pg, warning_all_link));
}

void fidx__page_warnings_top(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    if (pg->warning_missing) {
        fidx__sbuf_printf(out, "<h1 id=\"main-h\">%s</h1><p class=\"lead\">%s <a href=\"",
                          T(pg, warning_missing_title), T(pg, warning_missing));
        fidx__page_href(out, pg, "/", 1);
        fidx__sbuf_printf(out, "#warnings-h\">%s</a></p>", T(pg, warning_all_link));
        return;
    }
    if (pg->warning < 0 || !pg->warnings) {
        fidx__sbuf_printf(out, "<h1>%s</h1><p class=\"lead\">%s</p>", T(pg, heading), T(pg, lead));
        return;
    }
    const fidx__warning_t *w = &pg->warnings->w[pg->warning];
    int foreign;
    const char *title = pick(pg, w->title, &foreign);
    fidx__sbuf_printf(out, "<h1 id=\"main-h\"%s>", foreign ? " lang=\"vi\"" : "");
    put_esc(out, title);
    fidx__sbuf_puts(out, "</h1>");
    put_article(out, pg, w);
}
