/* signin: the sign-in sheet (签到表) of a capture session: the students of
 * a class (or the makeup list, or everyone) in roster order, each with its
 * number on the sheet (序号), the ID number masked, its status in the
 * merge and, once shot in the node's open session, its shooting number
 * there (拍摄序号, CAPTURE field 14). Shared by `gradcap session sheet`
 * (node/cmd_signin.c) and the UI's /api/signin (node/ui_api.c). */
#ifndef GC_NODE_SIGNIN_H
#define GC_NODE_SIGNIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/mergecore.h"
#include "node/node.h"

struct gc_signin_row {
	uint32_t        no;   /* 序号: 1, 2, ... in roster order */
	char            key[80];
	char            student_no[128], name[128], klass[128];
	char            id_masked[128];
	enum gc_mstatus status;
	uint32_t        shot; /* 拍摄序号 in the open session, 0: not yet */
};

struct gc_signin {
	struct gc_signin_row *rows;
	size_t                n;
	bool                  has_session; /* a session is open on the node */
	char                  session[64];
	char                  location[128];
	int                   kind;        /* enum gc_session_kind */
};

/* Which students: of one class (NULL: every class); only those who still
 * need a photo (MISSING or NEEDS_RETAKE: the makeup list) when
 * missing_only. */
gc_err gc_signin_make(struct gc_node *n, const char *klass, bool missing_only,
    struct gc_signin *out, struct gc_diag *d);
void   gc_signin_free(struct gc_signin *s);

/* The status as the sheet prints it: 未拍摄, 需重拍, 待审核, 已通过, 冲突,
 * 免拍. */
const char *gc_signin_status_zh(enum gc_mstatus s);

/* The sheet as a text table, as CSV (UTF-8 with BOM, for Excel) and as a
 * printable HTML page (A4, one row per student with room to sign);
 * title names the class or the selection. */
void gc_signin_text(const struct gc_signin *s, struct gc_buf *b);
void gc_signin_csv(const struct gc_signin *s, struct gc_buf *b);
void gc_signin_html(const struct gc_signin *s, const char *title,
    struct gc_buf *b);
/* {"session": {...}|null, "students": [{no, key, student_no, name, class,
 * id_masked, status, shot}]} */
void gc_signin_json(const struct gc_signin *s, struct gc_buf *b);

#endif
