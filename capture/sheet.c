/* Print sheets (capture/sheet.h). */
#include "capture/sheet.h"

#include <string.h>

#include "capture/image.h"
#include "capture/jpeg.h"

#define MM(x) ((int)((x) * GC_SHEET_DPI / 25.4 + 0.5))
#define MARGIN 10 /* px, ~0.85 mm */
#define GAP    6  /* px, ~0.5 mm: where the scissors go */

size_t
gc_sheet_layout(struct gc_sheet_slot out[12])
{
	const int bw = MM(35), bh = MM(49), sw = MM(25), sh = MM(35);
	size_t    n  = 0;
	int       cx = MARGIN + 2 * bw + GAP + GAP; /* the 1寸 column */
	int       by = MARGIN + 2 * bh + GAP + GAP; /* below the grid */

	for (int r = 0; r < 2; r++) {
		for (int c = 0; c < 2; c++) {
			out[n++] = (struct gc_sheet_slot){ MARGIN + c * (bw + GAP),
				MARGIN + r * (bh + GAP), bw, bh, 0 };
		}
	}
	for (int r = 0; r < 4; r++) {
		out[n++] = (struct gc_sheet_slot){ cx, MARGIN + r * (sh + GAP),
			sw, sh, 0 };
	}
	for (int r = 0; r < 2; r++) {
		for (int c = 0; c < 2; c++) {
			out[n++] = (struct gc_sheet_slot){ MARGIN + c * (sh + GAP),
				by + r * (sw + GAP), sh, sw, 1 };
		}
	}
	return n;
}

/* Pastes src (w × h) at (x, y), turned a quarter clockwise when turned
 * (then it covers h × w). */
static void
paste(struct gc_image *dst, const struct gc_image *src, int x, int y,
    int turned)
{
	for (int sy = 0; sy < src->h; sy++) {
		for (int sx = 0; sx < src->w; sx++) {
			const uint8_t *p = src->px + (size_t)sy * src->stride +
			    (size_t)sx * 3;
			int dx = turned ? x + (src->h - 1 - sy) : x + sx;
			int dy = turned ? y + sx : y + sy;
			uint8_t *q = dst->px + (size_t)dy * dst->stride +
			    (size_t)dx * 3;

			q[0] = p[0];
			q[1] = p[1];
			q[2] = p[2];
		}
	}
}

gc_err
gc_sheet_render(const uint8_t *jpeg, size_t len, struct gc_buf *out,
    struct gc_diag *d)
{
	struct gc_sheet_slot slot[12];
	struct gc_image      photo, sheet, scaled;
	size_t               n = gc_sheet_layout(slot);
	gc_err               rv;

	rv = gc_jpeg_decode(jpeg, len, 0, &photo, NULL, d);
	if (rv != GC_OK) {
		return rv;
	}
	rv = gc_image_alloc(&sheet, GC_SHEET_W, GC_SHEET_H, 3);
	if (rv != GC_OK) {
		gc_image_release(&photo);
		return rv;
	}
	for (int y = 0; y < sheet.h; y++) {
		memset(sheet.px + (size_t)y * sheet.stride, 0xff,
		    (size_t)sheet.w * 3);
	}
	for (size_t i = 0; i < n && rv == GC_OK; i++) {
		int w = slot[i].turned ? slot[i].h : slot[i].w;
		int h = slot[i].turned ? slot[i].w : slot[i].h;

		rv = gc_image_alloc(&scaled, w, h, 3);
		if (rv == GC_OK) {
			rv = gc_image_resample(&scaled, &photo, 0, 0, photo.w,
			    photo.h);
		}
		if (rv == GC_OK) {
			paste(&sheet, &scaled, slot[i].x, slot[i].y,
			    slot[i].turned);
		}
		gc_image_release(&scaled);
	}
	if (rv == GC_OK) {
		rv = gc_jpeg_encode(&sheet, 92, GC_SHEET_DPI, out);
	}
	gc_image_release(&sheet);
	gc_image_release(&photo);
	return rv;
}
