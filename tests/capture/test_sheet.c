/* sheet: the print sheet's layout fits the paper without overlaps at the
 * printed sizes, and the rendered sheet carries the photo in every slot
 * at 300 dpi. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "capture/image.h"
#include "capture/jpeg.h"
#include "capture/sheet.h"

/* The layout of sp: 12 slots inside the paper, none overlapping, 4 of
 * large and 8 of small pixels (w × h as printed, whether turned or not). */
static void
check_layout(const struct gc_sheet_spec *sp, int lw, int lh, int sw, int sh,
    int pw, int ph)
{
	struct gc_sheet_slot s[12];
	int                  w0, h0, big = 0, small = 0;
	size_t               n = gc_sheet_layout(sp, s, &w0, &h0, NULL, 0);

	assert_int_equal(n, 12);
	assert_int_equal(w0, pw);
	assert_int_equal(h0, ph);
	for (size_t i = 0; i < n; i++) {
		int w = s[i].turned ? s[i].h : s[i].w;
		int h = s[i].turned ? s[i].w : s[i].h;

		assert_true(s[i].x >= 0 && s[i].y >= 0);
		assert_true(s[i].x + s[i].w <= pw);
		assert_true(s[i].y + s[i].h <= ph);
		if (w == lw && h == lh) {
			big++;
		} else if (w == sw && h == sh) {
			small++;
		} else {
			fail_msg("slot %zu is %d × %d", i, w, h);
		}
		for (size_t j = 0; j < i; j++) {
			bool apart = s[i].x + s[i].w <= s[j].x ||
			    s[j].x + s[j].w <= s[i].x ||
			    s[i].y + s[i].h <= s[j].y ||
			    s[j].y + s[j].h <= s[i].y;

			assert_true(apart);
		}
	}
	assert_int_equal(big, 4);
	assert_int_equal(small, 8);
}

static void
test_sheet_layout_fits_the_paper_without_overlap(void **state)
{
	struct gc_sheet_spec sp = gc_sheet_default;
	struct gc_sheet_slot s[12];
	char                 why[200];
	int                  w, h;
	double               a, b;

	(void)state;
	/* 35 × 49 mm and 25 × 35 mm on 102 × 152 mm at 300 dpi, to the
	 * pixel */
	check_layout(&sp, 413, 579, 295, 413, 1205, 1795);
	/* a profile's 小二寸 and 小一寸 on 7-inch paper */
	sp = (struct gc_sheet_spec){ 33, 48, 22, 32, 127, 178 };
	check_layout(&sp, 390, 567, 260, 378, 1500, 2102);
	/* sizes that do not fit say so */
	sp = (struct gc_sheet_spec){ 50, 70, 25, 35, 102, 152 };
	assert_int_equal(gc_sheet_layout(&sp, s, &w, &h, why, sizeof(why)),
	    0);
	assert_non_null(strstr(why, "do not fit apart on 102x152 mm paper"));
	/* the profile's notation */
	assert_true(gc_sheet_size_parse("35x49", &a, &b));
	assert_true(a == 35 && b == 49);
	assert_true(gc_sheet_size_parse("33.5×48", &a, &b));
	assert_true(a == 33.5 && b == 48);
	assert_true(gc_sheet_size_parse("102*152", &a, &b));
	assert_false(gc_sheet_size_parse("35", &a, &b));
	assert_false(gc_sheet_size_parse("35x", &a, &b));
	assert_false(gc_sheet_size_parse("x49", &a, &b));
	assert_false(gc_sheet_size_parse("35x49mm", &a, &b));
	assert_false(gc_sheet_size_parse("0x49", &a, &b));
	assert_false(gc_sheet_size_parse("35x9999", &a, &b));
	assert_false(gc_sheet_size_parse("", &a, &b));
	assert_false(gc_sheet_size_parse("nanxnan", &a, &b));
}

static void
test_sheet_render_puts_the_photo_in_every_slot(void **state)
{
	struct gc_image      im, out;
	struct gc_buf        b, sheet;
	struct gc_jpeg_info  info;
	struct gc_sheet_slot s[12];

	(void)state;
	assert_int_equal(gc_image_alloc(&im, 480, 640, 3), GC_OK);
	for (int y = 0; y < 640; y++) {
		for (int x = 0; x < 480; x++) {
			uint8_t *p = im.px + (size_t)y * im.stride + x * 3;

			p[0] = 30;
			p[1] = 60;
			p[2] = 200;
		}
	}
	gc_buf_init(&b);
	gc_buf_init(&sheet);
	assert_int_equal(gc_jpeg_encode(&im, 90, 300, &b), GC_OK);
	assert_int_equal(gc_sheet_render(&gc_sheet_default, b.data, b.len,
	    &sheet, NULL), GC_OK);
	assert_int_equal(gc_jpeg_probe(sheet.data, sheet.len, &info, NULL),
	    GC_OK);
	assert_int_equal(info.width, 1205);
	assert_int_equal(info.height, 1795);
	assert_int_equal(info.xdensity, 300);
	assert_int_equal(gc_jpeg_decode(sheet.data, sheet.len, 0, &out, NULL,
	    NULL), GC_OK);
	{
		int w, h;

		assert_int_equal(gc_sheet_layout(&gc_sheet_default, s, &w, &h,
		    NULL, 0), 12);
	}
	for (int i = 0; i < 12; i++) {
		const uint8_t *c = out.px + (size_t)(s[i].y + s[i].h / 2) *
		    out.stride + (size_t)(s[i].x + s[i].w / 2) * 3;
		const uint8_t *g = out.px + (size_t)(s[i].y + s[i].h / 2) *
		    out.stride + (size_t)(s[i].x + s[i].w + 3) * 3;

		assert_true(c[2] > 150 && c[0] < 80); /* the photo's blue */
		assert_true(g[0] > 220 && g[1] > 220 && g[2] > 220); /* gap */
	}
	gc_image_release(&out);
	gc_image_release(&im);
	gc_buf_release(&b);
	gc_buf_release(&sheet);
	/* not a JPEG: refused, not a crash */
	assert_int_not_equal(gc_sheet_render(&gc_sheet_default, (const uint8_t *)"nope", 4,
	    &sheet, NULL), GC_OK);
	gc_buf_release(&sheet);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sheet_layout_fits_the_paper_without_overlap),
		cmocka_unit_test(test_sheet_render_puts_the_photo_in_every_slot),
	};
	return cmocka_run_group_tests_name("capture.sheet", tests, NULL, NULL);
}
