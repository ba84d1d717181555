/* Shared by the image reader's tests: the images make_images.sh made (FIDX_IMAGE_DIR, set by
 * ctest), read into heap blocks of exactly their size (ASan sees any read past the end), and
 * hand-made headers for the cases no tool writes (decompression bombs). Header-only: each test
 * is one program. */
#ifndef FIDX_TEST_IMAGE_FIXTURE_H
#define FIDX_TEST_IMAGE_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

typedef struct {
    uint8_t *p;
    size_t len;
} image_file_t;

/* The file `name` of the fixture directory; fails the test when it is missing. */
__attribute__((unused)) static image_file_t image_file(const char *name)
{
    const char *dir = getenv("FIDX_IMAGE_DIR");
    char path[1024];
    if (!dir)
        fail_msg("FIDX_IMAGE_DIR is not set (ctest sets it; or run make_images.sh DIR)");
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    image_file_t file = {malloc(n > 0 ? (size_t)n : 1), (size_t)n};
    assert_non_null(file.p);
    assert_int_equal(fread(file.p, 1, file.len, f), file.len);
    fclose(f);
    return file;
}

/* The text file `name` without its final newline (a NUL-terminated string; free it). */
__attribute__((unused)) static char *image_text(const char *name)
{
    image_file_t f = image_file(name);
    char *s = realloc(f.p, f.len + 1);
    assert_non_null(s);
    while (f.len > 0 && (s[f.len - 1] == '\n' || s[f.len - 1] == '\r'))
        f.len--;
    s[f.len] = '\0';
    return s;
}

/* An exact-size copy of the first n bytes (a file cut short). */
__attribute__((unused)) static uint8_t *image_prefix(const image_file_t *f, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, f->p, n);
    return p;
}

__attribute__((unused)) static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Appends a PNG chunk (length, type, data, CRC) at buf + *n. */
__attribute__((unused)) static void png_chunk(uint8_t *buf, size_t *n, const char *type,
                                              const uint8_t *data, size_t len)
{
    put_be32(buf + *n, (uint32_t)len);
    memcpy(buf + *n + 4, type, 4);
    if (len)
        memcpy(buf + *n + 8, data, len);
    put_be32(buf + *n + 8 + len, (uint32_t)crc32(0, buf + *n + 4, (uInt)(len + 4)));
    *n += 12 + len;
}

/* A valid 1-bit grayscale PNG of width x height, all black, whose pixel data is `rows` rows of
 * zeros deflated (a decompression bomb when it declares far more rows than it carries: its
 * header alone must get it refused). Caller frees; *len its size. */
__attribute__((unused)) static uint8_t *png_bomb(uint32_t width, uint32_t height, uint32_t rows,
                                                 size_t *len)
{
    size_t row = 1 + ((size_t)width + 7) / 8, raw = row * rows;
    uint8_t *zeros = calloc(raw ? raw : 1, 1);
    uLongf zlen = compressBound((uLong)raw);
    uint8_t *z = malloc(zlen);
    assert_true(zeros && z);
    assert_int_equal(compress2(z, &zlen, zeros, (uLong)raw, 9), Z_OK);
    free(zeros);
    uint8_t *buf = malloc(8 + 25 + 12 + zlen + 12);
    assert_non_null(buf);
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    memcpy(buf, sig, 8);
    size_t n = 8;
    uint8_t ihdr[13] = {0, 0, 0, 0, 0, 0, 0, 0, 1 /* depth */, 0 /* gray */, 0, 0, 0};
    put_be32(ihdr, width);
    put_be32(ihdr + 4, height);
    png_chunk(buf, &n, "IHDR", ihdr, sizeof ihdr);
    png_chunk(buf, &n, "IDAT", z, zlen);
    png_chunk(buf, &n, "IEND", NULL, 0);
    free(z);
    *len = n;
    return buf;
}

#endif
