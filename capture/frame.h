/* frame: choosing the crop of the full-resolution photo that the 480 × 640
 * output is made from, so that the hair top, the eye line, the face width
 * and the centring meet the profile, without upscaling and without
 * inventing pixels. When no crop exists it says what the operator can do. */
#ifndef GC_CAPTURE_FRAME_H
#define GC_CAPTURE_FRAME_H

#include <stdbool.h>

#include "capture/face.h"
#include "capture/profile.h"

enum gc_frame_fix {
	GC_FIX_NONE = 0,
	GC_FIX_CLOSER,      /* face too small: move closer / zoom in */
	GC_FIX_BACK,        /* face too large for the frame: move back */
	GC_FIX_CAM_HIGHER,  /* no room above the head */
	GC_FIX_CAM_LOWER,   /* no room below the chin */
	GC_FIX_MOVE_LEFT,   /* student too far to the image's right */
	GC_FIX_MOVE_RIGHT,  /* student too far to the image's left */
	GC_FIX_PROPORTION,  /* hair-to-eye distance fits no scale */
};

struct gc_frame_plan {
	bool              ok;
	double            x, y, w, h; /* the crop, source pixels */
	double            k;          /* output px per source px, ≤ 1 */
	enum gc_frame_fix fix;        /* why not, when !ok */
	char              guide_zh[192];
	char              guide_en[256];
};

/*
 * gc_frame_plan chooses the crop for a face measured on a src_w × src_h
 * image (m in source pixels; hair_found false: the hair top is estimated
 * from the brows, and a hair top at the image's top edge means no room).
 * Preference: face width and hair top in the middle of their ranges,
 * eyes inside theirs, face centred.
 */
void gc_frame_plan(const struct gc_profile *p, int src_w, int src_h,
    const struct gc_face_measures *m, bool hair_found,
    struct gc_frame_plan *out);

#endif
