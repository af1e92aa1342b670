/*
 * aws.c: the Cognito API as the target of a command (DESIGN.md D9): the
 * client built from the global options and the config file, and its
 * failures reported in the AWS CLI's words and exit codes.
 */
#include <stdio.h>
#include <string.h>

#include "cmfa_aws.h"
#include "cmfa_cli.h"
#include "cli_int.h"

static const char *
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* no_env: the environment unread (deliver, which the PAM module runs
 * with an empty one: the config file alone must say it all). */
static enum cmfa_err
open_client(struct cmfa_cli *cli, const char *fallback_region, bool no_env,
    struct cmfa_aws **out)
{
	struct cmfa_aws_settings s;
	struct cmfa_aws_error err;
	enum cmfa_err e;

	*out = NULL;
	if (cli->aws != NULL) {
		*out = cli->aws;
		return CMFA_OK;
	}
	memset(&s, 0, sizeof(s));
	memset(&err, 0, sizeof(err));
	s.profile = cli->profile;
	s.cfg_profile = nonempty(cli->cfg.aws_profile);
	s.region = cli->region;
	s.cfg_region = nonempty(cli->cfg.region);
	s.fallback_region = nonempty(fallback_region);
	s.endpoint_url = cli->endpoint_url;
	s.shared_credentials_file =
	    nonempty(cli->cfg.aws_shared_credentials_file);
	s.config_file = nonempty(cli->cfg.aws_config_file);
	s.imds_disabled = cli->cfg.ec2_metadata_disabled;
	s.no_env = no_env;
	if (no_env) /* AWS_ENDPOINT_URL_STS is not read: the config's */
		s.sts_endpoint_url = nonempty(cli->cfg.sts_endpoint_url);
	s.http.ca_bundle = cli->ca_bundle != NULL
	    ? cli->ca_bundle
	    : nonempty(cli->cfg.ca_bundle);
	s.http.no_verify_ssl = cli->no_verify_ssl;
	s.http.connect_timeout_ms = cli->connect_timeout_ms;
	s.http.read_timeout_ms = cli->read_timeout_ms;
	e = cmfa_aws_open(&s, &cli->aws, &err);
	if (e != CMFA_OK)
		return cmfa_cli_aws_fail(cli,
		    cli->op != NULL ? cli->op->api : "", &err);
	/* as the AWS CLI warns: only where there is a certificate to skip */
	if (cli->no_verify_ssl &&
	    strncmp(cmfa_aws_endpoint(cli->aws), "https://", 8) == 0)
		(void)fprintf(cli->err,
		    "urllib3/connectionpool.py:1045: InsecureRequestWarning: "
		    "Unverified HTTPS request is being made.  Adding "
		    "certificate verification is strongly advised.\n");
	cmfa_cli_debug(cli, "API %s (region %s)", cmfa_aws_endpoint(cli->aws),
	    cmfa_aws_region(cli->aws));
	*out = cli->aws;
	return CMFA_OK;
}

enum cmfa_err
cmfa_cli_aws(struct cmfa_cli *cli, const char *fallback_region,
    struct cmfa_aws **out)
{
	return open_client(cli, fallback_region, false, out);
}

enum cmfa_err
cmfa_cli_aws_noenv(struct cmfa_cli *cli, const char *fallback_region,
    struct cmfa_aws **out)
{
	return open_client(cli, fallback_region, true, out);
}

enum cmfa_err
cmfa_cli_aws_fail(struct cmfa_cli *cli, const char *api,
    const struct cmfa_aws_error *err)
{
	switch (err->kind) {
	case CMFA_AWSERR_NOREGION:
		return cmfa_cli_fail(cli, CMFA_ERR_INVAL, CMFA_FAIL_CONFIG,
		    "You must specify a region. You can also configure your "
		    "region by running \"aws configure\".");
	case CMFA_AWSERR_NOCREDS:
		return cmfa_cli_fail(cli, CMFA_ERR_INVAL, CMFA_FAIL_CONFIG,
		    "Unable to locate credentials. You can configure "
		    "credentials by running \"aws configure\".");
	case CMFA_AWSERR_CONFIG:
		/* the AWS CLI exits 255 for these (a profile that does not
		 * exist, partial credentials, a credential source failing):
		 * botocore raises them outside its configuration errors */
		return cmfa_cli_fail(cli, CMFA_ERR_INVAL, CMFA_FAIL_PYTHON,
		    "%s", err->message);
	case CMFA_AWSERR_SERVICE:
		if (cli->fail == CMFA_FAIL_NONE) {
			snprintf(cli->fail_api, sizeof(cli->fail_api), "%s",
			    api);
			cli->fail_max_retries = err->max_retries;
			cli->fail_retries =
			    err->attempts > 1 ? (int)err->attempts - 1 : 0;
		}
		return cmfa_cli_service_error(cli, err->type, "%s",
		    err->message);
	case CMFA_AWSERR_TRANSPORT:
	case CMFA_AWSERR_NONE:
	default:
		return cmfa_cli_fail(cli, CMFA_ERR_IO, CMFA_FAIL_PYTHON, "%s",
		    err->message[0] != '\0' ? err->message
		                            : "the request failed");
	}
}
