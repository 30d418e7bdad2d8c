#include "capture/image.h"

#include <math.h>
#include <string.h>

#include "common/gc_alloc.h"

gc_err
gc_image_alloc(struct gc_image *im, int w, int h, int ch)
{
	memset(im, 0, sizeof(*im));
	if (w <= 0 || h <= 0 || (ch != 1 && ch != 3) ||
	    (uint64_t)w * (uint64_t)h > GC_IMAGE_MAX_PIXELS) {
		return GC_ETOOBIG;
	}
	im->stride = (size_t)w * (size_t)ch;
	im->px     = gc_alloc(im->stride * (size_t)h);
	if (im->px == NULL) {
		memset(im, 0, sizeof(*im));
		return GC_ENOMEM;
	}
	im->w  = w;
	im->h  = h;
	im->ch = ch;
	return GC_OK;
}

void
gc_image_release(struct gc_image *im)
{
	if (im != NULL) {
		gc_free(im->px);
		memset(im, 0, sizeof(*im));
	}
}

/* Per output column: the source span [x0, x1) and its weights. */
struct span {
	int    i0, i1;     /* first and last source index touched */
	double w0, w1;     /* coverage of the first and last pixel */
};

static void
span_of(double a, double b, struct span *s)
{
	s->i0 = (int)floor(a);
	s->i1 = (int)ceil(b) - 1;
	if (s->i1 < s->i0) {
		s->i1 = s->i0;
	}
	s->w0 = (s->i0 + 1) - a;
	s->w1 = b - s->i1;
	if (s->i0 == s->i1) {
		s->w0 = b - a;
	}
}

/* Area-averaging downscale: each output pixel is the exact mean of the
 * source footprint it covers (partial pixels weighted). Separable: rows
 * first into a float buffer, then columns. */
static gc_err
resample_area(struct gc_image *out, const struct gc_image *src, double x,
    double y, double cw, double chh)
{
	const int    ch = src->ch;
	const double sx = cw / out->w, sy = chh / out->h;
	int          y0 = (int)floor(y), y1 = (int)ceil(y + chh);
	int          rows = y1 - y0;
	float       *tmp;
	struct span *cs;

	if (y1 > src->h) {
		y1   = src->h;
		rows = y1 - y0;
	}
	tmp = gc_alloc((size_t)rows * (size_t)out->w * (size_t)ch *
	    sizeof(float));
	cs  = gc_alloc((size_t)out->w * sizeof(*cs));
	if (tmp == NULL || cs == NULL) {
		gc_free(tmp);
		gc_free(cs);
		return GC_ENOMEM;
	}
	for (int ox = 0; ox < out->w; ox++) {
		span_of(x + ox * sx, x + (ox + 1) * sx, &cs[ox]);
		if (cs[ox].i1 >= src->w) {
			cs[ox].i1 = src->w - 1;
		}
	}
	/* horizontal pass over the rows that matter */
	for (int r = 0; r < rows; r++) {
		const uint8_t *sp = src->px + (size_t)(y0 + r) * src->stride;
		float         *tp = tmp + (size_t)r * out->w * ch;

		for (int ox = 0; ox < out->w; ox++) {
			const struct span *s = &cs[ox];

			for (int c = 0; c < ch; c++) {
				double acc = 0;

				for (int i = s->i0; i <= s->i1; i++) {
					double wgt = i == s->i0 ? s->w0 :
					    i == s->i1 ? s->w1 : 1.0;

					acc += wgt * sp[(size_t)i * ch + c];
				}
				tp[(size_t)ox * ch + c] = (float)(acc / sx);
			}
		}
	}
	/* vertical pass */
	for (int oy = 0; oy < out->h; oy++) {
		struct span s;
		uint8_t    *op = out->px + (size_t)oy * out->stride;

		span_of(y + oy * sy - y0, y + (oy + 1) * sy - y0, &s);
		if (s.i1 >= rows) {
			s.i1 = rows - 1;
		}
		for (int ox = 0; ox < out->w * ch; ox++) {
			double acc = 0;

			for (int i = s.i0; i <= s.i1; i++) {
				double wgt = i == s.i0 ? s.w0 :
				    i == s.i1 ? s.w1 : 1.0;

				acc += wgt * tmp[(size_t)i * out->w * ch + ox];
			}
			acc /= sy;
			op[ox] = (uint8_t)(acc < 0 ? 0 : acc > 255 ? 255 :
			    acc + 0.5);
		}
	}
	gc_free(tmp);
	gc_free(cs);
	return GC_OK;
}

static gc_err
resample_bilinear(struct gc_image *out, const struct gc_image *src, double x,
    double y, double cw, double chh)
{
	const int ch = src->ch;

	for (int oy = 0; oy < out->h; oy++) {
		double fy = y + (oy + 0.5) * chh / out->h - 0.5;
		int    iy = (int)floor(fy);
		double ty = fy - iy;
		int    y0 = iy < 0 ? 0 : iy >= src->h ? src->h - 1 : iy;
		int    y1 = iy + 1 >= src->h ? src->h - 1 : iy + 1 < 0 ? 0 : iy + 1;

		for (int ox = 0; ox < out->w; ox++) {
			double fx = x + (ox + 0.5) * cw / out->w - 0.5;
			int    ix = (int)floor(fx);
			double tx = fx - ix;
			int    x0 = ix < 0 ? 0 : ix >= src->w ? src->w - 1 : ix;
			int    x1 = ix + 1 >= src->w ? src->w - 1 :
			    ix + 1 < 0 ? 0 : ix + 1;

			for (int c = 0; c < ch; c++) {
				double a = src->px[(size_t)y0 * src->stride +
				    (size_t)x0 * ch + c];
				double b = src->px[(size_t)y0 * src->stride +
				    (size_t)x1 * ch + c];
				double e = src->px[(size_t)y1 * src->stride +
				    (size_t)x0 * ch + c];
				double f = src->px[(size_t)y1 * src->stride +
				    (size_t)x1 * ch + c];
				double v = (a * (1 - tx) + b * tx) * (1 - ty) +
				    (e * (1 - tx) + f * tx) * ty;

				out->px[(size_t)oy * out->stride +
				    (size_t)ox * ch + c] = (uint8_t)(v + 0.5);
			}
		}
	}
	return GC_OK;
}

gc_err
gc_image_resample(struct gc_image *out, const struct gc_image *src, double x,
    double y, double cw, double chh)
{
	if (out->ch != src->ch || cw <= 0 || chh <= 0 || x < 0 || y < 0 ||
	    x + cw > src->w + 1e-6 || y + chh > src->h + 1e-6) {
		return GC_EINVAL;
	}
	if (cw >= out->w && chh >= out->h) {
		return resample_area(out, src, x, y, cw, chh);
	}
	return resample_bilinear(out, src, x, y, cw, chh);
}

gc_err
gc_image_grey(struct gc_image *out, const struct gc_image *src)
{
	gc_err rv = gc_image_alloc(out, src->w, src->h, 1);

	if (rv != GC_OK) {
		return rv;
	}
	for (int y = 0; y < src->h; y++) {
		const uint8_t *s = src->px + (size_t)y * src->stride;
		uint8_t       *o = out->px + (size_t)y * out->stride;

		if (src->ch == 1) {
			memcpy(o, s, (size_t)src->w);
			continue;
		}
		for (int x = 0; x < src->w; x++) {
			/* BT.601 luma in fixed point */
			o[x] = (uint8_t)((77 * s[3 * x] + 150 * s[3 * x + 1] +
			    29 * s[3 * x + 2] + 128) >> 8);
		}
	}
	return GC_OK;
}
