/* The citizens' web page, rendered on the server: the page skeleton (service/web/page.html)
 * filled with the texts of one language (service/web/strings/) and with what the request
 * brought: the check form, the verdict explained in plain words, the report form and its
 * outcome. Every value that came from outside is HTML-escaped here, and nowhere else.
 *
 * No I/O, no state: the route handlers (route_page.c) fill a fidx__page_t and call a
 * renderer; the unit tests do the same. */
#ifndef FIDX_SERVICE_PAGE_RENDER_H
#define FIDX_SERVICE_PAGE_RENDER_H

#include <stddef.h>

#include "fidx/bank.h"
#include "fidx/error.h"
#include "fidx/kind.h"
#include "fidx/lookup.h"
#include "fidx/str.h"
#include "base/sbuf.h"

/* The page's languages, in the order of the strings files given to cmake. */
typedef enum { FIDX__LANG_VI = 0, FIDX__LANG_EN = 1 } fidx__lang_t;

/* What the report section shows. */
typedef enum {
    FIDX__REPORT_FORM = 0,    /* the form, empty or prefilled */
    FIDX__REPORT_INVALID,     /* the form again, as sent, with what is wrong */
    FIDX__REPORT_ACCEPTED,    /* thanks, and the report's id */
    FIDX__REPORT_LIMITED,     /* too many reports from this address: retry_after */
    FIDX__REPORT_UNAVAILABLE, /* the report could not be stored now */
} fidx__report_view_t;

/* Which report field report_error is about. */
typedef enum {
    FIDX__FIELD_NONE = 0,
    FIDX__FIELD_KIND,
    FIDX__FIELD_VALUE,
    FIDX__FIELD_CATEGORY,
    FIDX__FIELD_DESCRIPTION,
} fidx__field_t;

/* Everything a page shows. Strings are borrowed until the render call returns. */
typedef struct {
    fidx__lang_t lang;
    int lang_given; /* the request named its language (links then keep naming it) */

    /* The check form as sent. */
    fidx_str_t q;
    fidx_kind_t kind;        /* FIDX_KIND_NONE: detect */
    const fidx_bank_t *bank; /* NULL: no bank chosen */

    /* The answer: a result, or why the value could not be read (a static, English reason
     * from the normaliser), or neither (no question asked). */
    const fidx_result_t *result;
    const char *invalid;

    /* The report section. */
    fidx__report_view_t report;
    int focus_report; /* the request was about the report form (GET or POST /report) */
    fidx_kind_t report_kind;
    const fidx_bank_t *report_bank;
    fidx_str_t report_value, report_description;
    int report_category; /* FIDX_CAT_*, or -1 for none */
    fidx__field_t report_error_field;
    const char *report_error; /* static, English; shown as the technical detail */
    const char *report_id;
    unsigned retry_after; /* seconds */
} fidx__page_t;

/* Limits of a report's text, checked by the report routes and announced by the form. */
#define FIDX__REPORT_TEXT_MAX_CHARS 1000
#define FIDX__REPORT_TEXT_MAX_BYTES 4096

/* An empty page in lang: no question, the empty report form. */
void fidx__page_init(fidx__page_t *pg, fidx__lang_t lang);

/* The whole page, or only its answer (what page.js puts in place of the previous one). */
void fidx__page_render(fidx__sbuf_t *out, const fidx__page_t *pg);
void fidx__page_render_result(fidx__sbuf_t *out, const fidx__page_t *pg);

/* "vi" or "en" → lang; FIDX_EINVAL for anything else. */
FIDX_MUST_CHECK int fidx__lang_parse(const char *p, size_t len, fidx__lang_t *lang);

/* A bank chosen from the list together with a bare account number ("0123 456 789") makes
 * "BIN:0123 456 789"; anything else (no bank, or a value that names its bank itself) is
 * copied as it is. out has cap bytes; FIDX_ETOOBIG when the result does not fit. */
FIDX_MUST_CHECK int fidx__bank_compose(const fidx_bank_t *bank, const char *p, size_t len,
                                       char *out, size_t cap, size_t *out_len);

/* p[0..len) as HTML text or attribute value: & < > " ' escaped, invalid UTF-8 and control
 * characters (other than tab and newline) replaced by U+FFFD. */
void fidx__html_escape(fidx__sbuf_t *out, const char *p, size_t len);

/* p[0..len) percent-encoded for a query string (all but A-Z a-z 0-9 - . _ ~). */
void fidx__url_escape(fidx__sbuf_t *out, const char *p, size_t len);

/* The text called key in lang (a string of the strings files), or NULL. Static. */
const char *fidx__page_text(fidx__lang_t lang, const char *key);

#endif
