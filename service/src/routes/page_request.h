/* What the citizens' page routes share (page.c, page_followup.c): reading a page request's
 * parameters and choices (language, kind, bank), and sending the page with its headers. */
#ifndef FIDX_SERVICE_ROUTES_PAGE_REQUEST_H
#define FIDX_SERVICE_ROUTES_PAGE_REQUEST_H

#include <stddef.h>

#include "fidx/bank.h"
#include "fidx/kind.h"
#include "fidx/str.h"
#include "http/request.h"
#include "web/page_render.h"

/* Every page and file: nothing but this origin, no inline script or style; not framed. (
 * X-Content-Type-Options: nosniff is on every answer, http/conn.c.) */
#define FIDX__PAGE_SECURITY_HEADERS                                                                \
    "Content-Security-Policy: default-src 'self'; base-uri 'none'; object-src 'none'; "            \
    "form-action 'self'; frame-ancestors 'none'\r\n"                                               \
    "Referrer-Policy: no-referrer\r\n"                                                             \
    "X-Frame-Options: DENY\r\n"

#define FIDX__PAGE_PARAM_SHORT 64

/* The short parameters a page takes, decoded. Long ones live in the caller's buffers. */
typedef struct {
    char kind[FIDX__PAGE_PARAM_SHORT], bank[FIDX__PAGE_PARAM_SHORT];
    char lang[FIDX__PAGE_PARAM_SHORT], part[FIDX__PAGE_PARAM_SHORT];
    char category[FIDX__PAGE_PARAM_SHORT], channel[FIDX__PAGE_PARAM_SHORT];
    char province[FIDX__PAGE_PARAM_SHORT];
    size_t kind_len, bank_len, lang_len, part_len, category_len, channel_len, province_len;
} fidx__page_params_t;

/* Decodes parameter name of the form-encoded src into out (cap bytes, NUL-terminated) and
 * returns its length. An absent, repeated, malformed or too long parameter reads as empty and
 * sets *bad for the last three. */
size_t fidx__page_request_param(fidx_str_t src, const char *name, char *out, size_t cap, int *bad);

/* The short parameters of src (a query string or a form's body). */
void fidx__page_request_read(fidx_str_t src, fidx__page_params_t *sp);

/* An empty page (fidx__page_init) in the language sp names (Vietnamese otherwise), with what
 * the page says of itself (how fresh its data is, who runs it) and the published warnings
 * (routes/related.h; the visitor's province as sp names it); *kind and *bank as chosen,
 * anything unknown reading as "not chosen" (either may be NULL: a page that offers no choice). */
void fidx__page_request_start(const fidx__req_t *req, fidx__page_t *pg,
                              const fidx__page_params_t *sp, fidx_kind_t *kind,
                              const fidx_bank_t **bank);

/* The same for an answer given later, off the request (an image read on the pool): an empty
 * page of w in lang. */
void fidx__page_request_begin(fidx__worker_t *w, fidx__page_t *pg, fidx__lang_t lang,
                              int lang_given);

/* Renders pg (the whole page, or only its answer) as the answer, never cached. */
void fidx__page_request_send(fidx__resp_t *resp, const fidx__page_t *pg, int status, int part_only);

/* Whether the body is a plain HTML form's (application/x-www-form-urlencoded, or no type). */
int fidx__page_request_is_form(const fidx__req_t *req);

/* What the page shows of a report or a dispute the intake answered with status (202 stored,
 * 429 limited, 400 refused, anything else unavailable). */
fidx__report_view_t fidx__page_request_report_view(int status);

#endif
