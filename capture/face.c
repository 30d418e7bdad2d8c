/* face: measures derived from the 68 landmarks (iBUG 300-W numbering), and
 * the top of the hair found by scanning up from the brows to background.
 * The detector itself is the dlib shim, face_dlib.cpp. */
#include "capture/face.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DEG (180.0 / M_PI)

/*
 * Pose from landmarks. Both angles are read in the face's own frame (the
 * eye line turned level), so roll does not leak into them. The zero of
 * each is dlib's own mean shape (the predictor's initial shape: the mean
 * of the iBUG 300-W training faces, mirror-symmetric), which reads 0° for
 * both; the gains come from rotating the 68-point 3-D mean face used for
 * PnP head pose (lincolnhard/head-pose-estimation's model.txt) and
 * projecting it orthographically.
 *
 * Yaw: r = (nose tip 30 − left side) / (right side − left side), the
 * sides being the means of jaw points 0–2 and 14–16. The nose tip stands
 * in front of the cheek contour, so 2r − 1 ≈ k·sin(yaw), k = 1.2 on the
 * 3-D face (1.17 at 10°, 1.23 at 20°): yaw = asin(clamp((2r − 1) / k)).
 * + : nose toward the image right (the subject turns to their left).
 *
 * Pitch: q = drop of the nose tip below the eye line / IED, the IED
 * divided by cos(yaw) to undo foreshortening. With the nose tip a depth d
 * in front of the eyes, q = a·cos(p) + b·sin(p): a = 0.564 (the drop / IED
 * of dlib's mean shape), b = 0.584 (d / IED of the 3-D face). Solved:
 * pitch = asin(q / √(a² + b²)) − atan2(a, b). The IED is the ruler rather
 * than eye-to-chin because the chin drops when the mouth opens (a smile
 * or a yawn would read as the head tilting back).
 * + : head bowed (nose tip moves down in the image).
 *
 * Faces differ from the mean (nose length, jaw width) and one dlib fit
 * scatters by a pixel or two: expect ±3° on yaw and pitch, pitch worse.
 */
#define YAW_GAIN    1.2
#define PITCH_A     0.564
#define PITCH_B     0.584

static double
clampd(double v, double lo, double hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

static double
dist(struct gc_point a, struct gc_point b)
{
	return hypot((double)a.x - b.x, (double)a.y - b.y);
}

static struct gc_point
mean_of(const struct gc_face *f, int first, int last)
{
	double sx = 0, sy = 0;
	int    n  = last - first + 1;

	for (int i = first; i <= last; i++) {
		sx += f->lm[i].x;
		sy += f->lm[i].y;
	}
	return (struct gc_point){.x = (float)(sx / n), .y = (float)(sy / n)};
}

/* Soukupová & Čech's eye aspect ratio for the eye at landmarks p..p+5:
 * (|p2 − p6| + |p3 − p5|) / (2 |p1 − p4|). */
static double
eye_aspect(const struct gc_face *f, int p)
{
	const struct gc_point *e = &f->lm[p];
	double                 w = dist(e[0], e[3]);

	if (w <= 0) {
		return 0;
	}
	return (dist(e[1], e[5]) + dist(e[2], e[4])) / (2 * w);
}

/* The face's frame: origin at the eye midpoint, x along the eye line
 * (towards the image right), y perpendicular to it (towards the chin). */
struct frame {
	double ox, oy, ux, uy;
};

static void
to_frame(const struct frame *fr, struct gc_point p, double *x, double *y)
{
	double dx = p.x - fr->ox, dy = p.y - fr->oy;

	*x = dx * fr->ux + dy * fr->uy;
	*y = -dx * fr->uy + dy * fr->ux;
}

void
gc_face_measure(const struct gc_face *f, struct gc_face_measures *m)
{
	struct frame fr;
	double       xl, xr, x30, y30, x1, x15, unused, r, s, yaw, q, ied;
	double       gap, mw;

	memset(m, 0, sizeof(*m));
	m->eye_r   = mean_of(f, 36, 41); /* subject's right: image left */
	m->eye_l   = mean_of(f, 42, 47);
	m->eye_mid = (struct gc_point){
		.x = (m->eye_l.x + m->eye_r.x) / 2,
		.y = (m->eye_l.y + m->eye_r.y) / 2,
	};
	m->ied      = (float)dist(m->eye_l, m->eye_r);
	m->roll_deg = (float)(atan2((double)m->eye_l.y - m->eye_r.y,
	    (double)m->eye_l.x - m->eye_r.x) * DEG);

	fr.ox = m->eye_mid.x;
	fr.oy = m->eye_mid.y;
	fr.ux = 1;
	fr.uy = 0;
	if (m->ied > 0) {
		fr.ux = ((double)m->eye_l.x - m->eye_r.x) / m->ied;
		fr.uy = ((double)m->eye_l.y - m->eye_r.y) / m->ied;
	}

	/* Yaw: the nose tip between the jaw sides (means of 0–2, 14–16). */
	to_frame(&fr, mean_of(f, 0, 2), &xl, &unused);
	to_frame(&fr, mean_of(f, 14, 16), &xr, &unused);
	to_frame(&fr, f->lm[30], &x30, &y30);
	yaw = 0;
	if (xr - xl > 0) {
		r   = (x30 - xl) / (xr - xl);
		s   = clampd((2 * r - 1) / YAW_GAIN, -1, 1);
		yaw = asin(s);
	}
	m->yaw_deg = (float)(yaw * DEG);

	/* Pitch: the nose tip's drop below the eye line over the IED. */
	ied = m->ied / cos(yaw);
	if (ied > 0) {
		const double R = hypot(PITCH_A, PITCH_B);

		q            = y30 / ied;
		m->pitch_deg = (float)((asin(clampd(q / R, -1, 1)) -
		    atan2(PITCH_A, PITCH_B)) * DEG);
	}

	m->eye_open = (float)((eye_aspect(f, 36) + eye_aspect(f, 42)) / 2);

	gap = (dist(f->lm[61], f->lm[67]) + dist(f->lm[62], f->lm[66]) +
	    dist(f->lm[63], f->lm[65])) / 3;
	mw  = dist(f->lm[48], f->lm[54]);
	m->mouth_open = mw > 0 ? (float)(gap / mw) : 0;

	/* Cheek to cheek at cheekbone height: jaw points 1 and 15. */
	m->face_width = (float)dist(f->lm[1], f->lm[15]);
	to_frame(&fr, f->lm[1], &x1, &unused);
	to_frame(&fr, f->lm[15], &x15, &unused);
	m->face_centre = (struct gc_point){
		.x = (float)(fr.ox + (x1 + x15) / 2 * fr.ux),
		.y = (float)(fr.oy + (x1 + x15) / 2 * fr.uy),
	};

	m->chin   = f->lm[8];
	m->brow_y = f->lm[17].y;
	for (int i = 18; i <= 26; i++) {
		if (f->lm[i].y < m->brow_y) {
			m->brow_y = f->lm[i].y;
		}
	}
	m->hair_top = -1;
}

/* ---- hair top ---------------------------------------------------------- */

#define HAIR_MAX_COLS 160  /* columns scanned across the brows */
#define HAIR_MIN_BG   48   /* background samples needed */
#define HAIR_PCTL     0.10 /* the percentile of column tops taken */

/* Squared colour distance on an RGB scale (grey counts thrice). */
static int
px_dist2(const struct gc_image *im, int x, int y, const int bg[3])
{
	const uint8_t *p = im->px + (size_t)y * im->stride +
	    (size_t)x * (size_t)im->ch;
	int            d, s = 0;

	if (im->ch == 1) {
		d = p[0] - bg[0];
		return 3 * d * d;
	}
	for (int c = 0; c < 3; c++) {
		d = p[c] - bg[c];
		s += d * d;
	}
	return s;
}

/* The value below which a fraction `frac` of a histogram's n counts lie. */
static int
hist_pctl(const uint32_t *h, int bins, uint32_t n, double frac)
{
	uint64_t want = (uint64_t)(frac * (double)n);
	uint64_t acc  = 0;

	for (int i = 0; i < bins; i++) {
		acc += h[i];
		if (acc > want) {
			return i;
		}
	}
	return bins - 1;
}

/* Whether pixel (x, y) may serve as a background sample. */
static bool
bg_sample_at(int x, int y, int head_l, int head_r, int strip_h)
{
	return y < strip_h || x < head_l || x > head_r;
}

/*
 * Background colour: the per-channel median of the pixels above the brows
 * that lie outside the head's columns (the jaw's span widened by half a
 * face width each side, room for hair), plus a strip along the top edge
 * when the sides are too narrow. Its spread is the 80th percentile of the
 * samples' distance to that colour. False when there are too few samples.
 */
static bool
bg_estimate(const struct gc_image *im, int y_end, int head_l, int head_r,
    int strip_h, int bg[3], double *spread)
{
	uint32_t hist[3][256];
	uint32_t dh[448];
	uint32_t n = 0;
	int      step;

	memset(hist, 0, sizeof(hist));
	memset(dh, 0, sizeof(dh));
	/* Subsample big images to about 64k candidate pixels. */
	step = (int)sqrt((double)im->w * y_end / 65536.0);
	if (step < 1) {
		step = 1;
	}
	for (int y = 0; y < y_end; y += step) {
		const uint8_t *row = im->px + (size_t)y * im->stride;

		for (int x = 0; x < im->w; x += step) {
			if (!bg_sample_at(x, y, head_l, head_r, strip_h)) {
				continue;
			}
			for (int c = 0; c < im->ch; c++) {
				hist[c][row[(size_t)x * im->ch + c]]++;
			}
			n++;
		}
	}
	if (n < HAIR_MIN_BG) {
		return false;
	}
	for (int c = 0; c < im->ch; c++) {
		bg[c] = hist_pctl(hist[c], 256, n, 0.5);
	}
	for (int y = 0; y < y_end; y += step) {
		for (int x = 0; x < im->w; x += step) {
			if (bg_sample_at(x, y, head_l, head_r, strip_h)) {
				dh[(int)sqrt(px_dist2(im, x, y, bg))]++;
			}
		}
	}
	*spread = hist_pctl(dh, 448, n, 0.8);
	return true;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * Per column, from the brows up: the first run of `run` background-like
 * pixels (or a shorter one that reaches row 0) ends the hair; the hair
 * top is the lower edge of that run. A column that meets no such run
 * reports -1 (the hair reaches the top edge).
 */
static int
column_top(const struct gc_image *im, int x, int y0, int run,
    const int bg[3], int thr2)
{
	int len = 0;

	for (int y = y0; y >= 0; y--) {
		if (px_dist2(im, x, y, bg) <= thr2) {
			len++;
			if (len >= run) {
				return y + len;
			}
		} else {
			len = 0;
		}
	}
	if (len >= (run + 1) / 2) {
		return len; /* rows 0 .. len-1 are background */
	}
	return -1;
}

bool
gc_face_hair_top(const struct gc_image *rgb, const struct gc_face *f,
    struct gc_face_measures *m)
{
	double brow = f->lm[17].y, ied, span_l, span_r, fw, spread, thr;
	int    bg[3] = {0, 0, 0}, tops[HAIR_MAX_COLS];
	int    x0, x1, ncol, run, y0, head_l, head_r, strip_h, k;
	int    thr2, top;

	m->hair_top = -1;
	if (rgb == NULL || rgb->px == NULL || (rgb->ch != 1 && rgb->ch != 3) ||
	    rgb->w < 8 || rgb->h < 8) {
		return false;
	}
	for (int i = 18; i <= 26; i++) {
		brow = f->lm[i].y < brow ? f->lm[i].y : brow;
	}
	ied    = dist(mean_of(f, 36, 41), mean_of(f, 42, 47));
	span_l = f->lm[0].x;
	span_r = f->lm[0].x;
	for (int i = 1; i <= 26; i++) {
		span_l = f->lm[i].x < span_l ? f->lm[i].x : span_l;
		span_r = f->lm[i].x > span_r ? f->lm[i].x : span_r;
	}
	fw = span_r - span_l;
	/* NaN fails these too; the bounds keep the int conversions defined. */
	if (!(ied > 4) || !(fw > 4) || !(fabs(brow) < 1e6) ||
	    !(fabs(span_l) < 1e6) || !(fabs(span_r) < 1e6)) {
		return false;
	}
	y0 = (int)floor(brow) - 1;
	if (y0 < 2 || y0 >= rgb->h) {
		return false;
	}

	/* The background, from beside the head and along the top edge. */
	head_l  = (int)floor(span_l - fw / 2);
	head_r  = (int)ceil(span_r + fw / 2);
	strip_h = (int)ceil(clampd(0.06 * y0, 2, 0.25 * ied));
	if (!bg_estimate(rgb, y0, head_l, head_r, strip_h, bg, &spread)) {
		return false;
	}
	/* Busy or graded: nothing to tell the hair apart from. */
	if (spread > 24) {
		return false;
	}
	thr  = clampd(3 * spread + 10, 18, 48);
	thr2 = (int)(thr * thr);

	/* Columns between the outer brow ends, scanned from the brows up. */
	x0   = (int)floor(fmin(f->lm[17].x, f->lm[26].x));
	x1   = (int)ceil(fmax(f->lm[17].x, f->lm[26].x));
	x0   = x0 < 0 ? 0 : x0;
	x1   = x1 > rgb->w - 1 ? rgb->w - 1 : x1;
	ncol = x1 - x0 + 1;
	if (ncol < 3) {
		return false;
	}
	ncol = ncol > HAIR_MAX_COLS ? HAIR_MAX_COLS : ncol;
	run  = (int)lround(clampd(0.08 * ied, 3, 24));
	for (int i = 0; i < ncol; i++) {
		int x = x0 + (int)((int64_t)i * (x1 - x0) / (ncol - 1));

		tops[i] = column_top(rgb, x, y0, run, bg, thr2);
	}

	/* A high percentile of the column tops: the crown, not one stray
	 * strand; hair reaching the top edge sorts first (-1). */
	qsort(tops, (size_t)ncol, sizeof(tops[0]), cmp_int);
	k   = (int)floor(HAIR_PCTL * (ncol - 1));
	top = tops[k];
	if (top < 0) {
		return false;
	}
	/* Background right above the brows: the forehead could not be told
	 * from the background. */
	if (top > brow - 0.25 * ied) {
		return false;
	}
	m->hair_top = (float)top;
	return true;
}
