/* capture_core: a shot checked for one student, then stored as a signed
 * CAPTURE (node/cmd_capture.c), shared by `gradcap capture` and the UI's
 * capture station (node/ui_api.c). */
#ifndef GC_NODE_CAPTURE_CORE_H
#define GC_NODE_CAPTURE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/pipeline.h"
#include "capture/profile.h"
#include "common/mergecore.h"
#include "common/records.h"
#include "common/rosterdb.h"
#include "node/node.h"

struct gc_capture_req {
	const char          *student_ref;
	const char          *bind;     /* NULL: inferred */
	const char          *code;     /* scanned capture code, opaque */
	const char          *camera;   /* spec for the record */
	bool                 frame;    /* the bytes are a camera's own frame,
	                                * which never repeats: no test that the
	                                * photo is bound to another student
	                                * (files are: the 散拍 mix-up) */
	const char          *overrides[GC_CAPTURE_MAX_OVERRIDES];
	int                  nov;
	bool                 again;
	const uint8_t       *photo;
	size_t               photo_len;
	const char          *source;   /* file name (below the import folder
	                                * for import-shoots), for messages */
};

struct gc_capture_out {
	char                      key[80];
	struct gc_row             row;
	struct gc_pipeline_result res;
	uint8_t                   entry[32];
	bool                      stored;
	char                      why[512]; /* when refused */
	size_t                    earlier;
	size_t                    attempt; /* this site's, this one counted */
	uint32_t                  seq;     /* 拍摄序号 in the session */
	char                      why_zh[512]; /* the refusal in Chinese (UI) */
	enum gc_mstatus           merge_status; /* when a second photo is
	                                         * refused: the student's */
	enum gc_capture_bound {
		GC_BOUND_NONE,
		GC_BOUND_PHOTO, /* refused: this photo is another student's */
		GC_BOUND_CODE,  /* refused: the capture code is */
	} bound; /* why names the other student; a caller facing students
	          * words its own refusal from this */
};

/* Finds the student, refuses a second capture this season unless
 * r->again or the student is MISSING or NEEDS_RETAKE in the merge (a
 * rejected or voided photo: the makeup list names it) (o->why), and normalises and checks the photo into o->res (a
 * shot that makes no photo: o->why). GC_OK unless something broke. The
 * pipeline is not thread-safe. */
gc_err gc_capture_prepare(struct gc_node *n, gc_pipeline *pl,
    const struct gc_capture_req *r, struct gc_capture_out *o,
    struct gc_diag *d);

/* gc_capture_prepare's first two steps, for a caller that holds the
 * ledger for the lookups only (the portal: many photos at once):
 * gc_capture_admit finds the student and refuses a second capture (o->why),
 * reading the ledger (hold it); gc_capture_frame then, when o->why is
 * empty, runs the pipeline (no ledger: do not hold it). The bindings are
 * tested again by gc_capture_store. */
gc_err gc_capture_admit(struct gc_node *n, const struct gc_capture_req *r,
    struct gc_capture_out *o, struct gc_diag *d);
gc_err gc_capture_frame(gc_pipeline *pl, const struct gc_capture_req *r,
    struct gc_capture_out *o);

/* Stores what gc_capture_prepare made: every failed check needs an
 * override in r (else o->why); then the CAPTURE entry with the normalised
 * photo and the original, in one transaction (o->stored, o->entry). */
gc_err gc_capture_store(struct gc_node *n, const struct gc_profile *p,
    const struct gc_session_rec *sess, const struct gc_capture_req *r,
    struct gc_capture_out *o, struct gc_diag *d);

#endif
