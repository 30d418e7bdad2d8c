/* image: an 8-bit raster (RGB or grey) and the few operations the capture
 * pipeline needs: allocation with a pixel cap, crop-and-resample, grey. */
#ifndef GC_CAPTURE_IMAGE_H
#define GC_CAPTURE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/gc_err.h"

/* The largest image we will decode or make: 120 megapixels. A header that
 * claims more (a 30000 × 30000 bomb) is refused before any allocation. */
#define GC_IMAGE_MAX_PIXELS ((uint64_t)120 * 1000 * 1000)

struct gc_image {
	uint8_t *px;     /* row-major, rows `stride` bytes apart */
	int      w, h;
	int      ch;     /* 3: RGB, 1: grey */
	size_t   stride; /* bytes per row, ≥ w * ch */
};

/* Allocates w × h × ch (fallible, gc_alloc). GC_ETOOBIG over the pixel
 * cap or for non-positive sizes. On failure im is zeroed. */
gc_err gc_image_alloc(struct gc_image *im, int w, int h, int ch);
void   gc_image_release(struct gc_image *im); /* NULL-safe, zeroes im */

/*
 * gc_image_resample writes the rectangle (x, y, cw, ch) of src (real
 * coordinates, may be fractional, must lie inside src) into out, which the
 * caller allocated at the output size with the same channel count.
 * Downscaling uses area averaging (box filter over the exact footprint);
 * upscaling, which the capture pipeline never asks for, uses bilinear.
 */
gc_err gc_image_resample(struct gc_image *out, const struct gc_image *src,
    double x, double y, double cw, double chh);

/* A grey (BT.601 luma) copy of an RGB image, or a copy of a grey one. */
gc_err gc_image_grey(struct gc_image *out, const struct gc_image *src);

#endif
