/* sheet: a print sheet of one student's photo: 4 large and 8 small copies
 * on one sheet of paper at 300 dpi, the sizes photo shops print for
 * graduates. The sizes come from the school profile (gradcap.ini [print]:
 * large, small, paper, in mm as WxH); the default is 2寸 (35 × 49 mm),
 * 1寸 (25 × 35 mm) on 6-inch paper (102 × 152 mm). The large copies in a
 * 2 × 2 grid at the top left, four small in a column to their right,
 * four more turned a quarter below the grid; 0.5 mm cutting gaps. */
#ifndef GC_CAPTURE_SHEET_H
#define GC_CAPTURE_SHEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/gc_err.h"

#define GC_SHEET_DPI 300

struct gc_sheet_spec {
	double large_w, large_h, small_w, small_h, paper_w, paper_h; /* mm */
};
extern const struct gc_sheet_spec gc_sheet_default;

/* "35x49" (or "35×49", "35*49"; decimals allowed) into mm; false when
 * malformed or a side is outside 5..500 mm. */
bool gc_sheet_size_parse(const char *s, double *w, double *h);

/* A placed copy: where it goes and whether it is turned. */
struct gc_sheet_slot {
	int x, y, w, h; /* on the sheet, pixels */
	int turned;     /* 1: rotated a quarter turn */
};

/* The sheet's size in pixels and its 12 slots (4 large, then 8 small);
 * 0 with the reason in why when they do not fit the paper apart. */
size_t gc_sheet_layout(const struct gc_sheet_spec *sp,
    struct gc_sheet_slot out[12], int *paper_w, int *paper_h, char *why,
    size_t whylen);

/* Renders the sheet of the JPEG photo and appends it to out as a 300 dpi
 * JPEG. GC_ECORRUPT / GC_EINVAL for a photo that does not decode or sizes
 * that do not fit. */
gc_err gc_sheet_render(const struct gc_sheet_spec *sp, const uint8_t *jpeg,
    size_t len, struct gc_buf *out, struct gc_diag *d);

#endif
