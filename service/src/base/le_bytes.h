/* Little-endian fields of the service's own files (write-ahead log segments, groups and
 * records; admin_records.c, wal.c, and fuzz_wal.c that forges them), byte by byte so that
 * neither alignment nor the host's byte order matters. */
#ifndef FIDX_SERVICE_LE_BYTES_H
#define FIDX_SERVICE_LE_BYTES_H

#include <stdint.h>

static inline void fidx__put16(char *p, uint16_t v)
{
    p[0] = (char)v;
    p[1] = (char)(v >> 8);
}

static inline uint16_t fidx__get16(const char *p)
{
    return (uint16_t)((unsigned char)p[0] | (unsigned char)p[1] << 8);
}

static inline void fidx__put32(char *p, uint32_t v)
{
    fidx__put16(p, (uint16_t)v);
    fidx__put16(p + 2, (uint16_t)(v >> 16));
}

static inline uint32_t fidx__get32(const char *p)
{
    return fidx__get16(p) | (uint32_t)fidx__get16(p + 2) << 16;
}

static inline void fidx__put64(char *p, uint64_t v)
{
    fidx__put32(p, (uint32_t)v);
    fidx__put32(p + 4, (uint32_t)(v >> 32));
}

static inline uint64_t fidx__get64(const char *p)
{
    return fidx__get32(p) | (uint64_t)fidx__get32(p + 4) << 32;
}

#endif
