/*
 * deliver.c: `cognito-mfa deliver --user NAME --channel sms|email`
 * (ours; DESIGN.md D1, D4, 3b): send the code the PAM module generated,
 * read from stdin, to the user's cached phone number or address, with
 * the pool's own text, through the channel the config names.
 *
 * The module runs it with an empty environment and the code on stdin
 * (cmfa_deliver.h has the contract), so everything comes from the config
 * file and the store: the AWS client reads no environment variable
 * (cmfa_cli_aws_noenv), the command channel gets PATH alone.
 *
 * The steps, each with its exit status (enum cmfa_deliver_status):
 *   the arguments and the code on stdin (252), the cache: store,
 *   pool.json, the user's record (7), the factor offered by the pool and
 *   the channel configured here (4), the destination: present, valid,
 *   verified (3), the text: it must hold {####} (7), the hourly limits
 *   (5), the gateway (6).  The limit is taken before the send: a failed
 *   send uses its slot, so a failing gateway is not hammered.
 *
 * stdout on success: {"CodeDeliveryDetails": {"AttributeName",
 * "DeliveryMedium", "Destination" (masked as Cognito masks it)}}.
 * stderr on failure: one line, "cognito-mfa deliver: <reason>", never
 * the code, the message or a credential (a gateway's words are
 * sanitized and any copy of the code in them starred out).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmfa_aws.h"
#include "cmfa_cli.h"
#include "cmfa_deliver.h"
#include "cmfa_otp.h"
#include "cli_int.h"

#define TEXT_MAX (128u * 1024u) /* a rendered message (20000 chars max) */
#define SUBJECT_MAX 1024        /* bytes (Cognito: 140 characters) */
#define EMAIL_MAX 254           /* RFC 5321's path limit */
#define MASK_MAX 512
#define ERRLINE_MAX 2048 /* a gateway's error line */
#define COMMAND_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

/* ---------------------------------------------------------------------- */
/* shapes                                                                 */

static const struct cmfa_cli_shape s_name = { .type = CMFA_CT_STRING,
	.name = "UsernameType",
	.has_min = true,
	.min = 1 };
static const char *const channels[] = { "sms", "email", NULL };
static const struct cmfa_cli_shape s_channel = { .type = CMFA_CT_STRING,
	.name = "DeliveryChannelType",
	.enums = channels };
static const struct cmfa_cli_member deliver_req_m[] = {
	{ "User", "user", &s_name, true },
	{ "Channel", "channel", &s_channel, true },
};
static const struct cmfa_cli_shape deliver_req = { .type = CMFA_CT_STRUCT,
	.name = "DeliverRequest",
	.members = deliver_req_m,
	.nmembers = CMFA_ARRAY_LEN(deliver_req_m) };

static const struct cmfa_cli_shape s_string = { .type = CMFA_CT_STRING,
	.name = "StringType" };
static const struct cmfa_cli_member details_m[] = {
	{ "Destination", NULL, &s_string, false },
	{ "DeliveryMedium", NULL, &s_string, false },
	{ "AttributeName", NULL, &s_string, false },
};
static const struct cmfa_cli_shape details = { .type = CMFA_CT_STRUCT,
	.name = "CodeDeliveryDetailsType",
	.members = details_m,
	.nmembers = CMFA_ARRAY_LEN(details_m) };
static const struct cmfa_cli_member deliver_resp_m[] = {
	{ "CodeDeliveryDetails", NULL, &details, false },
};
static const struct cmfa_cli_shape deliver_resp = { .type = CMFA_CT_STRUCT,
	.name = "DeliverResponse",
	.members = deliver_resp_m,
	.nmembers = CMFA_ARRAY_LEN(deliver_resp_m) };

/* ---------------------------------------------------------------------- */
/* one delivery                                                           */

struct dlv {
	const char *user;
	bool email; /* the channel: email, else sms */
	char code[CMFA_OTP_DIGITS + 1];
	struct cmfa_pool_config pool;
	struct cmfa_user rec;
	const char *dest; /* the record's phone_number / email */
	char masked[MASK_MAX];
	char subject[SUBJECT_MAX + 1]; /* email: control characters blanked */
	struct cmfa_buf text;          /* the rendered message: the code */
};

/* Record the one failure line and deliver's exit status. */
static enum cmfa_err dfail(struct cmfa_cli *cli, int status, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static enum cmfa_err
dfail(struct cmfa_cli *cli, int status, const char *fmt, ...)
{
	char line[ERRLINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (cli->fail == CMFA_FAIL_NONE)
		cli->fail_status = status;
	return cmfa_cli_fail(cli, CMFA_ERR_VALIDATION, CMFA_FAIL_STATUS,
	    "cognito-mfa deliver: %s", line);
}

static const char *
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/*
 * A gateway's words for the one line: sanitized, and every copy of the
 * code starred out (a command may echo its input, a server the body).
 */
static void
clean_line(char *dst, size_t dstsz, const char *src, const char *code)
{
	char *p = dst;

	cmfa_sanitize(dst, dstsz, src, strnlen(src, ERRLINE_MAX));
	while (code[0] != '\0' && (p = strstr(p, code)) != NULL)
		memset(p, '*', CMFA_OTP_DIGITS);
}

/* ---------------------------------------------------------------------- */
/* arguments and stdin                                                    */

static enum cmfa_err
read_args(struct cmfa_cli *cli, const cJSON *req, struct dlv *d)
{
	const char *ch = cmfa_cli_req_str(req, "Channel");

	d->user = cmfa_cli_req_str(req, "User");
	if (d->user == NULL || ch == NULL)
		return dfail(cli, CMFA_DELIVER_USAGE,
		    "--user and --channel are required");
	if (strcmp(ch, "sms") != 0 && strcmp(ch, "email") != 0)
		return dfail(cli, CMFA_DELIVER_USAGE,
		    "--channel must be sms or email");
	d->email = strcmp(ch, "email") == 0;
	return CMFA_OK;
}

/*
 * Exactly six ASCII digits, an optional "\n", then EOF, from a pipe (a
 * terminal would echo the code and never come from the module).
 */
static enum cmfa_err
read_code(struct cmfa_cli *cli, struct dlv *d)
{
	char buf[CMFA_DELIVER_STDIN_MAX + 1];
	size_t len = 0;
	ssize_t n;
	bool ok;

	if (isatty(STDIN_FILENO))
		return dfail(cli, CMFA_DELIVER_USAGE,
		    "the code must come on stdin from a pipe, not a terminal");
	while (len < sizeof(buf)) {
		n = read(STDIN_FILENO, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (len == CMFA_OTP_DIGITS + 1 && buf[CMFA_OTP_DIGITS] == '\n')
		len--;
	ok = len == CMFA_OTP_DIGITS && cmfa_code_format_ok(buf, len);
	if (ok) {
		memcpy(d->code, buf, CMFA_OTP_DIGITS);
		d->code[CMFA_OTP_DIGITS] = '\0';
	}
	cmfa_memzero(buf, sizeof(buf));
	if (!ok)
		return dfail(cli, CMFA_DELIVER_USAGE,
		    "the code on stdin must be six digits");
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* the cache                                                              */

/* The store as the module reads it, never created: a missing store is a
 * missing cache. */
static enum cmfa_err
open_store(struct cmfa_cli *cli)
{
	enum cmfa_err e = cmfa_cli_store_existing(cli);

	if (e == CMFA_ERR_TOOBIG)
		return dfail(cli, CMFA_DELIVER_CACHE,
		    "the store path is too long");
	if (e != CMFA_OK)
		return dfail(cli, CMFA_DELIVER_CACHE,
		    "the store %.200s cannot be used: %s", cli->store_path,
		    cmfa_strerror(e));
	return CMFA_OK;
}

static enum cmfa_err
load_cache(struct cmfa_cli *cli, struct dlv *d)
{
	struct cmfa_verr verr;
	enum cmfa_err e;

	memset(&verr, 0, sizeof(verr));
	if ((e = open_store(cli)) != CMFA_OK)
		return e;
	if ((e = cmfa_store_pool_read(&cli->store, &d->pool, NULL, &verr)) !=
	    CMFA_OK)
		return dfail(cli, CMFA_DELIVER_CACHE,
		    "pool.json cannot be used: %s%s%.300s", cmfa_strerror(e),
		    verr.message[0] ? ": " : "", verr.message);
	if (!cmfa_username_valid(d->user, strlen(d->user)))
		return dfail(cli, CMFA_DELIVER_CACHE, "no such user");
	e = cmfa_store_user_read(&cli->store, d->user, &d->rec, NULL, &verr);
	if (e == CMFA_ERR_NOTFOUND)
		return dfail(cli, CMFA_DELIVER_CACHE,
		    "no such user (no record in the store)");
	if (e != CMFA_OK)
		return dfail(cli, CMFA_DELIVER_CACHE,
		    "the user's record cannot be used: %s%s%.300s",
		    cmfa_strerror(e), verr.message[0] ? ": " : "",
		    verr.message);
	if (d->rec.removed)
		return dfail(cli, CMFA_DELIVER_CACHE,
		    "the user was removed from the pool");
	if (!d->rec.enabled)
		return dfail(cli, CMFA_DELIVER_CACHE, "the user is disabled");
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* factor, channel, destination, text                                     */

static enum cmfa_err
check_channel(struct cmfa_cli *cli, struct dlv *d)
{
	const struct cmfa_config *c = &cli->cfg;

	if (!d->email && !d->pool.sms)
		return dfail(cli, CMFA_DELIVER_NO_CHANNEL,
		    "the pool does not offer SMS MFA (no "
		    "SmsMfaConfiguration)");
	if (d->email && !d->pool.email)
		return dfail(cli, CMFA_DELIVER_NO_CHANNEL,
		    "the pool does not offer email MFA (no "
		    "EmailMfaConfiguration)");
	if (!d->email && c->sms_channel == CMFA_SMS_NONE)
		return dfail(cli, CMFA_DELIVER_NO_CHANNEL,
		    "no SMS channel on this host (sms_channel = none)");
	if (d->email && c->email_channel == CMFA_EMAIL_NONE)
		return dfail(cli, CMFA_DELIVER_NO_CHANNEL,
		    "no email channel on this host (email_channel = none)");
	if (!d->email && c->sms_channel == CMFA_SMS_SNS && c->sms_assume_role &&
	    nonempty(d->pool.sns_caller_arn) == NULL)
		return dfail(cli, CMFA_DELIVER_NO_CHANNEL,
		    "the pool has no SnsCallerArn; set sms_assume_role = no "
		    "to publish with this host's credentials");
	return CMFA_OK;
}

static enum cmfa_err
check_dest(struct cmfa_cli *cli, struct dlv *d)
{
	const char *attr = d->email ? "email" : "phone_number";
	bool verified =
	    d->email ? d->rec.email_verified : d->rec.phone_verified;
	size_t len;
	enum cmfa_err e;

	d->dest = d->email ? d->rec.email : d->rec.phone_number;
	if (d->dest == NULL)
		return dfail(cli, CMFA_DELIVER_NO_DEST, "the user has no %s",
		    attr);
	len = strlen(d->dest);
	/* the masks check the forms: E.164, and one '@' in printable
	 * UTF-8 (so no CR or LF can reach a header) */
	if (d->email)
		e = len > EMAIL_MAX ? CMFA_ERR_PARSE
		                    : cmfa_mask_email(d->dest, len, d->masked,
		                          sizeof(d->masked));
	else
		e = cmfa_mask_phone(d->dest, len, d->masked, sizeof(d->masked));
	if (e != CMFA_OK)
		return dfail(cli, CMFA_DELIVER_NO_DEST,
		    "the user's %s is not a valid %s", attr,
		    d->email ? "email address" : "E.164 phone number");
	if (!verified && !cli->cfg.allow_unverified_destinations)
		return dfail(cli, CMFA_DELIVER_NO_DEST,
		    "the user's %s is not verified (%s_verified is not "
		    "\"true\"; allow_unverified_destinations = no)",
		    attr, d->email ? "email" : "phone_number");
	return CMFA_OK;
}

/* The subject on one line: Cognito's pattern allows any white space;
 * every control character (C0, DEL, C1) becomes a space. */
static enum cmfa_err
take_subject(struct cmfa_cli *cli, struct dlv *d)
{
	const char *s = nonempty(d->pool.email_subject) != NULL
	    ? d->pool.email_subject
	    : CMFA_DEFAULT_EMAIL_SUBJECT;
	size_t i = 0, k = 0, n, len = strlen(s);
	uint32_t cp;

	if (len > SUBJECT_MAX || !cmfa_utf8_valid(s, len))
		return dfail(cli, CMFA_DELIVER_CACHE,
		    "the pool's email Subject is too long or not UTF-8");
	while (i < len) {
		n = cmfa_utf8_next(s + i, len - i, &cp);
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			d->subject[k++] = ' ';
		else {
			memcpy(d->subject + k, s + i, n);
			k += n;
		}
		i += n;
	}
	d->subject[k] = '\0';
	return CMFA_OK;
}

/* The pool's text with the code; a template without {####} is never
 * sent: no message without the code. */
static enum cmfa_err
render(struct cmfa_cli *cli, struct dlv *d)
{
	const char *t, *what;

	if (d->email) {
		t = nonempty(d->pool.email_message) != NULL
		    ? d->pool.email_message
		    : CMFA_DEFAULT_EMAIL_MESSAGE;
		what = "EmailMfaConfiguration Message";
	} else {
		t = nonempty(d->pool.sms_message) != NULL
		    ? d->pool.sms_message
		    : CMFA_DEFAULT_SMS_MESSAGE;
		what = "SmsAuthenticationMessage";
	}
	if (strstr(t, CMFA_PLACEHOLDER) == NULL)
		return dfail(cli, CMFA_DELIVER_CACHE,
		    "the pool's %s has no " CMFA_PLACEHOLDER ": nothing sent",
		    what);
	if (d->email && take_subject(cli, d) != CMFA_OK)
		return CMFA_ERR_VALIDATION;
	if (cmfa_template_render(t, strlen(t), d->code, &d->text) != CMFA_OK)
		return dfail(cli, CMFA_DELIVER_CACHE,
		    "the pool's %s is too long", what);
	return CMFA_OK;
}

/* ---------------------------------------------------------------------- */
/* the limits                                                             */

static enum cmfa_err
take_slot(struct cmfa_cli *cli, struct dlv *d)
{
	int64_t retry = 0;
	enum cmfa_err e;

	e = cmfa_limit_take(cli->store_path, cli->owner, d->user, d->dest,
	    cli->cfg.delivery_limit, cli->now, &retry);
	if (e == CMFA_OK)
		return CMFA_OK;
	if (e == CMFA_ERR_LOCKED)
		return dfail(cli, CMFA_DELIVER_LIMITED,
		    "hourly limit reached; next code possible in %lld s",
		    (long long)retry);
	if (e == CMFA_ERR_PARSE)
		return dfail(cli, CMFA_DELIVER_LIMITED,
		    "a delivery count under %.200s/deliveries is corrupt: "
		    "no code sent until it is removed",
		    cli->store_path);
	return dfail(cli, CMFA_DELIVER_CACHE,
	    "the delivery counts under %.200s/deliveries cannot be used: %s",
	    cli->store_path, cmfa_strerror(e));
}

/* ---------------------------------------------------------------------- */
/* the channels                                                           */

/* The AWS client's failure (or a call's), as the AWS CLI words it. */
static enum cmfa_err
aws_failed(struct cmfa_cli *cli, struct dlv *d, const char *api,
    const struct cmfa_aws_error *err)
{
	char line[ERRLINE_MAX], clean[ERRLINE_MAX];
	char retries[64] = "";

	if (err->kind == CMFA_AWSERR_SERVICE &&
	    strncmp(err->message, "An error occurred", 17) != 0) {
		if (err->max_retries || err->attempts > 1)
			snprintf(retries, sizeof(retries),
			    " (reached max retries: %u)",
			    err->attempts > 0 ? err->attempts - 1 : 0);
		snprintf(line, sizeof(line),
		    "An error occurred (%s) when calling the %s operation%s: "
		    "%s",
		    err->type, api, retries, err->message);
	} else if (err->kind == CMFA_AWSERR_NOREGION)
		snprintf(line, sizeof(line),
		    "You must specify a region. You can also configure your "
		    "region by running \"aws configure\".");
	else if (err->kind == CMFA_AWSERR_NOCREDS)
		snprintf(line, sizeof(line),
		    "Unable to locate credentials. You can configure "
		    "credentials by running \"aws configure\".");
	else
		snprintf(line, sizeof(line), "%s",
		    err->message[0] != '\0' ? err->message
		                            : "the request failed");
	clean_line(clean, sizeof(clean), line, d->code);
	return dfail(cli, CMFA_DELIVER_GATEWAY, "%s", clean);
}

/* The client from the config alone; its failure already recorded by
 * cmfa_cli_aws_noenv() is turned into deliver's line. */
static enum cmfa_err
open_aws(struct cmfa_cli *cli, struct dlv *d, const char *fallback_region,
    struct cmfa_aws **a)
{
	char clean[ERRLINE_MAX];
	long ms = (long)cli->cfg.delivery_timeout * 1000;

	/* the module stops waiting after delivery_timeout: no single
	 * request may hang longer (--cli-*-timeout still win) */
	if (cli->connect_timeout_ms == 0)
		cli->connect_timeout_ms = ms;
	if (cli->read_timeout_ms == 0)
		cli->read_timeout_ms = ms;
	if (cmfa_cli_aws_noenv(cli, fallback_region, a) == CMFA_OK)
		return CMFA_OK;
	clean_line(clean, sizeof(clean), cmfa_buf_str(&cli->fail_msg), d->code);
	cli->fail = CMFA_FAIL_NONE;
	return dfail(cli, CMFA_DELIVER_GATEWAY, "%s",
	    clean[0] != '\0' ? clean : "the AWS client cannot be set up");
}

static enum cmfa_err
send_sns(struct cmfa_cli *cli, struct dlv *d)
{
	struct cmfa_aws_error err;
	struct cmfa_sns_sms m;
	struct cmfa_aws *a;
	char id[256];

	if (open_aws(cli, d, nonempty(d->pool.sns_region), &a) != CMFA_OK)
		return CMFA_ERR_IO;
	memset(&m, 0, sizeof(m));
	memset(&err, 0, sizeof(err));
	m.phone = d->dest;
	m.message = cmfa_buf_str(&d->text);
	m.region = nonempty(d->pool.sns_region);
	if (cli->cfg.sms_assume_role) {
		m.role_arn = d->pool.sns_caller_arn;
		m.external_id = nonempty(d->pool.sns_external_id);
	}
	m.sns_endpoint_url = nonempty(cli->cfg.sns_endpoint_url);
	m.sts_endpoint_url = nonempty(cli->cfg.sts_endpoint_url);
	if (cmfa_aws_sns_publish(a, &m, id, sizeof(id), &err) != CMFA_OK)
		return aws_failed(cli, d, "Publish", &err);
	cmfa_cli_debug(cli, "SNS MessageId %s", id);
	return CMFA_OK;
}

static enum cmfa_err
send_ses(struct cmfa_cli *cli, struct dlv *d)
{
	struct cmfa_aws_error err;
	struct cmfa_ses_email m;
	struct cmfa_aws *a;
	char id[256];

	if (open_aws(cli, d, NULL, &a) != CMFA_OK)
		return CMFA_ERR_IO;
	memset(&m, 0, sizeof(m));
	memset(&err, 0, sizeof(err));
	m.from = cli->cfg.email_from;
	m.to = d->dest;
	m.subject = d->subject;
	m.body = cmfa_buf_str(&d->text);
	m.region = nonempty(cli->cfg.region);
	m.ses_endpoint_url = nonempty(cli->cfg.ses_endpoint_url);
	if (cmfa_aws_ses_send(a, &m, id, sizeof(id), &err) != CMFA_OK)
		return aws_failed(cli, d, "SendEmail", &err);
	cmfa_cli_debug(cli, "SES MessageId %s", id);
	return CMFA_OK;
}

static enum cmfa_err
send_smtp(struct cmfa_cli *cli, struct dlv *d)
{
	char user[CMFA_SMTP_USER_MAX + 1], pass[CMFA_SMTP_PASS_MAX + 1];
	char err[CMFA_SMTP_ERR_MAX] = "", clean[ERRLINE_MAX];
	const struct cmfa_config *c = &cli->cfg;
	struct cmfa_smtp_msg m;
	enum cmfa_err e;

	memset(&m, 0, sizeof(m));
	if (c->smtp_credentials_file[0] != '\0') {
		e = cmfa_smtp_creds_load(c->smtp_credentials_file, cli->owner,
		    user, sizeof(user), pass, sizeof(pass));
		if (e != CMFA_OK)
			return dfail(cli, CMFA_DELIVER_GATEWAY,
			    "smtp_credentials_file %.200s cannot be used: %s",
			    c->smtp_credentials_file, cmfa_strerror(e));
		m.username = user;
		m.password = pass;
	}
	m.url = c->smtp_url;
	m.starttls = c->smtp_starttls;
	m.ca_bundle = nonempty(c->ca_bundle);
	m.from = c->email_from;
	m.to = d->dest;
	m.subject = d->subject;
	m.body = cmfa_buf_str(&d->text);
	m.timeout_ms = (long)c->delivery_timeout * 1000;
	m.now = cli->now;
	e = cmfa_smtp_send(&m, err, sizeof(err));
	cmfa_memzero(pass, sizeof(pass));
	if (e == CMFA_OK)
		return CMFA_OK;
	clean_line(clean, sizeof(clean), err, d->code);
	/* smtp.c's line says "SMTP: ..." itself */
	if (clean[0] != '\0')
		return dfail(cli, CMFA_DELIVER_GATEWAY, "%s", clean);
	return dfail(cli, CMFA_DELIVER_GATEWAY, "SMTP: %s", cmfa_strerror(e));
}

/* deliver_command's stdin: the header block, a blank line, the text. */
static enum cmfa_err
command_input(const struct dlv *d, struct cmfa_buf *in)
{
	enum cmfa_err e;

	e = cmfa_buf_appendf(in, "channel: %s\ndestination: %s\n",
	    d->email ? "email" : "sms", d->dest);
	if (e == CMFA_OK && d->email)
		e = cmfa_buf_appendf(in, "subject: %s\n", d->subject);
	if (e == CMFA_OK)
		e = cmfa_buf_append(in, "\n", 1);
	if (e == CMFA_OK)
		e = cmfa_buf_append(in, d->text.p, d->text.len);
	return e;
}

static enum cmfa_err
send_command(struct cmfa_cli *cli, struct dlv *d)
{
	const char *path = cli->cfg.deliver_command;
	const char *argv[] = { path, d->email ? "email" : "sms", NULL };
	const char *envp[] = { COMMAND_PATH, NULL };
	struct cmfa_spawn_result r;
	struct cmfa_spawn s;
	struct cmfa_buf in;
	char clean[ERRLINE_MAX];
	enum cmfa_err e;

	cmfa_buf_init(&in, TEXT_MAX + 4096);
	if (command_input(d, &in) != CMFA_OK) {
		cmfa_buf_free(&in);
		return dfail(cli, CMFA_DELIVER_GATEWAY,
		    "the message is too long");
	}
	memset(&s, 0, sizeof(s));
	memset(&r, 0, sizeof(r));
	s.path = path;
	s.argv = argv;
	s.envp = envp;
	s.owner = cli->owner;
	s.input = in.p;
	s.input_len = in.len;
	s.timeout_ms = cli->cfg.delivery_timeout * 1000u;
	e = cmfa_spawn_run(&s, &r);
	cmfa_buf_free(&in);
	clean_line(clean, sizeof(clean), r.err, d->code);
	if (e != CMFA_OK)
		return dfail(cli, CMFA_DELIVER_GATEWAY,
		    "deliver_command %.200s cannot be run: %s%s%s", path,
		    cmfa_strerror(e), clean[0] ? ": " : "", clean);
	if (r.timed_out)
		return dfail(cli, CMFA_DELIVER_GATEWAY,
		    "deliver_command timed out after %u s%s%s",
		    cli->cfg.delivery_timeout, clean[0] ? ": " : "", clean);
	if (!r.exited)
		return dfail(cli, CMFA_DELIVER_GATEWAY,
		    "deliver_command was killed by signal %d%s%s", r.signal,
		    clean[0] ? ": " : "", clean);
	if (r.status != 0)
		return dfail(cli, CMFA_DELIVER_GATEWAY,
		    "deliver_command failed (exit status %d)%s%s", r.status,
		    clean[0] ? ": " : "", clean);
	return CMFA_OK;
}

static enum cmfa_err
send_code(struct cmfa_cli *cli, struct dlv *d)
{
	if (!d->email)
		return cli->cfg.sms_channel == CMFA_SMS_SNS
		    ? send_sns(cli, d)
		    : send_command(cli, d);
	switch (cli->cfg.email_channel) {
	case CMFA_EMAIL_SMTP:
		return send_smtp(cli, d);
	case CMFA_EMAIL_SES:
		return send_ses(cli, d);
	case CMFA_EMAIL_COMMAND:
		return send_command(cli, d);
	case CMFA_EMAIL_NONE:
	default:
		return dfail(cli, CMFA_DELIVER_NO_CHANNEL,
		    "no email channel on this host");
	}
}

/* ---------------------------------------------------------------------- */
/* the command                                                            */

static enum cmfa_err
respond(const struct dlv *d, cJSON **resp)
{
	cJSON *o = cJSON_CreateObject(), *in;

	if (o == NULL ||
	    (in = cJSON_AddObjectToObject(o, "CodeDeliveryDetails")) == NULL ||
	    cJSON_AddStringToObject(in, "Destination", d->masked) == NULL ||
	    cJSON_AddStringToObject(in, "DeliveryMedium",
	        d->email ? "EMAIL" : "SMS") == NULL ||
	    cJSON_AddStringToObject(in, "AttributeName",
	        d->email ? "email" : "phone_number") == NULL) {
		cJSON_Delete(o);
		return CMFA_ERR_NOMEM;
	}
	*resp = o;
	return CMFA_OK;
}

static enum cmfa_err
run(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	struct dlv d;
	enum cmfa_err e;

	memset(&d, 0, sizeof(d));
	cmfa_buf_init(&d.text, TEXT_MAX);
	if ((e = read_args(cli, req, &d)) != CMFA_OK ||
	    (e = read_code(cli, &d)) != CMFA_OK ||
	    (e = load_cache(cli, &d)) != CMFA_OK ||
	    (e = check_channel(cli, &d)) != CMFA_OK ||
	    (e = check_dest(cli, &d)) != CMFA_OK ||
	    (e = render(cli, &d)) != CMFA_OK ||
	    (e = take_slot(cli, &d)) != CMFA_OK)
		goto out;
	cmfa_cli_debug(cli, "deliver: %s to %s", d.email ? "email" : "sms",
	    d.masked);
	if ((e = send_code(cli, &d)) != CMFA_OK)
		goto out;
	if ((e = respond(&d, resp)) != CMFA_OK)
		e = cmfa_cli_fail(cli, e, CMFA_FAIL_INTERNAL, "out of memory");
out:
	cmfa_memzero(d.code, sizeof(d.code));
	cmfa_buf_free(&d.text);
	cmfa_pool_free(&d.pool);
	cmfa_user_free(&d.rec);
	return e;
}

const struct cmfa_cli_op cmfa_cli_op_deliver = {
	.name = "deliver",
	.api = "Deliver",
	.input = &deliver_req,
	.output = &deliver_resp,
	.summary = "Send the PAM module's SMS or email code (read from "
	           "stdin).",
	.help =
	    "Reads exactly six digits (and a newline) from stdin, never "
	    "from a terminal,\nand sends the pool's SmsAuthenticationMessage "
	    "or EmailMfaConfiguration text\nto the user's cached "
	    "phone_number or email through sms_channel /\nemail_channel "
	    "(sns, smtp, ses or deliver_command).  Prints the masked\n"
	    "CodeDeliveryDetails.  Exit status: 0 sent; 3 no usable, "
	    "verified destination;\n4 the pool does not offer the factor "
	    "or the channel is not configured;\n5 the hourly "
	    "delivery_limit reached; 6 the gateway failed; 7 the cache\n"
	    "(store, pool.json, the user's record) missing, corrupt or "
	    "untrusted, or no\nsuch user; 252 bad arguments or stdin.  On "
	    "failure stderr has one line.",
	.local_only = true,
	.run = run,
};
