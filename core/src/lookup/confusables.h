/* The confusable-character table, generated at build time from ICU's UTS #39 data by
 * cmake/confusables_gen.c (which says how each skeleton is folded for host names). */
#ifndef FIDX_LOOKUP_CONFUSABLES_H
#define FIDX_LOOKUP_CONFUSABLES_H

#include <stddef.h>
#include <stdint.h>

/* Code point cp looks like the UTF-8 bytes s[0..len) (len 0: it is dropped, as a combining
 * mark is). Code points not in the table look only like themselves. */
typedef struct {
    uint32_t cp;
    uint8_t len;
    char s[7];
} fidx__confusable_t;

extern const fidx__confusable_t fidx__confusables[]; /* sorted by cp */
extern const size_t fidx__confusables_count;

#endif
