/* proof_pdf: the 补(散)拍 proof (《全国高等教育学历证书图像信息采集补(散)拍
 * 证明》), the letter a student who still needs a photo takes with the
 * ID card to a 新华社 office or a makeup session: one A4 page per student,
 * drawn with cairo in WenQuanYi Micro Hei (fonts-wqy-microhei). Written by
 * the school package (node/export_school.c, docs/export.md). */
#ifndef GC_NODE_PROOF_PDF_H
#define GC_NODE_PROOF_PDF_H

#include "common/gc_err.h"

typedef struct gc_proof_pdf gc_proof_pdf;

/* One page's student; every field borrowed for the call, "" when none. */
struct gc_proof_student {
	const char *name, *sex, *student_no, *id_type, *id_number;
	const char *level, *dept, *major, *klass;
	const char *reason; /* 未参加集中拍摄, or why the photo was rejected */
};

/* GC_OK when the proofs can be drawn: the font is installed;
 * GC_ENOTFOUND with d saying so otherwise. */
gc_err gc_proof_pdf_ready(struct gc_diag *d);

/* Starts the PDF at path for the school (school_name may be "": the code
 * alone is printed), dated date (e.g. "2026年12月07日"). GC_ENOTFOUND
 * when the font is not installed, GC_EIO; d says why. */
gc_err gc_proof_pdf_open(gc_proof_pdf **out, const char *path,
    const char *school_name, const char *school_code, const char *date,
    struct gc_diag *d);

/* Draws one page for s. GC_EIO (d says why) once the file failed. */
gc_err gc_proof_pdf_add(gc_proof_pdf *p, const struct gc_proof_student *s,
    struct gc_diag *d);

/* Finishes and closes the file: GC_EIO (d says why) when it could not be
 * written. NULL-safe. */
gc_err gc_proof_pdf_close(gc_proof_pdf *p, struct gc_diag *d);

#endif
