/* synth: compliant and single-defect portraits made from real photos
 * (tests/data/fetch.sh), for the capture tests, the check evaluation and
 * the demo's synthetic camera. The head of the source photo is cut with a
 * feathered ellipse and composited, scaled, onto an allowed background
 * above a plain, contrasting upper body, at a camera-like resolution. */
#ifndef GC_TESTS_SYNTH_SYNTH_H
#define GC_TESTS_SYNTH_SYNTH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/face.h"
#include "capture/image.h"
#include "common/gc_err.h"

/* One variant: its name, and what a strict check must say about it. */
struct gc_synth_variant {
	const char *name;    /* "ok-blue", "gradient", ... */
	const char *expect;  /* "pass" or "fail" */
	const char *failing; /* check ids that must fail, ';'-separated */
};

extern const struct gc_synth_variant gc_synth_variants[];
extern const int                     gc_synth_nvariants;

/* A source photo, analysed once. */
struct gc_synth_src {
	char            name[64];
	struct gc_image rgb;
	struct gc_face  face;
	float           fw;          /* face width, source px */
	float           cx, eye_y;   /* face centre x, eye line y */
	float           top, bottom; /* head ellipse, source px */
	unsigned char   skin[3];
	const char     *defects;     /* the source's own failing checks */
};

/* Decodes path and finds its face (fd must be open). GC_ENOTFOUND when
 * the photo has no usable face. */
gc_err gc_synth_src_load(struct gc_synth_src *s, gc_facedet *fd,
    const char *path, const char *name, const char *defects);
void   gc_synth_src_release(struct gc_synth_src *s);

/* Renders variant v of s at w × h into out (allocated here). */
gc_err gc_synth_render(const struct gc_synth_src *s,
    const struct gc_synth_variant *v, int w, int h, struct gc_image *out);
/* The same, and the true person mask: mask (w × h bytes, rows w apart;
 * NULL: none) gets 1 where the person is (the head cut-out at half
 * opacity or more, the neck, the body, the hair), 0 elsewhere. hair:
 * dark hair behind the cut-out, whose top is otherwise 0.45 face widths
 * above the brows, flatter than any real head. GC_EINVAL with a mask for
 * the variants that move or blur the person after drawing (roll12,
 * blur). */
gc_err gc_synth_render_mask(const struct gc_synth_src *s,
    const struct gc_synth_variant *v, int w, int h, bool hair,
    struct gc_image *out, uint8_t *mask);

/*
 * gc_synth_dir renders every variant of every source in srcdir (the
 * fetch.sh names) to outdir as <source>-<variant>.jpg, and writes
 * outdir/MANIFEST.tsv (file, expect, failing_checks, width, height).
 * Returns how many files it wrote, or -1 with d set.
 */
int gc_synth_dir(const char *srcdir, const char *outdir, int w, int h,
    struct gc_diag *d);
/* The same, for one source only (only NULL: all), with hair drawn behind
 * each head when hair is set (the manifest's expectations are those of
 * the set without hair). */
int gc_synth_dir_only(const char *srcdir, const char *outdir, int w, int h,
    const char *only, bool hair, struct gc_diag *d);

#endif
