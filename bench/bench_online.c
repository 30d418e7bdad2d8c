/*
 * bench/online: issue 12's load. N students (default 20) upload a 12 MP
 * phone photo at once to one online node: a real coordinator and online
 * node set up in a temp folder with `gradcap` (init, enroll, invite,
 * sync, as tests/cli/portal.sh does), the real `gradcap serve --portal`
 * on a free loopback port, a 4000 × 3000 JPEG with an EXIF orientation
 * (upright 3000 × 4000, as a phone held upright writes it) rendered now
 * from a synthetic portrait (tests/synth, from the photos of
 * tests/data/fetch.sh), N students signed in, then N uploads fired at
 * once over plain sockets.
 * Rounds (default 3) of new students each, who submit their drafts
 * after the round (untimed), so one round's drafts do not weigh on the
 * next: a shared machine's noise shows as the spread of the rounds.
 * Prints p50/p95 of the time from upload to the checked answer over every
 * upload, photos per second, the CPU time of `gradcap serve` per photo
 * (which the neighbours' load does not change) and its peak memory
 * (VmHWM); in the same run, as the baseline, the single-shot pipeline
 * time in this process and one upload alone through the portal.
 * Targets: p95 <= 2.5 s at 20 at once, peak <= 300 MB.
 * Usage: online [--students N] [--rounds R] [--synth SRCDIR]
 *        [--gradcap PATH] [--keep]
 * (SRCDIR: default $GC_TESTDATA_DIR, else ~/.cache/gradcap-testdata;
 * --keep leaves the temp folder and says where)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "capture/jpeg.h"
#include "capture/pipeline.h"
#include "common/buf.h"
#include "tests/synth/synth.h"

#ifndef GC_BENCH_GRADCAP
#define GC_BENCH_GRADCAP "gradcap"
#endif

#define MAXN       256
#define PHOTO_W    3000 /* upright, as the student sees it */
#define PHOTO_H    4000
#define TARGET_P95 2.5 /* s, at 20 at once */
#define TARGET_MB  300
#define SOLO_RUNS  3

struct student {
	char code[64];
	char ip[32];
	char cookie[160];
	char csrf[80];
};

struct answer {
	int           status;
	char          cookie[160];
	struct gc_buf body;
};

static const char *gradcap = GC_BENCH_GRADCAP;

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank q-quantile of v (sorted here). */
static double
quantile(double *v, int n, double q)
{
	int k;

	qsort(v, (size_t)n, sizeof(*v), dcmp);
	k = (int)(q * n + 0.999999) - 1;
	return v[k < 0 ? 0 : k >= n ? n - 1 : k];
}

/* ---- processes ---- */

/* Runs a shell command in the temp folder; 0 when it exits 0. */
static int
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
sh(const char *fmt, ...)
{
	char    cmd[2048];
	va_list ap;
	int     rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0) {
		fprintf(stderr, "bench/online: failed (%d): %s\n", rc, cmd);
		return -1;
	}
	return 0;
}

/* A TCP port on 127.0.0.1 free now. */
static int
free_port(void)
{
	struct sockaddr_in a;
	socklen_t          l = sizeof(a);
	int                s = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	memset(&a, 0, sizeof(a));
	a.sin_family      = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &l) == 0) {
		port = ntohs(a.sin_port);
	}
	if (s >= 0) {
		close(s);
	}
	return port;
}

static int
connect_port(int port)
{
	struct sockaddr_in a;
	int                s = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family      = AF_INET;
	a.sin_port        = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(s);
		s = -1;
	}
	return s;
}

/* Until something listens on port (10 s at most). */
static int
wait_port(int port)
{
	for (int i = 0; i < 100; i++) {
		int s = connect_port(port);

		if (s >= 0) {
			close(s);
			return 0;
		}
		usleep(100000);
	}
	fprintf(stderr, "bench/online: nothing listens on port %d\n", port);
	return -1;
}

/* Starts gradcap with argv (NULL-terminated, without argv[0]), its
 * stderr into log; the child's pid, or -1. */
static pid_t
spawn(const char *log, char *const *args)
{
	char *argv[16];
	pid_t pid;
	int   n = 0;

	argv[n++] = (char *)gradcap;
	for (int i = 0; args[i] != NULL && n < 15; i++) {
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	pid     = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
			close(fd);
		}
		execv(gradcap, argv);
		_exit(127);
	}
	return pid;
}

static void
stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

/* A kB figure of /proc/PID/status ("VmHWM:"), in MB; -1 when unknown. */
static double
proc_mb(pid_t pid, const char *field)
{
	char  path[64], line[256];
	FILE *f;
	long  kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL) {
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, field, strlen(field)) == 0) {
			kb = strtol(line + strlen(field), NULL, 10);
		}
	}
	fclose(f);
	return kb < 0 ? -1 : kb / 1024.0;
}

/* ---- HTTP over a plain socket ---- */

static int
send_all(int s, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t k = send(s, b, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			return -1;
		}
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The header value of name in the head [h, end), or NULL. */
static const char *
head_value(const char *h, const char *name, char *out, size_t cap)
{
	size_t      nl = strlen(name);
	const char *p  = h;

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			size_t      l;

			while (*v == ' ') {
				v++;
			}
			l = strcspn(v, "\r\n");
			snprintf(out, cap, "%.*s", (int)l, v);
			return out;
		}
	}
	return NULL;
}

/* Sends the request on s and reads the answer into a (a->body: the
 * answer's body, NUL-terminated); 0, or -1 when the exchange broke. */
static int
http_on(int s, int port, const char *method, const char *path,
    const char *hdrs, const void *body, size_t len, struct answer *a)
{
	char          head[1024], v[160];
	struct gc_buf in;
	size_t        hend = 0, clen = 0;
	char          chunk[65536];
	int           rv = -1;

	snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n%s\r\n", method, path,
	    port, len, hdrs);
	if (send_all(s, head, strlen(head)) != 0 ||
	    (len > 0 && send_all(s, body, len) != 0)) {
		return -1;
	}
	gc_buf_init(&in);
	for (;;) {
		ssize_t k = recv(s, chunk, sizeof(chunk), 0);

		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			break;
		}
		gc_buf_put(&in, chunk, (size_t)k);
		if (hend == 0) {
			const char *e;

			gc_buf_cstr(&in);
			e = strstr((const char *)in.data, "\r\n\r\n");
			if (e == NULL) {
				continue;
			}
			hend = (size_t)(e - (const char *)in.data) + 4;
			clen = head_value((const char *)in.data,
			    "Content-Length", v, sizeof(v)) ? strtoul(v, NULL,
			    10) : 0;
		}
		if (hend != 0 && in.len >= hend + clen) {
			break;
		}
	}
	if (hend != 0 && in.len >= hend + clen &&
	    sscanf((const char *)in.data, "HTTP/1.%*d %d", &a->status) == 1) {
		gc_buf_cstr(&in);
		if (head_value((const char *)in.data, "Set-Cookie", v,
		    sizeof(v)) != NULL) {
			snprintf(a->cookie, sizeof(a->cookie), "%.*s",
			    (int)strcspn(v, ";"), v);
		}
		gc_buf_reset(&a->body);
		gc_buf_put(&a->body, in.data + hend, clen);
		gc_buf_cstr(&a->body);
		rv = gc_buf_status(&a->body) == GC_OK ? 0 : -1;
	}
	gc_buf_release(&in);
	return rv;
}

static int
http(int port, const char *method, const char *path, const char *hdrs,
    const void *body, size_t len, struct answer *a)
{
	int s = connect_port(port), rv;

	if (s < 0) {
		return -1;
	}
	rv = http_on(s, port, method, path, hdrs, body, len, a);
	close(s);
	return rv;
}

/* The string value of "key" in a JSON text (the first one), or "". */
static void
json_peek(const char *j, const char *key, char *out, size_t cap)
{
	char        pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(j, pat);
	out[0] = '\0';
	if (p != NULL) {
		p += strlen(pat);
		snprintf(out, cap, "%.*s", (int)strcspn(p, "\""), p);
	}
}

static int
signin(int port, struct student *st)
{
	struct answer a;
	char          body[128], hdrs[128];
	int           rv;

	memset(&a, 0, sizeof(a));
	gc_buf_init(&a.body);
	snprintf(body, sizeof(body), "{\"code\":\"%.63s\"}", st->code);
	snprintf(hdrs, sizeof(hdrs), "Content-Type: application/json\r\n"
	    "X-Real-IP: %s\r\n", st->ip);
	rv = http(port, "POST", "/api/signin", hdrs, body, strlen(body), &a);
	if (rv == 0 && a.status == 200) {
		snprintf(st->cookie, sizeof(st->cookie), "%s", a.cookie);
		json_peek((const char *)a.body.data, "csrf", st->csrf,
		    sizeof(st->csrf));
	}
	if (rv != 0 || a.status != 200 || st->csrf[0] == '\0') {
		fprintf(stderr, "bench/online: sign-in: %d %s\n", a.status,
		    a.body.data != NULL ? (const char *)a.body.data : "");
		rv = -1;
	}
	gc_buf_release(&a.body);
	return rv;
}

/* ---- one upload ---- */

struct upload {
	int                port;
	const struct student *st;
	const uint8_t     *photo;
	size_t             len;
	pthread_barrier_t *go; /* NULL: at once */
	double             t0;  /* the burst's start, when go */
	double             secs; /* from sending to the whole answer */
	int                status;
	char               verdict[16];
	unsigned           draft; /* the answer's draft id */
};

static void *
upload_run(void *arg)
{
	struct upload *u = arg;
	struct answer  a;
	char           hdrs[512];
	double         t;
	int            s = connect_port(u->port);

	memset(&a, 0, sizeof(a));
	gc_buf_init(&a.body);
	snprintf(hdrs, sizeof(hdrs), "Content-Type: image/jpeg\r\nCookie: "
	    "%s\r\nX-CSRF-Token: %s\r\nX-Real-IP: %s\r\n", u->st->cookie,
	    u->st->csrf, u->st->ip);
	if (u->go != NULL) {
		pthread_barrier_wait(u->go);
	}
	t = now_s();
	u->status = -1;
	if (s >= 0 && http_on(s, u->port, "POST", "/api/photo", hdrs,
	    u->photo, u->len, &a) == 0) {
		u->status = a.status;
		const char *dp = strstr((const char *)a.body.data,
		    "\"draft\":");

		json_peek((const char *)a.body.data, "verdict", u->verdict,
		    sizeof(u->verdict));
		u->draft = dp != NULL ? (unsigned)strtoul(dp + 8, NULL, 10) : 0;
	}
	u->secs = now_s() - t;
	if (u->status != 200) {
		fprintf(stderr, "bench/online: upload: %d %.300s\n", u->status,
		    a.body.data != NULL ? (const char *)a.body.data : "");
	}
	if (s >= 0) {
		close(s);
	}
	gc_buf_release(&a.body);
	return NULL;
}

/* ---- the photo ---- */

/* Inserts an EXIF APP1 saying orientation o after the JFIF APP0 of the
 * JPEG in b. */
static int
exif_orient(struct gc_buf *b, int o)
{
	static const uint8_t tmpl[] = {
		0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0,
		'I', 'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, /* TIFF, IFD0 at 8 */
		0x01, 0x00,                                   /* one entry */
		0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, /* 0x0112 SHORT 1 */
		0x00, 0x00, 0x00, 0x00,                       /* the value */
		0x00, 0x00, 0x00, 0x00,                       /* no IFD1 */
	};
	struct gc_buf out;
	uint8_t       seg[sizeof(tmpl)];
	size_t        at = 2;

	_Static_assert(sizeof(tmpl) == 0x22 + 2, "APP1 length");
	if (b->len < 6 || b->data[0] != 0xFF || b->data[1] != 0xD8) {
		return -1;
	}
	if (b->data[2] == 0xFF && b->data[3] == 0xE0) {
		at = 4 + ((size_t)b->data[4] << 8 | b->data[5]);
	}
	memcpy(seg, tmpl, sizeof(seg));
	seg[28] = (uint8_t)o;
	gc_buf_init(&out);
	gc_buf_put(&out, b->data, at);
	gc_buf_put(&out, seg, sizeof(seg));
	gc_buf_put(&out, b->data + at, b->len - at);
	if (gc_buf_status(&out) != GC_OK) {
		gc_buf_release(&out);
		return -1;
	}
	gc_buf_release(b);
	*b = out;
	return 0;
}

/*
 * The phone's photo: the ok-blue synthetic portrait of grace_hopper
 * rendered upright at PHOTO_W × PHOTO_H, with a sensor's grain (±16 per
 * channel, fixed seed), stored turned a quarter to the left as 4000 ×
 * 3000 with EXIF orientation 6 (turn right to view), JPEG quality 92:
 * about the size and shape of a 12 MP phone JPEG.
 */
static int
make_photo(const char *srcdir, struct gc_buf *out)
{
	struct gc_synth_src            src;
	const struct gc_synth_variant *v = NULL;
	struct gc_image                up, st;
	gc_facedet                    *fd;
	struct gc_diag                 d;
	char                           path[4200];
	uint32_t                       seed = 12;
	int                            rv   = -1;

	gc_diag_clear(&d);
	for (int i = 0; i < gc_synth_nvariants; i++) {
		if (strcmp(gc_synth_variants[i].name, "ok-blue") == 0) {
			v = &gc_synth_variants[i];
		}
	}
	snprintf(path, sizeof(path), "%.4000s/grace_hopper.jpg", srcdir);
	if (v == NULL || gc_facedet_open(&fd, NULL, &d) != GC_OK) {
		fprintf(stderr, "bench/online: %s\n", d.msg);
		return -1;
	}
	if (gc_synth_src_load(&src, fd, path, "grace_hopper", "") != GC_OK) {
		fprintf(stderr, "bench/online: %s: no source photo (run "
		    "tests/data/fetch.sh, or give --synth)\n", path);
		gc_facedet_close(fd);
		return -1;
	}
	gc_facedet_close(fd);
	if (gc_synth_render(&src, v, PHOTO_W, PHOTO_H, &up) == GC_OK &&
	    gc_image_alloc(&st, PHOTO_H, PHOTO_W, 3) == GC_OK) {
		/* stored (x, y) = upright (W - 1 - y, x) */
		for (int y = 0; y < st.h; y++) {
			uint8_t *q = st.px + (size_t)y * st.stride;

			for (int x = 0; x < st.w; x++, q += 3) {
				const uint8_t *p = up.px + (size_t)x * up.stride +
				    (size_t)(PHOTO_W - 1 - y) * 3;

				for (int c = 0; c < 3; c++) {
					int g;

					seed = seed * 1664525u + 1013904223u;
					g    = p[c] + (int)(seed >> 27) - 16;
					q[c] = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 :
					    g);
				}
			}
		}
		gc_buf_init(out);
		if (gc_jpeg_encode(&st, 92, 72, out) == GC_OK &&
		    exif_orient(out, 6) == 0) {
			rv = 0;
		}
		gc_image_release(&st);
	}
	gc_image_release(&up);
	gc_synth_src_release(&src);
	return rv;
}

/* The single-shot pipeline in this process: median total ms of runs
 * after one to warm up; the verdict into verdict. */
static double
pipeline_ms(const struct gc_buf *photo, char *verdict, size_t cap)
{
	struct gc_profile p;
	struct gc_diag    d;
	gc_pipeline      *pl;
	double            t[SOLO_RUNS];

	gc_profile_default(&p);
	gc_diag_clear(&d);
	if (gc_pipeline_open(&pl, &p, &d) != GC_OK) {
		fprintf(stderr, "bench/online: %s\n", d.msg);
		return -1;
	}
	for (int i = -1; i < SOLO_RUNS; i++) {
		struct gc_pipeline_result r;
		double                    t0 = now_s();

		gc_pipeline_result_init(&r);
		gc_pipeline_run(pl, photo->data, photo->len, GC_PIPE_NORMALIZE,
		    &r);
		if (i >= 0) {
			t[i] = (now_s() - t0) * 1e3;
		}
		snprintf(verdict, cap, "%s", gc_verdict_name(r.report.verdict));
		gc_pipeline_result_release(&r);
	}
	gc_pipeline_close(pl);
	return quantile(t, SOLO_RUNS, 0.5);
}

/* ---- the school ---- */

/* The invitation codes of inv.csv (the column 邀请码) into st; how many. */
static int
read_codes(struct student *st, int max)
{
	FILE *f = fopen("inv.csv", "r");
	char  line[2048];
	int   col = -1, n = 0;

	if (f == NULL) {
		return -1;
	}
	while (n < max && fgets(line, sizeof(line), f) != NULL) {
		char *cell = line;
		int   c    = 0;

		for (;;) {
			size_t l = strcspn(cell, ",\r\n");
			char   v[256];

			snprintf(v, sizeof(v), "%.*s", (int)l, cell);
			if (col < 0 && strstr(v, "邀请码") != NULL) {
				col = c;
			} else if (c == col) {
				char *q = v[0] == '"' ? v + 1 : v;

				q[strcspn(q, "\"")] = '\0';
				snprintf(st[n].code, sizeof(st[n].code), "%.63s", q);
				snprintf(st[n].ip, sizeof(st[n].ip),
				    "198.18.%d.%d", n / 250, n % 250 + 1);
				n++;
			}
			if (cell[l] != ',') {
				break;
			}
			cell += l + 1;
			c++;
		}
	}
	fclose(f);
	return n;
}

/* The coordinator with a roster of n, an online node enrolled by it that
 * has taken the invitations by sync, in the current folder. */
static int
make_school(int n)
{
	char  url[64];
	pid_t pid;
	int   p = free_port(), rv;

	if (sh("'%s' init --home c --role coordinator --school 10335 --name "
	    "教务处 >/dev/null", gradcap) != 0 ||
	    sh("'%s' sample roster --count %d --out r.csv", gradcap, n) != 0 ||
	    sh("'%s' roster import --home c r.csv >/dev/null", gradcap) != 0 ||
	    sh("'%s' init --home o --role online --school 10335 --name 线上采集 "
	    ">/dev/null", gradcap) != 0 ||
	    sh("'%s' enroll request --home o --out o.req >/dev/null && '%s' "
	    "enroll sign --home c o.req --out o.enr >/dev/null && '%s' enroll "
	    "install --home o o.enr >/dev/null", gradcap, gradcap,
	    gradcap) != 0 ||
	    sh("'%s' online invite --home c --out inv.csv >/dev/null",
	    gradcap) != 0) {
		return -1;
	}
	snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%d", p);
	pid = spawn("c.log", (char *[]) { "serve", "--home", "c", "--no-ui",
	    "--listen", url, NULL });
	rv = pid > 0 ? wait_port(p) : -1;
	if (rv == 0) {
		rv = sh("'%s' sync --home o %s >/dev/null", gradcap, url);
	}
	stop(pid);
	return rv;
}

/* CPU seconds (user + system) of pid so far; -1 when unknown. */
static double
proc_cpu_s(pid_t pid)
{
	char          path[64], line[1024];
	FILE         *f;
	const char   *p;
	unsigned long ut = 0, stime = 0;
	int           got = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL) {
		return -1;
	}
	if (fgets(line, sizeof(line), f) != NULL &&
	    (p = strrchr(line, ')')) != NULL) {
		/* after the name: state (3) ... utime (14), stime (15) */
		got = sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
		    "%*u %lu %lu", &ut, &stime);
	}
	fclose(f);
	return got == 2 ? (double)(ut + stime) / sysconf(_SC_CLK_TCK) : -1;
}

/* The student submits the draft (the photo becomes a CAPTURE and leaves
 * the drafts), as after looking at it; not timed. */
static void
confirm(int port, const struct student *st, unsigned draft)
{
	struct answer a;
	char          body[64], hdrs[512];

	memset(&a, 0, sizeof(a));
	gc_buf_init(&a.body);
	snprintf(body, sizeof(body), "{\"draft\":%u}", draft);
	snprintf(hdrs, sizeof(hdrs), "Content-Type: application/json\r\n"
	    "Cookie: %s\r\nX-CSRF-Token: %s\r\nX-Real-IP: %s\r\n", st->cookie,
	    st->csrf, st->ip);
	if (http(port, "POST", "/api/confirm", hdrs, body, strlen(body),
	    &a) != 0 || (a.status != 200 && a.status != 409)) {
		fprintf(stderr, "bench/online: confirm: %d %.300s\n", a.status,
		    a.body.data != NULL ? (const char *)a.body.data : "");
	}
	gc_buf_release(&a.body);
}

/* One round: the n students of st upload at once (connected first, then
 * released together); up[i] gets each one's answer. The wall time from
 * the release to the last answer. */
static double
burst(int port, const struct student *st, int n, const struct gc_buf *photo,
    struct upload *up)
{
	pthread_t         th[MAXN];
	pthread_barrier_t go;
	double            t0;

	pthread_barrier_init(&go, NULL, (unsigned)n + 1);
	for (int i = 0; i < n; i++) {
		up[i] = (struct upload) { .port = port, .st = &st[i],
			.photo = photo->data, .len = photo->len, .go = &go };
		pthread_create(&th[i], NULL, upload_run, &up[i]);
	}
	pthread_barrier_wait(&go);
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
	}
	pthread_barrier_destroy(&go);
	return now_s() - t0;
}

/* The three load averages of /proc/loadavg. */
static void
loadavg(char *out, size_t cap)
{
	FILE *f = fopen("/proc/loadavg", "r");
	int   sp = 0;

	out[0] = '\0';
	if (f != NULL) {
		if (fgets(out, (int)cap, f) == NULL) {
			out[0] = '\0';
		}
		fclose(f);
	}
	for (char *p = out; *p; p++) {
		if (*p == '\n' || (*p == ' ' && ++sp == 3)) {
			*p = '\0';
			break;
		}
	}
}

/* Stops the server (if any) and says where its log is: 1. */
static int
give_up(pid_t srv, const char *tmp)
{
	stop(srv);
	fprintf(stderr, "bench/online: stopped; the logs (c.log, o.log) are "
	    "in %s\n", tmp);
	return 1;
}

int
main(int argc, char **argv)
{
	static struct student st[MAXN + 1];
	static struct upload  up[MAXN];
	static double         lat[MAXN];
	struct gc_buf         photo;
	struct gc_jpeg_info   info;
	const char           *srcdir = getenv("GC_TESTDATA_DIR");
	char                  tmp[] = "/tmp/gc-bench-online-XXXXXX";
	char                  home_src[4200], purl[64], load0[64], load1[64];
	static char           gradcap_abs[PATH_MAX];
	char                  pverdict[16] = "?", verdict[16] = "?";
	double                solo[SOLO_RUNS], rp95[16], cold = 0, wall = 0;
	double                pipe_ms, cpu, hwm, idle, p50, p95;
	int                   n = 20, rounds = 3, ok = 0, pass = 0, pport;
	int                   total, nst;
	bool                  keep = false;
	pid_t                 srv;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--students") == 0 && i + 1 < argc) {
			n = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
			rounds = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--synth") == 0 && i + 1 < argc) {
			srcdir = argv[++i];
		} else if (strcmp(argv[i], "--gradcap") == 0 && i + 1 < argc) {
			gradcap = argv[++i];
		} else if (strcmp(argv[i], "--keep") == 0) {
			keep = true;
		} else {
			fprintf(stderr, "usage: online [--students N] [--rounds R] "
			    "[--synth SRCDIR] [--gradcap PATH] [--keep]\n");
			return 2;
		}
	}
	if (n < 1 || rounds < 1 || rounds > 16 || n * rounds > MAXN) {
		fprintf(stderr, "bench/online: --students 1.., --rounds 1..16, "
		    "at most %d uploads in all\n", MAXN);
		return 2;
	}
	total = n * rounds;
	if (srcdir == NULL) {
		snprintf(home_src, sizeof(home_src), "%.4000s/.cache/"
		    "gradcap-testdata", getenv("HOME") ? getenv("HOME") : "");
		srcdir = home_src;
	}
	/* the setup runs in the temp folder: the path must not be relative */
	if (realpath(gradcap, gradcap_abs) != NULL) {
		gradcap = gradcap_abs;
	}
	if (access(gradcap, X_OK) != 0) {
		fprintf(stderr, "bench/online: %s: not found (--gradcap)\n",
		    gradcap);
		return 1;
	}
	if (make_photo(srcdir, &photo) != 0 ||
	    gc_jpeg_probe(photo.data, photo.len, &info, NULL) != GC_OK) {
		fprintf(stderr, "bench/online: cannot make the photo\n");
		return 1;
	}
	if (mkdtemp(tmp) == NULL || chdir(tmp) != 0) {
		perror("bench/online: temp folder");
		return 1;
	}
	loadavg(load0, sizeof(load0));
	printf("gradcap bench/online: %d students upload a 12 MP phone photo "
	    "(%dx%d JPEG, EXIF orientation %d, %.1f MB) at once to one "
	    "online node, %d round%s of new students; %ld CPUs; load average "
	    "%s at the start\n", n, info.width, info.height, info.orientation,
	    photo.len / 1e6, rounds, rounds == 1 ? "" : "s",
	    sysconf(_SC_NPROCESSORS_ONLN), load0);
	fflush(stdout);
	/* the baseline, in this process before the server runs */
	pipe_ms = pipeline_ms(&photo, pverdict, sizeof(pverdict));
	if (make_school(total + 1) != 0) {
		return give_up(0, tmp);
	}
	nst = read_codes(st, total + 1);
	if (nst != total + 1) {
		fprintf(stderr, "bench/online: inv.csv: %d codes, expected "
		    "%d\n", nst, total + 1);
		return give_up(0, tmp);
	}
	pport = free_port();
	snprintf(purl, sizeof(purl), "http://127.0.0.1:%d", pport);
	srv = spawn("o.log", (char *[]) { "serve", "--home", "o", "--no-ui",
	    "--portal", purl, NULL });
	if (srv <= 0 || wait_port(pport) != 0) {
		return give_up(srv, tmp);
	}
	for (int i = 0; i <= total; i++) {
		if (signin(pport, &st[i]) != 0) {
			return give_up(srv, tmp);
		}
	}
	/* one upload alone (the student past the others): the first opens
	 * the pipeline, the next ones are the baseline */
	for (int i = -1; i < SOLO_RUNS; i++) {
		struct upload u = { .port = pport, .st = &st[total],
			.photo = photo.data, .len = photo.len };

		upload_run(&u);
		if (u.status != 200) {
			return give_up(srv, tmp);
		}
		if (i < 0) {
			cold = u.secs;
		} else {
			solo[i] = u.secs;
		}
	}
	idle = proc_mb(srv, "VmRSS:");
	cpu  = 0;
	for (int r = 0; r < rounds; r++) {
		double c0 = proc_cpu_s(srv);

		wall += burst(pport, st + r * n, n, &photo, up);
		cpu += proc_cpu_s(srv) - c0;
		for (int i = 0; i < n; i++) {
			lat[r * n + i] = up[i].secs;
			ok += up[i].status == 200;
			pass += strcmp(up[i].verdict, "pass") == 0;
			snprintf(verdict, sizeof(verdict), "%s", up[i].verdict);
		}
		rp95[r] = quantile(lat + r * n, n, 0.95);
		/* the students submit what they saw (untimed), so the
		 * drafts of one round do not weigh on the next */
		for (int i = 0; i < n; i++) {
			if (up[i].draft != 0) {
				confirm(pport, &st[r * n + i], up[i].draft);
			}
		}
	}
	hwm = proc_mb(srv, "VmHWM:");
	loadavg(load1, sizeof(load1));
	stop(srv);
	printf("  baseline, single shot: the pipeline in this process %.0f ms "
	    "(median of %d, verdict %s); one upload alone through the portal "
	    "%.2f s (median of %d; the first, opening the pipeline, %.2f s)\n",
	    pipe_ms, SOLO_RUNS, pverdict, quantile(solo, SOLO_RUNS, 0.5),
	    SOLO_RUNS, cold);
	p50 = quantile(lat, total, 0.50);
	p95 = quantile(lat, total, 0.95); /* lat is sorted from here */
	printf("  %d at once, %d uploads: p50 %.2f s  p95 %.2f s  max %.2f s  "
	    "%.1f photos/s  answered 200: %d/%d (verdict %s: %d)\n", n, total,
	    p50, p95, lat[total - 1], total / wall, ok, total, verdict, pass);
	printf("  p95 of each round:");
	for (int r = 0; r < rounds; r++) {
		printf(" %.2f s", rp95[r]);
	}
	printf("; gradcap serve CPU %.0f ms per photo (load-independent)\n",
	    cpu * 1e3 / total);
	printf("  gradcap serve: peak memory (VmHWM) %.0f MB; %.0f MB resident "
	    "before the first round\n", hwm, idle);
	printf("  target p95 <= %.1f s at 20 at once: %.2f s %s\n", TARGET_P95,
	    p95, p95 <= TARGET_P95 ? "met" : "MISSED");
	printf("  target peak <= %d MB: %.0f MB %s\n", TARGET_MB, hwm,
	    hwm <= TARGET_MB ? "met" : "MISSED");
	printf("  load average %s at the end\n", load1);
	if (keep) {
		printf("  kept %s\n", tmp);
	} else {
		sh("rm -rf '%s'", tmp);
	}
	gc_buf_release(&photo);
	return ok == total ? 0 : 1;
}
