/* Shared by the files of the image reader (service/src/image/), not used outside it. */
#ifndef FIDX_SERVICE_IMAGE_INTERNAL_H
#define FIDX_SERVICE_IMAGE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "fidx/error.h"

/* Fills *err (when not NULL) and returns code: every reason is a static string. */
static inline int fidx__image_fail(fidx_err_t *err, int code, size_t offset, const char *reason)
{
    if (err) {
        err->code = code;
        err->offset = offset;
        err->reason = reason;
    }
    return code;
}

/* Microseconds on the monotonic clock, for the timings a result reports. */
static inline uint64_t fidx__image_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

#endif
