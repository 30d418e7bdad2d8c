/* Entry bytes from the network or a damaged store: the CBOR scanner, the
 * COSE_Sign1 entry parser and the signature check must never crash. */
#include <stddef.h>
#include <stdint.h>

#include "common/cbor.h"
#include "common/entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gc_entry e;
	struct gc_buf   j;

	if (gc_cbor_scan(data, size, NULL) == GC_OK) {
		gc_buf_init(&j);
		gc_cbor_json(&j, data, size, NULL, 0);
		gc_buf_release(&j);
	}
	if (gc_entry_parse(&e, data, size, NULL) == GC_OK) {
		(void)gc_entry_verify(&e);
	}
	return 0;
}
