// cam_libcamera: "libcamera:<index|id>", a camera through libcamera 0.0.3
// (C++17) behind the C vtable of cam_int.h (STYLE §8: no C++ type in a
// header, no exception across the boundary: every extern "C" body and
// every libcamera signal handler catches).
//
// Open: one process-wide CameraManager (libcamera allows only one at a
// time), counted by the open sources; pick the camera by index into
// cameras() or by id; acquire it; configure one Viewfinder stream (or
// StillCapture when there is no Viewfinder) in the first format we can
// read, preferring MJPEG, then packed RGB, then YUYV; with no size asked
// for, the largest the camera offers; allocate its buffers with a
// FrameBufferAllocator, mmap them read-only, one Request each.
//
// Frames: requestCompleted runs on libcamera's thread; the handler fills
// the request's gc_cam_frame and calls back. MJPEG and BGR888 (R, G, B in
// memory) frames point into the mapped buffer (zero copy); RGB888, XRGB,
// XBGR and YUYV are converted into the request's own RGB buffer, allocated
// at open. gc_cam_frame_release requeues the request (any thread), so the
// camera delivers as fast as the consumer releases.
//
// Logging: libcamera logs to stderr by default, even with nothing wrong
// ("No IPA found", its version). Its logSetLevel takes exact category
// names only ("*" is ignored in 0.0.3) and LIBCAMERA_LOG_LEVELS is read
// once, when its logger is first used, so neither silences it reliably
// from inside a running process. Instead, unless the operator set
// LIBCAMERA_LOG_FILE or LIBCAMERA_LOG_LEVELS (then libcamera's own logging
// is left alone), we hand libcamera an ostream that forwards each line to
// gc_log: libcamera ERROR and FATAL as CAM-LIBCAMERA warnings, everything
// else at debug level.

// common/gc_err.h, gc_alloc.h and capture/image.h have no extern "C"
// guards of their own: give their functions C linkage before cam.h pulls
// them in (their include guards then hold).
extern "C" {
#include "common/gc_alloc.h"
#include "common/gc_err.h"
#include "capture/image.h"
}
#include "capture/cam_int.h"

#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <ostream>
#include <streambuf>
#include <string>
#include <utility>
#include <vector>

#include <libcamera/camera.h>
#include <libcamera/camera_manager.h>
#include <libcamera/formats.h>
#include <libcamera/framebuffer.h>
#include <libcamera/framebuffer_allocator.h>
#include <libcamera/logging.h>
#include <libcamera/request.h>
#include <libcamera/stream.h>

namespace {

namespace lc = libcamera;

// --- logging ------------------------------------------------------------

// Forwards libcamera's log lines to gc_log. libcamera writes each message
// as one write() of a whole line, from any of its threads, so the partial
// line is kept per thread.
class LogForward final : public std::streambuf {
protected:
	int_type
	overflow(int_type c) override
	{
		if (!traits_type::eq_int_type(c, traits_type::eof())) {
			char ch = traits_type::to_char_type(c);

			xsputn(&ch, 1);
		}
		return traits_type::not_eof(c);
	}

	std::streamsize
	xsputn(const char *s, std::streamsize n) override
	{
		try {
			std::string &l = pending();
			size_t       nl;

			l.append(s, static_cast<size_t>(n));
			while ((nl = l.find('\n')) != std::string::npos) {
				emit(l.substr(0, nl));
				l.erase(0, nl + 1);
			}
		} catch (...) {
			// Never fail: a failed write would set badbit and
			// silence libcamera for good.
		}
		return n;
	}

	int
	sync() override
	{
		return 0;
	}

private:
	static std::string &
	pending()
	{
		thread_local std::string l;

		return l;
	}

	// "[0:39:31.49] [31020]  WARN IPAManager ipa_manager.cpp:154 text"
	static void
	emit(const std::string &line)
	{
		size_t      p   = 0;
		int         lvl = GC__CAM_LOG_DEBUG;
		std::string sev;

		for (int i = 0; i < 2 && p != std::string::npos; i++) {
			p = line.find("] ", p);
			p = p == std::string::npos ? p : p + 2;
		}
		if (p == std::string::npos) {
			p = 0;
		}
		p   = line.find_first_not_of(' ', p);
		p   = p == std::string::npos ? line.size() : p;
		sev = line.substr(p, line.find(' ', p) - p);
		if (sev == "ERROR" || sev == "FATAL") {
			lvl = GC__CAM_LOG_WARN;
		}
		gc__cam_log(lvl, "CAM-LIBCAMERA", "%s", line.c_str() + p);
	}
};

// Once, before the first CameraManager; under mgr_mtx.
void
log_setup()
{
	static bool done;

	if (done) {
		return;
	}
	done = true;
	if (std::getenv("LIBCAMERA_LOG_FILE") != nullptr ||
	    std::getenv("LIBCAMERA_LOG_LEVELS") != nullptr) {
		return; // asked for libcamera's own log
	}
	// Never freed: libcamera's logger may write until exit.
	static LogForward   *buf = new LogForward;
	static std::ostream *os  = new std::ostream(buf);
	lc::logSetStream(os, false);
}

// --- the one CameraManager ----------------------------------------------

std::mutex         mgr_mtx;
lc::CameraManager *mgr;
unsigned           mgr_refs;

gc_err
mgr_get(lc::CameraManager **out, struct gc_diag *d)
{
	std::lock_guard<std::mutex> lk(mgr_mtx);

	*out = nullptr;
	if (mgr_refs == 0) {
		log_setup();
		auto cm = std::make_unique<lc::CameraManager>();
		int  rc = cm->start();

		if (rc != 0) {
			gc_diag_set(d, "libcamera: the camera manager did not "
			    "start: %s", std::strerror(-rc));
			return GC_EIO;
		}
		mgr = cm.release();
	}
	mgr_refs++;
	*out = mgr;
	return GC_OK;
}

void
mgr_put()
{
	std::lock_guard<std::mutex> lk(mgr_mtx);

	if (--mgr_refs == 0) {
		delete mgr; // stops its thread
		mgr = nullptr;
	}
}

// --- formats ------------------------------------------------------------

// What we can read, best first. libcamera's names follow DRM: BGR888 is
// R, G, B in memory, RGB888 is B, G, R; XBGR8888 is R, G, B, X.
const lc::PixelFormat kFormats[] = {
	lc::formats::MJPEG,
	lc::formats::BGR888,
	lc::formats::RGB888,
	lc::formats::XBGR8888,
	lc::formats::XRGB8888,
	lc::formats::YUYV,
};

constexpr unsigned kNoOffset = lc::FrameBuffer::Plane::kInvalidOffset;

// Bytes per pixel of the packed formats we read (not MJPEG).
unsigned
bytes_per_pixel(const lc::PixelFormat &f)
{
	if (f == lc::formats::YUYV) {
		return 2;
	}
	if (f == lc::formats::XBGR8888 || f == lc::formats::XRGB8888) {
		return 4;
	}
	return 3;
}

uint8_t
clamp8(int v)
{
	return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

// BT.601 limited range, fixed point.
void
yuv_to_rgb(int y, int u, int v, uint8_t *o)
{
	int c = 298 * (y - 16), dd = u - 128, e = v - 128;

	o[0] = clamp8((c + 409 * e + 128) >> 8);
	o[1] = clamp8((c - 100 * dd - 208 * e + 128) >> 8);
	o[2] = clamp8((c + 516 * dd + 128) >> 8);
}

// --- one opened camera --------------------------------------------------

struct Shim;

struct Slot {
	struct gc_cam_frame          frame {};
	Shim                        *shim = nullptr;
	std::unique_ptr<lc::Request> req;
	int                          fd   = -1;      // the dmabuf, for sync
	const uint8_t               *base = nullptr; // plane 0, mapped
	size_t                       len  = 0;
	uint8_t                     *conv = nullptr; // RGB, w × h × 3
	bool                         synced = false; // CPU access begun

	~Slot()
	{
		gc_free(conv);
	}
};

struct Shim {
	std::string                             spec;
	lc::CameraManager                      *cm = nullptr;
	std::shared_ptr<lc::Camera>             cam;
	bool                                    acquired = false;
	bool                                    started  = false;
	bool                                    connected = false;
	std::unique_ptr<lc::CameraConfiguration> config;
	lc::Stream                             *stream = nullptr;
	lc::PixelFormat                         fmt;
	unsigned                                w = 0, h = 0, stride = 0;
	std::unique_ptr<lc::FrameBufferAllocator> alloc;
	std::vector<std::unique_ptr<Slot>>      slots;
	std::vector<std::pair<void *, size_t>>  maps;
	gc_cam_frame_cb                         cb     = nullptr;
	void                                   *cb_arg = nullptr;

	std::mutex              mtx;
	std::condition_variable idle;
	bool                    running = false; // under mtx: requeue allowed
	int                     in_cb   = 0;     // under mtx

	~Shim();
	void on_request_completed(lc::Request *req);
	void requeue(Slot *sl);
	bool fill(Slot *sl, const lc::FrameMetadata &md);
};

void
dmabuf_sync(Slot *sl, bool start)
{
	struct dma_buf_sync s {};

	if (sl->fd < 0 || sl->synced == start) {
		return;
	}
	s.flags = DMA_BUF_SYNC_READ |
	    (start ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END);
	// Not every exporter implements it (ENOTTY): then there is nothing
	// to keep coherent.
	(void)ioctl(sl->fd, DMA_BUF_IOCTL_SYNC, &s);
	sl->synced = start;
}

Shim::~Shim()
{
	try {
		{
			std::lock_guard<std::mutex> lk(mtx);

			running = false; // releases no longer requeue
		}
		if (started) {
			// Cancels the queued requests; their completions run
			// on libcamera's thread before stop() returns.
			cam->stop();
		}
		{
			std::unique_lock<std::mutex> lk(mtx);

			idle.wait(lk, [this] { return in_cb == 0; });
		}
		if (connected) {
			cam->requestCompleted.disconnect(this);
		}
		for (auto &sl : slots) {
			dmabuf_sync(sl.get(), false);
		}
		slots.clear(); // requests go before their buffers
		if (alloc && stream != nullptr) {
			alloc->free(stream);
		}
		alloc.reset();
		for (auto &m : maps) {
			munmap(m.first, m.second);
		}
		if (acquired) {
			cam->release();
		}
		cam.reset();
		config.reset();
	} catch (...) {
		gc__cam_log(GC__CAM_LOG_ERR, "CAM-LIBCAMERA", "%s: error "
		    "while closing the camera", spec.c_str());
	}
	if (cm != nullptr) {
		mgr_put();
	}
}

void
Shim::requeue(Slot *sl)
{
	std::lock_guard<std::mutex> lk(mtx);
	int                         rc;

	dmabuf_sync(sl, false);
	if (!running) {
		return;
	}
	sl->req->reuse(lc::Request::ReuseBuffers);
	rc = cam->queueRequest(sl->req.get());
	if (rc < 0) {
		gc__cam_log(GC__CAM_LOG_WARN, "CAM-LIBCAMERA", "%s: "
		    "requeueing a request failed: %s", spec.c_str(),
		    std::strerror(-rc));
	}
}

// Points the slot's frame at the finished buffer, converting when the
// format is not packed R, G, B or JPEG. false: nothing usable arrived.
bool
Shim::fill(Slot *sl, const lc::FrameMetadata &md)
{
	struct gc_cam_frame *f = &sl->frame;
	size_t               avail, need, bpp;
	const uint8_t       *src;

	if (md.planes().size() == 0) {
		return false;
	}
	avail = md.planes()[0].bytesused;
	avail = avail == 0 || avail > sl->len ? sl->len : avail;
	dmabuf_sync(sl, true);
	f->kind   = GC_FRAME_RGB;
	f->width  = w;
	f->height = h;
	f->seq    = md.sequence;
	f->ts_ns  = md.timestamp;
	f->name[0] = '\0';
	f->priv   = sl;
	if (fmt == lc::formats::MJPEG) {
		if (md.planes()[0].bytesused == 0) {
			return false;
		}
		f->kind   = GC_FRAME_JPEG;
		f->data   = sl->base;
		f->len    = avail;
		f->stride = 0;
		return true;
	}
	bpp  = bytes_per_pixel(fmt);
	need = static_cast<size_t>(stride) * (h - 1) + w * bpp;
	if (avail < need) {
		return false; // a short frame
	}
	if (fmt == lc::formats::BGR888) {
		f->data   = sl->base;
		f->stride = stride;
		f->len    = static_cast<size_t>(stride) * h;
		f->len    = std::min(f->len, avail);
		return true;
	}
	for (unsigned y = 0; y < h; y++) {
		const uint8_t *s = sl->base + static_cast<size_t>(y) * stride;
		uint8_t       *o = sl->conv + static_cast<size_t>(y) * w * 3;

		src = s;
		if (fmt == lc::formats::YUYV) {
			for (unsigned x = 0; x + 1 < w; x += 2, src += 4) {
				yuv_to_rgb(src[0], src[1], src[3], o + 3 * x);
				yuv_to_rgb(src[2], src[1], src[3],
				    o + 3 * x + 3);
			}
			if (w % 2 != 0 && w > 1) {
				// No chroma for a lone last pixel: repeat.
				std::memcpy(o + 3 * (w - 1), o + 3 * (w - 2),
				    3);
			}
			continue;
		}
		for (unsigned x = 0; x < w; x++, src += bpp) {
			bool bgr = fmt == lc::formats::RGB888 ||
			    fmt == lc::formats::XRGB8888;

			o[3 * x]     = bgr ? src[2] : src[0];
			o[3 * x + 1] = src[1];
			o[3 * x + 2] = bgr ? src[0] : src[2];
		}
	}
	dmabuf_sync(sl, false); // the copy is ours now
	f->data   = sl->conv;
	f->stride = w * 3;
	f->len    = static_cast<size_t>(w) * 3 * h;
	return true;
}

void
Shim::on_request_completed(lc::Request *req) // libcamera's thread
{
	try {
		Slot            *sl = reinterpret_cast<Slot *>(req->cookie());
		lc::FrameBuffer *fb;

		if (req->status() == lc::Request::RequestCancelled) {
			return; // stopping
		}
		fb = req->findBuffer(stream);
		if (fb == nullptr ||
		    fb->metadata().status != lc::FrameMetadata::FrameSuccess ||
		    !fill(sl, fb->metadata())) {
			requeue(sl);
			return;
		}
		{
			std::lock_guard<std::mutex> lk(mtx);

			if (!running) {
				return;
			}
			in_cb++;
		}
		cb(&sl->frame, cb_arg);
		{
			std::lock_guard<std::mutex> lk(mtx);

			in_cb--;
			idle.notify_all(); // under the lock: ~Shim may follow
		}
	} catch (...) {
		gc__cam_log(GC__CAM_LOG_WARN, "CAM-LIBCAMERA", "%s: a frame "
		    "was dropped (error in the completion handler)",
		    spec.c_str());
	}
}

// --- open ---------------------------------------------------------------

std::string
format_list(const std::vector<lc::PixelFormat> &v)
{
	std::string s;

	for (const auto &pf : v) {
		s += (s.empty() ? "" : ", ") + pf.toString();
	}
	return s.empty() ? "nothing" : s;
}

gc_err
shim_pick(Shim *s, const char *arg, struct gc_diag *d)
{
	std::vector<std::shared_ptr<lc::Camera>> cams = s->cm->cameras();
	bool numeric = arg[0] != '\0' &&
	    std::strspn(arg, "0123456789") == std::strlen(arg);

	if (cams.empty()) {
		gc_diag_set(d, "camera source '%s': no camera found "
		    "(libcamera sees none)", s->spec.c_str());
		return GC_ENOTFOUND;
	}
	if (numeric) {
		unsigned long i = std::strtoul(arg, nullptr, 10);

		if (std::strlen(arg) > 6 || i >= cams.size()) {
			gc_diag_set(d, "camera source '%s': no camera %s: "
			    "libcamera sees %zu (0 to %zu)", s->spec.c_str(),
			    arg, cams.size(), cams.size() - 1);
			return GC_ENOTFOUND;
		}
		s->cam = cams[i];
	} else {
		std::string ids;

		s->cam = s->cm->get(arg);
		if (!s->cam) {
			for (const auto &c : cams) {
				ids += (ids.empty() ? "" : ", ") + c->id();
			}
			gc_diag_set(d, "camera source '%s': no camera with "
			    "that id (libcamera sees %zu: %s)",
			    s->spec.c_str(), cams.size(), ids.c_str());
			return GC_ENOTFOUND;
		}
	}
	int rc = s->cam->acquire();
	if (rc < 0) {
		gc_diag_set(d, "camera source '%s' (%s): cannot acquire "
		    "it: %s", s->spec.c_str(), s->cam->id().c_str(),
		    rc == -EBUSY ? "in use by another program" :
		                   std::strerror(-rc));
		return rc == -EBUSY ? GC_EAGAIN : GC_EIO;
	}
	s->acquired = true;
	return GC_OK;
}

gc_err
shim_configure(Shim *s, const struct gc_cam_cfg *cfg, struct gc_diag *d)
{
	lc::PixelFormat chosen;

	s->config = s->cam->generateConfiguration(
	    { lc::StreamRole::Viewfinder });
	if (!s->config || s->config->empty()) {
		s->config = s->cam->generateConfiguration(
		    { lc::StreamRole::StillCapture });
	}
	if (!s->config || s->config->empty()) {
		gc_diag_set(d, "camera source '%s': the camera offers no "
		    "stream", s->spec.c_str());
		return GC_EIO;
	}
	lc::StreamConfiguration     &sc      = s->config->at(0);
	std::vector<lc::PixelFormat> offered = sc.formats().pixelformats();

	for (const auto &want : kFormats) {
		if (std::find(offered.begin(), offered.end(), want) !=
		    offered.end()) {
			chosen = want;
			break;
		}
	}
	if (!chosen.isValid()) {
		gc_diag_set(d, "camera source '%s': the camera offers %s, "
		    "none of which we read (MJPEG, RGB888/BGR888, "
		    "XRGB/XBGR8888, YUYV)", s->spec.c_str(),
		    format_list(offered).c_str());
		return GC_EINVAL;
	}
	sc.pixelFormat = chosen;
	if (cfg->width > 0 && cfg->height > 0) {
		sc.size = lc::Size(cfg->width, cfg->height);
	} else {
		// The largest size offered: a portrait crop needs pixels.
		for (const lc::Size &z : sc.formats().sizes(chosen)) {
			if (static_cast<uint64_t>(z.width) * z.height >
			    static_cast<uint64_t>(sc.size.width) *
			        sc.size.height) {
				sc.size = z;
			}
		}
	}
	if (s->config->validate() == lc::CameraConfiguration::Invalid) {
		gc_diag_set(d, "camera source '%s': libcamera rejects %s at "
		    "%ux%u", s->spec.c_str(), chosen.toString().c_str(),
		    sc.size.width, sc.size.height);
		return GC_EINVAL;
	}
	// validate() may have adjusted the format or the size.
	if (std::find(std::begin(kFormats), std::end(kFormats),
	        sc.pixelFormat) == std::end(kFormats) ||
	    sc.size.width == 0 || sc.size.height == 0 ||
	    static_cast<uint64_t>(sc.size.width) * sc.size.height >
	        GC_IMAGE_MAX_PIXELS) {
		gc_diag_set(d, "camera source '%s': libcamera adjusted the "
		    "stream to %s, which we cannot read",
		    s->spec.c_str(), sc.toString().c_str());
		return GC_EINVAL;
	}
	int rc = s->cam->configure(s->config.get());
	if (rc < 0) {
		gc_diag_set(d, "camera source '%s': configuring %s failed: %s",
		    s->spec.c_str(), sc.toString().c_str(),
		    std::strerror(-rc));
		return GC_EIO;
	}
	s->stream = sc.stream();
	s->fmt    = sc.pixelFormat;
	s->w      = sc.size.width;
	s->h      = sc.size.height;
	s->stride = sc.stride;
	if (s->stride == 0 && s->fmt != lc::formats::MJPEG) {
		s->stride = s->w * bytes_per_pixel(s->fmt);
	}
	return GC_OK;
}

gc_err
shim_buffers(Shim *s, struct gc_diag *d)
{
	bool convert = s->fmt != lc::formats::MJPEG &&
	    s->fmt != lc::formats::BGR888;

	s->alloc = std::make_unique<lc::FrameBufferAllocator>(s->cam);
	if (s->alloc->allocate(s->stream) <= 0) {
		gc_diag_set(d, "camera source '%s': allocating frame buffers "
		    "failed", s->spec.c_str());
		return GC_EIO;
	}
	for (const auto &fb : s->alloc->buffers(s->stream)) {
		const lc::FrameBuffer::Plane &p0 = fb->planes()[0];
		size_t                        end = 0;
		void                         *addr;
		auto                          sl = std::make_unique<Slot>();

		// Planes may share one dmabuf: map it from 0 to the end of
		// the last plane in it.
		for (const auto &p : fb->planes()) {
			if (p.fd.get() == p0.fd.get() &&
			    p.offset != kNoOffset) {
				end = std::max(end,
				    static_cast<size_t>(p.offset) + p.length);
			}
		}
		if (p0.offset == kNoOffset || end == 0) {
			gc_diag_set(d, "camera source '%s': a frame buffer "
			    "has no usable plane", s->spec.c_str());
			return GC_EIO;
		}
		addr = mmap(nullptr, end, PROT_READ, MAP_SHARED, p0.fd.get(),
		    0);
		if (addr == MAP_FAILED) {
			gc_diag_set(d, "camera source '%s': mapping a frame "
			    "buffer failed: %s", s->spec.c_str(),
			    std::strerror(errno));
			return GC_EIO;
		}
		s->maps.emplace_back(addr, end);
		sl->shim = s;
		sl->fd   = p0.fd.get();
		sl->base = static_cast<const uint8_t *>(addr) + p0.offset;
		sl->len  = p0.length;
		if (convert) {
			sl->conv = static_cast<uint8_t *>(
			    gc_alloc(static_cast<size_t>(s->w) * s->h * 3));
			if (sl->conv == nullptr) {
				return GC_ENOMEM;
			}
		}
		sl->req = s->cam->createRequest(
		    reinterpret_cast<uint64_t>(sl.get()));
		if (!sl->req || sl->req->addBuffer(s->stream, fb.get()) < 0) {
			gc_diag_set(d, "camera source '%s': cannot make a "
			    "capture request", s->spec.c_str());
			return GC_EIO;
		}
		s->slots.push_back(std::move(sl));
	}
	return GC_OK;
}

} // namespace

// --- the vtable ---------------------------------------------------------

extern "C" {

static gc_err
lc_open(void **out, const char *arg, const struct gc_cam_cfg *cfg,
    struct gc_diag *d)
{
	*out = nullptr;
	try {
		auto   s  = std::make_unique<Shim>();
		gc_err rv;

		s->spec = std::string("libcamera:") + arg;
		if (arg[0] == '\0') {
			gc_diag_set(d, "camera source 'libcamera:': give a "
			    "camera index (0, 1, ...) or a libcamera id");
			return GC_EINVAL;
		}
		rv = mgr_get(&s->cm, d);
		if (rv == GC_OK) {
			rv = shim_pick(s.get(), arg, d);
		}
		if (rv == GC_OK) {
			rv = shim_configure(s.get(), cfg, d);
		}
		if (rv == GC_OK) {
			rv = shim_buffers(s.get(), d);
		}
		if (rv != GC_OK) {
			return rv; // ~Shim undoes what was done
		}
		*out = s.release();
		return GC_OK;
	} catch (const std::bad_alloc &) {
		return GC_ENOMEM;
	} catch (...) {
		gc_diag_set(d, "camera source 'libcamera:%s': unexpected "
		    "error", arg);
		return GC_EINTERNAL;
	}
}

static gc_err
lc_start(void *src, gc_cam_frame_cb cb, void *arg)
{
	try {
		Shim *s = static_cast<Shim *>(src);
		int   rc;

		if (s->started) {
			return GC_EINVAL;
		}
		s->cb     = cb;
		s->cb_arg = arg;
		s->cam->requestCompleted.connect(s,
		    &Shim::on_request_completed);
		s->connected = true;
		rc           = s->cam->start();
		if (rc < 0) {
			gc__cam_log(GC__CAM_LOG_WARN, "CAM-LIBCAMERA", "%s: "
			    "start failed: %s", s->spec.c_str(),
			    std::strerror(-rc));
			return GC_EIO;
		}
		s->started = true;
		{
			std::lock_guard<std::mutex> lk(s->mtx);

			s->running = true;
		}
		for (auto &sl : s->slots) {
			rc = s->cam->queueRequest(sl->req.get());
			if (rc < 0) {
				gc__cam_log(GC__CAM_LOG_WARN, "CAM-LIBCAMERA",
				    "%s: queueing a request failed: %s",
				    s->spec.c_str(), std::strerror(-rc));
				return GC_EIO; // gc_cam_close stops it
			}
		}
		return GC_OK;
	} catch (const std::bad_alloc &) {
		return GC_ENOMEM;
	} catch (...) {
		return GC_EINTERNAL;
	}
}

static void
lc_release(void *src, const struct gc_cam_frame *f)
{
	try {
		Shim *s = static_cast<Shim *>(src);

		s->requeue(static_cast<Slot *>(f->priv));
	} catch (...) {
		gc__cam_log(GC__CAM_LOG_WARN, "CAM-LIBCAMERA", "requeueing a "
		    "frame failed");
	}
}

static void
lc_close(void *src)
{
	try {
		delete static_cast<Shim *>(src);
	} catch (...) {
		gc__cam_log(GC__CAM_LOG_ERR, "CAM-LIBCAMERA", "closing the "
		    "camera failed");
	}
}

extern const struct gc__cam_ops gc__cam_libcamera_ops;
const struct gc__cam_ops        gc__cam_libcamera_ops = {
	"libcamera",
	lc_open,
	lc_start,
	lc_release,
	lc_close,
};

} // extern "C"
