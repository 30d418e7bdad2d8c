/* background: the person mask and the replacement, on drawn portraits
 * whose true person mask is known (a face with its 68 landmarks, hair,
 * neck and shoulders over a busy two-tone room), and on shots that
 * cannot be separated or are not portraits at all. */
#include <stdarg.h> /* cmocka 1.1.5 needs these four before cmocka.h */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/background.h"
#include "capture/jpeg.h"
#include "capture/pipeline.h"
#include "capture/segment.h"
#include "common/gc_alloc.h"
#include "tests/synth/synth.h"
#include "tests/testutil.h"

#define W 480
#define H 640

/* The mask must match the drawn person at least this well (IoU): the
 * drawn set measures 0.97-0.99 (printed by the tests). */
#define MIN_IOU 0.95

struct look {
	uint8_t bg_a[3], bg_b[3]; /* the room: left and right */
	uint8_t hair[3], cloth[3], skin[3];
	bool    stripes;          /* shelves on the left */
	bool    long_hair;        /* down both sides, past the shoulders */
};

static const struct look room = {
	.bg_a = { 196, 184, 160 }, .bg_b = { 132, 150, 168 },
	.hair = { 38, 30, 26 }, .cloth = { 32, 44, 96 },
	.skin = { 222, 176, 146 }, .stripes = true,
};

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
put(struct gc_image *im, int x, int y, const uint8_t c[3], int noise,
    uint32_t *seed)
{
	uint8_t *p = im->px + (size_t)y * im->stride + (size_t)x * 3;

	for (int k = 0; k < 3; k++) {
		int v = c[k] + (noise > 0 ? (int)(rnd(seed) % (2 * noise + 1)) -
		    noise : 0);

		p[k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
}

static bool
in_ell(double x, double y, double cx, double cy, double ax, double ay)
{
	double dx = (x - cx) / ax, dy = (y - cy) / ay;

	return dx * dx + dy * dy <= 1;
}

/*
 * Draws a portrait framed like the pipeline's output (face ~200 px wide,
 * eyes at y 280, hair top at ~100) into im (allocated here), its true
 * person mask into truth (W × H, 1 person) and its landmarks into f.
 */
static void
draw_portrait(const struct look *lk, struct gc_image *im, uint8_t *truth,
    struct gc_face *f)
{
	const double cx = 240, fcy = 300, fax = 105, fay = 140;
	const uint8_t dark[3] = { 60, 40, 36 }, lip[3] = { 170, 90, 90 };
	uint32_t     seed = 12345;

	assert_int_equal(gc_image_alloc(im, W, H, 3), GC_OK);
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			bool     person = true;
			double   half = 0;

			if (in_ell(x, y, cx, fcy, fax, fay)) {
				put(im, x, y, lk->skin, 4, &seed);
			} else if ((y < 330 && in_ell(x, y, cx, 245, 120, 148)) ||
			    (lk->long_hair && y >= 245 && y < 600 &&
			    fabs(x - cx) < 120 + (y - 245) * 0.12 &&
			    fabs(x - cx) > 60)) {
				put(im, x, y, lk->hair, 6, &seed);
			} else if (y >= 400 && y < 520 && fabs(x - cx) < 52) {
				put(im, x, y, lk->skin, 4, &seed);
			} else if (y >= 480 && fabs(x - cx) < (half = fmin(236,
			    100 + (y - 480) * 1.9))) {
				put(im, x, y, lk->cloth, 5, &seed);
			} else {
				const uint8_t *c = x < 250 ? lk->bg_a : lk->bg_b;
				uint8_t        s[3];

				person = false;
				memcpy(s, c, 3);
				if (lk->stripes && x < 250 && (y / 40) % 3 == 0) {
					s[0] = (uint8_t)(s[0] * 0.7);
					s[1] = (uint8_t)(s[1] * 0.6);
					s[2] = (uint8_t)(s[2] * 0.5);
				}
				put(im, x, y, s, 5, &seed);
			}
			truth[(size_t)y * W + x] = person;
		}
	}
	memset(f, 0, sizeof(*f));
	f->score = 1;
	f->x     = (float)(cx - fax);
	f->y     = 200;
	f->w     = (float)(2 * fax);
	f->h     = 240;
	/* jaw 0–16: from the left ear at eye level, round the chin */
	for (int i = 0; i <= 16; i++) {
		double a = M_PI * i / 16;

		f->lm[i].x = (float)(cx - 0.97 * fax * cos(a));
		f->lm[i].y = (float)(280 + 155 * sin(a));
	}
	for (int i = 0; i < 5; i++) { /* brows */
		f->lm[17 + i] = (struct gc_point){ (float)(165 + 15 * i), 245 };
		f->lm[22 + i] = (struct gc_point){ (float)(255 + 15 * i), 245 };
	}
	for (int i = 0; i < 4; i++) { /* nose bridge, then its base */
		f->lm[27 + i] = (struct gc_point){ 240, (float)(262 + 22 * i) };
	}
	for (int i = 0; i < 5; i++) {
		f->lm[31 + i] = (struct gc_point){ (float)(226 + 7 * i), 338 };
	}
	for (int i = 0; i < 6; i++) { /* eyes */
		double a = 2 * M_PI * i / 6;

		f->lm[36 + i] = (struct gc_point){ (float)(195 - 15 * cos(a)),
			(float)(280 - 5 * sin(a)) };
		f->lm[42 + i] = (struct gc_point){ (float)(285 - 15 * cos(a)),
			(float)(280 - 5 * sin(a)) };
	}
	for (int i = 0; i < 12; i++) { /* lips, closed */
		double a = 2 * M_PI * i / 12;

		f->lm[48 + i] = (struct gc_point){ (float)(240 - 34 * cos(a)),
			(float)(382 - 9 * sin(a)) };
	}
	for (int i = 0; i < 8; i++) {
		double a = 2 * M_PI * i / 8;

		f->lm[60 + i] = (struct gc_point){ (float)(240 - 24 * cos(a)),
			(float)(382 - 1 * sin(a)) };
	}
	/* the features, so the face is not one flat colour */
	for (int y = 270; y < 290; y++) {
		for (int x = 180; x < 300; x++) {
			if (in_ell(x, y, 195, 280, 15, 6) ||
			    in_ell(x, y, 285, 280, 15, 6)) {
				put(im, x, y, dark, 3, &seed);
			}
		}
	}
	for (int y = 240; y < 250; y++) {
		for (int x = 160; x < 320; x++) {
			if ((x < 230 || x > 250)) {
				put(im, x, y, dark, 3, &seed);
			}
		}
	}
	for (int y = 372; y < 392; y++) {
		for (int x = 205; x < 276; x++) {
			if (in_ell(x, y, 240, 382, 34, 9)) {
				put(im, x, y, lip, 3, &seed);
			}
		}
	}
}

static double
iou(const uint8_t *mask, const uint8_t *truth)
{
	size_t inter = 0, uni = 0;

	for (size_t i = 0; i < (size_t)W * H; i++) {
		inter += mask[i] != 0 && truth[i] != 0;
		uni += mask[i] != 0 || truth[i] != 0;
	}
	return uni > 0 ? (double)inter / uni : 0;
}

/* Inside the computed mask the output is the input, byte for byte; far
 * from it, the colour exactly; in between, on the background side only,
 * a blend of the two. */
static void
assert_replaced_by_mask(const struct gc_image *in, const struct gc_image *out,
    const uint8_t *mask, struct gc_rgb colour)
{
	const uint8_t c[3] = { colour.r, colour.g, colour.b };

	assert_int_equal(out->w, in->w);
	assert_int_equal(out->h, in->h);
	for (int y = 0; y < in->h; y++) {
		for (int x = 0; x < in->w; x++) {
			const uint8_t *p = in->px + (size_t)y * in->stride + x * 3;
			const uint8_t *q = out->px + (size_t)y * out->stride +
			    x * 3;
			bool near = false;

			if (mask[(size_t)y * in->w + x] != 0) {
				if (memcmp(p, q, 3) != 0) {
					fail_msg("person pixel (%d, %d) altered",
					    x, y);
				}
				continue;
			}
			for (int yy = y - GC_BG_BAND; yy <= y + GC_BG_BAND;
			     yy++) {
				for (int xx = x - GC_BG_BAND; xx <= x +
				     GC_BG_BAND; xx++) {
					near |= xx >= 0 && yy >= 0 && xx < in->w &&
					    yy < in->h && mask[(size_t)yy *
					    in->w + xx] != 0;
				}
			}
			for (int k = 0; k < 3; k++) {
				int lo = p[k] < c[k] ? p[k] : c[k];
				int hi = p[k] < c[k] ? c[k] : p[k];

				if (near ? (q[k] < lo || q[k] > hi) : q[k] !=
				    c[k]) {
					fail_msg("background pixel (%d, %d) is "
					    "%d, not %s", x, y, q[k], near ?
					    "a blend" : "the colour");
				}
			}
		}
	}
}

static void
test_background_replaces_the_room_and_keeps_the_person(void **state)
{
	struct gc_image     im, out;
	struct gc_face      f;
	struct gc_bg_report rep;
	uint8_t            *truth = malloc(W * H), *mask = malloc(W * H);
	const struct gc_rgb blue  = { 100, 197, 255 };
	size_t              kept = 0, nperson = 0;
	double              j;

	(void)state;
	draw_portrait(&room, &im, truth, &f);
	assert_int_equal(gc_background_replace(&im, &f, blue, &out, mask,
	    &rep), GC_OK);
	j = iou(mask, truth);
	print_message("room: IoU %.3f, confidence %.2f (contrast %.2f, "
	    "overlap %.2f), head room %.2f, person %.2f, %.0f ms\n", j,
	    rep.confidence, rep.contrast, rep.overlap, rep.head_room,
	    rep.person, rep.ms);
	assert_true(rep.separated);
	assert_non_null(out.px);
	assert_true(j >= MIN_IOU);
	assert_replaced_by_mask(&im, &out, mask, blue);
	/* and the true person, but for a pixel or two at its edge, too */
	for (size_t i = 0; i < (size_t)W * H; i++) {
		if (truth[i]) {
			nperson++;
			kept += memcmp(im.px + i * 3, out.px + i * 3, 3) == 0;
		}
	}
	assert_true(kept >= nperson * 0.99);
	gc_image_release(&out);
	gc_image_release(&im);
	free(truth);
	free(mask);
}

/* A white wall and a plain blue one separate as well as the room. */
static void
test_background_separates_plain_walls(void **state)
{
	struct look         lk[2] = { room, room };
	struct gc_bg_report rep;
	struct gc_image     im;
	struct gc_face      f;
	uint8_t            *truth = malloc(W * H), *mask = malloc(W * H);

	(void)state;
	memcpy(lk[0].bg_a, (uint8_t[3]){ 236, 236, 230 }, 3);
	memcpy(lk[0].bg_b, (uint8_t[3]){ 236, 236, 230 }, 3);
	lk[0].stripes = false;
	memcpy(lk[1].bg_a, (uint8_t[3]){ 90, 150, 210 }, 3);
	memcpy(lk[1].bg_b, (uint8_t[3]){ 70, 120, 180 }, 3);
	memcpy(lk[1].cloth, (uint8_t[3]){ 230, 230, 225 }, 3);
	for (int i = 0; i < 2; i++) {
		double j;

		draw_portrait(&lk[i], &im, truth, &f);
		assert_int_equal(gc_background_segment(&im, &f, mask, &rep),
		    GC_OK);
		j = iou(mask, truth);
		print_message("wall %d: IoU %.3f, confidence %.2f\n", i, j,
		    rep.confidence);
		assert_true(rep.separated);
		assert_true(j >= MIN_IOU);
		gc_image_release(&im);
	}
	free(truth);
	free(mask);
}

/* Long hair down to the chest on a light wall: whatever the cut says,
 * no hair is painted over. A separation the rules accept keeps the hair;
 * otherwise it is refused. */
static void
test_background_never_paints_over_long_hair(void **state)
{
	struct look         lk = room;
	struct gc_bg_report rep;
	struct gc_image     im, out;
	struct gc_face      f;
	uint8_t            *truth = malloc(W * H), *mask = malloc(W * H);
	const struct gc_rgb blue  = { 100, 197, 255 };
	size_t              hair = 0, kept = 0;

	(void)state;
	memcpy(lk.bg_a, (uint8_t[3]){ 214, 214, 210 }, 3);
	memcpy(lk.bg_b, (uint8_t[3]){ 214, 214, 210 }, 3);
	memcpy(lk.hair, (uint8_t[3]){ 96, 64, 44 }, 3);
	lk.stripes   = false;
	lk.long_hair = true;
	draw_portrait(&lk, &im, truth, &f);
	assert_int_equal(gc_background_replace(&im, &f, blue, &out, mask,
	    &rep), GC_OK);
	print_message("long hair: IoU %.3f, separated %d, confidence %.2f "
	    "(foreign %.2f, shoulders %.2f) %s\n", iou(mask, truth),
	    rep.separated, rep.confidence, rep.foreign, rep.shoulders,
	    rep.why_en);
	if (rep.separated) {
		/* the strands beside the neck, below the head */
		for (int y = 450; y < 600; y++) {
			for (int x = 0; x < W; x++) {
				size_t i = (size_t)y * W + x;
				const uint8_t *p = im.px + (size_t)y * im.stride +
				    x * 3;

				if (truth[i] && fabs(x - 240.0) > 75 &&
				    abs(p[0] - lk.hair[0]) < 12) {
					hair++;
					kept += memcmp(p, out.px + (size_t)y *
					    out.stride + x * 3, 3) == 0;
				}
			}
		}
		assert_true(hair > 1000);
		assert_true(kept >= hair * 0.98);
		assert_replaced_by_mask(&im, &out, mask, blue);
		gc_image_release(&out);
	} else {
		assert_null(out.px);
	}
	gc_image_release(&im);
	free(truth);
	free(mask);
}

/* Hair and clothes the wall's colour, or only the hair: refused, and
 * nothing replaced. */
static void
test_background_refuses_a_person_in_the_wall_colours(void **state)
{
	struct gc_bg_report rep;
	struct gc_image     im, out;
	struct gc_face      f;
	uint8_t            *truth = malloc(W * H), *mask = malloc(W * H);
	const struct gc_rgb blue  = { 100, 197, 255 };

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct look lk = room;

		memcpy(lk.bg_a, lk.hair, 3);
		memcpy(lk.bg_b, lk.hair, 3);
		if (i == 0) {
			memcpy(lk.cloth, lk.hair, 3);
		}
		lk.stripes = false;
		draw_portrait(&lk, &im, truth, &f);
		assert_int_equal(gc_background_replace(&im, &f, blue, &out,
		    mask, &rep), GC_OK);
		print_message("dark %s on dark: confidence %.2f (contrast "
		    "%.2f, overlap %.2f), head room %.2f: %s\n", i == 0 ?
		    "hair and clothes" : "hair", rep.confidence, rep.contrast,
		    rep.overlap, rep.head_room, rep.why_en);
		assert_false(rep.separated);
		assert_null(out.px);
		assert_true(rep.why_en[0] != '\0');
		assert_true(rep.why_zh[0] != '\0');
		gc_image_release(&im);
	}
	free(truth);
	free(mask);
}

static void
test_background_rejects_malformed_input(void **state)
{
	struct gc_bg_report rep;
	struct gc_image     im, tiny, grey, out;
	struct gc_face      f, zero;
	uint8_t            *truth = malloc(W * H), *mask = malloc(W * H);
	const struct gc_rgb c     = { 255, 255, 255 };
	uint8_t             labels[16];

	(void)state;
	draw_portrait(&room, &im, truth, &f);
	memset(&zero, 0, sizeof(zero));
	/* no face, a degenerate face, a face outside the frame */
	assert_int_equal(gc_background_segment(&im, NULL, mask, &rep),
	    GC_EINVAL);
	assert_string_equal(rep.why_en, "no usable face in the image");
	assert_false(rep.separated);
	assert_int_equal(gc_background_segment(&im, &zero, mask, &rep),
	    GC_EINVAL);
	{
		struct gc_face far = f;

		for (int i = 0; i < 68; i++) {
			far.lm[i].x += 5000;
		}
		assert_int_equal(gc_background_replace(&im, &far, c, &out,
		    NULL, &rep), GC_EINVAL);
		assert_null(out.px);
	}
	/* a tiny image, a grey one, none */
	assert_int_equal(gc_image_alloc(&tiny, 32, 32, 3), GC_OK);
	memset(tiny.px, 128, tiny.stride * 32);
	assert_int_equal(gc_background_replace(&tiny, &f, c, &out, NULL,
	    &rep), GC_EINVAL);
	assert_non_null(strstr(rep.why_en, "64"));
	assert_null(out.px);
	assert_int_equal(gc_image_grey(&grey, &im), GC_OK);
	assert_int_equal(gc_background_segment(&grey, &f, mask, &rep),
	    GC_EINVAL);
	assert_int_equal(gc_background_segment(NULL, &f, mask, &rep),
	    GC_EINVAL);
	/* the shim: seeds without any background, or without a person */
	memset(labels, GC_SEG_FG, sizeof(labels));
	assert_int_equal(gc_segment_grabcut(tiny.px, 4, 4, tiny.stride,
	    labels, 1), GC_EINVAL);
	memset(labels, GC_SEG_PR_BG, sizeof(labels));
	assert_int_equal(gc_segment_grabcut(tiny.px, 4, 4, tiny.stride,
	    labels, 1), GC_EINVAL);
	assert_int_equal(gc_segment_grabcut(tiny.px, 4, 4, 2, labels, 1),
	    GC_EINVAL);
	gc_image_release(&grey);
	gc_image_release(&tiny);
	gc_image_release(&im);
	free(truth);
	free(mask);
}

/* Each allocation failing in turn: GC_ENOMEM, nothing leaked, nothing
 * half-made. */
static void
test_background_survives_allocation_failures(void **state)
{
	struct gc_bg_report rep;
	struct gc_image     im, out;
	struct gc_face      f;
	uint8_t            *truth = malloc(W * H);
	const struct gc_rgb c     = { 255, 255, 255 };
	long                n;
	gc_err              rv;

	(void)state;
	draw_portrait(&room, &im, truth, &f);
	gc_alloc_fail_after(0);
	assert_int_equal(gc_background_replace(&im, &f, c, &out, NULL, &rep),
	    GC_OK);
	n = gc_alloc_count();
	gc_image_release(&out);
	assert_true(n >= 6);
	for (long i = 1; i <= n; i++) {
		gc_alloc_fail_after(i);
		rv = gc_background_replace(&im, &f, c, &out, NULL, &rep);
		gc_alloc_fail_after(0);
		assert_int_equal(rv, GC_ENOMEM);
		assert_null(out.px);
	}
	gc_image_release(&im);
	free(truth);
}

/* A synthetic shot of the size a camera gives, variant v of grace_hopper
 * (with hair), as JPEG. Skips without the test photos. */
static bool
synth_shot(const char *variant, struct gc_buf *jb, gc_facedet **fd)
{
	const char         *src = gc_test_data("grace_hopper");
	struct gc_synth_src ss;
	struct gc_image     im;
	int                 v = 0;

	if (src == NULL) {
		return false;
	}
	while (strcmp(gc_synth_variants[v].name, variant) != 0) {
		v++;
	}
	assert_int_equal(gc_facedet_open(fd, NULL, NULL), GC_OK);
	assert_int_equal(gc_synth_src_load(&ss, *fd, src, "grace", ""),
	    GC_OK);
	assert_int_equal(gc_synth_render_mask(&ss, &gc_synth_variants[v],
	    1200, 1600, true, &im, NULL), GC_OK);
	gc_synth_src_release(&ss);
	gc_buf_init(jb);
	assert_int_equal(gc_jpeg_encode(&im, 92, 72, jb), GC_OK);
	gc_image_release(&im);
	return true;
}

static enum gc_verdict
verdict(const struct gc_report *r, const char *id)
{
	const struct gc_check *c = gc_report_get(r, id);

	if (c == NULL) {
		fail_msg("check %s did not run", id);
	}
	return c->verdict;
}

/* The pipeline with replace_background: a failing background (a
 * gradient) is replaced, judged again and recorded; the photo before is
 * kept; a passing one, or the option off, leaves the photo alone. */
static void
test_pipeline_replaces_a_failing_background(void **state)
{
	struct gc_profile         p;
	struct gc_pipeline_result res;
	struct gc_buf             jb, ok;
	gc_facedet               *fd;
	gc_pipeline              *pl;
	const struct gc_check    *c;

	(void)state;
	if (!synth_shot("ok-blue", &ok, &fd)) {
		skip();
	}
	gc_facedet_close(fd);
	assert_true(synth_shot("gradient", &jb, &fd));
	gc_facedet_close(fd);
	gc_profile_default(&p);
	assert_int_equal(gc_pipeline_open(&pl, &p, NULL), GC_OK);
	/* off (the default): the background fails as it is */
	gc_pipeline_result_init(&res);
	assert_int_equal(gc_pipeline_run(pl, jb.data, jb.len,
	    GC_PIPE_NORMALIZE, &res), GC_OK);
	assert_int_equal(verdict(&res.report, "background.uniformity"),
	    GC_VERDICT_FAIL);
	assert_false(res.bg_tried);
	assert_false(res.background_replaced);
	assert_null(gc_report_get(&res.report, "background.replaced"));
	gc_pipeline_result_release(&res);
	/* on: replaced, judged again, recorded, the photo before kept */
	gc_pipeline_set_opts(pl, &(struct gc_pipeline_opts){
	    .replace_background = true });
	gc_pipeline_result_init(&res);
	assert_int_equal(gc_pipeline_run(pl, jb.data, jb.len,
	    GC_PIPE_NORMALIZE, &res), GC_OK);
	print_message("gradient: replaced %d, confidence %.2f, %.0f ms\n",
	    res.background_replaced, res.bg.confidence, res.t.background);
	assert_true(res.bg_tried);
	assert_true(res.bg.separated);
	assert_true(res.background_replaced);
	/* the framing was planned on the shot as it was: its hair top on
	 * the gradient may still fail, but no background check does */
	for (int i = 0; i < res.report.n; i++) {
		if (res.report.c[i].verdict == GC_VERDICT_FAIL &&
		    strncmp(res.report.c[i].id, "background.", 11) == 0) {
			fail_msg("%s still fails: %s", res.report.c[i].id,
			    res.report.c[i].value);
		}
	}
	assert_int_equal(verdict(&res.report, "background.uniformity"),
	    GC_VERDICT_PASS);
	assert_int_equal(verdict(&res.report, "background.colour"),
	    GC_VERDICT_PASS);
	c = gc_report_get(&res.report, "background.replaced");
	assert_non_null(c);
	assert_int_equal(c->verdict, GC_VERDICT_PASS);
	assert_true(c->num >= 0.55 && c->num <= 1);
	assert_non_null(strstr(c->msg_en, "#64C5FF"));
	assert_true(res.jpeg.len > 0 && res.jpeg_before.len > 0);
	assert_true(res.jpeg.len != res.jpeg_before.len ||
	    memcmp(res.jpeg.data, res.jpeg_before.data, res.jpeg.len) != 0);
	gc_pipeline_result_release(&res);
	/* a background that passes is left alone */
	gc_pipeline_result_init(&res);
	assert_int_equal(gc_pipeline_run(pl, ok.data, ok.len,
	    GC_PIPE_NORMALIZE, &res), GC_OK);
	assert_false(res.bg_tried);
	assert_false(res.background_replaced);
	assert_int_equal(res.jpeg_before.len, 0);
	gc_pipeline_result_release(&res);
	gc_pipeline_close(pl);
	gc_buf_release(&jb);
	gc_buf_release(&ok);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_background_replaces_the_room_and_keeps_the_person),
		cmocka_unit_test(test_background_separates_plain_walls),
		cmocka_unit_test(
		    test_background_refuses_a_person_in_the_wall_colours),
		cmocka_unit_test(test_background_never_paints_over_long_hair),
		cmocka_unit_test(test_background_rejects_malformed_input),
		cmocka_unit_test(test_background_survives_allocation_failures),
		cmocka_unit_test(test_pipeline_replaces_a_failing_background),
	};

	return cmocka_run_group_tests_name("capture.background", tests, NULL,
	    NULL);
}
