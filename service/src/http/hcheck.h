/* The checks a careful server adds on top of http-parser 2.9.4, which lets through request
 * shapes used for request smuggling: bare LF line ends, folded header lines, whitespace or
 * other non-token bytes in header names, a repeated or list-valued Content-Length,
 * Content-Length together with Transfer-Encoding, any Transfer-Encoding other than a single
 * `chunked`, and chunked framing whose CRLFs are not CRLFs. Each is refused (400, close).
 *
 * Two parts, both fed by conn.c:
 * - raw scanners over the bytes of the header section and of a chunked body, run on each piece
 *   of input before http-parser sees it; they also tell where the header section or chunked
 *   body ends, so the parser is given exactly one section at a time;
 * - header semantics, fed by the parser's header callbacks and judged when headers end. */
#ifndef FIDX_SERVICE_HTTP_HCHECK_H
#define FIDX_SERVICE_HTTP_HCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "fidx/error.h"

/* What the next bytes of a connection are. */
enum {
    FIDX__HC_HEAD = 0, /* request line and header fields */
    FIDX__HC_HEAD_END, /* the header section is scanned; the parser has yet to read its end */
    FIDX__HC_BODY,     /* no body or a Content-Length body: http-parser frames it */
    FIDX__HC_CHUNKED,  /* chunked body: the strict scanner frames it */
};

#define FIDX__HC_NAME_MAX 24   /* longer header names are none we care about */
#define FIDX__HC_VALUE_MAX 128 /* longer values of headers we read are refused or cut */
#define FIDX__HC_CHUNK_LINE_MAX 4096

typedef struct {
    uint8_t phase;
    uint8_t state; /* of the current raw scanner */
    size_t bytes;  /* header section (or trailer) bytes so far */
    size_t lines;  /* non-empty lines of the header section so far */
    size_t max_header_bytes;
    uint64_t max_body_bytes;

    /* header fields, as http-parser hands them over (names and values may come in pieces) */
    int in_value;
    uint8_t field; /* which header the current value belongs to */
    size_t name_len;
    char name[FIDX__HC_NAME_MAX];
    size_t value_len;
    int value_overflow;
    char value[FIDX__HC_VALUE_MAX];
    unsigned n_content_length, n_transfer_encoding, n_host;
    uint64_t content_length;

    /* what the request says, for the handlers */
    int expect_continue;
    int content_type_overflow;
    size_t content_type_len;
    char content_type[FIDX__HC_VALUE_MAX];

    /* chunked framing */
    uint64_t chunk_left;
    unsigned chunk_digits;
    size_t chunk_line;

    const char *reason; /* why the request is refused (static) */
} fidx__hcheck_t;

void fidx__hcheck_init(fidx__hcheck_t *c, size_t max_header_bytes, uint64_t max_body_bytes);
/* Ready for the next request on the connection. */
void fidx__hcheck_reset(fidx__hcheck_t *c);

/* Scans p[0..len) of the header section. *used: how many bytes belong to it (all of them while
 * it goes on; up to and including the final CRLF when it ends, phase then FIDX__HC_HEAD_END
 * until fidx__hcheck_headers_done). Returns 0, FIDX_EINVAL (c->reason; answer 400) or FIDX_ETOOBIG
 * (over max_header_bytes; answer 413). */
FIDX_MUST_CHECK int fidx__hcheck_head(fidx__hcheck_t *c, const char *p, size_t len, size_t *used);

/* Scans p[0..len) of a chunked body: chunk-size lines with extensions, data, CRLFs, trailer
 * fields and the final CRLF, all strictly. *used as above; phase becomes FIDX__HC_BODY after
 * the final CRLF. FIDX_ETOOBIG when one chunk is larger than max_body_bytes. */
FIDX_MUST_CHECK int fidx__hcheck_chunked(fidx__hcheck_t *c, const char *p, size_t len,
                                         size_t *used);

/* Pieces of a header field name and value, from http-parser's callbacks. */
FIDX_MUST_CHECK int fidx__hcheck_field(fidx__hcheck_t *c, const char *p, size_t len);
FIDX_MUST_CHECK int fidx__hcheck_value(fidx__hcheck_t *c, const char *p, size_t len);

/* Judges the header fields once all are in (http_major/minor of the request) and sets the
 * phase for the body. chunked: whether http-parser decided the body is chunked (it must agree
 * with what the fields say). */
FIDX_MUST_CHECK int fidx__hcheck_headers_done(fidx__hcheck_t *c, unsigned http_major,
                                              unsigned http_minor, int chunked);

#endif
