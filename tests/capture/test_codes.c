/* gc_codes_scan: QR codes made at test time with qrencode, barcodes with
 * GNU barcode, both rasterised with ImageMagick's convert to PGM, which
 * the test reads itself. Skips (with a message) when a tool is missing. */
#include <stdarg.h> /* cmocka 1.1.5 needs these four before cmocka.h */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/cam.h"
#include "capture/image.h"
#include "tests/testutil.h"

static const char *tmp;

static bool
have(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* Reads a binary PGM (P5, maxval 255) into im with the given extra bytes
 * of row padding; false if it is not one. */
static bool
read_pgm(const char *path, struct gc_image *im, size_t pad)
{
	size_t   n, off = 2;
	uint8_t *p = gc_test_read_file(path, &n);
	long     v[3];

	memset(im, 0, sizeof(*im));
	if (p == NULL || n < 2 || p[0] != 'P' || p[1] != '5') {
		free(p);
		return false;
	}
	for (int i = 0; i < 3; i++) {
		/* whitespace and # comments, then a decimal number */
		for (;;) {
			while (off < n && strchr(" \t\r\n", p[off]) != NULL) {
				off++;
			}
			if (off < n && p[off] == '#') {
				while (off < n && p[off] != '\n') {
					off++;
				}
				continue;
			}
			break;
		}
		v[i] = 0;
		while (off < n && p[off] >= '0' && p[off] <= '9') {
			v[i] = v[i] * 10 + (p[off++] - '0');
		}
	}
	off++; /* the one whitespace byte before the pixels */
	if (v[0] <= 0 || v[1] <= 0 || v[2] != 255 ||
	    n - off < (size_t)v[0] * (size_t)v[1]) {
		free(p);
		return false;
	}
	im->w      = (int)v[0];
	im->h      = (int)v[1];
	im->ch     = 1;
	im->stride = (size_t)im->w + pad;
	im->px     = malloc(im->stride * (size_t)im->h);
	memset(im->px, 0xee, im->stride * (size_t)im->h);
	for (int y = 0; y < im->h; y++) {
		memcpy(im->px + (size_t)y * im->stride,
		    p + off + (size_t)y * (size_t)im->w, (size_t)im->w);
	}
	free(p);
	return true;
}

static bool
run(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		return false;
	}
	return true;
}

/* Encodes payload as a QR code (8-bit mode, read from a file so any
 * bytes go) and rasterises it; false after printing why. */
static bool
make_qr(const void *payload, size_t len, struct gc_image *im, size_t pad)
{
	char cmd[2048], bin[600], png[600], pgm[600];

	snprintf(bin, sizeof(bin), "%s/payload.bin", tmp);
	snprintf(png, sizeof(png), "%s/qr.png", tmp);
	snprintf(pgm, sizeof(pgm), "%s/qr.pgm", tmp);
	free(gc_test_write_file(tmp, "payload.bin", payload, len));
	snprintf(cmd, sizeof(cmd), "qrencode -8 -s 8 -m 4 -o '%s' -r '%s'",
	    png, bin);
	if (!run(cmd)) {
		return false;
	}
	snprintf(cmd, sizeof(cmd), "convert '%s' -colorspace Gray -depth 8 "
	    "'%s'", png, pgm);
	return run(cmd) && read_pgm(pgm, im, pad);
}

static void
skip_without(const char *tool, const char *pkg)
{
	if (!have(tool)) {
		fprintf(stderr, "'%s' is not installed (Debian package %s): "
		    "skipped\n", tool, pkg);
		skip();
	}
}

static void
expect_qr(const void *payload, size_t len, size_t pad)
{
	struct gc_image im;
	struct gc_code  codes[4];

	skip_without("qrencode", "qrencode");
	skip_without("convert", "imagemagick");
	assert_true(make_qr(payload, len, &im, pad));
	memset(codes, 0x55, sizeof(codes));
	assert_int_equal(gc_codes_scan(&im, codes, 4), 1);
	assert_string_equal(codes[0].type, "QR-Code");
	assert_int_equal(codes[0].len, len);
	assert_memory_equal(codes[0].data, payload, len);
	if (len < sizeof(codes[0].data)) {
		assert_int_equal(codes[0].data[len], '\0');
	}
	gc_image_release(&im);
}

static void
test_codes_qr_ascii_round_trips(void **state)
{
	const char *p = "GC1:student=2024000123;site=main-hall";

	(void)state;
	expect_qr(p, strlen(p), 0);
}

static void
test_codes_qr_long_payload_round_trips(void **state)
{
	char p[501];

	(void)state;
	for (int i = 0; i < 500; i++) {
		p[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		       "0123456789+/=;:"[(i * 7 + i / 13) % 67];
	}
	p[500] = '\0';
	expect_qr(p, 500, 0);
}

static void
test_codes_qr_chinese_utf8_round_trips(void **state)
{
	const char *p = "学信网图像采集码：张*三 4405**********0014 "
	                "2024届毕业生 采集单位不接触明文身份信息";

	(void)state;
	expect_qr(p, strlen(p), 0);
}

static void
test_codes_qr_binary_payload_is_kept_opaque(void **state)
{
	uint8_t p[64];

	(void)state;
	for (int i = 0; i < 64; i++) {
		/* 0x80 and up: not UTF-8 */
		p[i] = (uint8_t)(i * 37 + 128);
	}
	p[5] = 0;
	expect_qr(p, sizeof(p), 0);
}

static void
test_codes_qr_in_padded_rows_and_rgb(void **state)
{
	const char     *p = "padded rows";
	struct gc_image grey, rgb;
	struct gc_code  c;

	(void)state;
	expect_qr(p, strlen(p), 13); /* stride = w + 13 */
	skip_without("qrencode", "qrencode");
	assert_true(make_qr(p, strlen(p), &grey, 0));
	assert_int_equal(gc_image_alloc(&rgb, grey.w, grey.h, 3), GC_OK);
	for (int y = 0; y < grey.h; y++) {
		for (int x = 0; x < grey.w; x++) {
			size_t  o = (size_t)y * grey.stride + (size_t)x;
			uint8_t v = grey.px[o];

			memset(rgb.px + (size_t)y * rgb.stride + 3 * (size_t)x,
			    v, 3);
		}
	}
	assert_int_equal(gc_codes_scan(&rgb, &c, 1), 1);
	assert_int_equal(c.len, strlen(p));
	assert_memory_equal(c.data, p, c.len);
	/* max 0: counted, nothing written. */
	assert_int_equal(gc_codes_scan(&rgb, NULL, 0), 1);
	gc_image_release(&rgb);
	gc_image_release(&grey);
}

static void
test_codes_qr_light_on_dark_is_found(void **state)
{
	const char     *p = "dark mode";
	struct gc_image im;
	struct gc_code  c;

	(void)state;
	skip_without("qrencode", "qrencode");
	skip_without("convert", "imagemagick");
	assert_true(make_qr(p, strlen(p), &im, 0));
	for (size_t i = 0; i < im.stride * (size_t)im.h; i++) {
		im.px[i] = (uint8_t)(255 - im.px[i]);
	}
	assert_int_equal(gc_codes_scan(&im, &c, 1), 1);
	assert_int_equal(c.len, strlen(p));
	assert_memory_equal(c.data, p, c.len);
	gc_image_release(&im);
}

/* GNU barcode writes SVG; convert rasterises it. */
static void
expect_barcode(const char *enc, const char *text, const char *type,
    const char *want)
{
	char            cmd[2048], svg[600], pgm[600];
	struct gc_image im;
	struct gc_code  c;

	skip_without("barcode", "barcode");
	skip_without("convert", "imagemagick");
	snprintf(svg, sizeof(svg), "%s/bc.svg", tmp);
	snprintf(pgm, sizeof(pgm), "%s/bc.pgm", tmp);
	snprintf(cmd, sizeof(cmd), "barcode -e %s -b '%s' -n -S -o '%s'", enc,
	    text, svg);
	if (!run(cmd)) {
		skip();
	}
	snprintf(cmd, sizeof(cmd), "convert -density 300 '%s' -background "
	    "white -flatten -bordercolor white -border 40 -colorspace Gray "
	    "-depth 8 '%s'", svg, pgm);
	if (!run(cmd) || !read_pgm(pgm, &im, 0)) {
		fprintf(stderr, "convert cannot rasterise GNU barcode's SVG "
		    "here: skipped\n");
		skip();
	}
	assert_int_equal(gc_codes_scan(&im, &c, 1), 1);
	assert_string_equal(c.type, type);
	assert_int_equal(c.len, strlen(want));
	assert_string_equal(c.data, want);
	gc_image_release(&im);
}

static void
test_codes_ean13_barcode(void **state)
{
	(void)state;
	/* barcode adds the check digit. */
	expect_barcode("ean13", "590123412345", "EAN-13", "5901234123457");
}

static void
test_codes_code128_barcode(void **state)
{
	(void)state;
	expect_barcode("128", "GRADCAP-2024-0042", "CODE-128",
	    "GRADCAP-2024-0042");
}

static void
test_codes_blank_image_has_none(void **state)
{
	struct gc_image im;
	struct gc_code  c;

	(void)state;
	assert_int_equal(gc_image_alloc(&im, 640, 480, 1), GC_OK);
	memset(im.px, 200, im.stride * 480);
	assert_int_equal(gc_codes_scan(&im, &c, 1), 0);
	gc_image_release(&im);
}

static void
test_codes_noise_has_none(void **state)
{
	struct gc_image im;
	struct gc_code  c[4];
	uint32_t        x = 12345;

	(void)state;
	assert_int_equal(gc_image_alloc(&im, 800, 600, 1), GC_OK);
	for (size_t i = 0; i < im.stride * 600; i++) {
		x        = x * 1103515245u + 12345u;
		im.px[i] = (uint8_t)(x >> 24);
	}
	assert_int_equal(gc_codes_scan(&im, c, 4), 0);
	gc_image_release(&im);
}

static void
test_codes_bad_images_are_zero(void **state)
{
	struct gc_image im = { 0 };
	struct gc_code  c;
	uint8_t         px[4] = { 0 };

	(void)state;
	assert_int_equal(gc_codes_scan(NULL, &c, 1), 0);
	assert_int_equal(gc_codes_scan(&im, &c, 1), 0);
	im.px     = px;
	im.w      = 2;
	im.h      = 2;
	im.ch     = 2;
	im.stride = 4;
	assert_int_equal(gc_codes_scan(&im, &c, 1), 0);
	im.ch     = 1;
	im.stride = 1; /* shorter than a row */
	assert_int_equal(gc_codes_scan(&im, &c, 1), 0);
	im.stride = 2; /* 2 × 2: not a multiple of 8 bytes (zbar's bug) */
	assert_int_equal(gc_codes_scan(&im, &c, 1), 0);
}

static int
setup(void **state)
{
	(void)state;
	tmp = gc_test_tmpdir("codes");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	gc_test_rmrf(tmp);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes_qr_ascii_round_trips),
		cmocka_unit_test(test_codes_qr_long_payload_round_trips),
		cmocka_unit_test(test_codes_qr_chinese_utf8_round_trips),
		cmocka_unit_test(test_codes_qr_binary_payload_is_kept_opaque),
		cmocka_unit_test(test_codes_qr_in_padded_rows_and_rgb),
		cmocka_unit_test(test_codes_qr_light_on_dark_is_found),
		cmocka_unit_test(test_codes_ean13_barcode),
		cmocka_unit_test(test_codes_code128_barcode),
		cmocka_unit_test(test_codes_blank_image_has_none),
		cmocka_unit_test(test_codes_noise_has_none),
		cmocka_unit_test(test_codes_bad_images_are_zero),
	};

	return cmocka_run_group_tests_name("capture.codes", tests, setup,
	    teardown);
}
