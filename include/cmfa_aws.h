/*
 * cmfa_aws.h: AWS request signing (Signature Version 4, header auth).
 *
 * The signer is pure: libcrypto and libc only, no network, no clock (the
 * signing time is a parameter), no globals.  It reproduces the whole AWS
 * SigV4 test suite (tests/data/sigv4) byte for byte.
 *
 * Why our own and not libcurl's CURLOPT_AWS_SIGV4 (DESIGN.md D10): the
 * signer must be run against the whole AWS suite and against the AWS
 * CLI's own signature for the same Cognito, STS, SNS and SES requests.
 * Inside libcurl (7.88 on Debian 12) signing happens as the request is
 * sent, from headers libcurl itself adds, with no way to see the
 * canonical request or to sign a suite case without sending it.  A
 * small pure function is testable case by case, and the transport then
 * sends exactly the headers that were signed.
 *
 * Ownership: the caller owns every input and may free it as soon as a
 * call returns.  cmfa_sigv4_sign() fills a struct cmfa_sigv4_result whose
 * buffers the caller releases with cmfa_sigv4_result_free() (which wipes
 * them: the canonical request holds the session token).  Nothing else
 * here allocates.  Derived keys never leave the signer except through
 * cmfa_sigv4_signing_key(), whose output the caller must wipe.
 */
#ifndef CMFA_AWS_H
#define CMFA_AWS_H

#include <stddef.h>
#include <stdint.h>

#include "cmfa_util.h"

/* Caps: anything larger is refused with CMFA_ERR_TOOBIG. */
#define CMFA_SIGV4_MAX_HEADERS 64
#define CMFA_SIGV4_MAX_HEADER_BYTES 16384 /* all names + values */
#define CMFA_SIGV4_MAX_PATH 8192          /* path and query, as sent */
#define CMFA_SIGV4_MAX_METHOD 32
#define CMFA_SIGV4_MAX_SCOPE_PART 64 /* region, service */
#define CMFA_SIGV4_MAX_KEY_ID 128    /* access key id */
#define CMFA_SIGV4_MAX_SECRET 128    /* secret access key */
#define CMFA_SIGV4_MAX_TOKEN 8192    /* session token */
#define CMFA_SIGV4_MAX_OUTPUT 65536  /* each result buffer */

/* The X-Amz-Date format, YYYYMMDD'T'HHMMSS'Z', plus its NUL. */
#define CMFA_SIGV4_DATE_LEN 17

struct cmfa_aws_creds {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL for long-term credentials */
};

struct cmfa_sigv4_header {
	const char *name;
	const char *value;
};

struct cmfa_sigv4_request {
	const char *method; /* "POST" */
	/*
	 * The path as it goes on the request line, with any query after the
	 * first '?'.  Path bytes are encoded once more for the canonical URI
	 * (RFC 3986 unreserved and '/' kept); query keys and values are
	 * percent-decoded, then encoded, so "%E1%88%B4" and the raw UTF-8
	 * sign the same.  '+' is a literal plus.
	 */
	const char *path;
	/*
	 * The headers as sent, Host included (required).  Repeated names are
	 * joined with ',' in order.  Values must not contain CR, LF or other
	 * control characters except TAB: unfold continuation lines first.
	 * X-Amz-Date may be omitted: the signer signs the value it returns
	 * in cmfa_sigv4_result.amz_date, which the caller must then send; if
	 * present it must equal that value.
	 */
	const struct cmfa_sigv4_header *headers;
	size_t nheaders;
	const uint8_t *body; /* may be NULL when body_len is 0 */
	size_t body_len;
};

/* Flags for cmfa_sigv4_sign(). */
/* Remove "." and "..", collapse "//" in the canonical URI (all but S3). */
#define CMFA_SIGV4_NORMALIZE_PATH 0x1u
/*
 * Sign creds->session_token as X-Amz-Security-Token, as botocore does;
 * the caller sends that header.  Refused (CMFA_ERR_INVAL) when the
 * request already carries an X-Amz-Security-Token header.  Without this
 * flag the token, if any, is left for the caller to add unsigned.
 */
#define CMFA_SIGV4_SIGN_TOKEN 0x2u
#define CMFA_SIGV4_DEFAULT (CMFA_SIGV4_NORMALIZE_PATH | CMFA_SIGV4_SIGN_TOKEN)

struct cmfa_sigv4_result {
	char amz_date[CMFA_SIGV4_DATE_LEN]; /* send as X-Amz-Date */
	struct cmfa_buf canonical_request;  /* for tests and debugging */
	struct cmfa_buf string_to_sign;
	struct cmfa_buf authorization; /* the Authorization header value */
};

/*
 * Sign req for region/service at time t (seconds since the epoch, UTC,
 * year 1970 to 9999).  On success *out is filled (its previous contents
 * are overwritten, not freed: pass a zeroed or freed result).  On error
 * *out is untouched and nothing is allocated.
 * Errors: CMFA_ERR_INVAL (missing or malformed argument, credential,
 * header, path; no Host header), CMFA_ERR_TOOBIG (a cap above exceeded),
 * CMFA_ERR_NOMEM, CMFA_ERR_CRYPTO.
 */
enum cmfa_err cmfa_sigv4_sign(const struct cmfa_sigv4_request *req,
    const struct cmfa_aws_creds *creds, const char *region, const char *service,
    int64_t t, unsigned flags, struct cmfa_sigv4_result *out);

/* Wipe and release the result's buffers; NULL is a no-op. */
void cmfa_sigv4_result_free(struct cmfa_sigv4_result *r);

/*
 * The derived signing key HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date8),
 * region), service), "aws4_request") for date8 "YYYYMMDD" (exposed for
 * tests; the caller wipes out).
 */
enum cmfa_err cmfa_sigv4_signing_key(const char *secret_access_key,
    const char *date8, const char *region, const char *service,
    uint8_t out[32]);

/* ====================================================================== */
/* The AWS client: HTTPS transport, credentials, region, Cognito calls.   */
/* Only cognito-mfa links this (libcurl); the PAM module never does.      */
/* ====================================================================== */

#include <stdbool.h>
#include <sys/types.h>

/* ---------------------------------------------------------------------- */
/* HTTP (aws/http.c): with deliver/smtp.c, the only files that include     */
/* <curl/curl.h>.                                                         */

#define CMFA_HTTP_MAX_RESPONSE (4u * 1024u * 1024u) /* default body cap */
#define CMFA_HTTP_TIMEOUT_DEFAULT_MS 60000L         /* AWS CLI: 60 s */

struct cmfa_http_opts {
	const char *ca_bundle;   /* an extra CA file (PEM); NULL: system CAs */
	bool no_verify_ssl;      /* --no-verify-ssl: the caller warns */
	long connect_timeout_ms; /* 0: CMFA_HTTP_TIMEOUT_DEFAULT_MS */
	long read_timeout_ms;    /* 0: CMFA_HTTP_TIMEOUT_DEFAULT_MS; a
				    response that stalls this long fails */
};

struct cmfa_http_header {
	const char *name;
	const char *value;
};

struct cmfa_http_req {
	const char *method; /* "GET", "PUT", "POST" */
	const char *url;    /* http:// or https:// only */
	const struct cmfa_http_header *headers;
	size_t nheaders;
	const uint8_t *body;
	size_t body_len;
	size_t max_response; /* 0: CMFA_HTTP_MAX_RESPONSE */
	long timeout_ms;     /* 0: the opts' read timeout; else the whole
				request (IMDS: 1 s) */
};

enum cmfa_http_fail {
	CMFA_HTTP_OK = 0,    /* a complete response (any status) */
	CMFA_HTTP_CONNECT,   /* could not connect / resolve */
	CMFA_HTTP_TIMEOUT,   /* connect or read timeout */
	CMFA_HTTP_TLS,       /* certificate or handshake */
	CMFA_HTTP_TRUNCATED, /* connection closed mid-response */
	CMFA_HTTP_TOOBIG,    /* body above max_response */
	CMFA_HTTP_OTHER
};

struct cmfa_http_resp {
	long status; /* 0 when fail != CMFA_HTTP_OK */
	enum cmfa_http_fail fail;
	char fail_msg[256]; /* libcurl's words (no secret: URLs carry none) */
	struct cmfa_buf body;
	char request_id[128]; /* x-amzn-RequestId / x-amz-request-id */
	long retry_after_ms;  /* x-amz-retry-after, -1 when absent */
	char error_type[128]; /* x-amzn-ErrorType (rest-json errors), "" */
};

struct cmfa_http; /* a connection cache (a libcurl easy handle) */

/* curl_global_init() once per process (cognito-mfa is single-threaded);
 * every libcurl user (http.c, deliver/smtp.c) calls it first. */
enum cmfa_err cmfa_curl_global_init(void);

enum cmfa_err cmfa_http_new(const struct cmfa_http_opts *o,
    struct cmfa_http **out);
void cmfa_http_free(struct cmfa_http *h);
/*
 * One exchange.  Transport failures are not errors: the return is
 * CMFA_OK with out->fail set; CMFA_ERR_* only for a bad request or memory.
 * out is overwritten (pass it zeroed or freed).
 */
enum cmfa_err cmfa_http_do(struct cmfa_http *h, const struct cmfa_http_req *r,
    struct cmfa_http_resp *out);
/* Wipes and frees the body (it may hold credentials). */
void cmfa_http_resp_free(struct cmfa_http_resp *r);

/* ---------------------------------------------------------------------- */
/* Errors as the AWS CLI reports them                                     */

enum cmfa_aws_errkind {
	CMFA_AWSERR_NONE = 0,
	CMFA_AWSERR_NOREGION, /* exit 253: "You must specify a region. ..." */
	CMFA_AWSERR_NOCREDS, /* exit 253: "Unable to locate credentials. ..." */
	CMFA_AWSERR_CONFIG,  /* exit 253: a profile, a credential source, a
				  bad shared file ...: message */
	CMFA_AWSERR_SERVICE, /* exit 254: the service answered an error */
	CMFA_AWSERR_TRANSPORT /* exit 255: could not connect, TLS, timeout,
				  truncated: "Could not connect to the
				  endpoint URL: \"...\"" and kin */
};

struct cmfa_aws_error {
	enum cmfa_aws_errkind kind;
	long status;        /* HTTP status of the last attempt, 0 none */
	char type[128];     /* SERVICE: "UserNotFoundException" (after '#',
			      before ':'); or the HTTP status as text */
	char message[1024]; /* sanitized; never a secret */
	unsigned attempts;  /* tries made */
	bool max_retries;   /* retries were exhausted: "(reached max
			       retries: N)" with N = attempts - 1 */
};

/*
 * {"__type": "...#Code:...", "message" | "Message": "..."} as botocore
 * reads it (COGNITO.md 4.3): type normalised, no __type: the status as
 * the code, a non-JSON body: the body (sanitized, capped) as the message.
 * Pure; fuzzed (fuzz_awserror).
 */
void cmfa_aws_parse_error(long status, const char *body, size_t len,
    struct cmfa_aws_error *out);

/* ---------------------------------------------------------------------- */
/* Credentials and region (aws/creds.c, aws/ini.c, aws/region.c, aws/sts.c) */

#define CMFA_AWS_KEY_MAX 128
#define CMFA_AWS_REGION_MAX 32

struct cmfa_aws_credentials {
	char access_key_id[CMFA_AWS_KEY_MAX + 1];
	char secret_access_key[CMFA_AWS_KEY_MAX + 1];
	char *session_token; /* malloc'd, NULL: none; wiped on release */
	int64_t expiration;  /* epoch seconds; 0: does not expire */
	char source[48];     /* "env", "shared-credentials-file",
				"config-file", "assume-role",
				"assume-role-with-web-identity",
				"credential-process", "container-role",
				"iam-role": for --debug, never secret */
};

void cmfa_aws_credentials_release(struct cmfa_aws_credentials *c);

/*
 * Where settings come from: the command line and the host config take
 * precedence over the environment, which comes before the shared files
 * (COGNITO.md 6.1, 6.3).  Every pointer may be NULL (unset).
 */
struct cmfa_aws_settings {
	const char *profile;     /* --profile (explicit: env creds skipped) */
	const char *cfg_profile; /* config aws_profile (like AWS_PROFILE) */
	const char *region;      /* --region */
	const char *cfg_region;  /* config region */
	const char *fallback_region; /* when nothing else names one (the
					sync: its pool id's prefix) */
	const char *endpoint_url;    /* --endpoint-url: Cognito's endpoint */
	/* config sts_endpoint_url; else AWS_ENDPOINT_URL_STS, else
	 * https://sts.<region>.amazonaws.com */
	const char *sts_endpoint_url;
	const char *shared_credentials_file; /* config; else env, ~/.aws */
	const char *config_file;             /* config; else env, ~/.aws */
	bool imds_disabled;                  /* config ec2_metadata_disabled */
	bool no_env; /* ignore the environment entirely (the
				      module's helper; tests) */
	struct cmfa_http_opts http;
	int max_attempts; /* 0: AWS_MAX_ATTEMPTS, profile max_attempts, 3 */
	int64_t (*clock)(void); /* NULL: time(NULL); tests only */
};

/*
 * getenv() unless s->no_env.  The one door to the environment for aws/.
 */
const char *cmfa_aws_getenv(const struct cmfa_aws_settings *s,
    const char *name);

/*
 * Shared config / credentials files (INI as botocore reads them, through
 * Python's strict RawConfigParser; aws/ini.c has the rules): the value of
 * key in section, trimmed, continuation lines joined with LF; key names
 * compared case-insensitively (configparser lowercases them); [DEFAULT]
 * inherited; nested sub-sections ("s3 =" followed by indented lines) are
 * no value; comments '#' and ';' at line start.  CMFA_ERR_NOTFOUND when
 * absent, CMFA_ERR_PARSE on a file botocore refuses (a bad line, a
 * duplicate section or key, invalid UTF-8), CMFA_ERR_TOOBIG when the
 * value does not fit; out is written only on success.  Pure; fuzzed
 * (fuzz_ini).
 */
enum cmfa_err cmfa_ini_get(const char *text, size_t len, const char *section,
    const char *key, char *out, size_t outsz);

/* ---------------------------------------------------------------------- */
/* The client (aws/client.c)                                              */

struct cmfa_aws; /* settings, region, endpoint, credentials, connections,
		    retry quota, rate limits, counters */

/*
 * Resolve the region (and with it the endpoint) now; credentials are
 * resolved at the first signed call and refreshed before they expire
 * (when less than min(10 minutes, a quarter of their lifetime) is left;
 * and once after an ExpiredTokenException).  s is copied (its strings
 * too).  On failure err says why (NOREGION, CONFIG; a malformed
 * --endpoint-url is TRANSPORT "Invalid endpoint: URL", exit 255 as in
 * the AWS CLI).
 */
enum cmfa_err cmfa_aws_open(const struct cmfa_aws_settings *s,
    struct cmfa_aws **out, struct cmfa_aws_error *err);
void cmfa_aws_close(struct cmfa_aws *a);

const char *cmfa_aws_region(const struct cmfa_aws *a);
const char *cmfa_aws_endpoint(const struct cmfa_aws *a); /* Cognito's */

/* The credentials the next signed call will use (resolving them). */
enum cmfa_err cmfa_aws_creds(struct cmfa_aws *a,
    const struct cmfa_aws_credentials **out, struct cmfa_aws_error *err);

/* Cap the rate of one operation's requests (every attempt counts),
 * requests per second; 0 removes the cap. */
void cmfa_aws_limit(struct cmfa_aws *a, const char *op, double rps);

/* One Cognito call (AWS JSON 1.1). */
struct cmfa_aws_call {
	/* in */
	const char *op;   /* "AdminGetUser" */
	const char *body; /* JSON text; NULL: "{}" */
	size_t body_len;
	bool unsigned_call; /* AccessToken operations: no SigV4 */
	void *user;         /* for batch callers */
	/* out */
	long status;
	struct cmfa_buf response;    /* the body of a 2xx answer */
	struct cmfa_aws_error error; /* kind NONE on success */
	unsigned attempts;
};

/*
 * Run one call with the standard retry mode (COGNITO.md 4.4): throttling
 * codes, 5xx, transport failures retried up to max attempts with
 * full-jitter exponential backoff (base 1 s, cap 20 s), a 500-token retry
 * quota.  Returns CMFA_OK when the service answered 2xx; otherwise a
 * CMFA_ERR_* with c->error filled.
 */
enum cmfa_err cmfa_aws_cognito(struct cmfa_aws *a, struct cmfa_aws_call *c);

/*
 * Run n calls, at most `concurrency` in flight (libcurl multi), each
 * attempt waiting for its operation's rate limit, each retried as above.
 * done(call, arg) runs in the caller's thread as each call finishes (in
 * completion order); a non-OK return from done stops the batch
 * (in-flight calls are abandoned) and is returned.
 */
enum cmfa_err cmfa_aws_cognito_batch(struct cmfa_aws *a,
    struct cmfa_aws_call *calls, size_t n, unsigned concurrency,
    enum cmfa_err (*done)(struct cmfa_aws_call *c, void *arg), void *arg);

void cmfa_aws_call_release(struct cmfa_aws_call *c);

/* Requests sent so far (every attempt), for the sync's summary. */
unsigned long cmfa_aws_requests(const struct cmfa_aws *a);

/*
 * A signed AWS query-protocol request (STS, SNS: form-encoded POST,
 * XML answer) to endpoint for service/region with the given
 * credentials.  params are name/value pairs (Action and Version
 * included).  On 2xx out->response holds the XML; otherwise out->error
 * (type from <Code>, message from <Message>).  With creds NULL the
 * request goes unsigned (AssumeRoleWithWebIdentity).
 */
enum cmfa_err cmfa_aws_query(struct cmfa_aws *a, const char *endpoint,
    const char *service, const char *region,
    const struct cmfa_aws_credentials *creds,
    const struct cmfa_http_header *params, size_t nparams,
    struct cmfa_aws_call *out);

/*
 * The text of the first element reached by `path`, element names joined
 * by '/' below the document's root element
 * ("AssumeRoleResult/Credentials/AccessKeyId" in an AssumeRoleResponse;
 * "Error/Code" in an ErrorResponse), namespaces prefixes ignored, entities
 * decoded (&amp; &lt; &gt; &quot; &apos; and numeric).  Bounded, no DTD,
 * no allocation beyond out.  CMFA_ERR_NOTFOUND, CMFA_ERR_PARSE,
 * CMFA_ERR_TOOBIG.  Pure; fuzzed (fuzz_xml).
 */
enum cmfa_err cmfa_xml_text(const char *xml, size_t len, const char *path,
    char *out, size_t outsz);

/* ====================================================================== */
/* Delivered codes (aws/sns.c, aws/ses.c)                                 */
/* ====================================================================== */

/*
 * An SMS through Amazon SNS, as Cognito sends its codes (COGNITO.md
 * 1.13): with role_arn, STS AssumeRole of the pool's SnsCallerArn with
 * its ExternalId (DurationSeconds 900) signed with the client's
 * credentials, at the STS endpoint of the SNS region; then SNS Publish
 * (PhoneNumber, Message, MessageAttributes AWS.SNS.SMS.SMSType =
 * Transactional) in that region signed with the role's credentials, which
 * are wiped afterwards.  Without role_arn, Publish with the client's own
 * credentials.  Every pointer but phone and message may be NULL; the
 * strings are the caller's.
 */
struct cmfa_sns_sms {
	/* E.164 */
	const char *phone;
	/* the rendered text (holds the code: never logged) */
	const char *message;
	/* SnsRegion (the pool's), else the client's region */
	const char *region;
	/* SnsCallerArn: AssumeRole first (sms_assume_role = yes); NULL:
	 * publish with the client's own credentials */
	const char *role_arn;
	/* the pool's ExternalId, with role_arn */
	const char *external_id;
	/* RoleSessionName; NULL: "cognito-mfa-<epoch>" */
	const char *session_name;
	/* config sns_endpoint_url; NULL/"": https://sns.<region>.amazonaws.com */
	const char *sns_endpoint_url;
	/* config sts_endpoint_url; NULL/"": https://sts.<region>.amazonaws.com
	 * (the SnsRegion's) */
	const char *sts_endpoint_url;
};

/*
 * Send m.  On success CMFA_OK and, when message_id is not NULL, the
 * answer's MessageId in message_id[idsz] ("" when the answer had none or
 * it does not fit: the message went out, the id is only for the log).
 * On failure err says why, in the AWS CLI's words:
 *  - the AssumeRole failed: kind CONFIG, message "An error occurred
 *    (AccessDenied) when calling the AssumeRole operation: ...", type and
 *    status set (as a role in a profile fails; report the message whole);
 *  - SNS answered an error: kind SERVICE, type and message from the XML
 *    (report as "An error occurred (T) when calling the Publish
 *    operation: M", cmfa_cli_aws_fail(cli, "Publish", err));
 *  - transport failures: kind TRANSPORT; no credentials: NOCREDS/CONFIG;
 *  - a missing phone or message, a phone that is not E.164, an empty
 *    role_arn, a bad region: CMFA_ERR_INVAL, kind CONFIG, nothing sent;
 *    a malformed endpoint URL: CMFA_ERR_INVAL, kind TRANSPORT "Invalid
 *    endpoint: URL" (botocore's ValueError, exit 255).
 * Throttling, 5xx and transport failures are retried (standard mode,
 * COGNITO.md 4.4).  Neither the message nor any credential ever reaches
 * err.  Returns CMFA_ERR_IO when the service or the transport failed.
 */
enum cmfa_err cmfa_aws_sns_publish(struct cmfa_aws *a,
    const struct cmfa_sns_sms *m, char *message_id, size_t idsz,
    struct cmfa_aws_error *err);

/*
 * An email through Amazon SES v2 SendEmail (rest-json, POST
 * /v2/email/outbound-emails, signing name "ses"): a simple text message,
 * Subject and Body with Charset UTF-8, to one address.  from, to, subject
 * and body must be valid UTF-8, from / to / subject without control
 * characters (no header injection).
 */
struct cmfa_ses_email {
	const char *from, *to, *subject, *body; /* body holds the code */
	/* NULL/"": the client's region */
	const char *region;
	/* NULL/"": https://email.<region>.amazonaws.com */
	const char *ses_endpoint_url;
};

/*
 * Send m with the client's credentials; message_id and errors as
 * cmfa_aws_sns_publish() (SERVICE errors read as botocore's rest-json
 * parser does: cmfa_aws_parse_rest_error(); report with "SendEmail").
 * Throttling (TooManyRequestsException, LimitExceededException), 5xx and
 * transport failures are retried.
 */
enum cmfa_err cmfa_aws_ses_send(struct cmfa_aws *a,
    const struct cmfa_ses_email *m, char *message_id, size_t idsz,
    struct cmfa_aws_error *err);

/*
 * A rest-json error answer as botocore's RestJSONParser reads it: as
 * cmfa_aws_parse_error() (message from "message" / "Message", a non-JSON
 * body as the message, a generic 5xx as its reason phrase), then the code
 * from the x-amzn-ErrorType header (error_type, NULL or "": absent) cut
 * at its first ':', else from the body's "code" / "Code" string member.
 * Pure; fuzzed (fuzz_resterror).
 */
void cmfa_aws_parse_rest_error(long status, const char *error_type,
    const char *body, size_t len, struct cmfa_aws_error *out);

#endif /* CMFA_AWS_H */
