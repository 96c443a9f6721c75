/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small, strict JSON reader (RFC 8259): the whole text becomes a tree,
 * or an error that says where (NAME:LINE:COLUMN) and what was expected.
 * Strict because the files it reads are saved plans: a typo must be an
 * error, not a silently different machine. So: no comments, no trailing
 * commas, no duplicate keys, no leading zeros, valid UTF-8 only, nothing
 * after the top-level value, nesting at most JSON_MAX_DEPTH deep.
 *
 * Numbers keep their text: json_get_u64() reads unsigned 64-bit integers
 * exactly, which a double cannot.
 *
 * json.c parses; json_get.c holds the typed getters and the string writer.
 */
#ifndef SHAPEVM_JSON_H
#define SHAPEVM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	64

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_member;

struct json_value {
	enum json_type type;
	size_t offset;			/* where it starts in the text */
	union {
		bool boolean;
		char *number;		/* the number's text, NUL-terminated */
		struct {
			char *chars;	/* UTF-8, NUL-terminated; may hold NULs (\u0000) */
			size_t len;
		} string;
		struct {
			struct json_value *items;
			size_t nr;
		} array;
		struct {
			struct json_member *members;	/* in the text's order */
			size_t nr;
		} object;
	} u;
};

struct json_member {
	char *key;			/* NUL-terminated */
	size_t key_len;			/* keys may hold NULs too */
	size_t offset;			/* of the key, in the text */
	struct json_value value;
};

struct json_error {
	char msg[320];
};

/*
 * Parses @len bytes of @text (no NUL terminator needed) into @root. @name
 * (a file name; may be NULL) starts error messages: "plan.json:3:17:
 * expected ',' or '}' after an object member, found '\"'". Returns 0,
 * -EINVAL for text that is not JSON, or -ENOMEM; @root is left empty on
 * error. Free the tree with json_free().
 */
int json_parse(const char *name, const char *text, size_t len,
	       struct json_value *root, struct json_error *err);
void json_free(struct json_value *value);

const char *json_type_name(enum json_type type);

/* The member named @key of an object; NULL if absent or not an object. */
const struct json_value *json_find(const struct json_value *object,
				   const char *key);
/* Items of an array (0 for anything else), and item @index or NULL. */
size_t json_array_len(const struct json_value *array);
const struct json_value *json_array_at(const struct json_value *array,
				       size_t index);

/*
 * Typed getters. @value may be NULL (a member json_find did not find);
 * @path names it in the message, e.g. "regions[3].start: expected an
 * unsigned integer, found a string" or "regions[3].start: missing". All
 * return 0 or -EINVAL.
 */
int json_expect(const struct json_value *value, enum json_type type,
		const char *path, struct json_error *err);
/* A plain decimal integer 0..18446744073709551615: no sign, '.' or 'e'. */
int json_get_u64(const struct json_value *value, const char *path,
		 uint64_t *out, struct json_error *err);
int json_get_bool(const struct json_value *value, const char *path,
		  bool *out, struct json_error *err);
/* A string that holds no NUL character (so it is a C string). */
int json_get_string(const struct json_value *value, const char *path,
		    const char **out, struct json_error *err);

/*
 * Writes @s as a JSON string, quotes included: '"', '\\' and control
 * characters escaped, UTF-8 as it is, and any byte that is not part of
 * valid UTF-8 as \ufffd, so the output is always valid JSON.
 */
void json_write_string(FILE *out, const char *s);

/*
 * Length of the valid UTF-8 sequence at @s (at most @avail bytes, at least
 * one), or 0. Overlong forms, surrogates and code points past U+10FFFF are
 * invalid.
 */
size_t json_utf8_sequence_len(const unsigned char *s, size_t avail);

#endif
