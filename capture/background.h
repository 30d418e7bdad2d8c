/* background: separates the person from the background of a framed photo
 * (GrabCut, segment.h, seeded from the face's landmarks) and replaces the
 * background with a profile colour, for online capture where students
 * shoot themselves at home. Pixels of the person are never altered: inside
 * the mask the output equals the input, byte for byte. */
#ifndef GC_CAPTURE_BACKGROUND_H
#define GC_CAPTURE_BACKGROUND_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/face.h"
#include "capture/image.h"
#include "capture/profile.h"
#include "common/gc_err.h"

/* Background pixels within this many pixels of the person (Chebyshev
 * distance, full resolution) are blended from the original towards the
 * colour, d / (BAND + 1) of the colour at distance d: the edge is soft on
 * the background side only. */
#define GC_BG_BAND 2

/* How well the person came apart from the background. */
struct gc_bg_report {
	bool   separated;    /* cleanly: replacing is safe */
	float  confidence;   /* 0..1: contrast × (1 − overlap) ×
	                      * (1 − foreign); clean: ≥ 0.55 */
	float  contrast;     /* share of the mask's edge lying on a colour
	                      * edge (the two sides differ by ≥ 30 RGB) */
	float  overlap;      /* worst share of hair or clothing pixels whose
	                      * colour the border's background also has
	                      * (clean: ≤ 0.5) */
	float  foreign;      /* share of the background within 0.12 face
	                      * widths of the person whose colour the
	                      * border's background lacks: hair or clothes
	                      * given to the background (clean: ≤ 0.2) */
	float  person;       /* share of the frame that is person (clean:
	                      * 0.15–0.85) */
	float  head_room;    /* how far the mask reaches above the brows, in
	                      * face widths: a head reaches 0.55–0.8, its
	                      * hairline ~0.4 (clean: ≥ 0.5) */
	float  top;          /* the mask's top in the head's columns, of the
	                      * frame's height (clean: ≥ 0.04) */
	float  shoulders;    /* over the bottom tenth, the smaller side's
	                      * person share over the larger's (clean:
	                      * ≥ 0.7: both shoulders kept) */
	float  bottom;       /* share of the bottom row that is person
	                      * (clean: ≥ 0.25) */
	double ms;           /* time taken */
	char   why_en[128];  /* when not separated: why */
	char   why_zh[96];
};

/*
 * gc_background_segment computes the person mask of framed (RGB, at
 * least 64 × 64; a photo framed to the profile, with room above the
 * hair: its top 2% is taken as background) whose face (landmarks in
 * framed's pixels) is given:
 * mask gets framed->w × framed->h bytes, rows w apart, 255 person and 0
 * background. rep says whether the separation is clean. GC_EINVAL (with
 * rep->why_en saying what) for a grey or tiny image, or a face that is
 * missing, degenerate or outside the image; GC_ENOMEM. Blocks ~110 ms
 * of CPU at 480 × 640 (GrabCut runs at half resolution).
 */
gc_err gc_background_segment(const struct gc_image *framed,
    const struct gc_face *face, uint8_t *mask, struct gc_bg_report *rep);

/*
 * gc_background_replace segments framed (as above) and, when the person is
 * cleanly separated, allocates out (the caller releases it) with the
 * person's pixels copied unaltered and the background painted `colour`
 * (blended over GC_BG_BAND pixels on the background side). When not
 * separated it returns GC_OK with rep->separated false and out zeroed:
 * nothing is replaced. mask may be NULL; else it gets the mask.
 */
gc_err gc_background_replace(const struct gc_image *framed,
    const struct gc_face *face, struct gc_rgb colour, struct gc_image *out,
    uint8_t *mask, struct gc_bg_report *rep);

/* Paints the background of framed by mask (as gc_background_replace does
 * after a clean separation) into out, allocated here. */
gc_err gc_background_paint(const struct gc_image *framed,
    const uint8_t *mask, struct gc_rgb colour, struct gc_image *out);

#endif
