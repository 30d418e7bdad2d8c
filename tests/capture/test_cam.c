/* Camera sources: the hot folder, the synthetic source, libcamera with no
 * camera, spec dispatch and gc_cam_grab. Every wait has a deadline. */
#include <stdarg.h> /* cmocka 1.1.5 needs these four before cmocka.h */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/cam.h"
#include "capture/jpeg.h"
#include "common/gc_alloc.h"
#include "tests/testutil.h"

#define MAX_FRAMES 16

/* --- helpers -------------------------------------------------------- */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0) {
	}
}

struct got {
	enum gc_frame_kind kind;
	uint8_t           *data;
	size_t             len;
	uint32_t           w, h, stride;
	uint64_t           seq, ts_ns;
	char               name[256];
	uint64_t           at_ms;
};

/* Copies every frame it is given (a test may; real callbacks only hand
 * off) and releases it. */
struct collector {
	pthread_mutex_t mtx;
	pthread_cond_t  cond;
	gc_cam         *cam;
	struct got      got[MAX_FRAMES];
	int             n;
	int             cb_sleep_ms;   /* to catch close during a callback */
	atomic_int      in_cb;         /* a callback is running */
	atomic_int      cb_done;       /* callbacks that returned */
};

static void
col_init(struct collector *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->mtx, NULL);
	pthread_cond_init(&c->cond, NULL);
}

static void
col_release(struct collector *c)
{
	for (int i = 0; i < c->n; i++) {
		free(c->got[i].data);
	}
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->mtx);
}

static void
col_cb(const struct gc_cam_frame *f, void *arg)
{
	struct collector *c = arg;

	atomic_store(&c->in_cb, 1);
	pthread_mutex_lock(&c->mtx);
	if (c->n < MAX_FRAMES) {
		struct got *g = &c->got[c->n];

		g->kind   = f->kind;
		g->len    = f->len;
		g->data   = malloc(f->len + 1);
		memcpy(g->data, f->data, f->len);
		g->w      = f->width;
		g->h      = f->height;
		g->stride = f->stride;
		g->seq    = f->seq;
		g->ts_ns  = f->ts_ns;
		g->at_ms  = now_ms();
		snprintf(g->name, sizeof(g->name), "%s", f->name);
		c->n++;
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->mtx);
	if (c->cb_sleep_ms > 0) {
		sleep_ms(c->cb_sleep_ms);
	}
	gc_cam_frame_release(c->cam, f);
	atomic_store(&c->in_cb, 0);
	atomic_fetch_add(&c->cb_done, 1);
}

/* Waits until n frames came or timeout_ms passed; returns the count. */
static int
col_wait(struct collector *c, int n, int timeout_ms)
{
	struct timespec dl;
	int             got;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += timeout_ms / 1000;
	dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (dl.tv_nsec >= 1000000000) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&c->mtx);
	while (c->n < n &&
	    pthread_cond_timedwait(&c->cond, &c->mtx, &dl) == 0) {
	}
	got = c->n;
	pthread_mutex_unlock(&c->mtx);
	return got;
}

static int
col_count(struct collector *c)
{
	int n;

	pthread_mutex_lock(&c->mtx);
	n = c->n;
	pthread_mutex_unlock(&c->mtx);
	return n;
}

/* JPEG-looking bytes: SOI, filler without 0xff, EOI. No prefix of it
 * other than the whole ends with FF D9. */
static uint8_t *
fake_jpeg(size_t n, unsigned seed)
{
	uint8_t *p = malloc(n);
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x    = x * 1103515245u + 12345u;
		p[i] = (uint8_t)((x >> 16) % 255);
	}
	p[0]     = 0xff;
	p[1]     = 0xd8;
	p[n - 2] = 0xff;
	p[n - 1] = 0xd9;
	return p;
}

static char *
path_in(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char  *p = malloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static void
write_at(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	free(gc_test_write_file(dir, name, p, n));
}

/* Writes tmpname, then renames it to name (how tethering tools save). */
static void
write_and_rename(const char *dir, const char *tmpname, const char *name,
    const uint8_t *p, size_t n)
{
	char *a = path_in(dir, tmpname), *b = path_in(dir, name);

	write_at(dir, tmpname, p, n);
	assert_int_equal(rename(a, b), 0);
	free(a);
	free(b);
}

static gc_cam *
open_folder(const char *dir, int settle_ms, struct collector *c)
{
	struct gc_cam_cfg cfg = { .settle_ms = settle_ms };
	struct gc_diag    d;
	char              spec[600];
	gc_cam           *cam;

	gc_diag_clear(&d);
	snprintf(spec, sizeof(spec), "folder:%s", dir);
	assert_int_equal(gc_cam_open(&cam, spec, &cfg, &d), GC_OK);
	c->cam = cam;
	assert_int_equal(gc_cam_start(cam, col_cb, c), GC_OK);
	return cam;
}

/* --- folder --------------------------------------------------------- */

static void
test_folder_takes_only_new_visible_jpegs(void **state)
{
	const char      *dir = gc_test_tmpdir("cam-folder-names");
	struct collector c;
	uint8_t         *j = fake_jpeg(3000, 1);
	gc_cam          *cam;

	(void)state;
	col_init(&c);
	write_at(dir, "before.jpg", j, 3000); /* there at start: not ours */
	cam = open_folder(dir, 200, &c);
	write_at(dir, "notes.txt", j, 3000);
	write_at(dir, "scan.png", j, 3000);
	write_at(dir, ".hidden.jpg", j, 3000);
	write_and_rename(dir, "x.part", ".dot.jpeg", j, 3000);
	write_at(dir, "jpgnot", j, 3000);
	write_at(dir, "UPPER.JPEG", j, 3000);
	/* Settle plus a full rescan, so a missed event would show. */
	assert_int_equal(col_wait(&c, 1, 5000), 1);
	sleep_ms(1400);
	gc_cam_close(cam);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.got[0].name, "UPPER.JPEG");
	assert_int_equal(c.got[0].kind, GC_FRAME_JPEG);
	assert_int_equal(c.got[0].len, 3000);
	assert_memory_equal(c.got[0].data, j, 3000);
	col_release(&c);
	free(j);
	gc_test_rmrf(dir);
}

static void
test_folder_delivers_file_written_in_place_once_after_settle(void **state)
{
	const char      *dir = gc_test_tmpdir("cam-folder-inplace");
	struct collector c;
	uint8_t         *j = fake_jpeg(20000, 2);
	gc_cam          *cam;
	uint64_t         t0;

	(void)state;
	col_init(&c);
	cam = open_folder(dir, 400, &c);
	t0  = now_ms();
	write_at(dir, "IMG_0001.jpg", j, 20000);
	assert_int_equal(col_wait(&c, 1, 5000), 1);
	/* Not before it had been still for settle_ms. */
	assert_true(c.got[0].at_ms - t0 >= 400);
	sleep_ms(1400); /* a rescan and more ticks: still once */
	gc_cam_close(cam);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.got[0].name, "IMG_0001.jpg");
	assert_int_equal(c.got[0].len, 20000);
	assert_memory_equal(c.got[0].data, j, 20000);
	assert_int_equal(c.got[0].seq, 0);
	col_release(&c);
	free(j);
	gc_test_rmrf(dir);
}

static void
test_folder_delivers_renamed_file_promptly(void **state)
{
	const char      *dir = gc_test_tmpdir("cam-folder-rename");
	struct collector c;
	uint8_t         *j = fake_jpeg(50000, 3);
	gc_cam          *cam;
	uint64_t         t0;

	(void)state;
	col_init(&c);
	cam = open_folder(dir, 3000, &c); /* settling would take 3 s */
	t0  = now_ms();
	write_and_rename(dir, "IMG_0002.jpg.tmp", "IMG_0002.jpg", j, 50000);
	assert_int_equal(col_wait(&c, 1, 2500), 1);
	assert_true(c.got[0].at_ms - t0 < 1500);
	gc_cam_close(cam);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.got[0].name, "IMG_0002.jpg");
	assert_int_equal(c.got[0].len, 50000);
	assert_memory_equal(c.got[0].data, j, 50000);
	col_release(&c);
	free(j);
	gc_test_rmrf(dir);
}

static void
test_folder_delivers_growing_file_once_whole(void **state)
{
	const char      *dir  = gc_test_tmpdir("cam-folder-grow");
	struct collector c;
	size_t           n    = 200000;
	uint8_t         *j    = fake_jpeg(n, 4);
	char            *path = path_in(dir, "IMG_0003.jpg");
	gc_cam          *cam;
	int              fd;

	(void)state;
	col_init(&c);
	cam = open_folder(dir, 600, &c);
	fd  = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, j, n / 2), (ssize_t)(n / 2));
	sleep_ms(250); /* under settle_ms: the file is not done */
	assert_int_equal(col_count(&c), 0);
	assert_int_equal(write(fd, j + n / 2, n - n / 2),
	    (ssize_t)(n - n / 2));
	close(fd);
	assert_int_equal(col_wait(&c, 1, 5000), 1);
	sleep_ms(1400);
	gc_cam_close(cam);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.got[0].len, n);
	assert_memory_equal(c.got[0].data, j, n);
	col_release(&c);
	free(path);
	free(j);
	gc_test_rmrf(dir);
}

static void
test_folder_redelivers_an_overwritten_file(void **state)
{
	const char      *dir = gc_test_tmpdir("cam-folder-again");
	struct collector c;
	uint8_t         *a = fake_jpeg(4000, 5), *b = fake_jpeg(5000, 6);
	gc_cam          *cam;

	(void)state;
	col_init(&c);
	cam = open_folder(dir, 200, &c);
	write_and_rename(dir, "t1", "scan.jpg", a, 4000);
	assert_int_equal(col_wait(&c, 1, 3000), 1);
	write_and_rename(dir, "t2", "scan.jpg", b, 5000); /* a new version */
	assert_int_equal(col_wait(&c, 2, 3000), 2);
	sleep_ms(600);
	gc_cam_close(cam);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.got[1].len, 5000);
	assert_memory_equal(c.got[1].data, b, 5000);
	assert_int_equal(c.got[1].seq, 1);
	col_release(&c);
	free(a);
	free(b);
	gc_test_rmrf(dir);
}

static void
test_folder_skips_files_over_64_mib(void **state)
{
	const char      *dir  = gc_test_tmpdir("cam-folder-big");
	struct collector c;
	uint8_t         *j    = fake_jpeg(1000, 7);
	char            *path = path_in(dir, "huge.jpg");
	gc_cam          *cam;
	int              fd;

	(void)state;
	col_init(&c);
	cam = open_folder(dir, 200, &c);
	fd  = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, ((off_t)64 << 20) + 1), 0); /* sparse */
	close(fd);
	sleep_ms(800);
	write_and_rename(dir, "t", "small.jpg", j, 1000);
	assert_int_equal(col_wait(&c, 1, 3000), 1);
	sleep_ms(400);
	gc_cam_close(cam);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.got[0].name, "small.jpg");
	col_release(&c);
	free(path);
	free(j);
	gc_test_rmrf(dir);
}

static void
test_folder_closes_cleanly_when_idle(void **state)
{
	const char      *dir = gc_test_tmpdir("cam-folder-idle");
	struct collector c;
	gc_cam          *cam;

	(void)state;
	col_init(&c);
	cam = open_folder(dir, 0, &c); /* 0: the default settle */
	gc_cam_close(cam);
	/* Opened but never started. */
	assert_int_equal(gc_cam_open(&cam, "folder:/", NULL, NULL), GC_OK);
	gc_cam_close(cam);
	gc_cam_close(NULL);
	assert_int_equal(c.n, 0);
	col_release(&c);
	gc_test_rmrf(dir);
}

static void
test_folder_close_waits_for_a_running_callback(void **state)
{
	const char      *dir = gc_test_tmpdir("cam-folder-busy");
	struct collector c;
	uint8_t         *j = fake_jpeg(1000, 8);
	gc_cam          *cam;
	uint64_t         t0;

	(void)state;
	col_init(&c);
	c.cb_sleep_ms = 500;
	cam           = open_folder(dir, 200, &c);
	write_and_rename(dir, "t", "a.jpg", j, 1000);
	assert_int_equal(col_wait(&c, 1, 3000), 1);
	assert_int_equal(atomic_load(&c.in_cb), 1); /* sleeping in it */
	t0 = now_ms();
	gc_cam_close(cam);
	assert_int_equal(atomic_load(&c.cb_done), 1); /* it had returned */
	assert_true(now_ms() - t0 >= 100);
	col_release(&c);
	free(j);
	gc_test_rmrf(dir);
}

static void
test_folder_open_names_a_missing_directory(void **state)
{
	struct gc_diag d;
	gc_cam        *cam = (gc_cam *)&d;

	(void)state;
	gc_diag_clear(&d);
	assert_int_equal(gc_cam_open(&cam, "folder:/nonexistent/gc-cam", NULL,
	                     &d), GC_ENOTFOUND);
	assert_null(cam);
	assert_non_null(strstr(d.msg, "/nonexistent/gc-cam"));
}

/* --- synthetic ------------------------------------------------------ */

static const char *
make_synth_dir(uint8_t *jpegs[3], size_t lens[3])
{
	const char *dir     = gc_test_tmpdir("cam-synth");
	const char *names[] = { "a.jpg", "b.JPG", "c.jpeg" };

	/* Written out of order; name order is a, b, c. */
	for (int i = 2; i >= 0; i--) {
		lens[i]  = 1000 + 100 * (size_t)i;
		jpegs[i] = fake_jpeg(lens[i], 20 + (unsigned)i);
		write_at(dir, names[i], jpegs[i], lens[i]);
	}
	write_at(dir, "readme.txt", (const uint8_t *)"x", 1);
	write_at(dir, ".hidden.jpg", (const uint8_t *)"x", 1);
	return dir;
}

static void
test_synthetic_dir_cycles_files_in_name_order(void **state)
{
	uint8_t         *j[3];
	size_t           len[3];
	const char      *dir = make_synth_dir(j, len);
	const char      *want[] = { "a.jpg", "b.JPG", "c.jpeg", "a.jpg",
		     "b.JPG" };
	struct collector c;
	struct gc_diag   d;
	char             spec[600];
	gc_cam          *cam;

	(void)state;
	col_init(&c);
	gc_diag_clear(&d);
	snprintf(spec, sizeof(spec), "synthetic:%s", dir);
	assert_int_equal(gc_cam_open(&cam, spec, NULL, &d), GC_OK);
	c.cam = cam;
	assert_int_equal(gc_cam_start(cam, col_cb, &c), GC_OK);
	assert_int_equal(col_wait(&c, 5, 5000), 5);
	gc_cam_close(cam);
	for (int i = 0; i < 5; i++) {
		assert_string_equal(c.got[i].name, want[i]);
		assert_int_equal(c.got[i].kind, GC_FRAME_JPEG);
		assert_int_equal(c.got[i].len, len[i % 3]);
		assert_memory_equal(c.got[i].data, j[i % 3], len[i % 3]);
		assert_int_equal(c.got[i].seq, (uint64_t)i);
		if (i > 0) {
			/* About 200 ms apart. */
			assert_true(c.got[i].ts_ns > c.got[i - 1].ts_ns);
			assert_true(
			    c.got[i].at_ms - c.got[i - 1].at_ms >= 150);
		}
	}
	col_release(&c);
	for (int i = 0; i < 3; i++) {
		free(j[i]);
	}
	gc_test_rmrf(dir);
}

static void
collect_seed(const char *spec, const struct gc_cam_cfg *cfg,
    struct collector *c, int n)
{
	gc_cam *cam;

	col_init(c);
	assert_int_equal(gc_cam_open(&cam, spec, cfg, NULL), GC_OK);
	c->cam = cam;
	assert_int_equal(gc_cam_start(cam, col_cb, c), GC_OK);
	assert_int_equal(col_wait(c, n, 5000), n);
	gc_cam_close(cam);
}

static void
test_synthetic_seed_frames_are_deterministic(void **state)
{
	struct collector a, b, o, s;
	struct gc_cam_cfg small = { .width = 320, .height = 240 };

	(void)state;
	collect_seed("synthetic:42", NULL, &a, 2);
	collect_seed("synthetic:42", NULL, &b, 2);
	collect_seed("synthetic:43", NULL, &o, 1);
	collect_seed("synthetic:42", &small, &s, 1);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(a.got[i].kind, GC_FRAME_RGB);
		assert_int_equal(a.got[i].w, 640);
		assert_int_equal(a.got[i].h, 480);
		assert_int_equal(a.got[i].stride, 640 * 3);
		assert_int_equal(a.got[i].len, 640 * 480 * 3);
		assert_int_equal(a.got[i].seq, (uint64_t)i);
		assert_int_equal(b.got[i].seq, (uint64_t)i);
		assert_memory_equal(a.got[i].data, b.got[i].data,
		    a.got[i].len);
	}
	assert_true(a.got[1].ts_ns > a.got[0].ts_ns);
	/* The square moves; another seed gives another picture. */
	assert_memory_not_equal(a.got[0].data, a.got[1].data, a.got[0].len);
	assert_memory_not_equal(a.got[0].data, o.got[0].data, a.got[0].len);
	/* Light-blue background in the corner, dark head in the middle. */
	assert_true(a.got[0].data[2] > 200 &&
	    a.got[0].data[0] < a.got[0].data[2]);
	{
		const uint8_t *px = a.got[0].data + (192 * 640 + 320) * 3;

		assert_true(px[0] < 100 && px[1] < 100 && px[2] < 100);
	}
	assert_int_equal(s.got[0].w, 320);
	assert_int_equal(s.got[0].h, 240);
	assert_int_equal(s.got[0].len, 320 * 240 * 3);
	col_release(&a);
	col_release(&b);
	col_release(&o);
	col_release(&s);
}

static void
test_synthetic_rejects_bad_arguments(void **state)
{
	const char       *empty = gc_test_tmpdir("cam-synth-empty");
	struct gc_cam_cfg huge  = { .width = 100000, .height = 100 };
	struct gc_diag    d;
	char              spec[600];
	gc_cam           *cam;

	(void)state;
	gc_diag_clear(&d);
	assert_int_equal(gc_cam_open(&cam, "synthetic:photos", NULL, &d),
	    GC_EINVAL);
	assert_non_null(strstr(d.msg, "synthetic:photos"));
	assert_int_equal(gc_cam_open(&cam, "synthetic:12x", NULL, NULL),
	    GC_EINVAL);
	assert_int_equal(gc_cam_open(&cam, "synthetic:1", &huge, NULL),
	    GC_EINVAL);
	gc_diag_clear(&d);
	snprintf(spec, sizeof(spec), "synthetic:%s", empty);
	assert_int_equal(gc_cam_open(&cam, spec, NULL, &d), GC_ENOTFOUND);
	assert_non_null(strstr(d.msg, "no .jpg files"));
	assert_null(cam);
	gc_test_rmrf(empty);
}

/* --- dispatch and libcamera ----------------------------------------- */

static void
test_libcamera_without_camera_is_not_found(void **state)
{
	struct gc_diag d;
	gc_cam        *cam;
	gc_err         rv;
	uint8_t       *jpg;
	size_t         len;

	(void)state;
	gc_diag_clear(&d);
	rv = gc_cam_open(&cam, "libcamera:0", NULL, &d);
	if (rv == GC_OK) {
		fprintf(stderr, "a camera is attached: the no-camera case "
		    "cannot be tested here\n");
		gc_cam_close(cam);
		skip();
	}
	assert_int_equal(rv, GC_ENOTFOUND);
	assert_null(cam);
	assert_non_null(strstr(d.msg, "no camera"));
	/* A second time: the camera manager was torn down and comes back. */
	gc_diag_clear(&d);
	assert_int_equal(gc_cam_grab("libcamera:0", 100, &jpg, &len, &d),
	    GC_ENOTFOUND);
	assert_null(jpg);
	assert_non_null(strstr(d.msg, "no camera"));
	gc_diag_clear(&d);
	assert_int_equal(gc_cam_open(&cam, "libcamera:some-id", NULL, &d),
	    GC_ENOTFOUND);
	gc_diag_clear(&d);
	assert_int_equal(gc_cam_open(&cam, "libcamera:", NULL, &d),
	    GC_EINVAL);
}

static void
test_unknown_source_is_einval_naming_the_spec(void **state)
{
	struct gc_diag d;
	gc_cam        *cam = (gc_cam *)&d;
	uint8_t       *jpg;
	size_t         len;

	(void)state;
	gc_diag_clear(&d);
	assert_int_equal(gc_cam_open(&cam, "webcam:1", NULL, &d), GC_EINVAL);
	assert_null(cam);
	assert_non_null(strstr(d.msg, "webcam:1"));
	gc_diag_clear(&d);
	assert_int_equal(gc_cam_open(&cam, "folder", NULL, &d), GC_EINVAL);
	assert_non_null(strstr(d.msg, "'folder'"));
	assert_int_equal(gc_cam_open(&cam, NULL, NULL, NULL), GC_EINVAL);
	assert_int_equal(gc_cam_grab("webcam:1", 100, &jpg, &len, NULL),
	    GC_EINVAL);
	assert_null(jpg);
	assert_int_equal(len, 0);
}

/* --- gc_cam_grab ---------------------------------------------------- */

static void
test_grab_synthetic_dir_returns_the_first_file(void **state)
{
	uint8_t       *j[3];
	size_t         len[3];
	const char    *dir = make_synth_dir(j, len);
	char           spec[600];
	uint8_t       *out;
	size_t         n;
	struct gc_diag d;

	(void)state;
	gc_diag_clear(&d);
	snprintf(spec, sizeof(spec), "synthetic:%s", dir);
	assert_int_equal(gc_cam_grab(spec, 3000, &out, &n, &d), GC_OK);
	assert_int_equal(n, len[0]);
	assert_memory_equal(out, j[0], n);
	gc_free(out);
	for (int i = 0; i < 3; i++) {
		free(j[i]);
	}
	gc_test_rmrf(dir);
}

static void
test_grab_synthetic_seed_encodes_jpeg(void **state)
{
	struct gc_jpeg_info info;
	uint8_t            *out;
	size_t              n;

	(void)state;
	assert_int_equal(gc_cam_grab("synthetic:7", 3000, &out, &n, NULL),
	    GC_OK);
	assert_true(n > 1000);
	assert_int_equal(gc_fmt_sniff(out, n), GC_FMT_JPEG);
	assert_int_equal(gc_jpeg_probe(out, n, &info, NULL), GC_OK);
	assert_int_equal(info.width, 640);
	assert_int_equal(info.height, 480);
	assert_true(info.quality >= 90);
	gc_free(out);
}

static void
test_grab_empty_folder_times_out(void **state)
{
	const char    *dir = gc_test_tmpdir("cam-grab-empty");
	char           spec[600];
	uint8_t       *out = (uint8_t *)spec;
	size_t         n   = 1;
	struct gc_diag d;
	uint64_t       t0, dt;

	(void)state;
	gc_diag_clear(&d);
	snprintf(spec, sizeof(spec), "folder:%s", dir);
	t0 = now_ms();
	assert_int_equal(gc_cam_grab(spec, 400, &out, &n, &d), GC_ETIMEDOUT);
	dt = now_ms() - t0;
	assert_true(dt >= 400 && dt < 2000);
	assert_null(out);
	assert_int_equal(n, 0);
	assert_non_null(strstr(d.msg, "no frame within 400 ms"));
	gc_test_rmrf(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_folder_takes_only_new_visible_jpegs),
		cmocka_unit_test(
		    test_folder_delivers_file_written_in_place_once_after_settle),
		cmocka_unit_test(test_folder_delivers_renamed_file_promptly),
		cmocka_unit_test(test_folder_delivers_growing_file_once_whole),
		cmocka_unit_test(test_folder_redelivers_an_overwritten_file),
		cmocka_unit_test(test_folder_skips_files_over_64_mib),
		cmocka_unit_test(test_folder_closes_cleanly_when_idle),
		cmocka_unit_test(test_folder_close_waits_for_a_running_callback),
		cmocka_unit_test(test_folder_open_names_a_missing_directory),
		cmocka_unit_test(test_synthetic_dir_cycles_files_in_name_order),
		cmocka_unit_test(test_synthetic_seed_frames_are_deterministic),
		cmocka_unit_test(test_synthetic_rejects_bad_arguments),
		cmocka_unit_test(test_libcamera_without_camera_is_not_found),
		cmocka_unit_test(test_unknown_source_is_einval_naming_the_spec),
		cmocka_unit_test(test_grab_synthetic_dir_returns_the_first_file),
		cmocka_unit_test(test_grab_synthetic_seed_encodes_jpeg),
		cmocka_unit_test(test_grab_empty_folder_times_out),
	};

	alarm(100); /* never hang: ctest's timeout is 120 s */
	return cmocka_run_group_tests_name("capture.cam", tests, NULL, NULL);
}
