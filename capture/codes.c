/*
 * codes: QR codes and barcodes in a frame, with zbar (0.23).
 *
 * The payload is kept as bytes, exactly as encoded: the capture-code QR
 * (domain.md §6.4) is stored opaque and never parsed, and zbar's habit of
 * guessing a QR payload's character set and converting it to UTF-8 (which
 * mangles binary payloads, and some UTF-8 ones it takes for Shift-JIS) is
 * turned off with ZBAR_CFG_BINARY. Inverted codes (light on dark, a phone
 * in dark mode) are tried too when nothing was found.
 * No error return: an image we cannot scan (bad shape, no memory, which
 * is logged) has no codes.
 */
#include "capture/cam.h"

#include <stdio.h>
#include <string.h>

#include <zbar.h>

#include "common/gc_alloc.h"
#include "common/gc_log.h"

/* Scans w × h packed grey bytes; fills codes (up to max), returns the
 * count; -1 when zbar could not be set up. */
static int
scan_once(zbar_image_scanner_t *sc, const uint8_t *px, int w, int h,
    struct gc_code *codes, int max)
{
	zbar_image_t        *zi = zbar_image_create();
	const zbar_symbol_t *sym;
	int                  found = 0;

	if (zi == NULL) {
		return -1;
	}
	zbar_image_set_format(zi, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(zi, (unsigned)w, (unsigned)h);
	/* Borrowed: with no cleanup handler zbar does not free it. */
	zbar_image_set_data(zi, px, (unsigned long)w * (unsigned long)h,
	    NULL);
	if (zbar_scan_image(sc, zi) <= 0) {
		zbar_image_destroy(zi);
		return 0;
	}
	for (sym = zbar_image_first_symbol(zi); sym != NULL;
	     sym = zbar_symbol_next(sym)) {
		if (found < max && codes != NULL) {
			struct gc_code *c    = &codes[found];
			const char     *data = zbar_symbol_get_data(sym);
			size_t          len;
			size_t          n;

			len = zbar_symbol_get_data_length(sym);
			n   = len < sizeof(c->data) ? len : sizeof(c->data);

			memset(c, 0, sizeof(*c));
			snprintf(c->type, sizeof(c->type), "%s",
			    zbar_get_symbol_name(zbar_symbol_get_type(sym)));
			if (n > 0) {
				memcpy(c->data, data, n);
			}
			c->len = len;
		}
		found++;
	}
	zbar_image_destroy(zi);
	return found;
}

int
gc_codes_scan(const struct gc_image *grey, struct gc_code *codes, int max)
{
	struct gc_image        g   = { 0 };
	const struct gc_image *src = grey;
	zbar_image_scanner_t  *sc  = NULL;
	uint8_t               *buf = NULL;
	size_t                 w, h;
	int                    found = 0;

	if (grey == NULL || grey->px == NULL || grey->w <= 0 || grey->h <= 0 ||
	    (grey->ch != 1 && grey->ch != 3) ||
	    grey->stride < (size_t)grey->w * (size_t)grey->ch) {
		return 0;
	}
	if (grey->ch == 3) {
		if (gc_image_grey(&g, grey) != GC_OK) {
			GC_LOG(GC_LOG_WARN, "CAM-CODES", "no memory for a "
			    "%dx%d grey copy: not scanned", grey->w, grey->h);
			return 0;
		}
		src = &g;
	}
	w  = (size_t)src->w;
	h  = (size_t)src->h;
	sc = zbar_image_scanner_create();
	if (sc == NULL) {
		goto out;
	}
	zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 1);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);
	/* zbar wants rows packed, w bytes apart. */
	if (src->stride == w) {
		found = scan_once(sc, src->px, src->w, src->h, codes, max);
	} else {
		buf = gc_alloc(w * h);
		if (buf == NULL) {
			goto nomem;
		}
		for (size_t y = 0; y < h; y++) {
			memcpy(buf + y * w, src->px + y * src->stride, w);
		}
		found = scan_once(sc, buf, src->w, src->h, codes, max);
	}
	if (found == 0) {
		/* Light on dark (a phone in dark mode): try the negative.
		 * Done here rather than with ZBAR_CFG_TEST_INVERTED, whose
		 * copy in zbar 0.23.92 reads and writes past the end of
		 * the image unless w × h is a multiple of 8. */
		if (buf == NULL) {
			buf = gc_alloc(w * h);
			if (buf == NULL) {
				goto nomem;
			}
		}
		for (size_t y = 0; y < h; y++) {
			const uint8_t *s = src->px + y * src->stride;

			for (size_t x = 0; x < w; x++) {
				buf[y * w + x] = (uint8_t)(255 - s[x]);
			}
		}
		found = scan_once(sc, buf, src->w, src->h, codes, max);
	}
	goto out;
nomem:
	GC_LOG(GC_LOG_WARN, "CAM-CODES", "no memory for a %zux%zu copy: "
	    "not scanned", w, h);
out:
	if (sc != NULL) {
		zbar_image_scanner_destroy(sc);
	}
	gc_free(buf);
	gc_image_release(&g);
	return found < 0 ? 0 : found;
}
