/* online_invite: the coordinator's invitations to online capture
 * (docs/online-guide.md): a new sign-in code for each chosen student, the
 * codes' hashes in one signed INVITE entry, and what the school sends out:
 * a list (.csv or .xlsx) with each student's link and code, and a sheet of
 * QR codes to print (.html). Used by `gradcap online invite`. */
#ifndef GC_NODE_ONLINE_INVITE_H
#define GC_NODE_ONLINE_INVITE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/invite.h"
#include "node/node.h"

/* Which students: of one class (NULL: all), only those who still need a
 * photo (missing), or the ones named (refs: ID numbers, 学号 or 考生号;
 * nrefs 0: by class and missing). */
struct gc_invite_opts {
	const char        *klass;
	bool               missing;
	const char *const *refs;
	size_t             nrefs;
	const char        *portal; /* the portal's base URL; NULL: no links */
};

struct gc_invitee {
	char key[80];
	char student_no[128], name[128], klass[128], level[128];
	char id_masked[128];
	char code[GC_INVITE_CODE_LEN];
	char link[512];
};

struct gc_invites {
	struct gc_invitee *v;
	size_t             n;
};

/* Picks the students and makes their codes; nothing is stored yet.
 * GC_EINVAL with d naming what is wrong (a ref not on the roster, nobody
 * chosen). */
gc_err gc_invite_make(struct gc_node *n, const struct gc_invite_opts *o,
    struct gc_invites *out, struct gc_diag *d);
/* Appends the INVITE entry with the codes' hashes (n opened with its key;
 * the coordinator): from then on they sign the students in, and their
 * earlier codes no longer do. */
gc_err gc_invite_store(struct gc_node *n, const struct gc_invite_opts *o,
    const struct gc_invites *iv, struct gc_diag *d);
void   gc_invites_free(struct gc_invites *iv);

/* The list for the school's SMS / WeChat / e-mail platform: CSV (UTF-8
 * with BOM) or an .xlsx file at path; the sheet of QR codes (one card per
 * student: name, class, QR of the link, the code) as a printable page. */
void   gc_invites_csv(const struct gc_invites *iv, struct gc_buf *b);
gc_err gc_invites_xlsx(const struct gc_invites *iv, const char *path,
    struct gc_diag *d);
gc_err gc_invites_sheet(const struct gc_invites *iv, const char *title,
    struct gc_buf *b, struct gc_diag *d);

#endif
