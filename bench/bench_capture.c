/* bench/capture: median milliseconds per stage and in total for the
 * capture pipeline on a 12-megapixel JPEG and a 1920 × 1080 frame, every
 * check included, on one core; and in the same run ImageMagick's
 * `convert` crop+resize and `djpeg -scale 1/4 | cjpeg` on the same input
 * as baselines. Targets: ≤ 80 ms for 12 MP, ≤ 35 ms for 1080p.
 * Usage: bench/capture PORTRAIT.jpg [RUNS]   (a portrait to build the
 * inputs from, e.g. a gc-synth ok-blue file; default 15 runs) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "capture/face.h"
#include "capture/jpeg.h"
#include "capture/pipeline.h"
#include "common/fileio.h"

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), dcmp);
	return v[n / 2];
}

/* Makes a JPEG of w × h from the portrait: resampled as large as fits
 * the frame, centred on a plain light-blue canvas (a portrait wider than
 * the frame, such as a 4000 × 3000 photo for a 3000 × 4000 frame, is
 * fitted to the width: fitting it to the height drew it past the
 * canvas's edges and crashed). */
static int
make_input(const struct gc_image *src, int w, int h, const char *path)
{
	struct gc_image out, tmp;
	struct gc_buf   b;
	FILE           *f;
	double          k;
	int             ow, oh, ox, oy, rv = -1;

	memset(&tmp, 0, sizeof(tmp));
	gc_buf_init(&b);
	if (gc_image_alloc(&out, w, h, 3) != GC_OK) {
		return -1;
	}
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			uint8_t *q = out.px + (size_t)y * out.stride + (size_t)x * 3;

			q[0] = 100;
			q[1] = 197;
			q[2] = 255;
		}
	}
	k = (double)h / src->h;
	if (src->w * k > w) {
		k = (double)w / src->w;
	}
	ow = (int)(src->w * k);
	oh = (int)(src->h * k);
	ow = ow < 1 ? 1 : ow > w ? w : ow;
	oh = oh < 1 ? 1 : oh > h ? h : oh;
	ox = (w - ow) / 2;
	oy = (h - oh) / 2;
	if (gc_image_alloc(&tmp, ow, oh, 3) == GC_OK &&
	    gc_image_resample(&tmp, src, 0, 0, src->w, src->h) == GC_OK) {
		for (int y = 0; y < oh; y++) {
			memcpy(out.px + (size_t)(oy + y) * out.stride +
			    (size_t)ox * 3, tmp.px + (size_t)y * tmp.stride,
			    (size_t)ow * 3);
		}
		if (gc_jpeg_encode(&out, 92, 72, &b) == GC_OK) {
			f = fopen(path, "wb");
			if (f != NULL) {
				rv = fwrite(b.data, 1, b.len, f) == b.len ? 0 : -1;
				rv |= fclose(f) == 0 ? 0 : -1;
			}
		}
	}
	gc_image_release(&tmp);
	gc_image_release(&out);
	gc_buf_release(&b);
	return rv;
}

static double
time_cmd(const char *cmd, int runs)
{
	double t[64];

	for (int i = 0; i < runs; i++) {
		double t0 = (now_s() * 1e3);

		if (system(cmd) != 0) {
			return -1;
		}
		t[i] = (now_s() * 1e3) - t0;
	}
	return median(t, runs);
}

static void
run(gc_pipeline *pl, const char *label, const char *path, int runs)
{
	size_t   len;
	uint8_t *b = slurp(path, &len);
	double   dec[64], det[64], fr[64], rs[64], enc[64], chk[64], tot[64];
	char     cmd[4096];
	const char *verdict = "?";

	if (b == NULL) {
		printf("%s: cannot read %s\n", label, path);
		return;
	}
	for (int i = 0; i < runs; i++) {
		struct gc_pipeline_result r;

		gc_pipeline_result_init(&r);
		gc_pipeline_run(pl, b, len, GC_PIPE_NORMALIZE, &r);
		dec[i] = r.t.decode;
		det[i] = r.t.detect;
		fr[i]  = r.t.frame;
		rs[i]  = r.t.resample;
		enc[i] = r.t.encode;
		chk[i] = r.t.checks;
		tot[i] = r.t.total;
		verdict = gc_verdict_name(r.report.verdict);
		gc_pipeline_result_release(&r);
	}
	printf("%s (%s, %.1f MB): verdict %s\n", label, path, len / 1e6,
	    verdict);
	printf("  first shot of a session (no quality hint yet): encode %.1f, "
	       "total %.1f ms\n", enc[0], tot[0]);
	printf("  gradcap  decode %6.1f  detect %6.1f  frame %5.2f  resample "
	       "%5.1f  encode %5.1f  checks %5.1f  total %6.1f ms (median of "
	       "%d)\n", median(dec, runs), median(det, runs), median(fr, runs),
	    median(rs, runs), median(enc, runs), median(chk, runs),
	    median(tot, runs), runs);
	snprintf(cmd, sizeof(cmd), "convert '%s' -crop 50%%x66%%+0+0 -resize "
	    "480x640 -density 300 -quality 90 /tmp/gc-bench-convert.jpg "
	    ">/dev/null 2>&1", path);
	printf("  baseline ImageMagick convert crop+resize+encode: %6.1f ms\n",
	    time_cmd(cmd, runs < 7 ? runs : 7));
	snprintf(cmd, sizeof(cmd), "djpeg -scale 1/4 '%s' | cjpeg -quality 90 "
	    ">/tmp/gc-bench-djpeg.jpg 2>/dev/null", path);
	printf("  baseline djpeg -scale 1/4 | cjpeg:              %6.1f ms\n",
	    time_cmd(cmd, runs < 7 ? runs : 7));
	free(b);
}

int
main(int argc, char **argv)
{
	struct gc_profile p;
	gc_pipeline      *pl;
	struct gc_diag    d;
	struct gc_image   src;
	size_t            len;
	uint8_t          *b;
	int               runs = argc > 2 ? atoi(argv[2]) : 15;

	if (argc < 2) {
		fprintf(stderr, "usage: bench/capture PORTRAIT.jpg [RUNS]\n");
		return 2;
	}
	if (runs < 1 || runs > 64) {
		runs = 15;
	}
	b = slurp(argv[1], &len);
	if (b == NULL || gc_jpeg_decode(b, len, 0, &src, NULL, NULL) != GC_OK) {
		fprintf(stderr, "bench/capture: %s: not a readable JPEG\n",
		    argv[1]);
		return 1;
	}
	free(b);
	if (make_input(&src, 3000, 4000, "/tmp/gc-bench-12mp.jpg") != 0 ||
	    make_input(&src, 1920, 1080, "/tmp/gc-bench-1080p.jpg") != 0) {
		fprintf(stderr, "bench/capture: cannot make the inputs\n");
		return 1;
	}
	gc_image_release(&src);
	gc_profile_default(&p);
	gc_diag_clear(&d);
	printf("gradcap bench/capture: one core, every check, targets 12 MP "
	       "<= 80 ms, 1080p <= 35 ms; face detector build: %s (GC_FACEDET="
	       "base for the portable one)\n", gc_facedet_variant());
	/* a fresh pipeline per input: its first shot searches the JPEG
	 * quality without a hint, the later ones start from the last */
	for (int k = 0; k < 2; k++) {
		if (gc_pipeline_open(&pl, &p, &d) != GC_OK) {
			fprintf(stderr, "bench/capture: %s\n", d.msg);
			return 1;
		}
		if (k == 0) {
			run(pl, "12 MP 3000x4000", "/tmp/gc-bench-12mp.jpg",
			    runs);
		} else {
			run(pl, "1080p 1920x1080", "/tmp/gc-bench-1080p.jpg",
			    runs);
		}
		gc_pipeline_close(pl);
	}
	return 0;
}
