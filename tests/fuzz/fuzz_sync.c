/* Sync requests from the network: the message parser and every handler of
 * the server (HELLO, PUSH, PULL, WANT, BLOB_PUT, BLOB_GET, HAVE) run
 * against a real coordinator ledger and must never crash. An all-zero
 * session id is valid, so inputs reach the session-bound handlers. */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/gc_log.h"
#include "common/keys.h"
#include "common/ledger.h"
#include "sync/sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gc_sync_node node;
static struct gc_key      *key;
static gc_ledger          *lg;

static void
setup(void)
{
	char    dir[] = "/tmp/fuzz_sync.XXXXXX";
	uint8_t seed[32];

	atomic_store(&gc_log_threshold, 0); /* the refusals are expected */
	memset(seed, 7, sizeof(seed));
	if (mkdtemp(dir) == NULL || gc_key_generate(&key, seed) != GC_OK ||
	    gc_ledger_create(dir, key, GC_ROLE_COORDINATOR, "10335", "fuzz",
	    NULL, 0, NULL) != GC_OK ||
	    gc_ledger_open(&lg, dir, 0, NULL) != GC_OK ||
	    gc_ledger_set_key(lg, key) != GC_OK ||
	    gc_sync_node_init(&node, lg, key, GC_SYNC_BLOBS_ALL, NULL) !=
	        GC_OK) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gc_buf rep;

	if (lg == NULL) {
		setup();
	}
	memset(node.sess[0].id, 0, 16);
	memcpy(node.sess[0].peer, key->pk, 32); /* enrolled: itself */
	node.sess[0].authed    = true;
	node.sess[0].last_used = (uint64_t)time(NULL);
	gc_buf_init(&rep);
	gc_sync_serve(&node, data, size, &rep);
	gc_buf_release(&rep);
	return 0;
}
