/* jpeg: what a file is (by its bytes, not its name), JPEG header facts for
 * the file.* checks, decoding with TurboJPEG (DCT scaling, EXIF
 * orientation, greyscale/CMYK/progressive), and encoding the 480 × 640
 * output at 300 dpi with a quality searched to fit a size window. */
#ifndef GC_CAPTURE_JPEG_H
#define GC_CAPTURE_JPEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/image.h"
#include "common/buf.h"
#include "common/gc_err.h"

enum gc_fmt {
	GC_FMT_EMPTY = 0, /* zero bytes */
	GC_FMT_JPEG,
	GC_FMT_PNG,
	GC_FMT_WEBP,
	GC_FMT_HEIC,      /* HEIF/HEIC/AVIF (ISO BMFF 'ftyp') */
	GC_FMT_GIF,
	GC_FMT_BMP,
	GC_FMT_TIFF,
	GC_FMT_PNM,       /* PBM/PGM/PPM */
	GC_FMT_PDF,
	GC_FMT_UNKNOWN
};

/* Identifies content by its leading bytes. */
enum gc_fmt gc_fmt_sniff(const uint8_t *p, size_t n);
/* "JPEG", "PNG", "WebP", "HEIC/HEIF", ... for messages. */
const char *gc_fmt_name(enum gc_fmt f);

/* Header facts, read by walking the JPEG markers (no pixel decoding). */
struct gc_jpeg_info {
	int    width, height;   /* as stored, before EXIF orientation */
	int    components;      /* 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK */
	bool   progressive;     /* SOF2 */
	bool   baseline;        /* SOF0 */
	bool   arithmetic;      /* SOF9..: refused by most readers */
	int    precision;       /* bits per sample (8) */
	int    orientation;     /* EXIF 1..8; 0 when absent */
	bool   jfif;            /* APP0 JFIF present */
	int    density_unit;    /* JFIF: 0 none, 1 dpi, 2 dpcm */
	int    xdensity, ydensity;
	int    quality;         /* estimated from the luma quantisation
	                         * table (IJG scale, 1..100); -1 unknown */
	size_t file_size;
};

/*
 * gc_jpeg_probe fills info from the markers. Content that is not JPEG is
 * GC_EINVAL with d naming what it is ("PNG data, not JPEG"); a truncated
 * or corrupt header is GC_ECORRUPT; dimensions over GC_IMAGE_MAX_PIXELS
 * are GC_ETOOBIG. Never allocates in proportion to the claimed size.
 */
gc_err gc_jpeg_probe(const uint8_t *p, size_t n, struct gc_jpeg_info *info,
    struct gc_diag *d);

/*
 * gc_jpeg_decode decodes to RGB (CMYK and greyscale converted), applies
 * the EXIF orientation so the pixels are upright, and, when min_side > 0,
 * uses the smallest TurboJPEG DCT scaling factor whose result still has
 * its shorter side ≥ min_side (0: full size). info (may be NULL) gets the
 * probe facts. Errors as gc_jpeg_probe, plus GC_ECORRUPT for bad data.
 * On failure out is zeroed.
 */
gc_err gc_jpeg_decode(const uint8_t *p, size_t n, int min_side,
    struct gc_image *out, struct gc_jpeg_info *info, struct gc_diag *d);

/* Encodes an RGB image as baseline JPEG, 4:2:0, with a JFIF header at
 * dpi × dpi dots per inch. quality 1..100. */
gc_err gc_jpeg_encode(const struct gc_image *im, int quality, int dpi,
    struct gc_buf *out);

/*
 * gc_jpeg_encode_fit searches the highest quality in [min_quality, 95]
 * whose file is ≤ max_bytes (binary search), and reports whether the
 * result is also ≥ min_bytes (a plain image may be smaller than the window
 * even at 95: it is then returned at 95 with *in_window false). Returns
 * GC_ETOOBIG when even min_quality exceeds max_bytes (out then holds the
 * min_quality encoding).
 */
/* The same, trying hint (the quality a previous, similar image got; 0:
 * none) and its neighbour first. */
gc_err gc_jpeg_encode_fit_hint(const struct gc_image *im, int dpi,
    int min_quality, size_t min_bytes, size_t max_bytes, int hint,
    struct gc_buf *out, int *quality, bool *in_window);
gc_err gc_jpeg_encode_fit(const struct gc_image *im, int dpi, int min_quality,
    size_t min_bytes, size_t max_bytes, struct gc_buf *out, int *quality,
    bool *in_window);

#endif
