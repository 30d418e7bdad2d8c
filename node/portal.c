/* The student portal's server and policy (node/portal.h): loopback only,
 * behind the school's TLS proxy; signing in with an invitation code, its
 * failures rate limited per address and per claimed ID number (as the
 * roster reads it), with one answer for every kind of failure (nothing
 * tells whether an ID number is on the roster); its successes limited per
 * student, each student holding a few sessions at most and none taking
 * another student's; cookie sessions with CSRF tokens; then
 * node/portal_api.c. */
#include "node/portal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/fileio.h"
#include "common/gc_alloc.h"
#include "common/gc_log.h"
#include "common/idnum.h"
#include "common/invite.h"
#include "common/json.h"
#include "common/ledger.h"
#include "common/review_window.h"
#include "common/rosterdb.h"
#include "node/http_session.h"
#include "node/portal_bind.h"
#include "node/portal_int.h"
#include "node/portal_parse.h"
#include "node/ratelimit.h"

#define BODY_COLLECT ((size_t)20 << 20) /* nng refuses more (400) */
#define BODY_MAX     ((size_t)8 << 10) /* we refuse more (413) */
#define NSESS        4096
#define SESS_IDLE_S  (2 * 3600)
#define FAIL_WINDOW  (15 * 60)
#define FAILS_ADDR   10 /* failed sign-ins per address per window */
#define FAILS_ID     5  /* per claimed ID number per window (valid codes) */
#define SESS_PER_WHO 5  /* live sessions per student */
#define SIGNINS_HOUR 20 /* sign-ins per student an hour */
_Static_assert(SIGNINS_HOUR == 20, "the 429 says 20 sign-ins an hour");
#define RL_SLOTS     16384
#define DRAFTS_MAX   256              /* drafts kept, every student */
#define PHOTOS_HOUR  30               /* photos checked per student an hour */
#define CHECKS_HOUR  20               /* answers to the check an hour */
#define CODES_HOUR   5                /* 采集码 refused an hour: no
                                       * probing whose codes are bound */
#define DRAFTS_BYTES ((size_t)192 << 20) /* and their bytes */
#define GUIDE_SECOND 3    /* live-guide frames per student a second */
#define GUIDE_HOUR   1800 /* and an hour (15 minutes at 2 a second) */
#define NOTICE_MAX   8192 /* bytes of the school's notice */

#define PORTAL_CSP "default-src 'self'; img-src 'self' blob: data:; " \
	"media-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; " \
	"form-action 'self'"

struct gc_portal {
	struct gc_node   *n;
	pthread_mutex_t  *lgmtx;
	struct gc_httpd  *httpd;
	gc_http_sess     *sess;
	gc_ratelimit     *by_addr, *by_id;
	gc_ratelimit     *signins; /* successful sign-ins per student */
	struct gc_portal_proxies proxies; /* [online] trusted_proxy */
	char              school[128];
	char             *notice; /* gc_alloc'd, "" when none */
	struct gc_portal_capture cap;
};

void
gc_portal_error(struct gc_httpd_req *r, int status, const char *code,
    const char *en, const char *zh)
{
	r->status = status;
	r->ctype  = "application/json";
	gc_httpd_error_json(&r->out, code, en, zh);
}

static size_t
portal_body_max(const char *path, void *app)
{
	(void)app;
	if (strcmp(path, "/api/photo") == 0) {
		return GC_PORTAL_PHOTO_MAX;
	}
	return strcmp(path, "/api/guide") == 0 ? GC_PORTAL_GUIDE_MAX :
	    BODY_MAX;
}

/* The address the student is counted by: the proxy's X-Real-IP (or the
 * last X-Forwarded-For hop) when the TCP peer is a trusted proxy, else
 * the peer's own (node/portal_parse.h). */
static void
client_addr(const struct gc_portal *p, const struct gc_httpd_req *r,
    char *out, size_t cap)
{
	gc_portal_client_addr(&p->proxies, r->peer, gc_httpd_req_header(r,
	    "X-Real-IP"), gc_httpd_req_header(r, "X-Forwarded-For"), out, cap);
}

/* The one answer to every failed sign-in. */
static void
signin_refused(struct gc_httpd_req *r)
{
	gc_portal_error(r, 401, "unauthorized", "the invitation code (or the "
	    "ID number with it) is not right", "邀请码或证件号码不正确，请核对"
	    "学校发给你的邀请码");
}

/* Whether typed is the student's ID number (read as the roster reads it:
 * spaces, full-width digits, a lowercase x). */
static bool
id_matches(const struct gc_row *row, const char *typed)
{
	struct gc_idnum a;
	char            type = row->v[GC_ROW_ID_TYPE][0];

	gc_idnum_check(&a, typed, type, 0);
	return a.normalized[0] != '\0' &&
	    strcmp(a.normalized, row->v[GC_ROW_ID_NUMBER]) == 0;
}

/* What a claimed ID number is counted by: the number as the roster reads
 * it (gc_idnum_check: white space around it trimmed, full-width digits and
 * letters to ASCII, letters uppercase, a HK/Macao permit's 9-character
 * form; Chinese characters, as 证件类型 2-5 and Z keep them), so every way
 * of typing one number shares one count. What no reading takes (a space
 * inside, say) is counted as typed: it matches no student anyway. */
static void
id_count_key(const char *typed, char *out, size_t cap)
{
	struct gc_idnum a;

	gc_idnum_check(&a, typed, 0, 0);
	if (a.normalized[0] == '\0') {
		gc_idnum_check(&a, typed, 'Z', 0);
	}
	snprintf(out, cap, "%s", a.normalized[0] != '\0' ? a.normalized :
	    typed);
	sodium_memzero(&a, sizeof(a));
}

/* A good code (and number) past the checks: refused while the student has
 * signed in SIGNINS_HOUR times this hour or every session slot holds
 * another student's live session; else a session of the student's, the
 * student's own least recently used one ended past SESS_PER_WHO. */
static void
signin_start(struct gc_portal *p, struct gc_httpd_req *r, const char *key,
    const char *addr, uint64_t now)
{
	char csrf[65];

	/* counted as checked: two at once never both take the 20th (a
	 * refusal for a full table counts too) */
	if (gc_ratelimit_take(p->signins, key, strlen(key), now)) {
		GC_LOG(GC_LOG_WARN, "PORTAL-SIGNIN-LIMIT", "sign-in refused: "
		    "too many sign-ins of one student this hour (address %s)",
		    addr);
		gc_portal_error(r, 429, "too_many", "too many sign-ins: you "
		    "have signed in 20 times this hour; try again later",
		    "登录次数过多（每小时最多 20 次），请稍后再试");
		return;
	}
	if (gc_http_sess_start_as(p->sess, r, csrf, key) != GC_OK) {
		GC_LOG(GC_LOG_WARN, "PORTAL-SESS-FULL", "sign-in refused: "
		    "every session is in use (address %s)", addr);
		gc_portal_error(r, 503, "busy", "too many students are signed "
		    "in: try again later", "登录人数过多，请稍后再试");
		return;
	}
	GC_LOG(GC_LOG_INFO, "PORTAL-SIGNIN", "a student signed in (address "
	    "%s)", addr);
	r->ctype = "application/json";
	gc_buf_reset(&r->out);
	gc_buf_puts(&r->out, "{\"csrf\":");
	gc_json_str(&r->out, csrf);
	gc_buf_puts(&r->out, "}");
	sodium_memzero(csrf, sizeof(csrf));
}

/* A failure counts against the address, and against the claimed number
 * only when the code was some student's (a stranger's junk codes with B's
 * number count against the stranger's address, not B's number). */
static void
signin(struct gc_portal *p, struct gc_httpd_req *r)
{
	char            code[128], addr[GC_PORTAL_ADDR_MAX], key[80];
	char            idkey[GC_IDNUM_MAX_INPUT + 2];
	char            idcount[GC_IDNUM_MAX_INPUT + 2];
	uint8_t         h[32];
	uint64_t        now = (uint64_t)time(NULL);
	bool            ok = false, code_ok = false;
	struct gc_row   row;

	client_addr(p, r, addr, sizeof(addr));
	if (gc_portal_signin_parse(r->body, r->body_len, code, sizeof(code),
	    idkey, GC_IDNUM_MAX_INPUT + 1) != GC_OK) {
		gc_portal_error(r, 400, "bad_request", "send {\"code\": ...}",
		    "请求格式不对：缺少邀请码");
		return;
	}
	idcount[0] = '\0';
	if (idkey[0]) {
		id_count_key(idkey, idcount, sizeof(idcount));
	}
	if (gc_ratelimit_over(p->by_addr, addr, strlen(addr), now) ||
	    (idcount[0] && gc_ratelimit_over(p->by_id, idcount,
	    strlen(idcount), now))) {
		sodium_memzero(code, sizeof(code));
		sodium_memzero(idkey, sizeof(idkey));
		sodium_memzero(idcount, sizeof(idcount));
		GC_LOG(GC_LOG_WARN, "PORTAL-LIMIT", "sign-in refused: too many "
		    "failures (address %s)", addr);
		gc_portal_error(r, 429, "too_many", "too many failed sign-ins: "
		    "try again in 15 minutes", "登录失败次数过多，请 15 分钟后"
		    "再试");
		return;
	}
	if (gc_invite_code_hash(code, strlen(code), h)) {
		pthread_mutex_lock(p->lgmtx);
		code_ok = gc_ledger_invite_find(p->n->lg, h, key,
		    sizeof(key)) == GC_OK && gc_row_of(p->n->lg, key, &row) ==
		    GC_OK;
		pthread_mutex_unlock(p->lgmtx);
		ok = code_ok && (idkey[0] == '\0' || id_matches(&row, idkey));
	}
	sodium_memzero(h, sizeof(h));
	sodium_memzero(code, sizeof(code));
	sodium_memzero(idkey, sizeof(idkey));
	if (!ok) {
		gc_ratelimit_fail(p->by_addr, addr, strlen(addr), now);
		if (code_ok && idcount[0]) {
			gc_ratelimit_fail(p->by_id, idcount, strlen(idcount),
			    now);
		}
		sodium_memzero(idcount, sizeof(idcount));
		GC_LOG(GC_LOG_NOTICE, "PORTAL-SIGNIN-FAIL", "a sign-in failed "
		    "(address %s)", addr);
		signin_refused(r);
		return;
	}
	sodium_memzero(idcount, sizeof(idcount));
	signin_start(p, r, key, addr, now);
}

static void
portal_dispatch(struct gc_httpd_req *r, void *app)
{
	struct gc_portal    *p = app;
	struct gc_portal_req pr;
	char                 sid[65], csrf[65], who[GC_HTTP_SESS_WHO];
	bool                 post = strcmp(r->method, "POST") == 0;

	gc_httpd_req_set_header(r, "Referrer-Policy", "no-referrer");
	if (strncmp(r->path, "/api/", 5) != 0) {
		if (gc_httpd_req_asset(r) == 404) {
			gc_portal_error(r, 404, "not_found", "no such page",
			    "没有这个页面");
		} else if (r->asset == NULL) {
			gc_portal_error(r, 405, "bad_request", "only GET here",
			    "这里只接受 GET");
		}
		return;
	}
	if (r->too_large || r->chunked) {
		gc_portal_error(r, r->too_large ? 413 : 411, "bad_request",
		    "the request body is too large or chunked", "请求内容过大"
		    "或格式不对");
		return;
	}
	if (!post && strcmp(r->method, "GET") != 0) {
		gc_portal_error(r, 405, "bad_request", "use GET or POST",
		    "请使用 GET 或 POST");
		return;
	}
	if (post && !gc_portal_same_origin(r->origin, r->host)) {
		gc_portal_error(r, 403, "forbidden", "this request comes from "
		    "another site", "请求来自其他网站");
		return;
	}
	if (strcmp(r->path, "/api/signin") == 0) {
		if (!post) {
			gc_portal_error(r, 405, "bad_request", "use POST",
			    "请使用 POST");
		} else {
			signin(p, r);
		}
		return;
	}
	if (!gc_http_sess_find_who(p->sess, r, sid, csrf, who) ||
	    who[0] == '\0') {
		gc_portal_error(r, 401, "unauthorized", "sign in first",
		    "请先登录");
		return;
	}
	if (post && !gc_http_sess_csrf_ok(r, csrf)) {
		gc_portal_error(r, 403, "csrf", "the page's security token is "
		    "missing or stale: reload the page", "页面的安全令牌缺失或"
		    "已过期：请刷新页面");
		return;
	}
	if (strcmp(r->path, "/api/signout") == 0 && post) {
		gc_http_sess_end(p->sess, r, sid);
		r->ctype = "application/json";
		gc_buf_puts(&r->out, "{}");
		return;
	}
	pr.n       = p->n;
	pr.lgmtx   = p->lgmtx;
	pr.r       = r;
	pr.student = who;
	pr.csrf    = csrf;
	pr.school  = p->school;
	pr.notice  = p->notice;
	pr.cap     = &p->cap;
	if (!gc_portal_api(&pr)) {
		gc_portal_error(r, 404, "not_found", "no such API route",
		    "没有这个接口");
	}
}

static void
portal_free(void *app)
{
	struct gc_portal *p = app;

	gc_http_sess_free(p->sess);
	gc_drafts_free(p->cap.drafts);
	gc_ratelimit_free(p->cap.photos);
	gc_ratelimit_free(p->cap.checks);
	gc_ratelimit_free(p->cap.codes);
	gc_ratelimit_free(p->cap.guide_s);
	gc_ratelimit_free(p->cap.guide_h);
	gc_free(p->notice);
	gc_free(p->cap.rules);
	gc_portal_pipes_release(&p->cap);
	gc_ratelimit_free(p->by_addr);
	gc_ratelimit_free(p->by_id);
	gc_ratelimit_free(p->signins);
	gc_free(p);
}

/* The school's notice to the students: [online] notice (one line) or
 * notice_file (a UTF-8 text file, relative to the home), or "". */
static gc_err
portal_notice(struct gc_portal *p, struct gc_diag *d)
{
	const char *line = gc_config_get(p->n->cfg, "online", "notice", NULL);
	const char *file = gc_config_get(p->n->cfg, "online", "notice_file",
	    NULL);
	char        path[4200], why[160];
	size_t      len = 0;
	uint8_t    *b;

	if (line != NULL && file != NULL) {
		gc_diag_set(d, "gradcap.ini [online]: give notice or "
		    "notice_file, not both");
		return GC_EINVAL;
	}
	if (file == NULL) {
		p->notice = gc_xstrdup(line != NULL ? line : "");
		len       = strlen(p->notice);
	} else {
		snprintf(path, sizeof(path), "%s%s%s", file[0] == '/' ? "" :
		    p->n->home, file[0] == '/' ? "" : "/", file);
		b = gc_file_read(path, NOTICE_MAX, &len, why, sizeof(why));
		if (b == NULL) {
			gc_diag_set(d, "gradcap.ini [online] notice_file = %s: "
			    "%s", file, why);
			return GC_EINVAL;
		}
		p->notice = (char *)b;
	}
	if (!gc_utf8_valid((const uint8_t *)p->notice, len) ||
	    memchr(p->notice, '\0', len) != NULL) {
		gc_diag_set(d, "gradcap.ini [online] %s: the notice is not "
		    "UTF-8 text (save it as UTF-8)", file != NULL ?
		    "notice_file" : "notice");
		return GC_EINVAL;
	}
	return GC_OK;
}

gc_err
gc_portal_start(struct gc_portal **out, uv_loop_t *loop, struct gc_node *n,
    pthread_mutex_t *lgmtx, const char *url, struct gc_diag *d)
{
	static const char *const hdrs[] = { "X-Real-IP", "X-Forwarded-For",
		NULL };
	struct gc_httpd_url      u;
	struct gc_portal        *p;
	struct gc_online_cfg     oc;
	const char              *pub, *tp;
	struct gc_diag           pd;
	char                     cookie[32];
	enum gc_portal_code_mode code_mode;
	struct gc_buf            rules;
	gc_err                   rv;

	*out = NULL;
	if (n->info.role != GC_ROLE_ONLINE &&
	    n->info.role != GC_ROLE_COORDINATOR) {
		gc_diag_set(d, "the student portal runs on an online node (or "
		    "the coordinator of a small school); this node is a %s",
		    gc_role_name(n->info.role));
		return GC_EPERM;
	}
	if (gc_httpd_url_parse(&u, url) != GC_OK || u.https || !u.loopback) {
		gc_diag_set(d, "portal address %s: give http://127.0.0.1:PORT; "
		    "the portal listens on this computer only, behind the "
		    "school's TLS proxy (deploy/nginx, docs/online-guide.md)",
		    url);
		return GC_EINVAL;
	}
	/* a bad [online] setting stops the portal at start, naming it */
	rv = gc_online_cfg_load(n->cfg, &oc, d);
	if (rv == GC_OK) {
		rv = gc_portal_code_mode_load(n->cfg, &code_mode, d);
	}
	if (rv != GC_OK) {
		return rv;
	}
	p          = gc_xzalloc(sizeof(*p));
	gc_diag_clear(&pd);
	tp         = gc_config_get(n->cfg, "online", "trusted_proxy",
	    GC_PORTAL_PROXIES_DEFAULT);
	if (gc_portal_proxies_parse(&p->proxies, tp, &pd) != GC_OK) {
		gc_diag_set(d, "gradcap.ini [online] trusted_proxy = %s: %s",
		    tp, pd.msg);
		gc_free(p);
		return GC_EINVAL;
	}
	p->n       = n;
	p->lgmtx   = lgmtx;
	p->by_addr = gc_ratelimit_new(RL_SLOTS, FAILS_ADDR, FAIL_WINDOW);
	p->by_id   = gc_ratelimit_new(RL_SLOTS, FAILS_ID, FAIL_WINDOW);
	p->signins = gc_ratelimit_new(RL_SLOTS, SIGNINS_HOUR, 3600);
	gc_portal_pipes_init(&p->cap, 0);
	p->cap.drafts = gc_drafts_new(DRAFTS_MAX, DRAFTS_BYTES);
	p->cap.photos = gc_ratelimit_new(RL_SLOTS, PHOTOS_HOUR, 3600);
	p->cap.checks = gc_ratelimit_new(RL_SLOTS, CHECKS_HOUR, 3600);
	p->cap.codes  = gc_ratelimit_new(RL_SLOTS, CODES_HOUR, 3600);
	p->cap.guide_s = gc_ratelimit_new(RL_SLOTS, GUIDE_SECOND, 1);
	p->cap.guide_h = gc_ratelimit_new(RL_SLOTS, GUIDE_HOUR, 3600);
	p->cap.online    = oc;
	p->cap.code_mode = code_mode;
	p->cap.ask_address = gc_config_get_bool(n->cfg, "online", "ask_address",
	    false);
	gc_buf_init(&rules);
	gc__portal_rules_json(n->cfg, &rules);
	p->cap.rules = gc_strdup(gc_buf_cstr(&rules));
	rv           = gc_buf_status(&rules);
	gc_buf_release(&rules);
	if (p->cap.rules == NULL || rv != GC_OK) {
		portal_free(p);
		return GC_ENOMEM;
	}
	rv = portal_notice(p, d);
	if (rv != GC_OK) {
		portal_free(p);
		return rv;
	}
	snprintf(p->school, sizeof(p->school), "%s", gc_config_get(n->cfg,
	    "school", "name", ""));
	/* the students reach it over https (the proxy): the cookie says
	 * Secure unless the public address is plain http (a test) */
	pub = gc_config_get(n->cfg, "online", "portal_url", "https://");
	snprintf(cookie, sizeof(cookie), "gc_portal_%s", u.port);
	p->sess = gc_http_sess_new(&(struct gc_http_sess_opts) {
	     .capacity = NSESS,
	     .idle_s   = SESS_IDLE_S,
	     .cookie   = cookie,
	     .secure   = strncmp(pub, "http://", 7) != 0,
	     .per_who  = SESS_PER_WHO,
	});
	rv = gc_httpd_start(&p->httpd, loop, &(struct gc_httpd_opts) {
	     .name         = "portal",
	     .url          = url,
	     .home         = n->home,
	     .body_collect = BODY_COLLECT,
	     .body_max     = portal_body_max,
	     .dispatch     = portal_dispatch,
	     .release      = portal_free,
	     .csp          = PORTAL_CSP,
	     .assets       = gc_portal_assets,
	     .nassets      = gc_portal_nassets,
	     .index        = "/index.html",
	     .headers      = hdrs,
	}, p, d);
	if (rv != GC_OK) {
		portal_free(p);
		return rv;
	}
	GC_LOG(GC_LOG_NOTICE, "PORTAL-LISTEN", "student portal on %s "
	    "(forwarded addresses believed from %s)", url, tp);
	*out = p;
	return GC_OK;
}

void
gc_portal_stop(struct gc_portal *p)
{
	if (p != NULL) {
		gc_httpd_stop(p->httpd);
	}
}
