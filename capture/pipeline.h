/* pipeline: one shot or file in, an honest report out. Judge mode checks
 * a file as it is (is it ready for upload?); normalise mode frames the
 * shot to the profile, writes the 480 × 640 JPEG and checks that. */
#ifndef GC_CAPTURE_PIPELINE_H
#define GC_CAPTURE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/background.h"
#include "capture/checks.h"
#include "capture/face.h"
#include "capture/frame.h"
#include "capture/profile.h"
#include "common/buf.h"

typedef struct gc_pipeline gc_pipeline;

/* Loads the face models (slow: once per process). The profile is
 * copied. */
gc_err gc_pipeline_open(gc_pipeline **out, const struct gc_profile *p,
    struct gc_diag *d);
void   gc_pipeline_close(gc_pipeline *pl); /* NULL-safe */

struct gc_pipeline_opts {
	/* normalise: when the framed photo's background fails its checks
	 * and the person is cleanly separated, paint the background the
	 * profile's first colour and judge that instead (background.h).
	 * Off by default; an online session turns it on where its profile
	 * says replace_background = yes, and `gradcap check
	 * --replace-background` to show what it would do. */
	bool replace_background;
};

/* Sets the options for the following runs (copied). */
void gc_pipeline_set_opts(gc_pipeline *pl, const struct gc_pipeline_opts *o);

enum gc_pipeline_mode {
	GC_PIPE_JUDGE = 0, /* the file as it is */
	GC_PIPE_NORMALIZE, /* frame, resample, encode, then judge the output */
};

struct gc_pipeline_times { /* milliseconds */
	double decode, detect, frame, resample, encode, checks, total;
	double background; /* replace_background: its checks, cut and paint */
};

struct gc_pipeline_result {
	struct gc_report         report;
	struct gc_frame_plan     plan;   /* normalise: the crop chosen */
	struct gc_buf            jpeg;   /* normalise: the output file, when
	                                  * framing succeeded */
	int                      quality; /* of the output */
	int                      src_w, src_h;
	/* normalise: the face found, in source pixels (has_face: one face;
	 * the live preview draws it) */
	bool                     has_face;
	float                    face_x, face_y, face_w, face_h;
	/* normalise with replace_background: bg_tried when the background
	 * failed and a separation was tried (bg says how it went);
	 * background_replaced when the output (jpeg, judged, with a check
	 * background.replaced) has the new background, and jpeg_before
	 * then holds the framed photo as it was, encoded the same way, for
	 * the student to compare */
	bool                     bg_tried, background_replaced;
	struct gc_bg_report      bg;
	struct gc_buf            jpeg_before;
	struct gc_pipeline_times t;
};

void gc_pipeline_result_init(struct gc_pipeline_result *r);
void gc_pipeline_result_release(struct gc_pipeline_result *r);

/*
 * gc_pipeline_run: the report is always filled when it returns GC_OK,
 * including for content that is not an image (a file.* failure naming
 * what it is). Only internal failures (GC_ENOMEM) are errors. Not
 * thread-safe per pipeline.
 */
gc_err gc_pipeline_run(gc_pipeline *pl, const uint8_t *bytes, size_t n,
    enum gc_pipeline_mode mode, struct gc_pipeline_result *res);

/*
 * gc_pipeline_guide: the live guide on one small frame (a JPEG) of a
 * camera whose shots are scale times its size (a phone's preview, scaled
 * down to be sent): the face (has_face, face_*), the framing planned for
 * the full-size shot (plan; its crop is what the photo would be cut
 * from), and the checks that hold on any frame (face.count, pose,
 * expression, background, clothing, light, red eye, glare; with the
 * framing's own failure and guide_zh as in normalise mode when no crop
 * fits). Coordinates and src_w × src_h are the full-size shot's. No
 * output is encoded. Errors as gc_pipeline_run; not thread-safe per
 * pipeline. scale: 1 or more.
 */
gc_err gc_pipeline_guide(gc_pipeline *pl, const uint8_t *bytes, size_t n,
    double scale, struct gc_pipeline_result *res);

#endif
