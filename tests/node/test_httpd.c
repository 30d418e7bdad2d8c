/* The HTTP front (node/httpd.h) with a small app: what dispatch sees of a
  * request (path, query, the extra headers, body limits, the TCP peer's
  * address), the answer's headers and assets, the body taken by the app
  * uncopied, and the stop (release once, after the loop is done). A client
  * thread sends raw requests; the loop runs here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/gc_alloc.h"
#include "node/httpd.h"

#define NREQ 8

static const unsigned char index_data[] = "<p>hi</p>";
static const struct gc_httpd_asset assets[] = {
	{ "/index.html", "text/html", index_data, sizeof(index_data) - 1 },
};
static const char *const xheaders[] = { "X-Real-IP", "X-Forwarded-For",
	NULL };

struct app {
	int  released;
	int  port;
	char req[NREQ][2048];  /* what the client sends */
	char resp[NREQ][4096]; /* what it gets */
	uv_async_t done;       /* the client is through */
	struct gc_httpd *h;
};

static size_t
app_body_max(const char *path, void *arg)
{
	(void)arg;
	return strcmp(path, "/small") == 0 ? 10 : 1000;
}

/* Echoes what it saw; "/index.html" and "/" are assets. */
static void
app_dispatch(struct gc_httpd_req *r, void *arg)
{
	const char *rip = gc_httpd_req_header(r, "x-real-ip");
	const char *xff = gc_httpd_req_header(r, "X-Forwarded-For");
	int         st;

	(void)arg;
	if (strcmp(r->path, "/") == 0 || strcmp(r->path, "/index.html") == 0) {
		st = gc_httpd_req_asset(r);
		if (st != 200) {
			r->status = st;
			gc_httpd_error_json(&r->out, "bad_request", "no", "不");
		}
		return;
	}
	r->ctype = "text/plain";
	if (strcmp(r->path, "/take") == 0) {
		const char *was = r->body;
		size_t      len;
		char       *b = gc_httpd_req_take_body(r, &len);

		/* the very bytes, and nothing left behind; the app frees */
		gc_buf_printf(&r->out, "[took %zu|%s|%s|%d|left %zu '%s']", len,
		    b != NULL ? b : "(none)", b == NULL ? "-" : b == was ?
		    "same" : "copied", b != NULL && b[len] == '\0', r->body_len,
		    r->body);
		gc_free(b);
		return;
	}
	gc_buf_printf(&r->out, "[%s|%s|%s|%s|%s|%s|%s|%zu|%d|%d|%s|%s]",
	    r->method, r->path, r->query, r->host, r->cookie ? r->cookie :
	    "-", rip ? rip : "-", xff ? xff : "-", r->body_len, r->too_large,
	    r->chunked, r->body, r->peer);
	snprintf(r->set_cookie, sizeof(r->set_cookie), "k=v; HttpOnly");
	/* no cmocka assert on this thread: a wrong status fails the test */
	r->status = gc_httpd_req_set_header(r, "X-Test", "1") ? 201 : 500;
}

static void
app_release(void *arg)
{
	struct app *a = arg;

	a->released++;
}

static void
done_closed(uv_handle_t *h)
{
	(void)h;
}

static void
done_cb(uv_async_t *w) /* loop thread */
{
	struct app *a = w->data;

	gc_httpd_stop(a->h);
	uv_close((uv_handle_t *)w, done_closed);
}

static void
roundtrip(int port, const char *req, char *out, size_t cap)
{
	struct sockaddr_in sa;
	size_t             n = 0;
	ssize_t            got;
	int                fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family      = AF_INET;
	sa.sin_port        = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	out[0]             = '\0';
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		if (fd >= 0) {
			close(fd);
		}
		return;
	}
	while (n + 1 < cap && (got = read(fd, out + n, cap - 1 - n)) > 0) {
		n += (size_t)got;
	}
	out[n] = '\0';
	close(fd);
}

static void *
client(void *arg)
{
	struct app *a = arg;

	for (int i = 0; i < NREQ; i++) {
		roundtrip(a->port, a->req[i], a->resp[i], sizeof(a->resp[i]));
	}
	uv_async_send(&a->done);
	return NULL;
}

static int
free_port(void)
{
	struct sockaddr_in sa;
	socklen_t          l = sizeof(sa);
	int                fd = socket(AF_INET, SOCK_STREAM, 0);
	int                port;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family      = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &l), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void
test_httpd_url_parse_takes_http_and_https_only(void **state)
{
	struct gc_httpd_url u;

	(void)state;
	assert_int_equal(gc_httpd_url_parse(&u, "http://127.0.0.1:8080"),
	    GC_OK);
	assert_false(u.https);
	assert_true(u.loopback);
	assert_string_equal(u.host, "127.0.0.1");
	assert_string_equal(u.port, "8080");
	assert_int_equal(gc_httpd_url_parse(&u, "https://[::1]:8443/"),
	    GC_OK);
	assert_true(u.https && u.loopback);
	assert_string_equal(u.host, "::1");
	assert_int_equal(gc_httpd_url_parse(&u, "https://0.0.0.0:443"),
	    GC_OK);
	assert_false(u.loopback);
	/* nng fills in the scheme's port */
	assert_int_equal(gc_httpd_url_parse(&u, "http://127.0.0.1"), GC_OK);
	assert_string_equal(u.port, "80");
	assert_int_equal(gc_httpd_url_parse(&u, "http://127.0.0.1:80/ui"),
	    GC_EINVAL);
	assert_int_equal(gc_httpd_url_parse(&u, "tcp://127.0.0.1:80"),
	    GC_EINVAL);
	assert_int_equal(gc_httpd_url_parse(&u, "nonsense"), GC_EINVAL);
}

static void
test_httpd_serves_the_app_and_stops(void **state)
{
	struct app    *a = calloc(1, sizeof(*a));
	uv_loop_t      loop;
	pthread_t      th;
	struct gc_diag d;
	char           url[64], xff[400];
	gc_err         rv;

	(void)state;
	assert_non_null(a);
	a->port = free_port();
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", a->port);
	memset(xff, 'x', sizeof(xff) - 1);
	xff[sizeof(xff) - 1] = '\0';
	snprintf(a->req[0], sizeof(a->req[0]), "GET /echo?q=1&r=2 HTTP/1.1"
	    "\r\nHost: h:1\r\nX-Real-IP: 10.0.0.7\r\nCookie: c=1\r\n"
	    "Connection: close\r\n\r\n");
	snprintf(a->req[1], sizeof(a->req[1]), "GET /echo HTTP/1.1\r\n"
	    "Host: h\r\nX-Forwarded-For: %s\r\nConnection: close\r\n\r\n",
	    xff);
	snprintf(a->req[2], sizeof(a->req[2]), "POST /small HTTP/1.1\r\n"
	    "Host: h\r\nContent-Length: 11\r\nConnection: close\r\n\r\n"
	    "hello world");
	snprintf(a->req[3], sizeof(a->req[3]), "POST /echo HTTP/1.1\r\n"
	    "Host: h\r\nContent-Length: 11\r\nConnection: close\r\n\r\n"
	    "hello world");
	snprintf(a->req[4], sizeof(a->req[4]), "GET / HTTP/1.1\r\n"
	    "Host: h\r\nConnection: close\r\n\r\n");
	snprintf(a->req[5], sizeof(a->req[5]), "POST /index.html HTTP/1.1"
	    "\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
	snprintf(a->req[6], sizeof(a->req[6]), "POST /take HTTP/1.1\r\n"
	    "Host: h\r\nContent-Length: 5\r\nConnection: close\r\n\r\n"
	    "photo");
	snprintf(a->req[7], sizeof(a->req[7]), "POST /take HTTP/1.1\r\n"
	    "Host: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
	assert_int_equal(uv_loop_init(&loop), 0);
	gc_diag_clear(&d);
	rv = gc_httpd_start(&a->h, &loop, &(struct gc_httpd_opts) {
	     .name         = "test",
	     .url          = url,
	     .body_collect = 1 << 20,
	     .body_max     = app_body_max,
	     .dispatch     = app_dispatch,
	     .release      = app_release,
	     .csp          = "default-src 'none'",
	     .assets       = assets,
	     .nassets      = 1,
	     .index        = "/index.html",
	     .headers      = xheaders,
	}, a, &d);
	assert_int_equal(rv, GC_OK);
	uv_async_init(&loop, &a->done, done_cb);
	a->done.data = a;
	assert_int_equal(pthread_create(&th, NULL, client, a), 0);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	pthread_join(th, NULL);
	assert_int_equal(uv_loop_close(&loop), 0);
	/* nng may drop its handler (the last reference) a little later */
	for (int i = 0; i < 100 && a->released == 0; i++) {
		usleep(10000);
	}
	assert_int_equal(a->released, 1);

	assert_non_null(strstr(a->resp[0], "HTTP/1.1 201"));
	assert_non_null(strstr(a->resp[0],
	    "[GET|/echo|q=1&r=2|h:1|c=1|10.0.0.7|-|0|0|0||127.0.0.1]"));
	assert_non_null(strstr(a->resp[0], "Content-Type: text/plain"));
	assert_non_null(strstr(a->resp[0], "Cache-Control: no-store"));
	assert_non_null(strstr(a->resp[0], "Set-Cookie: k=v; HttpOnly"));
	assert_non_null(strstr(a->resp[0], "X-Test: 1"));
	assert_non_null(strstr(a->resp[0], "X-Content-Type-Options: nosniff"));
	assert_non_null(strstr(a->resp[0],
	    "Content-Security-Policy: default-src 'none'"));
	/* a value over 255 bytes is not passed on */
	assert_non_null(strstr(a->resp[1],
	    "[GET|/echo||h|-|-|-|0|0|0||127.0.0.1]"));
	/* over the path's limit: flagged, no body */
	assert_non_null(strstr(a->resp[2],
	    "[POST|/small||h|-|-|-|0|1|0||127.0.0.1]"));
	assert_non_null(strstr(a->resp[3],
	    "[POST|/echo||h|-|-|-|11|0|0|hello world|127.0.0.1]"));
	/* "/" is the index asset */
	assert_non_null(strstr(a->resp[4], "HTTP/1.1 200"));
	assert_non_null(strstr(a->resp[4], "Content-Type: text/html"));
	assert_non_null(strstr(a->resp[4], "Cache-Control: no-cache"));
	assert_non_null(strstr(a->resp[4], "\r\n\r\n<p>hi</p>"));
	assert_null(strstr(a->resp[4], "Set-Cookie"));
	assert_non_null(strstr(a->resp[5], "HTTP/1.1 405"));
	/* the app owns the body it takes: the same bytes, uncopied */
	assert_non_null(strstr(a->resp[6], "[took 5|photo|same|1|left 0 '']"));
	assert_non_null(strstr(a->resp[7], "[took 0|(none)|-|0|left 0 '']"));
	free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_httpd_url_parse_takes_http_and_https_only),
		cmocka_unit_test(test_httpd_serves_the_app_and_stops),
	};
	return cmocka_run_group_tests_name("node.httpd", tests, NULL, NULL);
}
