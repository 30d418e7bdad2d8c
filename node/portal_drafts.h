/* portal_drafts: the photos a student has tried on the portal and not yet
 * submitted (草稿): at most GC_DRAFTS_PER_STUDENT each, in memory, the
 * whole store bounded in count and bytes (the least recently made go
 * first). A draft holds what gc_capture_admit and gc_capture_frame made
 * of the student's file: the framed photo, the report, and the file
 * itself, which the CAPTURE keeps as its original when the student
 * submits. Thread-safe. */
#ifndef GC_NODE_PORTAL_DRAFTS_H
#define GC_NODE_PORTAL_DRAFTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "node/capture_core.h"

#define GC_DRAFTS_PER_STUDENT 5

typedef struct gc_drafts gc_drafts;

struct gc_draft {
	uint32_t              id;
	char                  student[80];
	uint64_t              made;  /* unix seconds */
	bool                  camera; /* shot with the page's camera (method
	                               * camera), else a file (upload) */
	uint8_t              *orig;  /* the student's file (gc_alloc'd) */
	size_t                orig_len;
	struct gc_capture_out o;     /* key, row, result (framed photo) */
};

gc_drafts *gc_drafts_new(size_t capacity, size_t byte_budget);
void       gc_drafts_free(gc_drafts *ds);

/* Keeps d (its orig and o.res move in; d is left empty): its id. The
 * student's oldest draft gives way beyond GC_DRAFTS_PER_STUDENT, the
 * store's oldest beyond its capacity or budget. */
uint32_t gc_drafts_put(gc_drafts *ds, struct gc_draft *d);
/* Takes the student's draft id out of the store into *out (the caller
 * releases it with gc_draft_release); false when there is none. */
bool     gc_drafts_take(gc_drafts *ds, const char *student, uint32_t id,
    struct gc_draft *out);
/* A copy of the framed photo of the student's draft id (before: as it was
 * before its background was replaced); false when none. */
bool     gc_drafts_photo(gc_drafts *ds, const char *student, uint32_t id,
    bool before, struct gc_buf *out);
/* The student's drafts as a JSON array (newest first): id, made, verdict,
 * the photo (and, when its background was replaced, the one before), and
 * the checks that did not pass with what to do (Chinese), and the method
 * ("camera" or "upload"). */
void     gc_drafts_json(gc_drafts *ds, const char *student, struct gc_buf *b);
void     gc_draft_release(struct gc_draft *d);

#endif
