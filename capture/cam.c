/* cam: picks a camera source by its spec prefix (redis ae_*.c style: one
 * vtable per source in cam_folder.c, cam_synthetic.c, cam_libcamera.cpp),
 * the frame pool the file-backed sources share, and gc_cam_grab. */
#include "capture/cam.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "capture/cam_int.h"
#include "capture/jpeg.h"
#include "common/buf.h"
#include "common/gc_alloc.h"
#include "common/gc_log.h"

struct gc_cam {
	const struct gc__cam_ops *ops;
	void                     *src;
	bool                      started;
	gc_cam_frame_cb           cb;
	void                     *cb_arg;
};

/* The camera whose callback this thread is running, to catch a
 * gc_cam_close from inside it (it would wait for itself). */
static _Thread_local const gc_cam *cam_in_cb;

_Static_assert(GC__CAM_LOG_ERR == (int)GC_LOG_ERR &&
    GC__CAM_LOG_WARN == (int)GC_LOG_WARN &&
    GC__CAM_LOG_NOTICE == (int)GC_LOG_NOTICE &&
    GC__CAM_LOG_INFO == (int)GC_LOG_INFO &&
    GC__CAM_LOG_DEBUG == (int)GC_LOG_DEBUG,
    "gc__cam_log_level mirrors gc_log_level");

static const struct gc__cam_ops *const cam_sources[] = {
	&gc__cam_libcamera_ops,
	&gc__cam_folder_ops,
	&gc__cam_synthetic_ops,
};

void
gc__cam_log(int lvl, const char *msgid, const char *fmt, ...)
{
	char    msg[1024];
	va_list ap;

	if (lvl > atomic_load_explicit(&gc_log_threshold,
	              memory_order_relaxed)) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gc_log_emit((enum gc_log_level)lvl, msgid, "%s", msg);
}

uint64_t
gc__cam_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool
gc__cam_jpeg_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || name[0] == '.') {
		return false;
	}
	return (n > 4 && strcasecmp(name + n - 4, ".jpg") == 0) ||
	    (n > 5 && strcasecmp(name + n - 5, ".jpeg") == 0);
}

void
gc__cam_pool_init(struct gc__cam_pool *p)
{
	memset(p, 0, sizeof(*p));
	if (uv_mutex_init(&p->mtx) != 0) {
		abort(); /* glibc's pthread_mutex_init does not fail */
	}
}

void
gc__cam_pool_release(struct gc__cam_pool *p)
{
	for (int i = 0; i < GC__CAM_SLOTS; i++) {
		gc_free(p->slot[i].buf);
		p->slot[i].buf = NULL;
		p->slot[i].cap = 0;
	}
	uv_mutex_destroy(&p->mtx);
}

gc_err
gc__cam_pool_get(struct gc__cam_pool *p, size_t need,
    struct gc__cam_slot **out)
{
	struct gc__cam_slot *s = NULL;
	uint8_t             *nb;

	*out = NULL;
	uv_mutex_lock(&p->mtx);
	/* Prefer a free slot that is already big enough. */
	for (int i = 0; i < GC__CAM_SLOTS; i++) {
		struct gc__cam_slot *c = &p->slot[i];

		if (!c->busy &&
		    (s == NULL || (s->cap < need && c->cap > s->cap))) {
			s = c;
		}
	}
	if (s != NULL) {
		s->busy = true;
	}
	uv_mutex_unlock(&p->mtx);
	if (s == NULL) {
		return GC_EAGAIN;
	}
	/* The slot is ours now: grow it outside the lock. */
	if (s->cap < need) {
		nb = gc_realloc(s->buf, need);
		if (nb == NULL) {
			gc__cam_pool_put(p, s);
			return GC_ENOMEM;
		}
		s->buf = nb;
		s->cap = need;
	}
	memset(&s->f, 0, sizeof(s->f));
	s->f.priv = s;
	*out      = s;
	return GC_OK;
}

void
gc__cam_pool_put(struct gc__cam_pool *p, struct gc__cam_slot *s)
{
	uv_mutex_lock(&p->mtx);
	s->busy = false;
	uv_mutex_unlock(&p->mtx);
}

gc_err
gc_cam_open(gc_cam **out, const char *spec, const struct gc_cam_cfg *cfg,
    struct gc_diag *d)
{
	static const struct gc_cam_cfg defaults;
	const struct gc__cam_ops      *ops = NULL;
	const char                    *colon;
	gc_cam                        *cam;
	void                          *src;
	gc_err                         rv;

	*out  = NULL;
	colon = spec != NULL ? strchr(spec, ':') : NULL;
	for (size_t i = 0; colon != NULL &&
	     i < sizeof(cam_sources) / sizeof(cam_sources[0]); i++) {
		size_t n = strlen(cam_sources[i]->prefix);

		if ((size_t)(colon - spec) == n &&
		    memcmp(spec, cam_sources[i]->prefix, n) == 0) {
			ops = cam_sources[i];
		}
	}
	if (ops == NULL) {
		gc_diag_set(d, "camera source '%s': unknown (expected "
		    "libcamera:<index|id>, folder:<dir> or "
		    "synthetic:<dir|seed>)", spec != NULL ? spec : "(null)");
		return GC_EINVAL;
	}
	if (cfg == NULL) {
		cfg = &defaults;
	}
	if (cfg->settle_ms < 0) {
		gc_diag_set(d, "camera source '%s': settle_ms %d is negative",
		    spec, cfg->settle_ms);
		return GC_EINVAL;
	}
	rv = ops->open(&src, colon + 1, cfg, d);
	if (rv != GC_OK) {
		return rv;
	}
	cam      = gc_xzalloc(sizeof(*cam));
	cam->ops = ops;
	cam->src = src;
	*out     = cam;
	return GC_OK;
}

static void
cam_frame_cb(const struct gc_cam_frame *f, void *arg) /* source thread */
{
	gc_cam *cam = arg;

	cam_in_cb = cam;
	cam->cb(f, cam->cb_arg);
	cam_in_cb = NULL;
}

gc_err
gc_cam_start(gc_cam *cam, gc_cam_frame_cb cb, void *arg)
{
	gc_err rv;

	if (cam == NULL || cb == NULL || cam->started) {
		return GC_EINVAL;
	}
	cam->cb     = cb;
	cam->cb_arg = arg;
	rv          = cam->ops->start(cam->src, cam_frame_cb, cam);
	if (rv == GC_OK) {
		cam->started = true;
	}
	return rv;
}

void
gc_cam_frame_release(gc_cam *cam, const struct gc_cam_frame *f)
{
	if (cam != NULL && f != NULL) {
		cam->ops->release(cam->src, f);
	}
}

void
gc_cam_close(gc_cam *cam)
{
	if (cam == NULL) {
		return;
	}
	if (cam_in_cb == cam) {
		GC_LOG(GC_LOG_ERR, "CAM-CLOSE", "gc_cam_close called from "
		    "the camera's own frame callback: it would wait for "
		    "itself");
		abort();
	}
	cam->ops->close(cam->src);
	gc_free(cam);
}

/* gc_cam_grab: the callback keeps the first frame and hands it to the
 * waiting thread; later frames go straight back to the source. */
struct grab {
	uv_mutex_t                 mtx;
	uv_cond_t                  cond;
	gc_cam                    *cam;
	const struct gc_cam_frame *frame; /* the kept frame */
	bool                       done;  /* the waiter gave up or took it */
};

static void
grab_frame_cb(const struct gc_cam_frame *f, void *arg) /* source thread */
{
	struct grab *g    = arg;
	bool         keep = false;

	uv_mutex_lock(&g->mtx);
	if (g->frame == NULL && !g->done) {
		g->frame = f;
		keep     = true;
		uv_cond_signal(&g->cond);
	}
	uv_mutex_unlock(&g->mtx);
	if (!keep) {
		gc_cam_frame_release(g->cam, f);
	}
}

/* Copies (JPEG) or encodes (RGB) the frame into a gc_alloc'd buffer. */
static gc_err
grab_copy(const struct gc_cam_frame *f, uint8_t **out, size_t *len,
    const char *spec, struct gc_diag *d)
{
	struct gc_buf   b;
	struct gc_image im;
	gc_err          rv;

	if (f->kind == GC_FRAME_JPEG) {
		*out = gc_alloc(f->len > 0 ? f->len : 1);
		if (*out == NULL) {
			return GC_ENOMEM;
		}
		memcpy(*out, f->data, f->len);
		*len = f->len;
		return GC_OK;
	}
	if (f->kind != GC_FRAME_RGB || f->width == 0 || f->height == 0 ||
	    f->width > INT32_MAX || f->height > INT32_MAX ||
	    f->stride < (size_t)f->width * 3) {
		gc_diag_set(d, "camera source '%s': frame of kind %d, %ux%u, "
		    "stride %u cannot be encoded", spec, (int)f->kind,
		    f->width, f->height, f->stride);
		return GC_EINTERNAL;
	}
	/* The encoder only reads the pixels. */
	im.px     = (uint8_t *)(uintptr_t)f->data;
	im.w      = (int)f->width;
	im.h      = (int)f->height;
	im.ch     = 3;
	im.stride = f->stride;
	gc_buf_init(&b);
	rv = gc_jpeg_encode(&im, 95, 72, &b);
	if (rv == GC_OK) {
		*out = gc_buf_take(&b, len);
		rv   = *out != NULL ? GC_OK : GC_ENOMEM;
	}
	gc_buf_release(&b);
	if (rv != GC_OK) {
		gc_diag_set(d, "camera source '%s': encoding the %ux%u frame "
		    "as JPEG failed: %s", spec, f->width, f->height,
		    gc_strerror(rv));
	}
	return rv;
}

gc_err
gc_cam_grab(const char *spec, int timeout_ms, uint8_t **out, size_t *len,
    struct gc_diag *d)
{
	struct grab                g;
	const struct gc_cam_frame *f;
	uint64_t                   deadline;
	gc_err                     rv;

	*out = NULL;
	*len = 0;
	memset(&g, 0, sizeof(g));
	if (timeout_ms < 0) {
		timeout_ms = 0;
	}
	rv = gc_cam_open(&g.cam, spec, NULL, d);
	if (rv != GC_OK) {
		return rv;
	}
	if (uv_mutex_init(&g.mtx) != 0 || uv_cond_init(&g.cond) != 0) {
		abort(); /* glibc's pthread init functions do not fail */
	}
	rv = gc_cam_start(g.cam, grab_frame_cb, &g);
	if (rv != GC_OK) {
		gc_diag_set(d, "camera source '%s': start failed: %s", spec,
		    gc_strerror(rv));
	}
	deadline = gc__cam_now_ns() + (uint64_t)timeout_ms * 1000000u;
	uv_mutex_lock(&g.mtx);
	while (rv == GC_OK && g.frame == NULL) {
		uint64_t now = gc__cam_now_ns();

		if (now >= deadline) {
			rv = GC_ETIMEDOUT;
		} else {
			(void)uv_cond_timedwait(&g.cond, &g.mtx,
			    deadline - now);
		}
	}
	f      = g.frame;
	g.done = true; /* from now on the callback returns every frame */
	uv_mutex_unlock(&g.mtx);
	if (f != NULL) {
		rv = grab_copy(f, out, len, spec, d);
		gc_cam_frame_release(g.cam, f);
	} else if (rv == GC_ETIMEDOUT) {
		gc_diag_set(d, "camera source '%s': no frame within %d ms",
		    spec, timeout_ms);
	}
	gc_cam_close(g.cam); /* waits for the callback: g is then quiet */
	uv_cond_destroy(&g.cond);
	uv_mutex_destroy(&g.mtx);
	if (rv != GC_OK) {
		gc_free(*out);
		*out = NULL;
		*len = 0;
	}
	return rv;
}
