/* pipeline: one shot or file in, an honest report out. Judge mode checks
 * a file as it is (is it ready for upload?); normalise mode frames the
 * shot to the profile, writes the 480 × 640 JPEG and checks that. */
#ifndef GC_CAPTURE_PIPELINE_H
#define GC_CAPTURE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

enum gc_pipeline_mode {
	GC_PIPE_JUDGE = 0, /* the file as it is */
	GC_PIPE_NORMALIZE, /* frame, resample, encode, then judge the output */
};

struct gc_pipeline_times { /* milliseconds */
	double decode, detect, frame, resample, encode, checks, total;
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

#endif
