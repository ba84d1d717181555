/* Decoding images to 8-bit grayscale with the system's decoders.
 *
 * The probe has checked the size before anything here allocates, and each decoder is held to
 * the probed width and height (a file whose decoder reads other dimensions than its header
 * gave is refused), so the output is at most FIDX__IMAGE_MAX_PIXELS bytes. libpng runs through
 * its simplified API, which catches its own longjmp errors and reports failure; libjpeg's
 * errors longjmp back here from error_exit; libwebp returns a status. A file cut short is an
 * error with all three, never a half-grey picture: libjpeg only warns about a premature end of
 * data, and that warning is turned into an error. */
#include "image_decode.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>
#include <webp/decode.h>

#include "image_internal.h"

/* ---- PNG ------------------------------------------------------------------------------------ */

static int decode_png(const uint8_t *p, size_t len, fidx__gray_t *out, fidx_err_t *err)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, p, len))
        return fidx__image_fail(err, FIDX_EINVAL, 0, "PNG header is damaged");
    if (img.width != out->width || img.height != out->height) {
        png_image_free(&img);
        return fidx__image_fail(err, FIDX_EINVAL, 0, "PNG size disagrees with its header");
    }
    img.format = PNG_FORMAT_GRAY;
    png_color white = {255, 255, 255}; /* transparent pixels are put on white */
    int ok = png_image_finish_read(&img, &white, out->pixels, (png_int_32)out->width, NULL);
    png_image_free(&img);
    if (!ok)
        return fidx__image_fail(err, FIDX_EINVAL, 0, "PNG data is damaged or cut short");
    return 0;
}

/* ---- JPEG ----------------------------------------------------------------------------------- */

typedef struct {
    struct jpeg_error_mgr mgr; /* first: libjpeg hands back a pointer to it */
    jmp_buf jump;
} jpeg_errors_t;

static void jpeg_error_exit(j_common_ptr cinfo)
{
    longjmp(((jpeg_errors_t *)(void *)cinfo->err)->jump, 1);
}

/* Warnings are silent (libjpeg would print them), except a premature end of data, which would
 * leave the rest of the picture grey: that one ends the decoding. */
static void jpeg_emit_message(j_common_ptr cinfo, int level)
{
    if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF)
        jpeg_error_exit(cinfo);
}

static int jpeg_reason(int code, fidx_err_t *err)
{
    switch (code) {
    case JWRN_JPEG_EOF:
    case JERR_INPUT_EOF:
    case JERR_INPUT_EMPTY:
        return fidx__image_fail(err, FIDX_EINVAL, 0, "JPEG data cut short");
    case JERR_NO_BACKING_STORE:
    case JERR_OUT_OF_MEMORY:
        return fidx__image_fail(err, FIDX_ETOOBIG, 0,
                                "JPEG needs more working memory than allowed (96 MiB)");
    case JERR_CONVERSION_NOTIMPL:
        return fidx__image_fail(err, FIDX_EINVAL, 0,
                                "JPEG colour space cannot be read as grayscale (CMYK?)");
    default:
        return fidx__image_fail(err, FIDX_EINVAL, 0, "JPEG data is damaged or not supported");
    }
}

/* Runs libjpeg up to the last row. Everything that must survive a longjmp lives in *cinfo and
 * *out (memory, not registers). */
static int decode_jpeg_rows(struct jpeg_decompress_struct *cinfo, fidx__gray_t *out)
{
    jpeg_read_header(cinfo, TRUE);
    if (cinfo->image_width != out->width || cinfo->image_height != out->height)
        return -1;
    cinfo->out_color_space = JCS_GRAYSCALE;
    cinfo->mem->max_memory_to_use = FIDX__IMAGE_JPEG_MEMORY;
    jpeg_start_decompress(cinfo);
    if (cinfo->output_components != 1 || cinfo->output_width != out->width)
        return -1;
    while (cinfo->output_scanline < cinfo->output_height) {
        JSAMPROW row = out->pixels + (size_t)cinfo->output_scanline * out->width;
        jpeg_read_scanlines(cinfo, &row, 1);
    }
    jpeg_finish_decompress(cinfo);
    return 0;
}

static int decode_jpeg(const uint8_t *p, size_t len, fidx__gray_t *out, fidx_err_t *err)
{
    struct jpeg_decompress_struct cinfo;
    jpeg_errors_t errors;
    cinfo.err = jpeg_std_error(&errors.mgr);
    errors.mgr.error_exit = jpeg_error_exit;
    errors.mgr.emit_message = jpeg_emit_message;
    if (setjmp(errors.jump)) {
        int code = errors.mgr.msg_code;
        jpeg_destroy_decompress(&cinfo);
        return jpeg_reason(code, err);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, p, (unsigned long)len);
    int rc = decode_jpeg_rows(&cinfo, out);
    jpeg_destroy_decompress(&cinfo);
    if (rc != 0)
        return fidx__image_fail(err, FIDX_EINVAL, 0, "JPEG size disagrees with its header");
    return 0;
}

/* ---- WebP ----------------------------------------------------------------------------------- */

/* WebP's luma is limited range (16-235): stretched to 0-255 like the other formats. */
static void full_range(uint8_t *y, size_t n)
{
    uint8_t map[256];
    for (int i = 0; i < 256; i++) {
        int v = (i - 16) * 255 / 219;
        map[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
    for (size_t i = 0; i < n; i++)
        y[i] = map[y[i]];
}

static int decode_webp(const uint8_t *p, size_t len, fidx__gray_t *out, fidx_err_t *err)
{
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config))
        return fidx__image_fail(err, FIDX_EINVAL, 0, "libwebp version mismatch");
    if (WebPGetFeatures(p, len, &config.input) != VP8_STATUS_OK)
        return fidx__image_fail(err, FIDX_EINVAL, 0, "WebP header is damaged");
    if ((uint32_t)config.input.width != out->width ||
        (uint32_t)config.input.height != out->height || config.input.has_animation)
        return fidx__image_fail(err, FIDX_EINVAL, 0, "WebP size disagrees with its header");
    /* The chroma planes are needed by the decoder's output, not by us: a quarter each. */
    size_t uv_w = (out->width + 1) / 2, uv_h = (out->height + 1) / 2, n = uv_w * uv_h;
    uint8_t *uv = malloc(2 * n);
    if (!uv)
        return fidx__image_fail(err, FIDX_ENOMEM, 0, "out of memory");
    config.output.colorspace = MODE_YUV;
    config.output.is_external_memory = 1;
    WebPYUVABuffer *b = &config.output.u.YUVA;
    b->y = out->pixels;
    b->y_stride = (int)out->width;
    b->y_size = (size_t)out->width * out->height;
    b->u = uv;
    b->v = uv + n;
    b->u_stride = b->v_stride = (int)uv_w;
    b->u_size = b->v_size = n;
    VP8StatusCode status = WebPDecode(p, len, &config);
    WebPFreeDecBuffer(&config.output);
    free(uv);
    if (status == VP8_STATUS_NOT_ENOUGH_DATA)
        return fidx__image_fail(err, FIDX_EINVAL, 0, "WebP data cut short");
    if (status != VP8_STATUS_OK)
        return fidx__image_fail(err, FIDX_EINVAL, 0, "WebP data is damaged or not supported");
    full_range(out->pixels, b->y_size);
    return 0;
}

/* ---- Entry ---------------------------------------------------------------------------------- */

int fidx__image_decode(const uint8_t *p, size_t len, fidx__gray_t *out, fidx_err_t *err)
{
    memset(out, 0, sizeof *out);
    fidx__image_info_t info;
    int rc = fidx__image_probe(p, len, &info, err);
    if (rc != 0)
        return rc;
    out->width = info.width;
    out->height = info.height;
    out->pixels = malloc((size_t)info.width * info.height);
    if (!out->pixels) {
        memset(out, 0, sizeof *out);
        return fidx__image_fail(err, FIDX_ENOMEM, 0, "out of memory");
    }
    if (info.format == FIDX__IMAGE_PNG)
        rc = decode_png(p, len, out, err);
    else if (info.format == FIDX__IMAGE_JPEG)
        rc = decode_jpeg(p, len, out, err);
    else
        rc = decode_webp(p, len, out, err);
    if (rc != 0)
        fidx__gray_dispose(out);
    return rc;
}

void fidx__gray_dispose(fidx__gray_t *g)
{
    free(g->pixels);
    memset(g, 0, sizeof *g);
}
