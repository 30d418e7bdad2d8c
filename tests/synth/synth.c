#include "tests/synth/synth.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/jpeg.h"
#include "common/gc_alloc.h"

const struct gc_synth_variant gc_synth_variants[] = {
	{ "ok-blue", "pass", "" },
	{ "ok-white", "pass", "" },
	{ "ok-grey", "pass", "" },
	{ "gradient", "fail", "background.uniformity" },
	{ "shadow", "fail", "background.uniformity" },
	{ "blue-clothing", "fail", "clothing.colour" },
	{ "roll12", "fail", "pose.roll" },
	{ "off-centre", "fail", "face.centre" },
	{ "too-close", "fail", "face.width" },
	{ "too-far", "fail", "face.width" },
	{ "blur", "fail", "sharpness" },
	{ "dark", "fail", "exposure.face" },
	{ "bright", "fail", "exposure.face" },
	{ "two-faces", "fail", "face.count" },
	{ "no-face", "fail", "face.count" },
};
const int gc_synth_nvariants =
    sizeof(gc_synth_variants) / sizeof(gc_synth_variants[0]);

/* The sources fetch.sh provides, and their own defects. */
static const struct {
	const char *name, *defects;
} sources[] = {
	/* frontal, lips closed, glasses (a cap, which no check can see) */
	{ "grace_hopper", "" },
	/* smiling with teeth; a small source, so the head is upscaled and
	 * soft at capture size */
	{ "astronaut", "mouth.closed;sharpness" },
	/* a small greyscale face: upscaled and soft at capture size */
	{ "sh0r", "sharpness" },
};

/* A small deterministic noise source. */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static double
noise(uint32_t *s, double sigma)
{
	/* sum of four uniforms: near-Gaussian, cheap */
	double u = 0;

	for (int i = 0; i < 4; i++) {
		u += (rnd(s) & 0xffff) / 65535.0;
	}
	return (u - 2.0) * sigma * 1.732;
}

static uint8_t
clamp8(double v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
}

gc_err
gc_synth_src_load(struct gc_synth_src *s, gc_facedet *fd, const char *path,
    const char *name, const char *defects)
{
	FILE                   *f = fopen(path, "rb");
	uint8_t                *buf;
	long                    n;
	gc_err                  rv;
	struct gc_image         grey;
	struct gc_face          faces[2];
	struct gc_face_measures m;
	int                     nf;
	double                  sk[3] = { 0 }, cnt = 0;

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->defects = defects;
	if (f == NULL) {
		return GC_ENOTFOUND;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return GC_EIO;
	}
	fclose(f);
	rv = gc_jpeg_decode(buf, (size_t)n, 0, &s->rgb, NULL, NULL);
	free(buf);
	if (rv != GC_OK) {
		return rv;
	}
	rv = gc_image_grey(&grey, &s->rgb);
	if (rv == GC_OK) {
		/* a generous floor: these are known to hold one face */
		rv = gc_facedet_run(fd, &grey, -0.5f, faces, 2, &nf);
		gc_image_release(&grey);
	}
	if (rv != GC_OK || nf < 1) {
		gc_image_release(&s->rgb);
		return rv != GC_OK ? rv : GC_ENOTFOUND;
	}
	s->face = faces[0];
	gc_face_measure(&s->face, &m);
	s->fw     = m.face_width;
	s->cx     = m.face_centre.x;
	s->eye_y  = m.eye_mid.y;
	s->top    = m.brow_y - 0.45f * s->fw;
	s->bottom = m.chin.y + 0.04f * s->fw;
	if (s->top < 0) {
		s->top = 0;
	}
	/* skin tone: the cheeks below the eyes */
	for (int y = (int)(m.eye_mid.y + 0.15 * s->fw);
	     y < (int)(m.eye_mid.y + 0.3 * s->fw) && y < s->rgb.h; y++) {
		for (int x = (int)(m.face_centre.x - 0.25 * s->fw);
		     x < (int)(m.face_centre.x + 0.25 * s->fw); x++) {
			if (x < 0 || x >= s->rgb.w || y < 0) {
				continue;
			}
			for (int c = 0; c < 3; c++) {
				sk[c] += s->rgb.px[(size_t)y * s->rgb.stride +
				    (size_t)x * 3 + c];
			}
			cnt++;
		}
	}
	for (int c = 0; c < 3; c++) {
		s->skin[c] = cnt > 0 ? (unsigned char)(sk[c] / cnt) : 180;
	}
	return GC_OK;
}

void
gc_synth_src_release(struct gc_synth_src *s)
{
	gc_image_release(&s->rgb);
}

/* Bilinear sample of src at (x, y); false outside. */
static bool
sample(const struct gc_image *src, double x, double y, double out[3])
{
	int    x0 = (int)floor(x), y0 = (int)floor(y);
	double tx = x - x0, ty = y - y0;

	if (x0 < 0 || y0 < 0 || x0 + 1 >= src->w || y0 + 1 >= src->h) {
		return false;
	}
	for (int c = 0; c < 3; c++) {
		const uint8_t *p = src->px + (size_t)y0 * src->stride +
		    (size_t)x0 * 3 + c;
		double a = p[0], b = p[3], e = p[src->stride],
		       f = p[src->stride + 3];

		out[c] = (a * (1 - tx) + b * tx) * (1 - ty) +
		    (e * (1 - tx) + f * tx) * ty;
	}
	return true;
}

/* Pastes the head of s, scaled by k, with its face centre at (hx, hy_eye)
 * on the canvas; gain multiplies its pixels (exposure variants). */
static void
paste_head(struct gc_image *c, const struct gc_synth_src *s, double k,
    double hx, double heye, double gain, uint8_t *mask)
{
	double ecx = s->cx, ecy = (s->top + s->bottom) / 2;
	double ax = 0.60 * s->fw, ay = (s->bottom - s->top) / 2;
	int    x0 = (int)(hx + (ecx - ax - s->cx) * k) - 2;
	int    x1 = (int)(hx + (ecx + ax - s->cx) * k) + 2;
	int    y0 = (int)(heye + (s->top - s->eye_y) * k) - 2;
	int    y1 = (int)(heye + (s->bottom - s->eye_y) * k) + 2;

	for (int y = y0 < 0 ? 0 : y0; y < y1 && y < c->h; y++) {
		for (int x = x0 < 0 ? 0 : x0; x < x1 && x < c->w; x++) {
			double sx = s->cx + (x - hx) / k;
			double sy = s->eye_y + (y - heye) / k;
			double dx = (sx - ecx) / ax, dy = (sy - ecy) / ay;
			double r  = sqrt(dx * dx + dy * dy);
			double a  = (1.0 - r) / 0.06;
			double px[3];
			uint8_t *q;

			if (a <= 0 || !sample(&s->rgb, sx, sy, px)) {
				continue;
			}
			a = a > 1 ? 1 : a;
			if (mask != NULL && a >= 0.5) {
				mask[(size_t)y * c->w + x] = 1;
			}
			q = c->px + (size_t)y * c->stride + (size_t)x * 3;
			for (int ch = 0; ch < 3; ch++) {
				q[ch] = clamp8(q[ch] * (1 - a) +
				    px[ch] * gain * a);
			}
		}
	}
}

static void
rotate(struct gc_image *im, double deg, const unsigned char fill[3])
{
	struct gc_image src = *im;
	struct gc_image out;
	double          a = deg * M_PI / 180, ca = cos(a), sa = sin(a);
	double          cx = im->w / 2.0, cy = im->h / 2.0;

	if (gc_image_alloc(&out, im->w, im->h, 3) != GC_OK) {
		return;
	}
	for (int y = 0; y < out.h; y++) {
		for (int x = 0; x < out.w; x++) {
			/* inverse map: rotate the output point back */
			double sx = ca * (x - cx) + sa * (y - cy) + cx;
			double sy = -sa * (x - cx) + ca * (y - cy) + cy;
			double px[3];
			uint8_t *q = out.px + (size_t)y * out.stride +
			    (size_t)x * 3;

			if (sample(&src, sx, sy, px)) {
				q[0] = clamp8(px[0]);
				q[1] = clamp8(px[1]);
				q[2] = clamp8(px[2]);
			} else {
				q[0] = fill[0];
				q[1] = fill[1];
				q[2] = fill[2];
			}
		}
	}
	gc_image_release(im);
	*im = out;
}

/* Three passes of a box blur of radius r: close to a Gaussian. */
static void
blur(struct gc_image *im, int r)
{
	uint8_t *line = malloc((size_t)(im->w > im->h ? im->w : im->h) * 3);

	for (int pass = 0; pass < 3 && line != NULL; pass++) {
		for (int y = 0; y < im->h; y++) {
			uint8_t *row = im->px + (size_t)y * im->stride;

			memcpy(line, row, (size_t)im->w * 3);
			for (int x = 0; x < im->w; x++) {
				for (int c = 0; c < 3; c++) {
					int s = 0, n = 0;

					for (int k = -r; k <= r; k++) {
						int xx = x + k;

						if (xx >= 0 && xx < im->w) {
							s += line[xx * 3 + c];
							n++;
						}
					}
					row[x * 3 + c] = (uint8_t)(s / n);
				}
			}
		}
		for (int x = 0; x < im->w; x++) {
			for (int y = 0; y < im->h; y++) {
				memcpy(line + y * 3, im->px + (size_t)y *
				    im->stride + (size_t)x * 3, 3);
			}
			for (int y = 0; y < im->h; y++) {
				for (int c = 0; c < 3; c++) {
					int s = 0, n = 0;

					for (int k = -r; k <= r; k++) {
						int yy = y + k;

						if (yy >= 0 && yy < im->h) {
							s += line[yy * 3 + c];
							n++;
						}
					}
					im->px[(size_t)y * im->stride +
					    (size_t)x * 3 + c] = (uint8_t)(s / n);
				}
			}
		}
	}
	free(line);
}

gc_err
gc_synth_render(const struct gc_synth_src *s, const struct gc_synth_variant *v,
    int w, int h, struct gc_image *out)
{
	return gc_synth_render_mask(s, v, w, h, false, out, NULL);
}

/* Dark hair behind the head cut-out of paste_head (same arguments), up
 * to 0.24 face widths above it and down to the eye line at its sides. */
static void
draw_hair(struct gc_image *c, const struct gc_synth_src *s, double k,
    double hx, double heye, uint8_t *mask)
{
	static const unsigned char hair[3] = { 42, 33, 29 };
	double   tfw = s->fw * k;
	double   cy = heye + ((s->top + s->bottom) / 2 - s->eye_y) * k;
	double   ax = 0.68 * tfw, ay = (s->bottom - s->top) / 2 * k + 0.12 *
	    tfw;
	uint32_t seed = 0x51ed27u;

	cy -= 0.12 * tfw;
	for (int y = (int)fmax(0, cy - ay); y < (int)fmin(c->h, heye); y++) {
		for (int x = (int)fmax(0, hx - ax); x < (int)fmin(c->w, hx + ax);
		     x++) {
			double dx = (x - hx) / ax, dy = (y - cy) / ay;
			uint8_t *q = c->px + (size_t)y * c->stride + (size_t)x * 3;

			if (dx * dx + dy * dy > 1) {
				continue;
			}
			for (int ch = 0; ch < 3; ch++) {
				q[ch] = clamp8(hair[ch] + noise(&seed, 4.0));
			}
			if (mask != NULL) {
				mask[(size_t)y * c->w + x] = 1;
			}
		}
	}
}

gc_err
gc_synth_render_mask(const struct gc_synth_src *s,
    const struct gc_synth_variant *v, int w, int h, bool hair,
    struct gc_image *out, uint8_t *mask)
{
	static const unsigned char blue[3] = { 100, 197, 255 },
				   white[3] = { 250, 250, 250 },
				   grey[3] = { 238, 238, 238 };
	const unsigned char *bg = blue;
	unsigned char        cloth[3] = { 38, 40, 46 };
	double               tfw = w * 0.265, hx = w / 2.0, heye = h * 0.40;
	double               k, gain = 1.0, chin, shoulder;
	uint32_t             seed = 0x9e3779b9u ^ (uint32_t)w;
	gc_err               rv;
	const char          *n = v->name;

	if (!strcmp(n, "ok-white") || !strcmp(n, "shadow")) {
		bg = white;
	} else if (!strcmp(n, "ok-grey")) {
		bg = grey;
	}
	if (!strcmp(n, "blue-clothing")) {
		cloth[0] = 40;
		cloth[1] = 95;
		cloth[2] = 210;
	}
	if (!strcmp(n, "too-close")) {
		tfw = w * 0.75;
		heye = h * 0.45;
	} else if (!strcmp(n, "too-far")) {
		tfw = 110; /* below 180 px even as measured at full resolution */
	} else if (!strcmp(n, "off-centre")) {
		hx = w * 0.16;
	} else if (!strcmp(n, "dark")) {
		gain = 0.33;
	} else if (!strcmp(n, "bright")) {
		gain = 1.9;
	}
	if (mask != NULL && (!strcmp(n, "roll12") || !strcmp(n, "blur"))) {
		return GC_EINVAL; /* no mask for a moved or blurred person */
	}
	rv = gc_image_alloc(out, w, h, 3);
	if (rv != GC_OK) {
		return rv;
	}
	if (mask != NULL) {
		memset(mask, 0, (size_t)w * h);
	}
	k        = tfw / s->fw;
	chin     = heye + (s->bottom - s->eye_y) * k;
	shoulder = chin + 0.42 * tfw;
	for (int y = 0; y < h; y++) {
		uint8_t *row = out->px + (size_t)y * out->stride;

		for (int x = 0; x < w; x++) {
			double g = 1.0, half;

			if (!strcmp(n, "gradient")) {
				g = 1.0 - 0.30 * x / w;
			} else if (!strcmp(n, "shadow") && x > hx + 0.65 * tfw) {
				g = 0.72;
			}
			for (int c = 0; c < 3; c++) {
				row[x * 3 + c] = clamp8(bg[c] * g +
				    noise(&seed, 1.2));
			}
			/* neck, then the shoulders and body */
			if (!strcmp(n, "no-face")) {
				half = y >= shoulder ? fmin(1.4 * tfw, 0.85 * tfw +
				    (y - shoulder) * 1.6) : -1;
			} else if (y >= chin - 0.15 * tfw && y < shoulder +
			    0.1 * tfw && fabs(x - hx) < 0.21 * tfw) {
				for (int c = 0; c < 3; c++) {
					row[x * 3 + c] = clamp8(s->skin[c] * 0.92 *
					    gain + noise(&seed, 2.0));
				}
				if (mask != NULL) {
					mask[(size_t)y * w + x] = 1;
				}
				continue;
			} else {
				half = y >= shoulder ? fmin(1.4 * tfw, 0.85 * tfw +
				    (y - shoulder) * 1.6) : -1;
			}
			if (half > 0 && fabs(x - hx) < half) {
				for (int c = 0; c < 3; c++) {
					row[x * 3 + c] = clamp8(cloth[c] +
					    noise(&seed, 3.0));
				}
				if (mask != NULL) {
					mask[(size_t)y * w + x] = 1;
				}
			}
		}
	}
	if (strcmp(n, "no-face") != 0) {
		if (hair) {
			draw_hair(out, s, k, hx, heye, mask);
		}
		paste_head(out, s, k, hx, heye, gain, mask);
	}
	if (!strcmp(n, "two-faces")) {
		paste_head(out, s, k * 0.8, hx + 1.15 * tfw, heye + 0.1 * tfw,
		    1.0, mask);
	}
	if (!strcmp(n, "roll12")) {
		rotate(out, 12, bg);
	} else if (!strcmp(n, "blur")) {
		blur(out, w / 220 + 2);
	}
	return GC_OK;
}

int
gc_synth_dir(const char *srcdir, const char *outdir, int w, int h,
    struct gc_diag *d)
{
	return gc_synth_dir_only(srcdir, outdir, w, h, NULL, false, d);
}

int
gc_synth_dir_only(const char *srcdir, const char *outdir, int w, int h,
    const char *only, bool hair, struct gc_diag *d)
{
	gc_facedet *fd;
	FILE       *man;
	char        path[4096];
	int         written = 0;
	gc_err      rv;

	rv = gc_facedet_open(&fd, NULL, d);
	if (rv != GC_OK) {
		return -1;
	}
	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", outdir);
	man = fopen(path, "w");
	if (man == NULL) {
		gc_diag_set(d, "%s: cannot write", path);
		gc_facedet_close(fd);
		return -1;
	}
	fprintf(man, "file\texpect\tfailing_checks\twidth\theight\n");
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		struct gc_synth_src s;

		if (only != NULL && strcmp(only, sources[i].name) != 0) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s.jpg", srcdir,
		    sources[i].name);
		if (gc_synth_src_load(&s, fd, path, sources[i].name,
		        sources[i].defects) != GC_OK) {
			continue; /* a source that is not there is skipped */
		}
		for (int v = 0; v < gc_synth_nvariants; v++) {
			const struct gc_synth_variant *var = &gc_synth_variants[v];
			struct gc_image                im;
			struct gc_buf                  jb;
			FILE                          *f;
			char                           failing[256];
			bool                           src_faces;

			if (gc_synth_render_mask(&s, var, w, h, hair, &im, NULL) !=
			    GC_OK) {
				continue;
			}
			gc_buf_init(&jb);
			rv = gc_jpeg_encode(&im, 92, 72, &jb);
			gc_image_release(&im);
			snprintf(path, sizeof(path), "%s/%s-%s.jpg", outdir,
			    s.name, var->name);
			f = fopen(path, "wb");
			if (rv != GC_OK || f == NULL ||
			    fwrite(jb.data, 1, jb.len, f) != jb.len) {
				if (f != NULL) {
					fclose(f);
				}
				gc_buf_release(&jb);
				continue;
			}
			fclose(f);
			gc_buf_release(&jb);
			/* the variant's defect, plus the source's own when
			 * the face is in the picture */
			/* the source's own defects are claimed only where the
			 * head is shown as it is and every check runs */
			src_faces = strncmp(var->name, "ok-", 3) == 0 &&
			    s.defects[0] != '\0';
			snprintf(failing, sizeof(failing), "%s%s%s", var->failing,
			    var->failing[0] && src_faces ? ";" : "",
			    src_faces ? s.defects : "");
			fprintf(man, "%s-%s.jpg\t%s\t%s\t%d\t%d\n", s.name,
			    var->name, failing[0] ? "fail" : "pass", failing, w,
			    h);
			written++;
		}
		gc_synth_src_release(&s);
	}
	fclose(man);
	gc_facedet_close(fd);
	return written;
}
