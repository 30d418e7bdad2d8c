/* The nng transport of sync: req/rep sockets, TLS configurations. */
#include "sync/net.h"

#include <stdio.h>
#include <string.h>

#include <nng/protocol/reqrep0/req.h>

#include "common/gc_alloc.h"
#include "common/gc_log.h"
#include "sync/tls.h"
#include "sync/wire.h"

struct gc_sync_conn {
	nng_socket      sock;
	nng_dialer      dialer;
	nng_tls_config *tls;
	nng_msg        *last; /* the reply borrowed by the caller */
	char            url[400];
};

gc_err
gc_err_from_nng(int rv)
{
	switch (rv) {
	case 0:
		return GC_OK;
	case NNG_ENOMEM:
		return GC_ENOMEM;
	case NNG_ETIMEDOUT:
		return GC_ETIMEDOUT;
	case NNG_ECLOSED:
	case NNG_ECONNSHUT:
	case NNG_ECONNRESET:
		return GC_ECLOSED;
	case NNG_EMSGSIZE:
		return GC_ETOOBIG;
	case NNG_EINVAL:
	case NNG_EADDRINVAL:
		return GC_EINVAL;
	case NNG_EPEERAUTH:
	case NNG_ECRYPTO:
		return GC_EAUTH;
	default:
		return GC_EIO;
	}
}

const char *
gc_sync_nng_words(int rv)
{
	switch (rv) {
	case NNG_ECONNREFUSED:
		return "connection refused (is 'gradcap serve' running there?)";
	case NNG_EPEERAUTH:
	case NNG_ECRYPTO:
		return "TLS handshake failed: the peer's certificate is not one "
		       "enrolled in this school, or this node's is not enrolled "
		       "there (sync with the coordinator first)";
	case NNG_ECONNSHUT:
	case NNG_ECONNRESET:
		return "the peer closed the connection (TLS refused, or it "
		       "stopped)";
	case NNG_ETIMEDOUT:
		return "timed out";
	case NNG_EADDRINVAL:
		return "not a valid address";
	case NNG_EUNREACHABLE:
		return "host unreachable";
	default:
		return nng_strerror(rv);
	}
}

gc_err
gc_sync_url_check(const char *url, bool insecure, struct gc_diag *d)
{
	if (strncmp(url, "tls+tcp://", 10) == 0) {
		if (insecure) {
			gc_diag_set(d, "%s: --insecure means plain tcp://; drop "
			    "--insecure to use TLS", url);
			return GC_EINVAL;
		}
		return GC_OK;
	}
	if (strncmp(url, "tcp://", 6) == 0) {
		if (!insecure) {
			gc_diag_set(d, "%s: plain tcp:// is not authenticated; "
			    "use tls+tcp://, or pass --insecure on both ends "
			    "(tests only)", url);
			return GC_EINVAL;
		}
		return GC_OK;
	}
	gc_diag_set(d, "%s: use tls+tcp://HOST:PORT", url);
	return GC_EINVAL;
}

gc_err
gc_sync_tls_config(nng_tls_config **out, bool server, gc_ledger *lg,
    const char *home, struct gc_diag *d)
{
	struct gc_tls_ident   id;
	struct gc_ledger_info info;
	nng_tls_config       *cfg = NULL;
	char                 *trust = NULL, name[64];
	size_t                ntrust;
	gc_err                rv;
	int                   rc;

	*out = NULL;
	rv   = gc_tls_ident_load(&id, home, d);
	if (rv != GC_OK) {
		return rv;
	}
	rv = gc_ledger_info(lg, &info);
	if (rv == GC_OK) {
		rv = gc_tls_trust_pem(lg, &trust, &ntrust, d);
	}
	if (rv != GC_OK) {
		gc_tls_ident_release(&id);
		return rv;
	}
	rc = nng_tls_config_alloc(&cfg, server ? NNG_TLS_MODE_SERVER :
	                                         NNG_TLS_MODE_CLIENT);
	if (rc == 0) {
		rc = nng_tls_config_own_cert(cfg, id.cert_pem, id.key_pem, NULL);
	}
	if (rc == 0) {
		rc = nng_tls_config_ca_chain(cfg, trust, NULL);
	}
	if (rc == 0) {
		rc = nng_tls_config_auth_mode(cfg, NNG_TLS_AUTH_MODE_REQUIRED);
	}
	if (rc == 0 && !server) {
		gc_tls_server_name(name, sizeof(name), info.school);
		rc = nng_tls_config_server_name(cfg, name);
	}
	gc_tls_ident_release(&id);
	gc_free(trust);
	if (rc != 0) {
		gc_diag_set(d, "TLS configuration: %s", nng_strerror(rc));
		if (cfg != NULL) {
			nng_tls_config_free(cfg);
		}
		return gc_err_from_nng(rc);
	}
	GC_LOG(GC_LOG_DEBUG, "SYNC-TLS", "%s trusts %zu enrolled "
	    "certificates", server ? "listener" : "dialer", ntrust);
	*out = cfg;
	return GC_OK;
}

gc_err
gc_sync_dial(gc_sync_conn **out, gc_ledger *lg, const char *home,
    const char *url, bool insecure, unsigned timeout_ms, struct gc_diag *d)
{
	gc_sync_conn *c;
	gc_err        rv;
	int           rc;

	*out = NULL;
	rv   = gc_sync_url_check(url, insecure, d);
	if (rv != GC_OK) {
		return rv;
	}
	c = gc_xzalloc(sizeof(*c));
	snprintf(c->url, sizeof(c->url), "%s", url);
	rc = nng_req0_open(&c->sock);
	if (rc != 0) {
		gc_free(c);
		gc_diag_set(d, "nng: %s", nng_strerror(rc));
		return gc_err_from_nng(rc);
	}
	/* a resend only after a long silence: a big batch takes time to
	 * verify and commit, and every request is idempotent anyway */
	nng_socket_set_ms(c->sock, NNG_OPT_REQ_RESENDTIME, 120000);
	nng_socket_set_ms(c->sock, NNG_OPT_RECVTIMEO, (nng_duration)timeout_ms);
	nng_socket_set_ms(c->sock, NNG_OPT_SENDTIMEO, (nng_duration)timeout_ms);
	nng_socket_set_size(c->sock, NNG_OPT_RECVMAXSZ, GC_SYNC_MSG_MAX);
	rc = nng_dialer_create(&c->dialer, c->sock, url);
	if (rc == 0) {
		rc = nng_dialer_set_size(c->dialer, NNG_OPT_RECVMAXSZ,
		    GC_SYNC_MSG_MAX);
	}
	if (rc == 0 && !insecure) {
		rv = gc_sync_tls_config(&c->tls, false, lg, home, d);
		if (rv != GC_OK) {
			gc_sync_conn_close(c);
			return rv;
		}
		rc = nng_dialer_set_ptr(c->dialer, NNG_OPT_TLS_CONFIG, c->tls);
	}
	if (rc == 0) {
		rc = nng_dialer_start(c->dialer, 0);
	}
	if (rc != 0) {
		gc_diag_set(d, "%s: %s", url, gc_sync_nng_words(rc));
		gc_sync_conn_close(c);
		return gc_err_from_nng(rc);
	}
	*out = c;
	return GC_OK;
}

void
gc_sync_conn_close(gc_sync_conn *c)
{
	if (c == NULL) {
		return;
	}
	if (c->last != NULL) {
		nng_msg_free(c->last);
	}
	nng_close(c->sock);
	if (c->tls != NULL) {
		nng_tls_config_free(c->tls);
	}
	gc_free(c);
}

gc_err
gc_sync_conn_rpc(void *arg, const uint8_t *req, size_t len,
    const uint8_t **rep, size_t *replen, struct gc_diag *d)
{
	gc_sync_conn *c = arg;
	nng_msg      *m;
	int           rc;

	if (c->last != NULL) {
		nng_msg_free(c->last);
		c->last = NULL;
	}
	rc = nng_msg_alloc(&m, 0);
	if (rc == 0) {
		rc = nng_msg_append(m, req, len);
		if (rc != 0) {
			nng_msg_free(m);
		}
	}
	if (rc == 0) {
		rc = nng_sendmsg(c->sock, m, 0);
		if (rc != 0) {
			nng_msg_free(m);
		}
	}
	if (rc == 0) {
		rc = nng_recvmsg(c->sock, &m, 0);
	}
	if (rc != 0) {
		gc_diag_set(d, "%s: %s", c->url, gc_sync_nng_words(rc));
		return gc_err_from_nng(rc);
	}
	c->last = m;
	*rep    = nng_msg_body(m);
	*replen = nng_msg_len(m);
	return GC_OK;
}
