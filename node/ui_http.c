/* The UI's HTTP side (node/ui.h, docs/api.md): one nng tree handler on
 * "/" takes every request, strips the query string and hands the request
 * to the serve loop, which answers it from its thread pool. Assets are
 * served by exact path from the embedded table; the API needs a session
 * (cookie) and, to change anything, its CSRF token; requests from other
 * hosts or origins are refused. */
#include <ctype.h>
#include <stdatomic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/tls/tls.h>
#include <sodium.h>

#include "common/gc_alloc.h"
#include "common/gc_log.h"
#include "node/cli.h"
#include "common/json.h"
#include "node/ui.h"
#include "sync/tls.h"

#define BODY_COLLECT ((size_t)16 << 20) /* nng refuses more (400) */
#define BODY_MAX     ((size_t)64 << 10) /* we refuse more (413) */
#define IMPORT_MAX   ((size_t)16 << 20) /* a photo file (/api/import) */
#define NSESS        64
#define SESS_IDLE_S  (12 * 3600)

struct sess {
	char   sid[65], csrf[65];
	time_t used;
};

struct ui_job {
	struct gc_ui  *ui;
	nng_aio       *aio;
	uv_work_t      work;
	char           method[16], path[512], query[1024];
	char          *cookie; /* the whole header (gc_alloc'd), or NULL */
	char           csrf[128], host[256], origin[256];
	bool           chunked;
	char          *body;
	size_t         body_len;
	bool           too_large;
	/* the answer */
	int            status;
	const char    *ctype;
	char           set_cookie[256];
	struct gc_buf  out;
	const struct gc_ui_asset *asset;
	struct ui_job *next;
};

struct gc_ui {
	uv_loop_t        *loop;
	struct gc_node   *n;
	pthread_mutex_t  *lgmtx;
	nng_http_server  *srv;
	nng_http_handler *h;
	nng_tls_config   *tls;
	bool              https;
	uv_async_t        wake;
	uv_mutex_t        qmtx; /* guards queue, stopping */
	struct ui_job    *queue;
	bool              stopping;
	pthread_mutex_t   smtx; /* guards sess */
	struct sess       sess[NSESS];
	char              hosts[8][280]; /* Host values accepted ("" unused) */
	char              cookie_name[32];
	atomic_int        logins; /* password checks running */
	atomic_int        refs;   /* the loop's, and nng's handler's */
	bool              loopback;
	const char       *pwhash; /* NULL: no password */
	void             *shots;
	int               inflight; /* jobs in the pool (loop thread) */
	bool              stop_pending; /* stop once the pool is empty */
};

/* ---- helpers ---- */

void
gc_ui_error(struct gc_ui_req *r, int status, const char *code,
    const char *en, const char *zh)
{
	gc_buf_reset(&r->out);
	r->status = status;
	r->ctype  = "application/json";
	gc_buf_puts(&r->out, "{\"error\":{\"code\":");
	gc_json_str(&r->out, code);
	gc_buf_puts(&r->out, ",\"message\":");
	gc_json_str(&r->out, en);
	gc_buf_puts(&r->out, ",\"message_zh\":");
	gc_json_str(&r->out, zh);
	gc_buf_puts(&r->out, "}}");
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool
gc_ui_query(const char *query, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);

	for (const char *p = query; p != NULL && *p;) {
		const char *end = strchr(p, '&');
		size_t      l   = end ? (size_t)(end - p) : strlen(p);

		if (l > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			size_t o = 0;

			for (size_t i = nl + 1; i < l; i++) {
				int c = (unsigned char)p[i];

				if (c == '+') {
					c = ' ';
				} else if (c == '%' && i + 2 < l + 1 &&
				    hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
					c = hexval(p[i + 1]) * 16 + hexval(p[i + 2]);
					i += 2;
				}
				if (c == 0 || o + 1 >= cap) {
					out[0] = '\0';
					return false;
				}
				out[o++] = (char)c;
			}
			out[o] = '\0';
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

static void
hdr_copy(nng_http_req *req, const char *name, char *out, size_t cap)
{
	const char *v = nng_http_req_get_header(req, name);

	snprintf(out, cap, "%s", v != NULL ? v : "");
}

/* Every gc_sid_<port> cookie's value in turn: cb until it returns true
 * (a live session); the cookie is named per port, so the UIs of several
 * nodes on one computer keep their own sessions. */
static bool
cookie_each(const struct gc_ui *ui, const char *cookie,
    bool (*cb)(struct gc_ui *, const char *, void *), void *arg)
{
	const char *p = cookie;
	size_t      nl = strlen(ui->cookie_name);

	while (p != NULL && *p) {
		while (*p == ' ' || *p == ';') {
			p++;
		}
		if (strncmp(p, ui->cookie_name, nl) == 0 && p[nl] == '=' &&
		    strcspn(p + nl + 1, "; ") == 64) {
			char v[65];

			memcpy(v, p + nl + 1, 64);
			v[64] = '\0';
			if (cb((struct gc_ui *)ui, v, arg)) {
				return true;
			}
		}
		p = strchr(p, ';');
	}
	return false;
}

static void
rand_hex(char out[65])
{
	uint8_t b[32];

	randombytes_buf(b, sizeof(b));
	gc_hex_encode(out, b, 32);
}

/* The session of sid, refreshed; NULL when none (ui->smtx held). */
static struct sess *
sess_find(struct gc_ui *ui, const char *sid)
{
	time_t now = time(NULL);

	if (sid[0] == '\0') {
		return NULL;
	}
	for (int i = 0; i < NSESS; i++) {
		struct sess *s = &ui->sess[i];

		if (s->sid[0] && now - s->used > SESS_IDLE_S) {
			sodium_memzero(s, sizeof(*s));
		}
		if (s->sid[0] && sodium_memcmp(s->sid, sid, 64) == 0) {
			s->used = now;
			return s;
		}
	}
	return NULL;
}

/* A new session (the least recently used one gives way). */
static void
sess_new(struct gc_ui *ui, struct ui_job *j, char csrf[65])
{
	struct sess *s = &ui->sess[0];

	pthread_mutex_lock(&ui->smtx);
	for (int i = 0; i < NSESS; i++) {
		if (ui->sess[i].sid[0] == '\0') {
			s = &ui->sess[i];
			break;
		}
		if (ui->sess[i].used < s->used) {
			s = &ui->sess[i];
		}
	}
	rand_hex(s->sid);
	rand_hex(s->csrf);
	s->used = time(NULL);
	memcpy(csrf, s->csrf, 65);
	snprintf(j->set_cookie, sizeof(j->set_cookie), "%s=%s; Path=/; "
	    "HttpOnly; SameSite=Strict%s", ui->cookie_name, s->sid,
	    ui->https ? "; Secure" : "");
	pthread_mutex_unlock(&ui->smtx);
}

/* ---- the session routes ---- */

static void
session_json(struct gc_ui *ui, struct gc_ui_req *r, bool logged_in,
    const char *csrf)
{
	char hex[65];

	gc_hex_encode(hex, ui->n->info.self, 32);
	r->status = 200;
	r->ctype  = "application/json";
	gc_buf_reset(&r->out);
	gc_buf_puts(&r->out, "{\"node\":{\"name\":");
	gc_json_str(&r->out, ui->n->info.name);
	gc_buf_puts(&r->out, ",\"role\":");
	gc_json_str(&r->out, gc_role_name(ui->n->info.role));
	gc_buf_puts(&r->out, ",\"school\":");
	gc_json_str(&r->out, ui->n->info.school);
	gc_buf_printf(&r->out, ",\"feed\":\"%s\"},\"auth\":\"%s\","
	    "\"logged_in\":%s,\"csrf\":", hex, ui->pwhash ? "password" : "none",
	    logged_in ? "true" : "false");
	gc_json_str(&r->out, logged_in ? csrf : NULL);
	gc_buf_puts(&r->out, ",\"lang\":\"zh\"}");
}

/* The password of a login body {"password": "..."}; false when the body
 * is not such an object. */
static bool
login_password(const char *body, size_t n, char *out, size_t cap)
{
	struct gc_json *doc = NULL;
	const char     *pw;
	bool            ok;

	if (gc_json_parse(&doc, body, n, NULL, 0) != GC_OK) {
		return false;
	}
	pw = gc_json_str_of(doc, "password");
	ok = pw != NULL && strlen(pw) < cap;
	if (ok) {
		memcpy(out, pw, strlen(pw) + 1);
	}
	if (pw != NULL) {
		sodium_memzero((void *)pw, strlen(pw));
	}
	gc_json_free(doc);
	return ok;
}

/* ---- dispatch (pool thread) ---- */

static bool
host_ok(const struct gc_ui *ui, const struct ui_job *j)
{
	char origin[300];
	bool ok = false;

	for (int i = 0; i < 8; i++) {
		ok |= ui->hosts[i][0] && strcasecmp(ui->hosts[i], j->host) == 0;
	}
	if (!ok) {
		return false;
	}
	snprintf(origin, sizeof(origin), "%s://%s", ui->https ? "https" :
	    "http", j->host);
	return j->origin[0] == '\0' || strcasecmp(j->origin, origin) == 0;
}

struct sid_find {
	char *sid, *csrf;
};

/* A live session's id: its id and CSRF token copied out. */
static bool
sid_live(struct gc_ui *ui, const char *v, void *arg)
{
	struct sid_find *f = arg;
	struct sess     *s;

	pthread_mutex_lock(&ui->smtx);
	s = sess_find(ui, v);
	if (s != NULL) {
		memcpy(f->sid, v, 65);
		memcpy(f->csrf, s->csrf, 65);
	}
	pthread_mutex_unlock(&ui->smtx);
	return s != NULL;
}

static void
dispatch(struct ui_job *j)
{
	struct gc_ui    *ui = j->ui;
	struct gc_ui_req r;
	struct sess     *s;
	char             sid[65], csrf[65] = "";
	bool             post = strcmp(j->method, "POST") == 0;
	bool             authed;

	memset(&r, 0, sizeof(r));
	r.n           = ui->n;
	r.lgmtx       = ui->lgmtx;
	r.method      = j->method;
	r.path        = j->path;
	r.query       = j->query;
	r.body        = j->body != NULL ? j->body : "";
	r.body_len    = j->body_len;
	r.coordinator = ui->n->info.role == GC_ROLE_COORDINATOR;
	r.shots       = ui->shots;
	r.status      = 200;
	gc_buf_init(&r.out);
	/* assets: by exact path, GET (and HEAD) only */
	if (strncmp(j->path, "/api/", 5) != 0) {
		const char *p = strcmp(j->path, "/") == 0 ? "/index.html" :
		                                            j->path;

		for (size_t i = 0; i < gc_ui_nassets; i++) {
			if (strcmp(gc_ui_assets[i].path, p) == 0) {
				j->asset = &gc_ui_assets[i];
			}
		}
		if (j->asset == NULL) {
			gc_ui_error(&r, 404, "not_found", "no such page",
			    "没有这个页面");
		} else if (strcmp(j->method, "GET") != 0 &&
		    strcmp(j->method, "HEAD") != 0) {
			j->asset = NULL;
			gc_ui_error(&r, 405, "bad_request", "only GET here",
			    "这里只接受 GET");
		}
		goto out;
	}
	if (!host_ok(ui, j)) {
		gc_ui_error(&r, 403, "forbidden", "this request comes from "
		    "another site or host name; open the UI at its own address",
		    "请求来自其他网站或主机名；请从本机界面的地址打开");
		goto out;
	}
	if (j->too_large) {
		gc_ui_error(&r, 413, "too_large", "the request body is too "
		    "large (64 KiB; a photo file 16 MiB)", "请求内容过大（限 64 "
		    "KiB；照片文件限 16 MiB）");
		goto out;
	}
	if (j->chunked) {
		/* nng 1.5.2 would read the chunks as the next request */
		gc_ui_error(&r, 411, "bad_request", "send the body with a "
		    "Content-Length, not chunked", "请求须带 Content-Length，"
		    "不要分块传输");
		goto out;
	}
	if (!post && strcmp(j->method, "GET") != 0) {
		gc_ui_error(&r, 405, "bad_request", "use GET or POST",
		    "请使用 GET 或 POST");
		goto out;
	}
	{
		struct sid_find sf = { sid, csrf };

		sid[0] = '\0';
		authed = cookie_each(ui, j->cookie, sid_live, &sf);
	}
	if (strcmp(j->path, "/api/session") == 0 && !post) {
		if (!authed && ui->pwhash == NULL) {
			sess_new(ui, j, csrf);
			authed = true;
		}
		session_json(ui, &r, authed, csrf);
		goto out;
	}
	if (strcmp(j->path, "/api/login") == 0 && post) {
		char pw[512];

		if (ui->pwhash == NULL) {
			sess_new(ui, j, csrf);
			session_json(ui, &r, true, csrf);
		} else if (atomic_fetch_add(&ui->logins, 1) >= 2) {
			/* at most two password checks at once: each costs
			 * 64 MiB and a pool thread */
			atomic_fetch_sub(&ui->logins, 1);
			gc_ui_error(&r, 503, "unavailable", "too many logins at "
			    "once: try again in a moment", "登录请求过多：请稍后"
			    "再试");
		} else {
			bool ok = login_password(r.body, r.body_len, pw,
			    sizeof(pw)) && crypto_pwhash_str_verify(ui->pwhash,
			    pw, strlen(pw)) == 0;

			sodium_memzero(pw, sizeof(pw));
			if (ok) {
				sess_new(ui, j, csrf);
				session_json(ui, &r, true, csrf);
				GC_LOG(GC_LOG_NOTICE, "UI-LOGIN", "a session "
				    "started (host %s)", j->host);
			} else {
				sleep(1); /* slows guessing */
				GC_LOG(GC_LOG_WARN, "UI-LOGIN-FAIL", "wrong "
				    "password (host %s)", j->host);
				gc_ui_error(&r, 401, "unauthorized",
				    "wrong password", "密码错误");
			}
			atomic_fetch_sub(&ui->logins, 1);
		}
		goto out;
	}
	if (!authed && (ui->pwhash != NULL || post)) {
		if (post && ui->pwhash == NULL) {
			gc_ui_error(&r, 403, "csrf", "no session: reload the page",
			    "没有会话：请刷新页面");
		} else {
			gc_ui_error(&r, 401, "unauthorized", "log in first",
			    "请先登录");
		}
		goto out;
	}
	if (post && (j->csrf[0] == '\0' || strlen(j->csrf) != 64 ||
	    sodium_memcmp(j->csrf, csrf, 64) != 0)) {
		gc_ui_error(&r, 403, "csrf", "the page's security token is "
		    "missing or stale: reload the page", "页面的安全令牌缺失或"
		    "已过期：请刷新页面");
		goto out;
	}
	if (strcmp(j->path, "/api/logout") == 0 && post) {
		pthread_mutex_lock(&ui->smtx);
		s = sess_find(ui, sid);
		if (s != NULL) {
			sodium_memzero(s, sizeof(*s));
		}
		pthread_mutex_unlock(&ui->smtx);
		snprintf(j->set_cookie, sizeof(j->set_cookie), "%s=; Path=/; "
		    "HttpOnly; SameSite=Strict; Max-Age=0", ui->cookie_name);
		gc_buf_puts(&r.out, "{}");
		r.ctype = "application/json";
		goto out;
	}
	if (!gc_ui_api(&r)) {
		gc_ui_error(&r, 404, "not_found", "no such API route",
		    "没有这个接口");
	}
out:
	j->status = r.status;
	j->ctype  = r.ctype != NULL ? r.ctype : "application/json";
	j->out    = r.out;
}

/* ---- nng → loop → pool → loop ---- */

static void
job_free(struct ui_job *j)
{
	if (j->aio != NULL) {
		static const char body[] = "{\"error\":{\"code\":\"unavailable\","
		    "\"message\":\"the node is stopping\",\"message_zh\":"
		    "\"节点正在停止\"}}";
		nng_http_res *res = NULL;

		if (nng_http_res_alloc(&res) == 0 &&
		    (nng_http_res_set_status(res, 503) != 0 ||
		    nng_http_res_set_header(res, "Content-Type",
		        "application/json") != 0 ||
		    nng_http_res_set_data(res, body, sizeof(body) - 1) != 0)) {
			nng_http_res_free(res);
			res = NULL;
		}
		nng_aio_set_output(j->aio, 0, res);
		nng_aio_finish(j->aio, res != NULL ? 0 : NNG_ENOMEM);
	}
	gc_free(j->cookie);
	gc_free(j->body);
	gc_buf_release(&j->out);
	gc_free(j);
}

static void
work_cb(uv_work_t *w) /* pool thread */
{
	dispatch(w->data);
}

static void ui_stop_now(struct gc_ui *ui);

static void
done_cb(uv_work_t *w, int status) /* loop thread */
{
	struct ui_job *j  = w->data;
	struct gc_ui  *ui = j->ui;
	nng_http_res  *res = NULL;
	int            rc;

	ui->inflight--;
	if (status != 0) { /* canceled */
		job_free(j);
		if (ui->inflight == 0 && ui->stop_pending) {
			ui_stop_now(ui);
		}
		return;
	}
	rc = nng_http_res_alloc(&res);
	if (rc == 0) {
		rc = nng_http_res_set_status(res, (uint16_t)j->status);
	}
	if (rc == 0 && j->asset != NULL) {
		rc = nng_http_res_set_header(res, "Content-Type",
		    j->asset->ctype);
		if (rc == 0) {
			rc = nng_http_res_set_header(res, "Cache-Control",
			    "no-cache");
		}
		if (rc == 0) {
			/* static data: no copy */
			rc = nng_http_res_set_data(res, j->asset->data,
			    j->asset->len);
		}
	} else if (rc == 0) {
		rc = nng_http_res_set_header(res, "Content-Type", j->ctype);
		if (rc == 0) {
			rc = nng_http_res_set_header(res, "Cache-Control",
			    "no-store");
		}
		if (rc == 0 && j->set_cookie[0]) {
			rc = nng_http_res_set_header(res, "Set-Cookie",
			    j->set_cookie);
		}
		if (rc == 0 && gc_buf_status(&j->out) == GC_OK) {
			rc = nng_http_res_copy_data(res, j->out.data, j->out.len);
		}
	}
	if (rc == 0) {
		rc = nng_http_res_set_header(res, "X-Content-Type-Options",
		    "nosniff");
	}
	if (rc == 0) {
		rc = nng_http_res_set_header(res, "Content-Security-Policy",
		    "default-src 'self'; img-src 'self' blob:; "
		    "frame-ancestors 'none'");
	}
	if (rc != 0) {
		if (res != NULL) {
			nng_http_res_free(res);
		}
		res = NULL;
	}
	nng_aio_set_output(j->aio, 0, res);
	/* no answer could be made: nng closes the connection */
	nng_aio_finish(j->aio, res != NULL ? 0 : NNG_ENOMEM);
	j->aio = NULL;
	job_free(j);
	if (ui->inflight == 0 && ui->stop_pending) {
		ui_stop_now(ui); /* the last answer is out: the server can go */
	}
}

static void
wake_cb(uv_async_t *h) /* loop thread */
{
	struct gc_ui  *ui = h->data;
	struct ui_job *j;

	uv_mutex_lock(&ui->qmtx);
	j         = ui->queue;
	ui->queue = NULL;
	uv_mutex_unlock(&ui->qmtx);
	while (j != NULL) {
		struct ui_job *next = j->next;

		j->work.data = j;
		ui->inflight++;
		if (uv_queue_work(ui->loop, &j->work, work_cb, done_cb) != 0) {
			ui->inflight--;
			job_free(j);
		}
		j = next;
	}
}

static void
http_cb(nng_aio *aio) /* nng thread */
{
	nng_http_req     *req = nng_aio_get_input(aio, 0);
	nng_http_handler *h   = nng_aio_get_input(aio, 1);
	struct gc_ui     *ui  = nng_http_handler_get_data(h);
	struct ui_job    *j   = gc_alloc(sizeof(*j));
	const char       *uri = nng_http_req_get_uri(req);
	void             *data;
	size_t            len, pl;

	if (j == NULL) {
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	memset(j, 0, sizeof(*j));
	j->ui  = ui;
	j->aio = aio;
	gc_buf_init(&j->out);
	snprintf(j->method, sizeof(j->method), "%s",
	    nng_http_req_get_method(req));
	/* the path without its query string: matched exactly, never used
	 * as a file name */
	pl = strcspn(uri, "?#");
	if (pl >= sizeof(j->path)) {
		pl = sizeof(j->path) - 1;
		j->path[0] = '\0'; /* too long: no route has such a path */
	}
	snprintf(j->path, sizeof(j->path), "%.*s", (int)pl, uri);
	if (uri[pl] == '?') {
		snprintf(j->query, sizeof(j->query), "%s", uri + pl + 1);
	}
	{
		const char *ck = nng_http_req_get_header(req, "Cookie");
		const char *te = nng_http_req_get_header(req, "Transfer-Encoding");

		if (ck != NULL && strlen(ck) < 16384) {
			j->cookie = gc_alloc(strlen(ck) + 1);
			if (j->cookie != NULL) {
				memcpy(j->cookie, ck, strlen(ck) + 1);
			}
		}
		j->chunked = te != NULL && strcasestr(te, "chunked") != NULL;
	}
	hdr_copy(req, "X-CSRF-Token", j->csrf, sizeof(j->csrf));
	hdr_copy(req, "Host", j->host, sizeof(j->host));
	hdr_copy(req, "Origin", j->origin, sizeof(j->origin));
	nng_http_req_get_data(req, &data, &len);
	if (len > (strcmp(j->path, "/api/import") == 0 ? IMPORT_MAX :
	    BODY_MAX)) {
		j->too_large = true;
	} else if (len > 0) {
		j->body = gc_alloc(len + 1);
		if (j->body == NULL) {
			gc_free(j);
			nng_aio_finish(aio, NNG_ENOMEM);
			return;
		}
		memcpy(j->body, data, len);
		j->body[len] = '\0';
		j->body_len  = len;
	}
	uv_mutex_lock(&ui->qmtx);
	if (ui->stopping) {
		uv_mutex_unlock(&ui->qmtx);
		job_free(j);
		return;
	}
	j->next   = ui->queue;
	ui->queue = j;
	uv_async_send(&ui->wake); /* under qmtx: never after the close */
	uv_mutex_unlock(&ui->qmtx);
}

/* ---- start / stop ---- */

static void ui_unref(void *arg);

gc_err
gc_ui_start(struct gc_ui **out, uv_loop_t *loop, struct gc_node *n,
    pthread_mutex_t *lgmtx, const char *url, struct gc_diag *d)
{
	struct gc_ui *ui;
	nng_url      *u;
	int           rc;

	*out = NULL;
	rc   = nng_url_parse(&u, url);
	if (rc != 0 || (strcmp(u->u_scheme, "http") != 0 &&
	    strcmp(u->u_scheme, "https") != 0) || u->u_port == NULL ||
	    u->u_port[0] == '\0' || (u->u_path[0] && strcmp(u->u_path, "/"))) {
		if (rc == 0) {
			nng_url_free(u);
		}
		gc_diag_set(d, "UI address %s: give http://127.0.0.1:PORT, or "
		    "https://HOST:PORT beyond this computer", url);
		return GC_EINVAL;
	}
	ui = gc_xzalloc(sizeof(*ui));
	atomic_init(&ui->refs, 1);
	ui->https = strcmp(u->u_scheme, "https") == 0;
	ui->loop  = loop;
	ui->n     = n;
	ui->lgmtx = lgmtx;
	ui->pwhash = gc_config_get(n->cfg, "ui", "password_hash", NULL);
	ui->loopback = strcmp(u->u_hostname, "127.0.0.1") == 0 ||
	    strcmp(u->u_hostname, "localhost") == 0 ||
	    strcmp(u->u_hostname, "::1") == 0;
	if (ui->pwhash != NULL && strncmp(ui->pwhash, "$argon2id$", 10) != 0) {
		nng_url_free(u);
		gc_free(ui);
		gc_diag_set(d, "%s/gradcap.ini [ui] password_hash: not an "
		    "Argon2id hash (make one with 'gradcap ui-password')",
		    n->home);
		return GC_EINVAL;
	}
	if (!ui->loopback && ui->pwhash == NULL) {
		nng_url_free(u);
		gc_free(ui);
		gc_diag_set(d, "the UI would listen beyond this computer (%s) "
		    "without a password: set [ui] password_hash in "
		    "gradcap.ini ('gradcap ui-password'), or listen on "
		    "127.0.0.1", url);
		return GC_EPERM;
	}
	if (!ui->loopback && !ui->https) {
		nng_url_free(u);
		gc_free(ui);
		gc_diag_set(d, "the UI would listen beyond this computer (%s) "
		    "in clear text: the password and the photos would cross "
		    "the network readable; use https://HOST:PORT (the node's "
		    "own TLS certificate)", url);
		return GC_EPERM;
	}
	/* the Host values a request may carry (DNS rebinding): the names of
	 * this address, with the port, and without it on the default port */
	{
		const char *def = ui->https ? "443" : "80";
		const char *names[8];
		size_t      nn = 0, nh = 0;
		char        list[512] = "", one[280], *save = NULL, *tok;

		if (ui->loopback) {
			names[nn++] = "127.0.0.1";
			names[nn++] = "localhost";
			names[nn++] = "[::1]";
		} else if (strcmp(u->u_hostname, "0.0.0.0") != 0 &&
		    strcmp(u->u_hostname, "::") != 0) {
			snprintf(one, sizeof(one), strchr(u->u_hostname, ':') ?
			    "[%s]" : "%s", u->u_hostname);
			names[nn++] = one;
		} else {
			/* every interface: the names staff type must be said */
			snprintf(list, sizeof(list), "%s", gc_config_get(n->cfg,
			    "ui", "hosts", ""));
			for (tok = strtok_r(list, ", ", &save); tok != NULL &&
			     nn < 4; tok = strtok_r(NULL, ", ", &save)) {
				names[nn++] = tok;
			}
			if (nn == 0) {
				nng_url_free(u);
				gc_free(ui);
				gc_diag_set(d, "the UI would listen on every "
				    "interface (%s): list the names or addresses "
				    "staff will type in [ui] hosts = NAME, ... (in "
				    "gradcap.ini), or listen on one address", url);
				return GC_EINVAL;
			}
		}
		for (size_t i = 0; i < nn && nh + 2 <= 8; i++) {
			snprintf(ui->hosts[nh++], sizeof(ui->hosts[0]), "%s:%s",
			    names[i], u->u_port);
			if (strcmp(u->u_port, def) == 0) {
				snprintf(ui->hosts[nh++], sizeof(ui->hosts[0]),
				    "%s", names[i]);
			}
		}
	}
	snprintf(ui->cookie_name, sizeof(ui->cookie_name), "gc_sid_%s",
	    u->u_port);
	pthread_mutex_init(&ui->smtx, NULL);
	uv_mutex_init(&ui->qmtx);
	uv_async_init(loop, &ui->wake, wake_cb);
	ui->wake.data = ui;
	ui->shots     = gc_ui_shots_new();
	rc = nng_http_server_hold(&ui->srv, u);
	nng_url_free(u);
	if (rc == 0 && ui->https) {
		struct gc_tls_ident id;

		/* the node's own certificate (gradcap init): self-signed, so
		 * browsers ask once; nng 1.5.2's HTTPS is slow (about 20
		 * requests a second), enough for a remote dashboard */
		memset(&id, 0, sizeof(id));
		if (gc_tls_ident_load(&id, n->home, d) != GC_OK) {
			nng_http_server_release(ui->srv);
			ui->srv = NULL;
			gc_ui_stop(ui);
			return GC_EIO;
		}
		rc = nng_tls_config_alloc(&ui->tls, NNG_TLS_MODE_SERVER);
		if (rc == 0) {
			rc = nng_tls_config_own_cert(ui->tls, id.cert_pem,
			    id.key_pem, NULL);
		}
		if (rc == 0) {
			rc = nng_http_server_set_tls(ui->srv, ui->tls);
		}
		gc_tls_ident_release(&id);
	}
	if (rc == 0) {
		rc = nng_http_handler_alloc(&ui->h, "/", http_cb);
	}
	if (rc == 0) {
		rc = nng_http_handler_set_method(ui->h, NULL); /* all */
	}
	if (rc == 0) {
		rc = nng_http_handler_set_tree(ui->h);
	}
	if (rc == 0) {
		rc = nng_http_handler_collect_body(ui->h, true, BODY_COLLECT);
	}
	if (rc == 0) {
		atomic_fetch_add(&ui->refs, 1);
		rc = nng_http_handler_set_data(ui->h, ui, ui_unref);
		if (rc != 0) {
			atomic_fetch_sub(&ui->refs, 1);
		}
	}
	if (rc == 0) {
		rc = nng_http_server_add_handler(ui->srv, ui->h);
		if (rc != 0) {
			nng_http_handler_free(ui->h);
		}
	}
	if (rc == 0) {
		rc = nng_http_server_start(ui->srv);
	}
	if (rc != 0) {
		gc_diag_set(d, "UI on %s: %s", url, nng_strerror(rc));
		if (ui->srv != NULL) {
			nng_http_server_release(ui->srv);
		}
		ui->srv = NULL;
		gc_ui_stop(ui);
		return GC_EIO;
	}
	GC_LOG(GC_LOG_NOTICE, "UI-LISTEN", "operator UI on %s%s", url,
	    ui->pwhash != NULL ? " (password required)" : "");
	*out = ui;
	return GC_OK;
}

static void
ui_free(struct gc_ui *ui)
{
	if (ui->tls != NULL) {
		nng_tls_config_free(ui->tls);
	}
	gc_ui_shots_free(ui->shots);
	uv_mutex_destroy(&ui->qmtx);
	pthread_mutex_destroy(&ui->smtx);
	gc_free(ui);
}

/* Freed when both the loop (its handle closed) and nng (the handler it
 * may still call freed) are done with it. */
static void
ui_unref(void *arg)
{
	struct gc_ui *ui = arg;

	if (atomic_fetch_sub(&ui->refs, 1) == 1) {
		ui_free(ui);
	}
}

static void
wake_closed(uv_handle_t *h)
{
	ui_unref(h->data);
}

/* Stops the server and frees: only when no answer is owed (the nng
 * server's stop waits for every handler to finish, and the answers are
 * finished on this very thread). */
static void
ui_stop_now(struct gc_ui *ui)
{
	ui->stop_pending = false;
	if (ui->srv != NULL) {
		nng_http_server_stop(ui->srv);
		nng_http_server_release(ui->srv);
		ui->srv = NULL;
	}
	uv_close((uv_handle_t *)&ui->wake, wake_closed);
}

void
gc_ui_stop(struct gc_ui *ui)
{
	struct ui_job *j;

	if (ui == NULL) {
		return;
	}
	uv_mutex_lock(&ui->qmtx);
	ui->stopping = true; /* new requests are answered 503 at once */
	j            = ui->queue;
	ui->queue    = NULL;
	uv_mutex_unlock(&ui->qmtx);
	while (j != NULL) {
		struct ui_job *next = j->next;

		job_free(j); /* answers 503 */
		j = next;
	}
	if (ui->inflight > 0) {
		ui->stop_pending = true; /* the last done_cb stops it */
		return;
	}
	ui_stop_now(ui);
}
