/* Uploaded or captured photo bytes: format sniffing, the JPEG marker walk
 * (with libexif on any APP1 Exif), and TurboJPEG decoding at full size and
 * DCT-scaled. Needs gc_capture linked. */
#include <stddef.h>
#include <stdint.h>

#include "capture/image.h"
#include "capture/jpeg.h"

/* Decoding allocates in proportion to the declared size (the probe caps
 * that at 120 MP, tested on its own); the fuzzer decodes only up to 4 MP
 * so every input stays fast and inside libFuzzer's RSS limit. */
#define FUZZ_MAX_DECODE_PIXELS ((uint64_t)4 * 1024 * 1024)

static volatile uint8_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int    sides[] = { 0, 320 };
	struct gc_jpeg_info info;
	struct gc_diag      d;
	enum gc_fmt         f;

	f = gc_fmt_sniff(data, size);
	(void)gc_fmt_name(f);
	gc_diag_clear(&d);
	if (gc_jpeg_probe(data, size, &info, &d) != GC_OK) {
		return 0;
	}
	if ((uint64_t)info.width * (uint64_t)info.height >
	    FUZZ_MAX_DECODE_PIXELS) {
		return 0;
	}
	for (size_t i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
		struct gc_image im;

		gc_diag_clear(&d);
		if (gc_jpeg_decode(data, size, sides[i], &im, &info, &d) ==
		    GC_OK) {
			if (im.px == NULL || im.ch != 3 || im.w <= 0 ||
			    im.h <= 0) {
				__builtin_trap();
			}
			/* touch the corners: ASan checks the extent */
			sink = im.px[0] ^ im.px[(size_t)(im.h - 1) *
			    im.stride + (size_t)im.w * 3 - 1];
		} else if (im.px != NULL) {
			__builtin_trap();
		}
		gc_image_release(&im);
	}
	return 0;
}
