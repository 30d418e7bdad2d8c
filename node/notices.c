#include "node/notices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/file.h>

#include "common/buf.h"
#include "common/fileio.h"
#include "common/gc_alloc.h"
#include "common/rosterdb.h"
#include "node/merge_view.h"

#define SENT_FILE "notices-sent"
#define SENT_MAX  ((size_t)64 << 20)

static void
ob_path(const struct gc_node *n, char *out, size_t cap, const char *tail)
{
	snprintf(out, cap, "%s/%s%s", n->home, SENT_FILE, tail);
}

static bool
ob_is_sent(const struct gc_outbox *ob, const char *id)
{
	for (size_t i = 0; i < ob->nsent; i++) {
		if (strcmp(ob->sent[i], id) == 0) {
			return true;
		}
	}
	return false;
}

/* notices-sent: one id (16 hex digits) a line; absent means none. */
static gc_err
ob_sent_load(struct gc_node *n, struct gc_outbox *ob, struct gc_diag *d)
{
	char     path[4200], why[256];
	uint8_t *data;
	size_t   len, line = 0;
	char    *p, *save = NULL;

	ob_path(n, path, sizeof(path), "");
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		return GC_OK;
	}
	data = gc_file_read(path, SENT_MAX, &len, why, sizeof(why));
	if (data == NULL) {
		gc_diag_set(d, "%s: %s", path, why);
		return GC_EIO;
	}
	for (p = strtok_r((char *)data, "\n", &save); p != NULL;
	     p = strtok_r(NULL, "\n", &save)) {
		line++;
		if (strlen(p) != 16 || strspn(p, "0123456789abcdef") != 16) {
			gc_diag_set(d, "%s line %zu: not a notice id (16 hex "
			    "digits)", path, line);
			gc_free(data);
			return GC_ECORRUPT;
		}
		ob->sent = gc_xrealloc(ob->sent, (ob->nsent + 1) *
		    sizeof(*ob->sent));
		ob->sent[ob->nsent++] = gc_xstrdup(p);
	}
	gc_free(data);
	return GC_OK;
}

gc_err
gc_outbox_mark_sent(struct gc_node *n, struct gc_outbox *ob, const char *id,
    struct gc_diag *d)
{
	char          path[4200], tmp[4200], why[256];
	struct gc_buf b;
	int           rc;

	if (!ob_is_sent(ob, id)) {
		ob->sent = gc_xrealloc(ob->sent, (ob->nsent + 1) *
		    sizeof(*ob->sent));
		ob->sent[ob->nsent++] = gc_xstrdup(id);
	}
	gc_buf_init(&b);
	for (size_t i = 0; i < ob->nsent; i++) {
		gc_buf_printf(&b, "%s\n", ob->sent[i]);
	}
	ob_path(n, path, sizeof(path), "");
	ob_path(n, tmp, sizeof(tmp), ".tmp");
	unlink(tmp);
	rc = gc_buf_status(&b) == GC_OK ? gc_file_write(tmp, b.data, b.len, 0,
	    0600, why, sizeof(why)) : -1;
	if (rc == 0 && rename(tmp, path) != 0) {
		snprintf(why, sizeof(why), "%s", strerror(errno));
		unlink(tmp);
		rc = -1;
	}
	gc_buf_release(&b);
	if (rc != 0) {
		gc_diag_set(d, "%s: %s", path, why);
		return GC_EIO;
	}
	return GC_OK;
}

gc_err
gc_outbox_lock(const struct gc_node *n, int *fd, struct gc_diag *d)
{
	char path[4200];

	ob_path(n, path, sizeof(path), ".lock");
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0) {
		gc_diag_set(d, "%s: %s", path, strerror(errno));
		return GC_EIO;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		close(*fd);
		*fd = -1;
		if (e == EWOULDBLOCK) {
			gc_diag_set(d, "another `gradcap online notices --send` "
			    "is sending (%s is locked); try again when it is "
			    "done", path);
			return GC_EAGAIN;
		}
		gc_diag_set(d, "%s: %s", path, strerror(e));
		return GC_EIO;
	}
	return GC_OK;
}

void
gc_outbox_unlock(int fd)
{
	if (fd >= 0) {
		close(fd); /* the flock goes with it */
	}
}

gc_err
gc_outbox_load(struct gc_node *n, uint64_t since_ms, struct gc_outbox *ob,
    struct gc_diag *d)
{
	struct gc_notice *nt = NULL;
	size_t            nn = 0, k = 0, len;
	gc_err            rv;

	memset(ob, 0, sizeof(*ob));
	rv = gc_online_cfg_load(n->cfg, &ob->cfg, d);
	if (rv == GC_OK) {
		rv = gc_merge_node(n, &ob->m, d);
	}
	if (rv == GC_OK) {
		rv = ob_sent_load(n, ob, d);
	}
	if (rv != GC_OK) {
		return rv;
	}
	ob->now_ms = gc_review_window_now_ms();
	rv = gc_notices_make(ob->m, &ob->cfg, ob->now_ms, &nt, &nn);
	if (rv != GC_OK || nn == 0) {
		return rv;
	}
	ob->item = gc_alloc(nn * sizeof(*ob->item));
	if (ob->item == NULL) {
		gc_free(nt);
		return GC_ENOMEM;
	}
	for (size_t i = 0; i < nn; i++) {
		struct gc_outbox_item *it = &ob->item[k];
		struct gc_row          row;
		struct gc_buf          b;

		if (nt[i].time_ms < since_ms) {
			continue;
		}
		memset(it, 0, sizeof(*it));
		it->nt = nt[i];
		if (gc_row_of(n->lg, nt[i].st->key, &row) == GC_OK) {
			snprintf(it->student_no, sizeof(it->student_no), "%s",
			    row.v[GC_ROW_STUDENT_NO]);
			snprintf(it->name, sizeof(it->name), "%s",
			    row.v[GC_ROW_NAME]);
			snprintf(it->email, sizeof(it->email), "%s",
			    row.v[GC_ROW_EMAIL]);
		}
		if (nt[i].kind != GC_NOTICE_RECEIVED &&
		    nt[i].kind != GC_NOTICE_APPROVED) {
			gc_merge_review_reason(n, nt[i].cap, it->reason,
			    sizeof(it->reason));
		}
		gc_buf_init(&b);
		gc_notice_text(&b, &it->nt, it->name, it->reason);
		it->text = (char *)gc_buf_take(&b, &len);
		if (it->text == NULL) {
			rv = GC_ENOMEM;
			break;
		}
		it->sent = ob_is_sent(ob, it->nt.id);
		k++;
	}
	ob->n = k;
	gc_free(nt);
	return rv;
}

void
gc_outbox_release(struct gc_outbox *ob)
{
	for (size_t i = 0; i < ob->n; i++) {
		gc_free(ob->item[i].text);
	}
	for (size_t i = 0; i < ob->nsent; i++) {
		gc_free(ob->sent[i]);
	}
	gc_free(ob->sent);
	gc_free(ob->item);
	gc_merge_free(ob->m);
	memset(ob, 0, sizeof(*ob));
}

bool
gc_outbox_time_parse(const char *s, uint64_t *ms)
{
	struct tm tm;
	char     *end;
	long long v;
	int       off = 0;
	time_t    t;

	errno = 0;
	v     = strtoll(s, &end, 10);
	if (end != s && *end == '\0' && errno == 0 && v >= 0) {
		*ms = (uint64_t)v * 1000;
		return true;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M", &tm);
	if (end == NULL) {
		return false;
	}
	if (*end == ':') {
		end = strptime(end, ":%S", &tm);
		if (end == NULL) {
			return false;
		}
	}
	if (strcmp(end, "+08:00") == 0) {
		off = 8 * 3600;
	} else if (strcmp(end, "Z") != 0) {
		return false;
	}
	t = timegm(&tm);
	if (t < off) {
		return false;
	}
	*ms = (uint64_t)(t - off) * 1000;
	return true;
}
