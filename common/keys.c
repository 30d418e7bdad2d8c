#include "common/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/fileio.h"
#include "common/gc_alloc.h"

/* Key file: magic (8) ‖ mode (1) ‖ body.
 * mode 0 (plain):  sk (64)
 * mode 1 (sealed): opslimit u64le ‖ memlimit u64le ‖ salt (16) ‖
 *                  nonce (24) ‖ XChaCha20-Poly1305(sk, ad = magic‖mode‖
 *                  opslimit‖memlimit‖salt) (64 + 16)
 */
static const uint8_t key_magic[8] = { 'G', 'C', 'K', 'E', 'Y', '0', '0', '1' };
#define KEY_PLAIN_LEN  (8 + 1 + 64)
#define KEY_SEALED_LEN (8 + 1 + 8 + 8 + 16 + 24 + 64 + 16)

gc_err
gc_key_generate(struct gc_key **out, const uint8_t *seed)
{
	struct gc_key *k;

	*out = NULL;
	if (sodium_init() < 0) {
		return GC_EINTERNAL;
	}
	k     = gc_xzalloc(sizeof(*k));
	k->sk = sodium_malloc(64);
	if (k->sk == NULL) {
		gc_free(k);
		return GC_ENOMEM;
	}
	if (seed != NULL) {
		crypto_sign_seed_keypair(k->pk, k->sk, seed);
	} else {
		crypto_sign_keypair(k->pk, k->sk);
	}
	sodium_mprotect_readonly(k->sk);
	*out = k;
	return GC_OK;
}

void
gc_key_free(struct gc_key *k)
{
	if (k == NULL) {
		return;
	}
	sodium_free(k->sk); /* wipes */
	gc_free(k);
}

/* Derives the sealing key from the passphrase. */
static gc_err
key_derive(uint8_t key[32], const char *pass, const uint8_t salt[16],
    uint64_t ops, uint64_t mem)
{
	if (ops > crypto_pwhash_OPSLIMIT_MAX || mem > ((uint64_t)1 << 32) ||
	    ops < crypto_pwhash_OPSLIMIT_MIN || mem < crypto_pwhash_MEMLIMIT_MIN) {
		return GC_ECORRUPT;
	}
	if (crypto_pwhash(key, 32, pass, strlen(pass), salt, ops, (size_t)mem,
	        crypto_pwhash_ALG_ARGON2ID13) != 0) {
		return GC_ENOMEM;
	}
	return GC_OK;
}

gc_err
gc_key_save(const struct gc_key *k, const char *path, const char *passphrase,
    struct gc_diag *d)
{
	uint8_t buf[KEY_SEALED_LEN];
	size_t  len;
	int     fd;
	gc_err  rv = GC_OK;

	memcpy(buf, key_magic, 8);
	if (passphrase == NULL || passphrase[0] == '\0') {
		buf[8] = 0;
		memcpy(buf + 9, k->sk, 64);
		len = KEY_PLAIN_LEN;
	} else {
		uint8_t  key[32];
		uint64_t ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		uint64_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
		uint8_t *salt = buf + 25, *nonce = buf + 41, *ct = buf + 65;

		buf[8] = 1;
		gc_le64_put(buf + 9, ops);
		gc_le64_put(buf + 17, mem);
		randombytes_buf(salt, 16);
		randombytes_buf(nonce, 24);
		rv = key_derive(key, passphrase, salt, ops, mem);
		if (rv != GC_OK) {
			gc_diag_set(d, "%s: cannot derive the sealing key", path);
			return rv;
		}
		crypto_aead_xchacha20poly1305_ietf_encrypt(ct, NULL, k->sk, 64,
		    buf, 41, NULL, nonce, key);
		sodium_memzero(key, sizeof(key));
		len = KEY_SEALED_LEN;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rv = gc_err_from_errno(errno);
		gc_diag_set(d, "%s: %s", path, strerror(errno));
		sodium_memzero(buf, sizeof(buf));
		return rv;
	}
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd) != 0) {
		rv = GC_EIO;
		gc_diag_set(d, "%s: write failed: %s", path, strerror(errno));
	}
	close(fd);
	sodium_memzero(buf, sizeof(buf));
	if (rv != GC_OK) {
		unlink(path);
	}
	return rv;
}

gc_err
gc_key_load(struct gc_key **out, const char *path, const char *passphrase,
    struct gc_diag *d)
{
	uint8_t        buf[KEY_SEALED_LEN + 1];
	uint8_t        sk[64];
	size_t         n;
	int            fd;
	struct gc_key *k;
	gc_err         rv;

	*out = NULL;
	if (sodium_init() < 0) {
		return GC_EINTERNAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rv = gc_err_from_errno(errno);
		gc_diag_set(d, "%s: %s", path, strerror(errno));
		return rv;
	}
	rv = gc_read_full(fd, buf, sizeof(buf), &n);
	if (rv != GC_OK) {
		gc_diag_set(d, "%s: read error: %s", path, strerror(errno));
	}
	close(fd);
	if (rv != GC_OK) {
		return rv;
	}
	if (n < 9 || memcmp(buf, key_magic, 8) != 0) {
		gc_diag_set(d, "%s: not a gradcap key file", path);
		return GC_ECORRUPT;
	}
	if (buf[8] == 0 && n == KEY_PLAIN_LEN) {
		memcpy(sk, buf + 9, 64);
	} else if (buf[8] == 1 && n == KEY_SEALED_LEN) {
		uint8_t key[32];

		if (passphrase == NULL || passphrase[0] == '\0') {
			gc_diag_set(d, "%s is sealed by a passphrase: set "
			    "GRADCAP_PASSPHRASE or pass --passphrase-file", path);
			return GC_EAUTH;
		}
		rv = key_derive(key, passphrase, buf + 25, gc_le64_get(buf + 9),
		    gc_le64_get(buf + 17));
		if (rv != GC_OK) {
			gc_diag_set(d, "%s: damaged key file (bad Argon2id "
			    "parameters)", path);
			return rv;
		}
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(sk, NULL, NULL,
		        buf + 65, 80, buf, 41, buf + 41, key) != 0) {
			sodium_memzero(key, sizeof(key));
			gc_diag_set(d, "%s: wrong passphrase (or the key file "
			    "was altered)", path);
			return GC_EAUTH;
		}
		sodium_memzero(key, sizeof(key));
	} else {
		gc_diag_set(d, "%s: damaged key file (mode %u, %zd bytes)", path,
		    buf[8], n);
		sodium_memzero(buf, sizeof(buf));
		return GC_ECORRUPT;
	}
	rv = gc_key_generate(&k, sk); /* from the seed half */
	if (rv == GC_OK && memcmp(k->pk, sk + 32, 32) != 0) {
		gc_key_free(k);
		gc_diag_set(d, "%s: damaged key file (public half does not "
		    "match)", path);
		rv = GC_ECORRUPT;
	}
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(buf, sizeof(buf));
	if (rv == GC_OK) {
		*out = k;
	}
	return rv;
}
