/* Between node/portal.c (the server, its policy, signing in and out) and
 * node/portal_api.c (what a signed-in student may ask). */
#ifndef GC_NODE_PORTAL_INT_H
#define GC_NODE_PORTAL_INT_H

#include <pthread.h>

#include "capture/pipeline.h"
#include "capture/profile.h"
#include "node/httpd.h"
#include "node/node.h"
#include "node/portal_drafts.h"
#include "node/ratelimit.h"

#define GC_PORTAL_PHOTO_MAX ((size_t)16 << 20) /* a student's file */
#define GC_PORTAL_GUIDE_MAX ((size_t)512 << 10) /* one live-guide frame */

/* The portal's capture: one pipeline (not thread-safe: plmtx), opened on
 * first use with the school profile, and the students' drafts. */
struct gc_portal_capture {
	pthread_mutex_t   plmtx;
	gc_pipeline      *pl;
	struct gc_profile prof;
	bool              tried;
	char              err[600];
	gc_drafts        *drafts;
	gc_ratelimit     *photos; /* photos checked per student (CPU) */
	gc_ratelimit     *checks; /* answers to the check per student */
	gc_ratelimit     *guide_s, *guide_h; /* live-guide frames per
	                                      * student a second, an hour */
	unsigned          methods; /* [online] methods (review_window.h) */
};

/* One request of a signed-in student (pool thread). */
struct gc_portal_req {
	struct gc_node      *n;
	pthread_mutex_t     *lgmtx;
	struct gc_httpd_req *r;
	const char          *student; /* the session's student key */
	const char          *csrf;    /* the session's token, for answers */
	const char          *school;  /* [school] name, or "" */
	const char          *notice;  /* [online] notice(_file), or "" */
	struct gc_portal_capture *cap;
};

/* Answers a route of the signed-in student; false when the path is not
 * one (404). */
bool gc_portal_api(struct gc_portal_req *p);

/* The student's check of the finished photo (node/portal_check.c):
 * GET /api/final, GET and POST /api/check; false when the path is not
 * one of them. */
bool gc__portal_check_route(struct gc_portal_req *p);
/* POST /api/guide (node/portal_guide.c): the live guide on one frame. */
void gc_portal_guide(struct gc_portal_req *p);
/* The pipeline, opened on first use (cap->plmtx held); false with
 * cap->err set when it cannot be. */
bool gc_portal_pipeline_ready(struct gc_portal_req *p);

/* The project's JSON error answer (status, code, English, Chinese). */
void gc_portal_error(struct gc_httpd_req *r, int status, const char *code,
    const char *en, const char *zh);

#endif
