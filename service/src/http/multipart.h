/* multipart/form-data bodies (RFC 7578 over RFC 2046's multipart syntax), read strictly and
 * without copying: what a plain HTML form with a file sends (the page's image form, which must
 * work without JavaScript). The parts point into the body, which stays the caller's.
 *
 * Strict: the body starts with the first delimiter (no preamble) and ends with the close
 * delimiter and at most a CRLF; every part has a Content-Disposition of form-data with a name;
 * a part's header section is at most FIDX__MULTIPART_MAX_HEADER bytes; at most `max` parts.
 * Anything else is refused with a reason and the byte offset. */
#ifndef FIDX_SERVICE_HTTP_MULTIPART_H
#define FIDX_SERVICE_HTTP_MULTIPART_H

#include <stddef.h>

#include "fidx/error.h"
#include "fidx/str.h"

#define FIDX__MULTIPART_BOUNDARY_MAX 70 /* RFC 2046 */
#define FIDX__MULTIPART_MAX_HEADER 1024 /* bytes of one part's header section */

typedef struct {
    fidx_str_t name;     /* the form field's name */
    fidx_str_t filename; /* the file's name as sent (may be empty), when is_file */
    int is_file;         /* the part gave a filename: a file input's, even an empty one */
    fidx_str_t type;     /* the part's Content-Type as sent; empty when none */
    fidx_str_t data;     /* its content, borrowed from the body */
} fidx__multipart_part_t;

/* The boundary of a Content-Type "multipart/form-data; boundary=…" (quoted or not, 1 to 70
 * characters RFC 2046 allows). 0 and *boundary (borrowed from ct), or FIDX_EINVAL with
 * err->reason. */
FIDX_MUST_CHECK int fidx__multipart_boundary(const char *ct, size_t len, fidx_str_t *boundary,
                                             fidx_err_t *err);

/* Splits body[0..len) into its parts, in order, into parts[0..max). 0 and *n; FIDX_EINVAL for
 * a malformed body, FIDX_ELIMIT for more than max parts, with err (reason, offset). */
FIDX_MUST_CHECK int fidx__multipart_parse(const char *body, size_t len, fidx_str_t boundary,
                                          fidx__multipart_part_t *parts, size_t max, size_t *n,
                                          fidx_err_t *err);

#endif
