/* C2SP signed notes and checkpoints (sync/note.h). */
#include "sync/note.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define DASH "\xe2\x80\x94" /* U+2014 EM DASH */

static void
key_hash(uint8_t out[4], const char *name, const uint8_t pk[32])
{
	crypto_hash_sha256_state st;
	uint8_t                  h[32];
	const uint8_t            nl = '\n', alg = 0x01;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
	crypto_hash_sha256_update(&st, &nl, 1);
	crypto_hash_sha256_update(&st, &alg, 1);
	crypto_hash_sha256_update(&st, pk, 32);
	crypto_hash_sha256_final(&st, h);
	memcpy(out, h, 4);
}

void
gc_note_vkey(struct gc_buf *out, const char *name, const uint8_t pk[32])
{
	uint8_t kh[4], k[33];
	char    b64[64];

	key_hash(kh, name, pk);
	k[0] = 0x01;
	memcpy(k + 1, pk, 32);
	sodium_bin2base64(b64, sizeof(b64), k, 33,
	    sodium_base64_VARIANT_ORIGINAL);
	gc_buf_printf(out, "%s+%02x%02x%02x%02x+%s", name, kh[0], kh[1], kh[2],
	    kh[3], b64);
}

gc_err
gc_note_vkey_parse(const char *vkey, char *name, size_t namecap,
    uint8_t pk[32])
{
	const char *p1 = strchr(vkey, '+'), *p2;
	uint8_t     k[40], kh[4], want[4];
	size_t      klen;
	unsigned    x[4];

	if (p1 == NULL || (size_t)(p1 - vkey) >= namecap || p1 == vkey) {
		return GC_EINVAL;
	}
	p2 = strchr(p1 + 1, '+');
	if (p2 == NULL || p2 - p1 - 1 != 8 ||
	    sscanf(p1 + 1, "%2x%2x%2x%2x", &x[0], &x[1], &x[2], &x[3]) != 4) {
		return GC_EINVAL;
	}
	memcpy(name, vkey, (size_t)(p1 - vkey));
	name[p1 - vkey] = '\0';
	if (sodium_base642bin(k, sizeof(k), p2 + 1, strcspn(p2 + 1, "\r\n"),
	    NULL, &klen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    klen != 33 || k[0] != 0x01) {
		return GC_EINVAL;
	}
	memcpy(pk, k + 1, 32);
	key_hash(kh, name, pk);
	for (int i = 0; i < 4; i++) {
		want[i] = (uint8_t)x[i];
	}
	return memcmp(kh, want, 4) == 0 ? GC_OK : GC_EINVAL;
}

void
gc_note_sign(struct gc_buf *out, const char *text, const char *name,
    const struct gc_key *key)
{
	uint8_t blob[68];
	char    b64[128];

	key_hash(blob, name, key->pk);
	crypto_sign_detached(blob + 4, NULL, (const uint8_t *)text,
	    strlen(text), key->sk);
	sodium_bin2base64(b64, sizeof(b64), blob, sizeof(blob),
	    sodium_base64_VARIANT_ORIGINAL);
	gc_buf_puts(out, text);
	gc_buf_printf(out, "\n" DASH " %s %s\n", name, b64);
}

gc_err
gc_note_verify(const char *note, size_t len, const char *name,
    const uint8_t pk[32], size_t *text_len, struct gc_diag *d)
{
	const char *sep = NULL, *p, *end = note + len;
	uint8_t     kh[4];
	size_t      nl = strlen(name);

	*text_len = 0;
	/* the text ends at the last "\n\n" before the signature lines */
	for (p = note; p + 1 < end; p++) {
		if (p[0] == '\n' && p[1] == '\n') {
			sep = p;
		}
	}
	if (sep == NULL || len == 0 || note[len - 1] != '\n') {
		gc_diag_set(d, "not a signed note (no blank line before the "
		    "signatures, or no final newline)");
		return GC_ECORRUPT;
	}
	key_hash(kh, name, pk);
	for (p = sep + 2; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t      ll  = (size_t)(eol - p);
		uint8_t     blob[80];
		size_t      blen;

		if (eol == NULL) {
			break;
		}
		if (ll > 4 + nl + 1 && memcmp(p, DASH " ", 4) == 0 &&
		    memcmp(p + 4, name, nl) == 0 && p[4 + nl] == ' ' &&
		    sodium_base642bin(blob, sizeof(blob), p + 5 + nl,
		        ll - 5 - nl, NULL, &blen, NULL,
		        sodium_base64_VARIANT_ORIGINAL) == 0 &&
		    blen == 68 && memcmp(blob, kh, 4) == 0) {
			if (crypto_sign_verify_detached(blob + 4,
			    (const uint8_t *)note, (size_t)(sep - note) + 1,
			    pk) == 0) {
				*text_len = (size_t)(sep - note) + 1;
				return GC_OK;
			}
			gc_diag_set(d, "the signature by '%s' does not verify "
			    "(the note was altered)", name);
			return GC_EBADSIG;
		}
		p = eol + 1;
	}
	gc_diag_set(d, "no signature by key '%s' on the note", name);
	return GC_EBADSIG;
}

void
gc_checkpoint_text(struct gc_buf *out, const char *origin, uint64_t size,
    const uint8_t root[32])
{
	char b64[64];

	sodium_bin2base64(b64, sizeof(b64), root, 32,
	    sodium_base64_VARIANT_ORIGINAL);
	gc_buf_printf(out, "%s\n%" PRIu64 "\n%s\n", origin, size, b64);
}

gc_err
gc_checkpoint_parse(const char *text, size_t len, char *origin,
    size_t origincap, uint64_t *size, uint8_t root[32])
{
	const char *l1 = memchr(text, '\n', len), *l2, *l3;
	char        num[32];
	size_t      rl;
	char       *endp;

	if (l1 == NULL || (size_t)(l1 - text) >= origincap || l1 == text) {
		return GC_ECORRUPT;
	}
	memcpy(origin, text, (size_t)(l1 - text));
	origin[l1 - text] = '\0';
	l2 = memchr(l1 + 1, '\n', len - (size_t)(l1 + 1 - text));
	if (l2 == NULL || l2 - l1 - 1 <= 0 || l2 - l1 - 1 >= (long)sizeof(num)) {
		return GC_ECORRUPT;
	}
	memcpy(num, l1 + 1, (size_t)(l2 - l1 - 1));
	num[l2 - l1 - 1] = '\0';
	*size = strtoull(num, &endp, 10);
	if (*endp != '\0' || num[0] == '-' || num[0] == '+') {
		return GC_ECORRUPT;
	}
	l3 = memchr(l2 + 1, '\n', len - (size_t)(l2 + 1 - text));
	if (l3 == NULL || sodium_base642bin(root, 32, l2 + 1,
	    (size_t)(l3 - l2 - 1), NULL, &rl, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || rl != 32) {
		return GC_ECORRUPT;
	}
	return GC_OK;
}
