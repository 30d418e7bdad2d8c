#include <stdarg.h> /* cmocka 1.1.5 needs these four before cmocka.h */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/face.h"
#include "capture/image.h"
#include "capture/jpeg.h"
#include "tests/testutil.h"

#define MAXF 8

/* dlib's own mean shape (the shape predictor's initial shape, from the
 * iBUG 300-W training set, mirror-symmetric): a frontal face by
 * construction. Unit: the detector's box, (0, 0) to (1, 1). */
static const float mean_shape[68][2] = {
	{0.0294, 0.3220}, {0.0326, 0.4464}, {0.0459, 0.5704}, {0.0718, 0.6920},
	{0.1203, 0.8050}, {0.1947, 0.9029}, {0.2858, 0.9846}, {0.3863, 1.0502},
	{0.5000, 1.0697}, {0.6137, 1.0502}, {0.7142, 0.9846}, {0.8053, 0.9029},
	{0.8797, 0.8050}, {0.9282, 0.6920}, {0.9541, 0.5704}, {0.9674, 0.4464},
	{0.9706, 0.3219}, {0.1192, 0.2309}, {0.1775, 0.1784}, {0.2598, 0.1627},
	{0.3451, 0.1749}, {0.4249, 0.2081}, {0.5751, 0.2081}, {0.6550, 0.1749},
	{0.7402, 0.1627}, {0.8225, 0.1784}, {0.8809, 0.2309}, {0.5000, 0.3055},
	{0.5000, 0.3857}, {0.5000, 0.4652}, {0.5000, 0.5470}, {0.4045, 0.6023},
	{0.4504, 0.6192}, {0.5000, 0.6337}, {0.5497, 0.6192}, {0.5955, 0.6023},
	{0.2139, 0.3156}, {0.2647, 0.2863}, {0.3259, 0.2872}, {0.3794, 0.3276},
	{0.3221, 0.3378}, {0.2612, 0.3370}, {0.6207, 0.3276}, {0.6742, 0.2872},
	{0.7353, 0.2863}, {0.7862, 0.3156}, {0.7388, 0.3370}, {0.6780, 0.3378},
	{0.3171, 0.7511}, {0.3844, 0.7242}, {0.4525, 0.7103}, {0.5000, 0.7220},
	{0.5475, 0.7103}, {0.6156, 0.7242}, {0.6829, 0.7511}, {0.6178, 0.8169},
	{0.5516, 0.8460}, {0.5000, 0.8515}, {0.4484, 0.8460}, {0.3823, 0.8169},
	{0.3452, 0.7547}, {0.4519, 0.7499}, {0.5000, 0.7550}, {0.5481, 0.7499},
	{0.6548, 0.7547}, {0.5490, 0.7857}, {0.5000, 0.7916}, {0.4510, 0.7857},
};

static const uint8_t LIGHT_BLUE[3] = {100, 197, 255};
static const uint8_t WHITE[3]      = {255, 255, 255};
static const uint8_t LIGHT_GREY[3] = {240, 240, 240};

/* ---- helpers ----------------------------------------------------------- */

static gc_facedet *det; /* opened once for the group: ~1 s */

static uint32_t
lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* Decodes tests/data photo `name` to RGB; false (the test skips) when the
 * photo could not be fetched. */
static bool
load_rgb(const char *name, struct gc_image *im)
{
	const char    *path = gc_test_data(name);
	struct gc_diag d;
	uint8_t       *bytes;
	size_t         len;
	gc_err         rv;

	if (path == NULL) {
		return false;
	}
	bytes = gc_test_read_file(path, &len);
	assert_non_null(bytes);
	gc_diag_clear(&d);
	rv = gc_jpeg_decode(bytes, len, 0, im, NULL, &d);
	if (rv != GC_OK) {
		fail_msg("%s: %s", path, gc_diag_msg(&d, rv));
	}
	free(bytes);
	assert_int_equal(im->ch, 3);
	return true;
}

#define LOAD_OR_SKIP(name, im)                                          \
	do {                                                            \
		if (!load_rgb((name), (im))) {                          \
			fprintf(stderr, "skipping: photo %s missing\n", \
			    (name));                                    \
			skip();                                         \
		}                                                       \
	} while (0)

static void
grey_of(const struct gc_image *rgb, struct gc_image *g)
{
	assert_int_equal(gc_image_grey(g, rgb), GC_OK);
}

/* Runs the detector on a grey copy of im (RGB or grey). */
static int
detect(const struct gc_image *im, float floor_score, struct gc_face *faces,
    int max)
{
	struct gc_image g;
	int             n = -1;

	grey_of(im, &g);
	assert_int_equal(gc_facedet_run(det, &g, floor_score, faces, max, &n),
	    GC_OK);
	gc_image_release(&g);
	assert_true(n >= 0);
	return n;
}

/* The only face of im above floor_score, with its measures. */
static void
one_face_at(const struct gc_image *im, float floor_score, struct gc_face *f,
    struct gc_face_measures *m)
{
	struct gc_face faces[MAXF];
	int            n = detect(im, floor_score, faces, MAXF);

	if (n != 1) {
		fail_msg("%d × %d image: %d faces above %.2f (best %.3f)",
		    im->w, im->h, n, floor_score, n > 0 ? faces[0].score : 0);
	}
	*f = faces[0];
	gc_face_measure(f, m);
}

static void
one_face(const struct gc_image *im, struct gc_face *f,
    struct gc_face_measures *m)
{
	one_face_at(im, 0.3f, f, m);
}

static void
fill(struct gc_image *im, const uint8_t c[3])
{
	for (int y = 0; y < im->h; y++) {
		uint8_t *p = im->px + (size_t)y * im->stride;

		for (int x = 0; x < im->w; x++) {
			memcpy(p + (size_t)x * im->ch, c, (size_t)im->ch);
		}
	}
}

static uint8_t *
px_at(const struct gc_image *im, int x, int y)
{
	return im->px + (size_t)y * im->stride + (size_t)x * im->ch;
}

/* Rotates src about its centre by deg clockwise (as seen, y down),
 * bilinear, replicating the edge; out is allocated like src. */
static void
rotate(const struct gc_image *src, double deg, struct gc_image *out)
{
	const double a = deg * M_PI / 180, c = cos(a), s = sin(a);
	const double cx = src->w / 2.0, cy = src->h / 2.0;

	assert_int_equal(gc_image_alloc(out, src->w, src->h, src->ch), GC_OK);
	for (int y = 0; y < out->h; y++) {
		for (int x = 0; x < out->w; x++) {
			/* inverse map of the pixel centre */
			double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
			double sx = c * dx + s * dy + cx - 0.5;
			double sy = -s * dx + c * dy + cy - 0.5;
			int    x0, y0;
			double fx, fy;

			sx = sx < 0 ? 0 : (sx > src->w - 1 ? src->w - 1 : sx);
			sy = sy < 0 ? 0 : (sy > src->h - 1 ? src->h - 1 : sy);
			x0 = (int)floor(sx);
			y0 = (int)floor(sy);
			x0 = x0 > src->w - 2 ? src->w - 2 : x0;
			y0 = y0 > src->h - 2 ? src->h - 2 : y0;
			fx = sx - x0;
			fy = sy - y0;
			for (int k = 0; k < src->ch; k++) {
				const uint8_t *a = px_at(src, x0, y0);
				const uint8_t *b = px_at(src, x0, y0 + 1);
				const int      c = src->ch;
				double top = (1 - fx) * a[k] + fx * a[c + k];
				double bot = (1 - fx) * b[k] + fx * b[c + k];

				px_at(out, x, y)[k] =
				    (uint8_t)lround((1 - fy) * top + fy * bot);
			}
		}
	}
}

static void
mirror(const struct gc_image *src, struct gc_image *out)
{
	assert_int_equal(gc_image_alloc(out, src->w, src->h, src->ch), GC_OK);
	for (int y = 0; y < src->h; y++) {
		for (int x = 0; x < src->w; x++) {
			memcpy(px_at(out, src->w - 1 - x, y), px_at(src, x, y),
			    (size_t)src->ch);
		}
	}
}

/* Copies the pixels of src inside the ellipse (cx, cy, ax, ay) into dst,
 * shifted by (dx, dy); pixels outside either image are skipped. */
static void
paste_ellipse(struct gc_image *dst, const struct gc_image *src, double cx,
    double cy, double ax, double ay, int dx, int dy)
{
	for (int y = 0; y < src->h; y++) {
		for (int x = 0; x < src->w; x++) {
			double ex = (x + 0.5 - cx) / ax;
			double ey = (y + 0.5 - cy) / ay;
			int    tx = x + dx, ty = y + dy;

			if (ex * ex + ey * ey > 1 || tx < 0 || ty < 0 ||
			    tx >= dst->w || ty >= dst->h) {
				continue;
			}
			memcpy(px_at(dst, tx, ty), px_at(src, x, y),
			    (size_t)src->ch);
		}
	}
}

/* The mean shape scaled to a face `size` px wide with its box at (x, y). */
static void
mean_face(struct gc_face *f, double x, double y, double size)
{
	memset(f, 0, sizeof(*f));
	f->score = 1;
	f->x     = (float)x;
	f->y     = (float)y;
	f->w     = (float)size;
	f->h     = (float)size;
	for (int i = 0; i < 68; i++) {
		f->lm[i].x = (float)(x + mean_shape[i][0] * size);
		f->lm[i].y = (float)(y + mean_shape[i][1] * size);
	}
}

/* Turns all landmarks of f by deg clockwise about (cx, cy). */
static void
turn_face(struct gc_face *f, double deg, double cx, double cy)
{
	const double a = deg * M_PI / 180, c = cos(a), s = sin(a);

	for (int i = 0; i < 68; i++) {
		double dx = f->lm[i].x - cx, dy = f->lm[i].y - cy;

		f->lm[i].x = (float)(cx + c * dx - s * dy);
		f->lm[i].y = (float)(cy + s * dx + c * dy);
	}
}

/*
 * Paints closed lids over both eyes of face f: inside the eye's outline
 * (grown a little) skin blended from the lid above to the cheek below,
 * feathered at the edge, and a dark lash line from corner to corner,
 * curving down as a shut eye does.
 */
static void
close_eyes(struct gc_image *im, const struct gc_face *f)
{
	for (int e = 36; e <= 42; e += 6) {
		double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
		double w, cx, cy, top[3] = {0, 0, 0}, bot[3] = {0, 0, 0};
		int    n = 0, ya, yb, xa, xb;

		for (int k = e; k < e + 6; k++) {
			x0 = fmin(x0, f->lm[k].x);
			x1 = fmax(x1, f->lm[k].x);
			y0 = fmin(y0, f->lm[k].y);
			y1 = fmax(y1, f->lm[k].y);
		}
		w  = x1 - x0;
		cx = (x0 + x1) / 2;
		cy = (y0 + y1) / 2;
		/* lid skin above, cheek skin below the eye */
		ya = (int)(y0 - 0.25 * w);
		yb = (int)(y1 + 0.25 * w);
		for (int x = (int)(cx - 0.2 * w); x < (int)(cx + 0.2 * w);
		     x++) {
			for (int c = 0; c < 3; c++) {
				top[c] += px_at(im, x, ya)[c];
				bot[c] += px_at(im, x, yb)[c];
			}
			n++;
		}
		assert_true(n > 0);
		ya = (int)(cy - 0.4 * w);
		yb = (int)(cy + 0.4 * w);
		xa = (int)(x0 - 0.1 * w);
		xb = (int)(x1 + 0.1 * w);
		for (int y = ya; y <= yb; y++) {
			for (int x = xa; x <= xb; x++) {
				double ex = (x + 0.5 - cx) / (0.6 * w);
				double ey = (y + 0.5 - cy) / (0.33 * w);
				double r2 = ex * ex + ey * ey;
				double t  = (x + 0.5 - x0) / w;
				double ly = f->lm[e].y +
				    t * (f->lm[e + 3].y - f->lm[e].y) +
				    0.1 * w * sin(M_PI * t);
				double a  = r2 < 0.6 ? 1 : (1 - r2) / 0.4;
				double v  = (double)(y - ya) / (yb - ya);
				bool   lash = t > 0 && t < 1 &&
				    fabs(y + 0.5 - ly) < 1.5;
				uint8_t *p = px_at(im, x, y);

				if (r2 >= 1) {
					continue;
				}
				for (int c = 0; c < 3; c++) {
					double skin = ((1 - v) * top[c] +
					    v * bot[c]) / n;

					skin = lash ? 40 : skin;

					p[c] = (uint8_t)lround(a * skin +
					    (1 - a) * p[c]);
				}
			}
		}
	}
}

/* ---- group fixture ----------------------------------------------------- */

static int
group_setup(void **state)
{
	struct gc_diag d;
	gc_err         rv;

	(void)state;
	gc_diag_clear(&d);
	rv = gc_facedet_open(&det, NULL, &d);
	if (rv != GC_OK) {
		/* No model: the detector tests skip, the rest still run. */
		fprintf(stderr, "face detector: %s\n", gc_diag_msg(&d, rv));
		det = NULL;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	gc_facedet_close(det);
	det = NULL;
	return 0;
}

#define NEED_DETECTOR()                                                  \
	do {                                                             \
		if (det == NULL) {                                       \
			fprintf(stderr, "skipping: no landmark model (" \
			    GC_FACE_MODEL ")\n");                        \
			skip();                                          \
		}                                                        \
	} while (0)

/* ---- gc_facedet_open / run contracts ----------------------------------- */

static void
test_facedet_open_missing_model_is_enotfound(void **state)
{
	gc_facedet    *fd = (gc_facedet *)1;
	struct gc_diag d;

	(void)state;
	gc_diag_clear(&d);
	assert_int_equal(gc_facedet_open(&fd, "/nonexistent/sp68.dat", &d),
	    GC_ENOTFOUND);
	assert_null(fd);
	assert_non_null(strstr(d.msg, "/nonexistent/sp68.dat"));
	assert_non_null(strstr(d.msg, "not found"));
	assert_non_null(strstr(d.msg, "libdlib-data"));
	/* A NULL diag is allowed. */
	assert_int_equal(gc_facedet_open(&fd, "/nonexistent/sp68.dat", NULL),
	    GC_ENOTFOUND);
	gc_facedet_close(NULL);
}

static void
test_facedet_open_garbage_model_is_ecorrupt(void **state)
{
	const char    *dir = gc_test_tmpdir("face");
	static uint8_t junk[100000];
	uint32_t       seed = 7;
	gc_facedet    *fd   = (gc_facedet *)1;
	struct gc_diag d;
	char          *text, *noise, *cut;
	uint8_t       *model;
	size_t         len;

	(void)state;
	text = gc_test_write_file(dir, "text.dat", "hello, dlib\n", 12);
	gc_diag_clear(&d);
	assert_int_equal(gc_facedet_open(&fd, text, &d), GC_ECORRUPT);
	assert_null(fd);
	assert_non_null(strstr(d.msg, "not a dlib shape predictor model"));

	for (size_t i = 0; i < sizeof(junk); i++) {
		junk[i] = (uint8_t)lcg(&seed);
	}
	noise = gc_test_write_file(dir, "noise.dat", junk, sizeof(junk));
	gc_diag_clear(&d);
	assert_int_equal(gc_facedet_open(&fd, noise, &d), GC_ECORRUPT);
	assert_null(fd);

	/* The real model cut short (inside its first cascade). */
	model = gc_test_read_file(GC_FACE_MODEL, &len);
	if (model != NULL) {
		cut = gc_test_write_file(dir, "cut.dat", model,
		    len < 4000000 ? len / 2 : 4000000);
		gc_diag_clear(&d);
		assert_int_equal(gc_facedet_open(&fd, cut, &d), GC_ECORRUPT);
		assert_null(fd);
		free(cut);
		free(model);
	}
	/* A directory is not a model. */
	assert_int_not_equal(gc_facedet_open(&fd, dir, NULL), GC_OK);
	assert_null(fd);
	free(text);
	free(noise);
	gc_test_rmrf(dir);
}

static void
test_facedet_run_rejects_bad_arguments(void **state)
{
	struct gc_image rgb, g;
	struct gc_face  faces[1];
	int             n = 5;

	(void)state;
	NEED_DETECTOR();
	assert_int_equal(gc_image_alloc(&rgb, 64, 64, 3), GC_OK);
	fill(&rgb, WHITE);
	assert_int_equal(gc_facedet_run(det, &rgb, 0, faces, 1, &n),
	    GC_EINVAL); /* RGB: grey only */
	assert_int_equal(n, 0);
	grey_of(&rgb, &g);
	assert_int_equal(gc_facedet_run(det, &g, 0, faces, -1, &n),
	    GC_EINVAL);
	assert_int_equal(gc_facedet_run(det, &g, NAN, faces, 1, &n),
	    GC_EINVAL);
	assert_int_equal(gc_facedet_run(NULL, &g, 0, faces, 1, &n),
	    GC_EINVAL);
	/* max 0 with no array only counts. */
	assert_int_equal(gc_facedet_run(det, &g, 0, NULL, 0, &n), GC_OK);
	assert_int_equal(n, 0);
	gc_image_release(&g);
	gc_image_release(&rgb);
}

/* ---- detection on real photos ------------------------------------------ */

/* Eyes above nose above mouth above chin, eyes inside the box, IED a
 * plausible share of the box width. */
static void
assert_plausible(const struct gc_face *f, const char *name)
{
	struct gc_face_measures m;
	double                  mouth_y = (f->lm[51].y + f->lm[57].y) / 2;

	gc_face_measure(f, &m);
	fprintf(stderr, "%-12s score %.3f box %.0f,%.0f %.0fx%.0f ied %.1f "
	    "roll %+.1f yaw %+.1f pitch %+.1f eye %.3f mouth %.3f "
	    "width %.1f\n", name, f->score, f->x, f->y, f->w, f->h, m.ied,
	    m.roll_deg, m.yaw_deg, m.pitch_deg, m.eye_open, m.mouth_open,
	    m.face_width);
	assert_true(m.eye_r.x < m.eye_l.x); /* subject's left: image right */
	assert_true(m.eye_l.y < f->lm[30].y && m.eye_r.y < f->lm[30].y);
	assert_true(f->lm[30].y < mouth_y);
	assert_true(mouth_y < m.chin.y);
	assert_true(m.brow_y < m.eye_mid.y);
	for (int i = 0; i < 2; i++) {
		struct gc_point e = i ? m.eye_l : m.eye_r;

		assert_true(e.x > f->x && e.x < f->x + f->w);
		assert_true(e.y > f->y && e.y < f->y + f->h);
	}
	assert_true(m.ied > 0.3 * f->w && m.ied < 0.5 * f->w);
	assert_true(m.face_width > m.ied && m.face_width < 1.3 * f->w);
	assert_true(fabs(m.face_centre.y - m.eye_mid.y) < 0.2 * m.ied);
	assert_true(m.hair_top == -1);
}

static void
test_face_found_once_in_portraits(void **state)
{
	static const char *names[] = {"grace_hopper", "astronaut", "aksel"};

	(void)state;
	NEED_DETECTOR();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct gc_image         im;
		struct gc_face          f;
		struct gc_face_measures m;

		LOAD_OR_SKIP(names[i], &im);
		one_face(&im, &f, &m);
		assert_true(f.score >= 0.3f);
		assert_plausible(&f, names[i]);
		gc_image_release(&im);
	}
}

static void
test_face_found_in_small_grey_photo(void **state)
{
	struct gc_image         im;
	struct gc_face          f;
	struct gc_face_measures m;

	(void)state;
	NEED_DETECTOR();
	LOAD_OR_SKIP("sh0r", &im); /* 180 × 180, greyscale JPEG */
	one_face(&im, &f, &m);
	assert_true(f.score > 1);
	assert_plausible(&f, "sh0r");
	gc_image_release(&im);
}

static void
test_face_frontal_pose_reads_near_zero(void **state)
{
	static const char *names[] = {"astronaut", "grace_hopper", "sh0r"};

	(void)state;
	NEED_DETECTOR();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct gc_image         im;
		struct gc_face          f;
		struct gc_face_measures m;

		LOAD_OR_SKIP(names[i], &im);
		one_face(&im, &f, &m);
		assert_true(fabsf(m.roll_deg) < 5);
		switch (i) {
		case 0:
			assert_true(fabsf(m.yaw_deg) < 3);
			assert_true(fabsf(m.pitch_deg) < 5);
			break;
		case 1:
			/* Grace Hopper is turned a little to her right (her
			 * right cheek shows less): about −4°. */
			assert_true(m.yaw_deg < -1 && m.yaw_deg > -8);
			assert_true(fabsf(m.pitch_deg) < 5);
			break;
		default:
			/* A webcam above him: he looks up into it with his
			 * head a little bowed (and a long nose): about +6°. */
			assert_true(fabsf(m.yaw_deg) < 3);
			assert_true(m.pitch_deg > 0 && m.pitch_deg < 9);
			break;
		}
		gc_image_release(&im);
	}
}

static void
test_face_eyes_and_mouth_measures(void **state)
{
	struct gc_image         gh, yawn, astro, sh;
	struct gc_face          f, faces[MAXF];
	struct gc_face_measures mg, my, ma, mas, ms, mss;
	int                     n;

	(void)state;
	NEED_DETECTOR();
	LOAD_OR_SKIP("grace_hopper", &gh);
	LOAD_OR_SKIP("yawn", &yawn);
	LOAD_OR_SKIP("astronaut", &astro);
	LOAD_OR_SKIP("sh0r", &sh);
	one_face(&gh, &f, &mg);
	/* The yawn is a weak detection (head turned ~45° and tilted, eyes
	 * shut, beard): take the best face at a low floor. */
	n = detect(&yawn, -0.5f, faces, MAXF);
	assert_true(n >= 1);
	gc_face_measure(&faces[0], &my);
	/* The astronaut and sh0r (glasses) with their eyes painted shut. */
	one_face(&astro, &f, &ma);
	close_eyes(&astro, &f);
	one_face(&astro, &f, &mas);
	one_face(&sh, &f, &ms);
	close_eyes(&sh, &f);
	one_face(&sh, &f, &mss);
	fprintf(stderr, "eye_open: grace %.3f, yawn %.3f, astronaut %.3f → "
	    "shut %.3f, sh0r %.3f → shut %.3f\n", mg.eye_open, my.eye_open,
	    ma.eye_open, mas.eye_open, ms.eye_open, mss.eye_open);
	fprintf(stderr, "mouth_open: grace %.3f, yawn %.3f, astronaut %.3f\n",
	    mg.mouth_open, my.mouth_open, ma.mouth_open);
	assert_true(mg.eye_open > 0.25);
	assert_true(ma.eye_open > 0.25);
	assert_true(ms.eye_open > 0.25);
	assert_true(mas.eye_open < 0.15);
	assert_true(mss.eye_open < 0.2);
	/* dlib's 68-point model half-sees the yawn's shut eyes (behind
	 * glasses, the head turned far out of the frontal range): lower
	 * than open eyes, but nowhere near a frontal shut eye. */
	assert_true(my.eye_open < mg.eye_open - 0.05);

	assert_true(mg.mouth_open < 0.03);
	assert_true(ma.mouth_open > mg.mouth_open + 0.08);
	/* Likewise it puts the yawn's mouth points on the upper part of
	 * the open mouth (the beard hides the rest): it reads far less
	 * open than it is, yet above closed lips. */
	assert_true(my.mouth_open > mg.mouth_open + 0.03);
	gc_image_release(&gh);
	gc_image_release(&yawn);
	gc_image_release(&astro);
	gc_image_release(&sh);
}

static void
test_face_roll_follows_rotation(void **state)
{
	struct gc_image         im, rot;
	struct gc_face          f;
	struct gc_face_measures m0, m;

	(void)state;
	NEED_DETECTOR();
	LOAD_OR_SKIP("grace_hopper", &im);
	one_face(&im, &f, &m0);
	for (int sign = -1; sign <= 1; sign += 2) {
		rotate(&im, 12.0 * sign, &rot);
		one_face(&rot, &f, &m);
		fprintf(stderr, "rotated %+d°: roll %+.2f (upright %+.2f) yaw "
		    "%+.2f pitch %+.2f\n", 12 * sign, m.roll_deg, m0.roll_deg,
		    m.yaw_deg, m.pitch_deg);
		assert_true(fabsf(m.roll_deg - m0.roll_deg - 12.0f * sign) <
		    1.5f);
		/* Yaw and pitch are read in the face's own frame; what
		 * changes is dlib's fit of the turned pixels (~3°). */
		assert_true(fabsf(m.yaw_deg - m0.yaw_deg) < 4.5f);
		assert_true(fabsf(m.pitch_deg - m0.pitch_deg) < 4.5f);
		gc_image_release(&rot);
	}
	gc_image_release(&im);
}

static void
test_face_mirror_flips_yaw_and_roll(void **state)
{
	struct gc_image         im, mir, rot, rotmir, ak, akmir;
	struct gc_face          f;
	struct gc_face_measures m0, mm, mr, mrm, ma, mam;

	(void)state;
	NEED_DETECTOR();
	LOAD_OR_SKIP("grace_hopper", &im);
	LOAD_OR_SKIP("aksel", &ak);
	one_face(&im, &f, &m0);
	mirror(&im, &mir);
	one_face(&mir, &f, &mm);
	fprintf(stderr, "grace mirrored: roll %+.2f → %+.2f, yaw %+.2f → "
	    "%+.2f, pitch %+.2f → %+.2f\n", m0.roll_deg, mm.roll_deg,
	    m0.yaw_deg, mm.yaw_deg, m0.pitch_deg, mm.pitch_deg);
	assert_true(fabsf(mm.roll_deg + m0.roll_deg) < 1.0f);
	assert_true(fabsf(mm.pitch_deg - m0.pitch_deg) < 3.0f);
	/* dlib's fit is not mirror-exact: ~2° of yaw. */
	assert_true(fabsf(mm.yaw_deg + m0.yaw_deg) < 4.0f);
	/* The eyes swap sides with the image. */
	assert_true(fabsf(mm.eye_r.x - (im.w - m0.eye_l.x)) < 2);
	assert_true(fabsf(mm.eye_l.x - (im.w - m0.eye_r.x)) < 2);

	/* A clear tilt, then mirrored: the roll changes sign. */
	rotate(&im, 8, &rot);
	mirror(&rot, &rotmir);
	one_face(&rot, &f, &mr);
	one_face(&rotmir, &f, &mrm);
	assert_true(mr.roll_deg > 4);
	assert_true(mrm.roll_deg < -4);
	assert_true(fabsf(mr.roll_deg + mrm.roll_deg) < 1.0f);

	/* A clearly turned head (Aksel Andersson, ~14° to his right):
	 * the yaw changes sign. HOG's sub-detectors for heads turned left
	 * and right are not mirror images: he scores 0.42, his mirror image
	 * −0.2, hence the low floor. */
	one_face_at(&ak, -0.5f, &f, &ma);
	mirror(&ak, &akmir);
	one_face_at(&akmir, -0.5f, &f, &mam);
	fprintf(stderr, "aksel mirrored: score %.3f, roll %+.2f → %+.2f, yaw "
	    "%+.2f → %+.2f\n", f.score, ma.roll_deg, mam.roll_deg, ma.yaw_deg,
	    mam.yaw_deg);
	assert_true(ma.yaw_deg < -8);
	assert_true(mam.yaw_deg > 8);
	assert_true(fabsf(ma.yaw_deg + mam.yaw_deg) < 3.0f);
	assert_true(fabsf(ma.roll_deg + mam.roll_deg) < 1.5f);
	gc_image_release(&akmir);
	gc_image_release(&ak);
	gc_image_release(&rotmir);
	gc_image_release(&rot);
	gc_image_release(&mir);
	gc_image_release(&im);
}

static void
test_face_none_in_plain_grey_or_noise(void **state)
{
	struct gc_image g;
	struct gc_face  faces[MAXF];
	uint32_t        seed = 12345;
	int             n    = -1;

	(void)state;
	NEED_DETECTOR();
	assert_int_equal(gc_image_alloc(&g, 640, 480, 1), GC_OK);
	memset(g.px, 128, g.stride * (size_t)g.h);
	assert_int_equal(gc_facedet_run(det, &g, 0, faces, MAXF, &n), GC_OK);
	assert_int_equal(n, 0);
	for (size_t i = 0; i < g.stride * (size_t)g.h; i++) {
		g.px[i] = (uint8_t)lcg(&seed);
	}
	assert_int_equal(gc_facedet_run(det, &g, 0, faces, MAXF, &n), GC_OK);
	assert_int_equal(n, 0);
	gc_image_release(&g);
}

static void
test_face_two_side_by_side(void **state)
{
	struct gc_image im, canvas;
	struct gc_face  faces[MAXF], f1[1];
	int             n;

	(void)state;
	NEED_DETECTOR();
	LOAD_OR_SKIP("grace_hopper", &im);
	assert_int_equal(gc_image_alloc(&canvas, 2 * im.w, im.h, 3), GC_OK);
	for (int y = 0; y < im.h; y++) {
		memcpy(px_at(&canvas, 0, y), px_at(&im, 0, y),
		    (size_t)im.w * 3);
		memcpy(px_at(&canvas, im.w, y), px_at(&im, 0, y),
		    (size_t)im.w * 3);
	}
	n = detect(&canvas, 0.3f, faces, MAXF);
	assert_int_equal(n, 2);
	assert_true(faces[0].score >= faces[1].score);
	/* One in each half, in the same place. */
	assert_true((faces[0].x < im.w) != (faces[1].x < im.w));
	assert_true(fabsf(fabsf(faces[0].x - faces[1].x) - im.w) <
	    0.1f * faces[0].w);
	assert_true(fabsf(faces[0].y - faces[1].y) < 0.1f * faces[0].w);

	/* max 1: both counted, one written. */
	n = detect(&canvas, 0.3f, f1, 1);
	assert_int_equal(n, 2);
	assert_true(f1[0].score == faces[0].score);
	gc_image_release(&canvas);
	gc_image_release(&im);
}

static void
test_face_min_score_filters(void **state)
{
	struct gc_image im;
	struct gc_face  faces[MAXF];

	(void)state;
	NEED_DETECTOR();
	LOAD_OR_SKIP("grace_hopper", &im);
	assert_int_equal(detect(&im, 0.3f, faces, MAXF), 1);
	assert_true(faces[0].score < 5);
	assert_int_equal(detect(&im, 5.0f, faces, MAXF), 0);
	assert_int_equal(detect(&im, faces[0].score + 0.01f, faces, MAXF), 0);
	gc_image_release(&im);
}

/* A half-size copy finds the same face at half the coordinates (pixel
 * edges: a plain factor of two, no half-pixel shift). */
static void
test_face_found_in_downscaled_copy(void **state)
{
	struct gc_image         im, half;
	struct gc_face          f, fh;
	struct gc_face_measures m, mh;

	(void)state;
	NEED_DETECTOR();
	LOAD_OR_SKIP("grace_hopper", &im);
	one_face(&im, &f, &m);
	assert_int_equal(gc_image_alloc(&half, im.w / 2, im.h / 2, 3), GC_OK);
	assert_int_equal(gc_image_resample(&half, &im, 0, 0, im.w, im.h),
	    GC_OK);
	one_face(&half, &fh, &mh);
	fprintf(stderr, "half size: eye_mid %.1f,%.1f ×2 = %.1f,%.1f (full "
	    "%.1f,%.1f), ied %.1f ×2 = %.1f (full %.1f)\n", mh.eye_mid.x,
	    mh.eye_mid.y, 2 * mh.eye_mid.x, 2 * mh.eye_mid.y, m.eye_mid.x,
	    m.eye_mid.y, mh.ied, 2 * mh.ied, m.ied);
	assert_true(fabsf(2 * mh.eye_mid.x - m.eye_mid.x) < 3);
	assert_true(fabsf(2 * mh.eye_mid.y - m.eye_mid.y) < 3);
	assert_true(fabsf(2 * mh.ied - m.ied) < 0.06f * m.ied);
	assert_true(fabsf(2 * mh.face_width - m.face_width) <
	    0.08f * m.face_width);
	assert_true(fabsf(2 * fh.w - f.w) < 0.25f * f.w);
	gc_image_release(&half);
	gc_image_release(&im);
}

/* ---- gc_face_measure on exact landmarks --------------------------------- */

static void
test_face_measure_mean_shape_is_frontal(void **state)
{
	struct gc_face          f;
	struct gc_face_measures m;

	(void)state;
	mean_face(&f, 100, 200, 250);
	gc_face_measure(&f, &m);
	assert_float_equal(m.roll_deg, 0, 0.05);
	assert_float_equal(m.yaw_deg, 0, 0.05);
	assert_float_equal(m.pitch_deg, 0, 0.3);
	assert_true(m.eye_open > 0.28 && m.eye_open < 0.33);
	assert_true(m.mouth_open > 0.05 && m.mouth_open < 0.15);
	/* Eye centres: means of 36–41 and 42–47; subject's left on the
	 * image right. */
	assert_true(m.eye_l.x > m.eye_r.x);
	assert_float_equal(m.eye_r.x, 100 + 250 * 0.29453, 0.05);
	assert_float_equal(m.eye_mid.x, 225, 0.05);
	assert_float_equal(m.ied, 250 * 0.41098, 0.1);
	assert_float_equal(m.face_width, 250 * (0.9674 - 0.0326), 0.05);
	assert_float_equal(m.face_centre.x, 225, 0.05);
	assert_float_equal(m.face_centre.y, m.eye_mid.y, 0.05);
	assert_float_equal(m.chin.y, 200 + 250 * 1.0697, 0.01);
	assert_float_equal(m.brow_y, 200 + 250 * 0.1627, 0.01);
	assert_float_equal(m.hair_top, -1, 0);
}

static void
test_face_measure_roll_sign_and_frame(void **state)
{
	struct gc_face          f;
	struct gc_face_measures m0, m;

	(void)state;
	mean_face(&f, 100, 200, 250);
	gc_face_measure(&f, &m0);
	for (int deg = -30; deg <= 30; deg += 10) {
		mean_face(&f, 100, 200, 250);
		turn_face(&f, deg, 300, 300);
		gc_face_measure(&f, &m);
		/* + : clockwise as seen (the image-right eye drops). */
		assert_float_equal(m.roll_deg, deg, 0.05);
		assert_true(deg <= 0 || m.eye_l.y > m.eye_r.y);
		assert_float_equal(m.yaw_deg, 0, 0.05);
		assert_float_equal(m.pitch_deg, m0.pitch_deg, 0.05);
		assert_float_equal(m.ied, m0.ied, 0.05);
		assert_float_equal(m.face_width, m0.face_width, 0.05);
		/* The face centre turns with the face. */
		assert_float_equal(hypotf(m.face_centre.x - m.eye_mid.x,
		    m.face_centre.y - m.eye_mid.y), 0, 0.05);
	}
}

static void
test_face_measure_yaw_and_pitch_signs(void **state)
{
	struct gc_face          f;
	struct gc_face_measures m;
	double                  unit = 250 * 0.41098; /* the IED */

	(void)state;
	/* Nose tip towards the image right: + yaw. 2r − 1 = 0.12 (shift
	 * 0.06 of the side span): asin(0.12 / 1.2) = 5.74°. */
	mean_face(&f, 100, 200, 250);
	f.lm[30].x += (float)(0.06 * 250 * (0.96403 - 0.03597));
	gc_face_measure(&f, &m);
	assert_float_equal(m.yaw_deg, 5.74, 0.1);
	/* Nose tip down by 0.05 IED: head bowed, + pitch. */
	mean_face(&f, 100, 200, 250);
	f.lm[30].y += (float)(0.05 * unit);
	gc_face_measure(&f, &m);
	assert_true(m.pitch_deg > 3 && m.pitch_deg < 6);
	assert_float_equal(m.yaw_deg, 0, 0.05);
	mean_face(&f, 100, 200, 250);
	f.lm[30].y -= (float)(0.05 * unit);
	gc_face_measure(&f, &m);
	assert_true(m.pitch_deg < -3 && m.pitch_deg > -6);
	/* Eyes shut: the lids meet. */
	mean_face(&f, 100, 200, 250);
	for (int e = 36; e <= 42; e += 6) {
		for (int k = 1; k <= 5; k++) {
			if (k != 3) {
				f.lm[e + k].y =
				    (f.lm[e].y + f.lm[e + 3].y) / 2;
			}
		}
	}
	gc_face_measure(&f, &m);
	assert_true(m.eye_open < 0.03);
	/* A degenerate face does not divide by zero. */
	memset(&f, 0, sizeof(f));
	gc_face_measure(&f, &m);
	assert_float_equal(m.ied, 0, 0);
	assert_false(isnan(m.yaw_deg) || isnan(m.pitch_deg) ||
	    isnan(m.roll_deg) || isnan(m.eye_open) || isnan(m.mouth_open));
}

/* ---- hair top ---------------------------------------------------------- */

/*
 * A synthetic portrait on a plain background: a textured dark hair mass
 * whose top is at row `top` (stray light strands included), a skin oval
 * from the brows down, and the mean-shape landmarks placed to match.
 */
static void
hair_scene(struct gc_image *im, const uint8_t bg[3], int top,
    struct gc_face *f, int strand_top)
{
	const double size = 243, fx = 240 - size / 2, fy = 175;
	double       brow, hcx, hcy, hax, hay;
	uint32_t     seed = 99;

	assert_int_equal(gc_image_alloc(im, 480, 640, 3), GC_OK);
	fill(im, bg);
	mean_face(f, fx, fy, size);
	brow = fy + 0.1627 * size;
	hcx  = 240;
	hcy  = brow + 40;
	hax  = 0.62 * size;
	hay  = hcy - top;
	for (int y = 0; y < im->h; y++) {
		for (int x = 0; x < im->w; x++) {
			double   ex = (x + 0.5 - hcx) / hax;
			double   ey = (y + 0.5 - hcy) / hay;
			uint8_t *p  = px_at(im, x, y);
			int      v  = (int)(lcg(&seed) % 50) - 25;

			if (ex * ex + ey * ey <= 1 && y < hcy) {
				/* brown hair, every 13th column a light
				 * strand */
				int l = x % 13 == 0 ? 90 : 0;

				p[0] = (uint8_t)(60 + v + l);
				p[1] = (uint8_t)(42 + v + l);
				p[2] = (uint8_t)(30 + v + l);
			}
			ex = (x + 0.5 - 240) / (0.45 * size);
			ey = (y + 0.5 - (fy + 0.62 * size)) / (0.5 * size);
			if (ex * ex + ey * ey <= 1) {
				p[0] = (uint8_t)(215 + v / 5);
				p[1] = (uint8_t)(170 + v / 5);
				p[2] = (uint8_t)(150 + v / 5);
			}
		}
	}
	/* One stray strand standing up from the crown. */
	if (strand_top >= 0) {
		for (int y = strand_top; y < top + 2; y++) {
			memcpy(px_at(im, 250, y), (uint8_t[3]){50, 35, 25}, 3);
		}
	}
}

static void
test_hair_top_on_plain_backgrounds(void **state)
{
	const uint8_t *bgs[] = {LIGHT_BLUE, WHITE, LIGHT_GREY};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		for (int top = 60; top <= 120; top += 30) {
			struct gc_image         im;
			struct gc_face          f;
			struct gc_face_measures m;

			hair_scene(&im, bgs[i], top, &f, top - 40);
			gc_face_measure(&f, &m);
			assert_true(gc_face_hair_top(&im, &f, &m));
			if (fabsf(m.hair_top - (float)top) > 1.5f) {
				fail_msg("background %zu: hair top %.1f, "
				    "drawn at %d", i, m.hair_top, top);
			}
			gc_image_release(&im);
		}
	}
}

static void
test_hair_top_tolerates_a_soft_gradient(void **state)
{
	struct gc_image         im;
	struct gc_face          f;
	struct gc_face_measures m;

	(void)state;
	hair_scene(&im, LIGHT_GREY, 90, &f, -1);
	/* Light falling off by 16 levels towards the left edge. */
	for (int y = 0; y < im.h; y++) {
		for (int x = 0; x < im.w; x++) {
			uint8_t *p = px_at(&im, x, y);

			if (p[0] == 240 && p[1] == 240 && p[2] == 240) {
				memset(p, 224 + 16 * x / im.w, 3);
			}
		}
	}
	gc_face_measure(&f, &m);
	assert_true(gc_face_hair_top(&im, &f, &m));
	assert_float_equal(m.hair_top, 90, 1.5);
	gc_image_release(&im);
}

static void
test_hair_top_false_when_hair_reaches_top(void **state)
{
	struct gc_image         im;
	struct gc_face          f;
	struct gc_face_measures m;

	(void)state;
	hair_scene(&im, LIGHT_BLUE, -40, &f, -1);
	gc_face_measure(&f, &m);
	assert_false(gc_face_hair_top(&im, &f, &m));
	assert_float_equal(m.hair_top, -1, 0);
	gc_image_release(&im);
}

static void
test_hair_top_false_on_busy_background(void **state)
{
	struct gc_image         im;
	struct gc_face          f;
	struct gc_face_measures m;

	(void)state;
	hair_scene(&im, WHITE, 90, &f, -1);
	/* Blotches of random colour wherever the background was. */
	for (int y = 0; y < im.h; y++) {
		for (int x = 0; x < im.w; x++) {
			uint8_t *p = px_at(&im, x, y);

			if (p[0] == 255 && p[1] == 255 && p[2] == 255) {
				/* one colour per 9 × 9 cell */
				uint32_t s = (uint32_t)((x / 9) * 7919 +
				    (y / 9) * 104729);

				p[0] = (uint8_t)lcg(&s);
				p[1] = (uint8_t)lcg(&s);
				p[2] = (uint8_t)lcg(&s);
			}
		}
	}
	gc_face_measure(&f, &m);
	assert_false(gc_face_hair_top(&im, &f, &m));
	gc_image_release(&im);
}

static void
test_hair_top_degenerate_inputs(void **state)
{
	struct gc_image         im;
	struct gc_face          f;
	struct gc_face_measures m;

	(void)state;
	hair_scene(&im, WHITE, 90, &f, -1);
	gc_face_measure(&f, &m);
	/* Landmarks off the image, a face at the very top, no pixels. */
	for (int i = 0; i < 68; i++) {
		f.lm[i].y -= 1000;
	}
	assert_false(gc_face_hair_top(&im, &f, &m));
	for (int i = 0; i < 68; i++) {
		f.lm[i].x += 5000;
		f.lm[i].y += 1000;
	}
	assert_false(gc_face_hair_top(&im, &f, &m));
	memset(&f, 0, sizeof(f));
	assert_false(gc_face_hair_top(&im, &f, &m));
	assert_false(gc_face_hair_top(NULL, &f, &m));
	gc_image_release(&im);
}

/* The real Grace Hopper head (with her cap) cut out in a generous ellipse
 * and pasted lower on a plain light-blue canvas. */
static void
test_hair_top_on_pasted_portrait(void **state)
{
	struct gc_image         im, canvas;
	struct gc_face          f;
	struct gc_face_measures m;
	double                  cx, cy, ax, ay, crop_top;
	const int               shift = 150;

	(void)state;
	NEED_DETECTOR();
	LOAD_OR_SKIP("grace_hopper", &im);
	one_face(&im, &f, &m);

	/* On the original (a flag behind her, the cap at the top edge) it
	 * may fail; it must not crash. */
	(void)gc_face_hair_top(&im, &f, &m);

	cx = f.x + f.w / 2;
	cy = f.y + 0.45 * f.h;
	ax = 0.8 * f.w;
	ay = cy; /* reaches the source's top row: the whole cap */
	crop_top = shift;
	assert_int_equal(gc_image_alloc(&canvas, 640, im.h + shift, 3), GC_OK);
	fill(&canvas, LIGHT_BLUE);
	paste_ellipse(&canvas, &im, cx, cy, ax, ay, 64, shift);

	one_face(&canvas, &f, &m);
	assert_true(gc_face_hair_top(&canvas, &f, &m));
	fprintf(stderr, "pasted portrait: crop top %.0f, hair top %.1f, brows "
	    "%.1f\n", crop_top, m.hair_top, m.brow_y);
	assert_true(m.hair_top >= crop_top - 1);
	assert_true(m.hair_top < m.brow_y - 0.5f * m.ied);
	/* The cap (the "hair" here) rises ~125 px above her brows. */
	assert_true(m.hair_top < crop_top + 20);
	gc_image_release(&canvas);
	gc_image_release(&im);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facedet_open_missing_model_is_enotfound),
		cmocka_unit_test(test_facedet_open_garbage_model_is_ecorrupt),
		cmocka_unit_test(test_facedet_run_rejects_bad_arguments),
		cmocka_unit_test(test_face_found_once_in_portraits),
		cmocka_unit_test(test_face_found_in_small_grey_photo),
		cmocka_unit_test(test_face_frontal_pose_reads_near_zero),
		cmocka_unit_test(test_face_eyes_and_mouth_measures),
		cmocka_unit_test(test_face_roll_follows_rotation),
		cmocka_unit_test(test_face_mirror_flips_yaw_and_roll),
		cmocka_unit_test(test_face_none_in_plain_grey_or_noise),
		cmocka_unit_test(test_face_two_side_by_side),
		cmocka_unit_test(test_face_min_score_filters),
		cmocka_unit_test(test_face_found_in_downscaled_copy),
		cmocka_unit_test(test_face_measure_mean_shape_is_frontal),
		cmocka_unit_test(test_face_measure_roll_sign_and_frame),
		cmocka_unit_test(test_face_measure_yaw_and_pitch_signs),
		cmocka_unit_test(test_hair_top_on_plain_backgrounds),
		cmocka_unit_test(test_hair_top_tolerates_a_soft_gradient),
		cmocka_unit_test(test_hair_top_false_when_hair_reaches_top),
		cmocka_unit_test(test_hair_top_false_on_busy_background),
		cmocka_unit_test(test_hair_top_degenerate_inputs),
		cmocka_unit_test(test_hair_top_on_pasted_portrait),
	};
	return cmocka_run_group_tests_name("capture.face", tests, group_setup,
	    group_teardown);
}
