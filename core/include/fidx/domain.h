/* Domains: lower-case, punycode (IDNA via libidn2), no trailing dot, e.g. "xn--ngnhng-ltan.vn".
 * An entry matches the domain and all its subdomains. */
#ifndef FIDX_DOMAIN_H
#define FIDX_DOMAIN_H

#include <stddef.h>

#include "fidx/error.h"

/* Accepts "Evil.COM.", "https://evil.com/x" (the host is taken), "evil[.]com", "evil(.)com",
 * Unicode hosts. Rejects what is not a host name (no dot, bad label, label > 63 bytes, name
 * > 253 bytes, IP addresses). Returns 0, FIDX_EINVAL (err->reason), FIDX_ETOOBIG, FIDX_ENOSPC. */
FIDX_MUST_CHECK int fidx_domain_normalize(const char *p, size_t len, char *out, size_t cap,
                                          size_t *out_len, fidx_err_t *err);

#endif
