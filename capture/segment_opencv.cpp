// segment_opencv: the GrabCut shim (segment.h). OpenCV's types and
// exceptions stay in this file: each extern "C" body catches everything.
#include "capture/segment.h"

#include <new>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

extern "C" gc_err
gc_segment_grabcut(const uint8_t *rgb, int w, int h, size_t stride,
    uint8_t *labels, int iters)
{
	bool has_fg = false, has_bg = false;

	if (rgb == nullptr || labels == nullptr || w < 2 || h < 2 ||
	    stride < static_cast<size_t>(w) * 3 || iters < 1) {
		return GC_EINVAL;
	}
	for (size_t i = 0; i < static_cast<size_t>(w) * h; i++) {
		has_fg |= labels[i] == GC_SEG_FG || labels[i] == GC_SEG_PR_FG;
		has_bg |= labels[i] == GC_SEG_BG || labels[i] == GC_SEG_PR_BG;
	}
	if (!has_fg || !has_bg) {
		return GC_EINVAL;
	}
	try {
		// headers over the caller's memory: no copy; grabCut only
		// reads the image (the const_cast is for cv::Mat's type)
		cv::Mat img(h, w, CV_8UC3, const_cast<uint8_t *>(rgb), stride);
		cv::Mat mask(h, w, CV_8UC1, labels, static_cast<size_t>(w));
		cv::Mat bgd, fgd;

		cv::grabCut(img, mask, cv::Rect(), bgd, fgd, iters,
		    cv::GC_INIT_WITH_MASK);
		if (mask.data != labels) {
			return GC_EINTERNAL; // reallocated: never expected
		}
		return GC_OK;
	} catch (const std::bad_alloc &) {
		return GC_ENOMEM;
	} catch (...) {
		return GC_EINTERNAL;
	}
}
