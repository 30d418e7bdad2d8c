/*
 * bench/background: how well and how fast the background replacement
 * (capture/background.h) separates the person, on
 *  (a) synthetic portraits rendered now with their true person mask
 *      (tests/synth, from the photos of tests/data/fetch.sh in SRCDIR),
 *      framed by the pipeline: IoU, the share of the background left as
 *      person and of the person lost, the time per photo; with and
 *      without the hair the synthetic cut-out lacks;
 *  (b) the JPEG photos in PORTRAITS (real portraits; no truth): framed
 *      by the pipeline when it can, else scaled whole to 480 wide: per
 *      photo whether the person came apart cleanly, the confidence, and
 *      the background checks before and after the replacement.
 * Usage: background [--synth SRCDIR] [--dump DIR] [PORTRAITS]
 * --dump writes NAME.before.jpg, NAME.after.jpg and NAME.mask.jpg (the
 * background tinted red) to DIR, to look at: keep DIR outside the repo.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_util.h"
#include "capture/background.h"
#include "capture/checks.h"
#include "capture/jpeg.h"
#include "capture/pipeline.h"
#include "common/gc_alloc.h"
#include "tests/synth/synth.h"

#define FW 480
#define FH 640

static const char *const synth_variants[] = { "ok-blue", "ok-white",
	"ok-grey", "gradient", "shadow", "blue-clothing", "dark", "bright" };

static const char *dump_dir;

/* CPU milliseconds of this process (the machine may be shared: wall time
 * then says more about the neighbours than about the cut). */
static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
dump(const char *name, const char *what, const struct gc_image *im)
{
	struct gc_buf b;
	char          path[4200];

	if (dump_dir == NULL || im == NULL || im->px == NULL) {
		return;
	}
	gc_buf_init(&b);
	snprintf(path, sizeof(path), "%s/%s.%s.jpg", dump_dir, name, what);
	if (gc_jpeg_encode(im, 90, 72, &b) == GC_OK) {
		FILE *f = fopen(path, "wb");

		if (f != NULL) {
			fwrite(b.data, 1, b.len, f);
			fclose(f);
		}
	}
	gc_buf_release(&b);
}

/* The image with the mask's background tinted red, dumped. */
static void
dump_mask(const char *name, const struct gc_image *im, const uint8_t *mask)
{
	struct gc_image t;

	if (dump_dir == NULL || gc_image_alloc(&t, im->w, im->h, 3) != GC_OK) {
		return;
	}
	for (int y = 0; y < im->h; y++) {
		for (int x = 0; x < im->w; x++) {
			const uint8_t *p = im->px + (size_t)y * im->stride + x * 3;
			uint8_t       *q = t.px + (size_t)y * t.stride + x * 3;
			bool           bg = mask[(size_t)y * im->w + x] == 0;

			q[0] = bg ? (uint8_t)(p[0] / 2 + 127) : p[0];
			q[1] = bg ? (uint8_t)(p[1] / 2) : p[1];
			q[2] = bg ? (uint8_t)(p[2] / 2) : p[2];
		}
	}
	dump(name, "mask", &t);
	gc_image_release(&t);
}

/* The one face on im, or false. */
static bool
face_on(gc_facedet *fd, const struct gc_image *im, struct gc_face *f,
    int *n)
{
	struct gc_image grey;
	struct gc_face  faces[4];

	*n = 0;
	if (gc_image_grey(&grey, im) != GC_OK) {
		return false;
	}
	if (gc_facedet_run(fd, &grey, 0.1f, faces, 4, n) != GC_OK) {
		*n = 0;
	}
	gc_image_release(&grey);
	if (*n == 1) {
		*f = faces[0];
	}
	return *n == 1;
}

/* The background checks of im with face f: pass / warn / fail letters
 * for colour and uniformity ("PP", "FP", ...) into out[3]. */
static void
bg_checks(const struct gc_profile *p, const struct gc_image *im,
    const struct gc_face *f, char out[3], bool *pass)
{
	struct gc_report      *r = gc_xalloc(sizeof(*r));
	struct gc_subject      s;
	const struct gc_check *c, *u;

	memset(&s, 0, sizeof(s));
	s.nfaces = 1;
	s.face   = *f;
	s.score  = f->score;
	gc_face_measure(&s.face, &s.m);
	s.hair_found = gc_face_hair_top(im, &s.face, &s.m);
	gc_report_init(r);
	gc_checks_content(r, p, im, &s);
	c      = gc_report_get(r, "background.colour");
	u      = gc_report_get(r, "background.uniformity");
	out[0] = c == NULL ? '-' : "PWF"[c->verdict];
	out[1] = u == NULL ? '-' : "PWF"[u->verdict];
	out[2] = '\0';
	*pass  = c != NULL && u != NULL && c->verdict != GC_VERDICT_FAIL &&
	    u->verdict != GC_VERDICT_FAIL;
	gc_free(r);
}

/* Normalises the JPEG bytes; on a framed output, decodes it into framed
 * and says where the crop was. */
static bool
frame(gc_pipeline *pl, const struct gc_buf *jpeg, struct gc_image *framed,
    struct gc_frame_plan *plan)
{
	struct gc_pipeline_result res;
	bool                      ok = false;

	gc_pipeline_result_init(&res);
	if (gc_pipeline_run(pl, jpeg->data, jpeg->len, GC_PIPE_NORMALIZE,
	    &res) == GC_OK && res.jpeg.len > 0 && gc_jpeg_decode(res.jpeg.data,
	    res.jpeg.len, 0, framed, NULL, NULL) == GC_OK) {
		*plan = res.plan;
		ok    = true;
	}
	gc_pipeline_result_release(&res);
	return ok;
}

struct tally {
	int    n, sep;
	double iou_sum, iou_min, left_sum, lost_sum, ms_sum, ms_max;
	double cpu_sum, cpu_max;
	int    bg_fail, bg_fixed;
};

static void
synth_one(gc_pipeline *pl, gc_facedet *fd, const struct gc_profile *p,
    const struct gc_synth_src *src, const struct gc_synth_variant *v,
    bool hair, struct tally *t)
{
	struct gc_image      im, mk, framed, truth, after;
	struct gc_frame_plan plan;
	struct gc_face       f;
	struct gc_bg_report  rep;
	struct gc_buf        jb;
	uint8_t             *m = gc_xalloc((size_t)1200 * 1600);
	uint8_t             *mask = gc_xalloc(FW * FH);
	size_t               inter = 0, uni = 0, bgn = 0, left = 0, pn = 0,
	                     lost = 0;
	char                 name[160], before[3], aft[3] = "--";
	bool                 pass0, pass1 = false;
	int                  nf;
	double               j, cpu;

	snprintf(name, sizeof(name), "%s-%s%s", src->name, v->name,
	    hair ? "-hair" : "");
	gc_buf_init(&jb);
	memset(&framed, 0, sizeof(framed));
	memset(&truth, 0, sizeof(truth));
	memset(&after, 0, sizeof(after));
	if (gc_synth_render_mask(src, v, 1200, 1600, hair, &im, m) != GC_OK ||
	    gc_image_alloc(&mk, 1200, 1600, 1) != GC_OK) {
		printf("  %-34s cannot render\n", name);
		goto out;
	}
	for (int y = 0; y < 1600; y++) {
		for (int x = 0; x < 1200; x++) {
			mk.px[(size_t)y * mk.stride + x] = m[(size_t)y * 1200 + x] ?
			    255 : 0;
		}
	}
	if (gc_jpeg_encode(&im, 92, 72, &jb) != GC_OK ||
	    !frame(pl, &jb, &framed, &plan) || !face_on(fd, &framed, &f, &nf) ||
	    gc_image_alloc(&truth, FW, FH, 1) != GC_OK ||
	    gc_image_resample(&truth, &mk, plan.x, plan.y, fmin(plan.w,
	    1200 - plan.x), fmin(plan.h, 1600 - plan.y)) != GC_OK) {
		printf("  %-34s not framed\n", name);
		gc_image_release(&im);
		gc_image_release(&mk);
		goto out;
	}
	gc_image_release(&im);
	gc_image_release(&mk);
	cpu = cpu_ms();
	if (gc_background_segment(&framed, &f, mask, &rep) != GC_OK) {
		printf("  %-34s no cut: %s\n", name, rep.why_en);
		goto out;
	}
	cpu = cpu_ms() - cpu;
	for (int y = 0; y < FH; y++) {
		for (int x = 0; x < FW; x++) {
			bool tp = truth.px[(size_t)y * truth.stride + x] >= 128;
			bool mp = mask[(size_t)y * FW + x] != 0;

			inter += tp && mp;
			uni += tp || mp;
			bgn += !tp;
			left += !tp && mp;
			pn += tp;
			lost += tp && !mp;
		}
	}
	j = uni > 0 ? (double)inter / uni : 0;
	bg_checks(p, &framed, &f, before, &pass0);
	if (rep.separated && gc_background_paint(&framed, mask, p->bg[0],
	    &after) == GC_OK) {
		bg_checks(p, &after, &f, aft, &pass1);
	}
	printf("  %-34s IoU %.3f  bg left %5.2f%%  lost %5.2f%%  %-3s conf "
	    "%.2f  bg %s -> %s  %4.0f ms (cpu %3.0f)%s%s\n", name, j, 100.0 *
	    left / (bgn ? bgn : 1), 100.0 * lost / (pn ? pn : 1),
	    rep.separated ? "yes" : "no", rep.confidence, before, aft, rep.ms,
	    cpu, rep.separated ? "" : "  ", rep.separated ? "" : rep.why_en);
	t->n++;
	t->sep += rep.separated;
	t->iou_sum += j;
	t->iou_min = t->n == 1 ? j : fmin(t->iou_min, j);
	t->left_sum += (double)left / (bgn ? bgn : 1);
	t->lost_sum += (double)lost / (pn ? pn : 1);
	t->ms_sum += rep.ms;
	t->ms_max = fmax(t->ms_max, rep.ms);
	t->cpu_sum += cpu;
	t->cpu_max = fmax(t->cpu_max, cpu);
	if (!pass0) {
		t->bg_fail++;
		t->bg_fixed += pass1;
	}
	dump(name, "before", &framed);
	dump(name, "after", &after);
	dump_mask(name, &framed, mask);
out:
	gc_image_release(&framed);
	gc_image_release(&truth);
	gc_image_release(&after);
	gc_buf_release(&jb);
	gc_free(m);
	gc_free(mask);
}

static void
tally_print(const char *what, const struct tally *t)
{
	if (t->n == 0) {
		printf("%s: none\n", what);
		return;
	}
	printf("%s: %d photos, IoU mean %.3f min %.3f, background left "
	    "%.2f%%, person lost %.2f%%, separated %d/%d, failing "
	    "backgrounds fixed %d/%d; per photo %.0f ms mean, %.0f ms max "
	    "(CPU %.0f ms mean, %.0f max)\n", what, t->n, t->iou_sum / t->n,
	    t->iou_min, 100 * t->left_sum / t->n, 100 * t->lost_sum / t->n,
	    t->sep, t->n, t->bg_fixed, t->bg_fail, t->ms_sum / t->n,
	    t->ms_max, t->cpu_sum / t->n, t->cpu_max);
}

static void
run_synth(gc_pipeline *pl, gc_facedet *fd, const struct gc_profile *p,
    const char *srcdir)
{
	static const char *const names[] = { "grace_hopper", "astronaut",
		"sh0r" };
	struct tally             t[2];

	memset(t, 0, sizeof(t));
	printf("(a) synthetic portraits (tests/synth from %s), 1200x1600, "
	    "framed to 480x640\n", srcdir);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct gc_synth_src src;
		char                path[4200];

		snprintf(path, sizeof(path), "%.4000s/%s.jpg", srcdir, names[i]);
		if (gc_synth_src_load(&src, fd, path, names[i], "") != GC_OK) {
			printf("  %s: no source photo\n", path);
			continue;
		}
		for (int hair = 1; hair >= 0; hair--) {
			for (size_t k = 0; k < sizeof(synth_variants) /
			     sizeof(synth_variants[0]); k++) {
				for (int v = 0; v < gc_synth_nvariants; v++) {
					if (strcmp(gc_synth_variants[v].name,
					    synth_variants[k]) == 0) {
						synth_one(pl, fd, p, &src,
						    &gc_synth_variants[v], hair,
						    &t[hair]);
					}
				}
			}
		}
		gc_synth_src_release(&src);
	}
	tally_print("synthetic with hair", &t[1]);
	tally_print("synthetic as tests/synth draws them (no hair)", &t[0]);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
real_one(gc_pipeline *pl, gc_facedet *fd, const struct gc_profile *p,
    const char *dir, const char *file, int *n, int *sep, int *fixed,
    int *failing, double *ms)
{
	struct gc_image      framed, whole, after;
	struct gc_frame_plan plan;
	struct gc_face       f;
	struct gc_bg_report  rep;
	struct gc_buf        jb;
	char                 path[4200], before[3], aft[3] = "--";
	const char          *how = "framed";
	uint8_t             *mask = NULL;
	bool                 pass0, pass1 = false;
	int                  nf;

	memset(&after, 0, sizeof(after));
	memset(&framed, 0, sizeof(framed));
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	gc_buf_init(&jb);
	jb.data = slurp(path, &jb.len);
	if (jb.data == NULL) {
		return;
	}
	if (!frame(pl, &jb, &framed, &plan)) {
		/* no valid crop: the whole photo at 480 wide */
		how = "whole";
		if (gc_jpeg_decode(jb.data, jb.len, 0, &whole, NULL, NULL) !=
		    GC_OK) {
			printf("  %-32s not a JPEG\n", file);
			goto out;
		}
		if (gc_image_alloc(&framed, FW, (int)lround((double)whole.h *
		    FW / whole.w), 3) != GC_OK || gc_image_resample(&framed,
		    &whole, 0, 0, whole.w, whole.h) != GC_OK) {
			gc_image_release(&whole);
			goto out;
		}
		gc_image_release(&whole);
	}
	if (!face_on(fd, &framed, &f, &nf)) {
		printf("  %-32s %-6s %d faces: not tried\n", file, how, nf);
		goto out;
	}
	mask = gc_xalloc((size_t)framed.w * framed.h);
	if (gc_background_segment(&framed, &f, mask, &rep) != GC_OK) {
		printf("  %-32s %-6s no cut: %s\n", file, how, rep.why_en);
		goto out;
	}
	bg_checks(p, &framed, &f, before, &pass0);
	if (rep.separated && gc_background_paint(&framed, mask, p->bg[0],
	    &after) == GC_OK) {
		bg_checks(p, &after, &f, aft, &pass1);
	}
	printf("  %-30s %-6s %-3s conf %.2f (edge %.2f, overlap %.2f, foreign "
	    "%.2f, head %.2f, shoulders %.2f)  bg %s -> %s  %3.0f ms  %s\n",
	    file, how, rep.separated ? "yes" : "no", rep.confidence,
	    rep.contrast, rep.overlap, rep.foreign, rep.head_room,
	    rep.shoulders, before, aft, rep.ms, rep.separated ? "" :
	    rep.why_en);
	(*n)++;
	*sep += rep.separated;
	*ms += rep.ms;
	if (!pass0) {
		(*failing)++;
		*fixed += pass1;
	}
	{
		char stem[200];

		snprintf(stem, sizeof(stem), "%s", file);
		if (strrchr(stem, '.') != NULL) {
			*strrchr(stem, '.') = '\0';
		}
		dump(stem, "before", &framed);
		dump(stem, "after", &after);
		dump_mask(stem, &framed, mask);
	}
out:
	gc_free(mask);
	gc_image_release(&framed);
	gc_image_release(&after);
	gc_free(jb.data);
}

static void
run_real(gc_pipeline *pl, gc_facedet *fd, const struct gc_profile *p,
    const char *dir)
{
	DIR           *d = opendir(dir);
	struct dirent *e;
	char         **files = NULL;
	int            nfiles = 0, n = 0, sep = 0, fixed = 0, failing = 0;
	double         ms = 0;

	if (d == NULL) {
		fprintf(stderr, "%s: cannot open\n", dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		const char *dot = strrchr(e->d_name, '.');

		if (dot != NULL && (strcasecmp(dot, ".jpg") == 0 ||
		    strcasecmp(dot, ".jpeg") == 0)) {
			files = gc_xrealloc(files, sizeof(*files) * (nfiles + 1));
			files[nfiles++] = gc_xstrdup(e->d_name);
		}
	}
	closedir(d);
	qsort(files, nfiles, sizeof(*files), by_name);
	printf("(b) real photos in %s (%d JPEG files): framed, or whole at "
	    "480 wide when no crop exists; bg: background.colour and "
	    "uniformity (Pass/Warn/Fail) before -> after\n", dir, nfiles);
	for (int i = 0; i < nfiles; i++) {
		real_one(pl, fd, p, dir, files[i], &n, &sep, &fixed, &failing,
		    &ms);
		gc_free(files[i]);
	}
	gc_free(files);
	printf("real: %d with one face, separated %d/%d, failing backgrounds "
	    "fixed %d/%d, %.0f ms mean\n", n, sep, n, fixed, failing,
	    n ? ms / n : 0);
}

int
main(int argc, char **argv)
{
	const char       *srcdir = getenv("GC_TESTDATA_DIR"), *real = NULL;
	char              home_cache[4200];
	struct gc_profile p;
	gc_pipeline      *pl;
	gc_facedet       *fd;
	struct gc_diag    d;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--synth") == 0 && i + 1 < argc) {
			srcdir = argv[++i];
		} else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc) {
			dump_dir = argv[++i];
		} else if (argv[i][0] != '-') {
			real = argv[i];
		} else {
			fprintf(stderr, "usage: background [--synth SRCDIR] "
			    "[--dump DIR] [PORTRAITS]\n");
			return 2;
		}
	}
	if (srcdir == NULL) {
		snprintf(home_cache, sizeof(home_cache),
		    "%s/.cache/gradcap-testdata", getenv("HOME") ?
		    getenv("HOME") : ".");
		srcdir = home_cache;
	}
	gc_profile_default(&p);
	gc_diag_clear(&d);
	if (gc_pipeline_open(&pl, &p, &d) != GC_OK ||
	    gc_facedet_open(&fd, NULL, &d) != GC_OK) {
		fprintf(stderr, "%s\n", gc_diag_msg(&d, GC_ENOTFOUND));
		return 1;
	}
	run_synth(pl, fd, &p, srcdir);
	if (real != NULL) {
		run_real(pl, fd, &p, real);
	}
	gc_facedet_close(fd);
	gc_pipeline_close(pl);
	return 0;
}
