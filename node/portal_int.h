/* Between node/portal.c (the server, its policy, signing in and out) and
 * node/portal_api.c (what a signed-in student may ask). */
#ifndef GC_NODE_PORTAL_INT_H
#define GC_NODE_PORTAL_INT_H

#include <pthread.h>

#include "node/httpd.h"
#include "node/node.h"

/* One request of a signed-in student (pool thread). */
struct gc_portal_req {
	struct gc_node      *n;
	pthread_mutex_t     *lgmtx;
	struct gc_httpd_req *r;
	const char          *student; /* the session's student key */
	const char          *csrf;    /* the session's token, for answers */
	const char          *school;  /* [school] name, or "" */
};

/* Answers a route of the signed-in student; false when the path is not
 * one (404). */
bool gc_portal_api(struct gc_portal_req *p);

/* The project's JSON error answer (status, code, English, Chinese). */
void gc_portal_error(struct gc_httpd_req *r, int status, const char *code,
    const char *en, const char *zh);

#endif
