/* Private to the page's renderer (web/): the pieces its files share. page_text.c writes texts,
 * words, dates, plain values and a report's reference; page_follow.c what follows a report
 * (its status, the dispute form); page_answer.c the answers (a value, a message, an error);
 * page_image.c a picture's (with page_answer.c's pieces of a message); page_render.c the page
 * around them (template, forms, report section). Each file uses only the ones named before
 * it. */
#ifndef FIDX_SERVICE_PAGE_INTERNAL_H
#define FIDX_SERVICE_PAGE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "web/page_render.h"
#include "web_strings.h"

/* The text id in the page's language. */
#define T(pg, id) (fidx__strings[(pg)->lang][FIDX__S_##id])

/* ---- page_text.c ---- */

extern const char *const fidx__lang_codes[FIDX__LANG_COUNT];

/* A vocabulary word ("cat_phishing", "kind_phone", "src_police") in the page's language; the
 * word itself, escaped, when the strings have none (a source named by a feed, say). */
void fidx__page_word(fidx__sbuf_t *out, const fidx__page_t *pg, const char *prefix,
                     const char *word);

/* Writes text up to its next placeholder {1}..{9} and returns that number, having moved *pos
 * past it; at the end of the text returns 0. The caller writes the argument in between. */
int fidx__page_until_arg(fidx__sbuf_t *out, const char *text, size_t *pos);

/* A text whose placeholders {1}, {2} are escaped values (v2 may be NULL when there is no {2}). */
void fidx__page_with_values(fidx__sbuf_t *out, const char *text, const char *v1, size_t len1,
                            const char *v2, size_t len2);

/* A day as people write it in the page's language, in a <time> element. */
void fidx__page_date(fidx__sbuf_t *out, const fidx__page_t *pg, fidx_day_t day);

/* A moment (seconds since the epoch) as Vietnam's clock shows it (UTC+7, no summer time): the
 * time and the day, in a <time> element. */
void fidx__page_moment(fidx__sbuf_t *out, const fidx__page_t *pg, int64_t t);

/* The day in Vietnam of a moment (seconds since the epoch), in a <time> element. */
void fidx__page_day_at(fidx__sbuf_t *out, const fidx__page_t *pg, int64_t t);

/* A report's reference (its id) as the link to its follow-up page, /report/ID; and a text
 * whose placeholder {1} is that link. */
void fidx__page_report_code(fidx__sbuf_t *out, const fidx__page_t *pg, const char *id);
void fidx__page_with_code(fidx__sbuf_t *out, const fidx__page_t *pg, const char *text,
                          const char *id);

/* A link to this site with the page's language kept when the request named it. */
void fidx__page_href(fidx__sbuf_t *out, const fidx__page_t *pg, const char *path, int first);

/* ---- page_warnings.c ---- */

/* The start page's current warnings (of the visitor's province) and the province's form. */
void fidx__page_warnings_list(fidx__sbuf_t *out, const fidx__page_t *pg);
/* The page's heading: the warning's title and the warning itself on its page, else the
 * page's own heading and lead. */
void fidx__page_warnings_top(fidx__sbuf_t *out, const fidx__page_t *pg);
/* An answer's related warnings ("Cảnh báo liên quan"), nothing when none. */
void fidx__page_warnings_related(fidx__sbuf_t *out, const fidx__page_t *pg);
/* The page's title on a warning's page ("TITLE — "), nothing elsewhere. */
void fidx__page_warnings_title(fidx__sbuf_t *out, const fidx__page_t *pg);

/* ---- page_image.c ---- */

/* What a picture holds (pg->image): its QR codes and its text, in the place of an answer. */
void fidx__page_image_render(fidx__sbuf_t *out, const fidx__page_t *pg);

/* ---- page_follow.c ---- */

/* What follows a report: its status page (pg->follow), or the dispute form and its outcome
 * (pg->dispute), in the place of an answer. */
void fidx__page_follow_render(fidx__sbuf_t *out, const fidx__page_t *pg);

/* ---- page_answer.c ---- */

/* A message's text (text[0..len): what m's places index) with every value found highlighted
 * and its verdict in words after it; one value found in it, as the list of a message shows
 * it (its badge, kind, plain words, note, the link to its own answer). */
void fidx__page_marked_text(fidx__sbuf_t *out, const fidx__page_t *pg,
                            const fidx__page_message_t *m, fidx_str_t text);
void fidx__page_found_item(fidx__sbuf_t *out, const fidx__page_t *pg, const fidx__page_found_t *f,
                           fidx_str_t text);

/* The page's <title>: the answer's badge and the question first when there is an answer. */
void fidx__page_title(fidx__sbuf_t *out, const fidx__page_t *pg);

/* "Data updated at …" (the newer of the snapshot's build time and the last change), or
 * nothing when neither is known. */
void fidx__page_data_time(fidx__sbuf_t *out, const fidx__page_t *pg);

#endif
