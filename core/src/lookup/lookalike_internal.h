/* Shared by the look-alike index (lookalike.c) and its skeleton folding (lookalike_fold.c). */
#ifndef FIDX_LOOKUP_LOOKALIKE_INTERNAL_H
#define FIDX_LOOKUP_LOOKALIKE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* A host name is at most 253 bytes; a label at most 63. */
#define FIDX__LA_MAX_HOST 253
#define FIDX__LA_MAX_LABEL 63
/* Room for a host's skeleton: every input byte folds to at most 7 bytes (a punycode label
 * decodes to at most as many code points as it has bytes). */
#define FIDX__LA_SKEL_CAP 2048

/* How one ASCII character folds (the table's entry for it, or itself). */
typedef struct {
    uint8_t len;
    char s[7];
} fidx__la_ascii_t;

/* Fills map[0..128) from the generated confusables table. */
void fidx__la_ascii_init(fidx__la_ascii_t map[128]);

/* Decodes the punycode of an IDN label (p[0..len), the part after "xn--") into cp[0..cap),
 * RFC 3492 section 6.2. The number of code points, or -1 when p is not valid punycode, gives
 * more than cap code points, or a code point outside Unicode's scalar values. */
int fidx__punycode_decode(const char *p, size_t len, uint32_t *cp, size_t cap);

/* The skeleton of a canonical host host[0..len) into out (FIDX__LA_SKEL_CAP bytes): each
 * label folded code point by code point ("xn--" labels decoded first; one that does not
 * decode is folded as ASCII), '.' kept. Returns the length. */
size_t fidx__la_skeleton(const fidx__la_ascii_t map[128], const char *host, size_t len, char *out);

#endif
