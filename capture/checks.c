#include "capture/checks.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/gc_alloc.h"

const char *const gc_check_ids[] = {
	"file.format", "file.dimensions", "file.density", "file.quality",
	"file.size", "face.count", "face.centre", "face.width", "face.eyeline",
	"face.hairtop", "pose.roll", "pose.yaw", "pose.pitch", "eyes.open",
	"mouth.closed", "background.colour", "background.uniformity",
	"clothing.contrast", "clothing.colour", "exposure.face",
	"exposure.clipping", "light.balance", "sharpness", "redeye",
	"glasses.glare",
};
const int gc_check_count = sizeof(gc_check_ids) / sizeof(gc_check_ids[0]);

/* ---- the report ---- */

void
gc_report_init(struct gc_report *r)
{
	memset(r, 0, sizeof(*r));
}

const char *
gc_verdict_name(enum gc_verdict v)
{
	return v == GC_VERDICT_PASS ? "pass" : v == GC_VERDICT_WARN ? "warn" :
	                                                             "fail";
}

struct gc_check *
gc_report_add(struct gc_report *r, const char *id, enum gc_verdict v,
    double num)
{
	struct gc_check *c = NULL;

	for (int i = 0; i < r->n; i++) {
		if (strcmp(r->c[i].id, id) == 0) {
			c = &r->c[i];
		}
	}
	if (c == NULL) {
		if (r->n == GC_REPORT_MAX) {
			return &r->c[GC_REPORT_MAX - 1];
		}
		c = &r->c[r->n++];
	}
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->verdict = v;
	c->num     = num;
	if (v > r->verdict) {
		r->verdict = v;
	}
	return c;
}

const struct gc_check *
gc_report_get(const struct gc_report *r, const char *id)
{
	for (int i = 0; i < r->n; i++) {
		if (strcmp(r->c[i].id, id) == 0) {
			return &r->c[i];
		}
	}
	return NULL;
}

static void
report_checks_json(struct gc_buf *b, const struct gc_report *r)
{
	gc_buf_putc(b, '[');
	for (int i = 0; i < r->n; i++) {
		const struct gc_check *c = &r->c[i];

		gc_buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
		gc_json_str(b, c->id);
		gc_buf_printf(b, ",\"verdict\":\"%s\",\"value\":",
		    gc_verdict_name(c->verdict));
		gc_json_str(b, c->value);
		gc_buf_puts(b, ",\"limit\":");
		gc_json_str(b, c->limit);
		gc_buf_puts(b, ",\"message_zh\":");
		gc_json_str(b, c->msg_zh);
		gc_buf_puts(b, ",\"message_en\":");
		gc_json_str(b, c->msg_en);
		if (isfinite(c->num)) {
			gc_buf_printf(b, ",\"measured\":%.4g}", c->num);
		} else {
			gc_buf_puts(b, ",\"measured\":null}");
		}
	}
	gc_buf_putc(b, ']');
}

void
gc_report_json_fields(struct gc_buf *b, const struct gc_report *r)
{
	gc_buf_printf(b, "\"verdict\":\"%s\",\"checks\":",
	    gc_verdict_name(r->verdict));
	report_checks_json(b, r);
	gc_buf_puts(b, ",\"guidance_zh\":");
	gc_json_str(b, r->guide_zh[0] ? r->guide_zh : NULL);
	gc_buf_puts(b, ",\"guidance_en\":");
	gc_json_str(b, r->guide_en[0] ? r->guide_en : NULL);
}

/* Fills the shown value, limit and both messages of c. */
static void
say(struct gc_check *c, const char *value, const char *limit,
    const char *zh, const char *en, ...)
{
	va_list ap;
	char    fz[192], fe[256];

	snprintf(c->value, sizeof(c->value), "%s", value);
	snprintf(c->limit, sizeof(c->limit), "%s", limit);
	snprintf(fz, sizeof(fz), "%s", zh);
	snprintf(fe, sizeof(fe), "%s", en);
	va_start(ap, en);
	{
		va_list ap2;

		va_copy(ap2, ap);
		vsnprintf(c->msg_zh, sizeof(c->msg_zh), fz, ap);
		vsnprintf(c->msg_en, sizeof(c->msg_en), fe, ap2);
		va_end(ap2);
	}
	va_end(ap);
}

/* The shown value and limit only; the caller writes the messages when
 * the two languages need their arguments in different orders. */
static void
show(struct gc_check *c, const char *value, const char *limit)
{
	snprintf(c->value, sizeof(c->value), "%s", value);
	snprintf(c->limit, sizeof(c->limit), "%s", limit);
}

static enum gc_verdict
in_range(double v, double lo, double hi)
{
	return v >= lo && v <= hi ? GC_VERDICT_PASS : GC_VERDICT_FAIL;
}

/* ---- file checks ---- */

void
gc_checks_file(struct gc_report *r, const struct gc_profile *p,
    enum gc_fmt fmt, const struct gc_jpeg_info *info, size_t nbytes,
    bool dims_exact)
{
	struct gc_check *c;
	char             v[48], l[48];

	if (info == NULL) {
		c = gc_report_add(r, "file.format", GC_VERDICT_FAIL, NAN);
		say(c, gc_fmt_name(fmt), "JPEG", fmt == GC_FMT_UNKNOWN ?
		    "文件不是 JPEG 格式（无法识别的数据）%.0s" :
		    "文件不是 JPEG 格式（是 %s）", "the file is %s data, not JPEG",
		    gc_fmt_name(fmt));
		return;
	}
	if (info->components != 3) {
		c = gc_report_add(r, "file.format", GC_VERDICT_FAIL,
		    info->components);
		snprintf(v, sizeof(v), "JPEG, %d component%s", info->components,
		    info->components == 1 ? "" : "s");
		say(c, v, "24-bit colour JPEG", info->components == 1 ?
		    "灰度图像：须为 24 位彩色" : "CMYK 图像：须为 24 位 RGB 彩色",
		    info->components == 1 ? "greyscale JPEG: 24-bit colour is "
		    "required" : "CMYK JPEG: 24-bit RGB colour is required");
	} else if (info->progressive || !info->baseline) {
		c = gc_report_add(r, "file.format", GC_VERDICT_WARN, NAN);
		say(c, info->progressive ? "progressive JPEG" : "extended JPEG",
		    "baseline JPEG", "非基线 JPEG，部分系统可能无法读取",
		    "not a baseline JPEG; some upload systems refuse it");
	} else {
		c = gc_report_add(r, "file.format", GC_VERDICT_PASS, NAN);
		say(c, "JPEG, 24-bit", "24-bit colour JPEG", "JPEG 格式正确",
		    "baseline 24-bit colour JPEG");
	}
	/* dimensions */
	snprintf(v, sizeof(v), "%d × %d", info->width, info->height);
	snprintf(l, sizeof(l), "%d × %d", p->out_w, p->out_h);
	if (info->orientation > 1) {
		c = gc_report_add(r, "file.dimensions", GC_VERDICT_FAIL,
		    info->orientation);
		say(c, v, l, "图像带有 EXIF 旋转标记（%d），像素须已正立",
		    "the image carries an EXIF rotation (orientation %d): the "
		    "pixels must already be upright", info->orientation);
	} else if (info->width == p->out_w && info->height == p->out_h) {
		c = gc_report_add(r, "file.dimensions", GC_VERDICT_PASS, NAN);
		say(c, v, l, "尺寸正确", "size is right");
	} else {
		c = gc_report_add(r, "file.dimensions", dims_exact ?
		    GC_VERDICT_FAIL : GC_VERDICT_WARN, NAN);
		say(c, v, l, "尺寸须为 %d×%d 像素", "size must be %d × %d pixels",
		    p->out_w, p->out_h);
	}
	/* density */
	if (!info->jfif || info->density_unit == 0) {
		c = gc_report_add(r, "file.density", GC_VERDICT_WARN, NAN);
		say(c, "none", "300 dpi", "未标明分辨率（应为 300 dpi）",
		    "no resolution recorded (300 dpi expected)");
	} else {
		double dpi = info->density_unit == 2 ? info->xdensity * 2.54 :
		                                       info->xdensity;

		snprintf(v, sizeof(v), "%.0f dpi", dpi);
		snprintf(l, sizeof(l), "%d dpi", p->dpi);
		c = gc_report_add(r, "file.density", (fabs(dpi - p->dpi) < 1 &&
		    info->xdensity == info->ydensity) ? GC_VERDICT_PASS :
		    GC_VERDICT_FAIL, dpi);
		say(c, v, l, c->verdict == GC_VERDICT_PASS ? "分辨率正确" :
		    "分辨率须为 %d dpi", c->verdict == GC_VERDICT_PASS ?
		    "resolution is right" : "resolution must be %d dpi", p->dpi);
	}
	/* quality */
	snprintf(l, sizeof(l), "≥ %d", p->min_quality);
	if (info->quality < 0) {
		c = gc_report_add(r, "file.quality", GC_VERDICT_WARN, NAN);
		say(c, "unknown", l, "无法估计 JPEG 质量",
		    "the JPEG quality cannot be estimated");
	} else {
		snprintf(v, sizeof(v), "%d", info->quality);
		c = gc_report_add(r, "file.quality", info->quality >=
		    p->min_quality ? GC_VERDICT_PASS : GC_VERDICT_FAIL,
		    info->quality);
		say(c, v, l, c->verdict == GC_VERDICT_PASS ? "压缩质量合格" :
		    "压缩质量过低（%d，须不低于 %d）", c->verdict == GC_VERDICT_PASS ?
		    "compression quality is fine" : "compression quality %d is "
		    "below %d", info->quality, p->min_quality);
	}
	/* size */
	snprintf(v, sizeof(v), "%.1f KB", nbytes / 1024.0);
	snprintf(l, sizeof(l), "%zu–%zu KB", p->size_min / 1024,
	    p->size_max / 1024);
	if (nbytes >= p->size_min && nbytes <= p->size_max) {
		c = gc_report_add(r, "file.size", GC_VERDICT_PASS, nbytes);
		say(c, v, l, "文件大小合适", "file size is within the window");
	} else if (nbytes >= p->size_hard_min && nbytes <= p->size_hard_max) {
		c = gc_report_add(r, "file.size", GC_VERDICT_WARN, nbytes);
		say(c, v, l, "文件大小一般应在 %zu–%zu KB 之间",
		    "file size is usually %zu–%zu KB", p->size_min / 1024,
		    p->size_max / 1024);
	} else {
		c = gc_report_add(r, "file.size", GC_VERDICT_FAIL, nbytes);
		show(c, v, l);
		snprintf(c->msg_zh, sizeof(c->msg_zh), "文件过%s（%.1f KB）",
		    nbytes < p->size_hard_min ? "小" : "大", nbytes / 1024.0);
		snprintf(c->msg_en, sizeof(c->msg_en), "file is too %s "
		    "(%.1f KB)", nbytes < p->size_hard_min ? "small" : "large",
		    nbytes / 1024.0);
	}
}

/* ---- colour ---- */

struct lab {
	double L, a, b;
};

static double
srgb_lin(double c)
{
	c /= 255.0;
	return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double
lab_f(double t)
{
	return t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116.0;
}

static struct lab
rgb_lab(double r, double g, double b)
{
	double     R = srgb_lin(r), G = srgb_lin(g), B = srgb_lin(b);
	double     X = (0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047;
	double     Y = 0.2126 * R + 0.7152 * G + 0.0722 * B;
	double     Z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883;
	struct lab o;

	o.L = 116 * lab_f(Y) - 16;
	o.a = 500 * (lab_f(X) - lab_f(Y));
	o.b = 200 * (lab_f(Y) - lab_f(Z));
	return o;
}

static double
delta_e(struct lab x, struct lab y)
{
	return sqrt((x.L - y.L) * (x.L - y.L) + (x.a - y.a) * (x.a - y.a) +
	    (x.b - y.b) * (x.b - y.b));
}

/* Mean and per-channel standard deviation of a set of rectangles. */
struct stats {
	double n, mean[3], sd[3];
};

struct rect {
	int x0, y0, x1, y1; /* half-open */
};

static struct rect
rect_clip(struct rect r, const struct gc_image *im)
{
	r.x0 = r.x0 < 0 ? 0 : r.x0;
	r.y0 = r.y0 < 0 ? 0 : r.y0;
	r.x1 = r.x1 > im->w ? im->w : r.x1;
	r.y1 = r.y1 > im->h ? im->h : r.y1;
	if (r.x1 < r.x0) {
		r.x1 = r.x0;
	}
	if (r.y1 < r.y0) {
		r.y1 = r.y0;
	}
	return r;
}

static struct stats
rect_stats(const struct gc_image *im, const struct rect *rs, int nr)
{
	struct stats s;
	double       sum[3] = { 0 }, sq[3] = { 0 };

	memset(&s, 0, sizeof(s));
	for (int k = 0; k < nr; k++) {
		struct rect r = rect_clip(rs[k], im);

		for (int y = r.y0; y < r.y1; y++) {
			const uint8_t *p = im->px + (size_t)y * im->stride;

			for (int x = r.x0; x < r.x1; x++) {
				for (int c = 0; c < 3; c++) {
					double v = p[3 * x + c];

					sum[c] += v;
					sq[c] += v * v;
				}
				s.n++;
			}
		}
	}
	for (int c = 0; c < 3 && s.n > 0; c++) {
		s.mean[c] = sum[c] / s.n;
		s.sd[c]   = sqrt(fmax(0, sq[c] / s.n - s.mean[c] * s.mean[c]));
	}
	return s;
}

static struct lab
stats_lab(const struct stats *s)
{
	return rgb_lab(s->mean[0], s->mean[1], s->mean[2]);
}

/* Hue (degrees), saturation and value of a mean colour. */
static void
rgb_hsv(double r, double g, double b, double *h, double *s, double *v)
{
	double mx = fmax(r, fmax(g, b)), mn = fmin(r, fmin(g, b));
	double d  = mx - mn;

	*v = mx / 255.0;
	*s = mx > 0 ? d / mx : 0;
	if (d < 1e-9) {
		*h = 0;
	} else if (mx == r) {
		*h = 60 * fmod((g - b) / d, 6);
	} else if (mx == g) {
		*h = 60 * ((b - r) / d + 2);
	} else {
		*h = 60 * ((r - g) / d + 4);
	}
	if (*h < 0) {
		*h += 360;
	}
}

/* The colour name of a mean colour, for clothing bans. */
static const char *
colour_name(double r, double g, double b, const char **zh)
{
	double h, s, v;

	rgb_hsv(r, g, b, &h, &s, &v);
	if (v < 0.25) {
		*zh = "黑色";
		return "black";
	}
	/* dark colours need more saturation before they read as a hue:
	 * charcoal (72,76,85) is grey, not blue */
	if (s < 0.15 || (v < 0.45 && s < 0.30)) {
		*zh = v > 0.8 ? "白色" : "灰色";
		return v > 0.8 ? "white" : "grey";
	}
	if (h < 20 || h >= 345) {
		*zh = "红色";
		return "red";
	}
	if (h < 45) {
		*zh = "橙色";
		return "orange";
	}
	if (h < 70) {
		*zh = "黄色";
		return "yellow";
	}
	if (h < 165) {
		*zh = "绿色";
		return "green";
	}
	if (h < 255) {
		*zh = "蓝色";
		return "blue";
	}
	if (h < 300) {
		*zh = "紫色";
		return "purple";
	}
	*zh = "粉色";
	return "pink";
}

static bool
colour_banned(const struct gc_profile *p, const char *name)
{
	return (p->ban_blue && !strcmp(name, "blue")) ||
	    (p->ban_purple && !strcmp(name, "purple")) ||
	    (p->ban_yellow && !strcmp(name, "yellow")) ||
	    (p->ban_green && !strcmp(name, "green")) ||
	    (p->ban_pink && !strcmp(name, "pink")) ||
	    (p->ban_white && !strcmp(name, "white")) ||
	    (p->ban_black && !strcmp(name, "black"));
}

/* ---- grey helpers ---- */

static double
luma(const uint8_t *p)
{
	return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
}

/* Variance of the 4-neighbour Laplacian of the luma over r. */
static double
laplacian_var(const struct gc_image *im, struct rect r)
{
	double sum = 0, sq = 0, n = 0;

	r = rect_clip(r, im);
	for (int y = r.y0 + 1; y < r.y1 - 1; y++) {
		for (int x = r.x0 + 1; x < r.x1 - 1; x++) {
			const uint8_t *c = im->px + (size_t)y * im->stride +
			    (size_t)x * 3;
			double l = luma(c - 3) + luma(c + 3) +
			    luma(c - im->stride) + luma(c + im->stride) -
			    4 * luma(c);

			sum += l;
			sq += l * l;
			n++;
		}
	}
	return n > 0 ? sq / n - (sum / n) * (sum / n) : 0;
}

/* Normalised 32-bin luma histogram of a square patch. */
static bool
patch_hist(const struct gc_image *im, double cx, double cy, double side,
    double h[32])
{
	struct rect r = { (int)(cx - side / 2), (int)(cy - side / 2),
		(int)(cx + side / 2), (int)(cy + side / 2) };
	double      n = 0;

	memset(h, 0, 32 * sizeof(double));
	r = rect_clip(r, im);
	for (int y = r.y0; y < r.y1; y++) {
		for (int x = r.x0; x < r.x1; x++) {
			int l = (int)luma(im->px + (size_t)y * im->stride +
			    (size_t)x * 3);

			h[l >> 3] += 1;
			n++;
		}
	}
	if (n < 9) {
		return false;
	}
	for (int i = 0; i < 32; i++) {
		h[i] /= n;
	}
	return true;
}

/* ---- face checks ---- */

static void
check_geometry(struct gc_report *r, const struct gc_profile *p,
    const struct gc_image *im, const struct gc_subject *s)
{
	const struct gc_face_measures *m = &s->m;
	struct gc_check               *c;
	char                           v[48], l[48];
	double                         dx, eye_y;

	/* face.centre */
	dx = m->face_centre.x - im->w / 2.0;
	snprintf(v, sizeof(v), "%+.0f px", dx);
	snprintf(l, sizeof(l), "±%d px", p->centre_tol);
	c = gc_report_add(r, "face.centre", fabs(dx) <= p->centre_tol ?
	    GC_VERDICT_PASS : GC_VERDICT_FAIL, dx);
	if (c->verdict == GC_VERDICT_PASS) {
		say(c, v, l, "人像水平居中", "the face is centred");
	} else {
		show(c, v, l);
		snprintf(c->msg_zh, sizeof(c->msg_zh), "人像偏%s %.0f 像素，须"
		    "水平居中", dx > 0 ? "右" : "左", fabs(dx));
		snprintf(c->msg_en, sizeof(c->msg_en), "the face is %.0f px off "
		    "centre to the %s", fabs(dx), dx > 0 ? "right" : "left");
	}
	/* face.width, with the inter-eye distance as a warning */
	snprintf(v, sizeof(v), "%.0f px", m->face_width);
	snprintf(l, sizeof(l), "%d–%d px", p->face_w_min, p->face_w_max);
	c = gc_report_add(r, "face.width", in_range(m->face_width,
	    p->face_w_min, p->face_w_max), m->face_width);
	if (c->verdict == GC_VERDICT_PASS && m->ied < p->ied_warn) {
		c->verdict = GC_VERDICT_WARN;
		if (r->verdict < GC_VERDICT_WARN) {
			r->verdict = GC_VERDICT_WARN;
		}
		say(c, v, l, "两眼间距 %.0f 像素，低于 %d（ICAO 建议）",
		    "inter-eye distance %.0f px is below %d (ICAO)", m->ied,
		    p->ied_warn);
	} else if (c->verdict == GC_VERDICT_PASS) {
		say(c, v, l, "脸宽合适", "face width is right");
	} else {
		say(c, v, l, m->face_width < p->face_w_min ? "脸部过小（%.0f 像素）"
		    : "脸部过大（%.0f 像素）", m->face_width < p->face_w_min ?
		    "the face is too small (%.0f px wide)" : "the face is too "
		    "large (%.0f px wide)", m->face_width);
	}
	/* face.eyeline */
	eye_y = m->eye_mid.y;
	snprintf(v, sizeof(v), "%.0f px", eye_y);
	snprintf(l, sizeof(l), "%d–%d px", p->eye_min, p->eye_max);
	c = gc_report_add(r, "face.eyeline", in_range(eye_y, p->eye_min,
	    p->eye_max), eye_y);
	say(c, v, l, c->verdict == GC_VERDICT_PASS ? "眼睛位置合适" :
	    eye_y < p->eye_min ? "眼睛位置过高（距顶 %.0f 像素）" :
	    "眼睛位置过低（距顶 %.0f 像素）", c->verdict == GC_VERDICT_PASS ?
	    "the eye line is right" : eye_y < p->eye_min ? "the eyes are too "
	    "high (%.0f px from the top)" : "the eyes are too low (%.0f px "
	    "from the top)", eye_y);
	/* face.hairtop */
	snprintf(l, sizeof(l), "%d–%d px", p->hair_min, p->hair_max);
	if (!s->hair_found) {
		c = gc_report_add(r, "face.hairtop", GC_VERDICT_FAIL, NAN);
		say(c, "not found", l, "找不到头顶：头发顶到了上边缘或背景不纯",
		    "the top of the hair cannot be found: it touches the top "
		    "edge, or the background is not plain");
	} else {
		snprintf(v, sizeof(v), "%.0f px", m->hair_top);
		c = gc_report_add(r, "face.hairtop", in_range(m->hair_top,
		    p->hair_min, p->hair_max), m->hair_top);
		say(c, v, l, c->verdict == GC_VERDICT_PASS ? "头顶位置合适" :
		    m->hair_top < p->hair_min ? "头顶离上边缘太近（%.0f 像素）" :
		    "头顶离上边缘太远（%.0f 像素）", c->verdict == GC_VERDICT_PASS
		    ? "space above the head is right" : m->hair_top < p->hair_min
		    ? "too little space above the head (%.0f px)" : "too much "
		    "space above the head (%.0f px)", m->hair_top);
	}
}

static void
check_pose(struct gc_report *r, const struct gc_profile *p,
    const struct gc_face_measures *m)
{
	static const struct {
		const char *id, *zh, *en;
		size_t      off;
	} poses[] = {
		{ "pose.roll", "头部歪斜", "head tilted sideways",
		    offsetof(struct gc_face_measures, roll_deg) },
		{ "pose.yaw", "头部左右转动", "head turned left or right",
		    offsetof(struct gc_face_measures, yaw_deg) },
		{ "pose.pitch", "头部抬起或低下", "head raised or lowered",
		    offsetof(struct gc_face_measures, pitch_deg) },
	};
	const float lim[3] = { p->roll_max, p->yaw_max, p->pitch_max };

	for (int i = 0; i < 3; i++) {
		float            a = *(const float *)((const char *)m +
		    poses[i].off);
		struct gc_check *c;
		char             v[48], l[48];
		/* roll is measured exactly from the eye line: past the limit
		 * is a failure. Yaw and pitch are estimates from 2-D
		 * landmarks: a band past the limit only warns. */
		enum gc_verdict  vd = fabsf(a) <= lim[i] ? GC_VERDICT_PASS :
		    (i > 0 && fabsf(a) <= lim[i] * 1.5f) ? GC_VERDICT_WARN :
		    GC_VERDICT_FAIL;

		snprintf(v, sizeof(v), "%+.1f°", a);
		snprintf(l, sizeof(l), "±%.0f°", lim[i]);
		c = gc_report_add(r, poses[i].id, vd, a);
		if (vd == GC_VERDICT_PASS) {
			say(c, v, l, "头部端正", "head is upright and frontal");
		} else {
			show(c, v, l);
			snprintf(c->msg_zh, sizeof(c->msg_zh), "%s %.1f°（允许 "
			    "±%.0f°）", poses[i].zh, fabsf(a), lim[i]);
			snprintf(c->msg_en, sizeof(c->msg_en), "%s by %.1f° "
			    "(±%.0f° allowed)", poses[i].en, fabsf(a), lim[i]);
		}
	}
}

/* Share of the inner-lip area (landmarks 60–67) that is bright and
 * unsaturated: teeth. -1 when the mouth is closed (no area). */
static double
teeth_share(const struct gc_image *im, const struct gc_face *f)
{
	double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9, n = 0, t = 0;

	for (int i = 60; i < 68; i++) {
		x0 = fmin(x0, f->lm[i].x);
		x1 = fmax(x1, f->lm[i].x);
		y0 = fmin(y0, f->lm[i].y);
		y1 = fmax(y1, f->lm[i].y);
	}
	if (y1 - y0 < 2 || x1 - x0 < 4) {
		return -1;
	}
	/* the middle of the inner-lip box: away from the lip edges */
	for (int y = (int)(y0 + (y1 - y0) * 0.2); y <= (int)(y1 - (y1 - y0) *
	    0.2); y++) {
		for (int x = (int)(x0 + (x1 - x0) * 0.25); x <= (int)(x1 - (x1 -
		    x0) * 0.25); x++) {
			const uint8_t *q;
			int            mx, mn;

			if (x < 0 || y < 0 || x >= im->w || y >= im->h) {
				continue;
			}
			q  = im->px + (size_t)y * im->stride + (size_t)x * 3;
			mx = q[0] > q[1] ? q[0] : q[1];
			mx = mx > q[2] ? mx : q[2];
			mn = q[0] < q[1] ? q[0] : q[1];
			mn = mn < q[2] ? mn : q[2];
			t += luma(q) > 150 && (mx - mn) < 0.25 * mx;
			n++;
		}
	}
	return n > 0 ? t / n : -1;
}

static void
check_expression(struct gc_report *r, const struct gc_profile *p,
    const struct gc_face_measures *m)
{
	struct gc_check *c;
	char             v[48], l[48];

	snprintf(v, sizeof(v), "%.2f", m->eye_open);
	snprintf(l, sizeof(l), "≥ %.2f", p->eye_open_warn);
	c = gc_report_add(r, "eyes.open", m->eye_open >= p->eye_open_warn ?
	    GC_VERDICT_PASS : m->eye_open >= p->eye_open_min ?
	    GC_VERDICT_WARN : GC_VERDICT_FAIL, m->eye_open);
	say(c, v, l, c->verdict == GC_VERDICT_PASS ? "双眼睁开" :
	    c->verdict == GC_VERDICT_WARN ? "眼睛半闭，请睁大眼睛" : "眼睛闭合",
	    c->verdict == GC_VERDICT_PASS ? "both eyes are open" :
	    c->verdict == GC_VERDICT_WARN ? "eyes half closed: open them "
	    "wider" : "eyes are closed");
	snprintf(v, sizeof(v), "%.2f", m->mouth_open);
	snprintf(l, sizeof(l), "≤ %.2f", p->mouth_open_warn);
	c = gc_report_add(r, "mouth.closed", m->mouth_open <=
	    p->mouth_open_warn ? GC_VERDICT_PASS : m->mouth_open <=
	    p->mouth_open_max ? GC_VERDICT_WARN : GC_VERDICT_FAIL,
	    m->mouth_open);
	say(c, v, l, c->verdict == GC_VERDICT_PASS ? "双唇闭合" :
	    c->verdict == GC_VERDICT_WARN ? "嘴唇微张，请闭嘴（笑不露齿）" :
	    "嘴张开或露齿", c->verdict == GC_VERDICT_PASS ? "lips are closed" :
	    c->verdict == GC_VERDICT_WARN ? "lips slightly apart: close them "
	    "(no teeth)" : "mouth open or teeth showing");
}

/* Background samples: a band above the head and strips beside it, above
 * the shoulders. */
static int
bg_rects(const struct gc_image *im, const struct gc_subject *s,
    struct rect *rs)
{
	const struct gc_face_measures *m    = &s->m;
	int                            n    = 0;
	int                            top  = s->hair_found ?
	    (int)m->hair_top - 12 : (int)(m->brow_y - m->face_width * 0.9);
	int                            left = (int)(m->face_centre.x -
	    m->face_width * 0.95);
	int                            right = (int)(m->face_centre.x +
	    m->face_width * 0.95);
	int                            ybot = (int)m->eye_mid.y;

	if (top > 12) {
		rs[n++] = (struct rect){ 8, 4, im->w - 8, top };
	}
	if (left > 12) {
		rs[n++] = (struct rect){ 4, 4, left, ybot };
	}
	if (right < im->w - 12) {
		rs[n++] = (struct rect){ right, 4, im->w - 4, ybot };
	}
	return n;
}

static void
check_background(struct gc_report *r, const struct gc_profile *p,
    const struct gc_image *im, const struct gc_subject *s,
    struct stats *bg_out)
{
	struct rect      rs[3];
	int              n = bg_rects(im, s, rs);
	struct stats     all, part[3];
	struct gc_check *c;
	char             v[48], l[48];
	double           best = 1e9, strip = 0;
	int              besti = 0;
	static const char *const names_zh[] = { "浅蓝色", "白色", "浅灰色" };

	all     = rect_stats(im, rs, n);
	*bg_out = all;
	if (all.n < 200) {
		c = gc_report_add(r, "background.colour", GC_VERDICT_FAIL, NAN);
		say(c, "no background", "plain background",
		    "人像周围没有可见背景", "no background is visible around "
		    "the head");
		c = gc_report_add(r, "background.uniformity", GC_VERDICT_FAIL,
		    NAN);
		say(c, "no background", "uniform", "人像周围没有可见背景",
		    "no background is visible around the head");
		return;
	}
	for (int i = 0; i < p->nbg; i++) {
		double e = delta_e(stats_lab(&all), rgb_lab(p->bg[i].r,
		    p->bg[i].g, p->bg[i].b));

		if (e < best) {
			best  = e;
			besti = i;
		}
	}
	snprintf(v, sizeof(v), "ΔE %.1f (RGB %.0f,%.0f,%.0f)", best,
	    all.mean[0], all.mean[1], all.mean[2]);
	snprintf(l, sizeof(l), "ΔE ≤ %.0f", p->bg_delta_e_pass);
	c = gc_report_add(r, "background.colour", best <= p->bg_delta_e_pass ?
	    GC_VERDICT_PASS : best <= p->bg_delta_e_warn ? GC_VERDICT_WARN :
	    GC_VERDICT_FAIL, best);
	if (c->verdict == GC_VERDICT_PASS) {
		snprintf(c->msg_zh, sizeof(c->msg_zh), "背景颜色合格（%s）",
		    besti < 3 && p->nbg == 3 ? names_zh[besti] : "允许的颜色");
		snprintf(c->msg_en, sizeof(c->msg_en), "background colour is "
		    "allowed (#%02X%02X%02X)", p->bg[besti].r, p->bg[besti].g,
		    p->bg[besti].b);
		show(c, v, l);
	} else {
		say(c, v, l, "背景颜色不符合要求（与最接近的允许颜色相差 ΔE %.0f）",
		    "background colour is not one of the allowed colours "
		    "(ΔE %.0f from the nearest)", best);
	}
	/* uniformity: spread inside, and strips that disagree (gradient,
	 * shadow on one side) */
	for (int i = 0; i < n; i++) {
		part[i] = rect_stats(im, &rs[i], 1);
	}
	for (int i = 0; i < n; i++) {
		for (int j = i + 1; j < n; j++) {
			if (part[i].n > 50 && part[j].n > 50) {
				strip = fmax(strip, delta_e(stats_lab(&part[i]),
				    stats_lab(&part[j])));
			}
		}
	}
	{
		double sd = fmax(all.sd[0], fmax(all.sd[1], all.sd[2]));

		snprintf(v, sizeof(v), "σ %.1f, strips ΔE %.1f", sd, strip);
		snprintf(l, sizeof(l), "σ ≤ %.0f, ΔE ≤ %.0f", p->bg_std_max,
		    p->bg_strip_max);
		c = gc_report_add(r, "background.uniformity",
		    (sd <= p->bg_std_max && strip <= p->bg_strip_max) ?
		    GC_VERDICT_PASS : GC_VERDICT_FAIL, fmax(sd, strip));
		say(c, v, l, c->verdict == GC_VERDICT_PASS ? "背景均匀" :
		    "背景不均匀（有渐变、阴影或杂物）", c->verdict ==
		    GC_VERDICT_PASS ? "the background is uniform" : "the "
		    "background is not uniform (gradient, shadow or objects)");
	}
}

static void
check_clothing(struct gc_report *r, const struct gc_profile *p,
    const struct gc_image *im, const struct gc_subject *s,
    const struct stats *bg)
{
	const struct gc_face_measures *m = &s->m;
	struct rect                    cr[2];
	struct stats                   cl;
	struct gc_check               *c;
	char                           v[48], l[48];
	double                         e;
	const char                    *name, *zh;

	/* the shoulders, left and right of the neck (not the neck, not a
	 * shirt front or tie) */
	cr[0].y0 = cr[1].y0 = (int)(m->chin.y + m->face_width * 0.8);
	cr[0].y1 = cr[1].y1 = im->h - 4;
	cr[0].x0 = (int)(m->face_centre.x - m->face_width * 0.8);
	cr[0].x1 = (int)(m->face_centre.x - m->face_width * 0.3);
	cr[1].x0 = (int)(m->face_centre.x + m->face_width * 0.3);
	cr[1].x1 = (int)(m->face_centre.x + m->face_width * 0.8);
	cl       = rect_stats(im, cr, 2);
	if (cl.n < 400 || bg->n < 200) {
		c = gc_report_add(r, "clothing.contrast", GC_VERDICT_WARN, NAN);
		say(c, "not visible", "visible", "画面中看不到衣服", "no "
		    "clothing is visible below the chin");
		c = gc_report_add(r, "clothing.colour", GC_VERDICT_WARN, NAN);
		say(c, "not visible", "visible", "画面中看不到衣服", "no "
		    "clothing is visible below the chin");
		return;
	}
	e = delta_e(stats_lab(&cl), stats_lab(bg));
	snprintf(v, sizeof(v), "ΔE %.1f", e);
	snprintf(l, sizeof(l), "ΔE ≥ %.0f", p->clothing_delta_e_min);
	c = gc_report_add(r, "clothing.contrast", e >= p->clothing_delta_e_min ?
	    GC_VERDICT_PASS : GC_VERDICT_FAIL, e);
	say(c, v, l, c->verdict == GC_VERDICT_PASS ? "服装与背景对比明显" :
	    "服装颜色与背景太接近", c->verdict == GC_VERDICT_PASS ?
	    "clothing contrasts with the background" : "clothing is too "
	    "close to the background colour");
	name = colour_name(cl.mean[0], cl.mean[1], cl.mean[2], &zh);
	snprintf(v, sizeof(v), "%s (RGB %.0f,%.0f,%.0f)", name, cl.mean[0],
	    cl.mean[1], cl.mean[2]);
	{
		const char *bzh, *bname = colour_name(bg->mean[0], bg->mean[1],
		    bg->mean[2], &bzh);
		bool like = p->ban_like_background && strcmp(name, bname) == 0 &&
		    strcmp(name, "white") != 0 && strcmp(name, "grey") != 0;
		bool banned = colour_banned(p, name);

		c = gc_report_add(r, "clothing.colour", (banned || like) ?
		    GC_VERDICT_FAIL : GC_VERDICT_PASS, NAN);
		show(c, v, "school policy");
		if (banned) {
			snprintf(c->msg_zh, sizeof(c->msg_zh), "学校不允许穿%s衣服",
			    zh);
			snprintf(c->msg_en, sizeof(c->msg_en), "%s clothing is not "
			    "allowed by the school", name);
		} else if (like) {
			snprintf(c->msg_zh, sizeof(c->msg_zh), "%s衣服与%s背景相同，"
			    "请换衣服", zh, bzh);
			snprintf(c->msg_en, sizeof(c->msg_en), "%s clothing on a %s "
			    "background: change clothes", name, bname);
		} else {
			snprintf(c->msg_zh, sizeof(c->msg_zh), "服装颜色（%s）可以",
			    zh);
			snprintf(c->msg_en, sizeof(c->msg_en), "clothing colour (%s) "
			    "is fine", name);
		}
	}
}

/* The face's skin area for exposure: between the cheeks, from just below
 * the brows to above the chin. */
static struct rect
skin_rect(const struct gc_face_measures *m)
{
	struct rect r;

	r.x0 = (int)(m->face_centre.x - m->face_width * 0.35);
	r.x1 = (int)(m->face_centre.x + m->face_width * 0.35);
	r.y0 = (int)(m->brow_y + (m->eye_mid.y - m->brow_y) * 0.5);
	r.y1 = (int)(m->chin.y - (m->chin.y - m->eye_mid.y) * 0.15);
	return r;
}

static void
check_light(struct gc_report *r, const struct gc_profile *p,
    const struct gc_image *im, const struct gc_subject *s)
{
	const struct gc_face_measures *m  = &s->m;
	struct rect                    sr = rect_clip(skin_rect(m), im);
	double                         sum = 0, n = 0, under = 0, over = 0;
	struct gc_check               *c;
	char                           v[48], l[48];
	double                         hl[32], hr[32];

	for (int y = sr.y0; y < sr.y1; y++) {
		for (int x = sr.x0; x < sr.x1; x++) {
			double lv = luma(im->px + (size_t)y * im->stride +
			    (size_t)x * 3);

			sum += lv;
			under += lv <= 25;
			over += lv >= 247;
			n++;
		}
	}
	if (n < 100) {
		return;
	}
	snprintf(v, sizeof(v), "%.2f", sum / n / 255);
	snprintf(l, sizeof(l), "%.2f–%.2f", p->lum_min, p->lum_max);
	c = gc_report_add(r, "exposure.face", in_range(sum / n / 255,
	    p->lum_min, p->lum_max), sum / n / 255);
	say(c, v, l, c->verdict == GC_VERDICT_PASS ? "面部曝光合适" :
	    sum / n / 255 < p->lum_min ? "面部太暗（曝光不足）" :
	    "面部太亮（曝光过度）", c->verdict == GC_VERDICT_PASS ?
	    "face exposure is right" : sum / n / 255 < p->lum_min ?
	    "the face is too dark (under-exposed)" : "the face is too bright "
	    "(over-exposed)");
	snprintf(v, sizeof(v), "%.1f%% dark, %.1f%% bright", 100 * under / n,
	    100 * over / n);
	snprintf(l, sizeof(l), "≤ %.0f%% each", 100 * p->clip_max);
	c = gc_report_add(r, "exposure.clipping", (under / n <= p->clip_max &&
	    over / n <= p->clip_max) ? GC_VERDICT_PASS : GC_VERDICT_FAIL,
	    fmax(under, over) / n);
	say(c, v, l, c->verdict == GC_VERDICT_PASS ? "面部无过曝或死黑" :
	    "面部有过曝或死黑区域", c->verdict == GC_VERDICT_PASS ?
	    "no clipped highlights or shadows on the face" : "parts of the "
	    "face are clipped to white or black");
	/* left/right balance: OFIQ's cheek patches below each eye */
	{
		double side  = 0.3 * m->ied;
		double mouth = (s->face.lm[48].y + s->face.lm[54].y) / 2;
		double dy    = (mouth - m->eye_mid.y) / 2;
		double inter = 0;

		if (patch_hist(im, m->eye_r.x, m->eye_r.y + dy, side, hl) &&
		    patch_hist(im, m->eye_l.x, m->eye_l.y + dy, side, hr)) {
			for (int i = 0; i < 32; i++) {
				inter += fmin(hl[i], hr[i]);
			}
			snprintf(v, sizeof(v), "%.2f", inter);
			snprintf(l, sizeof(l), "≥ %.2f", p->balance_min);
			c = gc_report_add(r, "light.balance", inter >=
			    p->balance_min ? GC_VERDICT_PASS : GC_VERDICT_FAIL,
			    inter);
			say(c, v, l, c->verdict == GC_VERDICT_PASS ?
			    "面部光照左右均匀" : "面部左右光照不均（阴阳脸）",
			    c->verdict == GC_VERDICT_PASS ? "light is even on "
			    "both sides of the face" : "one side of the face is "
			    "darker than the other");
		}
	}
}

/* Sharpness is measured at the output's scale: it runs on the frame as
 * uploaded only. */
static void
check_sharpness(struct gc_report *r, const struct gc_profile *p,
    const struct gc_image *im, const struct gc_subject *s)
{
	const struct gc_face_measures *m = &s->m;
	struct gc_check               *c;
	char                           v[48], l[48];
	double                         lv = laplacian_var(im, skin_rect(m));

	snprintf(v, sizeof(v), "%.0f", lv);
	snprintf(l, sizeof(l), "≥ %.0f", p->sharp_warn);
	c = gc_report_add(r, "sharpness", lv >= p->sharp_warn ?
	    GC_VERDICT_PASS : lv >= p->sharp_min ? GC_VERDICT_WARN :
	    GC_VERDICT_FAIL, lv);
	say(c, v, l, c->verdict == GC_VERDICT_PASS ? "图像清晰" :
	    c->verdict == GC_VERDICT_WARN ? "图像略模糊" : "图像模糊（对焦不准"
	    "或抖动）", c->verdict == GC_VERDICT_PASS ? "the face is sharp" :
	    c->verdict == GC_VERDICT_WARN ? "the face is slightly soft" :
	    "the face is blurred (focus or motion)");
}

/*
 * Glasses: the bridge of a frame crosses the nose between the inner eye
 * corners (landmarks 39 and 42) as a horizontal bar, a strong vertical
 * luma step that bare skin there does not have. Returns the share of the
 * middle columns of that gap whose strongest step exceeds a threshold.
 */
static double
glasses_bridge(const struct gc_image *im, const struct gc_face *f,
    double ied)
{
	int    x0 = (int)(f->lm[39].x + (f->lm[42].x - f->lm[39].x) * 0.3);
	int    x1 = (int)(f->lm[39].x + (f->lm[42].x - f->lm[39].x) * 0.7);
	int    y0 = (int)(fmin(f->lm[39].y, f->lm[42].y) - 0.35 * ied);
	int    y1 = (int)(f->lm[28].y);
	double hit = 0, n = 0;

	for (int x = x0; x <= x1; x++) {
		double best = 0;

		if (x < 0 || x >= im->w) {
			continue;
		}
		for (int y = y0; y + 2 <= y1; y++) {
			double a, b;

			if (y < 0 || y + 2 >= im->h) {
				continue;
			}
			a = luma(im->px + (size_t)y * im->stride + (size_t)x * 3);
			b = luma(im->px + (size_t)(y + 2) * im->stride +
			    (size_t)x * 3);
			best = fmax(best, fabs(a - b));
		}
		hit += best > 35;
		n++;
	}
	return n > 0 ? hit / n : 0;
}

/* Red eye and glasses glare, in the eye areas. */
static void
check_eyes_detail(struct gc_report *r, const struct gc_profile *p,
    const struct gc_image *im, const struct gc_subject *s)
{
	const struct gc_face_measures *m = &s->m;
	struct gc_check               *c;
	char                           v[48], l[48];

	/* red eye: strongly red pixels in the pupil discs */
	{
		double red = 0, n = 0, rad = 0.07 * m->ied; /* the pupil */
		const struct gc_point *eyes[2] = { &m->eye_l, &m->eye_r };

		for (int e = 0; e < 2; e++) {
			for (int y = (int)(eyes[e]->y - rad);
			     y <= (int)(eyes[e]->y + rad); y++) {
				for (int x = (int)(eyes[e]->x - rad);
				     x <= (int)(eyes[e]->x + rad); x++) {
					const uint8_t *q;

					if (x < 0 || y < 0 || x >= im->w ||
					    y >= im->h) {
						continue;
					}
					q = im->px + (size_t)y * im->stride +
					    (size_t)x * 3;
					red += q[0] > 140 && q[0] > 2.2 * q[1] &&
					    q[0] > 2.2 * q[2];
					n++;
				}
			}
		}
		red = n > 0 ? red / n : 0;
		snprintf(v, sizeof(v), "%.0f%%", 100 * red);
		snprintf(l, sizeof(l), "≤ %.0f%%", 100 * p->redeye_max);
		c = gc_report_add(r, "redeye", red <= p->redeye_max ?
		    GC_VERDICT_PASS : GC_VERDICT_FAIL, red);
		say(c, v, l, c->verdict == GC_VERDICT_PASS ? "无红眼" : "有红眼",
		    c->verdict == GC_VERDICT_PASS ? "no red eye" : "red eye "
		    "in the pupils");
	}
	/* glasses glare: near-white, unsaturated pixels in the eye boxes */
	{
		double glare = 0, n = 0;

		for (int e = 0; e < 2; e++) {
			int         base = e == 0 ? 36 : 42;
			struct rect b    = { 1 << 30, 1 << 30, 0, 0 };

			for (int i = 0; i < 6; i++) {
				const struct gc_point *q = &s->face.lm[base + i];

				b.x0 = fmin(b.x0, q->x);
				b.y0 = fmin(b.y0, q->y);
				b.x1 = fmax(b.x1, q->x);
				b.y1 = fmax(b.y1, q->y);
			}
			b.x0 -= (int)(0.25 * m->ied);
			b.x1 += (int)(0.25 * m->ied);
			b.y0 -= (int)(0.25 * m->ied);
			b.y1 += (int)(0.25 * m->ied);
			b = rect_clip(b, im);
			for (int y = b.y0; y < b.y1; y++) {
				for (int x = b.x0; x < b.x1; x++) {
					const uint8_t *q = im->px +
					    (size_t)y * im->stride + (size_t)x * 3;
					int mx = q[0] > q[1] ? q[0] : q[1];
					int mn = q[0] < q[1] ? q[0] : q[1];

					mx = mx > q[2] ? mx : q[2];
					mn = mn < q[2] ? mn : q[2];
					glare += mn >= 240 && mx - mn < 20;
					n++;
				}
			}
		}
		glare = n > 0 ? glare / n : 0;
		if (!p->glasses_allowed) {
			double bridge = glasses_bridge(im, &s->face, m->ied);

			if (bridge >= 0.6) {
				snprintf(v, sizeof(v), "glasses (bridge %.0f%%)",
				    100 * bridge);
				c = gc_report_add(r, "glasses.glare",
				    GC_VERDICT_FAIL, bridge);
				show(c, v, "no glasses (school policy)");
				snprintf(c->msg_zh, sizeof(c->msg_zh), "本校要求不戴"
				    "眼镜：请摘下眼镜");
				snprintf(c->msg_en, sizeof(c->msg_en), "this school "
				    "does not allow glasses: take them off");
				return;
			}
		}
		snprintf(v, sizeof(v), "%.1f%%", 100 * glare);
		snprintf(l, sizeof(l), "≤ %.0f%%", 100 * p->glare_warn);
		c = gc_report_add(r, "glasses.glare", glare <= p->glare_warn ?
		    GC_VERDICT_PASS : GC_VERDICT_WARN, glare);
		say(c, v, l, c->verdict == GC_VERDICT_PASS ? "眼部无反光" :
		    "眼镜反光，请调整角度或摘下眼镜", c->verdict ==
		    GC_VERDICT_PASS ? "no glare in the eye area" : "glasses "
		    "reflect the light: tilt them or take them off");
	}
}

void
gc_checks_face_count(struct gc_report *r, const struct gc_subject *s)
{
	struct gc_check *c;
	char             v[48];

	snprintf(v, sizeof(v), "%d", s->nfaces);
	c = gc_report_add(r, "face.count", s->nfaces == 1 ? GC_VERDICT_PASS :
	    GC_VERDICT_FAIL, s->nfaces);
	if (s->nfaces == 1) {
		say(c, v, "1", "检测到一张人脸", "exactly one face");
	} else if (s->nfaces == 0) {
		say(c, v, "1", "未检测到人脸", "no face found");
	} else {
		say(c, v, "1", "检测到多张人脸（%d）", "%d faces found: only the "
		    "graduate may be in the photo", s->nfaces);
	}
}


/* Lips apart with teeth showing is a failure whatever the gap ratio
 * says: the spec wants 笑不露齿. */
static void
check_teeth(struct gc_report *r, const struct gc_image *im,
    const struct gc_subject *s)
{
	const struct gc_check *mc = gc_report_get(r, "mouth.closed");
	double                 t  = teeth_share(im, &s->face);
	struct gc_check       *c;
	char                   v[48];

	if (mc == NULL || mc->verdict != GC_VERDICT_WARN || t < 0.35) {
		return;
	}
	snprintf(v, sizeof(v), "%.2f, teeth %.0f%%", s->m.mouth_open, 100 * t);
	c = gc_report_add(r, "mouth.closed", GC_VERDICT_FAIL, s->m.mouth_open);
	show(c, v, "lips closed, no teeth");
	snprintf(c->msg_zh, sizeof(c->msg_zh), "露出牙齿：须双唇闭合（笑不露齿）");
	snprintf(c->msg_en, sizeof(c->msg_en), "teeth are showing: the lips "
	    "must be closed");
}

void
gc_checks_content(struct gc_report *r, const struct gc_profile *p,
    const struct gc_image *rgb, const struct gc_subject *s)
{
	struct stats bg;

	if (s->nfaces == 0) {
		return;
	}
	check_pose(r, p, &s->m);
	check_expression(r, p, &s->m);
	check_teeth(r, rgb, s);
	check_background(r, p, rgb, s, &bg);
	check_clothing(r, p, rgb, s, &bg);
	check_light(r, p, rgb, s);
	check_eyes_detail(r, p, rgb, s);
}

void
gc_checks_face(struct gc_report *r, const struct gc_profile *p,
    const struct gc_image *rgb, const struct gc_subject *s)
{
	gc_checks_face_count(r, s);
	if (s->nfaces == 0) {
		return;
	}
	check_geometry(r, p, rgb, s);
	gc_checks_content(r, p, rgb, s);
	check_sharpness(r, p, rgb, s);
}
