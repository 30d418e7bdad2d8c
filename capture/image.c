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
 * first into a float buffer (per output column: a run of source pixels
 * with its first and last weights), then the output rows as weighted sums
 * of whole buffer rows, a loop the compiler vectorises. */
static gc_err
resample_area(struct gc_image *out, const struct gc_image *src, double x,
    double y, double cw, double chh)
{
	const int    ch = src->ch;
	const size_t rw = (size_t)out->w * (size_t)ch; /* floats per row */
	const double sx = cw / out->w, sy = chh / out->h;
	int          y0 = (int)floor(y), y1 = (int)ceil(y + chh);
	int          rows = y1 - y0;
	float       *tmp, *acc, *w0, *w1;
	struct span *cs;

	if (y1 > src->h) {
		y1   = src->h;
		rows = y1 - y0;
	}
	tmp = gc_alloc((size_t)rows * rw * sizeof(float));
	acc = gc_alloc(rw * sizeof(float));
	cs  = gc_alloc((size_t)out->w * sizeof(*cs));
	w0  = gc_alloc((size_t)out->w * 2 * sizeof(float));
	if (tmp == NULL || acc == NULL || cs == NULL || w0 == NULL) {
		gc_free(tmp);
		gc_free(acc);
		gc_free(cs);
		gc_free(w0);
		return GC_ENOMEM;
	}
	w1 = w0 + out->w;
	for (int ox = 0; ox < out->w; ox++) {
		span_of(x + ox * sx, x + (ox + 1) * sx, &cs[ox]);
		if (cs[ox].i1 >= src->w) {
			cs[ox].i1 = src->w - 1;
		}
		w0[ox] = (float)(cs[ox].w0 / sx);
		w1[ox] = (float)(cs[ox].w1 / sx);
	}
	/* horizontal pass over the rows that matter */
	for (int r = 0; r < rows; r++) {
		const uint8_t *sp = src->px + (size_t)(y0 + r) * src->stride;
		float         *tp = tmp + (size_t)r * rw;
		const float    inv = (float)(1.0 / sx);

		for (int ox = 0; ox < out->w; ox++) {
			const struct span *s = &cs[ox];
			const uint8_t     *p = sp + (size_t)s->i0 * ch;

			if (s->i0 == s->i1) {
				for (int c = 0; c < ch; c++) {
					tp[(size_t)ox * ch + c] = w0[ox] * p[c];
				}
				continue;
			}
			for (int c = 0; c < ch; c++) {
				float mid = 0;

				for (int i = s->i0 + 1; i < s->i1; i++) {
					mid += p[(size_t)(i - s->i0) * ch + c];
				}
				tp[(size_t)ox * ch + c] = w0[ox] * p[c] + inv * mid +
				    w1[ox] * p[(size_t)(s->i1 - s->i0) * ch + c];
			}
		}
	}
	/* vertical pass: whole rows at a time */
	for (int oy = 0; oy < out->h; oy++) {
		struct span s;
		uint8_t    *op = out->px + (size_t)oy * out->stride;

		span_of(y + oy * sy - y0, y + (oy + 1) * sy - y0, &s);
		if (s.i1 >= rows) {
			s.i1 = rows - 1;
		}
		for (size_t k = 0; k < rw; k++) {
			acc[k] = 0;
		}
		for (int i = s.i0; i <= s.i1; i++) {
			const float  wgt = (float)((i == s.i0 ? s.w0 :
			    i == s.i1 ? s.w1 : 1.0) / sy);
			const float *tp  = tmp + (size_t)i * rw;

			for (size_t k = 0; k < rw; k++) {
				acc[k] += wgt * tp[k];
			}
		}
		for (size_t k = 0; k < rw; k++) {
			float v = acc[k] + 0.5f;

			op[k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	}
	gc_free(tmp);
	gc_free(acc);
	gc_free(cs);
	gc_free(w0);
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
