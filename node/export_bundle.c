/* export_bundle: MANIFEST and its minisign signature (export_bundle.h). */
#include "node/export_bundle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/fileio.h"
#include "common/gc_alloc.h"
#include "node/cli.h"

void
gc_bundle_init(struct gc_bundle *b, const char *dir)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->dir, sizeof(b->dir), "%s", dir);
}

void
gc_bundle_release(struct gc_bundle *b)
{
	if (b != NULL) {
		free(b->f);
		b->f = NULL;
		b->n = 0;
	}
}

/* Notes a file of the bundle and its SHA-256, for MANIFEST. */
static void
bundle_record(struct gc_bundle *b, const char *rel, const void *data,
    size_t len)
{
	b->f = realloc(b->f, (b->n + 1) * sizeof(*b->f));
	if (b->f == NULL) {
		abort();
	}
	snprintf(b->f[b->n].path, sizeof(b->f[b->n].path), "%s", rel);
	crypto_hash_sha256(b->f[b->n].sha, data, len);
	b->n++;
}

int
gc_bundle_write(struct gc_bundle *b, const char *rel, const void *data,
    size_t len)
{
	char path[4300];

	snprintf(path, sizeof(path), "%s/%s", b->dir, rel);
	if (gc_cli_write_file(path, data, len) != GC_EXIT_OK) {
		return -1;
	}
	bundle_record(b, rel, data, len);
	return 0;
}

int
gc_bundle_add(struct gc_bundle *b, const char *rel)
{
	char     path[4300], why[128];
	uint8_t *data;
	size_t   len;

	snprintf(path, sizeof(path), "%s/%s", b->dir, rel);
	data = gc_file_read(path, (size_t)1 << 30, &len, why, sizeof(why));
	if (data == NULL) {
		gc_cli_err("%s: %s", path, why);
		return -1;
	}
	bundle_record(b, rel, data, len);
	gc_free(data);
	return 0;
}

static int
file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gc_bundle_file *)a)->path,
	    ((const struct gc_bundle_file *)b)->path);
}

/* minisign: keyid = the first 8 bytes of SHA-256 of the key. */
static void
minisign_keyid(uint8_t id[8], const uint8_t pk[32])
{
	uint8_t h[32];

	crypto_hash_sha256(h, pk, 32);
	memcpy(id, h, 8);
}

static void
minisign_pub(struct gc_buf *out, const uint8_t pk[32])
{
	uint8_t raw[42];
	char    b64[80];

	raw[0] = 'E';
	raw[1] = 'd';
	minisign_keyid(raw + 2, pk);
	memcpy(raw + 10, pk, 32);
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL);
	gc_buf_printf(out, "untrusted comment: minisign public key "
	    "%02X%02X%02X%02X%02X%02X%02X%02X (gradcap school authority)\n%s\n",
	    raw[9], raw[8], raw[7], raw[6], raw[5], raw[4], raw[3], raw[2], b64);
}

/* A prehashed ("ED") minisign signature of data with a trusted comment. */
static void
minisign_sign(struct gc_buf *out, const uint8_t *data, size_t len,
    const char *trusted, const struct gc_key *key)
{
	uint8_t hash[64], sig[74], global[64];
	char    b64[160];
	uint8_t *tbs;
	size_t   tl = strlen(trusted);

	crypto_generichash(hash, 64, data, len, NULL, 0);
	sig[0] = 'E';
	sig[1] = 'D';
	minisign_keyid(sig + 2, key->pk);
	crypto_sign_detached(sig + 10, NULL, hash, 64, key->sk);
	/* the global signature covers the signature and the comment */
	tbs = malloc(64 + tl);
	if (tbs == NULL) {
		abort();
	}
	memcpy(tbs, sig + 10, 64);
	memcpy(tbs + 64, trusted, tl);
	crypto_sign_detached(global, NULL, tbs, 64 + tl, key->sk);
	free(tbs);
	sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig),
	    sodium_base64_VARIANT_ORIGINAL);
	gc_buf_printf(out, "untrusted comment: signature from gradcap\n%s\n"
	    "trusted comment: %s\n", b64, trusted);
	sodium_bin2base64(b64, sizeof(b64), global, sizeof(global),
	    sodium_base64_VARIANT_ORIGINAL);
	gc_buf_printf(out, "%s\n", b64);
}

int
gc_bundle_seal(struct gc_bundle *b, const char *trusted,
    const struct gc_key *key)
{
	struct gc_buf man, sig, pub;
	int           rv = 0;

	gc_buf_init(&man);
	gc_buf_init(&sig);
	gc_buf_init(&pub);
	/* MANIFEST: sha256sum's format, sorted; then its signature */
	if (b->n > 1) {
		qsort(b->f, b->n, sizeof(*b->f), file_cmp);
	}
	for (size_t i = 0; i < b->n; i++) {
		char hex[65];

		gc_hex_encode(hex, b->f[i].sha, 32);
		gc_buf_printf(&man, "%s  %s\n", hex, b->f[i].path);
	}
	minisign_sign(&sig, man.data, man.len, trusted, key);
	minisign_pub(&pub, key->pk);
	if (gc_buf_status(&man) != GC_OK || gc_buf_status(&sig) != GC_OK ||
	    gc_buf_status(&pub) != GC_OK) {
		gc_cli_err("%s/MANIFEST: out of memory", b->dir);
		rv = -1;
	} else if (gc_bundle_write(b, "MANIFEST", man.data, man.len) != 0 ||
	    gc_bundle_write(b, "MANIFEST.minisig", sig.data, sig.len) != 0 ||
	    gc_bundle_write(b, "minisign.pub", pub.data, pub.len) != 0) {
		rv = -1;
	}
	gc_buf_release(&man);
	gc_buf_release(&sig);
	gc_buf_release(&pub);
	return rv;
}
