/* Print sheets (capture/sheet.h). */
#include "capture/sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/image.h"
#include "capture/jpeg.h"

#define MM(x) ((int)((x) * GC_SHEET_DPI / 25.4 + 0.5))
#define MARGIN 10 /* px, ~0.85 mm */
#define GAP    6  /* px, ~0.5 mm: where the scissors go */

const struct gc_sheet_spec gc_sheet_default = { 35, 49, 25, 35, 102, 152 };

bool
gc_sheet_size_parse(const char *s, double *w, double *h)
{
	char  *end;
	double a, b;

	a = strtod(s, &end);
	if (end == s) {
		return false;
	}
	if (*end == 'x' || *end == 'X' || *end == '*') {
		end++;
	} else if (strncmp(end, "\xc3\x97", 2) == 0) { /* × */
		end += 2;
	} else {
		return false;
	}
	s = end;
	b = strtod(s, &end);
	while (*end == ' ') {
		end++;
	}
	if (end == s || *end != '\0' || !(a >= 5 && a <= 500) ||
	    !(b >= 5 && b <= 500)) {
		return false;
	}
	*w = a;
	*h = b;
	return true;
}

static bool
apart(const struct gc_sheet_slot *a, const struct gc_sheet_slot *b)
{
	return a->x + a->w <= b->x || b->x + b->w <= a->x ||
	    a->y + a->h <= b->y || b->y + b->h <= a->y;
}

size_t
gc_sheet_layout(const struct gc_sheet_spec *sp, struct gc_sheet_slot out[12],
    int *paper_w, int *paper_h, char *why, size_t whylen)
{
	const int bw = MM(sp->large_w), bh = MM(sp->large_h);
	const int sw = MM(sp->small_w), sh = MM(sp->small_h);
	const int pw = MM(sp->paper_w), ph = MM(sp->paper_h);
	size_t    n  = 0;
	int       cx = MARGIN + 2 * bw + GAP + GAP; /* the small column */
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
	for (size_t i = 0; i < n; i++) {
		bool fits = out[i].x + out[i].w <= pw - MARGIN / 2 &&
		    out[i].y + out[i].h <= ph - MARGIN / 2;

		for (size_t j = 0; fits && j < i; j++) {
			fits = apart(&out[i], &out[j]);
		}
		if (!fits) {
			if (why != NULL) {
				snprintf(why, whylen, "4 × %gx%g mm and 8 × "
				    "%gx%g mm do not fit apart on %gx%g mm "
				    "paper", sp->large_w, sp->large_h,
				    sp->small_w, sp->small_h, sp->paper_w,
				    sp->paper_h);
			}
			return 0;
		}
	}
	*paper_w = pw;
	*paper_h = ph;
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
gc_sheet_render(const struct gc_sheet_spec *sp, const uint8_t *jpeg,
    size_t len, struct gc_buf *out, struct gc_diag *d)
{
	struct gc_sheet_slot slot[12];
	struct gc_image      photo, sheet, scaled;
	char                 why[200];
	int                  pw, ph;
	size_t               n = gc_sheet_layout(sp, slot, &pw, &ph, why,
	    sizeof(why));
	gc_err               rv;

	if (n == 0) {
		gc_diag_set(d, "print sheet: %s", why);
		return GC_EINVAL;
	}
	rv = gc_jpeg_decode(jpeg, len, 0, &photo, NULL, d);
	if (rv != GC_OK) {
		return rv;
	}
	rv = gc_image_alloc(&sheet, pw, ph, 3);
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
