/* The photo checks: the profile, the framing, each check seen passing and
 * failing, and the whole pipeline over the synthetic portrait set. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/checks.h"
#include "capture/frame.h"
#include "capture/jpeg.h"
#include "capture/pipeline.h"
#include "capture/profile.h"
#include "common/config.h"
#include "tests/synth/synth.h"
#include "tests/testutil.h"

/* ---- profile ---- */

static void
test_profile_default_follows_the_spec(void **state)
{
	struct gc_profile p;

	(void)state;
	gc_profile_default(&p);
	assert_int_equal(p.out_w, 480);
	assert_int_equal(p.out_h, 640);
	assert_int_equal(p.dpi, 300);
	assert_int_equal(p.hair_min, 50);
	assert_int_equal(p.hair_max, 110);
	assert_int_equal(p.eye_min, 200);
	assert_int_equal(p.eye_max, 300);
	assert_int_equal(p.face_w_min, 180);
	assert_int_equal(p.face_w_max, 300);
	assert_int_equal(p.size_min, 20 * 1024);
	assert_int_equal(p.size_max, 40 * 1024);
	assert_int_equal(p.nbg, 3);
	assert_int_equal(p.bg[0].r, 100);
	assert_int_equal(p.bg[0].g, 197);
	assert_int_equal(p.bg[0].b, 255);
}

static void
test_profile_section_overrides_and_bad_values(void **state)
{
	char             *dir = gc_test_tmpdir("profile");
	char             *path;
	gc_config        *cfg;
	struct gc_profile p;
	struct gc_diag    d;
	const char        ini[] =
	    "[profile.njtech]\n"
	    "backgrounds = 64C5FF\n"
	    "banned_clothing = blue, yellow\n"
	    "glasses_allowed = no\n"
	    "size_max_kb = 60\n"
	    "hair_top = 40-100\n"
	    "replace_background = yes\n"
	    "[profile.broken]\n"
	    "eye_line = upwards\n"
	    "[profile.typo]\n"
	    "eyeline = 200-300\n";

	(void)state;
	path = gc_test_write_file(dir, "gradcap.ini", ini, strlen(ini));
	assert_int_equal(gc_config_load(&cfg, path, NULL), GC_OK);
	assert_int_equal(gc_profile_load(&p, cfg, "njtech", NULL), GC_OK);
	assert_string_equal(p.name, "njtech");
	assert_int_equal(p.nbg, 1);
	assert_true(p.ban_blue && p.ban_yellow && !p.ban_green);
	assert_false(p.glasses_allowed);
	assert_int_equal(p.size_max, 60 * 1024);
	assert_int_equal(p.hair_min, 40);
	assert_int_equal(p.eye_min, 200); /* untouched keys keep defaults */
	assert_true(p.replace_background);
	gc_diag_clear(&d);
	assert_int_equal(gc_profile_load(&p, cfg, "broken", &d), GC_EINVAL);
	assert_non_null(strstr(d.msg, "eye_line"));
	assert_non_null(strstr(d.msg, "upwards"));
	gc_diag_clear(&d);
	assert_int_equal(gc_profile_load(&p, cfg, "typo", &d), GC_EINVAL);
	assert_non_null(strstr(d.msg, "unknown setting"));
	gc_diag_clear(&d);
	assert_int_equal(gc_profile_load(&p, cfg, "nope", &d), GC_ENOTFOUND);
	assert_non_null(strstr(d.msg, "profile.nope"));
	assert_int_equal(gc_profile_load(&p, cfg, NULL, NULL), GC_OK);
	assert_string_equal(p.name, "default");
	assert_false(p.replace_background); /* online only, when allowed */
	gc_config_free(cfg);
	free(path);
	gc_test_rmrf(dir);
}

/* ---- framing ---- */

/* Measures of a frontal face of width fw, centred at (cx, eye_y). */
static struct gc_face_measures
face_at(double cx, double eye_y, double fw)
{
	struct gc_face_measures m;

	memset(&m, 0, sizeof(m));
	m.face_width    = (float)fw;
	m.face_centre.x = (float)cx;
	m.face_centre.y = (float)eye_y;
	m.eye_mid.x     = (float)cx;
	m.eye_mid.y     = (float)eye_y;
	m.brow_y        = (float)(eye_y - 0.2 * fw);
	m.hair_top      = (float)(eye_y - 0.75 * fw);
	m.chin.x        = (float)cx;
	m.chin.y        = (float)(eye_y + 0.75 * fw);
	return m;
}

static void
test_frame_plan_meets_the_geometry(void **state)
{
	struct gc_profile       p;
	struct gc_frame_plan    f;
	struct gc_face_measures m = face_at(1500, 1600, 600);

	(void)state;
	gc_profile_default(&p);
	gc_frame_plan(&p, 3000, 4000, &m, true, &f);
	assert_true(f.ok);
	assert_true(f.k <= 1.0);
	/* in the output frame */
	assert_true(fabs(m.face_width * f.k - 240) < 1);
	assert_true((m.hair_top - f.y) * f.k >= p.hair_min);
	assert_true((m.hair_top - f.y) * f.k <= p.hair_max);
	assert_true((m.eye_mid.y - f.y) * f.k >= p.eye_min);
	assert_true((m.eye_mid.y - f.y) * f.k <= p.eye_max);
	assert_true(fabs((m.face_centre.x - f.x) * f.k - 240) <= 1);
	assert_true(f.x >= 0 && f.y >= 0 && f.x + f.w <= 3000 &&
	    f.y + f.h <= 4000);
	assert_true(fabs(f.w / f.h - 0.75) < 0.01);
}

static void
test_frame_plan_gives_guidance_when_no_crop_exists(void **state)
{
	static const struct {
		double            cx, eye_y, fw;
		enum gc_frame_fix fix;
		const char       *word;
	} cases[] = {
		{ 1500, 1600, 120, GC_FIX_CLOSER, "closer" },   /* too far */
		{ 1500, 2000, 2600, GC_FIX_BACK, "move back" }, /* too close */
		{ 1500, 500, 600, GC_FIX_CAM_HIGHER, "raise" }, /* head at top */
		{ 1500, 3500, 600, GC_FIX_CAM_LOWER, "lower" }, /* at bottom */
		{ 300, 1600, 600, GC_FIX_MOVE_RIGHT, "left" },  /* at left */
		{ 2700, 1600, 600, GC_FIX_MOVE_LEFT, "right" }, /* at right */
	};
	struct gc_profile p;

	(void)state;
	gc_profile_default(&p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gc_face_measures m = face_at(cases[i].cx, cases[i].eye_y,
		    cases[i].fw);
		struct gc_frame_plan    f;

		gc_frame_plan(&p, 3000, 4000, &m, true, &f);
		if (f.ok || f.fix != cases[i].fix ||
		    strstr(f.guide_en, cases[i].word) == NULL) {
			fail_msg("case %zu: ok %d fix %d '%s'", i, f.ok, f.fix,
			    f.guide_en);
		}
		assert_true(f.guide_zh[0] != '\0');
	}
}

/* ---- every check passing and failing on a real normalised portrait ---- */

struct base {
	struct gc_image   img; /* 480 × 640 */
	struct gc_subject s;
	struct gc_profile p;
	gc_facedet       *fd;
};

static struct base *B;

/* A normalised, compliant portrait made from grace_hopper. */
static int
base_setup(void **state)
{
	const char               *src = gc_test_data("grace_hopper");
	struct gc_synth_src       ss;
	struct gc_image           canvas;
	struct gc_pipeline_result res;
	gc_pipeline              *pl;
	struct gc_buf             jb;
	struct gc_face            faces[2];
	struct gc_image           grey;
	int                       n;

	(void)state;
	if (src == NULL) {
		return 0;
	}
	B = calloc(1, sizeof(*B));
	gc_profile_default(&B->p);
	assert_int_equal(gc_facedet_open(&B->fd, NULL, NULL), GC_OK);
	assert_int_equal(gc_synth_src_load(&ss, B->fd, src, "grace", ""),
	    GC_OK);
	assert_int_equal(gc_synth_render(&ss, &gc_synth_variants[0], 1200,
	    1600, &canvas), GC_OK);
	gc_synth_src_release(&ss);
	gc_buf_init(&jb);
	assert_int_equal(gc_jpeg_encode(&canvas, 92, 72, &jb), GC_OK);
	gc_image_release(&canvas);
	assert_int_equal(gc_pipeline_open(&pl, &B->p, NULL), GC_OK);
	gc_pipeline_result_init(&res);
	assert_int_equal(gc_pipeline_run(pl, jb.data, jb.len,
	    GC_PIPE_NORMALIZE, &res), GC_OK);
	assert_int_not_equal(res.report.verdict, GC_VERDICT_FAIL);
	assert_int_equal(gc_jpeg_decode(res.jpeg.data, res.jpeg.len, 0,
	    &B->img, NULL, NULL), GC_OK);
	gc_pipeline_result_release(&res);
	gc_pipeline_close(pl);
	gc_buf_release(&jb);
	assert_int_equal(gc_image_grey(&grey, &B->img), GC_OK);
	assert_int_equal(gc_facedet_run(B->fd, &grey, B->p.face_min_score,
	    faces, 2, &n), GC_OK);
	gc_image_release(&grey);
	assert_int_equal(n, 1);
	B->s.nfaces = 1;
	B->s.face   = faces[0];
	gc_face_measure(&B->s.face, &B->s.m);
	B->s.hair_found = gc_face_hair_top(&B->img, &B->s.face, &B->s.m);
	return 0;
}

static int
base_teardown(void **state)
{
	(void)state;
	if (B != NULL) {
		gc_image_release(&B->img);
		gc_facedet_close(B->fd);
		free(B);
		B = NULL;
	}
	return 0;
}

static enum gc_verdict
verdict_of(const struct gc_image *im, const struct gc_subject *s,
    const struct gc_profile *p, const char *id)
{
	struct gc_report       r;
	const struct gc_check *c;

	gc_report_init(&r);
	gc_checks_face(&r, p, im, s);
	c = gc_report_get(&r, id);
	if (c == NULL) {
		fail_msg("check %s did not run", id);
	}
	return c->verdict;
}

static struct gc_image
copy_img(const struct gc_image *im)
{
	struct gc_image c;

	assert_int_equal(gc_image_alloc(&c, im->w, im->h, 3), GC_OK);
	memcpy(c.px, im->px, im->stride * (size_t)im->h);
	return c;
}

static void
fill(struct gc_image *im, int x0, int y0, int x1, int y1, int r, int g, int b)
{
	for (int y = y0 < 0 ? 0 : y0; y < y1 && y < im->h; y++) {
		for (int x = x0 < 0 ? 0 : x0; x < x1 && x < im->w; x++) {
			uint8_t *q = im->px + (size_t)y * im->stride +
			    (size_t)x * 3;

			q[0] = (uint8_t)r;
			q[1] = (uint8_t)g;
			q[2] = (uint8_t)b;
		}
	}
}

static void
test_checks_every_check_passes_on_a_compliant_portrait(void **state)
{
	struct gc_report r;

	(void)state;
	if (B == NULL) {
		skip();
	}
	gc_report_init(&r);
	gc_checks_face(&r, &B->p, &B->img, &B->s);
	for (int i = 0; i < r.n; i++) {
		if (r.c[i].verdict == GC_VERDICT_FAIL) {
			fail_msg("%s failed on the compliant portrait: %s (%s)",
			    r.c[i].id, r.c[i].msg_en, r.c[i].value);
		}
	}
	/* all 20 face checks ran */
	assert_int_equal(r.n, 20);
}

static void
test_checks_measure_based_failures(void **state)
{
	struct gc_subject s;

	(void)state;
	if (B == NULL) {
		skip();
	}
#define WITH(field, value, id)                                             \
	do {                                                               \
		s       = B->s;                                            \
		s.field = value;                                           \
		assert_int_equal(verdict_of(&B->img, &s, &B->p, id),       \
		    GC_VERDICT_FAIL);                                      \
	} while (0)
	WITH(nfaces, 0, "face.count");
	WITH(nfaces, 2, "face.count");
	WITH(m.face_centre.x, 320, "face.centre");
	WITH(m.face_width, 330, "face.width");
	WITH(m.face_width, 150, "face.width");
	WITH(m.eye_mid.y, 180, "face.eyeline");
	WITH(m.eye_mid.y, 320, "face.eyeline");
	WITH(m.hair_top, 20, "face.hairtop");
	WITH(m.hair_top, 130, "face.hairtop");
	WITH(hair_found, false, "face.hairtop");
	WITH(m.roll_deg, 12, "pose.roll");
	WITH(m.yaw_deg, -12, "pose.yaw");
	WITH(m.pitch_deg, 11, "pose.pitch");
	WITH(m.eye_open, 0.08f, "eyes.open");
	WITH(m.mouth_open, 0.3f, "mouth.closed");
#undef WITH
	/* and the warn bands in between */
	s            = B->s;
	s.m.yaw_deg  = 6.5f;
	s.m.eye_open = 0.17f;
	assert_int_equal(verdict_of(&B->img, &s, &B->p, "pose.yaw"),
	    GC_VERDICT_WARN);
	assert_int_equal(verdict_of(&B->img, &s, &B->p, "eyes.open"),
	    GC_VERDICT_WARN);
}

static void
test_checks_pixel_based_failures(void **state)
{
	const struct gc_face_measures *m;
	struct gc_image                im;
	int                            cx, ey, fw;

	(void)state;
	if (B == NULL) {
		skip();
	}
	m  = &B->s.m;
	cx = (int)m->face_centre.x;
	ey = (int)m->eye_mid.y;
	fw = (int)m->face_width;

	/* a background that is not an allowed colour: pale yellow */
	im = copy_img(&B->img);
	fill(&im, 0, 0, 480, (int)m->hair_top - 4, 235, 225, 150);
	fill(&im, 0, 0, cx - fw, ey, 235, 225, 150);
	fill(&im, cx + fw, 0, 480, ey, 235, 225, 150);
	assert_int_equal(verdict_of(&im, &B->s, &B->p, "background.colour"),
	    GC_VERDICT_FAIL);
	gc_image_release(&im);
	/* a shadow on one side */
	im = copy_img(&B->img);
	fill(&im, cx + fw, 0, 480, ey, 60, 140, 190);
	assert_int_equal(verdict_of(&im, &B->s, &B->p,
	    "background.uniformity"), GC_VERDICT_FAIL);
	gc_image_release(&im);
	/* clothing the colour of the background */
	im = copy_img(&B->img);
	fill(&im, 0, (int)m->chin.y + fw / 3, 480, 640, 100, 197, 255);
	assert_int_equal(verdict_of(&im, &B->s, &B->p, "clothing.contrast"),
	    GC_VERDICT_FAIL);
	gc_image_release(&im);
	/* banned clothing colour */
	{
		struct gc_profile p = B->p;

		p.ban_black = true;
		assert_int_equal(verdict_of(&B->img, &B->s, &p,
		    "clothing.colour"), GC_VERDICT_FAIL);
	}
	/* a burnt-out face */
	im = copy_img(&B->img);
	fill(&im, cx - fw / 2, ey - fw / 5, cx + fw / 2, (int)m->chin.y, 255,
	    255, 255);
	assert_int_equal(verdict_of(&im, &B->s, &B->p, "exposure.face"),
	    GC_VERDICT_FAIL);
	assert_int_equal(verdict_of(&im, &B->s, &B->p, "exposure.clipping"),
	    GC_VERDICT_FAIL);
	gc_image_release(&im);
	/* one half of the face in shadow */
	im = copy_img(&B->img);
	for (int y = ey; y < (int)m->chin.y; y++) {
		for (int x = 0; x < cx; x++) {
			uint8_t *q = im.px + (size_t)y * im.stride +
			    (size_t)x * 3;

			q[0] /= 3;
			q[1] /= 3;
			q[2] /= 3;
		}
	}
	assert_int_equal(verdict_of(&im, &B->s, &B->p, "light.balance"),
	    GC_VERDICT_FAIL);
	gc_image_release(&im);
	/* red pupils */
	im = copy_img(&B->img);
	{
		int r = (int)(0.06 * m->ied) + 1;

		fill(&im, (int)m->eye_l.x - r, (int)m->eye_l.y - r,
		    (int)m->eye_l.x + r, (int)m->eye_l.y + r, 220, 30, 30);
		fill(&im, (int)m->eye_r.x - r, (int)m->eye_r.y - r,
		    (int)m->eye_r.x + r, (int)m->eye_r.y + r, 220, 30, 30);
	}
	assert_int_equal(verdict_of(&im, &B->s, &B->p, "redeye"),
	    GC_VERDICT_FAIL);
	gc_image_release(&im);
	/* glare on the lenses: a warning */
	im = copy_img(&B->img);
	{
		int r = (int)(0.15 * m->ied);

		fill(&im, (int)m->eye_l.x - r, (int)m->eye_l.y - r,
		    (int)m->eye_l.x + r, (int)m->eye_l.y + r / 2, 255, 255, 255);
		fill(&im, (int)m->eye_r.x - r, (int)m->eye_r.y - r,
		    (int)m->eye_r.x + r, (int)m->eye_r.y + r / 2, 255, 255, 255);
	}
	assert_int_equal(verdict_of(&im, &B->s, &B->p, "glasses.glare"),
	    GC_VERDICT_WARN);
	gc_image_release(&im);
	/* a school that forbids glasses: the frame's bridge is seen, and
	 * once painted over with skin the face passes */
	{
		struct gc_profile p = B->p;
		const struct gc_face *f = &B->s.face;
		int                   bx0 = (int)f->lm[39].x, bx1 = (int)f->lm[42].x;
		int                   by0 = (int)(fmin(f->lm[39].y, f->lm[42].y) -
		    0.4 * m->ied), by1 = (int)f->lm[28].y + 2;
		const uint8_t        *sk = B->img.px + (size_t)(ey + fw / 5) *
		    B->img.stride + (size_t)cx * 3;

		p.glasses_allowed = false;
		assert_int_equal(verdict_of(&B->img, &B->s, &p, "glasses.glare"),
		    GC_VERDICT_FAIL);
		im = copy_img(&B->img);
		fill(&im, bx0, by0, bx1, by1, sk[0], sk[1], sk[2]);
		assert_int_not_equal(verdict_of(&im, &B->s, &p, "glasses.glare"),
		    GC_VERDICT_FAIL);
		gc_image_release(&im);
	}
	/* a blurred face: average 9 × 9 blocks */
	im = copy_img(&B->img);
	for (int y = 0; y + 9 <= 640; y += 9) {
		for (int x = 0; x + 9 <= 480; x += 9) {
			int sum[3] = { 0 };

			for (int yy = y; yy < y + 9; yy++) {
				for (int xx = x; xx < x + 9; xx++) {
					for (int c = 0; c < 3; c++) {
						sum[c] += im.px[(size_t)yy *
						    im.stride + (size_t)xx * 3 + c];
					}
				}
			}
			fill(&im, x, y, x + 9, y + 9, sum[0] / 81, sum[1] / 81,
			    sum[2] / 81);
		}
	}
	for (int i = 0; i < 3; i++) {
		/* soften the block edges too */
		for (int y = 1; y < 639; y++) {
			for (int x = 3; x < 477 * 3; x++) {
				uint8_t *q = im.px + (size_t)y * im.stride + x;

				*q = (uint8_t)((q[-3] + 2 * q[0] + q[3] +
				    q[-(long)im.stride] + q[im.stride]) / 6);
			}
		}
	}
	assert_int_equal(verdict_of(&im, &B->s, &B->p, "sharpness"),
	    GC_VERDICT_FAIL);
	gc_image_release(&im);
}

static void
test_checks_file_facts(void **state)
{
	struct gc_profile   p;
	struct gc_jpeg_info ok, i;
	struct gc_report    r;

	(void)state;
	gc_profile_default(&p);
	memset(&ok, 0, sizeof(ok));
	ok.width        = 480;
	ok.height       = 640;
	ok.components   = 3;
	ok.baseline     = true;
	ok.jfif         = true;
	ok.density_unit = 1;
	ok.xdensity = ok.ydensity = 300;
	ok.quality      = 85;
#define FILE_VERDICT(info, fmt, size, id, want)                         \
	do {                                                            \
		gc_report_init(&r);                                     \
		gc_checks_file(&r, &p, fmt, info, size, true);          \
		assert_non_null(gc_report_get(&r, id));                 \
		assert_int_equal(gc_report_get(&r, id)->verdict, want); \
	} while (0)
	FILE_VERDICT(&ok, GC_FMT_JPEG, 30000, "file.format", GC_VERDICT_PASS);
	FILE_VERDICT(&ok, GC_FMT_JPEG, 30000, "file.dimensions",
	    GC_VERDICT_PASS);
	FILE_VERDICT(&ok, GC_FMT_JPEG, 30000, "file.density", GC_VERDICT_PASS);
	FILE_VERDICT(&ok, GC_FMT_JPEG, 30000, "file.quality", GC_VERDICT_PASS);
	FILE_VERDICT(&ok, GC_FMT_JPEG, 30000, "file.size", GC_VERDICT_PASS);
	FILE_VERDICT(NULL, GC_FMT_PNG, 30000, "file.format", GC_VERDICT_FAIL);
	assert_non_null(strstr(gc_report_get(&r, "file.format")->msg_en,
	    "PNG"));
	i = ok;
	i.components = 1;
	FILE_VERDICT(&i, GC_FMT_JPEG, 30000, "file.format", GC_VERDICT_FAIL);
	i = ok;
	i.components = 4;
	FILE_VERDICT(&i, GC_FMT_JPEG, 30000, "file.format", GC_VERDICT_FAIL);
	i = ok;
	i.progressive = true;
	i.baseline    = false;
	FILE_VERDICT(&i, GC_FMT_JPEG, 30000, "file.format", GC_VERDICT_WARN);
	i = ok;
	i.width = 960;
	FILE_VERDICT(&i, GC_FMT_JPEG, 30000, "file.dimensions",
	    GC_VERDICT_FAIL);
	i = ok;
	i.orientation = 6;
	FILE_VERDICT(&i, GC_FMT_JPEG, 30000, "file.dimensions",
	    GC_VERDICT_FAIL);
	i = ok;
	i.jfif = false;
	FILE_VERDICT(&i, GC_FMT_JPEG, 30000, "file.density", GC_VERDICT_WARN);
	i = ok;
	i.xdensity = i.ydensity = 72;
	FILE_VERDICT(&i, GC_FMT_JPEG, 30000, "file.density", GC_VERDICT_FAIL);
	i = ok;
	i.quality = 40;
	FILE_VERDICT(&i, GC_FMT_JPEG, 30000, "file.quality", GC_VERDICT_FAIL);
	FILE_VERDICT(&ok, GC_FMT_JPEG, 5000, "file.size", GC_VERDICT_FAIL);
	FILE_VERDICT(&ok, GC_FMT_JPEG, 60000, "file.size", GC_VERDICT_WARN);
	FILE_VERDICT(&ok, GC_FMT_JPEG, 200000, "file.size", GC_VERDICT_FAIL);
#undef FILE_VERDICT
}

/* ---- the pipeline over the synthetic set ---- */

static void
test_pipeline_synthetic_set_matches_its_manifest(void **state)
{
	const char       *src = gc_test_data("grace_hopper");
	char             *out, path[1200], line[1024];
	char              srcdir[1024];
	FILE             *man;
	gc_pipeline      *pl;
	struct gc_profile p;
	int               n, checked = 0, bad = 0;

	(void)state;
	if (src == NULL) {
		skip();
	}
	snprintf(srcdir, sizeof(srcdir), "%s", src);
	*strrchr(srcdir, '/') = '\0';
	out = gc_test_tmpdir("synth");
	n   = gc_synth_dir(srcdir, out, 1000, 1336, NULL);
	assert_true(n >= gc_synth_nvariants);
	gc_profile_default(&p);
	assert_int_equal(gc_pipeline_open(&pl, &p, NULL), GC_OK);
	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", out);
	man = fopen(path, "r");
	assert_non_null(man);
	while (fgets(line, sizeof(line), man) != NULL) {
		char                     *file = strtok(line, "\t\n");
		char                     *expect = strtok(NULL, "\t\n");
		char                     *failing = strtok(NULL, "\t\n");
		struct gc_pipeline_result res;
		uint8_t                  *bytes;
		size_t                    len;

		if (file == NULL || strcmp(file, "file") == 0) {
			continue;
		}
		if (failing != NULL && (strcmp(failing, "200") == 0 ||
		    strchr(failing, '.') == NULL)) {
			failing = NULL; /* an empty column */
		}
		snprintf(path, sizeof(path), "%s/%s", out, file);
		bytes = gc_test_read_file(path, &len);
		assert_non_null(bytes);
		gc_pipeline_result_init(&res);
		assert_int_equal(gc_pipeline_run(pl, bytes, len,
		    GC_PIPE_NORMALIZE, &res), GC_OK);
		free(bytes);
		checked++;
		if (strcmp(expect, "pass") == 0 &&
		    res.report.verdict == GC_VERDICT_FAIL) {
			for (int i = 0; i < res.report.n; i++) {
				if (res.report.c[i].verdict == GC_VERDICT_FAIL) {
					print_error("%s: expected pass, %s failed: "
					    "%s\n", file, res.report.c[i].id,
					    res.report.c[i].msg_en);
				}
			}
			bad++;
		}
		/* every check the manifest names must fail */
		for (char *id = failing ? strtok(failing, ";") : NULL;
		     id != NULL; id = strtok(NULL, ";")) {
			const struct gc_check *c = gc_report_get(&res.report, id);

			if (c == NULL || c->verdict != GC_VERDICT_FAIL) {
				print_error("%s: expected %s to fail, got %s\n",
				    file, id, c ? gc_verdict_name(c->verdict) :
				    "not run");
				bad++;
			}
		}
		/* a failed framing always says what to do */
		if (res.jpeg.len == 0 && res.report.guide_en[0] == '\0') {
			print_error("%s: no output and no guidance\n", file);
			bad++;
		}
		gc_pipeline_result_release(&res);
	}
	fclose(man);
	gc_pipeline_close(pl);
	gc_test_rmrf(out);
	assert_true(checked >= gc_synth_nvariants);
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_default_follows_the_spec),
		cmocka_unit_test(test_profile_section_overrides_and_bad_values),
		cmocka_unit_test(test_frame_plan_meets_the_geometry),
		cmocka_unit_test(
		    test_frame_plan_gives_guidance_when_no_crop_exists),
		cmocka_unit_test(test_checks_file_facts),
		cmocka_unit_test(
		    test_checks_every_check_passes_on_a_compliant_portrait),
		cmocka_unit_test(test_checks_measure_based_failures),
		cmocka_unit_test(test_checks_pixel_based_failures),
		cmocka_unit_test(
		    test_pipeline_synthetic_set_matches_its_manifest),
	};
	int rv;

	base_setup(NULL);
	rv = cmocka_run_group_tests_name("capture.checks", tests, NULL, NULL);
	base_teardown(NULL);
	return rv;
}
