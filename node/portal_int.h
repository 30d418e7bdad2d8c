/* Between node/portal.c (the server, its policy, signing in and out) and
 * node/portal_api.c (what a signed-in student may ask). */
#ifndef GC_NODE_PORTAL_INT_H
#define GC_NODE_PORTAL_INT_H

#include <pthread.h>

#include "capture/pipeline.h"
#include "capture/profile.h"
#include "common/config.h"
#include "common/review_window.h"
#include "node/httpd.h"
#include "node/node.h"
#include "node/portal_bind.h"
#include "node/portal_drafts.h"
#include "node/ratelimit.h"

#define GC_PORTAL_PHOTO_MAX ((size_t)16 << 20) /* a student's file */
#define GC_PORTAL_GUIDE_MAX ((size_t)512 << 10) /* one live-guide frame */

#define GC_PORTAL_PIPES_MAX 16

/* A photo of more pixels is refused from its header: the largest phone
 * cameras' own mode is 50 MP (their 108/200 MP modes are for zooming),
 * while the decoder's limit (GC_IMAGE_MAX_PIXELS) is 120 MP; 100 MP of a
 * small progressive file cost ~6 s and ~360 MB to decode. */
#define GC_PORTAL_PIXELS_MAX ((uint64_t)50000000)

/* Photos being checked at once, at most (students; a full table answers
 * 429 busy: more would only wait for the pipelines) */
#define GC_PORTAL_INFLIGHT 64

/* The portal's capture: a small pool of pipelines (node/portal_pipes.c),
 * at most one per CPU, opened on first use with the school profile and
 * sharing one face model (capture/face.h); and the students' drafts. */
struct gc_portal_capture {
	pthread_mutex_t   plmtx;  /* guards the pool: the fields to err */
	pthread_cond_t    plcond; /* a pipeline came back, or broken */
	gc_pipeline      *idle[GC_PORTAL_PIPES_MAX]; /* given back */
	int               nidle;
	int               nopen;  /* open or being opened */
	int               max;    /* how many may be */
	bool              tried;  /* prof loaded (or failed) */
	bool              broken; /* no pipeline can be had: err says why */
	char              err[600];
	/* loaded under plmtx before the first pipeline is handed out, read
	 * only from then on (the confirm's record names it) */
	struct gc_profile prof;
	gc_drafts        *drafts;
	gc_ratelimit     *photos; /* photos checked per student (CPU) */
	/* the students whose photo is being checked now: one at a time */
	pthread_mutex_t   inmtx;
	char              inflight[GC_PORTAL_INFLIGHT][80];
	gc_ratelimit     *checks; /* answers to the check per student */
	gc_ratelimit     *codes;  /* 采集码 refused per student (probing) */
	gc_ratelimit     *guide_s, *guide_h; /* live-guide frames per
	                                      * student a second, an hour */
	/* the [online] settings, read (and refused when bad) at start */
	struct gc_online_cfg     online;
	enum gc_portal_code_mode code_mode;
	bool                     ask_address; /* [online] ask_address */
	char                    *rules; /* gc__portal_rules_json's, for /api/me */
};

/* Sets up c's pool for at most max pipelines (0: one per CPU online,
 * at most GC_PORTAL_PIPES_MAX); nothing opens until the first take. */
void gc_portal_pipes_init(struct gc_portal_capture *c, int max);
/* Closes the pipelines (every one given back: no dispatch runs). */
void gc_portal_pipes_release(struct gc_portal_capture *c);

/* A pipeline of c's for one photo (pool thread; blocks while all are in
 * use, and while one opens: ~0.5 s the first time, the model's load).
 * The first take loads the profile named by cfg ([capture] profile;
 * NULL cfg: the default). NULL when no pipeline can be had (c->err says
 * why, for the 503), then and from then on. Thread-safe. */
gc_pipeline *gc_portal_pipeline_take(struct gc_portal_capture *c,
    const gc_config *cfg);
/* As take, but never waits for a pipeline in use: NULL with *busy then
 * (a live-guide frame is worth something only now; it may still wait
 * while a first pipeline opens). NULL with !*busy as take's NULL. */
gc_pipeline *gc_portal_pipeline_trytake(struct gc_portal_capture *c,
    const gc_config *cfg, bool *busy);
/* Marks student as having a photo checked (false: one is already, or
 * GC_PORTAL_INFLIGHT are); leave unmarks. Thread-safe. */
bool gc_portal_inflight_enter(struct gc_portal_capture *c,
    const char *student);
void gc_portal_inflight_leave(struct gc_portal_capture *c,
    const char *student);
/* Gives back what take gave (NULL-safe); wakes one waiting taker. */
void         gc_portal_pipeline_give(struct gc_portal_capture *c,
    gc_pipeline *pl);

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

/* The photo rules of the school profile the page shows before a photo is
 * taken, as JSON into b: the output size, the background colours, glasses,
 * the clothing colours the school bans, and the largest file the portal
 * takes; null when the profile does not load (the photo route says why).
 * Made once, at the portal's start (cap->rules). */
void gc__portal_rules_json(const gc_config *cfg, struct gc_buf *b);
/* POST /api/guide (node/portal_guide.c): the live guide on one frame. */
void gc_portal_guide(struct gc_portal_req *p);

/* The project's JSON error answer (status, code, English, Chinese). */
void gc_portal_error(struct gc_httpd_req *r, int status, const char *code,
    const char *en, const char *zh);

#endif
