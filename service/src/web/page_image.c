/* What a picture holds, on the page (page_internal.h): the answer to the image form (POST
 * /image, issue 17). Its QR codes first — a VietQR transfer's bank, account, amount and
 * recipient, with the account's verdict — then the text read from it with every value found
 * highlighted, as a pasted message's; one answer over all of them, the worst. */
#include <stdio.h>
#include <string.h>

#include "web/page_internal.h"

static const char *verdict_key(fidx_verdict_t v)
{
    return v == FIDX_VERDICT_SCAM         ? "scam"
           : v == FIDX_VERDICT_SUSPICIOUS ? "suspicious"
           : v == FIDX_VERDICT_SAFE       ? "safe"
                                          : "unknown";
}

static const char *text(const fidx__page_t *pg, const char *fmt, const char *a)
{
    char name[64];
    snprintf(name, sizeof name, fmt, a);
    const char *t = fidx__page_text(pg->lang, name);
    return t ? t : "";
}

/* An amount as VietQR writes it ("500000", "1500.5"), grouped as the page's language does:
 * 500.000 đ, 500,000 dong. */
static void put_amount(fidx__sbuf_t *out, const fidx__page_t *pg, const char *a, size_t len)
{
    size_t whole = 0;
    while (whole < len && a[whole] >= '0' && a[whole] <= '9')
        whole++;
    char sep = pg->lang == FIDX__LANG_VI ? '.' : ',';
    for (size_t i = 0; i < whole; i++) {
        if (i && (whole - i) % 3 == 0)
            fidx__sbuf_put(out, &sep, 1);
        fidx__sbuf_put(out, a + i, 1);
    }
    if (whole < len) { /* the decimals, escaped: an amount is only digits and a point */
        fidx__sbuf_puts(out, pg->lang == FIDX__LANG_VI ? "," : ".");
        fidx__html_escape(out, a + whole + 1, len - whole - 1);
    }
    fidx__sbuf_printf(out, " %s", T(pg, img_currency));
}

static void put_fact(fidx__sbuf_t *out, const char *name, const char *v, size_t len)
{
    fidx__sbuf_printf(out, "<dt>%s</dt><dd><bdi class=\"value\">", name);
    fidx__html_escape(out, v, len);
    fidx__sbuf_puts(out, "</bdi></dd>");
}

static void put_code(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx__page_code_t *c)
{
    fidx__sbuf_puts(out, "<div class=\"qr-code\">");
    if (c->judged) {
        fidx__sbuf_puts(out, "<ul class=\"found-list\">");
        fidx__page_found_item(out, pg, &c->found, fidx_str(c->text, c->text_len));
        fidx__sbuf_puts(out, "</ul>");
    } else {
        fidx__sbuf_printf(out, "<p class=\"qr-text\">%s <bdi class=\"value\">",
                          T(pg, img_code_text));
        fidx__html_escape(out, c->text, c->text_len);
        fidx__sbuf_puts(out, "</bdi></p>");
    }
    if (c->vietqr) {
        fidx__sbuf_puts(out, "<dl class=\"facts\">");
        if (c->bank_len)
            put_fact(out, T(pg, img_bank), c->bank, c->bank_len);
        if (c->judged && c->found.canonical_len) {
            fidx__sbuf_printf(out, "<dt>%s</dt><dd><bdi class=\"value\">", T(pg, img_account));
            fidx__page_plain_value(out, pg, c->found.kind, c->found.canonical,
                                   c->found.canonical_len);
            fidx__sbuf_puts(out, "</bdi></dd>");
        }
        if (c->amount_len) {
            fidx__sbuf_printf(out, "<dt>%s</dt><dd>", T(pg, img_amount));
            put_amount(out, pg, c->amount, c->amount_len);
            fidx__sbuf_puts(out, "</dd>");
        }
        if (c->name_len)
            put_fact(out, T(pg, img_name), c->name, c->name_len);
        fidx__sbuf_puts(out, "</dl>");
    }
    fidx__sbuf_puts(out, "</div>");
}

static void put_text_part(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx__page_image_t *im)
{
    const fidx__page_message_t *m = im->message;
    if (im->ocr_off)
        fidx__sbuf_printf(out, "<p class=\"hint\">%s</p>", T(pg, img_ocr_off));
    /* The text of a picture with a QR code is shown when values were found in it: a code
     * alone reads as noise to OCR. */
    if (!im->text.len || (im->n_codes && (!m || !m->n_found)))
        return;
    fidx__sbuf_printf(out, "<h3>%s</h3>", T(pg, img_text));
    if (m) {
        fidx__page_marked_text(out, pg, m, im->text);
    } else {
        fidx__sbuf_puts(out, "<blockquote class=\"message\"><p>");
        fidx__html_escape(out, im->text.p, im->text.len);
        fidx__sbuf_puts(out, "</p></blockquote>");
    }
    if (im->text_cut)
        fidx__sbuf_printf(out, "<p class=\"hint\">%s</p>", T(pg, img_text_cut));
    if (!m || !m->n_found)
        return;
    fidx__sbuf_printf(out, "<h3>%s</h3><ul class=\"found-list\">", T(pg, img_found));
    for (size_t i = 0; i < m->n_found; i++)
        fidx__page_found_item(out, pg, &m->found[i], im->text);
    fidx__sbuf_puts(out, "</ul>");
}

static void open_section(fidx__sbuf_t *out, const fidx__page_t *pg, const char *cls,
                         const char *verdict)
{
    fidx__sbuf_printf(out,
                      "<section class=\"verdict v-%s\" aria-labelledby=\"result-h\" "
                      "data-verdict=\"%s\" data-kind=\"image\"><h2 id=\"result-h\" "
                      "tabindex=\"-1\"%s><span class=\"icon\" aria-hidden=\"true\"></span>",
                      cls, verdict, pg->answer_focus ? " autofocus" : "");
}

static void put_error(fidx__sbuf_t *out, const fidx__page_t *pg, int error)
{
    char status[16];
    snprintf(status, sizeof status, "%d", error);
    open_section(out, pg, "invalid", "invalid");
    fidx__sbuf_printf(out, "%s</h2><p class=\"explain\">%s</p></section>", T(pg, img_error_title),
                      text(pg, "img_error_%s", error == 1 ? "none" : status));
}

void fidx__page_image_render(fidx__sbuf_t *out, const fidx__page_t *pg)
{
    const fidx__page_image_t *im = pg->image;
    if (im->error) {
        put_error(out, pg, im->error);
        return;
    }
    size_t found = im->message ? im->message->n_found : 0;
    for (size_t i = 0; i < im->n_codes; i++)
        found += im->codes[i].judged;
    const char *key = im->verdict == FIDX_VERDICT_SCAM && !im->verified ? "scam_community"
                                                                        : verdict_key(im->verdict);
    open_section(out, pg, verdict_key(im->verdict), fidx_verdict_name(im->verdict));
    fidx__sbuf_printf(out, "<span class=\"badge\">%s</span> <span class=\"title\">%s</span></h2>",
                      text(pg, "verdict_%s_badge", key),
                      text(pg, "img_%s_title", found ? key : "none"));
    if (im->n_codes) {
        fidx__sbuf_printf(out, "<h3>%s</h3>", T(pg, img_codes));
        for (size_t i = 0; i < im->n_codes; i++)
            put_code(out, pg, &im->codes[i]);
        if (im->codes_more)
            fidx__sbuf_printf(out, "<p class=\"hint\">%s</p>", T(pg, img_codes_more));
    }
    put_text_part(out, pg, im);
    fidx__sbuf_printf(out, "<h3>%s</h3><ul class=\"todo\">%s</ul><p class=\"data-time\">",
                      T(pg, todo_heading), T(pg, todo_common));
    fidx__page_data_time(out, pg);
    fidx__sbuf_puts(out, "</p></section>");
}
