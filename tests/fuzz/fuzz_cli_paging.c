/*
 * fuzz_cli_paging.c: list-users' paging (cli/paginate.c) on what a user
 * types: --starting-token (base64, JSON, the deprecated "tok___N" form)
 * and any --max-items / --page-size, over a scripted service of 0 to 15
 * items in pages of 1 to 4.
 *
 * Input: byte 0 the item count (low 4 bits) and page length (next 2
 * bits), bytes 1-8 max-items and 9-12 page-size as signed big-endian
 * numbers (bit 7 of byte 0 and bit 6: whether each is given), then the
 * starting token (its absence: an empty rest).
 * Properties (abort() on violation): success gives an object holding at
 * most max-items users (all of them without it) and a failure records
 * one, with a message; a NextToken is base64 and, fed back as the
 * starting token with the same options, walks on without a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../pam_cognito_mfa/cli/cli_int.h"
#include "cmfa_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n_items, page_len;

static enum cmfa_err
page(struct cmfa_cli *cli, const cJSON *req, cJSON **resp)
{
	const char *tok = cmfa_cli_req_str(req, "PaginationToken");
	const cJSON *lim = cJSON_GetObjectItemCaseSensitive(req, "Limit");
	long start = 0, len = page_len, i;
	char name[24];
	cJSON *users;

	(void)cli;
	if (tok != NULL && tok[0] == 't')
		start = strtol(tok + 1, NULL, 10);
	if (start < 0 || start > n_items)
		start = n_items;
	if (lim != NULL && lim->valuestring != NULL)
		len = strtol(lim->valuestring, NULL, 10);
	if (len <= 0 || len > 60)
		len = 60;
	if ((*resp = cJSON_CreateObject()) == NULL ||
	    (users = cJSON_AddArrayToObject(*resp, "Users")) == NULL)
		return CMFA_ERR_NOMEM;
	for (i = start; i < start + len && i < n_items; i++) {
		cJSON *u = cJSON_CreateObject();

		snprintf(name, sizeof(name), "u%ld", i);
		if (u == NULL ||
		    cJSON_AddStringToObject(u, "Username", name) == NULL ||
		    !cJSON_AddItemToArray(users, u)) {
			cJSON_Delete(u);
			return CMFA_ERR_NOMEM;
		}
	}
	if (start + len < n_items) {
		snprintf(name, sizeof(name), "t%ld", start + len);
		if (cJSON_AddStringToObject(*resp, "PaginationToken", name) ==
		    NULL)
			return CMFA_ERR_NOMEM;
	}
	return CMFA_OK;
}

static long long
be(const uint8_t *p, size_t n)
{
	unsigned long long v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n < 8 && (p[0] & 0x80))
		v |= ~0ULL << (8 * n);
	return (long long)v;
}

/* One walk; *next the NextToken (the caller's). */
static void
walk(const struct cmfa_cli_paging *pg, char **next)
{
	struct cmfa_cli cli;
	cJSON *req, *resp = NULL;
	FILE *null = fopen("/dev/null", "w");
	enum cmfa_err e;
	int n;

	*next = NULL;
	if (null == NULL)
		return;
	cmfa_cli_init(&cli, null, null);
	cli.op = cmfa_cli_op_find("list-users");
	if ((req = cJSON_CreateObject()) != NULL &&
	    cJSON_AddStringToObject(req, "UserPoolId", "us-east-1_F") != NULL) {
		e = cmfa_cli_paginate(&cli, pg, req, page, &resp, next);
		if (e == CMFA_OK) {
			if (!cJSON_IsObject(resp) || cli.fail != CMFA_FAIL_NONE)
				abort();
			n = cJSON_GetArraySize(
			    cJSON_GetObjectItemCaseSensitive(resp, "Users"));
			if (pg->has_max_items && pg->max_items >= 0 &&
			    n > pg->max_items)
				abort();
			if (*next != NULL &&
			    strspn(*next,
			        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrst"
			        "uvwxyz"
			        "0123456789+/=") != strlen(*next))
				abort();
		} else if (e != CMFA_ERR_NOMEM &&
		    (cli.fail == CMFA_FAIL_NONE || cli.fail_msg.len == 0))
			abort();
	}
	cJSON_Delete(resp);
	cJSON_Delete(req);
	cmfa_cli_release(&cli);
	fclose(null);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmfa_cli_paging pg;
	char *tok = NULL, *next = NULL, *again = NULL;

	if (size < 13 || size > 4096)
		return 0;
	n_items = data[0] & 0x0f;
	page_len = 1 + ((data[0] >> 4) & 0x03);
	memset(&pg, 0, sizeof(pg));
	pg.has_max_items = (data[0] & 0x80) != 0;
	pg.max_items = be(data + 1, 8);
	pg.has_page_size = (data[0] & 0x40) != 0;
	pg.page_size = be(data + 9, 4);
	if (size > 13) {
		if ((tok = malloc(size - 13 + 1)) == NULL)
			return 0;
		memcpy(tok, data + 13, size - 13);
		tok[size - 13] = '\0';
		pg.starting_token = tok;
	}
	walk(&pg, &next);
	if (next != NULL) {
		pg.starting_token = next;
		walk(&pg, &again);
	}
	free(again);
	free(next);
	free(tok);
	return 0;
}
