/* Request-smuggling checks on top of http-parser 2.9.4 (see hcheck.h for the list).
 *
 * http-parser, built non-strict as Debian ships it, accepts a bare LF wherever CRLF belongs,
 * folded header lines, "Content-Length : 1", "Transfer-Encoding: gzip, chunked" and any two
 * bytes after a chunk's data. A front proxy may read such a request differently from us, so
 * these scanners accept only the strict grammar of RFC 9112 and refuse the rest. */
#include "http/hcheck.h"

#include <string.h>
#include <strings.h>

enum { H_LINE_START = 0, H_LINE, H_CR, H_EMPTY_CR };

enum {
    C_SIZE_START = 0,
    C_SIZE,
    C_BWS,
    C_EXT,
    C_SIZE_LF,
    C_DATA,
    C_DATA_CR,
    C_DATA_LF,
    C_TR_START,
    C_TR_LINE,
    C_TR_LF,
    C_FINAL_LF,
};

enum { F_OTHER = 0, F_CONTENT_LENGTH, F_TRANSFER_ENCODING, F_HOST, F_CONTENT_TYPE, F_EXPECT };

void fidx__hcheck_init(fidx__hcheck_t *c, size_t max_header_bytes, uint64_t max_body_bytes)
{
    memset(c, 0, sizeof *c);
    c->max_header_bytes = max_header_bytes;
    c->max_body_bytes = max_body_bytes;
}

void fidx__hcheck_reset(fidx__hcheck_t *c)
{
    fidx__hcheck_init(c, c->max_header_bytes, c->max_body_bytes);
}

static int fail(fidx__hcheck_t *c, int code, const char *reason)
{
    c->reason = reason;
    return code;
}

/* Control characters other than HT have no place in a header section (obs-text, bytes >= 0x80,
 * is allowed in values and judged by whoever reads the value). */
static int is_ctl(unsigned char ch)
{
    return (ch < 0x20 && ch != '\t') || ch == 0x7f;
}

/* One byte of the header section; returns 1 when the section ends with it, 0 to go on, or a
 * negative code. */
static int head_byte(fidx__hcheck_t *c, unsigned char ch)
{
    switch (c->state) {
    case H_LINE_START:
        if (ch == '\r') {
            c->state = H_EMPTY_CR;
            return 0;
        }
        if (ch == ' ' || ch == '\t')
            return fail(c, FIDX_EINVAL,
                        c->lines ? "folded header line" : "whitespace before the request line");
        /* the first byte of a line is judged like the others */
        __attribute__((fallthrough));
    case H_LINE:
        if (ch == '\r') {
            c->state = H_CR;
            return 0;
        }
        if (ch == '\n')
            return fail(c, FIDX_EINVAL, "bare LF line end");
        if (is_ctl(ch))
            return fail(c, FIDX_EINVAL, "control character in the header section");
        c->state = H_LINE;
        return 0;
    case H_CR:
        if (ch != '\n')
            return fail(c, FIDX_EINVAL, "CR without LF");
        c->lines++;
        c->state = H_LINE_START;
        return 0;
    default: /* H_EMPTY_CR */
        if (ch != '\n')
            return fail(c, FIDX_EINVAL, "CR without LF");
        c->state = H_LINE_START;
        /* Empty lines before the request line are allowed (RFC 9112 2.2); after it, one ends
         * the section. */
        return c->lines ? 1 : 0;
    }
}

/* Inside a line nearly every byte is text that only moves the count on. The length of the run
 * of such bytes at p, at most `room` (what the size limit leaves): up to the next CR (memchr)
 * when no control character comes before it, checked in a loop without branches that the
 * compiler vectorises. The byte that ends the run (CR, a control character, the one past the
 * limit) is then judged by head_byte like any other. */
static size_t text_run(const char *p, size_t len, size_t room)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t n = len < room ? len : room;
    const unsigned char *cr = memchr(s, '\r', n);
    if (cr)
        n = (size_t)(cr - s);
    unsigned bad = 0;
    for (size_t k = 0; k < n; k++)
        bad |= (unsigned)((s[k] < 0x20) & (s[k] != '\t')) | (unsigned)(s[k] == 0x7f);
    if (!bad)
        return n;
    size_t k = 0;
    while (!is_ctl(s[k]))
        k++;
    return k;
}

int fidx__hcheck_head(fidx__hcheck_t *c, const char *p, size_t len, size_t *used)
{
    for (size_t i = 0; i < len; i++) {
        if (c->state == H_LINE) {
            size_t run = text_run(p + i, len - i, c->max_header_bytes - c->bytes);
            c->bytes += run;
            i += run;
            if (i == len)
                break;
        }
        if (++c->bytes > c->max_header_bytes)
            return fail(c, FIDX_ETOOBIG, "request header section too large");
        int r = head_byte(c, (unsigned char)p[i]);
        if (r < 0)
            return r;
        if (r == 1) {
            *used = i + 1;
            c->phase = FIDX__HC_HEAD_END;
            return 0;
        }
    }
    *used = len;
    return 0;
}

static int hex_value(unsigned char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch |= 0x20;
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* The chunk-size line: 1*HEXDIG [BWS ";" ext] CRLF. */
static int chunk_size_byte(fidx__hcheck_t *c, unsigned char ch)
{
    if (++c->chunk_line > FIDX__HC_CHUNK_LINE_MAX)
        return fail(c, FIDX_EINVAL, "chunk size line too long");
    int v = hex_value(ch);
    switch (c->state) {
    case C_SIZE_START:
    case C_SIZE:
        if (v >= 0) {
            if (++c->chunk_digits > 16)
                return fail(c, FIDX_EINVAL, "chunk size too large");
            c->chunk_left = c->chunk_left * 16 + (uint64_t)v;
            c->state = C_SIZE;
            return 0;
        }
        if (c->state == C_SIZE_START)
            return fail(c, FIDX_EINVAL, "invalid chunk size");
        __attribute__((fallthrough));
    case C_BWS:
        if (ch == ' ' || ch == '\t') {
            c->state = C_BWS;
            return 0;
        }
        if (ch == ';') {
            c->state = C_EXT;
            return 0;
        }
        if (ch == '\r') {
            c->state = C_SIZE_LF;
            return 0;
        }
        return fail(c, FIDX_EINVAL, "invalid chunk size line");
    case C_EXT:
        if (ch == '\r') {
            c->state = C_SIZE_LF;
            return 0;
        }
        if (is_ctl(ch) || ch == '\n')
            return fail(c, FIDX_EINVAL, "invalid chunk extension");
        return 0;
    default: /* C_SIZE_LF */
        if (ch != '\n')
            return fail(c, FIDX_EINVAL, "chunk size line must end with CRLF");
        if (c->chunk_left > c->max_body_bytes)
            return fail(c, FIDX_ETOOBIG, "request body too large");
        c->chunk_line = 0;
        c->chunk_digits = 0;
        c->state = c->chunk_left ? C_DATA : C_TR_START;
        return 0;
    }
}

/* After the last chunk: trailer fields (ignored, but framed strictly) and the final CRLF.
 * Returns 1 when the body ends with this byte. */
static int trailer_byte(fidx__hcheck_t *c, unsigned char ch)
{
    if (++c->bytes > c->max_header_bytes)
        return fail(c, FIDX_ETOOBIG, "chunked trailer section too large");
    switch (c->state) {
    case C_TR_START:
        if (ch == '\r') {
            c->state = C_FINAL_LF;
            return 0;
        }
        if (ch == ' ' || ch == '\t')
            return fail(c, FIDX_EINVAL, "folded trailer line");
        __attribute__((fallthrough));
    case C_TR_LINE:
        if (ch == '\r') {
            c->state = C_TR_LF;
            return 0;
        }
        if (ch == '\n')
            return fail(c, FIDX_EINVAL, "bare LF line end in trailer");
        if (is_ctl(ch))
            return fail(c, FIDX_EINVAL, "control character in trailer");
        c->state = C_TR_LINE;
        return 0;
    case C_TR_LF:
        if (ch != '\n')
            return fail(c, FIDX_EINVAL, "CR without LF in trailer");
        c->state = C_TR_START;
        return 0;
    default: /* C_FINAL_LF */
        if (ch != '\n')
            return fail(c, FIDX_EINVAL, "chunked body must end with CRLF");
        return 1;
    }
}

int fidx__hcheck_chunked(fidx__hcheck_t *c, const char *p, size_t len, size_t *used)
{
    size_t i = 0;
    while (i < len) {
        unsigned char ch = (unsigned char)p[i];
        int r = 0;
        if (c->state == C_DATA) {
            uint64_t n = len - i < c->chunk_left ? len - i : c->chunk_left;
            c->chunk_left -= n;
            i += (size_t)n;
            if (c->chunk_left == 0)
                c->state = C_DATA_CR;
            continue;
        }
        if (c->state == C_DATA_CR || c->state == C_DATA_LF) {
            if (ch != (c->state == C_DATA_CR ? '\r' : '\n'))
                return fail(c, FIDX_EINVAL, "chunk data must end with CRLF");
            c->state = c->state == C_DATA_CR ? C_DATA_LF : C_SIZE_START;
        } else if (c->state >= C_TR_START) {
            r = trailer_byte(c, ch);
        } else {
            r = chunk_size_byte(c, ch);
        }
        if (r < 0)
            return r;
        i++;
        if (r == 1) {
            c->phase = FIDX__HC_BODY;
            *used = i;
            return 0;
        }
    }
    *used = len;
    return 0;
}

/* RFC 9110 tchar: DIGIT, ALPHA and !#$%&'*+-.^_`|~, as a bitmap of the 128 ASCII codes (bit
 * c % 64 of word c / 64), since every byte of every header name is tested. */
static int is_tchar(unsigned char ch)
{
    static const uint64_t tchar[2] = {0x03ff6cfa00000000ull, 0x57ffffffc7fffffeull};
    return ch < 128 && ((tchar[ch >> 6] >> (ch & 63)) & 1);
}

static uint8_t classify(const char *name, size_t len)
{
    static const struct {
        const char *name;
        uint8_t id;
    } known[] = {
        {"content-length", F_CONTENT_LENGTH},
        {"transfer-encoding", F_TRANSFER_ENCODING},
        {"host", F_HOST},
        {"content-type", F_CONTENT_TYPE},
        {"expect", F_EXPECT},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i].name) == len && strncasecmp(known[i].name, name, len) == 0)
            return known[i].id;
    return F_OTHER;
}

static void trim(const char **p, size_t *len)
{
    while (*len && ((*p)[0] == ' ' || (*p)[0] == '\t')) {
        (*p)++;
        (*len)--;
    }
    while (*len && ((*p)[*len - 1] == ' ' || (*p)[*len - 1] == '\t'))
        (*len)--;
}

static int judge_content_length(fidx__hcheck_t *c, const char *v, size_t n)
{
    if (++c->n_content_length > 1)
        return fail(c, FIDX_EINVAL, "repeated Content-Length");
    if (c->value_overflow || n == 0 || n > 19)
        return fail(c, FIDX_EINVAL, "invalid Content-Length");
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == ',')
            return fail(c, FIDX_EINVAL, "Content-Length list");
        if (v[i] < '0' || v[i] > '9')
            return fail(c, FIDX_EINVAL, "invalid Content-Length");
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    c->content_length = x;
    return 0;
}

/* A header value is complete: judge the ones that decide framing, keep what handlers read. */
static int finish_value(fidx__hcheck_t *c)
{
    const char *v = c->value;
    size_t n = c->value_len;
    trim(&v, &n);
    c->in_value = 0;
    switch (c->field) {
    case F_CONTENT_LENGTH:
        return judge_content_length(c, v, n);
    case F_TRANSFER_ENCODING:
        if (++c->n_transfer_encoding > 1)
            return fail(c, FIDX_EINVAL, "repeated Transfer-Encoding");
        if (c->value_overflow || n != 7 || strncasecmp(v, "chunked", 7) != 0)
            return fail(c, FIDX_EINVAL, "Transfer-Encoding other than chunked");
        return 0;
    case F_HOST:
        c->n_host++;
        return 0;
    case F_CONTENT_TYPE:
        memcpy(c->content_type, v, n);
        c->content_type_len = n;
        c->content_type_overflow = c->value_overflow;
        return 0;
    case F_EXPECT:
        c->expect_continue =
            !c->value_overflow && n == 12 && strncasecmp(v, "100-continue", 12) == 0;
        return 0;
    default:
        return 0;
    }
}

int fidx__hcheck_field(fidx__hcheck_t *c, const char *p, size_t len)
{
    if (c->in_value) {
        int r = finish_value(c);
        if (r)
            return r;
        c->name_len = 0;
    }
    for (size_t i = 0; i < len; i++)
        if (!is_tchar((unsigned char)p[i]))
            return fail(c, FIDX_EINVAL, "invalid character in a header name");
    if (c->name_len + len <= sizeof c->name)
        memcpy(c->name + c->name_len, p, len);
    c->name_len += len;
    return 0;
}

int fidx__hcheck_value(fidx__hcheck_t *c, const char *p, size_t len)
{
    if (!c->in_value) {
        if (c->name_len == 0)
            return fail(c, FIDX_EINVAL, "empty header name");
        c->field = c->name_len <= sizeof c->name ? classify(c->name, c->name_len) : F_OTHER;
        c->in_value = 1;
        c->value_len = 0;
        c->value_overflow = 0;
    }
    if (c->field == F_OTHER)
        return 0;
    if (c->value_len + len > sizeof c->value) {
        c->value_overflow = 1;
        len = sizeof c->value - c->value_len;
    }
    memcpy(c->value + c->value_len, p, len);
    c->value_len += len;
    return 0;
}

int fidx__hcheck_headers_done(fidx__hcheck_t *c, unsigned http_major, unsigned http_minor,
                              int chunked)
{
    if (c->in_value) {
        int r = finish_value(c);
        if (r)
            return r;
    } else if (c->name_len) {
        return fail(c, FIDX_EINVAL, "header name without a value");
    }
    if (http_major != 1 || http_minor > 1)
        return fail(c, FIDX_EINVAL, "unsupported HTTP version");
    int http11 = http_minor == 1;
    if (c->n_content_length && c->n_transfer_encoding)
        return fail(c, FIDX_EINVAL, "Content-Length with Transfer-Encoding");
    if (c->n_transfer_encoding && !http11)
        return fail(c, FIDX_EINVAL, "Transfer-Encoding in an HTTP/1.0 request");
    if (c->n_host > 1)
        return fail(c, FIDX_EINVAL, "repeated Host header");
    if (http11 && c->n_host == 0)
        return fail(c, FIDX_EINVAL, "missing Host header");
    if (!!chunked != !!c->n_transfer_encoding)
        return fail(c, FIDX_EINVAL, "ambiguous message framing");
    if (c->n_content_length && c->content_length > c->max_body_bytes)
        return fail(c, FIDX_ETOOBIG, "request body too large");
    c->phase = chunked ? FIDX__HC_CHUNKED : FIDX__HC_BODY;
    c->state = C_SIZE_START;
    c->bytes = 0; /* the trailer section, if any, has its own allowance */
    return 0;
}
