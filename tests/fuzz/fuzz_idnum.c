/* Identity numbers as typed or scanned: any bytes, any 证件类型. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/idnum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char            s[256];
	struct gc_idnum r;
	static const char codes[] = { 0, '1', '6', '8', '9', 'A', 'Z' };

	if (size == 0 || size >= sizeof(s)) {
		return 0;
	}
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	(void)gc_idnum_check(&r, s, codes[data[0] % sizeof(codes)], 20260601);
	(void)gc_idnum_type_parse(s);
	return 0;
}
