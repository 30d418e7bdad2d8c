/* segment: OpenCV's GrabCut behind a C interface (segment_opencv.cpp), for
 * the background replacement (background.c). No C++ type crosses this
 * header; the seeds are computed in C, the shim only runs the cut. */
#ifndef GC_CAPTURE_SEGMENT_H
#define GC_CAPTURE_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/gc_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Labels, in and out (the values are OpenCV's cv::GC_BGD ... GC_PR_FGD). */
enum gc_seg_label {
	GC_SEG_BG    = 0, /* sure background: never changed by the cut */
	GC_SEG_FG    = 1, /* sure foreground: never changed by the cut */
	GC_SEG_PR_BG = 2, /* probable background */
	GC_SEG_PR_FG = 3, /* probable foreground */
};

/*
 * gc_segment_grabcut runs `iters` rounds of GrabCut on the RGB image
 * (w × h, rows `stride` bytes apart; read only) seeded by labels (w × h
 * bytes, rows w bytes apart), which it overwrites with the result: every
 * GC_SEG_PR_* label becomes the cut's PR_BG or PR_FG. GC_EINVAL when the
 * seeds hold no foreground or no background (GrabCut needs both);
 * GC_ENOMEM; GC_EINTERNAL for any other OpenCV failure. Thread-safe (no
 * state is kept); blocks for tens of milliseconds at 240 × 320.
 */
gc_err gc_segment_grabcut(const uint8_t *rgb, int w, int h, size_t stride,
    uint8_t *labels, int iters);

#ifdef __cplusplus
}
#endif

#endif
