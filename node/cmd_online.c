/*
 * gradcap online invite [--class C] [--missing] [--student REF]...
 *     [--portal URL] --out FILE.csv|FILE.xlsx [--sheet FILE.html]:
 * the coordinator's invitations to online capture (node/online_invite.c).
 * gradcap online notices [--since T] [--csv|--json] [--send]: the
 * students' notices, the outbox of node/notices.h, listed or e-mailed
 * (node/notices_send.h).
 * gradcap online checks [--csv]: the students' checks of their finished
 * photos (node/student_checks.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/fileio.h"
#include "common/gc_alloc.h"
#include "node/cli.h"
#include "node/node.h"
#include "node/notices.h"
#include "node/notices_send.h"
#include "node/online_invite.h"
#include "node/student_checks.h"

static const char online_usage[] =
    "usage: gradcap online invite [--home DIR] [--class C] [--missing]\n"
    "           [--student REF]... [--portal URL] --out FILE.csv|FILE.xlsx\n"
    "           [--sheet FILE.html] [--passphrase-file F]\n"
    "A new sign-in code for each student of class C (default every class),\n"
    "only those who still need a photo with --missing, or the students\n"
    "named by --student (ID number, 学号 or 考生号). The codes' hashes go\n"
    "into one signed INVITE entry, which replaces each student's earlier\n"
    "code; the codes themselves are only in --out (the list, with each\n"
    "student's link when the portal's URL is known: --portal, or [online]\n"
    "portal_url) and --sheet (a page of QR codes to print). Both files\n"
    "sign students in: they are written readable by their owner only.\n"
    "\n"
    "usage: gradcap online notices [--home DIR] [--since T] [--csv|--json]\n"
    "           [--send]\n"
    "The notices online students must get (received, approved, rejected\n"
    "with the reason and the deadline, a reminder [online] remind_hours\n"
    "before it, overdue), oldest first, each with a stable id; --since T\n"
    "(Unix seconds or 2026-12-07T10:00:00Z) only those due from T on.\n"
    "--csv: for the school's SMS/WeChat platform (UTF-8 with BOM). --send:\n"
    "e-mails those not sent before to the roster's 邮箱 ([notify] smtp_url,\n"
    "from, credentials_file); what was sent is kept in HOME/notices-sent.\n"
    "\n"
    "usage: gradcap online checks [--home DIR] [--csv]\n"
    "Each student's latest answer on the portal to the check of the\n"
    "finished photo (信息无误, or a report of what is wrong), oldest first,\n"
    "ID numbers masked; answers about an earlier photo are marked. --csv:\n"
    "the sheet for the school (UTF-8 with BOM), ID numbers and mailing\n"
    "addresses whole.\n";

static bool
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && strcasecmp(s + n - k, tail) == 0;
}

static int
write_private(const char *path, const struct gc_buf *b)
{
	char why[256];

	if (gc_file_write(path, b->data, b->len, 0, 0600, why,
	    sizeof(why)) != 0) {
		gc_cli_err("%s: %s", path, why);
		return GC_EXIT_FAIL;
	}
	return GC_EXIT_OK;
}

static int
invite(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "class", required_argument, NULL, 'c' },
		{ "missing", no_argument, NULL, 'm' },
		{ "student", required_argument, NULL, 's' },
		{ "portal", required_argument, NULL, 'u' },
		{ "out", required_argument, NULL, 'o' },
		{ "sheet", required_argument, NULL, 'S' },
		{ "passphrase-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char           *home = NULL, *out = NULL, *sheet = NULL;
	const char           *passfile = NULL;
	const char          **refs = NULL;
	struct gc_invite_opts o;
	struct gc_invites     iv;
	struct gc_node        n;
	struct gc_diag        d;
	struct gc_buf         b;
	int                   c, ex;
	char                  title[160];

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'c':
			o.klass = optarg;
			break;
		case 'm':
			o.missing = true;
			break;
		case 's':
			refs = gc_xrealloc(refs, (o.nrefs + 1) * sizeof(*refs));
			refs[o.nrefs++] = optarg;
			break;
		case 'u':
			o.portal = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'S':
			sheet = optarg;
			break;
		case 'P':
			passfile = optarg;
			break;
		default:
			gc_free(refs);
			return gc_cli_help_or_usage(c, argv, online_usage);
		}
	}
	o.refs = refs;
	if (optind != argc || out == NULL || !(ends_with(out, ".csv") ||
	    ends_with(out, ".xlsx")) || (sheet != NULL &&
	    !ends_with(sheet, ".html"))) {
		gc_free(refs);
		if (out != NULL && optind == argc) {
			gc_cli_err("--out %s: give a .csv or .xlsx file (and "
			    "--sheet a .html file)", out);
		} else {
			fputs(online_usage, stderr);
		}
		return GC_EXIT_USAGE;
	}
	if (o.portal != NULL && strncmp(o.portal, "https://", 8) != 0 &&
	    strncmp(o.portal, "http://", 7) != 0) {
		gc_cli_err("--portal %s: give the portal's address, "
		    "https://HOST[/PATH]", o.portal);
		gc_free(refs);
		return GC_EXIT_USAGE;
	}
	ex = gc_node_open(&n, home, GC_NODE_KEY, passfile);
	if (ex != GC_EXIT_OK) {
		gc_free(refs);
		return ex;
	}
	if (n.info.role != GC_ROLE_COORDINATOR) {
		gc_cli_err("only the coordinator invites students; this node is "
		    "a %s", gc_role_name(n.info.role));
		gc_node_close(&n);
		gc_free(refs);
		return GC_EXIT_FAIL;
	}
	if (o.portal == NULL) {
		o.portal = gc_config_get(n.cfg, "online", "portal_url", NULL);
	}
	gc_diag_clear(&d);
	if (gc_invite_make(&n, &o, &iv, &d) != GC_OK) {
		gc_cli_err("%s", d.msg);
		gc_node_close(&n);
		gc_free(refs);
		return GC_EXIT_FAIL;
	}
	gc_buf_init(&b);
	if (ends_with(out, ".xlsx")) {
		ex = gc_invites_xlsx(&iv, out, &d) == GC_OK &&
		    chmod(out, 0600) == 0 ? GC_EXIT_OK : GC_EXIT_FAIL;
		if (ex != GC_EXIT_OK) {
			gc_cli_err("%s", d.msg);
		}
	} else {
		gc_invites_csv(&iv, &b);
		ex = write_private(out, &b);
	}
	if (ex == GC_EXIT_OK && sheet != NULL) {
		snprintf(title, sizeof(title), "%s", o.klass != NULL ? o.klass :
		    "全部班级");
		gc_buf_reset(&b);
		if (gc_invites_sheet(&iv, title, &b, &d) != GC_OK) {
			gc_cli_err("%s: %s", sheet, d.msg);
			ex = GC_EXIT_FAIL;
		} else {
			ex = write_private(sheet, &b);
		}
	}
	/* the files first: a code is signed only once it is written down */
	if (ex == GC_EXIT_OK && gc_invite_store(&n, &o, &iv, &d) != GC_OK) {
		gc_cli_err("the invitation could not be signed (%s): nothing "
		    "changed, the students' earlier codes still work", d.msg);
		unlink(out);
		if (sheet != NULL) {
			unlink(sheet);
		}
		ex = GC_EXIT_FAIL;
	} else if (ex == GC_EXIT_OK) {
		printf("invited %zu students: their codes are in %s%s%s%s\n"
		       "keep %s safe: %s students in; an earlier code of "
		       "theirs no longer works\n", iv.n, out, sheet ? " and " : "",
		    sheet ? sheet : "", o.portal ? "" : " (no links: give "
		    "--portal or [online] portal_url)", sheet ? "them" : "it",
		    sheet ? "they sign" : "it signs");
	}
	sodium_memzero(b.data, b.len);
	gc_buf_release(&b);
	gc_invites_free(&iv);
	gc_node_close(&n);
	gc_free(refs);
	return ex;
}

/* One notice as text: time (UTC), kind, 学号, 姓名, message, id. */
static void
notice_text(struct gc_buf *b, const struct gc_outbox_item *it)
{
	char t[32];

	gc_review_window_iso(t, sizeof(t), it->nt.time_ms);
	gc_buf_printf(b, "%s  %-8s %-12s %-10s %s  [%s]%s\n", t,
	    gc_notice_kind_name(it->nt.kind), it->student_no, it->name,
	    it->text, it->nt.id, it->sent ? " sent" : "");
}

static void
notice_json(struct gc_buf *b, const struct gc_outbox_item *it)
{
	char t[32], bj[32];

	gc_review_window_iso(t, sizeof(t), it->nt.time_ms);
	gc_notice_beijing(bj, sizeof(bj), it->nt.time_ms);
	gc_buf_printf(b, "{\"id\":\"%s\",\"time\":\"%s\",\"time_beijing\":"
	    "\"%s\",\"kind\":\"%s\",\"student_no\":", it->nt.id, t, bj,
	    gc_notice_kind_name(it->nt.kind));
	gc_json_str(b, it->student_no);
	gc_buf_puts(b, ",\"name\":");
	gc_json_str(b, it->name);
	gc_buf_puts(b, ",\"text\":");
	gc_json_str(b, it->text);
	gc_buf_puts(b, ",\"reason\":");
	gc_json_str(b, it->reason[0] ? it->reason : NULL);
	gc_buf_puts(b, ",\"deadline\":");
	if (it->nt.deadline_ms != 0) {
		gc_review_window_iso(t, sizeof(t), it->nt.deadline_ms);
		gc_buf_printf(b, "\"%s\"", t);
	} else {
		gc_buf_puts(b, "null");
	}
	gc_buf_printf(b, ",\"email\":%s,\"sent\":%s}", it->email[0] ?
	    "true" : "false", it->sent ? "true" : "false");
}

/* The CSV row: 时间 (Beijing), 学号, 姓名, 类别, 内容, 编号. */
static void
notice_csv(struct gc_buf *b, const struct gc_outbox_item *it)
{
	char t[32];

	gc_notice_beijing(t, sizeof(t), it->nt.time_ms);
	gc_csv_cell(b, t, false);
	gc_csv_cell(b, it->student_no, false);
	gc_csv_cell(b, it->name, false);
	gc_csv_cell(b, gc_notice_kind_zh(it->nt.kind), false);
	gc_csv_cell(b, it->text, false);
	gc_csv_cell(b, it->nt.id, true);
}

/* --send: each notice not sent yet, to the student's address; every
 * failure named by 学号, the rest still go. */
static int
notices_send(struct gc_node *n, struct gc_outbox *ob)
{
	struct gc_notify_cfg cfg;
	gc_mailer           *ml;
	struct gc_diag       d;
	size_t               sent = 0, before = 0, noaddr = 0, failed = 0;

	gc_diag_clear(&d);
	if (gc_notify_cfg_load(n->cfg, &cfg, &d) != GC_OK ||
	    gc_mailer_open(&ml, &cfg, &d) != GC_OK) {
		gc_cli_err("online notices --send: %s", d.msg);
		return GC_EXIT_FAIL;
	}
	for (size_t i = 0; i < ob->n; i++) {
		const struct gc_outbox_item *it = &ob->item[i];

		if (it->sent) {
			before++;
			continue;
		}
		if (it->email[0] == '\0') {
			gc_cli_err("notice %s (%s) to 学号 %s: not sent, the "
			    "roster has no e-mail address for the student (a "
			    "邮箱 column)", it->nt.id,
			    gc_notice_kind_name(it->nt.kind), it->student_no);
			noaddr++;
			continue;
		}
		gc_diag_clear(&d);
		if (gc_mailer_send(ml, it, ob->now_ms, &d) != GC_OK) {
			gc_cli_err("notice %s (%s) to 学号 %s <%s>: not sent: %s",
			    it->nt.id, gc_notice_kind_name(it->nt.kind),
			    it->student_no, it->email, d.msg);
			failed++;
			continue;
		}
		gc_diag_clear(&d);
		if (gc_outbox_mark_sent(n, ob, it->nt.id, &d) != GC_OK) {
			gc_cli_err("notice %s to 学号 %s was sent, but could not "
			    "be recorded (it would be sent again): %s",
			    it->nt.id, it->student_no, d.msg);
			gc_mailer_close(ml);
			return GC_EXIT_FAIL;
		}
		sent++;
	}
	gc_mailer_close(ml);
	printf("sent %zu notices by e-mail; %zu not sent (%zu refused or "
	    "failed, %zu without an address); %zu sent before\n", sent,
	    failed + noaddr, failed, noaddr, before);
	return failed + noaddr > 0 ? GC_EXIT_REJECTED : GC_EXIT_OK;
}

static int
notices(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "since", required_argument, NULL, 's' },
		{ "csv", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "send", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char      *home = NULL, *since = NULL;
	bool             csv = false, json = false, send = false;
	int              lock = -1;
	uint64_t         since_ms = 0;
	struct gc_node   n;
	struct gc_outbox ob;
	struct gc_diag   d;
	struct gc_buf    b;
	char             now[32];
	int              c, ex;
	gc_err           rv;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 's':
			since = optarg;
			break;
		case 'C':
			csv = true;
			break;
		case 'j':
			json = true;
			break;
		case 'S':
			send = true;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, online_usage);
		}
	}
	if (optind != argc || csv + json + send > 1) {
		gc_cli_err("online notices: give at most one of --csv, --json "
		    "and --send, and no operands");
		return GC_EXIT_USAGE;
	}
	if (since != NULL && !gc_outbox_time_parse(since, &since_ms)) {
		gc_cli_err("--since %s: give Unix seconds or a UTC time, "
		    "2026-12-07T10:00:00Z", since);
		return GC_EXIT_USAGE;
	}
	ex = gc_node_open(&n, home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_diag_clear(&d);
	rv = send ? gc_outbox_lock(&n, &lock, &d) : GC_OK;
	if (rv == GC_OK) {
		rv = gc_outbox_load(&n, since_ms, &ob, &d);
		if (rv != GC_OK) {
			gc_outbox_release(&ob);
		}
	}
	if (rv != GC_OK) {
		gc_cli_err("online notices: %s", gc_diag_msg(&d, rv));
		gc_outbox_unlock(lock);
		gc_node_close(&n);
		return GC_EXIT_FAIL;
	}
	if (send) {
		ex = notices_send(&n, &ob);
		gc_outbox_release(&ob);
		gc_outbox_unlock(lock);
		gc_node_close(&n);
		return ex;
	}
	gc_buf_init(&b);
	if (csv) {
		gc_buf_puts(&b, "\xef\xbb\xbf"); /* Excel reads UTF-8 with BOM */
		gc_csv_cell(&b, "时间", false);
		gc_csv_cell(&b, "学号", false);
		gc_csv_cell(&b, "姓名", false);
		gc_csv_cell(&b, "类别", false);
		gc_csv_cell(&b, "内容", false);
		gc_csv_cell(&b, "编号", true);
	} else if (json) {
		gc_review_window_iso(now, sizeof(now), ob.now_ms);
		gc_buf_printf(&b, "{\"now\":\"%s\",\"notices\":[", now);
	}
	for (size_t i = 0; i < ob.n; i++) {
		if (csv) {
			notice_csv(&b, &ob.item[i]);
		} else if (json) {
			gc_buf_puts(&b, i ? "," : "");
			notice_json(&b, &ob.item[i]);
		} else {
			notice_text(&b, &ob.item[i]);
		}
	}
	if (json) {
		gc_buf_puts(&b, "]}");
	} else if (!csv && ob.n == 0) {
		gc_buf_puts(&b, "no notices\n");
	}
	ex = json ? gc_cli_print(&b) : gc_cli_write(&b);
	gc_buf_release(&b);
	gc_outbox_release(&ob);
	gc_node_close(&n);
	return ex;
}

static int
checks(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "csv", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char    *home = NULL;
	bool           csv  = false;
	struct gc_node n;
	struct gc_buf  b;
	size_t         nreport, nok;
	int            c, ex;
	gc_err         rv;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'C':
			csv = true;
			break;
		default:
			return gc_cli_help_or_usage(c, argv, online_usage);
		}
	}
	if (optind != argc) {
		gc_cli_err("online checks: no operands (give --csv or nothing)");
		return GC_EXIT_USAGE;
	}
	ex = gc_node_open(&n, home, GC_NODE_RDONLY, NULL);
	if (ex != GC_EXIT_OK) {
		return ex;
	}
	gc_buf_init(&b);
	rv = gc_checks_list(&n, csv, &b, &nreport, &nok);
	if (rv != GC_OK) {
		gc_cli_err("online checks: %s", gc_strerror(rv));
		ex = GC_EXIT_FAIL;
	} else {
		if (!csv && b.len == 0) {
			gc_buf_puts(&b, "no checks yet\n");
		}
		ex = gc_cli_write(&b);
		if (!csv) {
			gc_cli_note("%zu students confirmed their photo (已确认), "
			    "%zu reported an error (报告错误)", nok, nreport);
		}
	}
	gc_buf_release(&b);
	gc_node_close(&n);
	return ex;
}

int
gc_cmd_online(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(online_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? GC_EXIT_USAGE : GC_EXIT_OK;
	}
	if (strcmp(argv[1], "invite") == 0) {
		return invite(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "notices") == 0) {
		return notices(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "checks") == 0) {
		return checks(argc - 1, argv + 1);
	}
	gc_cli_err("online: unknown verb '%s'", argv[1]);
	fputs(online_usage, stderr);
	return GC_EXIT_USAGE;
}
