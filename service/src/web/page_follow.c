/* What follows a report on the page (page_internal.h): the page that says what became of a
 * report (GET /report/ID: pending, approved or rejected and the day), and the form with which
 * someone says a listed value is theirs and listed by mistake (GET and POST /dispute: what,
 * why, and optionally how to reach them), with its outcome. Both take an answer's place under
 * the check form, and their heading takes the focus as an answer's does. */
#include <stdio.h>
#include <string.h>

#include "web/page_internal.h"

static const char *state_key(fidx__follow_t f)
{
    switch (f) {
    case FIDX__FOLLOW_PENDING:
        return "pending";
    case FIDX__FOLLOW_APPROVED:
        return "approved";
    case FIDX__FOLLOW_REJECTED:
        return "rejected";
    default:
        return "unknown";
    }
}

static const char *text(const fidx__page_t *pg, const char *fmt, const char *a, const char *b)
{
    char name[64];
    snprintf(name, sizeof name, fmt, a, b);
    const char *t = fidx__page_text(pg->lang, name);
    return t ? t : "";
}

static void open_section(fidx__sbuf_t *out, const fidx__page_t *pg, const char *what,
                         const char *state)
{
    fidx__sbuf_printf(out,
                      "<section class=\"verdict follow f-%s\" aria-labelledby=\"result-h\" "
                      "data-follow=\"%s\" data-state=\"%s\"><h2 id=\"result-h\" tabindex=\"-1\""
                      "%s>",
                      state, what, state, pg->answer_focus ? " autofocus" : "");
}

/* ---- a report's status ---- */

static void put_fact_day(fidx__sbuf_t *out, const fidx__page_t *pg, const char *name, int64_t t)
{
    fidx__sbuf_printf(out, "<dt>%s</dt><dd>", name);
    fidx__page_day_at(out, pg, t);
    fidx__sbuf_puts(out, "</dd>");
}

static void put_status_facts(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    fidx__sbuf_printf(out, "<dl class=\"facts\"><dt>%s</dt><dd><bdi class=\"value\">",
                      T(pg, follow_code));
    fidx__html_escape(out, pg->follow_id, strlen(pg->follow_id));
    fidx__sbuf_printf(out, "</bdi></dd><dt>%s</dt><dd><span class=\"kind\">", T(pg, follow_about));
    fidx__page_word(out, pg, "kind_", fidx_kind_name(pg->follow_kind));
    fidx__sbuf_puts(out, "</span> <bdi class=\"value\">");
    fidx__page_plain_value(out, pg, pg->follow_kind, pg->follow_value.p, pg->follow_value.len);
    fidx__sbuf_puts(out, "</bdi></dd>");
    put_fact_day(out, pg, T(pg, follow_sent), pg->follow_sent);
    if (pg->follow != FIDX__FOLLOW_PENDING)
        put_fact_day(out, pg, T(pg, follow_decided), pg->follow_decided);
    fidx__sbuf_puts(out, "</dl>");
}

static void put_status(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    const char *st = state_key(pg->follow);
    open_section(out, pg, "status", st);
    if (pg->follow == FIDX__FOLLOW_UNKNOWN) {
        fidx__sbuf_printf(out, "<span class=\"title\">%s</span></h2><p class=\"explain\">%s</p>",
                          T(pg, follow_unknown_title), T(pg, follow_unknown_explain));
        fidx__sbuf_puts(out, "</section>");
        return;
    }
    const char *type = pg->follow_dispute ? "dispute" : "scam";
    fidx__sbuf_printf(out, "<span class=\"badge\">%s</span> <span class=\"title\">%s</span></h2>",
                      text(pg, "follow_%s_badge", st, ""), text(pg, "follow_title_%s", type, ""));
    fidx__sbuf_puts(out, "<p class=\"explain\">");
    const char *t = text(pg, "follow_%s_explain%s", st, pg->follow_dispute ? "_dispute" : "");
    size_t pos = 0;
    while (fidx__page_until_arg(out, t, &pos))
        fidx__page_day_at(out, pg, pg->follow_decided);
    fidx__sbuf_puts(out, "</p>");
    put_status_facts(out, pg);
    fidx__sbuf_puts(out, "</section>");
}

/* ---- the dispute form ---- */

static void put_dispute_status(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    char n[16];
    const char *alert = "<p class=\"notice error\" role=\"alert\">";
    switch (pg->dispute_view) {
    case FIDX__REPORT_ACCEPTED:
        fidx__sbuf_puts(out, "<p class=\"notice ok\" role=\"status\">");
        fidx__page_with_code(out, pg, T(pg, dispute_ok), pg->dispute_id);
        break;
    case FIDX__REPORT_LIMITED:
        snprintf(n, sizeof n, "%u", (pg->retry_after + 59) / 60);
        fidx__sbuf_puts(out, alert);
        fidx__page_with_values(out, T(pg, report_limited), n, strlen(n), NULL, 0);
        break;
    case FIDX__REPORT_UNAVAILABLE:
        fidx__sbuf_printf(out, "%s%s", alert, T(pg, report_unavailable));
        break;
    case FIDX__REPORT_INVALID:
        fidx__sbuf_printf(out, "%s%s", alert, T(pg, report_invalid));
        break;
    default:
        return;
    }
    fidx__sbuf_puts(out, "</p>");
}

static int in_error(const fidx__page_t *pg, fidx__field_t field)
{
    return pg->dispute_view == FIDX__REPORT_INVALID && pg->dispute_error_field == field;
}

/* One field of the dispute form: its label, hint and error (tied to it with
 * aria-describedby), and the control with the value as sent. */
typedef struct {
    const char *id, *name, *label, *hint, *error; /* hint may be NULL; {1} is max */
    fidx__field_t field;
    int textarea, required, max;
    fidx_str_t value;
} field_t;

static void put_field(fidx__sbuf_t *out, const fidx__page_t *pg, const field_t *f)
{
    char n[16];
    int bad = in_error(pg, f->field);
    snprintf(n, sizeof n, "%d", f->max);
    fidx__sbuf_printf(out, "<p class=\"field\"><label for=\"%s\">%s</label>", f->id, f->label);
    if (f->hint) {
        fidx__sbuf_printf(out, "<span class=\"hint\" id=\"%s-hint\">", f->id);
        fidx__page_with_values(out, f->hint, n, strlen(n), NULL, 0);
        fidx__sbuf_puts(out, "</span>");
    }
    if (bad) {
        fidx__sbuf_printf(out, "<span class=\"field-error\" id=\"%s-error\">%s", f->id, f->error);
        if (pg->dispute_error && pg->lang == FIDX__LANG_EN) { /* the checks' words are English */
            fidx__sbuf_puts(out, " (");
            fidx__html_escape(out, pg->dispute_error, strlen(pg->dispute_error));
            fidx__sbuf_puts(out, ")");
        }
        fidx__sbuf_puts(out, "</span>");
    }
    fidx__sbuf_printf(out, "<%s id=\"%s\" name=\"%s\" maxlength=\"%s\"%s",
                      f->textarea ? "textarea rows=\"4\"" : "input type=\"text\"", f->id, f->name,
                      n, f->required ? " required" : "");
    if (f->hint || bad) {
        fidx__sbuf_puts(out, " aria-describedby=\"");
        if (f->hint)
            fidx__sbuf_printf(out, "%s-hint", f->id);
        if (bad)
            fidx__sbuf_printf(out, "%s%s-error", f->hint ? " " : "", f->id);
        fidx__sbuf_puts(out, "\"");
    }
    if (bad)
        fidx__sbuf_puts(out, " aria-invalid=\"true\"");
    if (f->textarea) {
        fidx__sbuf_puts(out, ">");
        fidx__html_escape(out, f->value.p, f->value.len);
        fidx__sbuf_puts(out, "</textarea></p>");
    } else {
        fidx__sbuf_puts(out, " autocomplete=\"off\" spellcheck=\"false\" value=\"");
        fidx__html_escape(out, f->value.p, f->value.len);
        fidx__sbuf_puts(out, "\"></p>");
    }
}

static void put_hidden(fidx__sbuf_t *out, const char *name, const char *value)
{
    fidx__sbuf_printf(out, "<input type=\"hidden\" name=\"%s\" value=\"", name);
    fidx__html_escape(out, value, strlen(value));
    fidx__sbuf_puts(out, "\">");
}

static void put_dispute_form(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    const field_t fields[] = {
        {"d-value", "value", T(pg, dispute_value_label), NULL, T(pg, report_value_error),
         FIDX__FIELD_VALUE, 0, 1, FIDX_MAX_VALUE_LEN, pg->dispute_value},
        {"d-why", "description", T(pg, dispute_why_label), T(pg, dispute_why_hint),
         T(pg, dispute_why_error), FIDX__FIELD_DESCRIPTION, 1, 1, FIDX__REPORT_TEXT_MAX_CHARS,
         pg->dispute_why},
        {"d-contact", "contact", T(pg, dispute_contact_label), T(pg, dispute_contact_hint),
         T(pg, dispute_contact_error), FIDX__FIELD_CONTACT, 0, 0, FIDX__DISPUTE_CONTACT_MAX,
         pg->dispute_contact},
    };
    fidx__sbuf_puts(out, "<form id=\"dispute-form\" action=\"/dispute\" method=\"post\" "
                         "novalidate>");
    put_hidden(out, "lang", fidx__lang_codes[pg->lang]);
    if (pg->dispute_kind != FIDX_KIND_NONE)
        put_hidden(out, "kind", fidx_kind_name(pg->dispute_kind));
    if (pg->dispute_bank)
        put_hidden(out, "bank", pg->dispute_bank->bin);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        put_field(out, pg, &fields[i]);
    fidx__sbuf_printf(out,
                      "<button type=\"submit\" class=\"primary\">%s</button>"
                      "<p class=\"hint\">%s</p></form>",
                      T(pg, dispute_button), T(pg, dispute_privacy));
}

static void put_dispute(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    const char *st = pg->dispute_view == FIDX__REPORT_ACCEPTED ? "sent" : "form";
    open_section(out, pg, "dispute", st);
    fidx__sbuf_printf(out, "<span class=\"title\">%s</span></h2><p>%s</p>", T(pg, dispute_heading),
                      T(pg, dispute_intro));
    fidx__sbuf_puts(out, "<div id=\"dispute-status\">");
    put_dispute_status(out, pg);
    fidx__sbuf_puts(out, "</div>");
    if (pg->dispute_view != FIDX__REPORT_ACCEPTED)
        put_dispute_form(out, pg);
    fidx__sbuf_puts(out, "</section>");
}

void fidx__page_follow_render(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    if (pg->follow != FIDX__FOLLOW_NONE)
        put_status(out, pg);
    else if (pg->dispute)
        put_dispute(out, pg);
}
