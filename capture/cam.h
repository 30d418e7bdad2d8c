/* cam: camera sources behind one C interface (STYLE §8): libcamera (C++
 * shim), a hot folder watched with libuv, and a synthetic source for the
 * demo and tests. Frames are JPEG files or raw RGB. Also QR codes and
 * barcodes in a frame (zbar), so a student can show the capture-code QR or
 * a campus card to the camera. */
#ifndef GC_CAPTURE_CAM_H
#define GC_CAPTURE_CAM_H

#include <stddef.h>
#include <stdint.h>

#include "capture/image.h"
#include "common/gc_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gc_cam gc_cam;

enum gc_frame_kind {
	GC_FRAME_JPEG = 1, /* data/len: a JPEG file's bytes */
	GC_FRAME_RGB,      /* data: packed RGB, width × height, stride */
};

struct gc_cam_frame { /* borrowed until gc_cam_frame_release */
	enum gc_frame_kind kind;
	const uint8_t     *data;
	size_t             len;
	uint32_t           width, height, stride;
	uint64_t           seq, ts_ns;
	char               name[256]; /* folder, synthetic dir: the file
	                               * name; else "" */
	void              *priv;      /* the source's; do not touch */
};

struct gc_cam_cfg {
	uint32_t width, height; /* wanted size (libcamera: 0 takes the
	                         * largest offered; synthetic seed: 0 is
	                         * 640 × 480) */
	int      settle_ms;     /* folder: a file is done when its size has
	                         * not changed for this long (default 500) */
};

/* Called on the source's own thread; it must only hand the frame off
 * (STYLE §9) and the frame stays valid until gc_cam_frame_release. */
typedef void (*gc_cam_frame_cb)(const struct gc_cam_frame *f, void *arg);

/*
 * gc_cam_open opens a source by spec:
 *   "libcamera:<index|id>"  a camera through libcamera (GC_ENOTFOUND with
 *                           "no camera found" when there is none)
 *   "folder:<dir>"          new JPEG files in dir, each once its writer
 *                           has finished (renamed in, or size stable);
 *                           files already there at start are not sent
 *   "synthetic:<dir|seed>"  JPEGs from dir in name order, round robin; or
 *                           generated frames from a numeric seed
 * GC_EINVAL with d for an unknown spec.
 */
gc_err gc_cam_open(gc_cam **out, const char *spec,
    const struct gc_cam_cfg *cfg, struct gc_diag *d);
gc_err gc_cam_start(gc_cam *cam, gc_cam_frame_cb cb, void *arg);
/* Returns the frame's buffer to the source; any thread. */
void gc_cam_frame_release(gc_cam *cam, const struct gc_cam_frame *f);
/* Stops, waits for callbacks to finish, frees; NULL-safe. Not from the
 * camera's own callback. Unreleased frames are invalid afterwards. */
void gc_cam_close(gc_cam *cam);

/*
 * gc_cam_grab: a blocking convenience for the CLI: starts the source,
 * waits up to timeout_ms for one frame, copies it into *out (gc_alloc'd
 * bytes: JPEG, or RGB that it encodes to JPEG at quality 95), stops.
 */
gc_err gc_cam_grab(const char *spec, int timeout_ms, uint8_t **out,
    size_t *len, struct gc_diag *d);

/* One code found in a frame. */
struct gc_code {
	char type[16];    /* "QR-Code", "EAN-13", "CODE-128", ... (zbar) */
	char data[1024];  /* payload as given; truncated if longer;
	                   * NUL-terminated when len < sizeof data */
	size_t len;       /* the full payload length */
};

/*
 * gc_codes_scan finds QR codes and barcodes in a grey image with zbar.
 * Returns how many were found (≤ max filled in).
 */
int gc_codes_scan(const struct gc_image *grey, struct gc_code *codes,
    int max);

#ifdef __cplusplus
}
#endif

#endif
