/* checks: the photo checks, each with a stable id, the measured value, the
 * limit, a verdict and a message in Chinese and English. Thresholds come
 * from the school profile. */
#ifndef GC_CAPTURE_CHECKS_H
#define GC_CAPTURE_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include "capture/face.h"
#include "capture/image.h"
#include "capture/jpeg.h"
#include "capture/profile.h"
#include "common/buf.h"

enum gc_verdict {
	GC_VERDICT_PASS = 0,
	GC_VERDICT_WARN,
	GC_VERDICT_FAIL,
};

struct gc_check {
	char            id[24];     /* "face.width": stable */
	enum gc_verdict verdict;
	double          num;        /* the measured value (NAN: none) */
	char            value[48];  /* the value as shown: "236 px" */
	char            limit[48];  /* the limit as shown: "180–300 px" */
	char            msg_zh[192];
	char            msg_en[256];
};

#define GC_REPORT_MAX 32

struct gc_report {
	struct gc_check c[GC_REPORT_MAX];
	int             n;
	enum gc_verdict verdict;        /* the worst of the checks */
	char            guide_zh[192];  /* what the operator can do, if any */
	char            guide_en[256];
};

/* The ids, in report order (25). */
extern const char *const gc_check_ids[];
extern const int         gc_check_count;

void gc_report_init(struct gc_report *r);
/* Adds (or replaces) a check; keeps the verdict the worst seen. */
struct gc_check *gc_report_add(struct gc_report *r, const char *id,
    enum gc_verdict v, double num);
/* Looks a check up; NULL when it did not run. */
const struct gc_check *gc_report_get(const struct gc_report *r,
    const char *id);
const char *gc_verdict_name(enum gc_verdict v); /* "pass", "warn", "fail" */

/* Writes the report's JSON members, for the caller's object:
 * "verdict":.., "checks":[{id, verdict, value, limit, message_zh,
 * message_en, measured}], "guidance_zh":.., "guidance_en":.. */
void gc_report_json_fields(struct gc_buf *b, const struct gc_report *r);

/* A face located on the image the checks look at (480 × 640 for a
 * normalised photo), with its measures. */
struct gc_subject {
	int                     nfaces;   /* above the profile's floor */
	float                   score;    /* the best face's */
	struct gc_face          face;
	struct gc_face_measures m;
	bool                    hair_found;
};

/*
 * gc_checks_file: file.format, file.dimensions, file.density,
 * file.quality, file.size, from the bytes and their probe. info NULL
 * means the bytes are not JPEG (sniffed format fmt).
 */
void gc_checks_file(struct gc_report *r, const struct gc_profile *p,
    enum gc_fmt fmt, const struct gc_jpeg_info *info, size_t nbytes,
    bool dims_exact);

/*
 * gc_checks_face: every face, pose, expression, background, clothing,
 * light and sharpness check, on rgb (the frame as it will be uploaded,
 * W × H with the profile's geometry scaled to W) and the subject found in
 * it.
 */
void gc_checks_face(struct gc_report *r, const struct gc_profile *p,
    const struct gc_image *rgb, const struct gc_subject *s);

/* The parts of gc_checks_face that hold on any frame: face.count alone,
 * and every check that does not depend on the output's geometry or scale
 * (pose, expression, background, clothing, light, red eye, glare): what
 * an operator is told about a shot that could not be framed. */
void gc_checks_face_count(struct gc_report *r, const struct gc_subject *s);
void gc_checks_content(struct gc_report *r, const struct gc_profile *p,
    const struct gc_image *rgb, const struct gc_subject *s);

#endif
