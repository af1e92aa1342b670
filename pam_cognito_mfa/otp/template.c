/*
 * template.c: Cognito message templates: every "{####}" becomes the code.
 *
 * The output buffer is left as it was on failure, and what was appended
 * meanwhile (it may hold the code) is wiped first.
 */
#include <string.h>

#include "cmfa_otp.h"

#define PH_LEN (sizeof(CMFA_PLACEHOLDER) - 1)

/* Undo appends past start, wiping them (they may hold the code). */
static void
buf_rollback(struct cmfa_buf *b, size_t start)
{
	if (b->p == NULL || b->len <= start)
		return;
	cmfa_memzero(b->p + start, b->len - start);
	b->len = start;
	b->p[start] = '\0';
}

enum cmfa_err
cmfa_template_render(const char *tmpl, size_t tmpl_len, const char *code,
    struct cmfa_buf *out)
{
	const char *p, *end, *hit;
	size_t start;
	enum cmfa_err err = CMFA_ERR_INVAL;

	if (out == NULL || code == NULL ||
	    !cmfa_code_format_ok(code, strnlen(code, CMFA_OTP_DIGITS + 1)))
		return CMFA_ERR_INVAL;
	if (tmpl == NULL) {
		tmpl = CMFA_DEFAULT_SMS_MESSAGE;
		tmpl_len = strlen(tmpl);
	}
	start = out->len;
	p = tmpl;
	end = tmpl + tmpl_len;
	while ((hit = memmem(p, (size_t)(end - p), CMFA_PLACEHOLDER, PH_LEN)) !=
	    NULL) {
		if ((err = cmfa_buf_append(out, p, (size_t)(hit - p))) !=
		        CMFA_OK ||
		    (err = cmfa_buf_append(out, code, CMFA_OTP_DIGITS)) !=
		        CMFA_OK)
			goto out;
		p = hit + PH_LEN;
	}
	err = cmfa_buf_append(out, p, (size_t)(end - p));
out:
	if (err != CMFA_OK)
		buf_rollback(out, start);
	return err;
}
