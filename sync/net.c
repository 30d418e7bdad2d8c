/* The nng transport of sync: req/rep sockets, TLS configurations. */
#include "sync/net.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <string.h>

#include <nng/protocol/reqrep0/req.h>

#include "common/gc_alloc.h"
#include "common/gc_log.h"
#include "sync/tls.h"
#include "sync/wire.h"

struct gc_sync_conn {
	nng_socket      sock;
	nng_dialer      dialer;
	nng_msg        *last; /* the reply borrowed by the caller */
	char            url[400];
	/* the dial runs on its own thread so that it can be given up */
	pthread_mutex_t mtx;
	pthread_cond_t  cv;
	bool            dialed;
	int             dial_rc;
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

static void *
dial_main(void *arg)
{
	gc_sync_conn *c  = arg;
	int           rc = nng_dialer_start(c->dialer, 0);

	pthread_mutex_lock(&c->mtx);
	c->dialed  = true;
	c->dial_rc = rc;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mtx);
	return NULL;
}

/* nng_dialer_start(…, 0) has no deadline, and a peer that accepts TCP but
 * never finishes TLS would hold it forever: it runs on a thread, and
 * closing the socket at the deadline makes it return. */
static int
dial_deadline(gc_sync_conn *c, unsigned timeout_ms)
{
	struct timespec until;
	pthread_t       th;
	bool            timed_out;
	int             rc = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	if (pthread_create(&th, NULL, dial_main, c) != 0) {
		return NNG_ENOMEM;
	}
	pthread_mutex_lock(&c->mtx);
	while (!c->dialed && rc != ETIMEDOUT) {
		rc = pthread_cond_timedwait(&c->cv, &c->mtx, &until);
	}
	timed_out = !c->dialed;
	pthread_mutex_unlock(&c->mtx);
	if (timed_out) {
		nng_close(c->sock); /* makes the dial return */
	}
	pthread_join(th, NULL);
	return timed_out ? NNG_ETIMEDOUT : c->dial_rc;
}

gc_err
gc_sync_dial(gc_sync_conn **out, const char *url, nng_tls_config *tls,
    bool insecure, unsigned timeout_ms, struct gc_diag *d)
{
	gc_sync_conn *c;
	gc_err        rv;
	int           rc;

	*out = NULL;
	rv   = gc_sync_url_check(url, insecure, d);
	if (rv != GC_OK) {
		return rv;
	}
	if (!insecure && tls == NULL) {
		gc_diag_set(d, "%s: no TLS configuration", url);
		return GC_EINVAL;
	}
	c = gc_xzalloc(sizeof(*c));
	snprintf(c->url, sizeof(c->url), "%s", url);
	pthread_mutex_init(&c->mtx, NULL);
	pthread_cond_init(&c->cv, NULL);
	rc = nng_req0_open(&c->sock);
	if (rc != 0) {
		gc_diag_set(d, "nng: %s", nng_strerror(rc));
		gc_sync_conn_close(c);
		return gc_err_from_nng(rc);
	}
	/* no resend: every request is idempotent, but a batch can take a
	 * while to verify and commit, and the client gives up (and starts
	 * over, resuming) after timeout_ms anyway */
	nng_socket_set_ms(c->sock, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
	nng_socket_set_ms(c->sock, NNG_OPT_RECVTIMEO, (nng_duration)timeout_ms);
	nng_socket_set_ms(c->sock, NNG_OPT_SENDTIMEO, (nng_duration)timeout_ms);
	nng_socket_set_size(c->sock, NNG_OPT_RECVMAXSZ, GC_SYNC_MSG_MAX);
	rc = nng_dialer_create(&c->dialer, c->sock, url);
	if (rc == 0) {
		rc = nng_dialer_set_size(c->dialer, NNG_OPT_RECVMAXSZ,
		    GC_SYNC_MSG_MAX);
	}
	if (rc == 0 && !insecure) {
		rc = nng_dialer_set_ptr(c->dialer, NNG_OPT_TLS_CONFIG, tls);
	}
	if (rc == 0) {
		rc = dial_deadline(c, timeout_ms);
	}
	if (rc != 0) {
		gc_diag_set(d, "%s: %s", url, rc == NNG_ETIMEDOUT ?
		    "no answer within the timeout (connection or TLS "
		    "handshake)" : gc_sync_nng_words(rc));
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
	nng_close(c->sock); /* NNG_ECLOSED when the deadline closed it */
	pthread_mutex_destroy(&c->mtx);
	pthread_cond_destroy(&c->cv);
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
