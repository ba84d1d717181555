/* Vietnam's 34 provinces and centrally-run cities since 1 July 2025 (Resolution
 * 202/2025/QH15 of the National Assembly, which merged the 63 of before), with the stable
 * codes warnings use for them: ASCII slugs of their Vietnamese names ("ha-noi", "ho-chi-minh").
 * A code never changes once published (a feed URL, a bot's configuration hold it); the list is
 * in docs/WARNINGS.md. "all" is the whole country. */
#ifndef FIDX_SERVICE_PROVINCES_H
#define FIDX_SERVICE_PROVINCES_H

#include <stddef.h>

#define FIDX__PROVINCE_COUNT 34
#define FIDX__PROVINCE_CODE_MAX 16 /* bytes of the longest code, with room */

typedef struct {
    const char *code;    /* "ha-noi" */
    const char *name_vi; /* "Hà Nội" */
    const char *name_en; /* "Hanoi" */
} fidx__province_t;

/* The province at index i (0..FIDX__PROVINCE_COUNT-1), in the table's order (north to south). */
const fidx__province_t *fidx__province_at(int i);

/* The index of the province whose code is p[0..len), or -1. */
int fidx__province_find(const char *p, size_t len);

#endif
