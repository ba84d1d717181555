/* Bots' API keys (--api-keys FILE): one `NAME KEY [RATE]` per line, the file's rules those of the
 * analysts' tokens (credfile.h: mode 0600, KEY the key itself or `sha256:HEX`, compared in
 * constant time), RATE N[/UNIT] as --report-rate writes it (UNIT s, min, h or d; default
 * FIDX__APIKEY_DEFAULT_RATE per minute). A key gives its holder a rate bucket of its own and
 * its name on the reports it files (docs/API.md, "Keys and limits"). */
#ifndef FIDX_SERVICE_ADMIN_APIKEYS_H
#define FIDX_SERVICE_ADMIN_APIKEYS_H

#include <stddef.h>
#include <stdint.h>

#include "admin/credfile.h"

#define FIDX__APIKEY_DEFAULT_RATE 600 /* requests a minute when the line says no RATE */

typedef struct fidx__apikeys fidx__apikeys_t;

/* Reads path (the rules of credfile.h; a RATE that does not read, or 0, is refused with its
 * line). Caller owns *out; free with fidx__apikeys_free. */
int fidx__apikeys_load(const char *path, fidx__apikeys_t **out, char *msg, size_t cap);
void fidx__apikeys_free(fidx__apikeys_t *k);
size_t fidx__apikeys_count(const fidx__apikeys_t *k);

/* The key an Authorization value carries ("Bearer KEY"): its index, or -1. */
long fidx__apikeys_match(const fidx__apikeys_t *k, const char *auth, size_t len);

/* Key i's name (NUL-terminated, borrowed like k) and rate: rate requests per period_s. */
const char *fidx__apikeys_name(const fidx__apikeys_t *k, size_t i);
void fidx__apikeys_rate(const fidx__apikeys_t *k, size_t i, uint32_t *rate, uint32_t *period_s);

#endif
