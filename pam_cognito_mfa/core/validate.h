/*
 * validate.h: private to core/.  Shape tables taken from the botocore
 * model (cognito-idp 2016-04-18) and a validator that refuses documents in
 * Cognito's own words.
 *
 * How the messages are built (COGNITO.md 3.11; where the reference is
 * silent the choice is marked [INF] and listed in the README):
 *
 *  - Constraint violations are collected over the whole document, in the
 *    model's member order, depth first, and reported together:
 *      "1 validation error detected: Value 'X' at 'a.b' failed to satisfy
 *       constraint: <rule>" / "N validation errors detected: ...; ...".
 *    Per member the order is min length, max length, pattern, enum [INF].
 *  - Paths: each member name with its first letter lower-cased, joined by
 *    '.'; list elements as "<list>.<1-based index>.member" (as Coral does
 *    for e.g. "tags.1.member.value").
 *  - Sensitive members (model trait) omit the value: "Value at 'x' ...".
 *    A missing required member: "Value null at 'x' ... Member must not be
 *    null".  A list-length violation omits the value too [INF]: Coral
 *    would print Java's toString of the list.
 *  - Quoted values longer than 256 bytes are cut (on a character boundary)
 *    and followed by "..."; control characters show as '?' [INF].  The
 *    whole message is cut to fit struct cmfa_verr.
 *  - Enum sets are listed in Java HashSet iteration order, which is what
 *    Cognito prints: it reproduces the observed "[OPTIONAL, OFF, ON]" for
 *    the model's OFF, ON, OPTIONAL [INF for the other enums].
 *  - Lengths are Java String lengths: UTF-16 code units (a character
 *    outside the BMP counts 2).
 *  - A JSON value of the wrong type stops the check with a
 *    SerializationException in Coral's wording [INF beyond the observed
 *    "NUMBER_VALUE can not be converted to a String"]:
 *      "<STRING_VALUE|NUMBER_VALUE|BOOLEAN_VALUE> can not be converted to
 *       a String|a Boolean|an Integer|a Timestamp|a Structure|a List",
 *      "Start of structure or map found where not expected.",
 *      "Start of list found where not expected.".
 *    JSON null for a member means the member is absent (as the AWS JSON
 *    protocol treats it); null as a list element is a type error.
 */
#ifndef CMFA_VALIDATE_H
#define CMFA_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "cmfa_core.h"

#define CMFA_VTYPE_INVALID "InvalidParameterException"
#define CMFA_VTYPE_SERIAL "SerializationException"

enum cmfa_vtype {
	CMFA_VT_STRING,
	CMFA_VT_BOOL,
	CMFA_VT_INT,
	CMFA_VT_TIMESTAMP, /* JSON 1.1: epoch seconds as a number */
	CMFA_VT_STRUCT,
	CMFA_VT_LIST
};

/* A structure shape from its member table (an array, not a pointer). */
#define CMFA_VSTRUCT(table)                                                    \
	{                                                                      \
		.type = CMFA_VT_STRUCT, .members = (table),                    \
		.nmembers = CMFA_ARRAY_LEN(table)                              \
	}

/*
 * The model's patterns, matched by hand as a full match (Java
 * String.matches).  See validate.c for the approximations of the Unicode
 * classes.
 */
enum cmfa_vpat {
	CMFA_VPAT_NONE = 0,
	CMFA_VPAT_POOL_ID,       /* [\w-]+_[0-9a-zA-Z]+ */
	CMFA_VPAT_ARN,           /* ArnType */
	CMFA_VPAT_OPT_ARN,       /* OptionalArnType: (ArnType)? */
	CMFA_VPAT_SMS_MSG,       /* .*\{####\}.* */
	CMFA_VPAT_EMAIL_MSG,     /* [\p{L}..\s*]*\{####\}[\p{L}..\s*]* */
	CMFA_VPAT_EMAIL_SUBJECT, /* [\p{L}\p{M}\p{S}\p{N}\p{P}\s]+ */
	CMFA_VPAT_USERNAME,      /* [\p{L}\p{M}\p{S}\p{N}\p{P}]+ */
	CMFA_VPAT_ATTR_NAME,     /* [\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r ]+ */
	CMFA_VPAT_TOKEN,         /* [A-Za-z0-9-_=.]+ */
	CMFA_VPAT__COUNT
};

#define CMFA_VS_SENSITIVE 0x1u
#define CMFA_VS_MIN 0x2u
#define CMFA_VS_MAX 0x4u

struct cmfa_vmember;

struct cmfa_vshape {
	enum cmfa_vtype type;
	unsigned flags;     /* CMFA_VS_* */
	long long min, max; /* string, list: length; int: value */
	enum cmfa_vpat pattern;
	const char *const *enums;           /* NULL-terminated, model order */
	const struct cmfa_vmember *members; /* STRUCT */
	size_t nmembers;
	const struct cmfa_vshape *item; /* LIST */
};

struct cmfa_vmember {
	const char *name; /* as on the wire: "SmsMfaConfiguration" */
	const struct cmfa_vshape *shape;
	bool required;
};

/* Scalar shapes shared by several operations (validate.c). */
extern const struct cmfa_vshape cmfa_vs_bool;
extern const struct cmfa_vshape cmfa_vs_string;    /* StringType */
extern const struct cmfa_vshape cmfa_vs_timestamp; /* DateType */
extern const struct cmfa_vshape cmfa_vs_pool_id;   /* UserPoolIdType */
extern const struct cmfa_vshape cmfa_vs_username;  /* UsernameType */
extern const struct cmfa_vshape cmfa_vs_token;     /* TokenModelType */
extern const struct cmfa_vshape cmfa_vs_region;    /* RegionCodeType */
extern const struct cmfa_vshape cmfa_vs_arn;       /* ArnType */
extern const struct cmfa_vshape cmfa_vs_opt_arn;   /* OptionalArnType */
extern const struct cmfa_vshape cmfa_vs_mfa_level; /* UserPoolMfaType */
extern const struct cmfa_vshape cmfa_vs_attr_name; /* AttributeNameType */

/* A validation run: collects constraint errors, or the first type error. */
struct cmfa_vctx {
	unsigned nerr; /* constraint violations seen */
	bool ser;      /* a type error was seen (check stopped) */
	char ser_msg[128];
	bool nomem;
	struct cmfa_buf msg; /* "; "-joined constraint messages */
	char path[256];
	size_t plen;
};

void cmfa_v_init(struct cmfa_vctx *v);
void cmfa_v_free(struct cmfa_vctx *v);

/*
 * Check val against shape.  member is val's name on the wire (pushed on
 * the path) or NULL for the top-level document.
 */
void cmfa_v_check(struct cmfa_vctx *v, const char *member, const cJSON *val,
    const struct cmfa_vshape *shape);

/* Record one constraint violation at the current path + member. */
void cmfa_v_add(struct cmfa_vctx *v, const char *member, const char *value,
    bool sensitive, const char *rule);

/*
 * The outcome: CMFA_OK with verr cleared when nothing was wrong, else
 * CMFA_ERR_VALIDATION with verr filled (SerializationException for a type
 * error, InvalidParameterException for constraints), or CMFA_ERR_NOMEM.
 */
enum cmfa_err cmfa_v_result(struct cmfa_vctx *v, struct cmfa_verr *verr);

/* Fill verr with (type, formatted message); returns CMFA_ERR_VALIDATION. */
enum cmfa_err cmfa_v_refuse(struct cmfa_verr *verr, const char *type,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void cmfa_v_verr_clear(struct cmfa_verr *verr);

/*
 * cmfa_json_parse with the project's limits; on failure verr says why
 * (SerializationException) and the cmfa_json_parse error is returned.
 */
enum cmfa_err cmfa_v_parse_doc(const char *p, size_t len, cJSON **out,
    struct cmfa_verr *verr);

/* Member of obj by exact name; NULL when absent, JSON null, or obj not an
 * object. */
cJSON *cmfa_v_member(const cJSON *obj, const char *name);

/* String value of member name, NULL if absent (after validation). */
const char *cmfa_v_str(const cJSON *obj, const char *name);

/* Full match of pattern pat on the UTF-8 string s[0..len). */
bool cmfa_v_match(enum cmfa_vpat pat, const char *s, size_t len);

/* The model's pattern text, as Cognito quotes it. */
const char *cmfa_v_pattern_text(enum cmfa_vpat pat);

/* Java String.length() of valid UTF-8 (UTF-16 code units). */
size_t cmfa_v_utf16_len(const char *s, size_t len);

/*
 * "[A, B, C]": the NULL-terminated enum values in Java HashSet iteration
 * order.  Returns false when dst is too small.
 */
bool cmfa_v_enum_set(const char *const *vals, char *dst, size_t dstsz);

/*
 * A deep copy of src with structure members in the shape's (the model's)
 * order; known members that are JSON null are dropped; unknown members
 * follow, kept when keep_unknown, dropped otherwise.  Values whose type
 * does not match the shape are copied as they are.  NULL on memory
 * failure.
 */
cJSON *cmfa_v_copy(const cJSON *src, const struct cmfa_vshape *shape,
    bool keep_unknown);

/* Add item under name; on failure item is deleted and false returned. */
bool cmfa_v_add_item(cJSON *obj, const char *name, cJSON *item);

/* Is name one of shape's member names? */
bool cmfa_v_is_member(const struct cmfa_vshape *shape, const char *name);

/*
 * user.c, for mfapref.c: validate doc as an AdminGetUser response and on
 * success fill *out, which then owns doc (on failure the caller keeps doc).
 */
enum cmfa_err cmfa_user_adopt(cJSON *doc, struct cmfa_user *out,
    struct cmfa_verr *verr);

#endif /* CMFA_VALIDATE_H */
