/* gradcap enroll: offline enrollment by files (the USB hand-over).
 *   site:         gradcap enroll request [--out FILE]
 *   coordinator:  gradcap enroll sign REQUEST [--out FILE] [--valid-days N]
 *   site:         gradcap enroll install FILE
 *   anyone:       gradcap enroll list [--json]
 *   coordinator:  gradcap enroll revoke KEY --reason TEXT
 * File formats: docs/formats.md. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/cbor.h"
#include "common/gc_alloc.h"
#include "common/fileio.h"
#include "node/cli.h"
#include "node/node.h"
#include "sync/tls.h"

#define REQ_MAGIC  "gradcap-enroll-request"
#define CERT_MAGIC "gradcap-enrollment"
#define REQ_DOMAIN "gradcap enroll request v1"
#define ENROLL_FILE_MAX ((size_t)512 << 20)

static const char enroll_usage[] =
    "usage: gradcap enroll request [--home DIR] [--out FILE]\n"
    "       gradcap enroll sign    [--home DIR] REQUEST [--out FILE] "
    "[--valid-days N]\n"
    "       gradcap enroll install [--home DIR] [--authority KEY] FILE\n"
    "       gradcap enroll list    [--home DIR] [--json]\n"
    "       gradcap enroll revoke  [--home DIR] KEY --reason TEXT\n"
    "  (signing commands also take --passphrase-file F)\n";

struct enroll_opts {
	const char *home, *out, *passfile, *reason, *authority;
	long        valid_days;
	bool        json;
	int         first; /* index of the first operand */
};

static int
enroll_parse(int argc, char **argv, struct enroll_opts *o)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "out", required_argument, NULL, 'o' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "valid-days", required_argument, NULL, 'v' },
		{ "reason", required_argument, NULL, 'r' },
		{ "authority", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int   c;
	char *end;

	memset(o, 0, sizeof(*o));
	optind = 2; /* argv[1] is the verb */
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			o->home = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'P':
			o->passfile = optarg;
			break;
		case 'r':
			o->reason = optarg;
			break;
		case 'a':
			if (strlen(optarg) < 16) {
				gc_cli_err("--authority: give at least 16 hex "
				    "digits of the coordinator key");
				return GC_EXIT_USAGE;
			}
			o->authority = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'v':
			o->valid_days = strtol(optarg, &end, 10);
			if (*end != '\0' || o->valid_days < 0 ||
			    o->valid_days > 36500) {
				gc_cli_err("--valid-days %s: 0 to 36500", optarg);
				return GC_EXIT_USAGE;
			}
			break;
		default:
			c = gc_cli_help_or_usage(c, argv, enroll_usage);
			return c == GC_EXIT_OK ? -1 : c; /* -1: help shown */
		}
	}
	o->first = optind;
	return GC_EXIT_OK;
}

static int
write_file(const char *path, const uint8_t *p, size_t n)
{
	return gc_cli_write_file(path, p, n);
}

/* Reads a whole file of at most max bytes, or says why not. */
static int
read_file(const char *path, size_t max, uint8_t **out, size_t *len)
{
	char why[256];

	*out = gc_file_read(path, max, len, why, sizeof(why));
	if (*out == NULL) {
		gc_cli_err("%s: %s", path, why);
		return GC_EXIT_FAIL;
	}
	return GC_EXIT_OK;
}

/* ---- request ---- */

static int
enroll_request(struct enroll_opts *o)
{
	struct gc_node      n;
	struct gc_buf       payload, file, tbs;
	struct gc_tls_ident tls;
	struct gc_diag      d;
	uint8_t             sig[64];
	char           path[4200];
	int            ex;

	ex = gc_node_open(&n, o->home, GC_NODE_KEY, o->passfile);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	if (n.info.role == GC_ROLE_COORDINATOR) {
		gc_cli_err("a coordinator is the school authority and needs no "
		    "enrollment");
		gc_node_close(&n);
		return GC_EXIT_USAGE;
	}
	gc_buf_init(&payload);
	gc_buf_init(&file);
	gc_buf_init(&tbs);
	ex = gc_tls_ident_load(&tls, n.home, &d) == GC_OK ? GC_EXIT_OK :
	                                                   GC_EXIT_FAIL;
	if (ex != GC_EXIT_OK) {
		gc_cli_err("%s", d.msg);
		gc_node_close(&n);
		return ex;
	}
	gc_cbor_map(&payload, 8);
	gc_cbor_uint(&payload, 0);
	gc_cbor_text(&payload, REQ_MAGIC);
	gc_cbor_uint(&payload, 1);
	gc_cbor_uint(&payload, 1);
	gc_cbor_uint(&payload, 2);
	gc_cbor_bytes(&payload, n.info.self, 32);
	gc_cbor_uint(&payload, 3);
	gc_cbor_text(&payload, gc_role_name(n.info.role));
	gc_cbor_uint(&payload, 4);
	gc_cbor_text(&payload, n.info.name);
	gc_cbor_uint(&payload, 5);
	gc_cbor_text(&payload, n.info.school);
	gc_cbor_uint(&payload, 6);
	gc_cbor_uint(&payload, (uint64_t)time(NULL));
	gc_cbor_uint(&payload, 7);
	gc_cbor_bytes(&payload, tls.der, tls.der_len);
	gc_tls_ident_release(&tls);
	gc_buf_put(&tbs, REQ_DOMAIN, sizeof(REQ_DOMAIN)); /* with the NUL */
	gc_buf_put(&tbs, payload.data, payload.len);
	if (gc_buf_status(&payload) != GC_OK || gc_buf_status(&tbs) != GC_OK) {
		ex = GC_EXIT_FAIL;
		goto out;
	}
	crypto_sign_detached(sig, NULL, tbs.data, tbs.len, n.key->sk);
	gc_cbor_array(&file, 2);
	gc_cbor_bytes(&file, payload.data, payload.len);
	gc_cbor_bytes(&file, sig, 64);
	if (o->out != NULL) {
		snprintf(path, sizeof(path), "%s", o->out);
	} else {
		snprintf(path, sizeof(path), "%s/enroll-request.cbor", n.home);
	}
	ex = gc_buf_status(&file) == GC_OK ?
	    write_file(path, file.data, file.len) : GC_EXIT_FAIL;
	if (ex == GC_EXIT_OK) {
		char hex[65];

		gc_hex_encode(hex, n.info.self, 32);
		printf("wrote %s: %s '%s' of school %s, key %s\n"
		       "take it to the coordinator: gradcap enroll sign %s\n",
		    path, gc_role_name(n.info.role), n.info.name, n.info.school,
		    hex, path);
	}
out:
	gc_buf_release(&payload);
	gc_buf_release(&file);
	gc_buf_release(&tbs);
	gc_node_close(&n);
	return ex;
}

/* ---- sign ---- */

struct request {
	uint8_t      pk[32];
	enum gc_role role;
	char         name[GC_NAME_MAX];
	char         school[GC_SCHOOL_MAX];
	uint8_t      tls_cert[GC_TLS_CERT_MAX];
	size_t       tls_cert_len;
	uint8_t      tls_fp[32];
};

/* Parses and verifies a request file (proof of possession of the key). */
static gc_err
request_parse(const uint8_t *p, size_t len, struct request *r,
    struct gc_diag *d)
{
	struct gc_cbor_cur   c;
	struct gc_cbor_item  arr, pl, sg;
	struct gc_cbor_field f[8];
	const uint8_t       *pk, *cert;
	size_t               n;
	char                 magic[32], role[32];
	uint8_t             *tbs;
	int                  ok;

	if (gc_cbor_scan(p, len, d) != GC_OK) {
		return GC_ECORRUPT;
	}
	gc_cbor_cur_init(&c, p, len);
	if (gc_cbor_next(&c, &arr) != GC_OK || arr.type != GC_CBOR_ARRAY ||
	    arr.val != 2 || gc_cbor_next(&c, &pl) != GC_OK ||
	    pl.type != GC_CBOR_BYTES || gc_cbor_next(&c, &sg) != GC_OK ||
	    sg.type != GC_CBOR_BYTES || sg.val != 64) {
		gc_diag_set(d, "not an enrollment request (expected [payload, "
		    "signature])");
		return GC_ECORRUPT;
	}
	if (gc_cbor_scan(pl.data, pl.val, d) != GC_OK) {
		return GC_ECORRUPT;
	}
	gc_cbor_cur_init(&c, pl.data, pl.val);
	if (gc_cbor_map_fields(&c, f, 8) != GC_OK ||
	    !gc_cbor_field_strcpy(&f[0], magic, sizeof(magic)) ||
	    strcmp(magic, REQ_MAGIC) != 0) {
		gc_diag_set(d, "not an enrollment request (wrong magic)");
		return GC_ECORRUPT;
	}
	if (!gc_cbor_field_bytes(&f[2], &pk, &n) || n != 32 ||
	    !gc_cbor_field_strcpy(&f[3], role, sizeof(role)) ||
	    !gc_cbor_field_strcpy(&f[4], r->name, sizeof(r->name)) ||
	    !gc_cbor_field_strcpy(&f[5], r->school, sizeof(r->school))) {
		gc_diag_set(d, "enrollment request lacks key, role, name or "
		    "school");
		return GC_ECORRUPT;
	}
	if (!gc_cli_name_ok(r->name)) {
		gc_diag_set(d, "the node name in the request is not a plain name "
		    "(no '/', no leading '.', no control characters)");
		return GC_ECORRUPT;
	}
	memcpy(r->pk, pk, 32);
	r->role         = gc_role_parse(role);
	r->tls_cert_len = 0;
	if (gc_cbor_field_bytes(&f[7], &cert, &n)) {
		if (gc_tls_cert_check(cert, n, r->tls_fp, d) != GC_OK) {
			return GC_ECORRUPT;
		}
		memcpy(r->tls_cert, cert, n);
		r->tls_cert_len = n;
	}
	tbs     = gc_alloc(sizeof(REQ_DOMAIN) + pl.val);
	if (tbs == NULL) {
		return GC_ENOMEM;
	}
	memcpy(tbs, REQ_DOMAIN, sizeof(REQ_DOMAIN));
	memcpy(tbs + sizeof(REQ_DOMAIN), pl.data, pl.val);
	ok = crypto_sign_verify_detached(sg.data, tbs,
	    sizeof(REQ_DOMAIN) + pl.val, r->pk);
	gc_free(tbs);
	if (ok != 0) {
		gc_diag_set(d, "the request's signature does not verify with "
		    "the key it names (altered or forged)");
		return GC_EBADSIG;
	}
	return GC_OK;
}

struct collect {
	uint64_t      n;
	struct gc_buf tmp;
};

static int
collect_cb(const struct gc_entry *e, void *arg)
{
	struct collect *c = arg;

	gc_cbor_bytes(&c->tmp, e->bytes, e->len);
	c->n++;
	return 0;
}

/* Writes the enrollment file: the authority's key, the ENROLL entry and
 * the authority's whole feed (roster included), so a site starts with
 * everything it needs while offline. */
static int
write_enrollment(struct gc_node *n, const uint8_t *cert_id, const char *path)
{
	struct gc_buf  file;
	struct collect col;
	uint8_t       *cert = NULL;
	size_t         certlen = 0;
	char           hex[65];
	struct gc_diag d;
	gc_err         rv;
	int            ex;

	gc_diag_clear(&d);
	gc_hex_encode(hex, cert_id, 32);
	rv = gc_ledger_get(n->lg, hex, &cert, &certlen, &d);
	if (rv != GC_OK) {
		gc_cli_err("%s", gc_diag_msg(&d, rv));
		return GC_EXIT_FAIL;
	}
	gc_buf_init(&file);
	memset(&col, 0, sizeof(col));
	gc_buf_init(&col.tmp);
	rv = gc_ledger_foreach(n->lg, n->info.self, collect_cb, &col);
	gc_cbor_map(&file, 6);
	gc_cbor_uint(&file, 0);
	gc_cbor_text(&file, CERT_MAGIC);
	gc_cbor_uint(&file, 1);
	gc_cbor_uint(&file, 1);
	gc_cbor_uint(&file, 2);
	gc_cbor_bytes(&file, n->info.self, 32);
	gc_cbor_uint(&file, 3);
	gc_cbor_text(&file, n->info.school);
	gc_cbor_uint(&file, 4);
	gc_cbor_bytes(&file, cert, certlen);
	gc_cbor_uint(&file, 5);
	gc_cbor_array(&file, col.n);
	gc_buf_put(&file, col.tmp.data, col.tmp.len);
	gc_free(cert);
	if (rv != GC_OK || gc_buf_status(&file) != GC_OK ||
	    gc_buf_status(&col.tmp) != GC_OK) {
		gc_cli_err("cannot build the enrollment file");
		ex = GC_EXIT_FAIL;
	} else {
		ex = write_file(path, file.data, file.len);
	}
	gc_buf_release(&file);
	gc_buf_release(&col.tmp);
	return ex;
}

static int
enroll_sign(struct enroll_opts *o, int argc, char **argv)
{
	struct gc_node       n;
	struct request       r;
	struct gc_enrollment old;
	struct gc_diag       d;
	struct gc_buf        body;
	uint8_t              cert_id[32];
	uint8_t             *req;
	size_t               reqlen;
	char                 path[4200], hex[65];
	uint64_t             now = (uint64_t)time(NULL);
	gc_err               rv;
	int                  ex;

	if (o->first + 1 != argc) {
		fputs(enroll_usage, stderr);
		return GC_EXIT_USAGE;
	}
	gc_diag_clear(&d);
	ex = read_file(argv[o->first], 1 << 16, &req, &reqlen);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	rv = request_parse(req, reqlen, &r, &d);
	gc_free(req);
	if (rv != GC_OK) {
		gc_cli_err("%s: %s", argv[o->first], gc_diag_msg(&d, rv));
		return GC_EXIT_FAIL;
	}
	ex = gc_node_open(&n, o->home, GC_NODE_KEY, o->passfile);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	if (n.info.role != GC_ROLE_COORDINATOR) {
		gc_cli_err("only the coordinator (the school authority) signs "
		    "enrollments; this node is a %s", gc_role_name(n.info.role));
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	if (r.role == GC_ROLE_NONE || r.role == GC_ROLE_COORDINATOR) {
		gc_cli_err("%s: cannot enroll role '%s' (one coordinator per "
		    "school: its key is the authority)", argv[o->first],
		    gc_role_name(r.role));
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	if (strcmp(r.school, n.info.school) != 0) {
		gc_cli_err("%s: the node belongs to school %s, this coordinator "
		    "to %s", argv[o->first], r.school, n.info.school);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	if (gc_ledger_enrollment(n.lg, r.pk, &old) == GC_OK) {
		gc_hex_encode(hex, old.entry_id, 8);
		if (old.revoked) {
			gc_cli_err("key of '%s' was revoked (entry %s): a revoked "
			    "key is never enrolled again; init a new node", r.name,
			    hex);
			gc_node_close(&n);
			return GC_EXIT_FAIL;
		}
		/* already enrolled: hand out the same certificate again */
		printf("'%s' is already enrolled (entry %s); writing its "
		       "enrollment file again\n", old.name, hex);
		memcpy(cert_id, old.entry_id, 32);
	} else {
		struct gc_enrollment en;

		memset(&en, 0, sizeof(en));
		memcpy(en.pk, r.pk, 32);
		en.role = r.role;
		snprintf(en.name, sizeof(en.name), "%s", r.name);
		snprintf(en.school, sizeof(en.school), "%s", r.school);
		en.not_before = now;
		en.not_after  = o->valid_days ?
		    now + (uint64_t)o->valid_days * 86400 : 0;
		if (r.tls_cert_len > 0) {
			en.has_tls_fp   = true;
			en.tls_cert     = r.tls_cert;
			en.tls_cert_len = r.tls_cert_len;
			memcpy(en.tls_fp, r.tls_fp, 32);
		} else {
			gc_cli_err("warning: %s: the request carries no TLS certificate: "
			    "'%s' can sync only with --insecure", argv[o->first],
			    r.name);
		}
		gc_buf_init(&body);
		gc_enrollment_encode(&body, &en, false, NULL);
		rv = gc_ledger_append_body(n.lg, GC_KIND_ENROLL, &body, cert_id,
		    &d);
		gc_buf_release(&body);
		if (rv != GC_OK) {
			gc_cli_err("enroll: %s", gc_diag_msg(&d, rv));
			gc_node_close(&n);
			return GC_EXIT_FAIL;
		}
	}
	if (o->out != NULL) {
		snprintf(path, sizeof(path), "%s", o->out);
	} else {
		snprintf(path, sizeof(path), "%s.enrollment", r.name);
	}
	ex = write_enrollment(&n, cert_id, path);
	if (ex == GC_EXIT_OK) {
		gc_hex_encode(hex, r.pk, 32);
		printf("enrolled %s '%s' (key %s)\nwrote %s: take it to the node: "
		       "gradcap enroll install %s\n",
		    gc_role_name(r.role), r.name, hex, path, path);
	}
	gc_node_close(&n);
	return ex;
}

/* ---- install ---- */

static int
enroll_install(struct enroll_opts *o, int argc, char **argv)
{
	struct gc_node           n;
	struct gc_diag           d;
	uint8_t                 *file;
	size_t                   len;
	struct gc_cbor_cur       c;
	struct gc_cbor_field     f[6];
	struct gc_cbor_item      arr;
	const uint8_t           *auth, *cert;
	size_t                   alen, certlen;
	char                     magic[32], hex[65];
	struct gc_entry          ce;
	struct gc_enrollment     en;
	const uint8_t          **bytes = NULL;
	size_t                  *lens  = NULL;
	struct gc_ingest_result *res   = NULL;
	uint64_t                 added = 0, dup = 0, bad = 0;
	gc_err                   rv;
	int                      ex;

	if (o->first + 1 != argc) {
		fputs(enroll_usage, stderr);
		return GC_EXIT_USAGE;
	}
	gc_diag_clear(&d);
	ex = read_file(argv[o->first], ENROLL_FILE_MAX, &file, &len);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	ex = gc_node_open(&n, o->home, 0, NULL);
	if (ex != GC_EXIT_OK) {
		gc_free(file);
		return ex;
	}
	ex = GC_EXIT_FAIL;
	if (gc_cbor_scan(file, len, &d) != GC_OK) {
		gc_cli_err("%s: not an enrollment file: %s", argv[o->first],
		    d.msg);
		goto out;
	}
	gc_cbor_cur_init(&c, file, len);
	if (gc_cbor_map_fields(&c, f, 6) != GC_OK ||
	    !gc_cbor_field_strcpy(&f[0], magic, sizeof(magic)) ||
	    strcmp(magic, CERT_MAGIC) != 0 ||
	    !gc_cbor_field_bytes(&f[2], &auth, &alen) || alen != 32 ||
	    !gc_cbor_field_bytes(&f[4], &cert, &certlen) || f[5].p == NULL) {
		gc_cli_err("%s: not an enrollment file (wrong magic or fields)",
		    argv[o->first]);
		goto out;
	}
	/* The certificate: an ENROLL entry of the authority naming us. */
	if (gc_entry_parse(&ce, cert, certlen, &d) != GC_OK ||
	    gc_entry_verify(&ce) != GC_OK || memcmp(ce.feed, auth, 32) != 0 ||
	    ce.kind != GC_KIND_ENROLL) {
		gc_cli_err("%s: the enrollment certificate is not an ENROLL "
		    "entry signed by the coordinator key it names",
		    argv[o->first]);
		goto out;
	}
	memset(&en, 0, sizeof(en));
	if (gc_enrollment_parse(&ce, &en) != GC_OK) {
		gc_cli_err("%s: the certificate's body is malformed",
		    argv[o->first]);
		goto out;
	}
	if (memcmp(en.pk, n.info.self, 32) != 0) {
		gc_cli_err("%s: this enrollment is for another node ('%s'), not "
		    "for this one ('%s')", argv[o->first], en.name,
		    n.info.name);
		goto out;
	}
	if (en.role != n.info.role || strcmp(en.school, n.info.school) != 0) {
		gc_cli_err("%s: enrolls this key as %s of school %s, but the "
		    "node is a %s of school %s", argv[o->first],
		    gc_role_name(en.role), en.school, gc_role_name(n.info.role),
		    n.info.school);
		goto out;
	}
	gc_hex_encode(hex, auth, 32);
	if (o->authority != NULL &&
	    strncasecmp(hex, o->authority, strlen(o->authority)) != 0) {
		gc_cli_err("%s: signed by coordinator key %s, not the expected "
		    "%s: nothing was installed", argv[o->first], hex,
		    o->authority);
		goto out;
	}
	/* The authority's feed, entry by entry, through the same verifying
	 * ingest that sync uses, in one transaction with recording the
	 * authority: kept only if this node ends up enrolled. */
	gc_cbor_cur_init(&c, f[5].p, f[5].len);
	if (gc_cbor_next(&c, &arr) != GC_OK || arr.type != GC_CBOR_ARRAY) {
		gc_cli_err("%s: feed list malformed", argv[o->first]);
		goto out;
	}
	bytes = gc_calloc(arr.val + 1, sizeof(*bytes));
	lens  = gc_calloc(arr.val + 1, sizeof(*lens));
	res   = gc_calloc(arr.val + 1, sizeof(*res));
	if (bytes == NULL || lens == NULL || res == NULL) {
		gc_cli_err("out of memory");
		goto out;
	}
	for (uint64_t i = 0; i < arr.val; i++) {
		struct gc_cbor_item it;

		if (gc_cbor_next(&c, &it) != GC_OK || it.type != GC_CBOR_BYTES) {
			gc_cli_err("%s: feed entry %" PRIu64 " malformed",
			    argv[o->first], i);
			goto out;
		}
		bytes[i] = it.data;
		lens[i]  = (size_t)it.val;
	}
	rv = gc_ledger_enroll_install(n.lg, auth, bytes, lens, (size_t)arr.val,
	    res, &d);
	if (rv != GC_OK) {
		for (uint64_t i = 0; i < arr.val; i++) {
			if (res[i].status == GC_INGEST_REJECTED ||
			    res[i].status == GC_INGEST_FORK) {
				gc_hex_encode(hex, res[i].id, 8);
				gc_cli_err("%s: entry %s refused: %s",
				    argv[o->first], hex, res[i].reason);
			}
		}
		gc_cli_err("%s: %s", argv[o->first], gc_diag_msg(&d, rv));
		goto out;
	}
	for (uint64_t i = 0; i < arr.val; i++) {
		if (res[i].status == GC_INGEST_ADDED) {
			added++;
		} else if (res[i].status == GC_INGEST_DUPLICATE) {
			dup++;
		} else {
			bad++;
			gc_hex_encode(hex, res[i].id, 8);
			gc_cli_err("%s: entry %s refused: %s", argv[o->first],
			    hex, res[i].reason);
		}
	}
	gc_ledger_info(n.lg, &n.info);
	gc_hex_encode(hex, auth, 32);
	printf("enrolled as %s '%s' of school %s\ncoordinator key %s (compare "
	       "it with 'gradcap status' on the coordinator)\n"
	       "coordinator entries: %" PRIu64 " new, %" PRIu64 " already held"
	       "%s\n",
	    gc_role_name(n.info.role), n.info.name, n.info.school, hex, added,
	    dup, bad ? ", some refused (see above)" : "");
	ex = bad == 0 ? GC_EXIT_OK : GC_EXIT_FAIL;
out:
	gc_free(bytes);
	gc_free(lens);
	gc_free(res);
	gc_free(file);
	gc_node_close(&n);
	return ex;
}

/* ---- list ---- */

struct list_arg {
	struct gc_buf *b;
	bool           json;
	int            n;
};

static int
list_cb(const struct gc_enrollment *e, void *arg)
{
	struct list_arg *a = arg;
	char             hex[65], id[17];

	gc_hex_encode(hex, e->pk, 32);
	gc_hex_encode(id, e->entry_id, 8);
	if (a->json) {
		gc_buf_puts(a->b, a->n++ ? "," : "");
		gc_buf_printf(a->b, "{\"key\":\"%s\",\"role\":\"%s\",\"name\":",
		    hex, gc_role_name(e->role));
		gc_json_str(a->b, e->name);
		gc_buf_printf(a->b, ",\"school\":");
		gc_json_str(a->b, e->school);
		gc_buf_printf(a->b, ",\"revoked\":%s,\"max_seq\":%" PRIu64
		    ",\"entry\":\"%s\"}", e->revoked ? "true" : "false",
		    e->max_seq, id);
	} else {
		gc_buf_printf(a->b, "%-11s %-24s %.16s  %s%s\n",
		    gc_role_name(e->role), e->name, hex,
		    e->revoked ? "REVOKED" : "active", "");
		a->n++;
	}
	return 0;
}

static int
enroll_list(struct enroll_opts *o)
{
	struct gc_node  n;
	struct gc_buf   b;
	struct list_arg a;
	int             ex;

	ex = gc_node_open(&n, o->home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_buf_init(&b);
	a.b    = &b;
	a.json = o->json;
	a.n    = 0;
	if (o->json) {
		gc_buf_putc(&b, '[');
	}
	gc_ledger_enrollments(n.lg, list_cb, &a);
	if (o->json) {
		gc_buf_putc(&b, ']');
	} else if (a.n == 0) {
		gc_buf_puts(&b, "no enrollments known to this node\n");
	}
	ex = gc_cli_print(&b);
	gc_buf_release(&b);
	gc_node_close(&n);
	return ex;
}

/* ---- revoke ---- */

struct find_arg {
	const char          *ref;
	struct gc_enrollment found;
	int                  n;
};

static int
find_cb(const struct gc_enrollment *e, void *arg)
{
	struct find_arg *a = arg;
	char             hex[65];

	gc_hex_encode(hex, e->pk, 32);
	if (strcmp(e->name, a->ref) == 0 ||
	    (strlen(a->ref) >= 8 && strncmp(hex, a->ref, strlen(a->ref)) == 0)) {
		a->found = *e;
		a->n++;
	}
	return 0;
}

struct head_find {
	const uint8_t *pk;
	uint64_t       seq;
};

static int
head_find_cb(const struct gc_head *h, void *arg)
{
	struct head_find *hf = arg;

	if (memcmp(h->feed, hf->pk, 32) == 0) {
		hf->seq = h->seq;
		return 1;
	}
	return 0;
}

static int
enroll_revoke(struct enroll_opts *o, int argc, char **argv)
{
	struct gc_node   n;
	struct find_arg  fa;
	struct head_find hf;
	struct gc_buf    body;
	struct gc_diag   d;
	gc_err           rv;
	int              ex;

	if (o->first + 1 != argc || o->reason == NULL || o->reason[0] == '\0') {
		gc_cli_err("revoke needs KEY (a name or >= 8 hex digits of the "
		    "key) and --reason TEXT");
		return GC_EXIT_USAGE;
	}
	ex = gc_node_open(&n, o->home, GC_NODE_KEY, o->passfile);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	memset(&fa, 0, sizeof(fa));
	fa.ref = argv[o->first];
	gc_ledger_enrollments(n.lg, find_cb, &fa);
	if (fa.n != 1) {
		gc_cli_err("'%s' %s", fa.ref, fa.n == 0 ? "names no enrolled "
		    "node" : "names several nodes: give more of the key");
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	if (fa.found.revoked) {
		gc_cli_err("'%s' is already revoked", fa.found.name);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	/* What the coordinator already holds of that feed stays valid; the
	 * rest is refused everywhere. */
	hf.pk  = fa.found.pk;
	hf.seq = 0;
	gc_ledger_heads(n.lg, head_find_cb, &hf);
	gc_diag_clear(&d);
	fa.found.max_seq = hf.seq;
	gc_buf_init(&body);
	gc_enrollment_encode(&body, &fa.found, true, o->reason);
	rv = gc_ledger_append_body(n.lg, GC_KIND_REVOKE, &body, NULL, &d);
	gc_buf_release(&body);
	if (rv != GC_OK) {
		gc_cli_err("revoke: %s", gc_diag_msg(&d, rv));
		ex = GC_EXIT_FAIL;
	} else {
		printf("revoked '%s': entries after seq %" PRIu64 " of its feed "
		       "will be refused\n", fa.found.name, hf.seq);
	}
	gc_node_close(&n);
	return ex;
}

int
gc_cmd_enroll(int argc, char **argv)
{
	struct enroll_opts o;
	int                ex;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(enroll_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? GC_EXIT_USAGE : GC_EXIT_OK;
	}
	ex = enroll_parse(argc, argv, &o);
	if (ex != GC_EXIT_OK) {
		return ex < 0 ? GC_EXIT_OK : ex;
	}
	if (strcmp(argv[1], "request") == 0) {
		return enroll_request(&o);
	} else if (strcmp(argv[1], "sign") == 0) {
		return enroll_sign(&o, argc, argv);
	} else if (strcmp(argv[1], "install") == 0) {
		return enroll_install(&o, argc, argv);
	} else if (strcmp(argv[1], "list") == 0) {
		return enroll_list(&o);
	} else if (strcmp(argv[1], "revoke") == 0) {
		return enroll_revoke(&o, argc, argv);
	}
	gc_cli_err("enroll: unknown verb '%s'", argv[1]);
	fputs(enroll_usage, stderr);
	return GC_EXIT_USAGE;
}
