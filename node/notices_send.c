#include "node/notices_send.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "common/buf.h"
#include "common/fileio.h"
#include "common/gc_alloc.h"
#include "common/roster.h"

#define CRED_MAX 4096

struct gc_mailer {
	CURL                       *h;
	const struct gc_notify_cfg *cfg;
	char                        errbuf[CURL_ERROR_SIZE];
	char                        answer[256]; /* its refusal, or "" */
};

gc_err
gc_notify_cfg_load(const gc_config *c, struct gc_notify_cfg *out,
    struct gc_diag *d)
{
	const char *url  = gc_config_get(c, "notify", "smtp_url", NULL);
	const char *from = gc_config_get(c, "notify", "from", NULL);
	const char *cred = gc_config_get(c, "notify", "credentials_file",
	    NULL);
	const char *lt, *gt;

	memset(out, 0, sizeof(*out));
	if (url == NULL || (strncmp(url, "smtp://", 7) != 0 &&
	    strncmp(url, "smtps://", 8) != 0) ||
	    strlen(url) >= sizeof(out->url)) {
		gc_diag_set(d, "gradcap.ini [notify] smtp_url%s%s: give the "
		    "mail server, smtp://HOST:PORT or smtps://HOST:PORT",
		    url ? " = " : " is not set", url ? url : "");
		return GC_EINVAL;
	}
	snprintf(out->url, sizeof(out->url), "%s", url);
	if (from == NULL) {
		gc_diag_set(d, "gradcap.ini [notify] from is not set: give "
		    "the sender, e.g. 教务处 <noreply@example.edu.cn>");
		return GC_EINVAL;
	}
	lt = strchr(from, '<');
	gt = lt != NULL ? strchr(lt, '>') : NULL;
	if (lt != NULL && gt != NULL && gt[1] == '\0' &&
	    (size_t)(gt - lt - 1) < sizeof(out->from_addr)) {
		const char *e = lt;

		memcpy(out->from_addr, lt + 1, (size_t)(gt - lt - 1));
		while (e > from && (e[-1] == ' ' || e[-1] == '\t')) {
			e--;
		}
		snprintf(out->from_name, sizeof(out->from_name), "%.*s",
		    (int)(e - from), from);
	} else if (lt == NULL) {
		snprintf(out->from_addr, sizeof(out->from_addr), "%s", from);
	}
	if (!gc_roster_email_ok(out->from_addr, strlen(out->from_addr)) || strpbrk(out->from_name,
	    "\r\n\"") != NULL) {
		gc_diag_set(d, "gradcap.ini [notify] from = %s: give NAME "
		    "<ADDRESS> or ADDRESS, e.g. 教务处 <noreply@example.edu.cn>",
		    from);
		return GC_EINVAL;
	}
	if (cred != NULL) {
		snprintf(out->cred_file, sizeof(out->cred_file), "%s", cred);
	}
	return GC_OK;
}

/* Keeps the server's first refusal (a 4xx or 5xx line) of a message;
 * nothing else (what goes out holds the credentials) is looked at. */
static int
ns_debug_cb(CURL *h, curl_infotype type, char *data, size_t n, void *arg)
{
	struct gc_mailer *ml = arg;
	size_t            k  = n;

	(void)h;
	if (type != CURLINFO_HEADER_IN || ml->answer[0] != '\0' || n == 0 ||
	    (data[0] != '4' && data[0] != '5')) {
		return 0; /* the first refusal of this message is kept */
	}
	while (k > 0 && (data[k - 1] == '\n' || data[k - 1] == '\r')) {
		k--;
	}
	if (k >= sizeof(ml->answer)) {
		k = sizeof(ml->answer) - 1;
	}
	for (size_t i = 0; i < k; i++) {
		unsigned char ch = (unsigned char)data[i];

		ml->answer[i] = ch < ' ' || ch == 0x7f ? '?' : (char)ch;
	}
	ml->answer[k] = '\0';
	return 0;
}

/* The credentials file's first line, user:password, into curl. */
static gc_err
ns_credentials(struct gc_mailer *ml, struct gc_diag *d)
{
	char     why[256];
	uint8_t *data;
	size_t   len;
	char    *nl, *colon;
	gc_err   rv = GC_OK;

	data = gc_file_read(ml->cfg->cred_file, CRED_MAX, &len, why,
	    sizeof(why));
	if (data == NULL) {
		gc_diag_set(d, "gradcap.ini [notify] credentials_file = %s: %s",
		    ml->cfg->cred_file, why);
		return GC_EIO;
	}
	nl = strpbrk((char *)data, "\r\n");
	if (nl != NULL) {
		*nl = '\0';
	}
	colon = strchr((char *)data, ':');
	if (colon == NULL || colon == (char *)data) {
		gc_diag_set(d, "gradcap.ini [notify] credentials_file = %s: "
		    "give one line user:password", ml->cfg->cred_file);
		rv = GC_EINVAL;
	} else {
		*colon = '\0';
		curl_easy_setopt(ml->h, CURLOPT_USERNAME, (char *)data);
		curl_easy_setopt(ml->h, CURLOPT_PASSWORD, colon + 1);
	}
	sodium_memzero(data, len);
	gc_free(data);
	return rv;
}

gc_err
gc_mailer_open(gc_mailer **out, const struct gc_notify_cfg *cfg,
    struct gc_diag *d)
{
	struct gc_mailer *ml;
	gc_err            rv = GC_OK;

	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		gc_diag_set(d, "libcurl could not start");
		return GC_EINTERNAL;
	}
	ml      = gc_xzalloc(sizeof(*ml));
	ml->cfg = cfg;
	ml->h   = curl_easy_init();
	if (ml->h == NULL) {
		gc_diag_set(d, "libcurl could not start");
		gc_mailer_close(ml);
		return GC_ENOMEM;
	}
	curl_easy_setopt(ml->h, CURLOPT_URL, cfg->url);
	curl_easy_setopt(ml->h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(ml->h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(ml->h, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(ml->h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(ml->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ml->h, CURLOPT_ERRORBUFFER, ml->errbuf);
	curl_easy_setopt(ml->h, CURLOPT_DEBUGFUNCTION, ns_debug_cb);
	curl_easy_setopt(ml->h, CURLOPT_DEBUGDATA, ml);
	curl_easy_setopt(ml->h, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(ml->h, CURLOPT_MAIL_FROM, cfg->from_addr);
	if (cfg->cred_file[0] != '\0') {
		rv = ns_credentials(ml, d);
	}
	if (rv != GC_OK) {
		gc_mailer_close(ml);
		return rv;
	}
	*out = ml;
	return GC_OK;
}

void
gc_mailer_close(gc_mailer *ml)
{
	if (ml == NULL) {
		return;
	}
	if (ml->h != NULL) {
		curl_easy_cleanup(ml->h);
	}
	gc_free(ml);
	curl_global_cleanup();
}

/* RFC 2047: "=?UTF-8?B?...?=". */
static void
ns_encoded_word(struct gc_buf *b, const char *s)
{
	size_t n = strlen(s);
	char   enc[1024];

	if (n > 600) {
		n = 600;
	}
	sodium_bin2base64(enc, sizeof(enc), (const unsigned char *)s, n,
	    sodium_base64_VARIANT_ORIGINAL);
	gc_buf_printf(b, "=?UTF-8?B?%s?=", enc);
}

/* The whole message: headers, a blank line, the body in base64 lines. */
static void
ns_message(struct gc_buf *b, const struct gc_mailer *ml,
    const struct gc_outbox_item *it, uint64_t now_ms)
{
	const struct gc_notice *nt = &it->nt;
	struct gc_buf           body;
	char                    date[64], when[32];
	const char             *dom = strchr(ml->cfg->from_addr, '@') + 1;
	time_t                  t = (time_t)(now_ms / 1000);
	struct tm               tm;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	gc_buf_puts(b, "From: ");
	if (ml->cfg->from_name[0] != '\0') {
		ns_encoded_word(b, ml->cfg->from_name);
		gc_buf_putc(b, ' ');
	}
	gc_buf_printf(b, "<%s>\r\nTo: <%s>\r\nSubject: ", ml->cfg->from_addr,
	    it->email);
	ns_encoded_word(b, gc_notice_subject(nt->kind));
	gc_buf_printf(b, "\r\nDate: %s\r\nMessage-ID: <%s.notice@%s>\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", date, nt->id, dom);

	gc_buf_init(&body);
	gc_buf_printf(&body, "%s\r\n\r\n", it->text);
	if (it->reason[0] != '\0') {
		gc_buf_printf(&body, "审核意见：%s\r\n", it->reason);
	}
	if (nt->deadline_ms != 0) {
		gc_notice_beijing(when, sizeof(when), nt->deadline_ms);
		gc_buf_printf(&body, "%s：%s（北京时间）\r\n",
		    nt->kind == GC_NOTICE_RECEIVED ? "审核截止" : "重新提交截止",
		    when);
	}
	gc_buf_printf(&body, "学号：%s\r\n通知编号：%s\r\n", it->student_no,
	    nt->id);
	for (size_t off = 0; off < body.len; off += 57) {
		size_t k = body.len - off < 57 ? body.len - off : 57;
		char   line[80];

		sodium_bin2base64(line, sizeof(line), body.data + off, k,
		    sodium_base64_VARIANT_ORIGINAL);
		gc_buf_printf(b, "%s\r\n", line);
	}
	gc_buf_release(&body);
}

struct ns_reader {
	const uint8_t *p;
	size_t         left;
};

static size_t
ns_read_cb(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct ns_reader *r = arg;
	size_t            k = size * nmemb;

	if (k > r->left) {
		k = r->left;
	}
	memcpy(dst, r->p, k);
	r->p += k;
	r->left -= k;
	return k;
}

gc_err
gc_mailer_send(gc_mailer *ml, const struct gc_outbox_item *it,
    uint64_t now_ms, struct gc_diag *d)
{
	struct curl_slist *rcpt;
	struct gc_buf      msg;
	struct ns_reader   r;
	char               to[160];
	CURLcode           cc;

	if (!gc_roster_email_ok(it->email, strlen(it->email))) {
		gc_diag_set(d, "\"%s\" is not an e-mail address", it->email);
		return GC_EINVAL;
	}
	gc_buf_init(&msg);
	ns_message(&msg, ml, it, now_ms);
	if (gc_buf_status(&msg) != GC_OK) {
		gc_buf_release(&msg);
		gc_diag_set(d, "out of memory");
		return GC_ENOMEM;
	}
	snprintf(to, sizeof(to), "<%s>", it->email);
	rcpt = curl_slist_append(NULL, to);
	if (rcpt == NULL) {
		gc_buf_release(&msg);
		gc_diag_set(d, "out of memory");
		return GC_ENOMEM;
	}
	r.p            = msg.data;
	r.left         = msg.len;
	ml->errbuf[0]  = '\0';
	ml->answer[0]  = '\0';
	curl_easy_setopt(ml->h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(ml->h, CURLOPT_READFUNCTION, ns_read_cb);
	curl_easy_setopt(ml->h, CURLOPT_READDATA, &r);
	curl_easy_setopt(ml->h, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)msg.len);
	cc = curl_easy_perform(ml->h);
	curl_easy_setopt(ml->h, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpt);
	gc_buf_release(&msg);
	if (cc != CURLE_OK) {
		if (ml->answer[0] != '\0') {
			gc_diag_set(d, "the server answered \"%s\" (%s)",
			    ml->answer, ml->errbuf[0] ? ml->errbuf :
			    curl_easy_strerror(cc));
		} else {
			gc_diag_set(d, "%s", ml->errbuf[0] ? ml->errbuf :
			    curl_easy_strerror(cc));
		}
		return GC_EIO;
	}
	return GC_OK;
}
