/* ui: the operator UI and its JSON API, served by `gradcap serve` on the
 * HTTP front of node/httpd.h (DESIGN §10, docs/api.md): ui_http.c holds
 * the UI's policy (Host and Origin, login, sessions, CSRF), ui_api.c its
 * routes. Requests are taken on nng threads, queued to the serve loop and
 * answered from its thread pool (STYLE §9): the ledger is used under the
 * serve's ledger mutex. */
#ifndef GC_NODE_UI_H
#define GC_NODE_UI_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#include "common/buf.h"
#include "node/httpd.h"
#include "node/node.h"

#define GC_UI_DEFAULT_URL "http://127.0.0.1:8080"

struct gc_ui;

/* Starts the UI at url (http://HOST:PORT) on loop. lgmtx guards every use
 * of n->lg by the pool. Beyond loopback a [ui] password_hash is required.
 * The node must outlive the UI. */
gc_err gc_ui_start(struct gc_ui **out, uv_loop_t *loop, struct gc_node *n,
    pthread_mutex_t *lgmtx, const char *url, struct gc_diag *d);
/* Stops accepting, answers what is queued with 503 and frees (loop
 * thread). NULL-safe. */
void   gc_ui_stop(struct gc_ui *ui);

/* ---- between ui_http.c and ui_api.c ---- */

/* One request as the API sees it (pool thread). */
struct gc_ui_req {
	struct gc_node  *n;
	pthread_mutex_t *lgmtx;
	const char      *method, *path, *query; /* query: after '?', or "" */
	const char      *body;
	size_t           body_len;
	bool             coordinator;
	/* the answer */
	int              status;
	const char      *ctype;
	struct gc_buf    out;
	void            *shots; /* the pending shots (ui_api.c) */
};

/* Handles an /api/ route other than session, login and logout; false
 * when the path is not one (404). */
bool gc_ui_api(struct gc_ui_req *r);

/* A JSON error answer: {"error":{"code","message","message_zh"}}. */
void gc_ui_error(struct gc_ui_req *r, int status, const char *code,
    const char *en, const char *zh);

/* The pending shots of the capture station (ui_api.c). */
void *gc_ui_shots_new(void);
void  gc_ui_shots_free(void *shots);

/* The embedded assets (generated from node/ui/ by the build). */
extern const struct gc_httpd_asset gc_ui_assets[];
extern const size_t                gc_ui_nassets;

#endif
