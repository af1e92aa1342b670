/*
 * skeleton.c: --generate-cli-skeleton (awscli/customizations/
 * generatecliskeleton.py and botocore's ArgumentGenerator, as aws-cli v2
 * runs them): the input skeleton has "" for strings, an enum's first
 * value, true, 0, one list element, {"KeyName": ...} for maps; the
 * output skeleton names each string after its member (a list's element
 * after its shape) and shows timestamps as the epoch in isoformat().
 * Members in the model's order, json.dumps(indent=4), a newline.
 */
#include <string.h>

#include "cmfa_cli.h"

static cJSON *
generate(const struct cmfa_cli_shape *s, bool names, const char *name)
{
	cJSON *v, *c;
	size_t i;

	switch (s->type) {
	case CMFA_CT_STRING:
		if (names)
			return cJSON_CreateString(name != NULL ? name : "");
		return cJSON_CreateString(s->enums != NULL ? s->enums[0] : "");
	case CMFA_CT_BOOL:
		return cJSON_CreateTrue();
	case CMFA_CT_INT:
		return cJSON_CreateRaw("0");
	case CMFA_CT_TIMESTAMP:
		return cJSON_CreateString("1970-01-01T00:00:00");
	case CMFA_CT_STRUCT:
		if ((v = cJSON_CreateObject()) == NULL)
			return NULL;
		for (i = 0; i < s->nmembers; i++) {
			c = generate(s->members[i].shape, names,
			    s->members[i].name);
			if (c == NULL ||
			    !cJSON_AddItemToObject(v, s->members[i].name, c)) {
				cJSON_Delete(c);
				cJSON_Delete(v);
				return NULL;
			}
		}
		return v;
	case CMFA_CT_LIST:
		if ((v = cJSON_CreateArray()) == NULL)
			return NULL;
		c = generate(s->item, names, s->item->name);
		if (c == NULL || !cJSON_AddItemToArray(v, c)) {
			cJSON_Delete(c);
			cJSON_Delete(v);
			return NULL;
		}
		return v;
	case CMFA_CT_MAP:
		if ((v = cJSON_CreateObject()) == NULL)
			return NULL;
		c = generate(s->item, names, "");
		if (c == NULL || !cJSON_AddItemToObject(v, "KeyName", c)) {
			cJSON_Delete(c);
			cJSON_Delete(v);
			return NULL;
		}
		return v;
	}
	return NULL;
}

enum cmfa_err
cmfa_cli_skeleton(const struct cmfa_cli_shape *shape, bool output,
    struct cmfa_buf *out)
{
	enum cmfa_err e;
	cJSON *v;

	if (shape == NULL) /* no output shape: an empty response */
		return CMFA_OK;
	if ((v = generate(shape, output, NULL)) == NULL)
		return CMFA_ERR_NOMEM;
	/* the CLI prints nothing for an empty output ({}) */
	if (output && v->child == NULL)
		e = CMFA_OK;
	else
		e = cmfa_cli_json_dump(v, false, out);
	cJSON_Delete(v);
	return e;
}
