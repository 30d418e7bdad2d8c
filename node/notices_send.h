/* notices_send: the outbox's notices by e-mail over SMTP with libcurl
 * (`gradcap online notices --send`, docs/online-guide.md "Notices"). The
 * settings are gradcap.ini's [notify]: smtp_url (smtp:// with STARTTLS
 * when the server offers it, or smtps://), from, credentials_file (one
 * line user:password, read when sending, never logged or printed). */
#ifndef GC_NODE_NOTICES_SEND_H
#define GC_NODE_NOTICES_SEND_H

#include "common/config.h"
#include "common/gc_err.h"
#include "node/notices.h"

struct gc_notify_cfg {
	char url[512];
	char from_addr[256];  /* noreply@example.edu.cn */
	char from_name[256];  /* 教务处, "" when none */
	char cred_file[4096]; /* "" when none */
};

/* [notify] of c. GC_EINVAL with d naming the setting: smtp_url absent or
 * not smtp:// or smtps://, from without an address. */
gc_err gc_notify_cfg_load(const gc_config *c, struct gc_notify_cfg *out,
    struct gc_diag *d);

typedef struct gc_mailer gc_mailer;

/* A mail client for cfg (one connection, reused between messages). Reads
 * the credentials file: GC_EIO or GC_EINVAL with d naming it (never its
 * contents). On failure *out is NULL. */
gc_err gc_mailer_open(gc_mailer **out, const struct gc_notify_cfg *cfg,
    struct gc_diag *d);

/* Sends the item's notice to it->email: a text/plain UTF-8 message, the
 * subject RFC 2047-encoded. Blocks. GC_EIO with d holding the server's
 * last answer (or libcurl's reason when there was none). */
gc_err gc_mailer_send(gc_mailer *ml, const struct gc_outbox_item *it,
    uint64_t now_ms, struct gc_diag *d);

void gc_mailer_close(gc_mailer *ml); /* NULL-safe */

#endif
