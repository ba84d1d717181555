/* The files of the citizens' web page (service/web/), compiled into the binary at build time by
 * cmake/embed.cmake: the service never reads them from disk. */
#ifndef FIDX_SERVICE_WEB_ASSETS_H
#define FIDX_SERVICE_WEB_ASSETS_H

#include <stddef.h>
#include <string.h>

typedef struct {
    const char *name;          /* base name: "page.css" */
    const unsigned char *data; /* len bytes, then a NUL (not counted) */
    size_t len;
    const char *hash; /* first 16 hex digits of the SHA-256 of the bytes */
} fidx__asset_t;

/* Generated: every file, in the order cmake was given them. Static, read-only. */
extern const fidx__asset_t fidx__assets[];
extern const size_t fidx__asset_count;

/* The asset called name, or NULL. */
static inline const fidx__asset_t *fidx__asset_find(const char *name)
{
    for (size_t i = 0; i < fidx__asset_count; i++)
        if (strcmp(fidx__assets[i].name, name) == 0)
            return &fidx__assets[i];
    return NULL;
}

#endif
