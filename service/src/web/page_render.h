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
#include <stdint.h>

#include "fidx/bank.h"
#include "fidx/error.h"
#include "fidx/indicator.h"
#include "fidx/kind.h"
#include "fidx/lookup.h"
#include "fidx/str.h"
#include "base/sbuf.h"
#include "warnings/warnings_view.h"

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
    FIDX__FIELD_CHANNEL,
    FIDX__FIELD_DATE,
    FIDX__FIELD_AMOUNT,
    FIDX__FIELD_CONTACT,
} fidx__field_t;

/* What a report's follow-up page (GET /report/ID) says of it. */
typedef enum {
    FIDX__FOLLOW_NONE = 0, /* not that page */
    FIDX__FOLLOW_UNKNOWN,  /* no such report (or a decided one no longer held in memory) */
    FIDX__FOLLOW_PENDING,
    FIDX__FOLLOW_APPROVED, /* a dispute: upheld, the value delisted */
    FIDX__FOLLOW_REJECTED,
} fidx__follow_t;

/* Why a url or domain nothing matched is answered anyway (fidx_result_t's has_lookalike). */
typedef enum {
    FIDX__REASON_NONE = 0,
    FIDX__REASON_IMITATES, /* it imitates an allowlisted site: suspicious */
    FIDX__REASON_SHORTENER /* a link shortener's: we cannot see where it leads */
} fidx__reason_t;

#define FIDX__PAGE_MAX_FOUND 32  /* values listed from one message */
#define FIDX__PAGE_MAX_MARKS 64  /* places highlighted in one message */
#define FIDX__PAGE_PLAIN_MAX 256 /* a value kept for display; a longer one shows as written */
#define FIDX__PAGE_MAX_MESSAGE                                                                     \
    4096 /* bytes of a message checked on the page (the URL of a GET                               \
          * holds it); /v1/scan takes 64 KiB */

/* One value found in a message, judged, as the page lists it. */
typedef struct {
    size_t start, end; /* its first occurrence: bytes into the message */
    fidx_kind_t kind;
    fidx_verdict_t verdict;
    fidx__reason_t reason;
    int community; /* a scam only the community vouches for (fidx__page_community_only) */
    uint16_t categories;
    size_t canonical_len; /* 0 when longer than FIDX__PAGE_PLAIN_MAX: shown as written */
    char canonical[FIDX__PAGE_PLAIN_MAX];
    size_t label_len; /* the entry's public label, or the imitated site's */
    char label[FIDX_MAX_LABEL_LEN + 1];
    size_t site_len; /* the imitated site, or the shortener */
    char site[FIDX__PAGE_PLAIN_MAX];
} fidx__page_found_t;

/* One occurrence to highlight: found[found] at message bytes [start, end). */
typedef struct {
    size_t start, end;
    unsigned found;
} fidx__page_mark_t;

/* A whole message checked (the same scan as POST /v1/scan): what was found in it, and one
 * answer for it all, the worst of its values' verdicts (scam, suspicious, unknown, then safe:
 * an official number beside an unknown link does not make a message safe). */
typedef struct {
    fidx_verdict_t verdict;
    int more;     /* more values than listed: the verdict still covers them all */
    int verified; /* some scam value, listed or not, was verified by more than the community */
    size_t n_found, n_marks;
    fidx__page_found_t found[FIDX__PAGE_MAX_FOUND];
    fidx__page_mark_t marks[FIDX__PAGE_MAX_MARKS];
} fidx__page_message_t;

#define FIDX__PAGE_MAX_CODES 4 /* QR codes of one picture shown; the rest are counted */

/* One QR code of a picture, as the page shows it: a VietQR transfer's bank, account, amount
 * and recipient, and the value it holds judged (found: its verdict and plain words); or, when
 * it holds no value, its text. */
typedef struct {
    int vietqr; /* a VietQR transfer: bank, account, amount and name are its */
    int judged; /* found holds the value checked; else the code's text is shown */
    size_t bank_len, amount_len, name_len, text_len;
    char bank[64], amount[24], name[64];
    char text[FIDX__PAGE_PLAIN_MAX]; /* the code's text as read (cut at a character) */
    fidx__page_found_t found;
} fidx__page_code_t;

/* A picture read (the image form, POST /image): its QR codes, and its recognised text with the
 * values found in it, and one answer for it all, the worst of them. */
typedef struct {
    int error; /* 0; or the status of a picture that could not be read (400, 413, 503) */
    fidx_verdict_t verdict;
    int verified; /* a scam among them is verified by more than the community */
    size_t n_codes, codes_more;
    fidx__page_code_t codes[FIDX__PAGE_MAX_CODES];
    fidx_str_t text;                     /* as checked: at most FIDX__PAGE_MAX_MESSAGE bytes */
    int text_cut, ocr_off;               /* the text was longer; it could not be read */
    const fidx__page_message_t *message; /* the values of text, or NULL when it has none */
} fidx__page_image_t;

/* Everything a page shows. Strings are borrowed until the render call returns. */
typedef struct {
    fidx__lang_t lang;
    int lang_given; /* the request named its language (links then keep naming it) */

    /* The check form as sent. */
    fidx_str_t q;
    fidx_kind_t kind;        /* FIDX_KIND_NONE: detect */
    const fidx_bank_t *bank; /* NULL: no bank chosen */

    /* The answer: a result, a message's (q was a whole text), or why the value could not be
     * read (a static, English reason from the normaliser, shown as it is only on the English
     * page; invalid_kind is the kind asked for, FIDX_KIND_NONE when detected), or none (no
     * question asked). */
    const fidx_result_t *result;
    const fidx__page_message_t *message;
    const char *invalid;
    fidx_kind_t invalid_kind;
    int answer_focus; /* a whole page with an answer: its heading takes the focus on load */

    /* Trust: when the data was last updated (the snapshot's build time, the last analysts'
     * change made visible; 0 when unknown), who runs the page (empty when not configured). */
    int64_t data_built, data_changed;
    fidx_str_t operator_name, operator_url;

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

    /* Warnings to the public (issue 19; page_warnings.c): the published ones (NULL: none kept
     * here), the visitor's province (-1: none chosen), the time they are judged current at;
     * the page of one warning (warning: its index in warnings->w, -1: not that page;
     * warning_missing: one that is not published was asked for); the answer's related ones. */
    const fidx__warnings_view_t *warnings;
    int province;
    int64_t now;
    long warning;
    int warning_missing;
    size_t n_related;
    uint32_t related[FIDX__WARNINGS_RELATED_MAX];
    /* The report's optional details as sent: how the scammer came ("call", "sms", …: the
     * channels of POST /v1/reports), when (YYYY-MM-DD) and the money lost (as typed). */
    fidx_str_t report_channel, report_date, report_amount;

    /* A report's follow-up (GET /report/ID): its state, what it was about, when it was sent
     * and decided (seconds since the epoch). follow_id is the id asked for, checked. */
    fidx__follow_t follow;
    const char *follow_id;
    int follow_dispute;
    fidx_kind_t follow_kind;
    fidx_str_t follow_value; /* canonical */
    int64_t follow_sent, follow_decided;

    /* A picture read by the image form (POST /image), in the place of an answer. */
    const fidx__page_image_t *image;

    /* The dispute form (GET and POST /dispute): "this is my number, listed by mistake". Its
     * outcome uses retry_after as the report's does. */
    int dispute;
    fidx__report_view_t dispute_view;
    fidx_kind_t dispute_kind;
    const fidx_bank_t *dispute_bank;
    fidx_str_t dispute_value, dispute_why, dispute_contact;
    fidx__field_t dispute_error_field;
    const char *dispute_error; /* static, English; shown on the English page only */
    const char *dispute_id;
} fidx__page_t;

/* Limits of a report's text, checked by the report routes and announced by the form. */
#define FIDX__REPORT_TEXT_MAX_CHARS 1000
#define FIDX__REPORT_TEXT_MAX_BYTES 4096

/* The most a dispute's contact may hold, as POST /v1/reports takes it. */
#define FIDX__DISPUTE_CONTACT_MAX 256

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

/* A canonical value (kind) in plain words, escaped: a phone "0910 001 001", a bank account
 * "Vietcombank · 0000 1000 2001"; other values as they are. */
void fidx__page_plain_value(fidx__sbuf_t *out, const fidx__page_t *pg, fidx_kind_t kind,
                            const char *canon, size_t len);

/* Whether every source of a match is the community (or it names none): a scam verdict the
 * police or an official source did not give is never worded as theirs (issue 13). */
int fidx__page_community_only(const fidx_match_t *m);

/* The text called key in lang (a string of the strings files), or NULL. Static. */
const char *fidx__page_text(fidx__lang_t lang, const char *key);

#endif
