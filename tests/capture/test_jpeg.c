#include <stdarg.h> /* cmocka 1.1.5 needs these four before cmocka.h */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <turbojpeg.h>

#include "capture/image.h"
#include "capture/jpeg.h"
#include "common/buf.h"
#include "common/gc_alloc.h"
#include "tests/testutil.h"

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

struct bytes {
	uint8_t *p;
	size_t   n;
};

static void
bytes_free(struct bytes *b)
{
	free(b->p);
	b->p = NULL;
	b->n = 0;
}

static uint32_t
rng_next(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* A smooth RGB gradient with a little deterministic noise. */
static void
make_gradient(struct gc_image *im, int w, int h)
{
	uint32_t s = 1;

	assert_int_equal(gc_image_alloc(im, w, h, 3), GC_OK);
	for (int y = 0; y < h; y++) {
		uint8_t *r = im->px + (size_t)y * im->stride;

		for (int x = 0; x < w; x++) {
			int nz = (int)(rng_next(&s) % 9) - 4;
			int v0 = x * 255 / w + nz, v1 = y * 255 / h + nz;
			int v2 = (x + y) * 255 / (w + h);

			r[3 * x]     = (uint8_t)(v0 < 0 ? 0 : v0 > 255 ? 255 : v0);
			r[3 * x + 1] = (uint8_t)(v1 < 0 ? 0 : v1 > 255 ? 255 : v1);
			r[3 * x + 2] = (uint8_t)v2;
		}
	}
}

/* Four flat quadrants: red TL, green TR, blue BL, white BR. */
static const uint8_t quad_rgb[4][3] = {
	{ 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 }, { 255, 255, 255 },
};

static void
make_quadrants(struct gc_image *im, int w, int h)
{
	assert_int_equal(gc_image_alloc(im, w, h, 3), GC_OK);
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			int q = (y >= h / 2) * 2 + (x >= w / 2);

			memcpy(im->px + (size_t)y * im->stride + 3 * (size_t)x,
			    quad_rgb[q], 3);
		}
	}
}

static struct bytes
encode(const struct gc_image *im, int q)
{
	struct gc_buf b;
	struct bytes  out;

	gc_buf_init(&b);
	assert_int_equal(gc_jpeg_encode(im, q, 300, &b), GC_OK);
	out.p = gc_buf_take(&b, &out.n);
	assert_non_null(out.p);
	/* gc_buf_take hands out gc_alloc memory; gc_free is free */
	return out;
}

/* Compresses raw pixels with TurboJPEG itself (grey, CMYK, progressive). */
static struct bytes
tj_encode(const uint8_t *px, int w, int h, int pf, int samp, int q,
    int flags)
{
	tjhandle       tj  = tjInitCompress();
	unsigned char *dst = NULL;
	unsigned long  sz  = 0;
	struct bytes   out;

	assert_non_null(tj);
	if (tjCompress2(tj, px, w, 0, h, pf, &dst, &sz, samp, q, flags) != 0) {
		fail_msg("tjCompress2: %s", tjGetErrorStr2(tj));
	}
	tjDestroy(tj);
	out.p = malloc(sz);
	assert_non_null(out.p);
	memcpy(out.p, dst, sz);
	out.n = sz;
	tjFree(dst);
	return out;
}

/* The file with an APP1 Exif segment (IFD0: Orientation = o) inserted
 * right after SOI, in Intel or Motorola byte order. */
static struct bytes
with_exif(const struct bytes *j, int o, bool big_endian)
{
	static const uint8_t le[] = {
		0xff, 0xe1, 0, 34, 'E', 'x', 'i', 'f', 0, 0,
		'I', 'I', 0x2a, 0, 8, 0, 0, 0,		/* TIFF header */
		1, 0,					/* one entry */
		0x12, 0x01, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0,	/* 0x0112 SHORT 1 */
		0, 0, 0, 0,				/* no next IFD */
	};
	static const uint8_t be[] = {
		0xff, 0xe1, 0, 34, 'E', 'x', 'i', 'f', 0, 0,
		'M', 'M', 0, 0x2a, 0, 0, 0, 8,
		0, 1,
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0,
		0, 0, 0, 0,
	};
	struct bytes out;
	uint8_t      seg[sizeof(le)];

	_Static_assert(sizeof(le) == 36 && sizeof(be) == 36, "APP1 size");
	memcpy(seg, big_endian ? be : le, sizeof(seg));
	seg[big_endian ? 29 : 28] = (uint8_t)o; /* the SHORT's low byte */
	out.n = j->n + sizeof(seg);
	out.p = malloc(out.n);
	assert_non_null(out.p);
	memcpy(out.p, j->p, 2);
	memcpy(out.p + 2, seg, sizeof(seg));
	memcpy(out.p + 2 + sizeof(seg), j->p + 2, j->n - 2);
	return out;
}

static const uint8_t *
px_at(const struct gc_image *im, int x, int y)
{
	return im->px + (size_t)y * im->stride + 3 * (size_t)x;
}

static void
assert_rgb_near(const uint8_t *p, const uint8_t *want, int tol)
{
	for (int c = 0; c < 3; c++) {
		int diff = abs((int)p[c] - (int)want[c]);

		if (diff > tol) {
			fail_msg("pixel (%d,%d,%d), expected (%d,%d,%d) +-%d",
			    p[0], p[1], p[2], want[0], want[1], want[2], tol);
		}
	}
}

static double
mean_abs_diff(const struct gc_image *a, const struct gc_image *b)
{
	double sum = 0;

	assert_int_equal(a->w, b->w);
	assert_int_equal(a->h, b->h);
	for (int y = 0; y < a->h; y++) {
		for (int x = 0; x < a->w * 3; x++) {
			sum += abs((int)a->px[(size_t)y * a->stride + x] -
			    (int)b->px[(size_t)y * b->stride + x]);
		}
	}
	return sum / ((double)a->w * a->h * 3);
}

/* A frame header of w × h (3 components), then DQT, then SOS: no pixels. */
static struct bytes
fake_header(int w, int h, int precision, uint8_t sof)
{
	static const uint8_t soi[] = { 0xff, 0xd8 };
	uint8_t              sofseg[] = { 0xff, sof, 0, 17, (uint8_t)precision,
		(uint8_t)(h >> 8), (uint8_t)h, (uint8_t)(w >> 8), (uint8_t)w, 3,
		1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1 };
	static const uint8_t sos[] = { 0xff, 0xda, 0, 12, 3, 1, 0, 2, 0x11,
		3, 0x11, 0, 63, 0 };
	uint8_t              dqt[4 + 65 * 2];
	struct bytes         out;
	size_t               o = 0;

	dqt[0] = 0xff;
	dqt[1] = 0xdb;
	dqt[2] = 0;
	dqt[3] = 2 + 65 * 2;
	for (int t = 0; t < 2; t++) {
		dqt[4 + 65 * t] = (uint8_t)t;
		memset(dqt + 5 + 65 * t, 1, 64);
	}
	out.n = sizeof(soi) + sizeof(sofseg) + sizeof(dqt) + sizeof(sos) + 64;
	out.p = calloc(1, out.n);
	assert_non_null(out.p);
	memcpy(out.p + o, soi, sizeof(soi));
	o += sizeof(soi);
	memcpy(out.p + o, dqt, sizeof(dqt));
	o += sizeof(dqt);
	memcpy(out.p + o, sofseg, sizeof(sofseg));
	o += sizeof(sofseg);
	memcpy(out.p + o, sos, sizeof(sos));
	return out;
}

/* ------------------------------------------------------------------ */
/* sniffing and refusing what is not JPEG                              */
/* ------------------------------------------------------------------ */

static void
test_fmt_sniff_names_formats(void **state)
{
	static const struct {
		const char *bytes;
		size_t      n;
		enum gc_fmt f;
	} cases[] = {
		{ "\xff\xd8\xff\xe0", 4, GC_FMT_JPEG },
		{ "\x89PNG\r\n\x1a\n", 8, GC_FMT_PNG },
		{ "GIF89a", 6, GC_FMT_GIF },
		{ "GIF87a", 6, GC_FMT_GIF },
		{ "RIFF\x10\0\0\0WEBPVP8 ", 16, GC_FMT_WEBP },
		{ "RIFF\x10\0\0\0WAVEfmt ", 16, GC_FMT_UNKNOWN },
		{ "\0\0\0\x18" "ftypheic", 12, GC_FMT_HEIC },
		{ "\0\0\0\x1c" "ftypavif", 12, GC_FMT_HEIC },
		{ "\0\0\0\x18" "ftypmif1", 12, GC_FMT_HEIC },
		{ "BM\x36\0\0\0", 6, GC_FMT_BMP },
		{ "II*\0\x08\0\0\0", 8, GC_FMT_TIFF },
		{ "MM\0*\0\0\0\x08", 8, GC_FMT_TIFF },
		{ "P6\n480 640\n255\n", 15, GC_FMT_PNM },
		{ "P1\n", 3, GC_FMT_PNM },
		{ "P7\n", 3, GC_FMT_UNKNOWN },
		{ "%PDF-1.7", 8, GC_FMT_PDF },
		{ "<html>", 6, GC_FMT_UNKNOWN },
		{ "\xff\xd8", 2, GC_FMT_UNKNOWN },
		{ "", 0, GC_FMT_EMPTY },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum gc_fmt f = gc_fmt_sniff((const uint8_t *)cases[i].bytes,
		    cases[i].n);

		if (f != cases[i].f) {
			fail_msg("case %zu: sniffed %s, expected %s", i,
			    gc_fmt_name(f), gc_fmt_name(cases[i].f));
		}
	}
	assert_int_equal(gc_fmt_sniff(NULL, 0), GC_FMT_EMPTY);
	assert_string_equal(gc_fmt_name(GC_FMT_JPEG), "JPEG");
	assert_string_equal(gc_fmt_name(GC_FMT_PNG), "PNG");
	assert_string_equal(gc_fmt_name(GC_FMT_WEBP), "WebP");
	assert_string_equal(gc_fmt_name(GC_FMT_HEIC), "HEIC/HEIF");
	for (int f = GC_FMT_EMPTY; f <= GC_FMT_UNKNOWN; f++) {
		assert_non_null(gc_fmt_name((enum gc_fmt)f));
	}
}

static void
test_probe_refuses_other_formats_by_name(void **state)
{
	static const struct {
		const char *bytes;
		size_t      n;
		const char *msg;
	} cases[] = {
		{ "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "PNG data, not JPEG" },
		{ "RIFF\x10\0\0\0WEBPVP8 ", 16, "WebP data, not JPEG" },
		{ "\0\0\0\x18" "ftypheic\0\0\0\0", 16,
		    "HEIC/HEIF data, not JPEG" },
		{ "GIF89a", 6, "GIF data, not JPEG" },
		{ "%PDF-1.4", 8, "PDF data, not JPEG" },
		{ "", 0, "no data (0 bytes), not JPEG" },
		{ "hello, world", 12,
		    "unrecognised data, not JPEG (starts 68 65 6c 6c)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gc_jpeg_info info;
		struct gc_image     im;
		struct gc_diag      d;

		gc_diag_clear(&d);
		assert_int_equal(gc_jpeg_probe((const uint8_t *)cases[i].bytes,
		    cases[i].n, &info, &d), GC_EINVAL);
		assert_string_equal(d.msg, cases[i].msg);
		gc_diag_clear(&d);
		assert_int_equal(gc_jpeg_decode((const uint8_t *)cases[i].bytes,
		    cases[i].n, 0, &im, NULL, &d), GC_EINVAL);
		assert_string_equal(d.msg, cases[i].msg);
		assert_null(im.px);
		assert_int_equal(im.w, 0);
	}
}

/* ------------------------------------------------------------------ */
/* probe                                                               */
/* ------------------------------------------------------------------ */

static void
test_encode_writes_300dpi_baseline_jfif(void **state)
{
	struct gc_image     im, back;
	struct gc_jpeg_info info;
	struct gc_diag      d;
	struct bytes        j;

	(void)state;
	make_gradient(&im, 480, 640);
	j = encode(&im, 85);
	gc_diag_clear(&d);
	assert_int_equal(gc_jpeg_probe(j.p, j.n, &info, &d), GC_OK);
	assert_int_equal(info.width, 480);
	assert_int_equal(info.height, 640);
	assert_int_equal(info.components, 3);
	assert_int_equal(info.precision, 8);
	assert_true(info.baseline);
	assert_false(info.progressive);
	assert_false(info.arithmetic);
	assert_true(info.jfif);
	assert_int_equal(info.density_unit, 1);
	assert_int_equal(info.xdensity, 300);
	assert_int_equal(info.ydensity, 300);
	assert_int_equal(info.orientation, 0);
	assert_int_equal(info.quality, 85);
	assert_int_equal(info.file_size, j.n);

	assert_int_equal(gc_jpeg_decode(j.p, j.n, 0, &back, &info, &d), GC_OK);
	assert_int_equal(back.w, 480);
	assert_int_equal(back.h, 640);
	assert_int_equal(back.ch, 3);
	assert_true(mean_abs_diff(&im, &back) < 3.0);
	gc_image_release(&back);
	gc_image_release(&im);
	bytes_free(&j);
}

static void
test_encode_appends_and_sets_any_dpi(void **state)
{
	struct gc_image     im;
	struct gc_jpeg_info info;
	struct gc_buf       b;

	(void)state;
	make_gradient(&im, 64, 48);
	gc_buf_init(&b);
	gc_buf_puts(&b, "prefix");
	assert_int_equal(gc_jpeg_encode(&im, 70, 72, &b), GC_OK);
	assert_memory_equal(b.data, "prefix", 6);
	assert_int_equal(gc_jpeg_probe(b.data + 6, b.len - 6, &info, NULL),
	    GC_OK);
	assert_int_equal(info.xdensity, 72);
	assert_int_equal(info.ydensity, 72);
	assert_int_equal(info.density_unit, 1);
	gc_buf_release(&b);
	gc_image_release(&im);
}

static void
test_encode_rejects_bad_arguments(void **state)
{
	struct gc_image im, grey;
	struct gc_buf   b;

	(void)state;
	make_gradient(&im, 32, 32);
	assert_int_equal(gc_image_alloc(&grey, 32, 32, 1), GC_OK);
	gc_buf_init(&b);
	assert_int_equal(gc_jpeg_encode(&grey, 80, 300, &b), GC_EINVAL);
	assert_int_equal(gc_jpeg_encode(&im, 0, 300, &b), GC_EINVAL);
	assert_int_equal(gc_jpeg_encode(&im, 101, 300, &b), GC_EINVAL);
	assert_int_equal(gc_jpeg_encode(&im, 80, 0, &b), GC_EINVAL);
	assert_int_equal(gc_jpeg_encode(&im, 80, 65536, &b), GC_EINVAL);
	assert_int_equal(b.len, 0);
	/* the environment must not turn the output progressive */
	setenv("TJ_PROGRESSIVE", "1", 1);
	assert_int_equal(gc_jpeg_encode(&im, 80, 300, &b), GC_EINTERNAL);
	unsetenv("TJ_PROGRESSIVE");
	assert_int_equal(b.len, 0);
	assert_int_equal(gc_jpeg_encode(&im, 80, 300, &b), GC_OK);
	gc_buf_release(&b);
	gc_image_release(&grey);
	gc_image_release(&im);
}

static void
test_probe_estimates_ijg_quality(void **state)
{
	static const int qs[] = { 5, 10, 25, 49, 50, 51, 60, 75, 85, 90, 95,
		98, 100 };
	struct gc_image  im;

	(void)state;
	make_gradient(&im, 96, 64);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		struct gc_jpeg_info info;
		struct bytes        j = encode(&im, qs[i]);

		assert_int_equal(gc_jpeg_probe(j.p, j.n, &info, NULL), GC_OK);
		if (abs(info.quality - qs[i]) > 2) {
			fail_msg("encoded at %d, estimated %d", qs[i],
			    info.quality);
		}
		bytes_free(&j);
	}
	gc_image_release(&im);
}

/* The same tables re-written with 16-bit precision (Pq = 1). */
static void
test_probe_reads_16bit_quantisation_tables(void **state)
{
	struct gc_image     im;
	struct gc_jpeg_info info;
	struct bytes        j, w;
	size_t              i = 2, o = 2;

	(void)state;
	make_gradient(&im, 32, 32);
	j     = encode(&im, 75);
	w.p   = malloc(j.n * 2);
	w.n   = 0;
	assert_non_null(w.p);
	memcpy(w.p, j.p, 2);
	while (i < j.n) {
		size_t len = (size_t)j.p[i + 2] << 8 | j.p[i + 3];

		if (j.p[i + 1] == 0xdb) {
			size_t k = 4, n = 0;
			size_t start = o;

			o += 4;
			while (k < len + 2) {
				w.p[o++] = (uint8_t)(0x10 | (j.p[i + k] & 15));
				for (int c = 0; c < 64; c++) {
					w.p[o++] = 0;
					w.p[o++] = j.p[i + k + 1 + c];
				}
				k += 65;
				n++;
			}
			w.p[start]     = 0xff;
			w.p[start + 1] = 0xdb;
			w.p[start + 2] = (uint8_t)((2 + n * 129) >> 8);
			w.p[start + 3] = (uint8_t)(2 + n * 129);
			i += len + 2;
			continue;
		}
		if (j.p[i + 1] == 0xda) {
			memcpy(w.p + o, j.p + i, j.n - i);
			o += j.n - i;
			break;
		}
		memcpy(w.p + o, j.p + i, len + 2);
		o += len + 2;
		i += len + 2;
	}
	w.n = o;
	assert_int_equal(gc_jpeg_probe(w.p, w.n, &info, NULL), GC_OK);
	assert_int_equal(info.quality, 75);
	bytes_free(&w);
	bytes_free(&j);
	gc_image_release(&im);
}

static void
test_probe_refuses_pixel_bomb_before_allocating(void **state)
{
	struct bytes        j = fake_header(30000, 30000, 8, 0xc0);
	struct gc_jpeg_info info;
	struct gc_image     im;
	struct gc_diag      d;

	(void)state;
	gc_diag_clear(&d);
	assert_int_equal(gc_jpeg_probe(j.p, j.n, &info, &d), GC_ETOOBIG);
	assert_string_equal(d.msg, "JPEG declares 30000 × 30000 pixels, "
	    "over the 120-megapixel limit");
	assert_int_equal(info.width, 30000);
	assert_int_equal(info.height, 30000);

	gc_alloc_fail_after(0); /* resets the allocation count */
	gc_diag_clear(&d);
	assert_int_equal(gc_jpeg_decode(j.p, j.n, 0, &im, NULL, &d),
	    GC_ETOOBIG);
	assert_int_equal(gc_alloc_count(), 0);
	assert_null(im.px);
	assert_non_null(strstr(d.msg, "30000 × 30000"));
	bytes_free(&j);

	/* just over and exactly at the limit */
	j = fake_header(11000, 11000, 8, 0xc0);
	assert_int_equal(gc_jpeg_probe(j.p, j.n, &info, NULL), GC_ETOOBIG);
	bytes_free(&j);
	j = fake_header(10000, 12000, 8, 0xc0);
	assert_int_equal(gc_jpeg_probe(j.p, j.n, &info, NULL), GC_OK);
	assert_int_equal(info.quality, 100);
	bytes_free(&j);
}

static void
test_probe_refuses_zero_dimensions(void **state)
{
	struct gc_jpeg_info info;
	struct gc_diag      d;
	struct bytes        j;

	(void)state;
	j = fake_header(0, 640, 8, 0xc0);
	gc_diag_clear(&d);
	assert_int_equal(gc_jpeg_probe(j.p, j.n, &info, &d), GC_ECORRUPT);
	assert_non_null(strstr(d.msg, "0 × 640"));
	bytes_free(&j);
	j = fake_header(480, 0, 8, 0xc0);
	assert_int_equal(gc_jpeg_probe(j.p, j.n, &info, NULL), GC_ECORRUPT);
	bytes_free(&j);
}

static void
test_probe_reports_sof_kind(void **state)
{
	struct gc_jpeg_info info;
	struct gc_image     im;
	struct gc_diag      d;
	struct bytes        j;

	(void)state;
	j = fake_header(640, 480, 8, 0xc2);
	assert_int_equal(gc_jpeg_probe(j.p, j.n, &info, NULL), GC_OK);
	assert_true(info.progressive);
	assert_false(info.baseline);
	bytes_free(&j);
	j = fake_header(640, 480, 12, 0xc1);
	assert_int_equal(gc_jpeg_probe(j.p, j.n, &info, NULL), GC_OK);
	assert_int_equal(info.precision, 12);
	assert_false(info.baseline);
	gc_diag_clear(&d);
	assert_int_equal(gc_jpeg_decode(j.p, j.n, 0, &im, NULL, &d),
	    GC_EINVAL);
	assert_non_null(strstr(d.msg, "12-bit"));
	bytes_free(&j);
	j = fake_header(640, 480, 8, 0xc9);
	assert_int_equal(gc_jpeg_probe(j.p, j.n, &info, NULL), GC_OK);
	assert_true(info.arithmetic);
	bytes_free(&j);
	j = fake_header(640, 480, 8, 0xc3);
	assert_int_equal(gc_jpeg_probe(j.p, j.n, &info, NULL), GC_OK);
	gc_diag_clear(&d);
	assert_int_equal(gc_jpeg_decode(j.p, j.n, 0, &im, NULL, &d),
	    GC_EINVAL);
	assert_non_null(strstr(d.msg, "lossless"));
	bytes_free(&j);
}

static void
test_probe_names_truncation_offset(void **state)
{
	struct gc_image     im;
	struct gc_jpeg_info info;
	struct gc_diag      d;
	struct bytes        j;

	(void)state;
	make_gradient(&im, 64, 48);
	j = encode(&im, 80);
	/* cut inside the JFIF APP0 (bytes 2..19) */
	gc_diag_clear(&d);
	assert_int_equal(gc_jpeg_probe(j.p, 10, &info, &d), GC_ECORRUPT);
	assert_string_equal(d.msg, "truncated JPEG header at offset 10 "
	    "(inside the 0xFFE0 segment at offset 2)");
	gc_diag_clear(&d);
	assert_int_equal(gc_jpeg_probe(j.p, 20, &info, &d), GC_ECORRUPT);
	assert_string_equal(d.msg, "truncated JPEG header at offset 20");
	gc_diag_clear(&d);
	assert_int_equal(gc_jpeg_probe(j.p, 2, &info, &d), GC_ECORRUPT);
	assert_string_equal(d.msg, "truncated JPEG header at offset 2");
	bytes_free(&j);
	gc_image_release(&im);
}

/* ------------------------------------------------------------------ */
/* decode                                                              */
/* ------------------------------------------------------------------ */

static void
test_decode_refuses_every_truncation(void **state)
{
	struct gc_image     src, im;
	struct gc_jpeg_info info;
	struct gc_diag      d;
	struct bytes        j;
	size_t              header_errs = 0, data_errs = 0;

	(void)state;
	make_gradient(&src, 48, 32);
	j = encode(&src, 80);
	for (size_t n = 0; n < j.n; n++) {
		uint8_t *cut = malloc(n ? n : 1); /* exact size for ASan */
		gc_err   rv;

		assert_non_null(cut);
		memcpy(cut, j.p, n);
		gc_diag_clear(&d);
		rv = gc_jpeg_decode(cut, n, 0, &im, &info, &d);
		if (rv == GC_OK) {
			fail_msg("a %zu-byte prefix of a %zu-byte JPEG decoded",
			    n, j.n);
		}
		assert_int_equal(rv, n == 0 ? GC_EINVAL : GC_ECORRUPT);
		assert_null(im.px);
		assert_true(d.msg[0] != '\0');
		if (strncmp(d.msg, "truncated JPEG header at offset", 31) ==
		    0) {
			header_errs++;
		} else if (strncmp(d.msg, "JPEG data truncated or corrupt: ",
		    32) == 0) {
			data_errs++;
		}
		/* the probe alone accepts a cut after the scan header */
		rv = gc_jpeg_probe(cut, n, &info, NULL);
		assert_true(rv == GC_OK || rv == GC_ECORRUPT ||
		    (n == 0 && rv == GC_EINVAL));
		free(cut);
	}
	assert_true(header_errs > 100);
	assert_true(data_errs > 100);
	assert_int_equal(header_errs + data_errs, j.n - 1);
	assert_int_equal(gc_jpeg_decode(j.p, j.n, 0, &im, NULL, NULL), GC_OK);
	gc_image_release(&im);
	bytes_free(&j);
	gc_image_release(&src);
}

static void
test_decode_survives_corrupted_bytes(void **state)
{
	struct gc_image src, im;
	struct bytes    j;
	uint32_t        s = 7;
	int             ok = 0, bad = 0;

	(void)state;
	make_gradient(&src, 64, 48);
	j = encode(&src, 75);
	for (int i = 0; i < 400; i++) {
		uint8_t *p = malloc(j.n);
		size_t   at;
		gc_err   rv;

		assert_non_null(p);
		memcpy(p, j.p, j.n);
		for (int k = 0; k < 1 + i % 4; k++) {
			at    = 2 + rng_next(&s) % (j.n - 2);
			p[at] = (uint8_t)rng_next(&s);
		}
		rv = gc_jpeg_decode(p, j.n, i % 2 ? 16 : 0, &im, NULL, NULL);
		if (rv == GC_OK) {
			assert_non_null(im.px);
			ok++;
		} else {
			assert_null(im.px);
			bad++;
		}
		gc_image_release(&im);
		free(p);
	}
	assert_true(bad > 0);
	print_message("corrupted copies: %d decoded, %d refused\n", ok, bad);
	bytes_free(&j);
	gc_image_release(&src);
}

static void
test_decode_converts_greyscale(void **state)
{
	const int           w = 40, h = 24;
	uint8_t             grey[40 * 24];
	struct gc_jpeg_info info;
	struct gc_image     im;
	struct bytes        j;

	(void)state;
	for (int i = 0; i < w * h; i++) {
		grey[i] = (uint8_t)(i % w * 6);
	}
	j = tj_encode(grey, w, h, TJPF_GRAY, TJSAMP_GRAY, 95, 0);
	assert_int_equal(gc_jpeg_decode(j.p, j.n, 0, &im, &info, NULL), GC_OK);
	assert_int_equal(info.components, 1);
	assert_int_equal(im.ch, 3);
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			const uint8_t *p = px_at(&im, x, y);

			assert_int_equal(p[0], p[1]);
			assert_int_equal(p[1], p[2]);
			assert_true(abs(p[0] - grey[y * w + x]) <= 4);
		}
	}
	gc_image_release(&im);
	bytes_free(&j);
}

/* Photoshop-style (Adobe APP14, inverted) CMYK: stored (R, G, B, K') where
 * 255 means no ink, so RGB = stored × K' / 255. */
static void
test_decode_converts_adobe_cmyk(void **state)
{
	const int           w = 32, h = 32;
	uint8_t             cmyk[32 * 32 * 4];
	struct gc_jpeg_info info;
	struct gc_image     im;
	struct bytes        j;

	(void)state;
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			uint8_t *p = cmyk + 4 * (y * w + x);

			p[0] = 200;
			p[1] = 100;
			p[2] = 50;
			p[3] = y < h / 2 ? 255 : 128;
		}
	}
	j = tj_encode(cmyk, w, h, TJPF_CMYK, TJSAMP_444, 100, 0);
	assert_int_equal(gc_jpeg_decode(j.p, j.n, 0, &im, &info, NULL), GC_OK);
	assert_int_equal(info.components, 4);
	assert_int_equal(im.ch, 3);
	assert_int_equal(im.w, w);
	assert_rgb_near(px_at(&im, 4, 4), (const uint8_t[]){ 200, 100, 50 },
	    3);
	assert_rgb_near(px_at(&im, 4, 28),
	    (const uint8_t[]){ 100, 50, 25 }, 3);
	gc_image_release(&im);

	/* DCT scaling applies to CMYK too */
	assert_int_equal(gc_jpeg_decode(j.p, j.n, 8, &im, &info, NULL), GC_OK);
	assert_int_equal(im.w, 8);
	assert_rgb_near(px_at(&im, 2, 1), (const uint8_t[]){ 200, 100, 50 },
	    3);
	gc_image_release(&im);
	bytes_free(&j);
}

/* ImageMagick's CMYK JPEG of an RGB file decodes back to about the same
 * colours (skipped when convert is not installed). */
static void
test_decode_converts_imagemagick_cmyk(void **state)
{
	struct gc_image     src, a, b;
	struct gc_jpeg_info info;
	struct bytes        j, c;
	char               *in, *cmd;
	const char         *dir;
	size_t              n;
	double              mad;

	(void)state;
	if (system("command -v convert >/dev/null 2>&1") != 0) {
		skip();
	}
	dir = gc_test_tmpdir("jpeg-cmyk");
	make_gradient(&src, 64, 48);
	j  = encode(&src, 92);
	in = gc_test_write_file(dir, "rgb.jpg", j.p, j.n);
	n  = strlen(dir) * 2 + 128;
	cmd = malloc(n);
	assert_non_null(cmd);
	snprintf(cmd, n, "convert '%s' -colorspace CMYK -quality 92 "
	    "'%s/cmyk.jpg'", in, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, n, "%s/cmyk.jpg", dir);
	c.p = gc_test_read_file(cmd, &c.n);
	assert_non_null(c.p);
	assert_int_equal(gc_jpeg_decode(j.p, j.n, 0, &a, NULL, NULL), GC_OK);
	assert_int_equal(gc_jpeg_decode(c.p, c.n, 0, &b, &info, NULL), GC_OK);
	assert_int_equal(info.components, 4);
	mad = mean_abs_diff(&a, &b);
	print_message("ImageMagick CMYK round trip: mean |diff| %.2f\n", mad);
	assert_true(mad < 6.0);
	gc_image_release(&a);
	gc_image_release(&b);
	free(cmd);
	free(in);
	bytes_free(&c);
	bytes_free(&j);
	gc_image_release(&src);
	gc_test_rmrf(dir);
}

/* A sampling layout TurboJPEG has no TJSAMP for (luma 3 × 2) still
 * decodes (made with cjpeg; skipped when it is not installed). */
static void
test_decode_reads_unusual_sampling(void **state)
{
	struct gc_image     src, im;
	struct gc_jpeg_info info;
	struct bytes        j;
	struct gc_buf       ppm;
	const char         *dir;
	char               *in, cmd[1024], out[600];

	(void)state;
	if (system("command -v cjpeg >/dev/null 2>&1") != 0) {
		skip();
	}
	dir = gc_test_tmpdir("jpeg-sample");
	make_gradient(&src, 72, 48);
	gc_buf_init(&ppm);
	gc_buf_printf(&ppm, "P6\n%d %d\n255\n", src.w, src.h);
	gc_buf_put(&ppm, src.px, src.stride * (size_t)src.h);
	assert_int_equal(gc_buf_status(&ppm), GC_OK);
	in = gc_test_write_file(dir, "in.ppm", ppm.data, ppm.len);
	snprintf(out, sizeof(out), "%s/out.jpg", dir);
	snprintf(cmd, sizeof(cmd), "cjpeg -sample 3x2 -quality 90 "
	    "-outfile '%s' '%s'", out, in);
	assert_int_equal(system(cmd), 0);
	j.p = gc_test_read_file(out, &j.n);
	assert_non_null(j.p);
	assert_int_equal(gc_jpeg_decode(j.p, j.n, 0, &im, &info, NULL), GC_OK);
	assert_int_equal(im.w, 72);
	assert_int_equal(im.h, 48);
	assert_true(mean_abs_diff(&src, &im) < 4.0);
	gc_image_release(&im);
	assert_int_equal(gc_jpeg_decode(j.p, j.n, 24, &im, &info, NULL), GC_OK);
	assert_int_equal(im.w, 36);
	assert_int_equal(im.h, 24);
	gc_image_release(&im);
	bytes_free(&j);
	free(in);
	gc_buf_release(&ppm);
	gc_image_release(&src);
	gc_test_rmrf(dir);
}

static void
test_decode_reads_progressive(void **state)
{
	struct gc_image     src, a, b;
	struct gc_jpeg_info info;
	struct bytes        base, prog;

	(void)state;
	make_gradient(&src, 120, 80);
	base = tj_encode(src.px, src.w, src.h, TJPF_RGB, TJSAMP_420, 80, 0);
	prog = tj_encode(src.px, src.w, src.h, TJPF_RGB, TJSAMP_420, 80,
	    TJFLAG_PROGRESSIVE);
	assert_int_equal(gc_jpeg_decode(prog.p, prog.n, 0, &b, &info, NULL),
	    GC_OK);
	assert_true(info.progressive);
	assert_false(info.baseline);
	assert_int_equal(info.quality, 80);
	assert_int_equal(gc_jpeg_decode(base.p, base.n, 0, &a, NULL, NULL),
	    GC_OK);
	/* progressive coding is lossless over the same coefficients */
	assert_true(mean_abs_diff(&a, &b) == 0.0);
	gc_image_release(&a);
	gc_image_release(&b);

	/* and scaled progressive decoding works */
	assert_int_equal(gc_jpeg_decode(prog.p, prog.n, 40, &b, NULL, NULL),
	    GC_OK);
	assert_int_equal(b.w, 60);
	assert_int_equal(b.h, 40);
	gc_image_release(&b);
	bytes_free(&base);
	bytes_free(&prog);
	gc_image_release(&src);
}

/* For each orientation, which source quadrant lands in the output's
 * TL, TR, BL, BR corners (0 TL, 1 TR, 2 BL, 3 BR of the stored image). */
static const int orient_corners[9][4] = {
	[1] = { 0, 1, 2, 3 }, [2] = { 1, 0, 3, 2 }, [3] = { 3, 2, 1, 0 },
	[4] = { 2, 3, 0, 1 }, [5] = { 0, 2, 1, 3 }, [6] = { 2, 0, 3, 1 },
	[7] = { 3, 1, 2, 0 }, [8] = { 1, 3, 0, 2 },
};

static void
test_decode_applies_exif_orientation(void **state)
{
	const int       w = 96, h = 64;
	struct gc_image src;
	struct bytes    plain;

	(void)state;
	make_quadrants(&src, w, h);
	plain = encode(&src, 95);
	for (int o = 1; o <= 8; o++) {
		for (int be = 0; be < 2; be++) {
			struct bytes        j = with_exif(&plain, o, be);
			struct gc_jpeg_info info;
			struct gc_image     im;
			int                 ow = o >= 5 ? h : w;
			int                 oh = o >= 5 ? w : h;

			assert_int_equal(gc_jpeg_probe(j.p, j.n, &info, NULL),
			    GC_OK);
			assert_int_equal(info.orientation, o);
			assert_int_equal(info.width, w); /* as stored */
			assert_int_equal(gc_jpeg_decode(j.p, j.n, 0, &im, &info,
			    NULL), GC_OK);
			assert_int_equal(im.w, ow);
			assert_int_equal(im.h, oh);
			assert_rgb_near(px_at(&im, 4, 4),
			    quad_rgb[orient_corners[o][0]], 8);
			assert_rgb_near(px_at(&im, ow - 5, 4),
			    quad_rgb[orient_corners[o][1]], 8);
			assert_rgb_near(px_at(&im, 4, oh - 5),
			    quad_rgb[orient_corners[o][2]], 8);
			assert_rgb_near(px_at(&im, ow - 5, oh - 5),
			    quad_rgb[orient_corners[o][3]], 8);
			/* orientation composes with DCT scaling */
			gc_image_release(&im);
			assert_int_equal(gc_jpeg_decode(j.p, j.n, 16, &im, NULL,
			    NULL), GC_OK);
			assert_int_equal(im.w, o >= 5 ? 16 : 24);
			assert_rgb_near(px_at(&im, im.w - 2, 1),
			    quad_rgb[orient_corners[o][1]], 12);
			gc_image_release(&im);
			bytes_free(&j);
		}
	}
	bytes_free(&plain);
	gc_image_release(&src);
}

/* Orientation 6: the stored top-left (red) moves to the top-right. */
static void
test_decode_rotates_orientation_6_clockwise(void **state)
{
	struct gc_image src, im;
	struct bytes    plain, j;

	(void)state;
	make_quadrants(&src, 96, 64);
	plain = encode(&src, 95);
	j     = with_exif(&plain, 6, false);
	assert_int_equal(gc_jpeg_decode(j.p, j.n, 0, &im, NULL, NULL), GC_OK);
	assert_int_equal(im.w, 64);
	assert_int_equal(im.h, 96);
	assert_rgb_near(px_at(&im, 63, 0), quad_rgb[0], 8);
	assert_rgb_near(px_at(&im, 0, 0), quad_rgb[2], 8);
	gc_image_release(&im);
	bytes_free(&j);
	/* out-of-range values count as absent */
	j = with_exif(&plain, 9, true);
	assert_int_equal(gc_jpeg_decode(j.p, j.n, 0, &im, NULL, NULL), GC_OK);
	assert_int_equal(im.w, 96);
	gc_image_release(&im);
	bytes_free(&j);
	bytes_free(&plain);
	gc_image_release(&src);
}

static void
test_decode_picks_dct_scale(void **state)
{
	static const struct {
		int min_side, w, h;
	} cases[] = {
		{ 0, 4000, 3000 },     /* full size */
		{ 3000, 4000, 3000 },  /* 1/1 */
		{ 5000, 4000, 3000 },  /* never upscales */
		{ 1200, 2000, 1500 },  /* 1/2 */
		{ 1125, 1500, 1125 },  /* 3/8 */
		{ 700, 1000, 750 },    /* 1/4 */
		{ 640, 1000, 750 },    /* 1/4: the 480 × 640 crop */
		{ 375, 500, 375 },     /* 1/8 */
		{ 100, 500, 375 },     /* 1/8 is the smallest */
	};
	struct gc_image src;
	struct bytes    j;

	(void)state;
	make_gradient(&src, 4000, 3000);
	j = encode(&src, 75);
	gc_image_release(&src);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gc_image im;

		assert_int_equal(gc_jpeg_decode(j.p, j.n, cases[i].min_side,
		    &im, NULL, NULL), GC_OK);
		if (im.w != cases[i].w || im.h != cases[i].h) {
			fail_msg("min_side %d: %d × %d, expected %d × %d",
			    cases[i].min_side, im.w, im.h, cases[i].w,
			    cases[i].h);
		}
		gc_image_release(&im);
	}
	bytes_free(&j);
}

/* Every allocation failure is reported as GC_ENOMEM, with nothing
 * leaked (ASan) and out zeroed, until the decode succeeds. */
static void
test_decode_survives_allocation_failure(void **state)
{
	struct gc_image src, im;
	struct bytes    plain, j;
	long            n;
	gc_err          rv = GC_ENOMEM;

	(void)state;
	make_quadrants(&src, 48, 32);
	plain = encode(&src, 90);
	j     = with_exif(&plain, 6, false);
	for (n = 1; n < 1000; n++) {
		gc_alloc_fail_after(n);
		rv = gc_jpeg_decode(j.p, j.n, 0, &im, NULL, NULL);
		gc_alloc_fail_after(0);
		if (rv == GC_OK) {
			break;
		}
		assert_int_equal(rv, GC_ENOMEM);
		assert_null(im.px);
	}
	assert_int_equal(rv, GC_OK);
	assert_true(n > 2); /* libexif, the pixels and the rotation */
	assert_int_equal(im.w, 32);
	gc_image_release(&im);
	bytes_free(&j);
	bytes_free(&plain);
	gc_image_release(&src);
}

static void
test_encode_survives_allocation_failure(void **state)
{
	struct gc_image src;
	struct gc_buf   b;
	long            n;
	gc_err          rv = GC_ENOMEM;
	int             q;
	bool            in;

	(void)state;
	make_gradient(&src, 48, 32);
	for (n = 1; n < 1000; n++) {
		gc_buf_init(&b);
		gc_alloc_fail_after(n);
		rv = gc_jpeg_encode_fit(&src, 300, 60, 1000, 2000, &b, &q, &in);
		gc_alloc_fail_after(0);
		if (rv == GC_OK) {
			break;
		}
		assert_int_equal(rv, GC_ENOMEM);
		gc_buf_release(&b);
	}
	assert_int_equal(rv, GC_OK);
	assert_true(n > 1);
	assert_true(b.len <= 2000);
	gc_buf_release(&b);
	gc_image_release(&src);
}

/* ------------------------------------------------------------------ */
/* encode_fit                                                          */
/* ------------------------------------------------------------------ */

/* A 480 × 640 image with portrait-like texture: smooth shading plus
 * fine detail, so its size crosses 20–40 KB inside [60, 95]. */
static void
make_textured(struct gc_image *im)
{
	uint32_t s = 99;

	assert_int_equal(gc_image_alloc(im, 480, 640, 3), GC_OK);
	for (int y = 0; y < 640; y++) {
		for (int x = 0; x < 480; x++) {
			uint8_t *p  = im->px + (size_t)y * im->stride + 3 * x;
			int      nz = (int)(rng_next(&s) % 7) - 3;
			int      v  = 100 + (x * 80) / 480 + (y * 50) / 640 +
			    ((x / 24 + y / 24) % 2) * 20 + nz;

			p[0] = (uint8_t)v;
			p[1] = (uint8_t)(v - 20);
			p[2] = (uint8_t)(255 - v);
		}
	}
}

static void
test_encode_fit_lands_in_size_window(void **state)
{
	struct gc_image     im;
	struct gc_jpeg_info info;
	struct gc_buf       b, more;
	int                 q;
	bool                in;

	(void)state;
	make_textured(&im);
	gc_buf_init(&b);
	assert_int_equal(gc_jpeg_encode_fit(&im, 300, 60, 20 * 1024,
	    40 * 1024, &b, &q, &in), GC_OK);
	print_message("textured 480 × 640: quality %d, %zu bytes\n", q, b.len);
	assert_true(in);
	assert_true(b.len >= 20 * 1024 && b.len <= 40 * 1024);
	assert_true(q >= 60 && q < 95);
	assert_int_equal(gc_jpeg_probe(b.data, b.len, &info, NULL), GC_OK);
	assert_int_equal(info.quality, q);
	assert_int_equal(info.xdensity, 300);
	assert_true(info.baseline);
	/* the next quality up would not fit */
	gc_buf_init(&more);
	assert_int_equal(gc_jpeg_encode(&im, q + 1, 300, &more), GC_OK);
	assert_true(more.len > 40 * 1024);
	gc_buf_release(&more);
	gc_buf_release(&b);
	gc_image_release(&im);
}

/* Whatever the hint (right, near, far, out of range), the search lands
 * on the same highest fitting quality, byte for byte. */
static void
test_encode_fit_hint_finds_the_same_quality(void **state)
{
	struct gc_image im;
	struct gc_buf   cold, warm;
	int             q, qh;
	bool            in;
	const int       hints[] = { 0, 1, 60, 61, 70, 94, 95, 96, 200 };

	(void)state;
	make_textured(&im);
	gc_buf_init(&cold);
	gc_buf_init(&warm);
	assert_int_equal(gc_jpeg_encode_fit(&im, 300, 60, 20 * 1024,
	    40 * 1024, &cold, &q, &in), GC_OK);
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		for (int d = -2; d <= 2; d++) {
			int h = hints[i] == 0 ? 0 : hints[i] + (hints[i] < 90 ? 0 :
			    d);

			gc_buf_reset(&warm);
			assert_int_equal(gc_jpeg_encode_fit_hint(&im, 300, 60,
			    20 * 1024, 40 * 1024, h, &warm, &qh, &in), GC_OK);
			assert_int_equal(qh, q);
			assert_int_equal(warm.len, cold.len);
			assert_memory_equal(warm.data, cold.data, cold.len);
		}
	}
	/* the hint at the answer, and around it */
	for (int d = -3; d <= 3; d++) {
		gc_buf_reset(&warm);
		assert_int_equal(gc_jpeg_encode_fit_hint(&im, 300, 60,
		    20 * 1024, 40 * 1024, q + d, &warm, &qh, &in), GC_OK);
		assert_int_equal(qh, q);
	}
	gc_buf_release(&cold);
	gc_buf_release(&warm);
	gc_image_release(&im);
}

static void
test_encode_fit_flat_image_is_below_window(void **state)
{
	struct gc_image im;
	struct gc_buf   b;
	int             q;
	bool            in = true;

	(void)state;
	assert_int_equal(gc_image_alloc(&im, 480, 640, 3), GC_OK);
	memset(im.px, 128, im.stride * 640);
	gc_buf_init(&b);
	assert_int_equal(gc_jpeg_encode_fit(&im, 300, 60, 20 * 1024,
	    40 * 1024, &b, &q, &in), GC_OK);
	assert_int_equal(q, 95);
	assert_false(in);
	assert_true(b.len < 20 * 1024);
	gc_buf_release(&b);
	gc_image_release(&im);
}

static void
test_encode_fit_reports_too_big(void **state)
{
	struct gc_image     im;
	struct gc_jpeg_info info;
	struct gc_buf       b;
	uint32_t            s = 5;
	int                 q;
	bool                in = true;

	(void)state;
	assert_int_equal(gc_image_alloc(&im, 480, 640, 3), GC_OK);
	for (size_t i = 0; i < im.stride * 640; i++) {
		im.px[i] = (uint8_t)rng_next(&s);
	}
	gc_buf_init(&b);
	assert_int_equal(gc_jpeg_encode_fit(&im, 300, 60, 20 * 1024,
	    40 * 1024, &b, &q, &in), GC_ETOOBIG);
	assert_int_equal(q, 60);
	assert_false(in);
	assert_true(b.len > 40 * 1024);
	assert_int_equal(gc_jpeg_probe(b.data, b.len, &info, NULL), GC_OK);
	assert_int_equal(info.quality, 60);
	gc_buf_release(&b);
	assert_int_equal(gc_jpeg_encode_fit(&im, 300, 0, 1, 2, &b, &q, &in),
	    GC_EINVAL);
	assert_int_equal(gc_jpeg_encode_fit(&im, 300, 60, 3, 2, &b, &q, &in),
	    GC_EINVAL);
	gc_buf_release(&b);
	gc_image_release(&im);
}

/* ------------------------------------------------------------------ */
/* real photos                                                         */
/* ------------------------------------------------------------------ */

static void
test_decode_reads_debian_photos(void **state)
{
	static const char *names[] = { "grace_hopper", "astronaut", "sh0r",
		"yawn", "aksel" };
	int                found = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char         *path = gc_test_data(names[i]);
		struct gc_jpeg_info info;
		struct gc_image     im;
		struct gc_diag      d;
		struct bytes        j;

		if (path == NULL) {
			continue;
		}
		found++;
		j.p = gc_test_read_file(path, &j.n);
		assert_non_null(j.p);
		gc_diag_clear(&d);
		if (gc_jpeg_decode(j.p, j.n, 0, &im, &info, &d) != GC_OK) {
			fail_msg("%s: %s", names[i], d.msg);
		}
		assert_true(info.quality >= 1 && info.quality <= 100);
		assert_int_equal(im.ch, 3);
		assert_true(im.w > 0 && im.h > 0);
		print_message("%s: %d × %d, %d component(s), quality ~%d, "
		    "%s\n", names[i], info.width, info.height,
		    info.components, info.quality,
		    info.progressive ? "progressive" : "sequential");
		if (strcmp(names[i], "sh0r") == 0) {
			assert_int_equal(info.components, 1);
		}
		gc_image_release(&im);
		bytes_free(&j);
	}
	if (found == 0) {
		skip();
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_sniff_names_formats),
		cmocka_unit_test(test_probe_refuses_other_formats_by_name),
		cmocka_unit_test(test_encode_writes_300dpi_baseline_jfif),
		cmocka_unit_test(test_encode_appends_and_sets_any_dpi),
		cmocka_unit_test(test_encode_rejects_bad_arguments),
		cmocka_unit_test(test_probe_estimates_ijg_quality),
		cmocka_unit_test(test_probe_reads_16bit_quantisation_tables),
		cmocka_unit_test(test_probe_refuses_pixel_bomb_before_allocating),
		cmocka_unit_test(test_probe_refuses_zero_dimensions),
		cmocka_unit_test(test_probe_reports_sof_kind),
		cmocka_unit_test(test_probe_names_truncation_offset),
		cmocka_unit_test(test_decode_refuses_every_truncation),
		cmocka_unit_test(test_decode_survives_corrupted_bytes),
		cmocka_unit_test(test_decode_converts_greyscale),
		cmocka_unit_test(test_decode_converts_adobe_cmyk),
		cmocka_unit_test(test_decode_converts_imagemagick_cmyk),
		cmocka_unit_test(test_decode_reads_unusual_sampling),
		cmocka_unit_test(test_decode_reads_progressive),
		cmocka_unit_test(test_decode_applies_exif_orientation),
		cmocka_unit_test(test_decode_rotates_orientation_6_clockwise),
		cmocka_unit_test(test_decode_picks_dct_scale),
		cmocka_unit_test(test_decode_survives_allocation_failure),
		cmocka_unit_test(test_encode_survives_allocation_failure),
		cmocka_unit_test(test_encode_fit_lands_in_size_window),
		cmocka_unit_test(test_encode_fit_hint_finds_the_same_quality),
		cmocka_unit_test(test_encode_fit_flat_image_is_below_window),
		cmocka_unit_test(test_encode_fit_reports_too_big),
		cmocka_unit_test(test_decode_reads_debian_photos),
	};

	return cmocka_run_group_tests_name("capture.jpeg", tests, NULL, NULL);
}
