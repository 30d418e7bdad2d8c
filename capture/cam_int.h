/* cam_int: what the camera sources share inside capture/ (redis ae_*.c
 * style: cam.c picks a source by its spec prefix and calls it through a
 * small vtable). Private to capture/. cam_libcamera.cpp includes it too,
 * so it holds only declarations C++ also accepts (no _Atomic). */
#ifndef GC_CAPTURE_CAM_INT_H
#define GC_CAPTURE_CAM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "capture/cam.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One camera source. src is the source's own state, opaque to cam.c.
 *   open:    arg is the spec after "<prefix>:"; *out on GC_OK; d explains
 *            failures.
 *   start:   begins delivering frames to cb on the source's thread.
 *   release: gives a delivered frame back; any thread.
 *   close:   stops, waits for a running callback to return, frees; frames
 *            not yet released are invalid afterwards. Handles a source
 *            that was never started.
 */
struct gc__cam_ops {
	const char *prefix; /* "folder", without the colon */
	gc_err (*open)(void **out, const char *arg,
	    const struct gc_cam_cfg *cfg, struct gc_diag *d);
	gc_err (*start)(void *src, gc_cam_frame_cb cb, void *arg);
	void (*release)(void *src, const struct gc_cam_frame *f);
	void (*close)(void *src);
};

extern const struct gc__cam_ops gc__cam_folder_ops;
extern const struct gc__cam_ops gc__cam_synthetic_ops;
extern const struct gc__cam_ops gc__cam_libcamera_ops; /* C++ shim */

/* GC_LOG for files that cannot include common/gc_log.h (C++ has no
 * <stdatomic.h> before C++23). Cheap when the level is off. The levels
 * are enum gc_log_level's (cam.c asserts they match). */
enum gc__cam_log_level {
	GC__CAM_LOG_ERR = 3,
	GC__CAM_LOG_WARN,
	GC__CAM_LOG_NOTICE,
	GC__CAM_LOG_INFO,
	GC__CAM_LOG_DEBUG
};
void gc__cam_log(int lvl, const char *msgid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The largest file the folder and synthetic sources read: 64 MiB. */
#define GC__CAM_MAX_FILE ((int64_t)64 << 20)

/* CLOCK_MONOTONIC in nanoseconds: the clock of gc_cam_frame.ts_ns. */
uint64_t gc__cam_now_ns(void);

/* Whether a directory entry name is one the folder and synthetic sources
 * take: not hidden (no leading '.'), ending .jpg or .jpeg in any case. */
bool gc__cam_jpeg_name(const char *name);

/*
 * The frame pool of the file-backed sources (STYLE §6): a few slots whose
 * buffers grow to the largest frame seen and are then reused, so steady
 * capture does not allocate. A slot is busy from gc__cam_pool_get until
 * gc__cam_pool_put (the frame's release); f.priv points at its slot.
 */
#define GC__CAM_SLOTS 4

struct gc__cam_slot {
	struct gc_cam_frame f;
	uint8_t            *buf;
	size_t              cap;
	bool                busy;
};

struct gc__cam_pool {
	uv_mutex_t          mtx;
	struct gc__cam_slot slot[GC__CAM_SLOTS];
};

void gc__cam_pool_init(struct gc__cam_pool *p);
/* Frees the buffers; every slot must be idle or abandoned (closing). */
void gc__cam_pool_release(struct gc__cam_pool *p);
/* A free slot whose buffer holds at least need bytes, marked busy, its
 * frame zeroed with priv set. GC_EAGAIN when all slots are out (the
 * consumer is behind); GC_ENOMEM when the buffer cannot grow. */
gc_err gc__cam_pool_get(struct gc__cam_pool *p, size_t need,
    struct gc__cam_slot **out);
/* Marks the slot free again; any thread. */
void gc__cam_pool_put(struct gc__cam_pool *p, struct gc__cam_slot *s);

#ifdef __cplusplus
}
#endif

#endif
