/* proof_pdf: the 补(散)拍 proof pages (proof_pdf.h). */
#include "node/proof_pdf.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include "common/gc_alloc.h"

/* A4 in PostScript points; margins of 25 mm */
#define PDF_W      595.276
#define PDF_H      841.890
#define PDF_MARGIN 70.866
#define PDF_FONT   "WenQuanYi Micro Hei"

struct gc_proof_pdf {
	cairo_surface_t *sf;
	cairo_t         *cr;
	char             school[256]; /* the line naming the school */
	char             date[64];
	char             path[4096];
};

static gc_err
pdf_status(gc_proof_pdf *p, struct gc_diag *d)
{
	cairo_status_t st = cairo_status(p->cr);

	if (st == CAIRO_STATUS_SUCCESS) {
		st = cairo_surface_status(p->sf);
	}
	if (st != CAIRO_STATUS_SUCCESS) {
		gc_diag_set(d, "%s: %s", p->path, cairo_status_to_string(st));
		return GC_EIO;
	}
	return GC_OK;
}

/* Whether fontconfig has the font: cairo would silently fall back to one
 * without Chinese, and print empty boxes on an official letter. */
static bool
pdf_font_held(void)
{
	FcPattern *pat = FcNameParse((const FcChar8 *)PDF_FONT);
	FcPattern *got = NULL;
	FcResult   res;
	FcChar8   *fam;
	bool       ok = false;

	if (pat == NULL) {
		return false;
	}
	FcConfigSubstitute(NULL, pat, FcMatchPattern);
	FcDefaultSubstitute(pat);
	got = FcFontMatch(NULL, pat, &res);
	ok  = got != NULL && FcPatternGetString(got, FC_FAMILY, 0, &fam) ==
	    FcResultMatch && strcmp((const char *)fam, PDF_FONT) == 0;
	if (got != NULL) {
		FcPatternDestroy(got);
	}
	FcPatternDestroy(pat);
	return ok;
}

gc_err
gc_proof_pdf_ready(struct gc_diag *d)
{
	if (!pdf_font_held()) {
		gc_diag_set(d, "the font %s is not installed (Debian: "
		    "fonts-wqy-microhei, deploy/install-deps.sh); the proofs "
		    "would print without their Chinese", PDF_FONT);
		return GC_ENOTFOUND;
	}
	return GC_OK;
}

gc_err
gc_proof_pdf_open(gc_proof_pdf **out, const char *path,
    const char *school_name, const char *school_code, const char *date,
    struct gc_diag *d)
{
	gc_proof_pdf *p = gc_xzalloc(sizeof(*p));
	gc_err        rv;

	*out = NULL;
	rv = gc_proof_pdf_ready(d);
	if (rv != GC_OK) {
		gc_free(p);
		return rv;
	}
	snprintf(p->path, sizeof(p->path), "%s", path);
	if (school_name[0] != '\0') {
		snprintf(p->school, sizeof(p->school), "%s（学校代码：%s）",
		    school_name, school_code);
	} else {
		snprintf(p->school, sizeof(p->school), "学校代码：%s",
		    school_code);
	}
	snprintf(p->date, sizeof(p->date), "%s", date);
	p->sf = cairo_pdf_surface_create(path, PDF_W, PDF_H);
	p->cr = cairo_create(p->sf);
	cairo_pdf_surface_set_metadata(p->sf, CAIRO_PDF_METADATA_TITLE,
	    "全国高等教育学历证书图像信息采集补(散)拍证明");
	cairo_pdf_surface_set_metadata(p->sf, CAIRO_PDF_METADATA_CREATOR,
	    "gradcap");
	rv = pdf_status(p, d);
	if (rv != GC_OK) {
		gc_proof_pdf_close(p, NULL);
		return rv;
	}
	*out = p;
	return GC_OK;
}

/* The bytes of the UTF-8 character at s (1 for a stray byte). */
static size_t
utf8_len(const char *s)
{
	unsigned char c = (unsigned char)s[0];
	size_t        n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 :
	                  c >= 0xc0 ? 2 : 1;

	for (size_t i = 1; i < n; i++) {
		if (s[i] == '\0') {
			return i;
		}
	}
	return n;
}

/* Draws text from x at baseline *y, wrapped at the right margin (by
 * character: Chinese has no spaces to break at); *y moves past it. */
static void
pdf_para(cairo_t *cr, double x, double *y, double size, const char *text)
{
	char                 line[1024];
	size_t               ll = 0;
	cairo_text_extents_t te;

	cairo_set_font_size(cr, size);
	for (const char *s = text; *s != '\0' || ll > 0;) {
		size_t n = *s != '\0' ? utf8_len(s) : 0;
		bool   flush = n == 0 || ll + n >= sizeof(line);

		if (!flush) {
			memcpy(line + ll, s, n);
			line[ll + n] = '\0';
			cairo_text_extents(cr, line, &te);
			flush = ll > 0 && x + te.x_advance > PDF_W - PDF_MARGIN;
		}
		if (flush) {
			line[ll] = '\0';
			cairo_move_to(cr, x, *y);
			cairo_show_text(cr, line);
			*y += size * 1.7;
			ll = 0;
			continue;
		}
		ll += n;
		s += n;
	}
}

/* One "label：value" line at x. */
static void
pdf_field(cairo_t *cr, double x, double *y, const char *label,
    const char *value)
{
	char t[512];

	snprintf(t, sizeof(t), "%s：%s", label, value);
	pdf_para(cr, x, y, 13, t);
}

gc_err
gc_proof_pdf_add(gc_proof_pdf *p, const struct gc_proof_student *s,
    struct gc_diag *d)
{
	static const char title[] = "全国高等教育学历证书图像信息采集补(散)拍证明";
	cairo_t             *cr = p->cr;
	cairo_text_extents_t te;
	double               x = PDF_MARGIN, y = PDF_MARGIN + 30, rx;
	char                 t[1024];

	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_select_font_face(cr, PDF_FONT, CAIRO_FONT_SLANT_NORMAL,
	    CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 17);
	cairo_text_extents(cr, title, &te);
	cairo_move_to(cr, (PDF_W - te.x_advance) / 2, y);
	cairo_show_text(cr, title);
	y += 50;
	pdf_field(cr, x, &y, "学校", p->school);
	y += 10;
	pdf_field(cr, x, &y, "姓名", s->name);
	pdf_field(cr, x, &y, "性别", s->sex);
	pdf_field(cr, x, &y, "学号", s->student_no);
	pdf_field(cr, x, &y, "证件类型", s->id_type);
	pdf_field(cr, x, &y, "证件号码", s->id_number);
	pdf_field(cr, x, &y, "层次", s->level);
	pdf_field(cr, x, &y, "院系", s->dept);
	pdf_field(cr, x, &y, "专业", s->major);
	pdf_field(cr, x, &y, "班级", s->klass);
	pdf_field(cr, x, &y, "补(散)拍原因", s->reason);
	y += 20;
	snprintf(t, sizeof(t), "兹证明%s同学为我校学生，因上述原因未能完成学历"
	    "证书图像信息采集，需参加补(散)拍。请凭本证明及本人有效身份证件办理"
	    "采集，请予以协助。", s->name);
	pdf_para(cr, x, &y, 13, t);
	y += 10;
	pdf_field(cr, x, &y, "出具日期", p->date);
	/* the school's stamp and date, bottom right */
	rx = PDF_W / 2 + 20;
	y  = PDF_H - PDF_MARGIN - 90;
	pdf_para(cr, rx, &y, 13, "学籍管理部门（盖章）：");
	y += 40;
	pdf_para(cr, rx, &y, 13, "日期：        年      月      日");
	cairo_show_page(cr);
	return pdf_status(p, d);
}

gc_err
gc_proof_pdf_close(gc_proof_pdf *p, struct gc_diag *d)
{
	gc_err rv;

	if (p == NULL) {
		return GC_OK;
	}
	cairo_surface_finish(p->sf);
	rv = pdf_status(p, d);
	cairo_destroy(p->cr);
	cairo_surface_destroy(p->sf);
	gc_free(p);
	return rv;
}
