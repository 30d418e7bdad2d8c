/* face: dlib's HOG face detector and 68-point landmark model behind a C
 * interface (face_dlib.cpp), and the measures the checks and the framing
 * derive from the landmarks (face.c). No C++ type crosses this header. */
#ifndef GC_CAPTURE_FACE_H
#define GC_CAPTURE_FACE_H

#include <stdbool.h>

#include "capture/image.h"
#include "common/gc_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where Debian's libdlib-data puts the landmark model. */
#define GC_FACE_MODEL "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"

struct gc_point {
	float x, y;
};

/* One detected face, in the coordinates of the grey image it was found
 * in. Landmark indexes follow iBUG 300-W (0–16 jaw, 17–26 brows, 27–35
 * nose, 36–47 eyes, 48–67 mouth). */
struct gc_face {
	float           score; /* HOG detection confidence (SVM margin) */
	float           x, y, w, h;
	struct gc_point lm[68];
};

typedef struct gc_facedet gc_facedet;

/*
 * Loads the detector and the landmark model (model_path NULL:
 * GC_FACE_MODEL). GC_ENOTFOUND with d naming the file (and the package,
 * libdlib-data) when it is missing; GC_ECORRUPT when it does not load.
 * The model takes ~100 MB and ~0.5 s to load: open once, reuse. The
 * detectors open on one model file share it, read only (loaded by the
 * first, freed with the last: a second detector costs only its own HOG
 * scanner). Thread-safe.
 */
gc_err gc_facedet_open(gc_facedet **out, const char *model_path,
    struct gc_diag *d);
void   gc_facedet_close(gc_facedet *fd); /* NULL-safe */

/*
 * gc_facedet_run finds faces in a grey image (run it on a downscaled copy:
 * HOG's cost grows with the pixels; faces of ≥ ~80 px are found), keeps
 * those scoring ≥ min_score, best first, at most max of them, and fits the
 * 68 landmarks to each. *n gets how many faces were found above the floor
 * (may exceed max). Not thread-safe per detector: one per thread.
 */
gc_err gc_facedet_run(gc_facedet *fd, const struct gc_image *grey,
    float min_score, struct gc_face *faces, int max, int *n);

/*
 * The two halves of gc_facedet_run, for images of different sizes: find
 * the faces (boxes and scores only, landmarks zeroed) on a small copy,
 * then fit the landmarks for a box (f->x, y, w, h, mapped by the caller)
 * on the full-resolution grey image, whose detail the fit needs and whose
 * size does not change its cost.
 */
gc_err gc_facedet_detect(gc_facedet *fd, const struct gc_image *grey,
    float min_score, struct gc_face *faces, int max, int *n);
/* Which build of the detector runs: "avx2" or "base" (face_dispatch.c). */
const char *gc_facedet_variant(void);

gc_err gc_facedet_fit(gc_facedet *fd, const struct gc_image *grey,
    struct gc_face *f);

/* Measures derived from one face's landmarks (and, for the hair top, the
 * image), all in the same pixel coordinates as the landmarks. */
struct gc_face_measures {
	struct gc_point eye_l, eye_r;  /* centres of the subject's left
	                                * (image right) and right eye */
	struct gc_point eye_mid;
	float           ied;           /* inter-eye distance */
	float           roll_deg;      /* + : head tilted clockwise in image */
	float           yaw_deg;       /* estimate from nose vs. face sides */
	float           pitch_deg;     /* estimate from nose length ratio */
	float           eye_open;      /* eye aspect ratio, mean of both
	                                * (≈0.25–0.35 open, < 0.15 closed) */
	float           mouth_open;    /* inner-lip gap / mouth width */
	float           face_width;    /* cheek to cheek (jaw points 1–15) */
	struct gc_point face_centre;   /* between the cheeks, at eye level */
	struct gc_point chin;          /* landmark 8 */
	float           brow_y;        /* highest brow point */
	float           hair_top;      /* y of the top of the hair; < 0 when
	                                * not found */
};

/* Computes the landmark measures; hair_top is left at -1 (see below). */
void gc_face_measure(const struct gc_face *f, struct gc_face_measures *m);

/*
 * gc_face_hair_top scans up from the brows, across the face's width, to
 * where the pixels turn to background (rgb is the image the landmarks are
 * in). Sets m->hair_top; returns false when the hair reaches the top edge
 * (no background above it) or nothing could be told apart.
 */
bool gc_face_hair_top(const struct gc_image *rgb, const struct gc_face *f,
    struct gc_face_measures *m);

#ifdef __cplusplus
}
#endif

#endif
