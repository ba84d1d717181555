/* POST /image: the citizens' page's image form (issue 17), a plain multipart/form-data form
 * that works without JavaScript: a picture chosen or taken with the phone's camera (the file
 * in "image": the first one not empty of the form's two inputs), and "lang". The picture goes
 * through the same code as POST /v1/image — the header checked on the worker
 * (fidx__image_precheck), then read on the image pool (image_task.c) — and the answer is the
 * page: each QR code (a VietQR code's bank, account, amount and recipient, with the account's
 * verdict) and the recognised text with its values highlighted, as a pasted message's.
 * Nothing of the picture is kept. */
#include <stdlib.h>
#include <string.h>

#include "fidx/emvco.h"
#include "http/multipart.h"
#include "image/image_probe.h"
#include "routes/common.h"
#include "routes/handlers.h"
#include "routes/image.h"
#include "routes/image_task.h"
#include "routes/page_message.h"
#include "routes/page_request.h"

#define MAX_PARTS 8 /* lang and the two file inputs, with room */
#define RETRY_AFTER "2"

/* What waits for the picture: where to answer, and in which language. */
typedef struct {
    fidx__reply_t *reply;
    fidx__lang_t lang;
    int lang_given;
} pending_t;

/* ---- the answer, once read ---- */

static int rank(fidx_verdict_t v)
{
    return v == FIDX_VERDICT_SCAM         ? 3
           : v == FIDX_VERDICT_SUSPICIOUS ? 2
           : v == FIDX_VERDICT_SAFE       ? 0
                                          : 1;
}

static void worsen(fidx__page_image_t *im, fidx_verdict_t v, int *any)
{
    if (!*any || rank(v) > rank(im->verdict))
        im->verdict = v;
    *any = 1;
}

/* n bytes of s at most, cut at a character's start. */
static size_t utf8_cut(const char *s, size_t len, size_t n)
{
    if (len <= n)
        return len;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

/* s into dst (cap bytes), cut at a character; a field the payload lacks is {NULL, 0}. */
static size_t copy_cut(char *dst, size_t cap, fidx_str_t s)
{
    if (!s.p || !s.len)
        return 0;
    size_t n = utf8_cut(s.p, s.len, cap);
    memcpy(dst, s.p, n);
    return n;
}

/* One QR code: its VietQR facts, and its text checked as GET /v1/check checks a value (a
 * VietQR payload as its account). */
static void read_code(fidx__worker_t *w, fidx_str_t code, fidx__page_image_t *im, int *any)
{
    fidx__page_code_t *c = &im->codes[im->n_codes++];
    fidx_emvco_t q;
    fidx_err_t err = {0};
    memset(c, 0, offsetof(fidx__page_code_t, found));
    c->text_len = copy_cut(c->text, sizeof c->text, code);
    if (fidx_emvco_parse(code.p, code.len, &q, &err) == 0) {
        c->vietqr = 1;
        if (q.bank)
            c->bank_len = copy_cut(c->bank, sizeof c->bank,
                                   fidx_str(q.bank->short_name, strlen(q.bank->short_name)));
        c->amount_len = copy_cut(c->amount, sizeof c->amount, q.amount);
        c->name_len = copy_cut(c->name, sizeof c->name, q.name);
    }
    int rc = fidx__check_value(w, FIDX_KIND_NONE, NULL, code.p, code.len, &w->scratch, &err);
    fidx__sbuf_reset(&w->scratch, 1024 * 1024); /* its JSON is not needed */
    if (rc != 0)
        return; /* a greeting, a broken code: shown as its text */
    const fidx_result_t *r = &w->result;
    c->judged = 1;
    fidx__page_message_found(&c->found, r, 0, c->text_len);
    if (r->verdict == FIDX_VERDICT_SCAM && r->has_match && !fidx__page_community_only(&r->match))
        im->verified = 1;
    worsen(im, r->verdict, any);
}

/* The recognised text (its first FIDX__PAGE_MAX_MESSAGE bytes), scanned as a message. */
static int read_text(fidx__worker_t *w, const fidx__image_outcome_t *o, fidx__page_image_t *im,
                     int *any)
{
    const fidx__ocr_text_t *t = &o->res.ocr;
    im->ocr_off = o->ocr_off;
    if (!t->text || !t->len)
        return 0;
    size_t n = utf8_cut(t->text, t->len, FIDX__PAGE_MAX_MESSAGE);
    im->text = fidx_str(t->text, n);
    im->text_cut = n < t->len;
    const fidx__page_message_t *m;
    int rc = fidx__page_message_check(w, t->text, n, &m);
    if (rc == FIDX_ENOMEM)
        return rc;
    if (rc != 0)
        return 0; /* shown as text, nothing judged */
    im->message = m;
    if (m->n_found)
        worsen(im, m->verdict, any);
    if (m->verified)
        im->verified = 1;
    return 0;
}

static void image_page(fidx__worker_t *w, const fidx__image_outcome_t *o, fidx__page_image_t *im)
{
    int any = 0;
    memset(im, 0, sizeof *im);
    im->verdict = FIDX_VERDICT_UNKNOWN;
    if (o->rc != 0) {
        im->error = o->rc == FIDX_EINVAL ? 400 : o->rc == FIDX_ETOOBIG ? 413 : 503;
        return;
    }
    const fidx__qr_list_t *qr = &o->res.qr;
    for (size_t i = 0; i < qr->count; i++) {
        if (im->n_codes == FIDX__PAGE_MAX_CODES) {
            im->codes_more = 1;
            break;
        }
        read_code(w, qr->codes[i], im, &any);
    }
    im->codes_more |= qr->dropped > 0;
    if (read_text(w, o, im, &any) != 0)
        im->error = 503;
}

static void on_read(fidx__worker_t *w, const fidx__image_outcome_t *o, void *arg)
{
    pending_t *p = arg;
    fidx__resp_t resp;
    fidx__page_t pg;
    fidx__page_image_t im;
    fidx__sbuf_reset(&w->scratch, 1024 * 1024);
    fidx__resp_init(&resp, &w->scratch);
    resp.route = FIDX__ROUTE_PAGE;
    if (o->cancelled) { /* the client is gone: this only frees */
        fidx__reply_send(p->reply, 503, "", 0);
        free(p);
        return;
    }
    image_page(w, o, &im);
    fidx__page_request_begin(w, &pg, p->lang, p->lang_given);
    pg.image = &im;
    pg.answer_focus = 1;
    fidx__page_request_send(&resp, &pg, im.error ? im.error : 200, 0);
    if (im.error == 503)
        resp.retry_after = RETRY_AFTER;
    fidx__reply_send_resp(p->reply, &resp);
    free(p);
}

/* ---- the request ---- */

/* The page at once, with why the picture was not read (error: 1 none chosen, 400, 413, 503). */
static void refuse(const fidx__req_t *req, fidx__resp_t *resp, fidx__lang_t lang, int given,
                   int error)
{
    fidx__page_image_t im;
    fidx__page_t pg;
    memset(&im, 0, sizeof im);
    im.error = error;
    fidx__page_request_begin(req->w, &pg, lang, given);
    pg.image = &im;
    pg.answer_focus = 1;
    fidx__page_request_send(resp, &pg, error == 1 ? 400 : error, 0);
    if (error == 503)
        resp->retry_after = RETRY_AFTER;
}

/* The form's language ("lang": vi or en) and its picture: the first "image" part not empty. */
static int read_form(const fidx__req_t *req, fidx_str_t *picture, fidx__lang_t *lang, int *given)
{
    fidx__multipart_part_t parts[MAX_PARTS];
    fidx_str_t boundary;
    size_t n;
    fidx_err_t err = {0};
    *picture = fidx_str(NULL, 0);
    if (!req->content_type.p || req->content_type_overflow ||
        fidx__multipart_boundary(req->content_type.p, req->content_type.len, &boundary, &err) ||
        fidx__multipart_parse(req->body ? req->body : "", req->body_len, boundary, parts, MAX_PARTS,
                              &n, &err))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (fidx_str_eq(parts[i].name, "lang"))
            *given = fidx__lang_parse(parts[i].data.p, parts[i].data.len, lang) == 0;
        else if (fidx_str_eq(parts[i].name, "image") && parts[i].data.len && !picture->len)
            *picture = parts[i].data;
    }
    return 0;
}

void fidx__route_page_image(const fidx__req_t *req, fidx__resp_t *resp)
{
    fidx__worker_t *w = req->w;
    fidx__lang_t lang = FIDX__LANG_VI;
    int given = 0;
    fidx_str_t picture;
    if (read_form(req, &picture, &lang, &given) != 0) {
        fidx__resp_error(resp, 400, "bad_request",
                         "the body must be multipart/form-data with the picture in \"image\"");
        return;
    }
    if (!picture.len) {
        refuse(req, resp, lang, given, 1);
        return;
    }
    if (fidx__image_precheck((const uint8_t *)picture.p, picture.len, resp) != 0) {
        int status = resp->status;
        refuse(req, resp, lang, given, status == 413 ? 413 : 400);
        return;
    }
    pending_t *p = calloc(1, sizeof *p);
    if (!w->svc->images || !p || !(p->reply = fidx__req_defer(req, resp))) {
        free(p);
        refuse(req, resp, lang, given, 503);
        return;
    }
    p->lang = lang;
    p->lang_given = given;
    size_t offset = (size_t)(picture.p - req->body), len;
    uint8_t *bytes = (uint8_t *)fidx__req_take_body(req, &len);
    int rc = FIDX_ENOMEM;
    if (bytes) { /* the picture to the front of the body it is in: the task frees the whole */
        memmove(bytes, bytes + offset, picture.len);
        rc = fidx__image_task_submit(w, bytes, picture.len, on_read, p);
    }
    if (rc == 0)
        return;
    fidx__req_undefer(req, p->reply);
    free(p);
    refuse(req, resp, lang, given, 503);
}
