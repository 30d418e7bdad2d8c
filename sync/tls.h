/* tls: each node's TLS identity (a P-256 key and a self-signed certificate,
 * made by mbedTLS at init) and the nng TLS configurations that pin the
 * peers' certificates (DESIGN §3, §7; docs/protocol.md "Transport").
 *
 * The certificate's subject is CN=<school>.gradcap, OU=<feed key hex>,
 * O=gradcap; every node of a school answers to the same server name, and
 * a peer is accepted only when it presents one of the certificates that
 * the school's enrollments name (pinned by SHA-256 fingerprint). Which
 * node it is, is proved after the handshake by its signed HELLO. */
#ifndef GC_SYNC_TLS_H
#define GC_SYNC_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "common/gc_err.h"
#include "common/ledger.h"

#define GC_TLS_CERT_MAX 2048 /* DER bytes; a P-256 self-signed cert is ~450 */

struct gc_tls_ident {
	char    *cert_pem; /* gc_alloc'd */
	char    *key_pem;  /* gc_alloc'd, wiped on release */
	uint8_t  der[GC_TLS_CERT_MAX];
	size_t   der_len;
	uint8_t  fp[32]; /* SHA-256 of der */
};

/*
 * Makes home/tls.key (PEM, mode 0600, created exclusively) and
 * home/tls.crt (PEM) for the node with feed key pk of school. GC_EEXIST
 * when either file is already there; d names the file and the reason.
 */
gc_err gc_tls_ident_create(const char *home, const char *school,
    const uint8_t pk[32], struct gc_diag *d);

/* Reads home/tls.crt and home/tls.key. GC_ENOTFOUND (d says how to make
 * them) or GC_ECORRUPT. Release with gc_tls_ident_release. */
gc_err gc_tls_ident_load(struct gc_tls_ident *id, const char *home,
    struct gc_diag *d);
void   gc_tls_ident_release(struct gc_tls_ident *id); /* NULL-safe */

/* The server name every node of school answers to: "<school>.gradcap". */
void gc_tls_server_name(char *out, size_t cap, const char *school);

/*
 * Collects the pinned certificates of every enrolled, unrevoked node of
 * the ledger's school as one PEM chain (gc_alloc'd, *pem). A certificate
 * whose SHA-256 does not match its enrollment's fingerprint is left out
 * and logged (SYNC-TLS-PIN). *n gets how many were taken; GC_ENOTFOUND
 * when none is.
 */
gc_err gc_tls_trust_pem(gc_ledger *lg, char **pem, size_t *n,
    struct gc_diag *d);

/* DER → PEM (gc_alloc'd). */
gc_err gc_tls_der_to_pem(const uint8_t *der, size_t len, char **pem);

/* Checks that der is a certificate mbedTLS can parse, with a P-256 key;
 * fills fp with its SHA-256. GC_ECORRUPT with d saying why. */
gc_err gc_tls_cert_check(const uint8_t *der, size_t len, uint8_t fp[32],
    struct gc_diag *d);

#endif
