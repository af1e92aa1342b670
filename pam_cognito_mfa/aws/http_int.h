/*
 * http_int.h: the libcurl side of http.c, for the files of aws/ that
 * drive transfers themselves (the batch's multi handle in client.c).
 * Only files that already include <curl/curl.h> include this.
 */
#ifndef CMFA_HTTP_INT_H
#define CMFA_HTTP_INT_H

#include <stdbool.h>

#include <curl/curl.h>

#include "cmfa_aws.h"

/* One transfer's state: lives as long as the transfer (CURLOPT_PRIVATE
 * points at it). */
struct cmfa_http_xfer {
	struct cmfa_http_resp *resp;
	struct curl_slist *headers;
	size_t max;
	bool toobig, nomem;
	char errbuf[CURL_ERROR_SIZE];
	/* the read timeout (progress callback) */
	CURL *easy;
	long read_timeout_ms;
	int64_t last_ms; /* monotonic ms of the last byte either way */
	curl_off_t last_dl, last_ul;
	bool read_timed_out;
};

/* Set easy up for r (curl_easy_reset first); out is initialised. */
enum cmfa_err cmfa_http_xfer_setup(CURL *easy, const struct cmfa_http_opts *o,
    const struct cmfa_http_req *r, struct cmfa_http_resp *out,
    struct cmfa_http_xfer *x);
/* After the transfer ended with CURLcode code: fill x->resp. */
enum cmfa_err cmfa_http_xfer_finish(CURL *easy, int code,
    struct cmfa_http_xfer *x);
void cmfa_http_xfer_release(struct cmfa_http_xfer *x);

const struct cmfa_http_opts *cmfa_http_opts_of(const struct cmfa_http *h);

#endif /* CMFA_HTTP_INT_H */
