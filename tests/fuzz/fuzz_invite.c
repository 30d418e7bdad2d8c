/* Online invitations: an INVITE body as any bytes (what a sync peer could
 * send under a forged or broken entry), and a sign-in code as typed. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/invite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
row_cb(const struct gc_invite_row *r, void *arg)
{
	size_t *n = arg;

	*n += strlen(r->student) + r->hash[0];
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char    src[64];
	size_t  n = 0;
	uint8_t h[32];

	(void)gc_invite_decode(data, size, src, sizeof(src), row_cb, &n);
	(void)gc_invite_code_hash((const char *)data, size, h);
	return 0;
}
