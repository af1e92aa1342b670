/*
 * cmfa_shorthand.h: the AWS CLI "shorthand" syntax of complex arguments
 * (--sms-mfa-configuration SmsAuthenticationMessage="...",SmsConfiguration={
 * SnsCallerArn=...}), parsed as aws-cli v2's awscli/shorthand.py
 * ShorthandParser does, before the model-driven coercion (COGNITO.md 5.3).
 *
 * The result is purely syntactic: an object whose values are strings,
 * arrays (a csv list "a=b,c" or an explicit "[b,c]") and objects ("{k=v}").
 * Nothing is coerced: "true", "42" stay strings; the caller converts them
 * from the model, as the CLI's BackCompatVisitor does.
 *
 * "key@=value" (v2) is accepted as "key=value": the key is returned
 * without the '@' and the value unchanged.  Loading a file:// or fileb://
 * value named with "@=" is the caller's job; this parser never opens a
 * file.
 *
 * Ownership: *out is a cJSON tree the caller frees with cJSON_Delete().
 */
#ifndef CMFA_SHORTHAND_H
#define CMFA_SHORTHAND_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "cmfa_util.h"

/* Longest input accepted, in bytes. */
#define CMFA_SHORTHAND_MAX_LEN (64 * 1024)
/* Most '[' / '{' open at once inside the top-level object. */
#define CMFA_SHORTHAND_MAX_DEPTH 16

/*
 * Parse one shorthand argument value p[0..len) (no NUL needed; p may be
 * NULL when len is 0).  On success *out gets a new cJSON object.
 *
 * Errors (*out untouched; err, when errsz > 0, always NUL-terminated and
 * truncated to errsz on a character boundary; cleared on entry):
 *  - CMFA_ERR_PARSE: a syntax error, with the AWS CLI v2 message, e.g.
 *      Expected: ',', received: '}' for input:
 *       Message=Your code is {####}
 *                                ^
 *    (v2 indents the input line of a syntax error by one space and not
 *    the caret line; carets count code points, as Python does), or
 *      Second instance of key "a" encountered for input:
 *      a=b,a=c
 *          ^
 *      This is often because there is a preceding "," instead of a space.
 *    The message quotes the input verbatim (control characters included).
 *    Also for a NUL byte or invalid UTF-8 (own messages, input not quoted).
 *  - CMFA_ERR_TOOBIG: longer than CMFA_SHORTHAND_MAX_LEN bytes, or more
 *    than CMFA_SHORTHAND_MAX_DEPTH nested brackets.
 *  - CMFA_ERR_INVAL: out is NULL, or p is NULL with len > 0.
 *  - CMFA_ERR_NOMEM.
 *
 * Divergences from aws-cli, all refusals of input it would take: invalid
 * UTF-8 (Python would see surrogate escapes), NUL bytes (argv cannot
 * carry them), the two caps.  Like aws-cli, an unquoted value may not hold
 * a code point above U+FFFF (its regex classes stop there): quote it.
 */
enum cmfa_err cmfa_shorthand_parse(const char *p, size_t len, cJSON **out,
    char *err, size_t errsz);

#endif /* CMFA_SHORTHAND_H */
