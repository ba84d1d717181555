/* E-mail addresses: canonical form is the address in lower case ("scam@example.com"), the
 * domain part IDNA-encoded. */
#ifndef FIDX_EMAIL_H
#define FIDX_EMAIL_H

#include <stddef.h>

#include "fidx/error.h"

/* Accepts "Scam@Example.COM", "mailto:x@y.z", "<x@y.z>", defanged "x[@]y[.]z". Rejects what is
 * not local@domain (one '@', local part 1–64 bytes of RFC 5322 atext and dots, domain a valid
 * host name with a dot). Returns 0, FIDX_EINVAL (err->reason), FIDX_ETOOBIG, FIDX_ENOSPC. */
FIDX_MUST_CHECK int fidx_email_normalize(const char *p, size_t len, char *out, size_t cap,
                                         size_t *out_len, fidx_err_t *err);

#endif
