// face_dlib: dlib's HOG frontal face detector and 68-point shape predictor
// behind capture/face.h (STYLE §8: no C++ type in the header, no exception
// across it).
//
// Coordinates: dlib puts pixel (i, j) at the integer point (i, j); the C
// side uses pixel edges (pixel i spans [i, i + 1)), the convention of
// gc_image_resample, so a landmark dlib reports on pixel 10 comes out as
// 10.5 and a box whose first column is 10 starts at x = 10. Scaling a face
// found on a downscaled copy back up is then a plain multiplication.

// common/gc_err.h has no extern "C" guards of its own: give its functions
// C linkage before face.h pulls it in (its include guard then holds).
extern "C" {
#include "common/gc_err.h"
}
#include "capture/face.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <istream>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

// This file is built twice (capture/CMakeLists.txt): for any x86-64, and
// with AVX2 + FMA, whose dlib templates (the HOG scan above all) run about
// a third faster. GC_FACEDET_SUFFIX names each build's entry points;
// face_dispatch.c picks one at run time by what the CPU supports.
#ifndef GC_FACEDET_SUFFIX
#define GC_FACEDET_SUFFIX
#endif
#define GC_FD_CAT2(a, b) a##b
#define GC_FD_CAT(a, b)  GC_FD_CAT2(a, b)
#define GC_FD(name)      GC_FD_CAT(name, GC_FACEDET_SUFFIX)

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/serialize.h>

namespace {

// A read-only view of one grey plane, so dlib scans the caller's pixels in
// place (dlib's generic image interface; no copy into an array2d).
struct grey_view {
	const unsigned char *px;
	long                 rows, cols, stride;
};

long
num_rows(const grey_view &v)
{
	return v.rows;
}

long
num_columns(const grey_view &v)
{
	return v.cols;
}

const void *
image_data(const grey_view &v)
{
	return v.px;
}

long
width_step(const grey_view &v)
{
	return v.stride;
}

} // namespace

namespace dlib {
template <> struct image_traits<grey_view> {
	typedef unsigned char pixel_type;
};
} // namespace dlib

// dlib::shape_predictor, but fitted to sub-pixel landmarks: its operator()
// rounds every part to a whole pixel (dlib::point), which at the face sizes
// we measure (IED ~40-100 px) is ±0.5 px of noise on lids and lips that the
// eye and mouth ratios cannot afford. Same members, same file format
// (version 1) and the same cascade as dlib's shape_predictor.h; only the
// last step keeps the floats.
struct sp_model {
	dlib::matrix<float, 0, 1>                              initial_shape;
	std::vector<std::vector<dlib::impl::regression_tree> > forests;
	std::vector<std::vector<unsigned long> >               anchor_idx;
	std::vector<std::vector<dlib::vector<float, 2> > >     deltas;
};

static void
deserialize(sp_model &m, std::istream &in)
{
	int version = 0;

	dlib::deserialize(version, in);
	if (version != 1) {
		throw dlib::serialization_error("unexpected shape_predictor "
		    "version");
	}
	dlib::deserialize(m.initial_shape, in);
	dlib::deserialize(m.forests, in);
	dlib::deserialize(m.anchor_idx, in);
	dlib::deserialize(m.deltas, in);
	if (m.forests.size() != m.anchor_idx.size() ||
	    m.forests.size() != m.deltas.size()) {
		throw dlib::serialization_error("inconsistent cascade");
	}
}

// One pass of the cascade from the mean shape inside rect; adds the
// landmarks (dlib's pixel-centre coordinates) to sum.
template <typename image_type>
static void
sp_fit_once(const sp_model &m, const image_type &img,
    const dlib::rectangle &rect, dlib::dpoint *sum)
{
	dlib::matrix<float, 0, 1> shape = m.initial_shape;
	std::vector<float>        feats;

	for (size_t it = 0; it < m.forests.size(); it++) {
		unsigned long leaf;

		dlib::impl::extract_feature_pixel_values(img, rect, shape,
		    m.initial_shape, m.anchor_idx[it], m.deltas[it], feats);
		for (const dlib::impl::regression_tree &t : m.forests[it]) {
			shape += t(feats, leaf);
		}
	}
	const dlib::point_transform_affine to_img =
	    dlib::impl::unnormalizing_tform(rect);
	for (unsigned long i = 0; i < 68; i++) {
		sum[i] += to_img(dlib::impl::location(shape, i));
	}
}

/*
 * The landmarks of the face in rect, in pixel-edge coordinates: the mean
 * of fits from the detector's box and from the box shifted by 3 % of its
 * size left, right, up and down. The cascade's splits compare pixel
 * pairs, so one fit jumps by a pixel or two at a lid or lip when the
 * pixels change by a grey level (another JPEG decoder, sensor noise);
 * averaging five halves that scatter (eye ratio ±0.02 → ±0.01, yaw ±0.9°
 * → ±0.5° on the test photos) for ~4 more fits (~1 ms each).
 */
template <typename image_type>
static void
sp_fit(const sp_model &m, const image_type &img, const dlib::rectangle &rect,
    struct gc_face *f)
{
	static const double shift[][2] = {
		{0, 0}, {-0.03, 0}, {0.03, 0}, {0, -0.03}, {0, 0.03},
	};
	const int    nfit = (int)(sizeof(shift) / sizeof(shift[0]));
	dlib::dpoint sum[68];

	for (int j = 0; j < nfit; j++) {
		const long dx = std::lround(shift[j][0] * rect.width());
		const long dy = std::lround(shift[j][1] * rect.height());

		sp_fit_once(m, img, dlib::translate_rect(rect, dx, dy), sum);
	}
	for (unsigned long i = 0; i < 68; i++) {
		f->lm[i].x = (float)(sum[i].x() / nfit) + 0.5f;
		f->lm[i].y = (float)(sum[i].y() / nfit) + 0.5f;
	}
}

// The landmark model (~100 MB) is loaded once per process and file and
// shared, read only, by every detector open on it: sp_fit reads it through
// a const reference and keeps its state on the stack, so detectors on
// several threads may fit with it at once. The cache holds weak
// references: the model goes when its last detector closes.
static std::mutex                                             sp_mtx;
static std::map<std::string, std::weak_ptr<const sp_model> > sp_cache;

struct gc_facedet {
	dlib::frontal_face_detector        det;
	std::shared_ptr<const sp_model>    sp;
	std::vector<dlib::rect_detection> dets; // reused between runs
};

// Reads the landmark model at path into *out, translating what can go
// wrong.
static gc_err
facedet_read_model(std::shared_ptr<const sp_model> *out, const char *path,
    struct gc_diag *d)
{
	std::shared_ptr<sp_model> m = std::make_shared<sp_model>();

	try {
		dlib::deserialize(path) >> *m;
	} catch (const dlib::serialization_error &) {
		gc_diag_set(d, "%s: not a dlib shape predictor model", path);
		return GC_ECORRUPT;
	} catch (const std::length_error &) {
		// A garbage length field asked for an impossible vector.
		gc_diag_set(d, "%s: not a dlib shape predictor model", path);
		return GC_ECORRUPT;
	}
	if (m->initial_shape.size() != 136) {
		gc_diag_set(d, "%s: a %lu-point landmark model, expected 68",
		    path, (unsigned long)m->initial_shape.size() / 2);
		return GC_ECORRUPT;
	}
	*out = std::move(m);
	return GC_OK;
}

// Gives fd the landmark model at path: the one already loaded, or read
// now (under sp_mtx, so two detectors opening at once read it once).
static gc_err
facedet_load_model(gc_facedet *fd, const char *path, struct gc_diag *d)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			gc_diag_set(d, "face landmark model %s not found: "
			    "install Debian's libdlib-data", path);
			return GC_ENOTFOUND;
		}
		gc_diag_set(d, "face landmark model %s: %s", path,
		    std::strerror(errno));
		return gc_err_from_errno(errno);
	}
	if (!S_ISREG(st.st_mode)) {
		gc_diag_set(d, "face landmark model %s: not a regular file",
		    path);
		return GC_EINVAL;
	}
	std::lock_guard<std::mutex> hold(sp_mtx);
	std::weak_ptr<const sp_model> &slot = sp_cache[path];

	fd->sp = slot.lock();
	if (fd->sp == nullptr) {
		gc_err rv = facedet_read_model(&fd->sp, path, d);

		if (rv != GC_OK) {
			sp_cache.erase(path);
			return rv;
		}
		slot = fd->sp;
	}
	return GC_OK;
}

extern "C" gc_err
GC_FD(gc_facedet_open)(gc_facedet **out, const char *model_path,
    struct gc_diag *d)
{
	gc_facedet *fd = nullptr;

	*out = nullptr;
	try {
		gc_err rv;

		if (model_path == nullptr) {
			model_path = GC_FACE_MODEL;
		}
		fd = new gc_facedet;
		rv = facedet_load_model(fd, model_path, d);
		if (rv == GC_OK) {
			// Decodes the detector dlib carries in its library.
			fd->det = dlib::get_frontal_face_detector();
		}
		if (rv != GC_OK) {
			delete fd;
			return rv;
		}
		*out = fd;
		return GC_OK;
	} catch (const std::bad_alloc &) {
		delete fd;
		gc_diag_set(d, "face detector: out of memory");
		return GC_ENOMEM;
	} catch (...) {
		delete fd;
		gc_diag_set(d, "face detector: dlib failed to initialise");
		return GC_EINTERNAL;
	}
}

extern "C" void
GC_FD(gc_facedet_close)(gc_facedet *fd)
{
	delete fd; // destructors do not throw
}
static gc_err
facedet_scan(gc_facedet *fd, const struct gc_image *grey, float min_score,
    struct gc_face *faces, int max, int *n, bool fit)
{
	if (n != nullptr) {
		*n = 0;
	}
	if (fd == nullptr || grey == nullptr || n == nullptr ||
	    grey->px == nullptr || grey->ch != 1 || grey->w <= 0 ||
	    grey->h <= 0 || grey->stride < (size_t)grey->w || max < 0 ||
	    (max > 0 && faces == nullptr) || std::isnan(min_score)) {
		return GC_EINVAL;
	}
	try {
		const grey_view img = {grey->px, grey->h, grey->w,
		    (long)grey->stride};
		std::vector<dlib::rect_detection> &dets = fd->dets;
		int k = 0;

		// adjust_threshold drops everything below the floor inside
		// dlib; detection_confidence is then the SVM margin over the
		// detector's own threshold (≥ min_score).
		fd->det(img, dets, (double)min_score);
		dets.erase(std::remove_if(dets.begin(), dets.end(),
		    [min_score](const dlib::rect_detection &r) {
			    return !((float)r.detection_confidence >=
			        min_score);
		    }), dets.end());
		std::stable_sort(dets.begin(), dets.end(),
		    [](const dlib::rect_detection &a,
		        const dlib::rect_detection &b) {
			    return a.detection_confidence >
			        b.detection_confidence;
		    });
		for (const dlib::rect_detection &r : dets) {
			if (k >= max) {
				break;
			}
			struct gc_face *f = &faces[k++];

			f->score = (float)r.detection_confidence;
			f->x     = (float)r.rect.left();
			f->y     = (float)r.rect.top();
			f->w     = (float)r.rect.width();
			f->h     = (float)r.rect.height();
			if (fit) {
				sp_fit(*fd->sp, img, r.rect, f);
			} else {
				memset(f->lm, 0, sizeof(f->lm));
			}
		}
		*n = (int)std::min(dets.size(), (size_t)1 << 30);
		return GC_OK;
	} catch (const std::bad_alloc &) {
		return GC_ENOMEM;
	} catch (...) {
		return GC_EINTERNAL;
	}
}

extern "C" gc_err
GC_FD(gc_facedet_run)(gc_facedet *fd, const struct gc_image *grey,
    float min_score, struct gc_face *faces, int max, int *n)
{
	return facedet_scan(fd, grey, min_score, faces, max, n, true);
}

extern "C" gc_err
GC_FD(gc_facedet_detect)(gc_facedet *fd, const struct gc_image *grey,
    float min_score, struct gc_face *faces, int max, int *n)
{
	return facedet_scan(fd, grey, min_score, faces, max, n, false);
}

extern "C" gc_err
GC_FD(gc_facedet_fit)(gc_facedet *fd, const struct gc_image *grey,
    struct gc_face *f)
{
	if (fd == nullptr || grey == nullptr || f == nullptr ||
	    grey->px == nullptr || grey->ch != 1 || grey->w <= 0 ||
	    grey->h <= 0 || grey->stride < (size_t)grey->w || f->w <= 0 ||
	    f->h <= 0) {
		return GC_EINVAL;
	}
	try {
		const grey_view       img = {grey->px, grey->h, grey->w,
		    (long)grey->stride};
		const dlib::rectangle r(std::lround(f->x), std::lround(f->y),
		    std::lround(f->x + f->w) - 1, std::lround(f->y + f->h) - 1);

		sp_fit(*fd->sp, img, r, f);
		return GC_OK;
	} catch (const std::bad_alloc &) {
		return GC_ENOMEM;
	} catch (...) {
		return GC_EINTERNAL;
	}
}
