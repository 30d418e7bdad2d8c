/* TLS identities with mbedTLS 2.28 (the library nng's TLS engine uses):
 * P-256 keys, self-signed v3 certificates, and pinned trust chains built
 * from the enrollments in the ledger. */
#include "sync/tls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/error.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>
#include <sodium.h>

#include "common/buf.h"
#include "common/entry.h"
#include "common/fileio.h"
#include "common/gc_alloc.h"
#include "common/gc_log.h"

#define PEM_CRT_BEGIN "-----BEGIN CERTIFICATE-----\n"
#define PEM_CRT_END   "-----END CERTIFICATE-----\n"
#define PEM_MAX       8192

void
gc_tls_server_name(char *out, size_t cap, const char *school)
{
	snprintf(out, cap, "%s.gradcap", school);
}

gc_err
gc_tls_der_to_pem(const uint8_t *der, size_t len, char **pem)
{
	size_t olen = 0;
	char  *p;
	int    rc;

	*pem = NULL;
	p    = gc_alloc(PEM_MAX);
	if (p == NULL) {
		return GC_ENOMEM;
	}
	rc = mbedtls_pem_write_buffer(PEM_CRT_BEGIN, PEM_CRT_END, der, len,
	    (unsigned char *)p, PEM_MAX, &olen);
	if (rc != 0) {
		gc_free(p);
		return GC_ETOOBIG;
	}
	*pem = p; /* olen counts the NUL */
	return GC_OK;
}

gc_err
gc_tls_cert_check(const uint8_t *der, size_t len, uint8_t fp[32],
    struct gc_diag *d)
{
	mbedtls_x509_crt crt;
	int              rc;
	gc_err           rv = GC_OK;

	if (len == 0 || len > GC_TLS_CERT_MAX) {
		gc_diag_set(d, "TLS certificate of %zu bytes (expected 1 to %d)",
		    len, GC_TLS_CERT_MAX);
		return GC_ECORRUPT;
	}
	mbedtls_x509_crt_init(&crt);
	rc = mbedtls_x509_crt_parse_der(&crt, der, len);
	if (rc != 0) {
		char why[128];

		mbedtls_strerror(rc, why, sizeof(why));
		gc_diag_set(d, "TLS certificate does not parse: %s", why);
		rv = GC_ECORRUPT;
	} else if (mbedtls_pk_get_type(&crt.pk) != MBEDTLS_PK_ECKEY ||
	    mbedtls_pk_ec(crt.pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
		gc_diag_set(d, "TLS certificate does not carry a P-256 key");
		rv = GC_ECORRUPT;
	}
	mbedtls_x509_crt_free(&crt);
	if (rv == GC_OK) {
		crypto_hash_sha256(fp, der, len);
	}
	return rv;
}

/* Writes s to path, created exclusively with mode. */
static gc_err
write_new(const char *path, const char *s, unsigned mode, struct gc_diag *d)
{
	char why[128];

	if (gc_file_write(path, s, strlen(s), GC_FILE_EXCL, mode, why,
	    sizeof(why)) != 0) {
		gc_diag_set(d, "%s: %s", path, why);
		return errno == EEXIST ? GC_EEXIST : GC_EIO;
	}
	return GC_OK;
}

gc_err
gc_tls_ident_create(const char *home, const char *school, const uint8_t pk[32],
    struct gc_diag *d)
{
	mbedtls_entropy_context  ent;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context       key;
	mbedtls_x509write_cert   crt;
	mbedtls_mpi              serial;
	unsigned char           *kbuf = NULL, *cbuf = NULL;
	unsigned char            sn[16];
	char                     subj[256], hex[65], from[16], kpath[4200],
	    cpath[4200];
	time_t                   now = time(NULL) - 86400;
	struct tm                tm;
	gc_err                   rv = GC_EINTERNAL;
	int                      rc;

	snprintf(kpath, sizeof(kpath), "%s/tls.key", home);
	snprintf(cpath, sizeof(cpath), "%s/tls.crt", home);
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&key);
	mbedtls_x509write_crt_init(&crt);
	mbedtls_mpi_init(&serial);
	kbuf = sodium_malloc(PEM_MAX);
	cbuf = gc_alloc(PEM_MAX);
	if (kbuf == NULL || cbuf == NULL) {
		rv = GC_ENOMEM;
		goto out;
	}
	gc_hex_encode(hex, pk, 32);
	snprintf(subj, sizeof(subj), "CN=%s.gradcap,OU=%s,O=gradcap", school,
	    hex);
	gmtime_r(&now, &tm);
	strftime(from, sizeof(from), "%Y%m%d%H%M%S", &tm);
	randombytes_buf(sn, sizeof(sn));
	sn[0] &= 0x7f; /* a positive serial */
	rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent,
	    (const unsigned char *)"gradcap tls", 11);
	if (rc == 0) {
		rc = mbedtls_pk_setup(&key,
		    mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
	}
	if (rc == 0) {
		rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1,
		    mbedtls_pk_ec(key), mbedtls_ctr_drbg_random, &drbg);
	}
	if (rc == 0) {
		rc = mbedtls_mpi_read_binary(&serial, sn, sizeof(sn));
	}
	if (rc == 0) {
		mbedtls_x509write_crt_set_version(&crt,
		    MBEDTLS_X509_CRT_VERSION_3);
		mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
		mbedtls_x509write_crt_set_subject_key(&crt, &key);
		mbedtls_x509write_crt_set_issuer_key(&crt, &key);
		rc = mbedtls_x509write_crt_set_subject_name(&crt, subj);
	}
	if (rc == 0) {
		rc = mbedtls_x509write_crt_set_issuer_name(&crt, subj);
	}
	if (rc == 0) {
		rc = mbedtls_x509write_crt_set_serial(&crt, &serial);
	}
	if (rc == 0) {
		rc = mbedtls_x509write_crt_set_validity(&crt, from,
		    "20991231235959");
	}
	if (rc == 0) {
		rc = mbedtls_x509write_crt_pem(&crt, cbuf, PEM_MAX,
		    mbedtls_ctr_drbg_random, &drbg);
	}
	if (rc == 0) {
		rc = mbedtls_pk_write_key_pem(&key, kbuf, PEM_MAX);
	}
	if (rc != 0) {
		char why[128];

		mbedtls_strerror(rc, why, sizeof(why));
		gc_diag_set(d, "making the TLS key and certificate: %s", why);
		rv = GC_EINTERNAL;
		goto out;
	}
	rv = write_new(kpath, (const char *)kbuf, 0600, d);
	if (rv == GC_OK) {
		rv = write_new(cpath, (const char *)cbuf, 0644, d);
		if (rv != GC_OK) {
			unlink(kpath);
		}
	}
out:
	mbedtls_mpi_free(&serial);
	mbedtls_x509write_crt_free(&crt);
	mbedtls_pk_free(&key);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	sodium_free(kbuf);
	gc_free(cbuf);
	return rv;
}

void
gc_tls_ident_release(struct gc_tls_ident *id)
{
	if (id == NULL) {
		return;
	}
	gc_free(id->cert_pem);
	if (id->key_pem != NULL) {
		sodium_memzero(id->key_pem, strlen(id->key_pem));
		gc_free(id->key_pem);
	}
	memset(id, 0, sizeof(*id));
}

gc_err
gc_tls_ident_load(struct gc_tls_ident *id, const char *home,
    struct gc_diag *d)
{
	mbedtls_x509_crt crt;
	mbedtls_pk_context key;
	char             path[4200], why[128];
	size_t           len;
	int              rc;
	gc_err           rv = GC_OK;

	memset(id, 0, sizeof(*id));
	snprintf(path, sizeof(path), "%s/tls.crt", home);
	id->cert_pem = (char *)gc_file_read(path, PEM_MAX, &len, why,
	    sizeof(why));
	if (id->cert_pem == NULL) {
		gc_diag_set(d, "%s: %s (a node made before TLS existed has "
		    "none: init a new node, or sync with --insecure)", path, why);
		return GC_ENOTFOUND;
	}
	snprintf(path, sizeof(path), "%s/tls.key", home);
	id->key_pem = (char *)gc_file_read(path, PEM_MAX, &len, why,
	    sizeof(why));
	if (id->key_pem == NULL) {
		gc_diag_set(d, "%s: %s", path, why);
		gc_tls_ident_release(id);
		return GC_ENOTFOUND;
	}
	mbedtls_x509_crt_init(&crt);
	mbedtls_pk_init(&key);
	rc = mbedtls_x509_crt_parse(&crt, (const unsigned char *)id->cert_pem,
	    strlen(id->cert_pem) + 1);
	if (rc != 0 || crt.next != NULL || crt.raw.len > GC_TLS_CERT_MAX) {
		gc_diag_set(d, "%s/tls.crt: not one PEM certificate", home);
		rv = GC_ECORRUPT;
	}
	if (rv == GC_OK) {
		rc = mbedtls_pk_parse_key(&key,
		    (const unsigned char *)id->key_pem, strlen(id->key_pem) + 1,
		    NULL, 0);
		if (rc != 0 || mbedtls_pk_check_pair(&crt.pk, &key) != 0) {
			gc_diag_set(d, "%s/tls.key: not the key of tls.crt", home);
			rv = GC_ECORRUPT;
		}
	}
	if (rv == GC_OK) {
		memcpy(id->der, crt.raw.p, crt.raw.len);
		id->der_len = crt.raw.len;
		crypto_hash_sha256(id->fp, id->der, id->der_len);
	}
	mbedtls_pk_free(&key);
	mbedtls_x509_crt_free(&crt);
	if (rv != GC_OK) {
		gc_tls_ident_release(id);
	}
	return rv;
}

/* ---- the trust chain ---- */

struct trust_arg {
	gc_ledger     *lg;
	struct gc_buf *pem;
	size_t         n;
	gc_err         rv;
};

static int
trust_cb(const struct gc_enrollment *en, void *arg)
{
	struct trust_arg    *a = arg;
	struct gc_enrollment full;
	struct gc_entry      e;
	uint8_t             *bytes = NULL, fp[32];
	size_t               len;
	char                 hex[65], *pem = NULL;

	if (en->revoked || !en->has_tls_fp) {
		return 0;
	}
	gc_hex_encode(hex, en->entry_id, 32);
	if (gc_ledger_get(a->lg, hex, &bytes, &len, NULL) != GC_OK) {
		return 0;
	}
	memset(&full, 0, sizeof(full));
	if (gc_entry_parse(&e, bytes, len, NULL) == GC_OK &&
	    gc_enrollment_parse(&e, &full) == GC_OK && full.tls_cert_len > 0) {
		if (gc_tls_cert_check(full.tls_cert, full.tls_cert_len, fp,
		    NULL) != GC_OK || memcmp(fp, en->tls_fp, 32) != 0) {
			gc_hex_encode(hex, en->pk, 8);
			GC_LOG(GC_LOG_WARN, "SYNC-TLS-PIN", "node %s ('%s'): its "
			    "certificate does not match its enrolled fingerprint; "
			    "not trusted", hex, en->name);
		} else if (gc_tls_der_to_pem(full.tls_cert, full.tls_cert_len,
		    &pem) == GC_OK) {
			gc_buf_put(a->pem, pem, strlen(pem));
			gc_free(pem);
			a->n++;
		}
	}
	gc_free(bytes);
	return 0;
}

gc_err
gc_tls_trust_pem(gc_ledger *lg, char **pem, size_t *n, struct gc_diag *d)
{
	struct gc_buf    b;
	struct trust_arg a;
	size_t           len;
	gc_err           rv;

	*pem = NULL;
	*n   = 0;
	gc_buf_init(&b);
	a.lg  = lg;
	a.pem = &b;
	a.n   = 0;
	a.rv  = GC_OK;
	rv    = gc_ledger_enrollments(lg, trust_cb, &a);
	if (rv == GC_OK && a.n == 0) {
		gc_diag_set(d, "no enrolled node has a TLS certificate yet "
		    "(enroll this node first)");
		rv = GC_ENOTFOUND;
	}
	gc_buf_put(&b, "", 1);
	if (rv == GC_OK) {
		rv = gc_buf_status(&b);
	}
	if (rv != GC_OK) {
		gc_buf_release(&b);
		return rv;
	}
	*n   = a.n;
	*pem = (char *)gc_buf_take(&b, &len);
	return GC_OK;
}
