/* multipart/form-data, read strictly and without copying (multipart.h). */
#include "http/multipart.h"

#include <string.h>
#include <strings.h>

#define FORM_DATA "multipart/form-data"
#define DELIM_MAX (4 + FIDX__MULTIPART_BOUNDARY_MAX) /* CRLF "--" boundary */

/* RFC 2046's bchars: digits, letters and '()+_,-./:=? and space (never last). */
static int bchar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           strchr("'()+_,-./:=? ", c) != NULL;
}

static size_t skip_space(const char *p, size_t i, size_t len)
{
    while (i < len && (p[i] == ' ' || p[i] == '\t'))
        i++;
    return i;
}

int fidx__multipart_boundary(const char *ct, size_t len, fidx_str_t *boundary, fidx_err_t *err)
{
    size_t n = sizeof FORM_DATA - 1, i;
    if (len < n || strncasecmp(ct, FORM_DATA, n) != 0)
        return fidx_err_set(err, FIDX_EINVAL, 0, "Content-Type is not multipart/form-data");
    for (i = n; i < len;) {
        i = skip_space(ct, i, len);
        if (i >= len || ct[i] != ';')
            return fidx_err_set(err, FIDX_EINVAL, i, "malformed Content-Type parameters");
        i = skip_space(ct, i + 1, len);
        if (len - i < 9 || strncasecmp(ct + i, "boundary=", 9) != 0) {
            while (i < len && ct[i] != ';') /* another parameter (charset): skipped */
                i++;
            continue;
        }
        i += 9;
        int quoted = i < len && ct[i] == '"';
        size_t start = i + (size_t)quoted, end = start;
        while (end < len && end - start <= FIDX__MULTIPART_BOUNDARY_MAX && bchar(ct[end]) &&
               (quoted || ct[end] != ' '))
            end++;
        if (quoted && (end >= len || ct[end] != '"'))
            return fidx_err_set(err, FIDX_EINVAL, end, "boundary: unterminated or bad quote");
        size_t blen = end - start;
        if (blen == 0 || blen > FIDX__MULTIPART_BOUNDARY_MAX || ct[end - 1] == ' ')
            return fidx_err_set(err, FIDX_EINVAL, start, "boundary must be 1 to 70 characters");
        i = skip_space(ct, end + (size_t)quoted, len);
        if (i < len && ct[i] != ';')
            return fidx_err_set(err, FIDX_EINVAL, i, "boundary: characters it may not hold");
        *boundary = fidx_str(ct + start, blen);
        return 0;
    }
    return fidx_err_set(err, FIDX_EINVAL, len, "multipart/form-data without a boundary");
}

/* ---- a part's header section ---- */

/* The value of parameter name (name="…", quoted) in a Content-Disposition's parameters
 * p[0..len). 1 found, 0 absent, -1 malformed. Browsers escape '"' in names as %22, so a quoted
 * string ends at the next '"'. */
static int disposition_param(const char *p, size_t len, const char *name, fidx_str_t *out)
{
    size_t nlen = strlen(name);
    for (size_t i = 0; i < len;) {
        i = skip_space(p, i, len);
        if (i >= len || p[i] != ';')
            return -1;
        i = skip_space(p, i + 1, len);
        size_t key = i;
        while (i < len && p[i] != '=' && p[i] != ';')
            i++;
        if (i >= len || p[i] != '=')
            return -1;
        int match = i - key == nlen && strncasecmp(p + key, name, nlen) == 0;
        if (++i >= len || p[i] != '"')
            return -1;
        const char *close = memchr(p + i + 1, '"', len - i - 1);
        if (!close)
            return -1;
        if (match) {
            *out = fidx_str(p + i + 1, (size_t)(close - p - i - 1));
            return 1;
        }
        i = (size_t)(close - p) + 1;
    }
    return 0;
}

static int header_is(const char *line, size_t len, const char *name, size_t *value)
{
    size_t n = strlen(name);
    if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
        return 0;
    *value = skip_space(line, n + 1, len);
    return 1;
}

/* Content-Disposition: form-data; name="…"[; filename="…"]. 0 or -1. */
static int read_disposition(const char *v, size_t len, fidx__multipart_part_t *part)
{
    if (len < 9 || strncasecmp(v, "form-data", 9) != 0)
        return -1;
    if (disposition_param(v + 9, len - 9, "name", &part->name) != 1 || part->name.len == 0)
        return -1;
    int f = disposition_param(v + 9, len - 9, "filename", &part->filename);
    if (f < 0)
        return -1;
    part->is_file = f;
    return 0;
}

/* The header lines h[0..len) (each ending in CRLF; the blank line not included). */
static int read_headers(const char *h, size_t len, size_t base, fidx__multipart_part_t *part,
                        fidx_err_t *err)
{
    int disposition = 0;
    for (size_t i = 0; i < len;) {
        const char *eol = memmem(h + i, len - i, "\r\n", 2);
        size_t n = (size_t)(eol - h) - i, v; /* the section ends in CRLF: eol is found */
        const char *line = h + i;
        if (header_is(line, n, "Content-Disposition", &v)) {
            if (disposition++ || read_disposition(line + v, n - v, part) != 0)
                return fidx_err_set(err, FIDX_EINVAL, base + i,
                                    "a part's Content-Disposition must be form-data with a name");
        } else if (header_is(line, n, "Content-Type", &v)) {
            part->type = fidx_str(line + v, n - v);
        } else if (!memchr(line, ':', n)) {
            return fidx_err_set(err, FIDX_EINVAL, base + i, "a part's header line has no colon");
        }
        i += n + 2;
    }
    if (!disposition)
        return fidx_err_set(err, FIDX_EINVAL, base, "a part without Content-Disposition");
    return 0;
}

/* ---- the body ---- */

/* The next delimiter at or after i: CRLF "--" boundary followed by "--" (the last) or CRLF.
 * The same bytes followed by anything else are content (RFC 2046 forbids them there; a body
 * that has them still reads as its sender meant). NULL when there is none. */
static const char *next_delimiter(const char *body, size_t len, size_t i, const char *delim,
                                  size_t dlen)
{
    while (i < len) {
        const char *d = memmem(body + i, len - i, delim, dlen);
        if (!d)
            return NULL;
        size_t after = (size_t)(d - body) + dlen;
        if (len - after >= 2 &&
            (memcmp(body + after, "--", 2) == 0 || memcmp(body + after, "\r\n", 2) == 0))
            return d;
        i = (size_t)(d - body) + 1;
    }
    return NULL;
}

int fidx__multipart_parse(const char *body, size_t len, fidx_str_t boundary,
                          fidx__multipart_part_t *parts, size_t max, size_t *n, fidx_err_t *err)
{
    char delim[DELIM_MAX];
    size_t dlen = 4 + boundary.len, i;
    *n = 0;
    if (boundary.len == 0 || boundary.len > FIDX__MULTIPART_BOUNDARY_MAX)
        return fidx_err_set(err, FIDX_EINVAL, 0, "boundary must be 1 to 70 characters");
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary.p, boundary.len);
    /* The first delimiter has no CRLF before it: the body starts with it. */
    if (len < dlen - 2 || memcmp(body, delim + 2, dlen - 2) != 0)
        return fidx_err_set(err, FIDX_EINVAL, 0, "the body does not start with the boundary");
    for (i = dlen - 2;;) {
        if (len - i >= 2 && memcmp(body + i, "--", 2) == 0) { /* the close delimiter */
            i += 2;
            if (i == len || (len - i == 2 && memcmp(body + i, "\r\n", 2) == 0))
                return 0;
            return fidx_err_set(err, FIDX_EINVAL, i, "data after the last boundary");
        }
        if (len - i < 2 || memcmp(body + i, "\r\n", 2) != 0)
            return fidx_err_set(err, FIDX_EINVAL, i, "a boundary not followed by a line end");
        i += 2;
        if (*n == max)
            return fidx_err_set(err, FIDX_ELIMIT, i, "too many parts");
        size_t look =
            len - i < FIDX__MULTIPART_MAX_HEADER + 2 ? len - i : FIDX__MULTIPART_MAX_HEADER + 2;
        const char *blank = i + 2 <= len && memcmp(body + i, "\r\n", 2) == 0
                                ? body + i /* no header line at all */
                                : memmem(body + i, look, "\r\n\r\n", 4);
        if (!blank)
            return fidx_err_set(err, FIDX_EINVAL, i,
                                "a part's header section is unterminated or over 1 KiB");
        fidx__multipart_part_t *part = &parts[*n];
        memset(part, 0, sizeof *part);
        size_t hlen = (size_t)(blank - body) - i + (blank == body + i ? 0 : 2);
        int rc = read_headers(body + i, hlen, i, part, err);
        if (rc)
            return rc;
        i += hlen + 2;
        const char *end = next_delimiter(body, len, i, delim, dlen);
        if (!end)
            return fidx_err_set(err, FIDX_EINVAL, i, "a part without its closing boundary");
        part->data = fidx_str(body + i, (size_t)(end - body) - i);
        (*n)++;
        i = (size_t)(end - body) + dlen;
    }
}
