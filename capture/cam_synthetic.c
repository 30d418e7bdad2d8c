/*
 * cam_synthetic: "synthetic:<dir|seed>", frames without a camera, for the
 * demo and the tests. A thread delivers one frame every SYNTH_PERIOD_MS,
 * the first at once.
 *   <dir>   the JPEG files in dir (gc__cam_jpeg_name: .jpg/.jpeg, not
 *           hidden), listed at open and sorted by name (bytewise), round
 *           robin: kind GC_FRAME_JPEG with the file's bytes and name. A
 *           file that cannot be read then is skipped with CAM-SKIP.
 *   <seed>  a decimal number: generated RGB frames at the configured size
 *           (default 640 × 480): a light-blue field, a dark head and
 *           shoulders, and a square that moves along the top. The pixels
 *           depend only on (seed, seq), so two sources with one seed give
 *           the same frames.
 * An argument that names a directory is a directory, even if it is all
 * digits. seq counts ticks from 0 (a tick whose frame could not go out,
 * because the consumer holds every pool slot, leaves a gap, as a camera
 * drops frames); in dir mode no file is skipped for that. ts_ns is the
 * monotonic time of the tick.
 */
#include "capture/cam.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include "capture/cam_int.h"
#include "common/gc_alloc.h"
#include "common/fileio.h"
#include "common/gc_log.h"

#define SYNTH_PERIOD_MS 200
#define SYNTH_DEF_W     640
#define SYNTH_DEF_H     480
#define SYNTH_MIN_SIDE  16
#define SYNTH_MAX_SIDE  16384

struct synth {
	char  *dir;    /* dir mode */
	char **files;  /* sorted names */
	size_t nfiles;
	size_t next;   /* the file the next frame reads */

	uint64_t seed; /* seed mode */
	int      w, h;

	gc_cam_frame_cb     cb;
	void               *cb_arg;
	struct gc__cam_pool pool;
	uint64_t            seq;

	uv_thread_t thread;
	uv_mutex_t  mtx;
	uv_cond_t   cond;
	bool        stopping; /* under mtx */
	bool        running;
};

/* --- seed mode: the picture ----------------------------------------- */

static uint64_t
splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15u;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

/* Whether (x, y) lies in the ellipse centred (cx, cy) with radii rx, ry. */
static bool
in_ellipse(int64_t x, int64_t y, int64_t cx, int64_t cy, int64_t rx,
    int64_t ry)
{
	int64_t dx = x - cx, dy = y - cy;

	return dx * dx * ry * ry + dy * dy * rx * rx <= rx * rx * ry * ry;
}

static void
synth_draw(const struct synth *sy, uint64_t seq, uint8_t *px, size_t stride)
{
	uint64_t r  = splitmix64(sy->seed);
	int      w  = sy->w, h = sy->h;
	uint8_t  bg[3], head[3], body[3], mark[3];
	int64_t  hcx, hcy, hrx, hry, bcx, bcy, brx, bry;
	int64_t  side, mx, my;

	bg[0]   = (uint8_t)(165 + r % 30); /* light blue, tinted by the seed */
	bg[1]   = (uint8_t)(200 + (r >> 8) % 30);
	bg[2]   = (uint8_t)(232 + (r >> 16) % 20);
	head[0] = (uint8_t)(45 + (r >> 24) % 25);
	head[1] = (uint8_t)(35 + (r >> 32) % 20);
	head[2] = 30;
	body[0] = 35;
	body[1] = 40;
	body[2] = (uint8_t)(55 + (r >> 40) % 30);
	mark[0] = (uint8_t)(200 + (r >> 48) % 56);
	mark[1] = (uint8_t)(90 + (r >> 56) % 60);
	mark[2] = 40;

	hcx = w / 2 + (int64_t)((r >> 20) % (uint64_t)(w / 16 + 1)) - w / 32;
	hcy = h * 2 / 5;
	hrx = w / 7 + 1;
	hry = h / 4 + 1;
	bcx = hcx;
	bcy = h + h / 10;
	brx = w / 3 + 1;
	bry = h / 3 + 1;
	side = h / 8 + 1;
	mx = (int64_t)((seq * (uint64_t)(w / 40 + 1) +
	         (r >> 12) % (uint64_t)w) % (uint64_t)(w + side)) - side;
	my = h / 16;

	for (int y = 0; y < h; y++) {
		uint8_t *row = px + (size_t)y * stride;

		for (int x = 0; x < w; x++) {
			const uint8_t *c = bg;

			if (x >= mx && x < mx + side && y >= my &&
			    y < my + side) {
				c = mark;
			} else if (in_ellipse(x, y, hcx, hcy, hrx, hry)) {
				c = head;
			} else if (in_ellipse(x, y, bcx, bcy, brx, bry)) {
				c = body;
			}
			row[3 * x]     = c[0];
			row[3 * x + 1] = c[1];
			row[3 * x + 2] = c[2];
		}
	}
}

/* --- one tick ------------------------------------------------------- */

/* Reads the next file into a slot; false: nothing went out this tick. */
static bool
synth_file_frame(struct synth *sy, struct gc__cam_slot **out)
{
	const char *name = sy->files[sy->next];
	char        path[4096];
	struct stat st;
	size_t      got = 0;
	int         fd;
	gc_err      rv;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/%s", sy->dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || st.st_size > GC__CAM_MAX_FILE) {
		GC_LOG(GC_LOG_WARN, "CAM-SKIP", "synthetic %s: %s: %s",
		    sy->dir, name, fd < 0 ? strerror(errno) :
		    "not a regular file of 1 byte to 64 MiB");
		goto skip;
	}
	rv = gc__cam_pool_get(&sy->pool, (size_t)st.st_size, out);
	if (rv == GC_EAGAIN) {
		close(fd);
		return false; /* the consumer is behind: same file next tick */
	}
	if (rv != GC_OK) {
		GC_LOG(GC_LOG_WARN, "CAM-SKIP", "synthetic %s: %s: no memory",
		    sy->dir, name);
		goto skip;
	}
	if (gc_read_full(fd, (*out)->buf, (size_t)st.st_size, &got) != GC_OK ||
	    got != (size_t)st.st_size) {
		GC_LOG(GC_LOG_WARN, "CAM-SKIP", "synthetic %s: %s: short read",
		    sy->dir, name);
		gc__cam_pool_put(&sy->pool, *out);
		*out = NULL;
		goto skip;
	}
	close(fd);
	(*out)->f.kind = GC_FRAME_JPEG;
	(*out)->f.data = (*out)->buf;
	(*out)->f.len  = got;
	snprintf((*out)->f.name, sizeof((*out)->f.name), "%s", name);
	sy->next = (sy->next + 1) % sy->nfiles;
	return true;
skip:
	if (fd >= 0) {
		close(fd);
	}
	sy->next = (sy->next + 1) % sy->nfiles;
	return false;
}

static void
synth_tick(struct synth *sy, uint64_t now)
{
	struct gc__cam_slot *s  = NULL;
	size_t               n  = (size_t)sy->w * 3 * (size_t)sy->h;
	bool                 ok = false;

	if (sy->nfiles > 0) {
		ok = synth_file_frame(sy, &s);
	} else if (gc__cam_pool_get(&sy->pool, n, &s) == GC_OK) {
		synth_draw(sy, sy->seq, s->buf, (size_t)sy->w * 3);
		s->f.kind   = GC_FRAME_RGB;
		s->f.data   = s->buf;
		s->f.len    = n;
		s->f.width  = (uint32_t)sy->w;
		s->f.height = (uint32_t)sy->h;
		s->f.stride = (uint32_t)sy->w * 3;
		ok          = true;
	}
	if (ok) {
		s->f.seq   = sy->seq;
		s->f.ts_ns = now;
		sy->cb(&s->f, sy->cb_arg);
	}
	sy->seq++;
}

static void
synth_thread(void *arg)
{
	struct synth *sy   = arg;
	uint64_t      next = gc__cam_now_ns();
	uint64_t      now;

	uv_mutex_lock(&sy->mtx);
	while (!sy->stopping) {
		now = gc__cam_now_ns();
		if (now < next) {
			(void)uv_cond_timedwait(&sy->cond, &sy->mtx,
			    next - now);
			continue;
		}
		uv_mutex_unlock(&sy->mtx);
		synth_tick(sy, now);
		next += (uint64_t)SYNTH_PERIOD_MS * 1000000u;
		if (next < now) {
			next = now; /* fell behind: no burst */
		}
		uv_mutex_lock(&sy->mtx);
	}
	uv_mutex_unlock(&sy->mtx);
}

/* --- the source ----------------------------------------------------- */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static gc_err
synth_list(struct synth *sy, const char *arg, struct gc_diag *d)
{
	DIR           *dp = opendir(arg);
	struct dirent *de;
	size_t         cap = 0;

	if (dp == NULL) {
		gc_diag_set(d, "camera source 'synthetic:%s': %s", arg,
		    strerror(errno));
		return gc_err_from_errno(errno);
	}
	while ((de = readdir(dp)) != NULL) {
		if (!gc__cam_jpeg_name(de->d_name)) {
			continue;
		}
		if (sy->nfiles == cap) {
			cap       = cap ? cap * 2 : 16;
			sy->files = gc_xrealloc(sy->files,
			    cap * sizeof(*sy->files));
		}
		sy->files[sy->nfiles++] = gc_xstrdup(de->d_name);
	}
	closedir(dp);
	if (sy->nfiles == 0) {
		gc_diag_set(d, "camera source 'synthetic:%s': no .jpg files "
		    "in the directory", arg);
		return GC_ENOTFOUND;
	}
	qsort(sy->files, sy->nfiles, sizeof(*sy->files), name_cmp);
	sy->dir = gc_xstrdup(arg);
	return GC_OK;
}

static void synth_close(void *src);

static gc_err
synth_open(void **out, const char *arg, const struct gc_cam_cfg *cfg,
    struct gc_diag *d)
{
	struct synth *sy;
	struct stat   st;
	char         *end;
	gc_err        rv = GC_OK;

	*out = NULL;
	sy   = gc_xzalloc(sizeof(*sy));
	gc__cam_pool_init(&sy->pool);
	if (uv_mutex_init(&sy->mtx) != 0 || uv_cond_init(&sy->cond) != 0) {
		abort(); /* glibc's pthread init functions do not fail */
	}
	sy->w = cfg->width > 0 ? (int)cfg->width : SYNTH_DEF_W;
	sy->h = cfg->height > 0 ? (int)cfg->height : SYNTH_DEF_H;
	if (cfg->width > SYNTH_MAX_SIDE || cfg->height > SYNTH_MAX_SIDE ||
	    sy->w < SYNTH_MIN_SIDE || sy->h < SYNTH_MIN_SIDE ||
	    (uint64_t)sy->w * (uint64_t)sy->h > GC_IMAGE_MAX_PIXELS) {
		gc_diag_set(d, "camera source 'synthetic:%s': size %dx%d "
		    "is outside %dx%d .. %dx%d or over %" PRIu64 " pixels",
		    arg, sy->w, sy->h, SYNTH_MIN_SIDE, SYNTH_MIN_SIDE,
		    SYNTH_MAX_SIDE, SYNTH_MAX_SIDE, GC_IMAGE_MAX_PIXELS);
		rv = GC_EINVAL;
	} else if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		rv = synth_list(sy, arg, d);
	} else if (arg[0] >= '0' && arg[0] <= '9') {
		errno    = 0;
		sy->seed = strtoull(arg, &end, 10);
		if (errno != 0 || *end != '\0') {
			gc_diag_set(d, "camera source 'synthetic:%s': not a "
			    "directory, nor a seed (a decimal number below "
			    "2^64)", arg);
			rv = GC_EINVAL;
		}
	} else {
		gc_diag_set(d, "camera source 'synthetic:%s': not a directory "
		    "nor a numeric seed", arg);
		rv = GC_EINVAL;
	}
	if (rv != GC_OK) {
		synth_close(sy);
		return rv;
	}
	*out = sy;
	return GC_OK;
}

static gc_err
synth_start(void *src, gc_cam_frame_cb cb, void *arg)
{
	struct synth *sy = src;
	int           r;

	if (sy->running) {
		return GC_EINVAL;
	}
	sy->cb     = cb;
	sy->cb_arg = arg;
	r          = uv_thread_create(&sy->thread, synth_thread, sy);
	if (r != 0) {
		return gc_err_from_errno(-r);
	}
	sy->running = true;
	return GC_OK;
}

static void
synth_release(void *src, const struct gc_cam_frame *f)
{
	struct synth *sy = src;

	gc__cam_pool_put(&sy->pool, f->priv);
}

static void
synth_close(void *src)
{
	struct synth *sy = src;

	if (sy == NULL) {
		return;
	}
	if (sy->running) {
		uv_mutex_lock(&sy->mtx);
		sy->stopping = true;
		uv_cond_signal(&sy->cond);
		uv_mutex_unlock(&sy->mtx);
		uv_thread_join(&sy->thread); /* a running callback returns */
	}
	for (size_t i = 0; i < sy->nfiles; i++) {
		gc_free(sy->files[i]);
	}
	gc_free(sy->files);
	gc_free(sy->dir);
	gc__cam_pool_release(&sy->pool);
	uv_cond_destroy(&sy->cond);
	uv_mutex_destroy(&sy->mtx);
	gc_free(sy);
}

const struct gc__cam_ops gc__cam_synthetic_ops = {
	.prefix  = "synthetic",
	.open    = synth_open,
	.start   = synth_start,
	.release = synth_release,
	.close   = synth_close,
};
