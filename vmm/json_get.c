// SPDX-License-Identifier: GPL-2.0
/*
 * Reading values out of a parsed JSON tree, with messages that name the
 * value by its path ("regions[3].start: ..."), and writing JSON strings.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "vmm/json.h"

static const char *const type_names[] = {
	[JSON_NULL] = "null",
	[JSON_BOOL] = "a boolean",
	[JSON_NUMBER] = "a number",
	[JSON_STRING] = "a string",
	[JSON_ARRAY] = "an array",
	[JSON_OBJECT] = "an object",
};

const char *json_type_name(enum json_type type)
{
	if ((unsigned int)type < sizeof(type_names) / sizeof(type_names[0]))
		return type_names[type];
	return "?";
}

static int json_fail(struct json_error *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "PATH: what"; the top level has no path. */
static int json_fail(struct json_error *err, const char *path, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err->msg, sizeof(err->msg), "%s: %s",
		 path && path[0] ? path : "the top level", what);
	return -EINVAL;
}

const struct json_value *json_find(const struct json_value *object,
				   const char *key)
{
	size_t len = strlen(key), i;

	if (!object || object->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < object->u.object.nr; i++) {
		const struct json_member *m = &object->u.object.members[i];

		if (m->key_len == len && !memcmp(m->key, key, len))
			return &m->value;
	}
	return NULL;
}

size_t json_array_len(const struct json_value *array)
{
	return array && array->type == JSON_ARRAY ? array->u.array.nr : 0;
}

const struct json_value *json_array_at(const struct json_value *array,
				       size_t index)
{
	if (index >= json_array_len(array))
		return NULL;
	return &array->u.array.items[index];
}

int json_expect(const struct json_value *value, enum json_type type,
		const char *path, struct json_error *err)
{
	if (!value)
		return json_fail(err, path, "missing");
	if (value->type != type)
		return json_fail(err, path, "expected %s, found %s",
				 json_type_name(type), json_type_name(value->type));
	return 0;
}

int json_get_u64(const struct json_value *value, const char *path,
		 uint64_t *out, struct json_error *err)
{
	const char *text;
	uint64_t n = 0;
	size_t i;

	if (value && value->type != JSON_NUMBER)
		return json_fail(err, path, "expected an unsigned integer, found %s",
				 json_type_name(value->type));
	if (json_expect(value, JSON_NUMBER, path, err))
		return -EINVAL;
	text = value->u.number;
	if (strspn(text, "0123456789") != strlen(text))
		return json_fail(err, path, "expected an unsigned integer, found %.40s%s",
				 text, strlen(text) > 40 ? "..." : "");
	for (i = 0; text[i]; i++) {
		unsigned int digit = text[i] - '0';

		if (n > (UINT64_MAX - digit) / 10)
			return json_fail(err, path, "%.40s%s is too large (at most %llu)",
					 text, strlen(text) > 40 ? "..." : "",
					 (unsigned long long)UINT64_MAX);
		n = n * 10 + digit;
	}
	*out = n;
	return 0;
}

int json_get_bool(const struct json_value *value, const char *path,
		  bool *out, struct json_error *err)
{
	if (value && value->type != JSON_BOOL)
		return json_fail(err, path, "expected true or false, found %s",
				 json_type_name(value->type));
	if (json_expect(value, JSON_BOOL, path, err))
		return -EINVAL;
	*out = value->u.boolean;
	return 0;
}

int json_get_string(const struct json_value *value, const char *path,
		    const char **out, struct json_error *err)
{
	if (json_expect(value, JSON_STRING, path, err))
		return -EINVAL;
	/* C strings end at the first NUL: the rest would be lost unseen. */
	if (strlen(value->u.string.chars) != value->u.string.len)
		return json_fail(err, path, "the string holds a NUL character (\\u0000)");
	*out = value->u.string.chars;
	return 0;
}

void json_write_string(FILE *out, const char *s)
{
	const unsigned char *c = (const unsigned char *)s;
	size_t left = strlen(s), n;

	fputc('"', out);
	while (left) {
		switch (*c) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*c < 0x20) {
				fprintf(out, "\\u%04x", *c);
				break;
			}
			n = json_utf8_sequence_len(c, left);
			if (!n) {
				/* Not UTF-8 (a name cut short, a stray byte). */
				fputs("\\ufffd", out);
				break;
			}
			fwrite(c, 1, n, out);
			c += n - 1;
			left -= n - 1;
			break;
		}
		c++;
		left--;
	}
	fputc('"', out);
}
