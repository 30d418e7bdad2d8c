/* What a signed-in student may ask of the portal (node/portal_int.h): only
 * about themselves, the student of their session; ID numbers masked. */
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/gc_alloc.h"
#include "common/idnum.h"
#include "common/ledger.h"
#include "common/mergecore.h"
#include "common/rosterdb.h"
#include "node/portal_int.h"

/* GET /api/me: {"csrf", "school", "student": {name, student_no,
 * id_masked, level, major, class}, "status"}. */
static void
api_me(struct gc_portal_req *p)
{
	struct gc_httpd_req *r = p->r;
	struct gc_row        row;
	enum gc_mstatus      st  = GC_MS_MISSING;
	struct gc_mcap      *caps = NULL;
	size_t               ncap = 0;
	char                 masked[128];
	gc_err               rv;

	pthread_mutex_lock(p->lgmtx);
	rv = gc_row_of(p->n->lg, p->student, &row);
	if (rv == GC_OK && gc_ledger_merge_student(p->n->lg, p->student, &st,
	    &caps, &ncap) != GC_OK) {
		st = GC_MS_MISSING;
	}
	pthread_mutex_unlock(p->lgmtx);
	gc_free(caps);
	if (rv != GC_OK) {
		/* removed from the roster since signing in */
		gc_portal_error(r, 401, "unauthorized", "sign in again",
		    "请重新登录");
		return;
	}
	gc_idnum_mask(masked, sizeof(masked), row.v[GC_ROW_ID_NUMBER]);
	r->ctype = "application/json";
	gc_buf_reset(&r->out);
	gc_buf_puts(&r->out, "{\"csrf\":");
	gc_json_str(&r->out, p->csrf);
	gc_buf_puts(&r->out, ",\"school\":");
	gc_json_str(&r->out, p->school);
	gc_buf_puts(&r->out, ",\"student\":{\"name\":");
	gc_json_str(&r->out, row.v[GC_ROW_NAME]);
	gc_buf_puts(&r->out, ",\"student_no\":");
	gc_json_str(&r->out, row.v[GC_ROW_STUDENT_NO]);
	gc_buf_puts(&r->out, ",\"id_masked\":");
	gc_json_str(&r->out, masked);
	gc_buf_puts(&r->out, ",\"level\":");
	gc_json_str(&r->out, row.v[GC_ROW_LEVEL]);
	gc_buf_puts(&r->out, ",\"major\":");
	gc_json_str(&r->out, row.v[GC_ROW_MAJOR]);
	gc_buf_puts(&r->out, ",\"class\":");
	gc_json_str(&r->out, row.v[GC_ROW_CLASS]);
	gc_buf_printf(&r->out, "},\"status\":\"%s\"}", gc_mstatus_name(st));
}

bool
gc_portal_api(struct gc_portal_req *p)
{
	if (strcmp(p->r->path, "/api/me") == 0 &&
	    strcmp(p->r->method, "GET") == 0) {
		api_me(p);
		return true;
	}
	return false;
}
