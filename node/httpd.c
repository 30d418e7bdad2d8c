/* The HTTP front (node/httpd.h): one nng tree handler on "/" takes every
 * request, copies it into a job with the query string apart, and queues
 * it to the serve loop, which hands it to its thread pool for the app's
 * dispatch and sends the answer from the loop thread. */
#include "node/httpd.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/tls/tls.h>

#include "common/gc_alloc.h"
#include "common/gc_log.h"
#include "common/json.h"
#include "sync/tls.h"

struct httpd_job {
	struct gc_httpd    *h;
	nng_aio            *aio;
	uv_work_t           work;
	struct gc_httpd_req r; /* points into the fields below */
	char                method[16], path[512], query[1024];
	char               *cookie; /* the whole header (gc_alloc'd), or NULL */
	char                csrf[128], host[256], origin[256];
	char                peer[48]; /* INET6_ADDRSTRLEN */
	char               *body;  /* a small body's copy (gc_alloc'd) */
	char                xin[GC_HTTPD_XHDRS][256]; /* opts.headers */
	bool                xin_set[GC_HTTPD_XHDRS];
	char                xout[GC_HTTPD_XHDRS][2][256]; /* name, value */
	int                 nxout;
	struct httpd_job   *next;
};

struct gc_httpd {
	uv_loop_t           *loop;
	struct gc_httpd_opts opts;
	void                *app;
	const char          *xhdr[GC_HTTPD_XHDRS]; /* opts.headers */
	int                  nxhdr;
	nng_http_server     *srv;
	nng_http_handler    *hd;
	nng_tls_config      *tls;
	uv_async_t           wake;
	uv_mutex_t           qmtx; /* guards queue, stopping */
	struct httpd_job    *queue;
	bool                 stopping;
	atomic_int           refs;    /* the loop's, and nng's handler's */
	bool                 started; /* release(app) is owed */
	int                  inflight;     /* jobs in the pool (loop thread) */
	bool                 stop_pending; /* stop once the pool is empty */
};

static struct httpd_job *
job_of(const struct gc_httpd_req *r)
{
	return (struct httpd_job *)((char *)r -
	    offsetof(struct httpd_job, r));
}

/* ---- helpers for the app ---- */

void
gc_httpd_error_json(struct gc_buf *out, const char *code, const char *en,
    const char *zh)
{
	gc_buf_reset(out);
	gc_buf_puts(out, "{\"error\":{\"code\":");
	gc_json_str(out, code);
	gc_buf_puts(out, ",\"message\":");
	gc_json_str(out, en);
	gc_buf_puts(out, ",\"message_zh\":");
	gc_json_str(out, zh);
	gc_buf_puts(out, "}}");
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
gc_httpd_query(const char *query, const char *name, char *out, size_t cap)
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

const char *
gc_httpd_req_header(const struct gc_httpd_req *r, const char *name)
{
	const struct httpd_job *j = job_of(r);

	for (int i = 0; i < j->h->nxhdr; i++) {
		if (strcasecmp(j->h->xhdr[i], name) == 0) {
			return j->xin_set[i] ? j->xin[i] : NULL;
		}
	}
	return NULL;
}

bool
gc_httpd_req_set_header(struct gc_httpd_req *r, const char *name,
    const char *value)
{
	struct httpd_job *j = job_of(r);

	if (j->nxout >= GC_HTTPD_XHDRS || strlen(name) >= 256 ||
	    strlen(value) >= 256) {
		return false;
	}
	memcpy(j->xout[j->nxout][0], name, strlen(name) + 1);
	memcpy(j->xout[j->nxout][1], value, strlen(value) + 1);
	j->nxout++;
	return true;
}

int
gc_httpd_req_asset(struct gc_httpd_req *r)
{
	const struct gc_httpd_opts  *o = &job_of(r)->h->opts;
	const struct gc_httpd_asset *a = NULL;
	const char                  *p = r->path;

	if (o->index != NULL && strcmp(p, "/") == 0) {
		p = o->index;
	}
	for (size_t i = 0; i < o->nassets; i++) {
		if (strcmp(o->assets[i].path, p) == 0) {
			a = &o->assets[i];
		}
	}
	if (a == NULL) {
		return 404;
	}
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
		return 405;
	}
	r->asset = a;
	return 200;
}

char *
gc_httpd_req_take_body(struct gc_httpd_req *r, size_t *len)
{
	struct httpd_job *j = job_of(r);
	char             *b = j->body;

	*len       = b != NULL ? r->body_len : 0;
	j->body    = NULL;
	r->body    = "";
	r->body_len = 0;
	return b;
}

/* ---- nng → loop → pool → loop ---- */

static void
hdr_copy(nng_http_req *req, const char *name, char *out, size_t cap)
{
	const char *v = nng_http_req_get_header(req, name);

	snprintf(out, cap, "%s", v != NULL ? v : "");
}

/* Frees j; a request still owed an answer gets 503 (stopping). */
static void
job_free(struct httpd_job *j)
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
	gc_buf_release(&j->r.out);
	gc_free(j);
}

static void
work_cb(uv_work_t *w) /* pool thread */
{
	struct httpd_job *j = w->data;

	j->h->opts.dispatch(&j->r, j->h->app);
}

static void httpd_stop_now(struct gc_httpd *h);

/* The answer of j as nng wants it; NULL when it could not be made. */
static nng_http_res *
answer(const struct gc_httpd *h, struct httpd_job *j)
{
	const struct gc_httpd_req *r   = &j->r;
	nng_http_res              *res = NULL;
	int                        rc;

	rc = nng_http_res_alloc(&res);
	if (rc == 0) {
		rc = nng_http_res_set_status(res, (uint16_t)r->status);
	}
	if (rc == 0 && r->asset != NULL) {
		rc = nng_http_res_set_header(res, "Content-Type",
		    r->asset->ctype);
		if (rc == 0) {
			rc = nng_http_res_set_header(res, "Cache-Control",
			    "no-cache");
		}
		if (rc == 0) {
			/* static data: no copy */
			rc = nng_http_res_set_data(res, r->asset->data,
			    r->asset->len);
		}
	} else if (rc == 0) {
		rc = nng_http_res_set_header(res, "Content-Type",
		    r->ctype != NULL ? r->ctype : "application/json");
		if (rc == 0) {
			rc = nng_http_res_set_header(res, "Cache-Control",
			    "no-store");
		}
		if (rc == 0 && r->set_cookie[0]) {
			rc = nng_http_res_set_header(res, "Set-Cookie",
			    r->set_cookie);
		}
		if (rc == 0 && gc_buf_status(&r->out) == GC_OK) {
			rc = nng_http_res_copy_data(res, r->out.data, r->out.len);
		}
	}
	for (int i = 0; rc == 0 && i < j->nxout; i++) {
		rc = nng_http_res_set_header(res, j->xout[i][0], j->xout[i][1]);
	}
	if (rc == 0) {
		rc = nng_http_res_set_header(res, "X-Content-Type-Options",
		    "nosniff");
	}
	if (rc == 0) {
		rc = nng_http_res_set_header(res, "Content-Security-Policy",
		    h->opts.csp);
	}
	if (rc != 0) {
		if (res != NULL) {
			nng_http_res_free(res);
		}
		res = NULL;
	}
	return res;
}

static void
done_cb(uv_work_t *w, int status) /* loop thread */
{
	struct httpd_job *j = w->data;
	struct gc_httpd  *h = j->h;
	nng_http_res     *res;

	h->inflight--;
	if (status != 0) { /* canceled */
		job_free(j);
		if (h->inflight == 0 && h->stop_pending) {
			httpd_stop_now(h);
		}
		return;
	}
	res = answer(h, j);
	nng_aio_set_output(j->aio, 0, res);
	/* no answer could be made: nng closes the connection */
	nng_aio_finish(j->aio, res != NULL ? 0 : NNG_ENOMEM);
	j->aio = NULL;
	job_free(j);
	if (h->inflight == 0 && h->stop_pending) {
		httpd_stop_now(h); /* the last answer is out: the server can go */
	}
}

static void
wake_cb(uv_async_t *w) /* loop thread */
{
	struct gc_httpd  *h = w->data;
	struct httpd_job *j;

	uv_mutex_lock(&h->qmtx);
	j        = h->queue;
	h->queue = NULL;
	uv_mutex_unlock(&h->qmtx);
	while (j != NULL) {
		struct httpd_job *next = j->next;

		j->work.data = j;
		h->inflight++;
		if (uv_queue_work(h->loop, &j->work, work_cb, done_cb) != 0) {
			h->inflight--;
			job_free(j);
		}
		j = next;
	}
}

/* Copies what the app may read of req into j (nng thread); false when
 * out of memory. */
static bool
job_fill(struct httpd_job *j, nng_http_req *req)
{
	struct gc_httpd *h   = j->h;
	const char      *uri = nng_http_req_get_uri(req);
	void            *data;
	size_t           len, pl;

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
		j->r.chunked = te != NULL && strcasestr(te, "chunked") != NULL;
	}
	hdr_copy(req, "X-CSRF-Token", j->csrf, sizeof(j->csrf));
	hdr_copy(req, "Host", j->host, sizeof(j->host));
	hdr_copy(req, "Origin", j->origin, sizeof(j->origin));
	for (int i = 0; i < h->nxhdr; i++) {
		const char *v = nng_http_req_get_header(req, h->xhdr[i]);

		if (v != NULL && strlen(v) < sizeof(j->xin[i])) {
			memcpy(j->xin[i], v, strlen(v) + 1);
			j->xin_set[i] = true;
		}
	}
	nng_http_req_get_data(req, &data, &len);
	if (len > h->opts.body_max(j->path, h->app)) {
		j->r.too_large = true;
	} else if (len > 0) {
		j->body = gc_alloc(len + 1);
		if (j->body == NULL) {
			return false;
		}
		memcpy(j->body, data, len);
		j->body[len] = '\0';
		j->r.body_len = len;
		/* nng's copy goes now (it frees what it collected): while the
		 * request waits for the pool, its body is held once */
		nng_http_req_set_data(req, NULL, 0);
	}
	j->r.method = j->method;
	j->r.path   = j->path;
	j->r.query  = j->query;
	j->r.cookie = j->cookie;
	j->r.host   = j->host;
	j->r.origin = j->origin;
	j->r.csrf   = j->csrf;
	j->r.peer   = j->peer;
	j->r.body   = j->body != NULL ? j->body : "";
	j->r.status = 200;
	return true;
}

/* nng 1.5 hands a handler the connection (its third input) but has no
 * call that reads the connection's peer (nanomsg/nng#1868, open); in
 * 1.5.0 to 1.5.2 an nng_http_conn begins with its nng_stream
 * (src/supplemental/http/http_conn.c), whose NNG_OPT_REMADDR is public.
 * Pinned to 1.5 (Debian 12): another version must be checked first. */
#if NNG_MAJOR_VERSION != 1 || NNG_MINOR_VERSION != 5
#error "httpd_peer reads nng 1.5's nng_http_conn: check its layout first"
#endif
static void
httpd_peer(nng_aio *aio, char *out, size_t cap) /* nng thread */
{
	const void  *conn = nng_aio_get_input(aio, 2);
	nng_stream  *st   = NULL;
	nng_sockaddr sa;

	out[0] = '\0';
	if (conn != NULL) {
		memcpy(&st, conn, sizeof(st));
	}
	if (st == NULL || nng_stream_get_addr(st, NNG_OPT_REMADDR, &sa) != 0) {
		return;
	}
	if (sa.s_family == NNG_AF_INET) {
		inet_ntop(AF_INET, &sa.s_in.sa_addr, out, (socklen_t)cap);
	} else if (sa.s_family == NNG_AF_INET6) {
		inet_ntop(AF_INET6, sa.s_in6.sa_addr, out, (socklen_t)cap);
	}
}

static void
http_cb(nng_aio *aio) /* nng thread */
{
	nng_http_req     *req = nng_aio_get_input(aio, 0);
	nng_http_handler *hd  = nng_aio_get_input(aio, 1);
	struct gc_httpd  *h   = nng_http_handler_get_data(hd);
	struct httpd_job *j   = gc_alloc(sizeof(*j));

	if (j == NULL) {
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	memset(j, 0, sizeof(*j));
	j->h = h;
	gc_buf_init(&j->r.out);
	httpd_peer(aio, j->peer, sizeof(j->peer));
	if (!job_fill(j, req)) {
		gc_free(j->cookie);
		gc_free(j);
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	j->aio = aio;
	uv_mutex_lock(&h->qmtx);
	if (h->stopping) {
		uv_mutex_unlock(&h->qmtx);
		job_free(j);
		return;
	}
	j->next  = h->queue;
	h->queue = j;
	uv_async_send(&h->wake); /* under qmtx: never after the close */
	uv_mutex_unlock(&h->qmtx);
}

/* ---- start / stop ---- */

gc_err
gc_httpd_url_parse(struct gc_httpd_url *out, const char *url)
{
	nng_url *u;
	bool     ok;

	memset(out, 0, sizeof(*out));
	if (nng_url_parse(&u, url) != 0) {
		return GC_EINVAL;
	}
	ok = (strcmp(u->u_scheme, "http") == 0 ||
	         strcmp(u->u_scheme, "https") == 0) &&
	    u->u_port != NULL && u->u_port[0] != '\0' &&
	    (u->u_path[0] == '\0' || strcmp(u->u_path, "/") == 0) &&
	    strlen(u->u_hostname) < sizeof(out->host) &&
	    strlen(u->u_port) < sizeof(out->port);
	if (ok) {
		out->https    = strcmp(u->u_scheme, "https") == 0;
		out->loopback = strcmp(u->u_hostname, "127.0.0.1") == 0 ||
		    strcmp(u->u_hostname, "localhost") == 0 ||
		    strcmp(u->u_hostname, "::1") == 0;
		memcpy(out->host, u->u_hostname, strlen(u->u_hostname) + 1);
		memcpy(out->port, u->u_port, strlen(u->u_port) + 1);
	}
	nng_url_free(u);
	return ok ? GC_OK : GC_EINVAL;
}

static void httpd_unref(void *arg);

/* The node's own certificate on h->srv (gradcap init): self-signed, so
 * browsers ask once; nng 1.5.2's HTTPS is slow (about 20 requests a
 * second), enough for a remote dashboard. -1: the identity could not be
 * loaded (d says why); else an nng error. */
static int
httpd_tls(struct gc_httpd *h, struct gc_diag *d)
{
	struct gc_tls_ident id;
	int                 rc;

	memset(&id, 0, sizeof(id));
	if (gc_tls_ident_load(&id, h->opts.home, d) != GC_OK) {
		return -1;
	}
	rc = nng_tls_config_alloc(&h->tls, NNG_TLS_MODE_SERVER);
	if (rc == 0) {
		rc = nng_tls_config_own_cert(h->tls, id.cert_pem, id.key_pem,
		    NULL);
	}
	if (rc == 0) {
		rc = nng_http_server_set_tls(h->srv, h->tls);
	}
	gc_tls_ident_release(&id);
	return rc;
}

/* What nng answers itself (before any handler: a malformed request, a
 * body over body_collect, HTTP/2 or 0.9) is the project's JSON error too,
 * in both languages; nng labels it text/html. An nng error. */
static int
httpd_error_pages(struct gc_httpd *h)
{
	static const struct {
		uint16_t    status;
		const char *body;
	} pages[] = {
		{ 400, "{\"error\":{\"code\":\"bad_request\",\"message\":"
		    "\"the request is malformed or its body too large\","
		    "\"message_zh\":\"请求格式不对或内容过大\"}}" },
		{ 500, "{\"error\":{\"code\":\"internal\",\"message\":"
		    "\"the server could not answer\",\"message_zh\":"
		    "\"服务器繁忙，请稍后再试\"}}" },
		{ 505, "{\"error\":{\"code\":\"bad_request\",\"message\":"
		    "\"use HTTP/1.1\",\"message_zh\":\"请使用 HTTP/1.1\"}}" },
	};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(pages) / sizeof(pages[0]);
	     i++) {
		rc = nng_http_server_set_error_page(h->srv, pages[i].status,
		    pages[i].body);
	}
	return rc;
}

/* The tree handler on "/" for every method, collecting bodies, added to
 * h->srv; an nng error. */
static int
httpd_handler(struct gc_httpd *h)
{
	int rc;

	rc = nng_http_handler_alloc(&h->hd, "/", http_cb);
	if (rc == 0) {
		rc = nng_http_handler_set_method(h->hd, NULL); /* all */
	}
	if (rc == 0) {
		rc = nng_http_handler_set_tree(h->hd);
	}
	if (rc == 0) {
		rc = nng_http_handler_collect_body(h->hd, true,
		    h->opts.body_collect);
	}
	if (rc == 0) {
		atomic_fetch_add(&h->refs, 1);
		rc = nng_http_handler_set_data(h->hd, h, httpd_unref);
		if (rc != 0) {
			atomic_fetch_sub(&h->refs, 1);
		}
	}
	if (rc == 0) {
		rc = nng_http_server_add_handler(h->srv, h->hd);
		if (rc != 0) {
			nng_http_handler_free(h->hd);
		}
	}
	return rc;
}

gc_err
gc_httpd_start(struct gc_httpd **out, uv_loop_t *loop,
    const struct gc_httpd_opts *opts, void *app, struct gc_diag *d)
{
	struct gc_httpd_url hu;
	struct gc_httpd    *h;
	nng_url            *u;
	int                 rc, nx;

	*out = NULL;
	for (nx = 0; opts->headers != NULL && opts->headers[nx] != NULL;
	     nx++) {
		if (nx == GC_HTTPD_XHDRS) {
			gc_diag_set(d, "%s: more than %d extra headers",
			    opts->name, GC_HTTPD_XHDRS);
			return GC_EINVAL;
		}
	}
	if (gc_httpd_url_parse(&hu, opts->url) != GC_OK ||
	    nng_url_parse(&u, opts->url) != 0) {
		gc_diag_set(d, "%s address %s: give http://HOST:PORT or "
		    "https://HOST:PORT", opts->name, opts->url);
		return GC_EINVAL;
	}
	h = gc_xzalloc(sizeof(*h));
	atomic_init(&h->refs, 1);
	h->loop = loop;
	h->opts = *opts;
	h->app  = app;
	for (int i = 0; i < nx; i++) {
		h->xhdr[h->nxhdr++] = opts->headers[i];
	}
	uv_mutex_init(&h->qmtx);
	uv_async_init(loop, &h->wake, wake_cb);
	h->wake.data = h;
	rc = nng_http_server_hold(&h->srv, u);
	nng_url_free(u);
	if (rc == 0 && hu.https) {
		rc = httpd_tls(h, d);
		if (rc < 0) {
			nng_http_server_release(h->srv);
			h->srv = NULL;
			gc_httpd_stop(h);
			return GC_EIO;
		}
	}
	if (rc == 0) {
		rc = httpd_error_pages(h);
	}
	if (rc == 0) {
		rc = httpd_handler(h);
	}
	if (rc == 0) {
		rc = nng_http_server_start(h->srv);
	}
	if (rc != 0) {
		gc_diag_set(d, "%s on %s: %s", opts->name, opts->url,
		    nng_strerror(rc));
		if (h->srv != NULL) {
			nng_http_server_release(h->srv);
		}
		h->srv = NULL;
		gc_httpd_stop(h);
		return GC_EIO;
	}
	h->started = true;
	*out       = h;
	return GC_OK;
}

static void
httpd_free(struct gc_httpd *h)
{
	if (h->tls != NULL) {
		nng_tls_config_free(h->tls);
	}
	uv_mutex_destroy(&h->qmtx);
	if (h->started && h->opts.release != NULL) {
		h->opts.release(h->app);
	}
	gc_free(h);
}

/* Freed when both the loop (its handle closed) and nng (the handler it
 * may still call freed) are done with it. */
static void
httpd_unref(void *arg)
{
	struct gc_httpd *h = arg;

	if (atomic_fetch_sub(&h->refs, 1) == 1) {
		httpd_free(h);
	}
}

static void
wake_closed(uv_handle_t *w)
{
	httpd_unref(w->data);
}

/* Stops the server and frees: only when no answer is owed (the nng
 * server's stop waits for every handler to finish, and the answers are
 * finished on this very thread). */
static void
httpd_stop_now(struct gc_httpd *h)
{
	h->stop_pending = false;
	if (h->srv != NULL) {
		nng_http_server_stop(h->srv);
		nng_http_server_release(h->srv);
		h->srv = NULL;
	}
	uv_close((uv_handle_t *)&h->wake, wake_closed);
}

void
gc_httpd_stop(struct gc_httpd *h)
{
	struct httpd_job *j;

	if (h == NULL) {
		return;
	}
	uv_mutex_lock(&h->qmtx);
	h->stopping = true; /* new requests are answered 503 at once */
	j           = h->queue;
	h->queue    = NULL;
	uv_mutex_unlock(&h->qmtx);
	while (j != NULL) {
		struct httpd_job *next = j->next;

		job_free(j); /* answers 503 */
		j = next;
	}
	if (h->inflight > 0) {
		h->stop_pending = true; /* the last done_cb stops it */
		return;
	}
	httpd_stop_now(h);
}
