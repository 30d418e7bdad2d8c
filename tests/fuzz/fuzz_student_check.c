/* Students' checks: a STUDENT_CHECK body as any bytes (what a sync peer
 * could send under a forged or broken entry). Whatever decodes must be a
 * valid check, and must encode back to the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/student_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gc_student_check c;
	struct gc_buf           b;

	if (gc_student_check_decode(data, size, &c, NULL) != GC_OK) {
		return 0;
	}
	if (!gc_student_check_valid(&c, NULL)) {
		abort();
	}
	gc_buf_init(&b);
	if (gc_student_check_encode(&b, &c, NULL) != GC_OK) {
		abort();
	}
	/* keys beyond the known ones are ignored on decode, so only a body
	 * of the known fields round-trips byte for byte */
	if (b.len == size && memcmp(b.data, data, size) != 0) {
		abort();
	}
	gc_buf_release(&b);
	return 0;
}
