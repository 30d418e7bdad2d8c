/* sheet: a print sheet of one student's photo: 4 × 2寸 (35 × 49 mm) and
 * 8 × 1寸 (25 × 35 mm) on 6-inch paper (102 × 152 mm) at 300 dpi, the
 * sizes photo shops print for graduates. The 2寸 in a 2 × 2 grid at the
 * top left, four 1寸 in a column to their right, four more turned a
 * quarter below the grid; 0.5 mm cutting gaps. */
#ifndef GC_CAPTURE_SHEET_H
#define GC_CAPTURE_SHEET_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/gc_err.h"

#define GC_SHEET_DPI 300
#define GC_SHEET_W   1205 /* 102 mm */
#define GC_SHEET_H   1795 /* 152 mm */

/* A placed copy: where it goes and whether it is turned. */
struct gc_sheet_slot {
	int x, y, w, h; /* on the sheet, pixels */
	int turned;     /* 1: rotated a quarter turn */
};

/* The 12 slots of the layout (4 large, then 8 small). */
size_t gc_sheet_layout(struct gc_sheet_slot out[12]);

/* Renders the sheet of the JPEG photo and appends it to out as a 300 dpi
 * JPEG. GC_ECORRUPT / GC_EINVAL for a photo that does not decode. */
gc_err gc_sheet_render(const uint8_t *jpeg, size_t len, struct gc_buf *out,
    struct gc_diag *d);

#endif
