#include "capture/background.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "capture/segment.h"
#include "common/gc_alloc.h"

/* GrabCut's rounds. On the synthetic set (bench/background) 2, 4 and 8
 * give the same IoU with hair (0.983); without it 0.971, 0.981 and 0.956
 * (the head's flat top leaks with more rounds); CPU 81, 112, 185 ms. */
#define GRABCUT_ITERS 4
/* The cut runs on a copy this many times smaller when the frame is at
 * least 256 px on each side: a quarter of the pixels. The mask is scaled
 * back up by pixel replication (edges in steps of 2 px, which the blend
 * band softens on the background side). */
#define SCALE_DOWN 2
/* A mask edge pixel counts as lying on a colour edge when the mean
 * colours of its two sides, 7 × 7 around it, differ by this (RGB
 * Euclidean). */
#define EDGE_DIFF 30.0
/* The background band next to the person that must look like the
 * border's background, in face widths. */
#define FOREIGN_BAND 0.12
/* The first pixels beyond the mask mix the person's colour with the
 * background's (the lens, the JPEG): not counted. */
#define MIXED_PX 2
/* The top rows of the frame are always sure background: the framing
 * leaves 50–110 px of 640 above the hair. */
#define TOP_STRIP 0.02
/* What a clean separation needs (calibrated on bench/background). */
#define MIN_CONFIDENCE 0.55f
#define MIN_HEAD_ROOM  0.50f
#define MIN_BOTTOM     0.25f
#define MIN_SHOULDERS  0.70f
#define MAX_FOREIGN    0.20f
#define MIN_TOP        0.04f /* the person's top, of the frame's height */
#define MIN_PERSON     0.15f
#define MAX_PERSON     0.85f

/* The face in the framed photo's pixels. */
struct geom {
	double fw, cx, cy, brow, chin;
	double poly_x[27], poly_y[27]; /* jaw 0–16, brows 26–17: the face */
	int    npoly;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
why(struct gc_bg_report *rep, const char *en, const char *zh)
{
	snprintf(rep->why_en, sizeof(rep->why_en), "%s", en);
	snprintf(rep->why_zh, sizeof(rep->why_zh), "%s", zh);
}

static bool
geom_of(const struct gc_image *im, const struct gc_face *f, struct geom *g)
{
	struct gc_face_measures m;
	double                  mx = 0, my = 0;

	gc_face_measure(f, &m);
	g->fw   = m.face_width;
	g->cx   = m.face_centre.x;
	g->cy   = m.face_centre.y;
	g->brow = m.brow_y;
	g->chin = m.chin.y;
	if (!isfinite(g->fw) || !isfinite(g->cx) || !isfinite(g->cy) ||
	    !isfinite(g->brow) || !isfinite(g->chin) || g->fw < 16 ||
	    g->chin <= g->brow || g->cx < 0 || g->cx >= im->w || g->cy < 0 ||
	    g->cy >= im->h) {
		return false;
	}
	g->npoly = 0;
	for (int i = 0; i <= 16; i++) {
		g->poly_x[g->npoly]   = f->lm[i].x;
		g->poly_y[g->npoly++] = f->lm[i].y;
	}
	for (int i = 26; i >= 17; i--) {
		g->poly_x[g->npoly]   = f->lm[i].x;
		g->poly_y[g->npoly++] = f->lm[i].y;
	}
	for (int i = 0; i < g->npoly; i++) {
		mx += g->poly_x[i] / g->npoly;
		my += g->poly_y[i] / g->npoly;
	}
	/* shrunk 6% towards its centre: the sure part of the face */
	for (int i = 0; i < g->npoly; i++) {
		g->poly_x[i] = mx + (g->poly_x[i] - mx) * 0.94;
		g->poly_y[i] = my + (g->poly_y[i] - my) * 0.94;
	}
	return true;
}

/* Even-odd rule. */
static bool
in_poly(const struct geom *g, double x, double y)
{
	bool in = false;

	for (int i = 0, j = g->npoly - 1; i < g->npoly; j = i++) {
		if ((g->poly_y[i] > y) != (g->poly_y[j] > y) &&
		    x < (g->poly_x[j] - g->poly_x[i]) * (y - g->poly_y[i]) /
		    (g->poly_y[j] - g->poly_y[i]) + g->poly_x[i]) {
			in = !in;
		}
	}
	return in;
}

/* How many of the frame's top rows are sure background. */
static double
top_rows(const struct geom *g, int h)
{
	return fmax(TOP_STRIP * h, fmin(0.04 * h, g->brow - 1.15 * g->fw));
}

/*
 * The seed of the full-resolution point (x, y) of a w × h frame: sure
 * person on the face, the forehead, the neck and the middle of the body;
 * probable person on the head with its hair, the neck and the shoulders;
 * sure background on the frame's border strips away from the person;
 * probable background elsewhere.
 */
static uint8_t
seed_at(const struct geom *g, int w, int h, double x, double y)
{
	double fw = g->fw, dx = x - g->cx;
	double top = g->brow - 0.95 * fw, bot = g->chin + 0.05 * fw;
	double ax = 0.78 * fw, ay = (bot - top) / 2, hy = (top + bot) / 2;
	double ysh = g->chin + 0.3 * fw, strip = fmax(3, 0.04 * w);
	double ex = dx / ax, ey = (y - hy) / ay;

	if (in_poly(g, x, y) || (fabs(dx) <= 0.28 * fw && y >= g->brow -
	    0.15 * fw && y <= g->brow) || (fabs(dx) <= 0.12 * fw && y >=
	    g->chin && y <= g->chin + 0.3 * fw) || (y >= g->chin + 0.9 * fw &&
	    fabs(dx) <= 0.45 * fw)) {
		return GC_SEG_FG;
	}
	if (ex * ex + ey * ey <= 1.0 || (y >= g->chin - 0.1 * fw && y <=
	    g->chin + 0.6 * fw && fabs(dx) <= 0.38 * fw) || (y >= ysh &&
	    fabs(dx) <= 0.55 * fw + (y - ysh) * 1.6)) {
		return GC_SEG_PR_FG;
	}
	/* the top rows: a framed photo has ≥ 50 of 640 px above the hair */
	if (y < top_rows(g, h) ||
	    ((x < strip || x >= w - strip) && y < ysh && fabs(dx) > 0.9 *
	    fw)) {
		return GC_SEG_BG;
	}
	return GC_SEG_PR_BG;
}

/* Grows the marked pixels q[0, qt) of fg (w × h) through their
 * 4-neighbours labelled `from`, relabelling those `to`. */
static void
flood(uint8_t *fg, int w, int h, int *q, int qt, uint8_t from, uint8_t to)
{
	for (int qh = 0; qh < qt;) {
		int i = q[qh++], x = i % w, y = i / w;
		int nb[4] = { x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1,
			y > 0 ? i - w : -1, y < h - 1 ? i + w : -1 };

		for (int k = 0; k < 4; k++) {
			if (nb[k] >= 0 && fg[nb[k]] == from) {
				fg[nb[k]] = to;
				q[qt++]   = nb[k];
			}
		}
	}
}

/* Keeps the part of fg (w × h, 0/1) 4-connected to (sx, sy), then fills
 * its holes: background not 4-connected to the frame's border becomes
 * person (inside the person nothing is altered). q: w × h ints. */
static void
mask_clean(uint8_t *fg, int w, int h, int sx, int sy, int *q)
{
	size_t n  = (size_t)w * h;
	int    qt = 0;

	/* 2: reached from the face */
	if (fg[(size_t)sy * w + sx] == 1) {
		fg[(size_t)sy * w + sx] = 2;
		q[qt++] = sy * w + sx;
	}
	flood(fg, w, h, q, qt, 1, 2);
	/* 3: background reached from the border */
	qt = 0;
	for (size_t i = 0; i < n; i++) {
		int x = (int)(i % w), y = (int)(i / w);

		fg[i] = fg[i] == 2 ? 1 : 0;
		if (fg[i] == 0 && (x == 0 || y == 0 || x == w - 1 ||
		    y == h - 1)) {
			fg[i]   = 3;
			q[qt++] = (int)i;
		}
	}
	flood(fg, w, h, q, qt, 0, 3);
	for (size_t i = 0; i < n; i++) {
		fg[i] = fg[i] == 3 ? 0 : 1;
	}
}

/* Mean colour of the pixels of im (w × h) with fg == want in the square
 * of radius r around (x, y); false when there are none. */
static bool
side_mean(const struct gc_image *im, const uint8_t *fg, int x, int y, int r,
    uint8_t want, double out[3])
{
	int n = 0;

	out[0] = out[1] = out[2] = 0;
	for (int yy = y - r; yy <= y + r; yy++) {
		for (int xx = x - r; xx <= x + r; xx++) {
			const uint8_t *p;

			if (xx < 0 || yy < 0 || xx >= im->w || yy >= im->h ||
			    fg[(size_t)yy * im->w + xx] != want) {
				continue;
			}
			p = im->px + (size_t)yy * im->stride + (size_t)xx * 3;
			out[0] += p[0];
			out[1] += p[1];
			out[2] += p[2];
			n++;
		}
	}
	if (n == 0) {
		return false;
	}
	out[0] /= n;
	out[1] /= n;
	out[2] /= n;
	return true;
}

/* The share of the mask's inner edge (away from the frame's border) that
 * lies on a colour edge. */
static float
edge_contrast(const struct gc_image *im, const uint8_t *fg)
{
	int w = im->w, h = im->h, edge = 0, on = 0;

	for (int y = 1; y < h - 1; y++) {
		for (int x = 1; x < w - 1; x++) {
			size_t i = (size_t)y * w + x;
			double a[3], b[3], d;

			if (fg[i] == 0 || (fg[i - 1] && fg[i + 1] && fg[i - w] &&
			    fg[i + w])) {
				continue;
			}
			if (!side_mean(im, fg, x, y, 3, 1, a) ||
			    !side_mean(im, fg, x, y, 3, 0, b)) {
				continue;
			}
			d = sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) *
			    (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
			edge++;
			on += d >= EDGE_DIFF;
		}
	}
	return edge > 0 ? (float)on / edge : 0;
}

static int
bin_of(const uint8_t *p)
{
	return (p[0] >> 4) << 8 | (p[1] >> 4) << 4 | (p[2] >> 4);
}

/* The share of the pixels of im in the rectangle [x0, x1) × [y0, y1) whose
 * colour bin (16 levels a channel) the background histogram holds (≥ floor
 * samples). */
static float
probe_overlap(const struct gc_image *im, const int *hist, int floor,
    double x0, double y0, double x1, double y1)
{
	int n = 0, in = 0;

	for (int y = (int)fmax(0, y0); y < (int)fmin(im->h, y1); y++) {
		for (int x = (int)fmax(0, x0); x < (int)fmin(im->w, x1); x++) {
			const uint8_t *p = im->px + (size_t)y * im->stride +
			    (size_t)x * 3;

			n++;
			in += hist[bin_of(p)] >= floor;
		}
	}
	return n >= 20 ? (float)in / n : 0;
}

/*
 * How much of the hair (a band above the brows) and the clothing (the
 * shoulders) has colours the frame's border background has: a person
 * in the background's colours cannot be told apart from it, whatever
 * the cut says. Measured on the small image (k: its pixels per full
 * one), with the sure-background seeds as the background.
 */
static float
colour_overlap(const struct gc_image *im, const uint8_t *seeds,
    const struct geom *g, double k)
{
	int    hist[4096] = { 0 };
	int    nbg = 0, floor;
	double fw = g->fw * k, cx = g->cx * k, brow = g->brow * k;
	double chin = g->chin * k;
	float  hair, left, right;

	for (int y = 0; y < im->h; y++) {
		for (int x = 0; x < im->w; x++) {
			if (seeds[(size_t)y * im->w + x] == GC_SEG_BG) {
				hist[bin_of(im->px + (size_t)y * im->stride +
				    (size_t)x * 3)]++;
				nbg++;
			}
		}
	}
	if (nbg < 50) {
		return 0;
	}
	floor = nbg / 2000 > 2 ? nbg / 2000 : 2;
	hair  = probe_overlap(im, hist, floor, cx - 0.25 * fw, brow - 0.40 *
	    fw, cx + 0.25 * fw, brow - 0.20 * fw);
	left  = probe_overlap(im, hist, floor, cx - 0.8 * fw, chin + 0.8 * fw,
	    cx - 0.3 * fw, im->h - 2);
	right = probe_overlap(im, hist, floor, cx + 0.3 * fw, chin + 0.8 * fw,
	    cx + 0.8 * fw, im->h - 2);
	return fmaxf(hair, fmaxf(left, right));
}

/*
 * The side strips are sure background only where their colour is also in
 * the top rows (above the hair, background in any framed photo): long
 * hair or a shoulder reaching the frame's side stays probable, for the
 * cut to decide, rather than teaching the background model its colour.
 */
static void
sides_check(const struct gc_image *im, uint8_t *lab, double top)
{
	int hist[4096] = { 0 };
	int n = 0, floor;

	for (int y = 0; y < (int)top && y < im->h; y++) {
		for (int x = 0; x < im->w; x++) {
			hist[bin_of(im->px + (size_t)y * im->stride +
			    (size_t)x * 3)]++;
			n++;
		}
	}
	floor = n / 2000 > 1 ? n / 2000 : 1;
	for (int y = (int)top; y < im->h; y++) {
		for (int x = 0; x < im->w; x++) {
			uint8_t *l = &lab[(size_t)y * im->w + x];

			if (*l == GC_SEG_BG && hist[bin_of(im->px + (size_t)y *
			    im->stride + (size_t)x * 3)] < floor) {
				*l = GC_SEG_PR_BG;
			}
		}
	}
}

/* d (w × h) gets the Chebyshev distance of each pixel to the person fg,
 * capped at cap: a forward and a backward pass over the neighbours
 * already visited. */
static void
person_distance(const uint8_t *fg, int w, int h, int cap, uint8_t *d)
{
	static const int prev[4][2] = { { -1, 0 }, { -1, -1 }, { 0, -1 },
		{ 1, -1 } };

	for (int i = 0; i < w * h; i++) {
		d[i] = fg[i] ? 0 : (uint8_t)cap;
	}
	for (int pass = 0; pass < 2; pass++) {
		int sgn = pass == 0 ? 1 : -1;

		for (int k = 0; k < w * h; k++) {
			int i = pass == 0 ? k : w * h - 1 - k;
			int x = i % w, y = i / w;

			for (int j = 0; j < 4; j++) {
				int xx = x + sgn * prev[j][0], yy = y + sgn * prev[j][1];

				if (xx >= 0 && yy >= 0 && xx < w && yy < h &&
				    d[(size_t)yy * w + xx] + 1 < d[i]) {
					d[i] = (uint8_t)(d[(size_t)yy * w + xx] + 1);
				}
			}
		}
	}
}

/* Counts the colour bins of the person's pixels (fg) in the rectangle
 * [x0, x1) × [y0, y1) of im into hist; returns how many. */
static int
person_bins(const struct gc_image *im, const uint8_t *fg, double x0,
    double y0, double x1, double y1, int *hist)
{
	int n = 0;

	for (int y = (int)fmax(0, y0); y < (int)fmin(im->h, y1); y++) {
		for (int x = (int)fmax(0, x0); x < (int)fmin(im->w, x1); x++) {
			if (fg[(size_t)y * im->w + x]) {
				hist[bin_of(im->px + (size_t)y * im->stride +
				    (size_t)x * 3)]++;
				n++;
			}
		}
	}
	return n;
}

/*
 * The share of the background next to the person (from MIXED_PX to band
 * px beyond the mask fg, w × h) that has the colours of the person's hair
 * (the mask above the brows) or clothes (the shoulders) and not those of
 * the sure background seeds (or a neighbouring bin's): hair or clothing
 * the cut gave to the background. A wall of other colours does not count.
 * Measured on the small image (k: its pixels per full one); d: w × h
 * bytes of scratch.
 */
static float
foreign_share(const struct gc_image *im, const uint8_t *fg,
    const uint8_t *seeds, const struct geom *g, double k, int band,
    uint8_t *d)
{
	int     bg[4096], pe[4096];
	uint8_t known[4096];
	int     w = im->w, h = im->h, n = 0, bad = 0, nbg = 0, npe, floor;
	double  fw = g->fw * k, cx = g->cx * k, brow = g->brow * k;
	double  chin = g->chin * k;

	memset(bg, 0, sizeof(bg));
	memset(pe, 0, sizeof(pe));
	for (int i = 0; i < w * h; i++) {
		if (seeds[i] == GC_SEG_BG) {
			bg[bin_of(im->px + (size_t)(i / w) * im->stride +
			    (size_t)(i % w) * 3)]++;
			nbg++;
		}
	}
	npe = person_bins(im, fg, cx - 0.7 * fw, 0, cx + 0.7 * fw, brow -
	    0.25 * fw, pe);
	npe += person_bins(im, fg, 0, chin + 0.6 * fw, w, h, pe);
	if (nbg < 50 || npe < 50) {
		return 0;
	}
	floor = npe / 400 > 2 ? npe / 400 : 2;
	/* a bin is the background's when it or a neighbour holds a seed */
	for (int b = 0; b < 4096; b++) {
		int r = b >> 8, gg = (b >> 4) & 15, bl = b & 15;

		known[b] = 0;
		for (int dr = -1; dr <= 1; dr++) {
			for (int dg = -1; dg <= 1; dg++) {
				for (int db = -1; db <= 1; db++) {
					int rr = r + dr, g2 = gg + dg, bb = bl + db;

					if (rr >= 0 && rr < 16 && g2 >= 0 &&
					    g2 < 16 && bb >= 0 && bb < 16 &&
					    bg[rr << 8 | g2 << 4 | bb] > 0) {
						known[b] = 1;
					}
				}
			}
		}
	}
	person_distance(fg, w, h, band + 1, d);
	for (int i = 0; i < w * h; i++) {
		if (fg[i] == 0 && d[i] > MIXED_PX && d[i] <= band) {
			int b = bin_of(im->px + (size_t)(i / w) * im->stride +
			    (size_t)(i % w) * 3);

			n++;
			bad += pe[b] >= floor && !known[b];
		}
	}
	return n > 0 ? (float)bad / n : 0;
}

/* Judges the full-resolution mask and fills rep. */
static void
judge(const uint8_t *mask, int w, int h, const struct geom *g,
    struct gc_bg_report *rep)
{
	size_t n = (size_t)w * h, fg = 0;
	int    top = -1, bottom = 0;
	int    c0 = (int)fmax(0, g->cx - 0.25 * g->fw);
	int    c1 = (int)fmin(w, g->cx + 0.25 * g->fw);

	for (size_t i = 0; i < n; i++) {
		fg += mask[i] != 0;
	}
	for (int y = 0; y < h && top < 0; y++) {
		for (int x = c0; x < c1; x++) {
			if (mask[(size_t)y * w + x] != 0) {
				top = y;
				break;
			}
		}
	}
	for (int x = 0; x < w; x++) {
		bottom += mask[(size_t)(h - 1) * w + x] != 0;
	}
	/* both shoulders: the person's share of each side of the face's
	 * centre over the bottom tenth of the frame */
	{
		size_t l = 0, r = 0, nl = 0, nr = 0;
		int    xc = (int)g->cx;

		for (int y = h - h / 10; y < h; y++) {
			for (int x = 0; x < w; x++) {
				bool in = mask[(size_t)y * w + x] != 0;

				if (x < xc) {
					nl++;
					l += in;
				} else {
					nr++;
					r += in;
				}
			}
		}
		if (nl > 0 && nr > 0 && (l > 0 || r > 0)) {
			double a = (double)l / nl, b = (double)r / nr;

			rep->shoulders = (float)(fmin(a, b) / fmax(a, b));
		}
	}
	rep->person     = (float)fg / n;
	rep->top        = top < 0 ? 1 : (float)top / h;
	rep->head_room  = top < 0 ? 0 : (float)((g->brow - top) / g->fw);
	rep->bottom     = (float)bottom / w;
	rep->confidence = rep->contrast * (1 - rep->overlap) *
	    (1 - rep->foreign);
	rep->separated  = false;
	if (rep->overlap > 0.5f) {
		why(rep, "the hair or the clothes have the background's colours",
		    "头发或衣服与背景颜色相同，无法分离");
	} else if (rep->foreign > MAX_FOREIGN) {
		why(rep, "colours next to the person are not the background's: "
		    "hair or clothes would be cut", "人像旁边有与背景不同的颜色，"
		    "头发或衣服可能被裁掉");
	} else if (rep->head_room < MIN_HEAD_ROOM) {
		why(rep, "the top of the head is lost in the background",
		    "头顶与背景无法分开");
	} else if (rep->top < MIN_TOP) {
		why(rep, "the outline reaches the top of the frame",
		    "人像轮廓延伸到画面顶端");
	} else if (rep->bottom < MIN_BOTTOM) {
		why(rep, "the outline does not reach the bottom of the frame "
		    "(the shoulders are lost)", "人像轮廓没有延伸到画面底部（肩膀丢失）");
	} else if (rep->shoulders < MIN_SHOULDERS) {
		why(rep, "one shoulder is lost in the background",
		    "一侧肩膀与背景无法分开");
	} else if (rep->person < MIN_PERSON || rep->person > MAX_PERSON) {
		why(rep, "the outline covers too little or too much of the frame",
		    "人像轮廓占画面比例不合理");
	} else if (rep->confidence < MIN_CONFIDENCE) {
		why(rep, "the person's edge is not clear against the background",
		    "人像边缘与背景对比不清");
	} else {
		rep->separated = true;
	}
}

gc_err
gc_background_segment(const struct gc_image *framed,
    const struct gc_face *face, uint8_t *mask, struct gc_bg_report *rep)
{
	struct gc_image small;
	struct geom     g;
	uint8_t        *lab = NULL, *seeds = NULL, *fg = NULL;
	int            *q = NULL;
	double          t0 = now_ms(), k;
	int             s, sw, sh, w, h;
	size_t          n;
	gc_err          rv;

	memset(rep, 0, sizeof(*rep));
	memset(&small, 0, sizeof(small));
	if (framed == NULL || framed->px == NULL || framed->ch != 3 ||
	    framed->w < 64 || framed->h < 64) {
		why(rep, "not an RGB image of at least 64 × 64",
		    "图像不是至少 64 × 64 的彩色图像");
		return GC_EINVAL;
	}
	if (face == NULL || !geom_of(framed, face, &g)) {
		why(rep, "no usable face in the image", "图像中没有可用的人脸");
		return GC_EINVAL;
	}
	w  = framed->w;
	h  = framed->h;
	s  = (w >= 256 && h >= 256) ? SCALE_DOWN : 1;
	sw = w / s;
	sh = h / s;
	k  = 1.0 / s;
	n  = (size_t)sw * sh;
	rv = gc_image_alloc(&small, sw, sh, 3);
	if (rv == GC_OK) {
		rv = gc_image_resample(&small, framed, 0, 0, (double)sw * s,
		    (double)sh * s);
	}
	if (rv == GC_OK) {
		lab   = gc_alloc(n);
		seeds = gc_alloc(n);
		fg    = gc_alloc(n);
		q     = gc_calloc(n, sizeof(*q));
		if (lab == NULL || seeds == NULL || fg == NULL || q == NULL) {
			rv = GC_ENOMEM;
		}
	}
	if (rv != GC_OK) {
		goto out;
	}
	for (int y = 0; y < sh; y++) {
		for (int x = 0; x < sw; x++) {
			lab[(size_t)y * sw + x] = seed_at(&g, w, h, (x + 0.5) * s,
			    (y + 0.5) * s);
		}
	}
	sides_check(&small, lab, top_rows(&g, h) * k);
	memcpy(seeds, lab, n);
	rv = gc_segment_grabcut(small.px, sw, sh, small.stride, lab,
	    GRABCUT_ITERS);
	if (rv == GC_EINVAL) {
		/* the seeds hold no background: the face fills the frame */
		memset(mask, 255, (size_t)w * h);
		why(rep, "no background to learn from", "没有可用的背景区域");
		rep->person = 1;
		rv          = GC_OK;
		goto out;
	}
	if (rv != GC_OK) {
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		fg[i] = lab[i] == GC_SEG_FG || lab[i] == GC_SEG_PR_FG;
	}
	mask_clean(fg, sw, sh, (int)fmin(sw - 1, g.cx * k), (int)fmin(sh - 1,
	    g.cy * k), q);
	rep->contrast = edge_contrast(&small, fg);
	rep->overlap  = colour_overlap(&small, seeds, &g, k);
	rep->foreign  = foreign_share(&small, fg, seeds, &g, k, (int)fmin(250,
	    fmax(4, FOREIGN_BAND * g.fw * k)), lab);
	/* up to full resolution; the face itself is always the person's */
	for (int y = 0; y < h; y++) {
		int sy = y / s < sh ? y / s : sh - 1;

		for (int x = 0; x < w; x++) {
			int sx = x / s < sw ? x / s : sw - 1;

			mask[(size_t)y * w + x] = fg[(size_t)sy * sw + sx] ||
			    in_poly(&g, x + 0.5, y + 0.5) ? 255 : 0;
		}
	}
	judge(mask, w, h, &g, rep);
out:
	gc_image_release(&small);
	gc_free(lab);
	gc_free(seeds);
	gc_free(fg);
	gc_free(q);
	rep->ms = now_ms() - t0;
	return rv;
}

gc_err
gc_background_paint(const struct gc_image *framed, const uint8_t *mask,
    struct gc_rgb colour, struct gc_image *out)
{
	int      w = framed->w, h = framed->h;
	uint8_t *dist;
	gc_err   rv;

	rv = gc_image_alloc(out, w, h, 3);
	if (rv != GC_OK) {
		return rv;
	}
	dist = gc_alloc((size_t)w * h);
	if (dist == NULL) {
		gc_image_release(out);
		return GC_ENOMEM;
	}
	/* Chebyshev distance to the person, up to GC_BG_BAND + 1 */
	for (size_t i = 0; i < (size_t)w * h; i++) {
		dist[i] = mask[i] != 0 ? 0 : GC_BG_BAND + 1;
	}
	for (int d = 1; d <= GC_BG_BAND; d++) {
		for (int y = 0; y < h; y++) {
			for (int x = 0; x < w; x++) {
				size_t i = (size_t)y * w + x;

				if (dist[i] != GC_BG_BAND + 1) {
					continue;
				}
				for (int yy = y - 1; yy <= y + 1; yy++) {
					for (int xx = x - 1; xx <= x + 1; xx++) {
						if (xx >= 0 && yy >= 0 && xx < w &&
						    yy < h && dist[(size_t)yy * w +
						    xx] == d - 1) {
							dist[i] = (uint8_t)d;
						}
					}
				}
			}
		}
	}
	for (int y = 0; y < h; y++) {
		const uint8_t *src = framed->px + (size_t)y * framed->stride;
		uint8_t       *dst = out->px + (size_t)y * out->stride;

		for (int x = 0; x < w; x++) {
			int           d = dist[(size_t)y * w + x];
			const uint8_t c[3] = { colour.r, colour.g, colour.b };

			for (int ch = 0; ch < 3; ch++) {
				int v = src[x * 3 + ch];

				/* d == 0: the person, copied as it is */
				dst[x * 3 + ch] = d == 0 ? (uint8_t)v :
				    (uint8_t)((c[ch] * d + v * (GC_BG_BAND + 1 -
				    d) + (GC_BG_BAND + 1) / 2) / (GC_BG_BAND + 1));
			}
		}
	}
	gc_free(dist);
	return GC_OK;
}

gc_err
gc_background_replace(const struct gc_image *framed,
    const struct gc_face *face, struct gc_rgb colour, struct gc_image *out,
    uint8_t *mask, struct gc_bg_report *rep)
{
	uint8_t *m = mask;
	gc_err   rv;

	memset(out, 0, sizeof(*out));
	if (framed != NULL && framed->w > 0 && framed->h > 0 && m == NULL) {
		m = gc_alloc((size_t)framed->w * framed->h);
		if (m == NULL) {
			memset(rep, 0, sizeof(*rep));
			return GC_ENOMEM;
		}
	}
	rv = gc_background_segment(framed, face, m, rep);
	if (rv == GC_OK && rep->separated) {
		double t0 = now_ms();

		rv = gc_background_paint(framed, m, colour, out);
		rep->ms += now_ms() - t0;
	}
	if (m != mask) {
		gc_free(m);
	}
	return rv;
}
