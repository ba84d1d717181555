/* The page's answers (page_render.h): one value's verdict explained, a whole message's, or why
 * a value could not be read. Each says first, in plain words, what it is and what to do; the
 * technical details (the canonical form, the entry that matched, how a look-alike was
 * recognised, the normaliser's own reason) are behind a "details" disclosure. The same code
 * renders the whole page and the fragment page.js puts in place, so both say the same. */
#include <stdio.h>
#include <string.h>

#include "web/page_internal.h"

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

static fidx__reason_t reason_of(const fidx_result_t *r)
{
    if (!r->has_lookalike)
        return FIDX__REASON_NONE;
    return r->lookalike.rule == FIDX_LOOKALIKE_SHORTENER ? FIDX__REASON_SHORTENER
                                                         : FIDX__REASON_IMITATES;
}

/* The texts' key for an answer: its verdict, or how a look-alike or shortener was told. */
static const char *answer_key(fidx_verdict_t v, fidx__reason_t why)
{
    return why == FIDX__REASON_IMITATES    ? "imitates"
           : why == FIDX__REASON_SHORTENER ? "shortener"
                                           : verdict_key(v);
}

/* The texts' key for a result: answer_key, but a scam only the community vouches for has
 * words of its own (never worded as verified by the police: issue 13). */
static const char *result_key(const fidx_result_t *r)
{
    fidx__reason_t why = reason_of(r);
    if (why == FIDX__REASON_NONE && r->verdict == FIDX_VERDICT_SCAM && r->has_match &&
        fidx__page_community_only(&r->match))
        return "scam_community";
    return answer_key(r->verdict, why);
}

/* The same for a value found in a message. */
static const char *found_key(const fidx__page_found_t *f)
{
    return f->community ? "scam_community" : answer_key(f->verdict, f->reason);
}

/* The message's texts' key: its verdict's, but a scam that only the community vouches for (no
 * scam value in it verified by more) is never worded as verified. */
static const char *message_key(const fidx__page_message_t *m)
{
    if (m->verdict == FIDX_VERDICT_SCAM && !m->verified)
        return "scam_community";
    return verdict_key(m->verdict);
}

/* text with {1} "this <kind>" ("số điện thoại này") and {2} an escaped value. */
static void put_text(fidx__sbuf_t *out, const fidx__page_t *pg, const char *text, fidx_kind_t kind,
                     const char *v, size_t vlen)
{
    size_t pos = 0;
    for (int a; text && (a = fidx__page_until_arg(out, text, &pos));) {
        if (a == 1)
            fidx__page_word(out, pg, "this_",
                            kind == FIDX_KIND_NONE ? "message" : fidx_kind_name(kind));
        else if (a == 2 && v)
            fidx__html_escape(out, v, vlen);
    }
}

/* The text "verdict_<key>_<what>" (badge, title, explain, todo). */
static void put_answer_text(fidx__sbuf_t *out, const fidx__page_t *pg, const char *key,
                            const char *what, fidx_kind_t kind, const char *v, size_t vlen)
{
    char name[48];
    snprintf(name, sizeof name, "verdict_%s_%s", key, what);
    put_text(out, pg, fidx__page_text(pg->lang, name), kind, v, vlen);
}

/* An imitated site's value as people type it: "tpb.vn/" is the site tpb.vn. */
static fidx_str_t site_of(fidx_str_t v)
{
    if (v.len > 1 && v.p[v.len - 1] == '/')
        v.len--;
    return v;
}

/* ---- the title, and when the data was updated ---- */

void fidx__page_title(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    if (pg->result) {
        const fidx_result_t *r = pg->result;
        put_answer_text(out, pg, result_key(r), "badge", r->kind, NULL, 0);
        fidx__sbuf_puts(out, ": ");
        fidx__html_escape(out, pg->q.p, pg->q.len < 80 ? pg->q.len : 80);
        fidx__sbuf_puts(out, " — ");
    } else if (pg->message) {
        put_answer_text(out, pg, message_key(pg->message), "badge", FIDX_KIND_NONE, NULL, 0);
        fidx__sbuf_printf(out, ": %s — ", T(pg, msg_word));
    } else if (pg->invalid) {
        fidx__sbuf_printf(out, "%s — ", T(pg, invalid_title));
    } else if (pg->image) {
        fidx__sbuf_printf(out, "%s — ", T(pg, image_heading));
    } else if (pg->follow != FIDX__FOLLOW_NONE) {
        fidx__sbuf_printf(out, "%s — ", T(pg, follow_heading));
    } else if (pg->dispute) {
        fidx__sbuf_printf(out, "%s — ", T(pg, dispute_heading));
    } else if (pg->focus_report) {
        fidx__sbuf_printf(out, "%s — ", T(pg, report_heading));
    } else {
        fidx__page_warnings_title(out, pg);
    }
    fidx__sbuf_puts(out, T(pg, site_title));
}

void fidx__page_data_time(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    int64_t newest = pg->data_changed > pg->data_built ? pg->data_changed : pg->data_built;
    if (newest <= 0)
        return;
    size_t pos = 0;
    const char *t = T(pg, data_updated);
    while (fidx__page_until_arg(out, t, &pos))
        fidx__page_moment(out, pg, newest);
    if (pg->data_built <= 0 || pg->data_changed <= 0)
        return;
    fidx__sbuf_puts(out, " ");
    pos = 0;
    t = T(pg, data_updated_both);
    for (int a; (a = fidx__page_until_arg(out, t, &pos));)
        fidx__page_moment(out, pg, a == 1 ? pg->data_built : pg->data_changed);
}

/* ---- facts ---- */

static void put_reports_fact(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx_match_t *m)
{
    char n[24];
    snprintf(n, sizeof n, "%u", (unsigned)m->reports);
    fidx__sbuf_printf(out, "<dt>%s</dt><dd>", T(pg, fact_reports));
    fidx__page_with_values(out, m->reports == 1 ? T(pg, reports_one) : T(pg, reports_many), n,
                           strlen(n), NULL, 0);
    if (m->first_seen) {
        size_t pos = 0;
        const char *t =
            m->last_seen && m->last_seen != m->first_seen ? T(pg, seen_between) : T(pg, seen_since);
        for (int a; (a = fidx__page_until_arg(out, t, &pos));)
            fidx__page_date(out, pg, a == 1 ? m->first_seen : m->last_seen);
    }
    fidx__sbuf_puts(out, "</dd>");
}

static void put_categories(fidx__sbuf_t *out, const fidx__page_t *pg, uint16_t cats,
                           const char *tag, const char *item)
{
    fidx__sbuf_printf(out, "<%s class=\"cats\">", tag);
    for (int c = 0; c < FIDX_CAT_COUNT; c++) {
        if (!(cats & (1u << c)))
            continue;
        fidx__sbuf_printf(out, "<%s>", item);
        fidx__page_word(out, pg, "cat_", fidx_category_name(c));
        fidx__sbuf_printf(out, "</%s>", item);
    }
    fidx__sbuf_printf(out, "</%s>", tag);
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
        fidx__page_word(out, pg, "src_", src);
    }
    fidx__sbuf_puts(out, "</dd>");
}

/* The real site a look-alike imitates, named by its label when it has one. */
static void put_real_site(fidx__sbuf_t *out, const fidx__page_t *pg, fidx_str_t site,
                          fidx_str_t label)
{
    fidx__sbuf_printf(out, "<dt>%s</dt><dd><bdi class=\"value\">", T(pg, fact_real_site));
    fidx__html_escape(out, site.p, site.len);
    fidx__sbuf_puts(out, "</bdi>");
    if (label.len) {
        fidx__sbuf_puts(out, " — ");
        fidx__html_escape(out, label.p, label.len);
    }
    fidx__sbuf_puts(out, "</dd>");
}

static void put_facts(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx_result_t *r)
{
    if (reason_of(r) == FIDX__REASON_IMITATES) {
        fidx__sbuf_puts(out, "<dl class=\"facts\">");
        put_real_site(out, pg, site_of(r->lookalike.value), r->lookalike.label);
        fidx__sbuf_puts(out, "</dl>");
    }
    if (!r->has_match)
        return;
    const fidx_match_t *m = &r->match;
    fidx__sbuf_puts(out, "<dl class=\"facts\">");
    if (m->label.len && m->status != FIDX_STATUS_ALLOWLISTED) {
        fidx__sbuf_printf(out, "<dt>%s</dt><dd>", T(pg, fact_label));
        fidx__html_escape(out, m->label.p, m->label.len);
        fidx__sbuf_puts(out, "</dd>");
    }
    if (m->categories) {
        fidx__sbuf_printf(out, "<dt>%s</dt><dd>", T(pg, fact_categories));
        put_categories(out, pg, m->categories, "ul", "li");
        fidx__sbuf_puts(out, "</dd>");
    }
    if (m->status != FIDX_STATUS_ALLOWLISTED)
        put_reports_fact(out, pg, m);
    put_sources_fact(out, pg, m);
    fidx__sbuf_puts(out, "</dl>");
}

/* An amount in digits grouped by thousands as the language writes them ("2.000.000" in
 * Vietnamese, "2,000,000" in English); one with a decimal point as it is given. */
static void put_amount(fidx__sbuf_t *out, const fidx__page_t *pg, fidx_str_t a)
{
    if (memchr(a.p, '.', a.len)) {
        fidx__html_escape(out, a.p, a.len);
        return;
    }
    for (size_t i = 0; i < a.len; i++) {
        if (i && (a.len - i) % 3 == 0)
            fidx__sbuf_put(out, pg->lang == FIDX__LANG_VI ? "." : ",", 1);
        fidx__sbuf_put(out, a.p + i, 1);
    }
}

/* What a VietQR payload asks besides the account (shown above as the value checked): the
 * amount, the transfer's message and the recipient's name, as the payload gives them. */
static void put_qr_facts(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx_result_t *r)
{
    const fidx_emvco_t *q = &r->qr;
    if (!r->has_qr || !(q->amount.len || q->purpose.len || q->name.len))
        return;
    fidx__sbuf_printf(out, "<dl class=\"facts qr\" aria-label=\"%s\">", T(pg, fact_qr));
    if (q->amount.len) {
        fidx__sbuf_printf(out, "<dt>%s</dt><dd>", T(pg, fact_qr_amount));
        put_amount(out, pg, q->amount);
        int vnd = q->currency.len == 3 && memcmp(q->currency.p, "704", 3) == 0;
        fidx__sbuf_puts(out, vnd ? " VND</dd>" : "</dd>");
    }
    if (q->purpose.len) {
        fidx__sbuf_printf(out, "<dt>%s</dt><dd><bdi>", T(pg, fact_qr_purpose));
        fidx__html_escape(out, q->purpose.p, q->purpose.len);
        fidx__sbuf_puts(out, "</bdi></dd>");
    }
    if (q->name.len) {
        fidx__sbuf_printf(out, "<dt>%s</dt><dd><bdi>", T(pg, fact_qr_name));
        fidx__html_escape(out, q->name.p, q->name.len);
        fidx__sbuf_puts(out, "</bdi></dd>");
    }
    fidx__sbuf_puts(out, "</dl>");
}

/* ---- details: the technical side ---- */

static void put_detail(fidx__sbuf_t *out, const char *name, const char *v, size_t len)
{
    fidx__sbuf_printf(out, "<dt>%s</dt><dd><bdi class=\"value\">", name);
    fidx__html_escape(out, v, len);
    fidx__sbuf_puts(out, "</bdi></dd>");
}

static void open_details(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    fidx__sbuf_printf(out, "<details class=\"tech\"><summary>%s</summary><dl>", T(pg, details));
}

static void put_details(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx_result_t *r)
{
    open_details(out, pg);
    fidx__sbuf_printf(out, "<dt>%s</dt><dd>", T(pg, detail_kind));
    fidx__page_word(out, pg, "kind_", fidx_kind_name(r->kind));
    fidx__sbuf_puts(out, "</dd>");
    put_detail(out, T(pg, canonical_label), r->canonical, r->canonical_len);
    const fidx_match_t *m = &r->match;
    if (r->has_match && (m->kind != r->kind || m->value.len != r->canonical_len ||
                         memcmp(m->value.p, r->canonical, m->value.len) != 0)) {
        fidx__sbuf_printf(out, "<dt>%s</dt><dd><bdi class=\"value\">", T(pg, fact_match));
        fidx__html_escape(out, m->value.p, m->value.len);
        fidx__sbuf_puts(out, "</bdi> (");
        fidx__page_word(out, pg, "kind_", fidx_kind_name(m->kind));
        fidx__sbuf_puts(out, ")</dd>");
    }
    if (reason_of(r) == FIDX__REASON_IMITATES) {
        fidx__sbuf_printf(out, "<dt>%s</dt><dd>", T(pg, detail_rule));
        fidx__page_word(out, pg, "rule_", fidx_lookalike_rule_name(r->lookalike.rule));
        fidx__sbuf_puts(out, "</dd>");
    }
    fidx__sbuf_puts(out, "</dl></details>");
}

/* ---- actions: share, report ---- */

/* The share button (page.js shows it, and shares or copies; without JavaScript the address of
 * the answer is the link to share). The warning names the value in plain words (canon, or as
 * written when canon is NULL); the link checks it as written. */
static void put_share(fidx__sbuf_t *out, const fidx__page_t *pg, const char *key, fidx_kind_t kind,
                      fidx_str_t written, const char *canon, size_t canon_len)
{
    char name[32];
    snprintf(name, sizeof name, "share_%s", key);
    const char *text = fidx__page_text(pg->lang, name);
    if (!text)
        return;
    fidx__sbuf_puts(out, "<button type=\"button\" class=\"share\" id=\"share\" hidden "
                         "data-share-text=\"");
    size_t pos = 0;
    for (int a; (a = fidx__page_until_arg(out, text, &pos));) {
        if (a == 1)
            fidx__page_word(out, pg, "kindn_", fidx_kind_name(kind));
        else if (canon)
            fidx__page_plain_value(out, pg, kind, canon, canon_len);
        else
            fidx__html_escape(out, written.p, written.len);
    }
    fidx__sbuf_printf(out, "\" data-share-url=\"/check?kind=%s&amp;q=", fidx_kind_name(kind));
    fidx__url_escape(out, written.p, written.len);
    if (pg->bank && pg->result)
        fidx__sbuf_printf(out, "&amp;bank=%s", pg->bank->bin);
    fidx__page_href(out, pg, "", 0);
    fidx__sbuf_printf(out, "\" data-msg-copied=\"%s\" data-msg-failed=\"%s\">%s</button>",
                      T(pg, share_copied), T(pg, share_failed), T(pg, share_button));
    fidx__sbuf_puts(out,
                    "<span class=\"share-status\" id=\"share-status\" role=\"status\"></span>");
}

static void put_report_link(fidx__sbuf_t *out, const fidx__page_t *pg, fidx_kind_t kind)
{
    fidx__sbuf_printf(out,
                      "<a class=\"button-link\" id=\"report-this\" "
                      "href=\"/report?kind=%s&amp;value=",
                      fidx_kind_name(kind));
    fidx__url_escape(out, pg->q.p, pg->q.len);
    fidx__page_href(out, pg, "", 0);
    fidx__sbuf_puts(out, "#report\">");
    put_text(out, pg, T(pg, report_this), kind, NULL, 0);
    fidx__sbuf_puts(out, "</a>");
}

/* "This is my number, listed by mistake?": the dispute form for the value as checked. */
static void put_dispute_link(fidx__sbuf_t *out, const fidx__page_t *pg, fidx_kind_t kind)
{
    char name[48];
    snprintf(name, sizeof name, "dispute_link_%s", fidx_kind_name(kind));
    const char *words = fidx__page_text(pg->lang, name);
    if (!words)
        return;
    fidx__sbuf_printf(out,
                      "<p class=\"dispute-link\"><a id=\"dispute-this\" "
                      "href=\"/dispute?kind=%s&amp;value=",
                      fidx_kind_name(kind));
    fidx__url_escape(out, pg->q.p, pg->q.len);
    if (pg->bank)
        fidx__sbuf_printf(out, "&amp;bank=%s", pg->bank->bin);
    fidx__page_href(out, pg, "", 0);
    fidx__sbuf_printf(out, "\">%s</a></p>", words);
}

static void put_todo(fidx__sbuf_t *out, const fidx__page_t *pg, const char *key, fidx_kind_t kind,
                     fidx_str_t extra)
{
    fidx__sbuf_printf(out, "<h3>%s</h3><ul class=\"todo\"><li>", T(pg, todo_heading));
    put_answer_text(out, pg, key, "todo", kind, extra.p, extra.len);
    fidx__sbuf_printf(out, "</li>%s</ul>", T(pg, todo_common));
}

/* The answer's section opens with the page title page.js gives the document when it puts the
 * answer in place; on a whole page its heading takes the focus (answer_focus). */
static void open_answer(fidx__sbuf_t *out, const fidx__page_t *pg, const char *cls,
                        const char *verdict, const char *more_attrs)
{
    fidx__sbuf_printf(out,
                      "<section class=\"verdict v-%s\" aria-labelledby=\"result-h\" "
                      "data-verdict=\"%s\"%s data-title=\"",
                      cls, verdict, more_attrs);
    fidx__page_title(out, pg);
    fidx__sbuf_printf(out,
                      "\"><h2 id=\"result-h\" tabindex=\"-1\"%s>"
                      "<span class=\"icon\" aria-hidden=\"true\"></span>",
                      pg->answer_focus ? " autofocus" : "");
}

static void close_answer(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    fidx__sbuf_puts(out, "<p class=\"data-time\">");
    fidx__page_data_time(out, pg);
    fidx__sbuf_puts(out, "</p></section>");
}

static void put_badge_title(fidx__sbuf_t *out, const fidx__page_t *pg, const char *key,
                            fidx_kind_t kind, fidx_str_t extra)
{
    fidx__sbuf_puts(out, "<span class=\"badge\">");
    put_answer_text(out, pg, key, "badge", kind, extra.p, extra.len);
    fidx__sbuf_puts(out, "</span> <span class=\"title\">");
    put_answer_text(out, pg, key, "title", kind, extra.p, extra.len);
    fidx__sbuf_puts(out, "</span></h2>");
}

/* Whether a and b differ only in their spaces, dots and dashes ("1900 54 54 13" and
 * "1900 545 413"): the plain words would then only regroup what was typed. */
static int same_but_spacing(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0, j = 0;
    for (;;) {
        while (i < alen && (a[i] == ' ' || a[i] == '.' || a[i] == '-'))
            i++;
        while (j < blen && (b[j] == ' ' || b[j] == '.' || b[j] == '-'))
            j++;
        if (i == alen || j == blen)
            return i == alen && j == blen;
        if (a[i++] != b[j++])
            return 0;
    }
}

/* What was asked, as typed, then the value in plain words with its kind, unless the plain
 * words are what was typed but for its spacing (the line is then taken back). */
static void put_checked(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx_result_t *r)
{
    fidx__sbuf_printf(out, "<p class=\"checked\">%s <bdi class=\"value\">", T(pg, checked_label));
    size_t asked = out->len;
    fidx__html_escape(out, pg->q.p, pg->q.len);
    size_t asked_len = out->len - asked;
    fidx__sbuf_puts(out, "</bdi></p>");
    size_t line = out->len;
    fidx__sbuf_puts(out, "<p class=\"plain\"><span class=\"kind\">");
    fidx__page_word(out, pg, "kind_", fidx_kind_name(r->kind));
    fidx__sbuf_puts(out, "</span> <bdi class=\"value\">");
    size_t plain = out->len;
    fidx__page_plain_value(out, pg, r->kind, r->canonical, r->canonical_len);
    if (!out->failed &&
        same_but_spacing(out->p + plain, out->len - plain, out->p + asked, asked_len))
        out->len = line;
    else
        fidx__sbuf_puts(out, "</bdi></p>");
}

/* What {2} names in a result's texts: the owner's label, the imitated site, the shortener. */
static fidx_str_t extra_of(const fidx_result_t *r)
{
    fidx__reason_t why = reason_of(r);
    if (why == FIDX__REASON_IMITATES)
        return site_of(r->lookalike.value);
    if (why == FIDX__REASON_SHORTENER)
        return r->lookalike.brand;
    if (r->has_match && r->match.status == FIDX_STATUS_ALLOWLISTED)
        return r->match.label;
    return fidx_str(NULL, 0);
}

static void put_explain(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx_result_t *r,
                        const char *key, fidx_str_t extra)
{
    fidx__sbuf_puts(out, "<p class=\"explain\">");
    if (r->verdict == FIDX_VERDICT_SAFE && extra.len)
        put_text(out, pg, T(pg, verdict_safe_explain_named), r->kind, extra.p, extra.len);
    else
        put_answer_text(out, pg, key, "explain", r->kind, extra.p, extra.len);
    fidx__sbuf_puts(out, "</p>");
}

static void put_verdict(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx_result_t *r)
{
    fidx__reason_t why = reason_of(r);
    const char *key = result_key(r);
    fidx_str_t extra = extra_of(r);
    char attrs[48] = "";
    if (why != FIDX__REASON_NONE)
        snprintf(attrs, sizeof attrs, " data-reason=\"%s\"",
                 why == FIDX__REASON_IMITATES ? "imitates" : "shortener");
    open_answer(out, pg, answer_key(r->verdict, why), fidx_verdict_name(r->verdict), attrs);
    put_badge_title(out, pg, key, r->kind, extra);
    put_checked(out, pg, r);
    put_explain(out, pg, r, key, extra);
    put_qr_facts(out, pg, r);
    put_facts(out, pg, r);
    put_todo(out, pg, key, r->kind, extra);
    if (r->verdict != FIDX_VERDICT_SAFE) {
        fidx__sbuf_puts(out, "<p class=\"actions\">");
        if (r->verdict == FIDX_VERDICT_SCAM || r->verdict == FIDX_VERDICT_SUSPICIOUS)
            put_share(out, pg, key, r->kind, pg->q, r->canonical, r->canonical_len);
        put_report_link(out, pg, r->kind);
        fidx__sbuf_puts(out, "</p>");
    }
    if (r->verdict == FIDX_VERDICT_SCAM || r->verdict == FIDX_VERDICT_SUSPICIOUS)
        put_dispute_link(out, pg, r->kind);
    put_details(out, pg, r);
    fidx__page_warnings_related(out, pg);
    close_answer(out, pg);
}

/* ---- a value that cannot be read ---- */

/* The normalisers' reasons people meet most, in the page's words; the rest fall back to what
 * the kind asked for needs. Matched by their start. */
static const struct {
    const char *reason, *key;
} why_words[] = {
    {"too short", "why_phone_short"},
    {"too long for a", "why_phone_long"},
    {"too many digits for a phone", "why_phone_long"},
    {"phone number too long", "why_phone_long"},
    {"letters are not allowed in a phone", "why_phone_letters"},
    {"a phone number starts with", "why_phone_prefix"},
    {"prefix is not in Vietnam", "why_phone_prefix"},
    {"looks like a date", "why_phone_date"},
    {"account number has fewer", "why_account_short"},
    {"account number has more", "why_account_long"},
    {"letters mixed into the account", "why_account_letters"},
    {"no account number", "why_account_none"},
    {"cannot tell the kind", "why_unknown_kind"},
    {"domain name needs a dot", "why_domain_dot"},
    {"not a link to a Facebook", "why_social"},
    {"link is not to a profile", "why_social"},
    {"a bare handle needs its platform", "why_handle"},
    {"an e-mail address has exactly one", "why_email"},
    {"value too long", "why_too_long"},
    {"message too long", "why_message_long"},
};

static const char *why_key(const char *reason)
{
    for (size_t i = 0; reason && i < sizeof why_words / sizeof why_words[0]; i++)
        if (strncmp(reason, why_words[i].reason, strlen(why_words[i].reason)) == 0)
            return why_words[i].key;
    return NULL;
}

static void put_invalid(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    const char *why = why_key(pg->invalid);
    open_answer(out, pg, "invalid", "invalid", "");
    fidx__sbuf_printf(out, "%s</h2><p class=\"checked\">%s <bdi class=\"value\">",
                      T(pg, invalid_title), T(pg, checked_label));
    fidx__html_escape(out, pg->q.p, pg->q.len);
    fidx__sbuf_puts(out, "</bdi></p><p class=\"explain\">");
    if (pg->invalid_kind != FIDX_KIND_NONE) {
        fidx__page_word(out, pg, "invalid_kind_", fidx_kind_name(pg->invalid_kind));
        fidx__sbuf_puts(out, " ");
    }
    if (why)
        fidx__sbuf_printf(out, "%s ", fidx__page_text(pg->lang, why));
    fidx__sbuf_printf(out, "</p><p>%s</p>", T(pg, invalid_explain));
    if (pg->lang == FIDX__LANG_EN) { /* the normaliser's own words are English */
        open_details(out, pg);
        put_detail(out, T(pg, technical_detail), pg->invalid, strlen(pg->invalid));
        fidx__sbuf_puts(out, "</dl></details>");
    }
    fidx__sbuf_puts(out, "</section>");
}

/* ---- a whole message ---- */

/* "a phone number and a bank account": the kinds of the values with the message's verdict. */
static void put_kinds_of(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx__page_message_t *m)
{
    unsigned seen = 0, n = 0, total = 0;
    for (size_t i = 0; i < m->n_found; i++)
        if (m->found[i].verdict == m->verdict && !(seen & (1u << m->found[i].kind))) {
            seen |= 1u << m->found[i].kind;
            total++;
        }
    for (int k = 0; k < FIDX_KIND_COUNT; k++) {
        if (!(seen & (1u << k)))
            continue;
        if (n++)
            fidx__sbuf_puts(out, n == total ? T(pg, and_word) : ", ");
        fidx__page_word(out, pg, "kindn_", fidx_kind_name((fidx_kind_t)k));
    }
}

static void put_message_title(fidx__sbuf_t *out, const fidx__page_t *pg,
                              const fidx__page_message_t *m)
{
    const char *key = message_key(m);
    char name[32];
    fidx__sbuf_puts(out, "<span class=\"badge\">");
    put_answer_text(out, pg, key, "badge", FIDX_KIND_NONE, NULL, 0);
    fidx__sbuf_puts(out, "</span> <span class=\"title\">");
    snprintf(name, sizeof name, "msg_%s_title", m->n_found ? key : "none");
    const char *t = fidx__page_text(pg->lang, name);
    size_t pos = 0;
    while (fidx__page_until_arg(out, t, &pos))
        put_kinds_of(out, pg, m);
    fidx__sbuf_puts(out, "</span></h2>");
}

/* The message with every value found highlighted and, after it, its verdict in words (colour
 * is never the only signal). */
void fidx__page_marked_text(fidx__sbuf_t *out, const fidx__page_t *pg,
                            const fidx__page_message_t *m, fidx_str_t text)
{
    size_t at = 0;
    fidx__sbuf_puts(out, "<blockquote class=\"message\"><p>");
    for (size_t i = 0; i < m->n_marks; i++) {
        const fidx__page_mark_t *k = &m->marks[i];
        const fidx__page_found_t *f = &m->found[k->found];
        if (k->start < at || k->end > text.len || k->start >= k->end)
            continue; /* overlapping or out of range: cannot happen with a scan's matches */
        const char *cls = answer_key(f->verdict, f->reason);
        fidx__html_escape(out, text.p + at, k->start - at);
        fidx__sbuf_printf(out, "<mark class=\"m-%s\">", cls);
        fidx__html_escape(out, text.p + k->start, k->end - k->start);
        fidx__sbuf_printf(out, "</mark><span class=\"mark-v m-%s\">", cls);
        put_answer_text(out, pg, found_key(f), "badge", f->kind, NULL, 0);
        fidx__sbuf_puts(out, "</span>");
        at = k->end;
    }
    fidx__html_escape(out, text.p + at, text.len - at);
    fidx__sbuf_puts(out, "</p></blockquote>");
}

/* What one value's line says beside its verdict: the owner, the real site, the categories. */
static void put_found_note(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx__page_found_t *f)
{
    if (f->reason == FIDX__REASON_IMITATES) {
        fidx__page_with_values(out, T(pg, found_imitates), f->site, f->site_len, f->label,
                               f->label_len);
    } else if (f->reason == FIDX__REASON_SHORTENER) {
        fidx__page_with_values(out, T(pg, found_shortener), f->site, f->site_len, NULL, 0);
    } else if (f->label_len) {
        fidx__html_escape(out, f->label, f->label_len);
    } else if (f->categories) {
        put_categories(out, pg, f->categories, "span", "span");
    }
}

/* How a found value is linked (its own answer) and shared: its canonical form when kept (it
 * names its bank, which the text may have said apart), else as written. */
static fidx_str_t link_value(fidx_str_t text, const fidx__page_found_t *f)
{
    if (f->canonical_len)
        return fidx_str(f->canonical, f->canonical_len);
    return fidx_str(text.p + f->start, f->end - f->start);
}

void fidx__page_found_item(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx__page_found_t *f,
                           fidx_str_t text)
{
    fidx_str_t link = link_value(text, f);
    fidx__sbuf_printf(out, "<li class=\"found v-%s\" data-verdict=\"%s\"><span class=\"badge\">",
                      answer_key(f->verdict, f->reason), fidx_verdict_name(f->verdict));
    put_answer_text(out, pg, found_key(f), "badge", f->kind, NULL, 0);
    fidx__sbuf_puts(out, "</span> <span class=\"kind\">");
    fidx__page_word(out, pg, "kind_", fidx_kind_name(f->kind));
    fidx__sbuf_puts(out, "</span> <bdi class=\"value\">");
    if (f->canonical_len)
        fidx__page_plain_value(out, pg, f->kind, f->canonical, f->canonical_len);
    else
        fidx__html_escape(out, text.p + f->start, f->end - f->start);
    fidx__sbuf_puts(out, "</bdi> <span class=\"note\">");
    put_found_note(out, pg, f);
    fidx__sbuf_printf(out, "</span> <a class=\"more-link\" href=\"/check?kind=%s&amp;q=",
                      fidx_kind_name(f->kind));
    fidx__url_escape(out, link.p, link.len);
    fidx__page_href(out, pg, "", 0);
    fidx__sbuf_printf(out, "\">%s</a></li>", T(pg, msg_check_one));
}

/* The first value that made the message's verdict, for the share button. */
static const fidx__page_found_t *worst_found(const fidx__page_message_t *m)
{
    for (size_t i = 0; i < m->n_found; i++)
        if (m->found[i].verdict == m->verdict)
            return &m->found[i];
    return NULL;
}

static void put_message_share(fidx__sbuf_t *out, const fidx__page_t *pg,
                              const fidx__page_message_t *m)
{
    const fidx__page_found_t *f = worst_found(m);
    if (!f || (m->verdict != FIDX_VERDICT_SCAM && m->verdict != FIDX_VERDICT_SUSPICIOUS))
        return;
    fidx__sbuf_puts(out, "<p class=\"actions\">");
    put_share(out, pg, found_key(f), f->kind, link_value(pg->q, f),
              f->canonical_len ? f->canonical : NULL, f->canonical_len);
    fidx__sbuf_puts(out, "</p>");
}

static void put_message(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx__page_message_t *m)
{
    const char *key = message_key(m);
    open_answer(out, pg, verdict_key(m->verdict), fidx_verdict_name(m->verdict),
                " data-kind=\"message\"");
    put_message_title(out, pg, m);
    fidx__sbuf_puts(out, "<p class=\"explain\">");
    char name[32];
    snprintf(name, sizeof name, "msg_%s_explain", m->n_found ? key : "none");
    fidx__sbuf_puts(out, fidx__page_text(pg->lang, name));
    fidx__sbuf_puts(out, "</p>");
    fidx__sbuf_printf(out, "<h3>%s</h3>", T(pg, msg_text));
    fidx__page_marked_text(out, pg, m, pg->q);
    if (m->n_found) {
        fidx__sbuf_printf(out, "<h3>%s</h3><ul class=\"found-list\">", T(pg, msg_found));
        for (size_t i = 0; i < m->n_found; i++)
            fidx__page_found_item(out, pg, &m->found[i], pg->q);
        fidx__sbuf_puts(out, "</ul>");
    }
    if (m->more)
        fidx__sbuf_printf(out, "<p class=\"hint\">%s</p>", T(pg, msg_more));
    put_todo(out, pg, key, FIDX_KIND_NONE, fidx_str(NULL, 0));
    put_message_share(out, pg, m);
    close_answer(out, pg);
}

void fidx__page_render_result(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    if (pg->result)
        put_verdict(out, pg, pg->result);
    else if (pg->message)
        put_message(out, pg, pg->message);
    else if (pg->invalid)
        put_invalid(out, pg);
}
