#include "capture/pipeline.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "capture/jpeg.h"
#include "common/gc_alloc.h"

/* Detection runs on a grey copy whose shorter side is about this long:
 * HOG's cost grows with the pixels, and the face of a framed portrait
 * (≥ a quarter of the shorter side) stays above the detector's reliable
 * ~80 px box. A shot where it is smaller is tried again at twice the
 * size before it is called faceless. */
#define DETECT_SHORT_SIDE 360
/* One decode serves both the analysis and the crop: its shorter side is
 * at least this (DCT-scaled), enough to crop 480 × 640 without upscaling
 * whenever the face is at least 480 px wide in this decode. Decoding the
 * entropy-coded data costs the same at any scale, so a second decode
 * would cost nearly as much as the first. */
#define ANALYSIS_MIN_SIDE 1200

struct gc_pipeline {
	struct gc_profile p;
	gc_facedet       *fd;
	int               last_quality; /* the last output's, a hint */
	struct gc_pipeline_opts opts;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

gc_err
gc_pipeline_open(gc_pipeline **out, const struct gc_profile *p,
    struct gc_diag *d)
{
	gc_pipeline *pl = gc_xzalloc(sizeof(*pl));
	gc_err       rv;

	*out  = NULL;
	pl->p = *p;
	rv    = gc_facedet_open(&pl->fd, NULL, d);
	if (rv != GC_OK) {
		gc_free(pl);
		return rv;
	}
	*out = pl;
	return GC_OK;
}

void
gc_pipeline_close(gc_pipeline *pl)
{
	if (pl != NULL) {
		gc_facedet_close(pl->fd);
		gc_free(pl);
	}
}

void
gc_pipeline_set_opts(gc_pipeline *pl, const struct gc_pipeline_opts *o)
{
	pl->opts = *o;
}

void
gc_pipeline_result_init(struct gc_pipeline_result *r)
{
	memset(r, 0, sizeof(*r));
	gc_report_init(&r->report);
	gc_buf_init(&r->jpeg);
	gc_buf_init(&r->jpeg_before);
}

void
gc_pipeline_result_release(struct gc_pipeline_result *r)
{
	gc_buf_release(&r->jpeg);
	gc_buf_release(&r->jpeg_before);
}

/* Scales a face's box and landmarks by k and moves them by (dx, dy):
 * out = in * k + d. */
static void
face_map(struct gc_face *f, double k, double dx, double dy)
{
	f->x = (float)(f->x * k + dx);
	f->y = (float)(f->y * k + dy);
	f->w = (float)(f->w * k);
	f->h = (float)(f->h * k);
	for (int i = 0; i < 68; i++) {
		f->lm[i].x = (float)(f->lm[i].x * k + dx);
		f->lm[i].y = (float)(f->lm[i].y * k + dy);
	}
}

/* Finds faces in the columns [rx, rx + rw) of grey (full height): boxes
 * from a copy whose shorter side is short_side, landmarks fitted on grey
 * itself. Faces come back in grey's coordinates. */
static gc_err
detect_at(gc_pipeline *pl, const struct gc_image *grey, double rx, double rw,
    int short_side, struct gc_face *faces, int max, int *n)
{
	struct gc_image small;
	double          k = (double)short_side / (rw < grey->h ? rw : grey->h);
	gc_err          rv;

	*n = 0;
	/* a small image is scanned whole: it is cheap, and a second, smaller
	 * face in it would otherwise be lost */
	if (k > 1.0 || (rw < grey->h ? rw : grey->h) < 2 * DETECT_SHORT_SIDE) {
		k = 1.0;
	}
	rv = gc_image_alloc(&small, (int)(rw * k + 0.5), (int)(grey->h * k +
	    0.5), 1);
	if (rv == GC_OK) {
		rv = gc_image_resample(&small, grey, rx, 0, rw, grey->h);
	}
	if (rv == GC_OK) {
		rv = gc_facedet_detect(pl->fd, &small, pl->p.face_min_score,
		    faces, max, n);
	}
	for (int i = 0; rv == GC_OK && i < *n && i < max; i++) {
		double kx = rw / small.w, ky = (double)grey->h / small.h;

		faces[i].x = (float)(faces[i].x * kx + rx);
		faces[i].y = (float)(faces[i].y * ky);
		faces[i].w = (float)(faces[i].w * kx);
		faces[i].h = (float)(faces[i].h * ky);
		rv         = gc_facedet_fit(pl->fd, grey, &faces[i]);
	}
	gc_image_release(&small);
	return rv;
}

/*
 * Finds faces on rgb: the whole frame, and when that finds nothing, at two
 * and four times the size, so a student standing too far away is found
 * (and told to come closer) rather than reported as no face.
 */
static gc_err
detect(gc_pipeline *pl, const struct gc_image *rgb, struct gc_face *faces,
    int max, int *n)
{
	struct gc_image grey;
	gc_err          rv = gc_image_grey(&grey, rgb);

	*n = 0;
	if (rv != GC_OK) {
		return rv;
	}
	/* the whole frame: every face in the shot counts (a second person
	 * beside the student is how photos get bound to the wrong one), so
	 * no shortcut through the central column */
	rv = detect_at(pl, &grey, 0, grey.w, DETECT_SHORT_SIDE, faces, max, n);
	/* nothing yet: larger copies, up to the decode's own size (slow,
	 * but only a shot that is about to be refused pays for it) */
	for (int m = 2; rv == GC_OK && *n == 0 && m <= 4; m *= 2) {
		if (rgb->w <= DETECT_SHORT_SIDE * m / 2 ||
		    rgb->h <= DETECT_SHORT_SIDE * m / 2) {
			break;
		}
		rv = detect_at(pl, &grey, 0, grey.w, DETECT_SHORT_SIDE * m, faces,
		    max, n);
	}
	gc_image_release(&grey);
	return rv;
}

/* The subject on an image: best face, measures, hair top. */
static void
subject(const struct gc_image *rgb, const struct gc_face *faces, int n,
    struct gc_subject *s)
{
	memset(s, 0, sizeof(*s));
	s->nfaces = n;
	if (n > 0) {
		s->face  = faces[0];
		s->score = faces[0].score;
		gc_face_measure(&s->face, &s->m);
		s->hair_found = gc_face_hair_top(rgb, &s->face, &s->m);
	}
}

static void
fail_file(struct gc_report *r, const char *zh, const char *en)
{
	struct gc_check *c = gc_report_add(r, "file.format", GC_VERDICT_FAIL,
	    NAN);

	snprintf(c->value, sizeof(c->value), "unreadable");
	snprintf(c->limit, sizeof(c->limit), "a readable JPEG");
	snprintf(c->msg_zh, sizeof(c->msg_zh), "%.180s", zh);
	snprintf(c->msg_en, sizeof(c->msg_en), "%.250s", en);
}

/* Judges rgb (the frame as uploaded) with the faces found on it. */
static gc_err
judge_frame(gc_pipeline *pl, const struct gc_image *rgb,
    struct gc_pipeline_result *res)
{
	struct gc_face    faces[4];
	struct gc_subject s;
	int               n;
	double            t0 = now_ms();
	gc_err            rv = detect(pl, rgb, faces, 4, &n);

	res->t.detect += now_ms() - t0;
	if (rv != GC_OK) {
		return rv;
	}
	t0 = now_ms();
	subject(rgb, faces, n < 4 ? n : 4, &s);
	s.nfaces = n;
	gc_checks_face(&res->report, &pl->p, rgb, &s);
	res->t.checks += now_ms() - t0;
	return GC_OK;
}

/* Decodes bytes as gc_jpeg_decode does (min_side), timing it in
 * res->t.decode: GC_ENOMEM, else GC_OK with *ok false and a file.format
 * failure in the report when the data does not decode. */
static gc_err
decode_or_fail(const uint8_t *bytes, size_t n, int min_side,
    struct gc_image *img, struct gc_pipeline_result *res, bool *ok)
{
	struct gc_diag d;
	double         t0 = now_ms();
	gc_err         rv;

	gc_diag_clear(&d);
	rv = gc_jpeg_decode(bytes, n, min_side, img, NULL, &d);
	res->t.decode += now_ms() - t0;
	*ok = rv == GC_OK;
	if (rv == GC_ENOMEM) {
		return rv;
	}
	if (rv != GC_OK) {
		fail_file(&res->report, "图像数据损坏，无法解码", d.msg);
	}
	return GC_OK;
}

static gc_err
run_judge(gc_pipeline *pl, const uint8_t *bytes, size_t n,
    struct gc_pipeline_result *res)
{
	struct gc_image img, frame;
	gc_err          rv;
	bool            ok;
	int             fw, fh;

	rv = decode_or_fail(bytes, n, 0, &img, res, &ok);
	if (rv != GC_OK || !ok) {
		return rv;
	}
	/* geometry is judged in a frame of the output width */
	fw = pl->p.out_w;
	fh = (int)lround((double)img.h * fw / img.w);
	if (img.w == fw) {
		frame = img;
		img.px = NULL;
	} else {
		rv = gc_image_alloc(&frame, fw, fh < 1 ? 1 : fh, 3);
		if (rv == GC_OK) {
			rv = gc_image_resample(&frame, &img, 0, 0, img.w, img.h);
		}
		gc_image_release(&img);
		if (rv != GC_OK) {
			gc_image_release(&frame);
			return rv == GC_ETOOBIG ? GC_OK : rv;
		}
	}
	rv = judge_frame(pl, &frame, res);
	gc_image_release(&frame);
	gc_image_release(&img);
	return rv;
}

/* Whether the background checks of a report fail. */
static bool
background_fails(const struct gc_report *r)
{
	const struct gc_check *c = gc_report_get(r, "background.colour");
	const struct gc_check *u = gc_report_get(r, "background.uniformity");

	return (c != NULL && c->verdict == GC_VERDICT_FAIL) ||
	    (u != NULL && u->verdict == GC_VERDICT_FAIL);
}

/*
 * When the background of *out fails and the person is cleanly separated:
 * encodes *out as it was into res->jpeg_before and replaces *out with the
 * photo whose background is the profile's first colour. s: the subject
 * on *out (its hair top is measured again on the new background).
 */
static gc_err
replace_background(gc_pipeline *pl, struct gc_image *out, struct gc_subject *s,
    struct gc_pipeline_result *res)
{
	const struct gc_profile *p = &pl->p;
	struct gc_report        *r = gc_alloc(sizeof(*r));
	struct gc_image          rep;
	bool                     fails, in_window;
	int                      q;
	gc_err                   rv;

	if (r == NULL) {
		return GC_ENOMEM;
	}
	gc_report_init(r);
	gc_checks_content(r, p, out, s);
	fails = background_fails(r);
	gc_free(r);
	if (!fails || p->nbg < 1) {
		return GC_OK;
	}
	res->bg_tried = true;
	rv = gc_background_replace(out, &s->face, p->bg[0], &rep, NULL,
	    &res->bg);
	if (rv == GC_EINVAL) {
		return GC_OK; /* the face cannot seed a cut: res->bg says why */
	}
	if (rv != GC_OK || !res->bg.separated) {
		return rv;
	}
	rv = gc_jpeg_encode_fit_hint(out, p->dpi, p->min_quality, p->size_min,
	    p->size_max, pl->last_quality, &res->jpeg_before, &q, &in_window);
	if (rv != GC_OK && rv != GC_ETOOBIG) {
		gc_image_release(&rep);
		return rv;
	}
	gc_image_release(out);
	*out = rep;
	res->background_replaced = true;
	s->hair_found = gc_face_hair_top(out, &s->face, &s->m);
	return GC_OK;
}

/* The check row a replaced background adds (and the CAPTURE records). */
static void
replaced_check(struct gc_report *r, const struct gc_profile *p,
    const struct gc_bg_report *bg)
{
	struct gc_check *c = gc_report_add(r, "background.replaced",
	    GC_VERDICT_PASS, bg->confidence);

	snprintf(c->value, sizeof(c->value), "confidence %.2f",
	    bg->confidence);
	snprintf(c->limit, sizeof(c->limit), "clean separation");
	snprintf(c->msg_zh, sizeof(c->msg_zh), "背景已替换为 #%02X%02X%02X"
	    "（人像像素未改动，原照片已保留）", p->bg[0].r, p->bg[0].g,
	    p->bg[0].b);
	snprintf(c->msg_en, sizeof(c->msg_en), "the background was replaced "
	    "with #%02X%02X%02X (the person's pixels are unaltered; the "
	    "original is kept)", p->bg[0].r, p->bg[0].g, p->bg[0].b);
}

/* A shot the framing could not crop: what it shows that does not depend
 * on the frame, and the one geometry check the framing could not meet,
 * with the plan's guidance (rgb and s: the analysis image and the subject
 * on it; sw × sh: the shot's size). */
static void
report_unframed(struct gc_pipeline_result *res, const struct gc_profile *p,
    const struct gc_image *rgb, const struct gc_subject *s, int sw, int sh)
{
	struct gc_check *c;
	const char      *id;

	gc_checks_face_count(&res->report, s);
	gc_checks_content(&res->report, p, rgb, s);
	switch (res->plan.fix) {
	case GC_FIX_CLOSER:
	case GC_FIX_BACK:
		id = "face.width";
		break;
	case GC_FIX_MOVE_LEFT:
	case GC_FIX_MOVE_RIGHT:
		id = "face.centre";
		break;
	case GC_FIX_CAM_LOWER:
		id = "face.eyeline";
		break;
	default:
		id = "face.hairtop";
		break;
	}
	c = gc_report_add(&res->report, id, GC_VERDICT_FAIL, NAN);
	snprintf(c->value, sizeof(c->value), "no valid crop of %d × %d", sw,
	    sh);
	snprintf(c->limit, sizeof(c->limit), "a %d × %d crop without "
	    "upscaling", p->out_w, p->out_h);
	snprintf(c->msg_zh, sizeof(c->msg_zh), "%s", res->plan.guide_zh);
	snprintf(c->msg_en, sizeof(c->msg_en), "%s", res->plan.guide_en);
	snprintf(res->report.guide_zh, sizeof(res->report.guide_zh), "%s",
	    res->plan.guide_zh);
	snprintf(res->report.guide_en, sizeof(res->report.guide_en), "%s",
	    res->plan.guide_en);
}

/* No single face on the shot: face.count and what to do. */
static void
report_faceless(struct gc_pipeline_result *res, const struct gc_subject *s)
{
	gc_checks_face_count(&res->report, s);
	snprintf(res->report.guide_zh, sizeof(res->report.guide_zh),
	    s->nfaces == 0 ? "没有找到人脸：请学生正对相机" :
	    "画面中有多人：只拍毕业生本人");
	snprintf(res->report.guide_en, sizeof(res->report.guide_en),
	    s->nfaces == 0 ? "no face found: the student should face the "
	    "camera" : "more than one person in the picture: only the "
	    "graduate");
}

/* The face box into res (has_face) and the measures that frame it into m,
 * scaled by u from the analysed image to the source's pixels. */
static void
in_source(const struct gc_subject *s, float u, struct gc_pipeline_result *res,
    struct gc_face_measures *m)
{
	res->has_face = true;
	res->face_x   = s->face.x * u;
	res->face_y   = s->face.y * u;
	res->face_w   = s->face.w * u;
	res->face_h   = s->face.h * u;
	*m            = s->m;
	m->face_width *= u;
	m->face_centre.x *= u;
	m->face_centre.y *= u;
	m->eye_mid.x *= u;
	m->eye_mid.y *= u;
	m->brow_y *= u;
	m->hair_top *= u;
}

static gc_err
run_normalize(gc_pipeline *pl, const uint8_t *bytes, size_t n,
    const struct gc_jpeg_info *info, struct gc_pipeline_result *res)
{
	const struct gc_profile *p = &pl->p;
	struct gc_image          ana, full, out;
	struct gc_face           faces[4];
	struct gc_subject        s;
	struct gc_jpeg_info      oi;
	double                   t0, sa, sf;
	bool                     in_window, ok;
	int                      nf, sw, sh;
	gc_err                   rv;

	memset(&full, 0, sizeof(full));
	memset(&out, 0, sizeof(out));
	res->t.decode = 0;
	rv = decode_or_fail(bytes, n, ANALYSIS_MIN_SIDE, &ana, res, &ok);
	if (rv != GC_OK || !ok) {
		return rv;
	}
	/* source size after EXIF orientation */
	sw = (info->orientation >= 5) ? info->height : info->width;
	sh = (info->orientation >= 5) ? info->width : info->height;
	res->src_w = sw;
	res->src_h = sh;
	sa         = (double)ana.w / sw; /* analysis px per source px */
	t0         = now_ms();
	rv         = detect(pl, &ana, faces, 4, &nf);
	res->t.detect = now_ms() - t0;
	if (rv != GC_OK) {
		gc_image_release(&ana);
		return rv;
	}
	t0 = now_ms();
	subject(&ana, faces, nf < 4 ? nf : 4, &s);
	s.nfaces = nf;
	if (nf != 1) {
		/* geometry on the shot means nothing yet: face.count only */
		s.nfaces = nf;
		report_faceless(res, &s);
		gc_image_release(&ana);
		return GC_OK;
	}
	/* the face (the preview shows it) and the measures for the framing,
	 * in source pixels */
	{
		struct gc_face_measures m;

		in_source(&s, (float)(1.0 / sa), res, &m);
		gc_frame_plan(p, sw, sh, &m, s.hair_found, &res->plan);
	}
	res->t.frame = now_ms() - t0;
	if (!res->plan.ok) {
		report_unframed(res, p, &ana, &s, sw, sh);
		gc_image_release(&ana);
		return GC_OK;
	}
	/* the crop from the smallest decode that still has enough pixels */
	t0 = now_ms();
	if (sa >= res->plan.k) {
		full = ana;
		ana.px = NULL;
		sf     = sa;
	} else {
		int need = (int)ceil((sw < sh ? sw : sh) * res->plan.k) + 1;

		rv = decode_or_fail(bytes, n, need, &full, res, &ok);
		if (rv != GC_OK || !ok) {
			gc_image_release(&ana);
			return rv;
		}
		sf = (double)full.w / sw;
	}
	gc_image_release(&ana);
	t0 = now_ms();
	rv = gc_image_alloc(&out, p->out_w, p->out_h, 3);
	if (rv == GC_OK) {
		double x = res->plan.x * sf, y = res->plan.y * sf;
		double w = fmin(res->plan.w * sf, full.w - x);
		double h = fmin(res->plan.h * sf, full.h - y);

		rv = gc_image_resample(&out, &full, x, y, w, h);
	}
	gc_image_release(&full);
	res->t.resample = now_ms() - t0;
	if (rv != GC_OK) {
		gc_image_release(&out);
		return rv;
	}
	/* the face on the output frame: it moves with the crop */
	face_map(&s.face, res->plan.k / sa, -res->plan.x * res->plan.k,
	    -res->plan.y * res->plan.k);
	gc_face_measure(&s.face, &s.m);
	s.hair_found = gc_face_hair_top(&out, &s.face, &s.m);
	/* exactly one face was found in the whole shot (else the capture
	 * stopped above), so the crop holds one */
	s.nfaces = 1;
	if (pl->opts.replace_background) {
		t0 = now_ms();
		rv = replace_background(pl, &out, &s, res);
		res->t.background = now_ms() - t0;
		if (rv != GC_OK) {
			gc_image_release(&out);
			return rv;
		}
	}
	t0 = now_ms();
	rv = gc_jpeg_encode_fit_hint(&out, p->dpi, p->min_quality,
	    p->size_min, p->size_max, pl->last_quality, &res->jpeg,
	    &res->quality, &in_window);
	if (rv == GC_OK) {
		pl->last_quality = res->quality; /* the next shot is similar */
	}
	res->t.encode += now_ms() - t0;
	if (rv != GC_OK && rv != GC_ETOOBIG) {
		gc_image_release(&out);
		return rv;
	}
	/* judge the output file and frame */
	t0 = now_ms();
	if (gc_jpeg_probe(res->jpeg.data, res->jpeg.len, &oi, NULL) == GC_OK) {
		gc_checks_file(&res->report, p, GC_FMT_JPEG, &oi, res->jpeg.len,
		    true);
	}
	gc_checks_face(&res->report, p, &out, &s);
	if (res->background_replaced) {
		replaced_check(&res->report, p, &res->bg);
	}
	res->t.checks += now_ms() - t0;
	gc_image_release(&out);
	return GC_OK;
}

gc_err
gc_pipeline_run(gc_pipeline *pl, const uint8_t *bytes, size_t n,
    enum gc_pipeline_mode mode, struct gc_pipeline_result *res)
{
	struct gc_jpeg_info info;
	struct gc_diag      d;
	enum gc_fmt         fmt = gc_fmt_sniff(bytes, n);
	double              t0  = now_ms();
	gc_err              rv;

	gc_diag_clear(&d);
	if (fmt != GC_FMT_JPEG) {
		gc_checks_file(&res->report, &pl->p, fmt, NULL, n, true);
		res->t.total = now_ms() - t0;
		return GC_OK;
	}
	rv = gc_jpeg_probe(bytes, n, &info, &d);
	if (rv != GC_OK) {
		fail_file(&res->report, rv == GC_ETOOBIG ?
		    "图像尺寸声明过大，拒绝处理" : "JPEG 文件头损坏或被截断", d.msg);
		res->t.total = now_ms() - t0;
		return GC_OK;
	}
	if (mode == GC_PIPE_JUDGE) {
		gc_checks_file(&res->report, &pl->p, fmt, &info, n, true);
		rv = run_judge(pl, bytes, n, res);
	} else {
		rv = run_normalize(pl, bytes, n, &info, res);
		if (rv == GC_OK && gc_report_get(&res->report, "file.format") ==
		    NULL) {
			/* no output was made: say the input was readable (any
			 * JPEG will do: the output is re-encoded as RGB) */
			struct gc_check *c = gc_report_add(&res->report,
			    "file.format", GC_VERDICT_PASS, NAN);

			snprintf(c->value, sizeof(c->value), "JPEG %d × %d",
			    info.width, info.height);
			snprintf(c->limit, sizeof(c->limit), "a readable JPEG");
			snprintf(c->msg_zh, sizeof(c->msg_zh), "原始照片可读取");
			snprintf(c->msg_en, sizeof(c->msg_en), "the shot is a "
			    "readable JPEG");
		}
	}
	res->t.total = now_ms() - t0;
	return rv;
}

gc_err
gc_pipeline_guide(gc_pipeline *pl, const uint8_t *bytes, size_t n,
    double scale, struct gc_pipeline_result *res)
{
	const struct gc_profile *p = &pl->p;
	struct gc_image          ana;
	struct gc_face           faces[4];
	struct gc_subject        s;
	struct gc_face_measures  m;
	struct gc_jpeg_info      info;
	struct gc_diag           d;
	double                   t0 = now_ms();
	int                      nf, sw, sh;
	float                    u  = (float)scale;
	bool                     ok;
	gc_err                   rv;

	gc_diag_clear(&d);
	if (gc_fmt_sniff(bytes, n) != GC_FMT_JPEG) {
		gc_checks_file(&res->report, p, gc_fmt_sniff(bytes, n), NULL, n,
		    true);
		return GC_OK;
	}
	if (gc_jpeg_probe(bytes, n, &info, &d) != GC_OK) {
		fail_file(&res->report, "JPEG 文件头损坏或被截断", d.msg);
		return GC_OK;
	}
	rv = decode_or_fail(bytes, n, 0, &ana, res, &ok);
	if (rv != GC_OK || !ok) {
		return rv;
	}
	/* everything below is in the full-size shot's pixels */
	sw         = (int)lround(ana.w * scale);
	sh         = (int)lround(ana.h * scale);
	res->src_w = sw;
	res->src_h = sh;
	t0         = now_ms();
	rv         = detect(pl, &ana, faces, 4, &nf);
	res->t.detect = now_ms() - t0;
	if (rv != GC_OK) {
		gc_image_release(&ana);
		return rv;
	}
	subject(&ana, faces, nf < 4 ? nf : 4, &s);
	s.nfaces = nf;
	if (nf != 1) {
		report_faceless(res, &s);
		gc_image_release(&ana);
		return GC_OK;
	}
	t0 = now_ms();
	in_source(&s, u, res, &m);
	gc_frame_plan(p, sw, sh, &m, s.hair_found, &res->plan);
	if (!res->plan.ok) {
		report_unframed(res, p, &ana, &s, sw, sh);
	} else {
		gc_checks_face_count(&res->report, &s);
		gc_checks_content(&res->report, p, &ana, &s);
	}
	res->t.checks = now_ms() - t0;
	res->t.total  = res->t.decode + res->t.detect + res->t.checks;
	gc_image_release(&ana);
	return GC_OK;
}
