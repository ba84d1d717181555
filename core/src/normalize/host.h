/* Host-name canonicalisation (host.c), private to core: url.c calls it for every URL's host,
 * and domain.c reaches it through the URL canonicaliser. */
#ifndef FIDX_NORMALIZE_HOST_H
#define FIDX_NORMALIZE_HOST_H

#include <stddef.h>

#include "fidx/error.h"

/* Canonicalises a bare host name (no scheme, path or port): lower-case, IDNA to punycode,
 * trailing dots removed. */
FIDX_MUST_CHECK int fidx__host_canonicalize(const char *p, size_t len, char *out, size_t cap,
                                            size_t *out_len, fidx_err_t *err);

#endif
