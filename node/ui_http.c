/* The operator UI's HTTP policy (node/ui.h, docs/api.md) on the HTTP
 * front of node/httpd.h: assets are served by exact path from the
 * embedded table; the API needs a session (cookie) and, to change
 * anything, its CSRF token; requests from other hosts or origins are
 * refused; the password is checked with Argon2id, at most two at once. */
#include <stdatomic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "common/gc_alloc.h"
#include "common/gc_log.h"
#include "node/cli.h"
#include "common/json.h"
#include "node/http_session.h"
#include "node/httpd.h"
#include "node/ui.h"

#define BODY_COLLECT ((size_t)16 << 20) /* nng refuses more (400) */
#define BODY_MAX     ((size_t)64 << 10) /* we refuse more (413) */
#define IMPORT_MAX   ((size_t)16 << 20) /* a photo file (/api/import) */
#define NSESS        64
#define SESS_IDLE_S  (12 * 3600)
#define UI_CSP                                                        \
	"default-src 'self'; img-src 'self' blob:; frame-ancestors 'none'"

struct gc_ui {
	struct gc_node   *n;
	pthread_mutex_t  *lgmtx;
	struct gc_httpd  *httpd;
	bool              https;
	gc_http_sess     *sess;
	char              hosts[8][280]; /* Host values accepted ("" unused) */
	atomic_int        logins; /* password checks running */
	bool              loopback;
	const char       *pwhash; /* NULL: no password */
	void             *shots;
};

/* ---- helpers ---- */

void
gc_ui_error(struct gc_ui_req *r, int status, const char *code,
    const char *en, const char *zh)
{
	r->status = status;
	r->ctype  = "application/json";
	gc_httpd_error_json(&r->out, code, en, zh);
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
host_ok(const struct gc_ui *ui, const struct gc_httpd_req *hr)
{
	char origin[300];
	bool ok = false;

	for (int i = 0; i < 8; i++) {
		ok |= ui->hosts[i][0] && strcasecmp(ui->hosts[i], hr->host) == 0;
	}
	if (!ok) {
		return false;
	}
	snprintf(origin, sizeof(origin), "%s://%s", ui->https ? "https" :
	    "http", hr->host);
	return hr->origin[0] == '\0' || strcasecmp(hr->origin, origin) == 0;
}

/* POST /api/login: a session for the right password. */
static void
login(struct gc_ui *ui, struct gc_httpd_req *hr, struct gc_ui_req *r)
{
	char pw[512], csrf[65];

	if (ui->pwhash == NULL) {
		gc_http_sess_start(ui->sess, hr, csrf);
		session_json(ui, r, true, csrf);
	} else if (atomic_fetch_add(&ui->logins, 1) >= 2) {
		/* at most two password checks at once: each costs 64 MiB and
		 * a pool thread */
		atomic_fetch_sub(&ui->logins, 1);
		gc_ui_error(r, 503, "unavailable", "too many logins at once: "
		    "try again in a moment", "登录请求过多：请稍后再试");
	} else {
		bool ok = login_password(r->body, r->body_len, pw,
		    sizeof(pw)) && crypto_pwhash_str_verify(ui->pwhash, pw,
		    strlen(pw)) == 0;

		sodium_memzero(pw, sizeof(pw));
		if (ok) {
			gc_http_sess_start(ui->sess, hr, csrf);
			session_json(ui, r, true, csrf);
			GC_LOG(GC_LOG_NOTICE, "UI-LOGIN", "a session started "
			    "(host %s)", hr->host);
		} else {
			sleep(1); /* slows guessing */
			GC_LOG(GC_LOG_WARN, "UI-LOGIN-FAIL", "wrong password "
			    "(host %s)", hr->host);
			gc_ui_error(r, 401, "unauthorized", "wrong password",
			    "密码错误");
		}
		atomic_fetch_sub(&ui->logins, 1);
	}
}

/* The UI's answer to hr: an asset, or an /api/ route behind the Host,
 * session and CSRF checks. */
static void
ui_route(struct gc_ui *ui, struct gc_httpd_req *hr, struct gc_ui_req *r)
{
	char sid[65], csrf[65] = "";
	bool post = strcmp(hr->method, "POST") == 0;
	bool authed;

	/* assets: by exact path, GET (and HEAD) only */
	if (strncmp(hr->path, "/api/", 5) != 0) {
		int st = gc_httpd_req_asset(hr);

		if (st == 404) {
			gc_ui_error(r, 404, "not_found", "no such page",
			    "没有这个页面");
		} else if (st == 405) {
			gc_ui_error(r, 405, "bad_request", "only GET here",
			    "这里只接受 GET");
		}
		return;
	}
	if (!host_ok(ui, hr)) {
		gc_ui_error(r, 403, "forbidden", "this request comes from "
		    "another site or host name; open the UI at its own address",
		    "请求来自其他网站或主机名；请从本机界面的地址打开");
		return;
	}
	if (hr->too_large) {
		gc_ui_error(r, 413, "too_large", "the request body is too "
		    "large (64 KiB; a photo file 16 MiB)", "请求内容过大（限 64 "
		    "KiB；照片文件限 16 MiB）");
		return;
	}
	if (hr->chunked) {
		/* nng 1.5.2 would read the chunks as the next request */
		gc_ui_error(r, 411, "bad_request", "send the body with a "
		    "Content-Length, not chunked", "请求须带 Content-Length，"
		    "不要分块传输");
		return;
	}
	if (!post && strcmp(hr->method, "GET") != 0) {
		gc_ui_error(r, 405, "bad_request", "use GET or POST",
		    "请使用 GET 或 POST");
		return;
	}
	authed = gc_http_sess_find(ui->sess, hr, sid, csrf);
	if (strcmp(hr->path, "/api/session") == 0 && !post) {
		if (!authed && ui->pwhash == NULL) {
			gc_http_sess_start(ui->sess, hr, csrf);
			authed = true;
		}
		session_json(ui, r, authed, csrf);
		return;
	}
	if (strcmp(hr->path, "/api/login") == 0 && post) {
		login(ui, hr, r);
		return;
	}
	if (!authed && (ui->pwhash != NULL || post)) {
		if (post && ui->pwhash == NULL) {
			gc_ui_error(r, 403, "csrf", "no session: reload the page",
			    "没有会话：请刷新页面");
		} else {
			gc_ui_error(r, 401, "unauthorized", "log in first",
			    "请先登录");
		}
		return;
	}
	if (post && !gc_http_sess_csrf_ok(hr, csrf)) {
		gc_ui_error(r, 403, "csrf", "the page's security token is "
		    "missing or stale: reload the page", "页面的安全令牌缺失或"
		    "已过期：请刷新页面");
		return;
	}
	if (strcmp(hr->path, "/api/logout") == 0 && post) {
		gc_http_sess_end(ui->sess, hr, sid);
		gc_buf_puts(&r->out, "{}");
		r->ctype = "application/json";
		return;
	}
	if (!gc_ui_api(r)) {
		gc_ui_error(r, 404, "not_found", "no such API route",
		    "没有这个接口");
	}
}

static void
ui_dispatch(struct gc_httpd_req *hr, void *app)
{
	struct gc_ui    *ui = app;
	struct gc_ui_req r;

	memset(&r, 0, sizeof(r));
	r.n           = ui->n;
	r.lgmtx       = ui->lgmtx;
	r.method      = hr->method;
	r.path        = hr->path;
	r.query       = hr->query;
	r.body        = hr->body;
	r.body_len    = hr->body_len;
	r.coordinator = ui->n->info.role == GC_ROLE_COORDINATOR;
	r.shots       = ui->shots;
	r.status      = 200;
	gc_buf_init(&r.out);
	ui_route(ui, hr, &r);
	hr->status = r.status;
	hr->ctype  = r.ctype != NULL ? r.ctype : "application/json";
	gc_buf_release(&hr->out);
	hr->out = r.out;
}

static size_t
ui_body_max(const char *path, void *app)
{
	(void)app;
	return strcmp(path, "/api/import") == 0 ? IMPORT_MAX : BODY_MAX;
}

/* ---- start / stop ---- */

static void
ui_free(void *arg)
{
	struct gc_ui *ui = arg;

	gc_ui_shots_free(ui->shots);
	gc_http_sess_free(ui->sess);
	gc_free(ui);
}

/* The Host values a request may carry (DNS rebinding): the names of the
 * address, with the port, and without it on the default port; GC_EINVAL
 * (d says why) on every interface without [ui] hosts. */
static gc_err
ui_hosts(struct gc_ui *ui, const struct gc_httpd_url *u, const char *url,
    struct gc_diag *d)
{
	const char *def = u->https ? "443" : "80";
	const char *names[8];
	size_t      nn = 0, nh = 0;
	char        list[512] = "", one[280], *save = NULL, *tok;

	if (u->loopback) {
		names[nn++] = "127.0.0.1";
		names[nn++] = "localhost";
		names[nn++] = "[::1]";
	} else if (strcmp(u->host, "0.0.0.0") != 0 &&
	    strcmp(u->host, "::") != 0) {
		snprintf(one, sizeof(one), strchr(u->host, ':') ? "[%s]" : "%s",
		    u->host);
		names[nn++] = one;
	} else {
		/* every interface: the names staff type must be said */
		snprintf(list, sizeof(list), "%s", gc_config_get(ui->n->cfg,
		    "ui", "hosts", ""));
		for (tok = strtok_r(list, ", ", &save); tok != NULL && nn < 4;
		     tok = strtok_r(NULL, ", ", &save)) {
			names[nn++] = tok;
		}
		if (nn == 0) {
			gc_diag_set(d, "the UI would listen on every interface "
			    "(%s): list the names or addresses staff will type "
			    "in [ui] hosts = NAME, ... (in gradcap.ini), or "
			    "listen on one address", url);
			return GC_EINVAL;
		}
	}
	for (size_t i = 0; i < nn && nh + 2 <= 8; i++) {
		snprintf(ui->hosts[nh++], sizeof(ui->hosts[0]), "%s:%s",
		    names[i], u->port);
		if (strcmp(u->port, def) == 0) {
			snprintf(ui->hosts[nh++], sizeof(ui->hosts[0]), "%s",
			    names[i]);
		}
	}
	return GC_OK;
}

/* The UI's policy for url: a password hash that is Argon2id, a password
 * and https beyond loopback, and the Host values (GC_EINVAL or GC_EPERM,
 * d says why). */
static gc_err
ui_policy(struct gc_ui *ui, const struct gc_httpd_url *u, const char *url,
    struct gc_diag *d)
{
	if (ui->pwhash != NULL && strncmp(ui->pwhash, "$argon2id$", 10) != 0) {
		gc_diag_set(d, "%s/gradcap.ini [ui] password_hash: not an "
		    "Argon2id hash (make one with 'gradcap ui-password')",
		    ui->n->home);
		return GC_EINVAL;
	}
	if (!ui->loopback && ui->pwhash == NULL) {
		gc_diag_set(d, "the UI would listen beyond this computer (%s) "
		    "without a password: set [ui] password_hash in "
		    "gradcap.ini ('gradcap ui-password'), or listen on "
		    "127.0.0.1", url);
		return GC_EPERM;
	}
	if (!ui->loopback && !ui->https) {
		gc_diag_set(d, "the UI would listen beyond this computer (%s) "
		    "in clear text: the password and the photos would cross "
		    "the network readable; use https://HOST:PORT (the node's "
		    "own TLS certificate)", url);
		return GC_EPERM;
	}
	return ui_hosts(ui, u, url, d);
}

gc_err
gc_ui_start(struct gc_ui **out, uv_loop_t *loop, struct gc_node *n,
    pthread_mutex_t *lgmtx, const char *url, struct gc_diag *d)
{
	struct gc_httpd_url u;
	struct gc_ui       *ui;
	char                cookie[32];
	gc_err              rv;

	*out = NULL;
	if (gc_httpd_url_parse(&u, url) != GC_OK) {
		gc_diag_set(d, "UI address %s: give http://127.0.0.1:PORT, or "
		    "https://HOST:PORT beyond this computer", url);
		return GC_EINVAL;
	}
	ui           = gc_xzalloc(sizeof(*ui));
	ui->https    = u.https;
	ui->n        = n;
	ui->lgmtx    = lgmtx;
	ui->pwhash   = gc_config_get(n->cfg, "ui", "password_hash", NULL);
	ui->loopback = u.loopback;
	rv           = ui_policy(ui, &u, url, d);
	if (rv != GC_OK) {
		gc_free(ui);
		return rv;
	}
	snprintf(cookie, sizeof(cookie), "gc_sid_%s", u.port);
	ui->sess  = gc_http_sess_new(&(struct gc_http_sess_opts) {
	     .capacity = NSESS,
	     .idle_s   = SESS_IDLE_S,
	     .cookie   = cookie,
	     .secure   = ui->https,
	});
	ui->shots = gc_ui_shots_new();
	rv = gc_httpd_start(&ui->httpd, loop, &(struct gc_httpd_opts) {
	     .name         = "UI",
	     .url          = url,
	     .home         = n->home,
	     .body_collect = BODY_COLLECT,
	     .body_max     = ui_body_max,
	     .dispatch     = ui_dispatch,
	     .release      = ui_free,
	     .csp          = UI_CSP,
	     .assets       = gc_ui_assets,
	     .nassets      = gc_ui_nassets,
	     .index        = "/index.html",
	}, ui, d);
	if (rv != GC_OK) {
		ui_free(ui); /* no request reached it */
		return rv;
	}
	GC_LOG(GC_LOG_NOTICE, "UI-LISTEN", "operator UI on %s%s", url,
	    ui->pwhash != NULL ? " (password required)" : "");
	*out = ui;
	return GC_OK;
}

void
gc_ui_stop(struct gc_ui *ui)
{
	if (ui == NULL) {
		return;
	}
	gc_httpd_stop(ui->httpd); /* ui_free once the last answer is out */
}
