/* The citizens' page rendered on the server (see page_render.h): the template service/web/
 * page.html with {{key}} (a text of the page's language, trusted HTML from
 * service/web/strings/) and {{@slot}} (filled here from the request, escaped): the forms, the
 * answer (page_answer.c), the report section, and who runs the page and how fresh its data
 * is. The same code answers the page without JavaScript and the fragments page.js puts in
 * place, so both say exactly the same thing. */
#include "web/page_render.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fidx/indicator.h"
#include "web/page_internal.h"
#include "web/web_assets.h"

static void put_esc(fidx__sbuf_t *out, const char *s)
{
    fidx__html_escape(out, s, strlen(s));
}

/* A text whose only placeholder {1} is an escaped value. */
static void put_with_value(fidx__sbuf_t *out, const char *text, const char *v, size_t vlen)
{
    fidx__page_with_values(out, text, v, vlen, NULL, 0);
}

#define put_word fidx__page_word

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

/* How the scammer came: the channels POST /v1/reports takes. */
static const char *const channels[] = {"call",     "sms", "zalo", "facebook",
                                       "telegram", "web", "other"};

static void put_channel_options(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    fidx__sbuf_printf(out, "<option value=\"\">%s</option>", T(pg, channel_none));
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++) {
        fidx__sbuf_printf(out, "<option value=\"%s\"", channels[i]);
        put_selected(out, fidx_str_eq(pg->report_channel, channels[i]));
        fidx__sbuf_puts(out, ">");
        put_word(out, pg, "channel_", channels[i]);
        fidx__sbuf_puts(out, "</option>");
    }
}

/* ---- the report section ---- */

static void put_report_status(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    char n[16];
    switch (pg->report) {
    case FIDX__REPORT_ACCEPTED:
        fidx__sbuf_puts(out, "<p class=\"notice ok\" role=\"status\" tabindex=\"-1\">");
        fidx__page_with_code(out, pg, T(pg, report_ok), pg->report_id);
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

/* The page's words for a refused field of the report form. */
static const char *field_words(const fidx__page_t *pg, fidx__field_t field)
{
    switch (field) {
    case FIDX__FIELD_VALUE:
        return T(pg, report_value_error);
    case FIDX__FIELD_CHANNEL:
        return T(pg, report_channel_error);
    case FIDX__FIELD_DATE:
        return T(pg, report_date_error);
    case FIDX__FIELD_AMOUNT:
        return T(pg, report_amount_error);
    default:
        return T(pg, report_description_error);
    }
}

/* The message next to the field a refused report was refused for. */
static void put_field_error(fidx__sbuf_t *out, const fidx__page_t *pg, fidx__field_t field,
                            const char *id)
{
    if (pg->report != FIDX__REPORT_INVALID || pg->report_error_field != field)
        return;
    fidx__sbuf_printf(out, "<span class=\"field-error\" id=\"%s-error\">%s", id,
                      field_words(pg, field));
    if (pg->report_error && pg->lang == FIDX__LANG_EN) { /* the checks' words are English */
        fidx__sbuf_puts(out, " (");
        put_esc(out, pg->report_error);
        fidx__sbuf_puts(out, ")");
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
        {"data-msg-channel", "report_channel_error"},
        {"data-msg-date", "report_date_error"},
        {"data-msg-amount", "report_amount_error"},
    };
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        fidx__sbuf_printf(out, " %s=\"", msgs[i].attr);
        put_esc(out, fidx__page_text(pg->lang, msgs[i].key));
        fidx__sbuf_puts(out, "\"");
    }
}

/* ---- the template ---- */

static void slot_asset(fidx__sbuf_t *out, const char *name)
{
    const fidx__asset_t *a = fidx__asset_find(name);
    fidx__sbuf_printf(out, "/static/%s?v=%s", name, a ? a->hash : "0");
}

/* The address of what a page shows besides a check: a report's status, the dispute form
 * (as first asked for). 0 when it shows neither. */
static int follow_address(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    if (pg->follow != FIDX__FOLLOW_NONE && pg->follow_id) {
        fidx__sbuf_puts(out, "/report/");
        fidx__url_escape(out, pg->follow_id, strlen(pg->follow_id));
        fidx__sbuf_puts(out, "?");
        return 1;
    }
    if (!pg->dispute || pg->dispute_view == FIDX__REPORT_ACCEPTED)
        return 0;
    fidx__sbuf_puts(out, "/dispute?");
    if (pg->dispute_kind != FIDX_KIND_NONE)
        fidx__sbuf_printf(out, "kind=%s&amp;", fidx_kind_name(pg->dispute_kind));
    if (pg->dispute_bank)
        fidx__sbuf_printf(out, "bank=%s&amp;", pg->dispute_bank->bin);
    fidx__sbuf_puts(out, "value=");
    fidx__url_escape(out, pg->dispute_value.p, pg->dispute_value.len);
    fidx__sbuf_puts(out, "&amp;");
    return 1;
}

/* The switch to the other language keeps the question, so the answer is shown again. */
static void slot_lang_switch(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    fidx__lang_t other = pg->lang == FIDX__LANG_VI ? FIDX__LANG_EN : FIDX__LANG_VI;
    const char *code = fidx__lang_codes[other];
    int keep = pg->q.len && !pg->focus_report;
    fidx__sbuf_puts(out, "<a class=\"lang-switch\" id=\"lang-switch\" href=\"");
    if (!follow_address(out, pg))
        fidx__sbuf_puts(out, keep ? "/check?" : "/?");
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
                      fidx__lang_codes[pg->lang]);
}

static void slot_report_description_hint(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    char n[16];
    snprintf(n, sizeof n, "%d", FIDX__REPORT_TEXT_MAX_CHARS);
    put_with_value(out, T(pg, report_description_hint), n, strlen(n));
}

/* Who runs the page (--operator-name, --operator-url): the name, linked to the address. */
static void slot_operator(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    if (!pg->operator_name.len && !pg->operator_url.len)
        return;
    fidx__sbuf_puts(out, "<p class=\"operator\">");
    size_t pos = 0;
    for (const char *t = T(pg, operator_runs); fidx__page_until_arg(out, t, &pos);) {
        fidx_str_t name = pg->operator_name.len ? pg->operator_name : pg->operator_url;
        if (pg->operator_url.len) {
            fidx__sbuf_puts(out, "<a href=\"");
            fidx__html_escape(out, pg->operator_url.p, pg->operator_url.len);
            fidx__sbuf_puts(out, "\" rel=\"noopener\">");
        }
        fidx__html_escape(out, name.p, name.len);
        if (pg->operator_url.len)
            fidx__sbuf_puts(out, "</a>");
    }
    fidx__sbuf_puts(out, "</p>");
}

#define IS(lit) (len == sizeof(lit) - 1 && memcmp(name, lit, len) == 0)

/* The optional details' fields ({{@report_channel_…}}, date, amount): the error before the
 * field, and its attributes (aria-describedby, aria-invalid). -1 for a name it does not know. */
static int slot_report_extra(fidx__sbuf_t *out, const fidx__page_t *pg, const char *name,
                             size_t len)
{
    static const struct {
        const char *field, *id;
        fidx__field_t which;
    } extras[] = {
        {"channel", "r-channel", FIDX__FIELD_CHANNEL},
        {"date", "r-date", FIDX__FIELD_DATE},
        {"amount", "r-amount", FIDX__FIELD_AMOUNT},
    };
    for (size_t i = 0; i < sizeof extras / sizeof extras[0]; i++) {
        size_t n = strlen(extras[i].field);
        if (len <= n || memcmp(name, extras[i].field, n) != 0 || name[n] != '_')
            continue;
        name += n + 1;
        len -= n + 1;
        if (IS("error"))
            put_field_error(out, pg, extras[i].which, extras[i].id);
        else if (IS("attrs") && field_in_error(pg, extras[i].which))
            fidx__sbuf_printf(out, " aria-describedby=\"%s-error\" aria-invalid=\"true\"",
                              extras[i].id);
        else if (!IS("attrs"))
            return -1;
        return 0;
    }
    return -1;
}

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
    else if (IS("report_channel_options"))
        put_channel_options(out, pg);
    else if (IS("report_date"))
        fidx__html_escape(out, pg->report_date.p, pg->report_date.len);
    else if (IS("report_amount"))
        fidx__html_escape(out, pg->report_amount.p, pg->report_amount.len);
    else
        return slot_report_extra(out, pg, name + 7, len - 7);
    return 0;
}

/* Dispatches one {{@slot}}; -1 for a name it does not know. */
static int slot(fidx__sbuf_t *out, const fidx__page_t *pg, const char *name, size_t len)
{
    if (len > 7 && memcmp(name, "report_", 7) == 0)
        return slot_report(out, pg, name, len);
    if (IS("lang"))
        fidx__sbuf_puts(out, fidx__lang_codes[pg->lang]);
    else if (IS("lang_given")) /* page.js then keeps this language (a form said it) */
        fidx__sbuf_puts(out, pg->lang_given ? " data-lang-given" : "");
    else if (IS("title"))
        fidx__page_title(out, pg);
    else if (IS("asset_css"))
        slot_asset(out, "page.css");
    else if (IS("asset_js"))
        slot_asset(out, "page.js");
    else if (IS("asset_icon"))
        slot_asset(out, "icon.svg");
    else if (IS("home_href"))
        fidx__page_href(out, pg, "/", 1);
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
    else if (IS("result") && pg->image)
        fidx__page_image_render(out, pg);
    else if (IS("result") && (pg->follow != FIDX__FOLLOW_NONE || pg->dispute))
        fidx__page_follow_render(out, pg);
    else if (IS("result"))
        fidx__page_render_result(out, pg);
    else if (IS("operator"))
        slot_operator(out, pg);
    else if (IS("data_time"))
        fidx__page_data_time(out, pg);
    else if (IS("top"))
        fidx__page_warnings_top(out, pg);
    else if (IS("warnings"))
        fidx__page_warnings_list(out, pg);
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
    pg->province = -1;
    pg->warning = -1;
}
