// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON reader: a recursive descent over a length-bounded text (it may
 * hold NUL bytes and need not end in one). Recursion is bounded by
 * JSON_MAX_DEPTH, so a hostile file cannot exhaust the stack. Positions are
 * byte offsets until an error needs a LINE:COLUMN, computed then.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/json.h"

struct parser {
	const char *name;
	const unsigned char *text;
	size_t len;
	size_t pos;
	unsigned int depth;
	struct json_error *err;
};

/* A growing byte buffer for a string's decoded characters. */
struct strbuf {
	char *chars;
	size_t len;
	size_t cap;
};

size_t json_utf8_sequence_len(const unsigned char *s, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* The code point of a valid n-byte UTF-8 sequence. */
static uint32_t utf8_decode(const unsigned char *s, size_t n)
{
	uint32_t cp = n == 1 ? s[0] : s[0] & (0x7f >> n);
	size_t i;

	for (i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

/* LINE:COLUMN of an offset, both from 1; columns count characters. */
static void text_position(const struct parser *p, size_t offset,
			  unsigned int *line, unsigned int *column)
{
	size_t i;

	*line = 1;
	*column = 1;
	for (i = 0; i < offset && i < p->len; i++) {
		if (p->text[i] == '\n') {
			(*line)++;
			*column = 1;
		} else if ((p->text[i] & 0xc0) != 0x80) {
			(*column)++;
		}
	}
}

/* What stands at offset, for "found ..." in messages. */
static void describe_at(const struct parser *p, size_t offset, char *buf,
			size_t len)
{
	unsigned char c;
	size_t n;

	if (offset >= p->len) {
		snprintf(buf, len, "the end of the input");
		return;
	}
	c = p->text[offset];
	n = json_utf8_sequence_len(p->text + offset, p->len - offset);
	if (!c)
		snprintf(buf, len, "a NUL byte");
	else if (c > 0x20 && c < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else if (n > 1)
		snprintf(buf, len, "'%.*s' (U+%04X)", (int)n, (const char *)p->text + offset,
			 utf8_decode(p->text + offset, n));
	else
		snprintf(buf, len, "byte 0x%02x", c);
}

static int parser_fail_at(struct parser *p, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int parser_fail_at(struct parser *p, size_t offset, const char *fmt, ...)
{
	unsigned int line, column;
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	text_position(p, offset, &line, &column);
	snprintf(p->err->msg, sizeof(p->err->msg), "%s%s%u:%u: %s",
		 p->name ? p->name : "", p->name ? ":" : "", line, column, what);
	return -EINVAL;
}

/* "expected X, found Y" at the current position. */
static int parser_expected(struct parser *p, const char *expected)
{
	char found[48];

	describe_at(p, p->pos, found, sizeof(found));
	return parser_fail_at(p, p->pos, "expected %s, found %s", expected, found);
}

static int parser_no_memory(struct parser *p)
{
	parser_fail_at(p, p->pos, "out of memory");
	return -ENOMEM;
}

static void skip_whitespace(struct parser *p)
{
	while (p->pos < p->len && (p->text[p->pos] == ' ' || p->text[p->pos] == '\t' ||
				   p->text[p->pos] == '\n' || p->text[p->pos] == '\r'))
		p->pos++;
}

static int peek(const struct parser *p)
{
	return p->pos < p->len ? p->text[p->pos] : -1;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int strbuf_append(struct strbuf *b, const void *bytes, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 16;
		char *chars;

		while (b->len + n + 1 > cap)
			cap *= 2;
		chars = realloc(b->chars, cap);
		if (!chars)
			return -ENOMEM;
		b->chars = chars;
		b->cap = cap;
	}
	memcpy(b->chars + b->len, bytes, n);
	b->len += n;
	b->chars[b->len] = 0;
	return 0;
}

static int strbuf_append_code_point(struct strbuf *b, uint32_t cp)
{
	unsigned char out[4];
	size_t n;

	if (cp < 0x80) {
		out[0] = cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | ((cp >> 6) & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		n = 3;
	} else {
		out[0] = 0xf0 | cp >> 18;
		out[1] = 0x80 | ((cp >> 12) & 0x3f);
		out[2] = 0x80 | ((cp >> 6) & 0x3f);
		out[3] = 0x80 | (cp & 0x3f);
		n = 4;
	}
	return strbuf_append(b, out, n);
}

/* The four hex digits after "\u" at offset; -1 when they are not there. */
static int32_t read_hex4(const struct parser *p, size_t offset)
{
	int32_t value = 0;
	size_t i;

	if (offset > p->len || p->len - offset < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		unsigned char c = p->text[offset + i];

		value <<= 4;
		if (is_digit(c))
			value |= c - '0';
		else if (c >= 'a' && c <= 'f')
			value |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			value |= c - 'A' + 10;
		else
			return -1;
	}
	return value;
}

/* "\uXXXX", or a surrogate pair "\uD83D\uDE00", at p->pos. */
static int parse_unicode_escape(struct parser *p, struct strbuf *b)
{
	size_t at = p->pos;
	int32_t cp = read_hex4(p, at + 2), low;

	if (cp < 0)
		return parser_fail_at(p, at, "expected 4 hex digits after \\u");
	p->pos += 6;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return parser_fail_at(p, at, "unpaired surrogate \\u%04x (a low surrogate with no high one before it)",
				      cp);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		low = -1;
		if (p->len - p->pos >= 2 && p->text[p->pos] == '\\' &&
		    p->text[p->pos + 1] == 'u')
			low = read_hex4(p, p->pos + 2);
		if (low < 0xdc00 || low > 0xdfff)
			return parser_fail_at(p, at, "unpaired surrogate \\u%04x (a high surrogate must be followed by a low one, \\udc00 to \\udfff)",
					      cp);
		p->pos += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
	}
	return strbuf_append_code_point(b, cp) ? parser_no_memory(p) : 0;
}

static int parse_escape(struct parser *p, struct strbuf *b)
{
	static const char plain[] = "\"\\/bfnrt", meant[] = "\"\\/\b\f\n\r\t";
	const char *which;
	char found[32];
	int c;

	if (p->pos + 1 >= p->len)
		return -EAGAIN;	/* the caller says the string is unterminated */
	c = p->text[p->pos + 1];
	if (c == 'u')
		return parse_unicode_escape(p, b);
	which = c ? strchr(plain, c) : NULL;
	if (!which) {
		describe_at(p, p->pos + 1, found, sizeof(found));
		return parser_fail_at(p, p->pos, "invalid escape: \\ followed by %s (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
				      found);
	}
	p->pos += 2;
	return strbuf_append(b, &meant[which - plain], 1) ? parser_no_memory(p) : 0;
}

/* A control character inside a string: JSON wants it escaped. */
static int string_control_character(struct parser *p, unsigned char c)
{
	if (!c)
		return parser_fail_at(p, p->pos, "NUL byte in a string (write it as \\u0000)");
	if (c == '\n')
		return parser_fail_at(p, p->pos, "line break in a string (a '\"' missing? write a line break as \\n)");
	return parser_fail_at(p, p->pos, "control character 0x%02x in a string (write it as \\u%04x)",
			      c, c);
}

/* A string at p->pos (its '"'); its characters go to chars/len. */
static int parse_string(struct parser *p, char **chars, size_t *len)
{
	struct strbuf b = { 0 };
	size_t start = p->pos, n;
	int ret = 0;

	p->pos++;
	while (!ret) {
		unsigned char c;

		if (p->pos >= p->len) {
			ret = parser_fail_at(p, start, "string not terminated: the input ends before its closing '\"'");
			break;
		}
		c = p->text[p->pos];
		if (c == '"')
			break;
		if (c == '\\') {
			ret = parse_escape(p, &b);
			if (ret == -EAGAIN)
				ret = parser_fail_at(p, start, "string not terminated: the input ends before its closing '\"'");
		} else if (c < 0x20) {
			ret = string_control_character(p, c);
		} else {
			n = json_utf8_sequence_len(p->text + p->pos, p->len - p->pos);
			if (!n)
				ret = parser_fail_at(p, p->pos, "invalid UTF-8 (byte 0x%02x) in a string", c);
			else if (strbuf_append(&b, p->text + p->pos, n))
				ret = parser_no_memory(p);
			p->pos += n;
		}
	}
	if (!ret && !b.chars && strbuf_append(&b, "", 0))
		ret = parser_no_memory(p);
	if (ret) {
		free(b.chars);
		return ret;
	}
	p->pos++;
	*chars = b.chars;
	*len = b.len;
	return 0;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, kept as text. */
static int parse_number(struct parser *p, struct json_value *out)
{
	size_t start = p->pos;

	if (peek(p) == '-')
		p->pos++;
	if (!is_digit(peek(p)))
		return parser_expected(p, "a digit after '-'");
	if (peek(p) == '0' && p->pos + 1 < p->len && is_digit(p->text[p->pos + 1]))
		return parser_fail_at(p, p->pos, "leading zeros are not allowed in numbers");
	while (is_digit(peek(p)))
		p->pos++;
	if (peek(p) == '.') {
		p->pos++;
		if (!is_digit(peek(p)))
			return parser_expected(p, "a digit after the decimal point");
		while (is_digit(peek(p)))
			p->pos++;
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (!is_digit(peek(p)))
			return parser_expected(p, "a digit in the exponent");
		while (is_digit(peek(p)))
			p->pos++;
	}
	out->u.number = strndup((const char *)p->text + start, p->pos - start);
	if (!out->u.number)
		return parser_no_memory(p);
	out->type = JSON_NUMBER;
	return 0;
}

static bool is_word_char(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* true, false or null: the whole word must match ("truex" is no value). */
static int parse_literal(struct parser *p, struct json_value *out)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t start = p->pos, n, i;

	while (is_word_char(peek(p)))
		p->pos++;
	n = p->pos - start;
	for (i = 0; i < 3; i++) {
		if (strlen(words[i]) == n && !memcmp(p->text + start, words[i], n)) {
			out->type = i == 2 ? JSON_NULL : JSON_BOOL;
			out->u.boolean = i == 0;
			return 0;
		}
	}
	return parser_fail_at(p, start, "expected a value (object, array, string, number, true, false or null), found '%.*s'",
			      (int)(n > 24 ? 24 : n), (const char *)p->text + start);
}

static int parse_value(struct parser *p, struct json_value *out);

static int array_append(struct json_value *array, const struct json_value *item)
{
	size_t nr = array->u.array.nr;
	struct json_value *items = array->u.array.items;

	/* Grow at powers of two: the count alone tells the capacity. */
	if (!(nr & (nr - 1))) {
		items = realloc(items, (nr ? nr * 2 : 1) * sizeof(*items));
		if (!items)
			return -ENOMEM;
		array->u.array.items = items;
	}
	items[nr] = *item;
	array->u.array.nr = nr + 1;
	return 0;
}

static int parse_array(struct parser *p, struct json_value *out)
{
	struct json_value item;
	int ret;

	out->type = JSON_ARRAY;
	p->pos++;
	skip_whitespace(p);
	if (peek(p) == ']') {
		p->pos++;
		return 0;
	}
	for (;;) {
		ret = parse_value(p, &item);
		if (ret)
			return ret;
		if (array_append(out, &item)) {
			json_free(&item);
			return parser_no_memory(p);
		}
		skip_whitespace(p);
		if (peek(p) == ']') {
			p->pos++;
			return 0;
		}
		if (peek(p) != ',')
			return parser_expected(p, "',' or ']' after an array element");
		p->pos++;
		skip_whitespace(p);
		if (peek(p) == ']')
			return parser_fail_at(p, p->pos, "expected a value after ',', found ']' (JSON allows no trailing comma)");
	}
}

static int member_compare(const void *a, const void *b, void *opaque)
{
	const struct json_member *members = opaque;
	const struct json_member *ma = &members[*(const size_t *)a];
	const struct json_member *mb = &members[*(const size_t *)b];
	size_t n = ma->key_len < mb->key_len ? ma->key_len : mb->key_len;
	int c = memcmp(ma->key, mb->key, n);

	if (c)
		return c;
	if (ma->key_len != mb->key_len)
		return ma->key_len < mb->key_len ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static bool same_key(const struct json_member *a, const struct json_member *b)
{
	return a->key_len == b->key_len && !memcmp(a->key, b->key, a->key_len);
}

/*
 * Rule: duplicate keys are an error (which one would count?). Sorting by
 * key, then position, finds them in n log n; the one reported is the
 * earliest second occurrence of any key.
 */
static int check_duplicate_keys(struct parser *p, const struct json_value *object)
{
	const struct json_member *members = object->u.object.members;
	size_t nr = object->u.object.nr, *order, i, first = 0, dup = nr;
	unsigned int line, column;

	if (nr < 2)
		return 0;
	order = calloc(nr, sizeof(*order));
	if (!order)
		return parser_no_memory(p);
	for (i = 0; i < nr; i++)
		order[i] = i;
	qsort_r(order, nr, sizeof(*order), member_compare, (void *)members);
	for (i = 1; i < nr; i++) {
		/* order[i] is a second occurrence when it starts a run of two. */
		if (!same_key(&members[order[i - 1]], &members[order[i]]))
			continue;
		if (i >= 2 && same_key(&members[order[i - 2]], &members[order[i]]))
			continue;
		if (order[i] < dup) {
			dup = order[i];
			first = order[i - 1];
		}
	}
	free(order);
	if (dup == nr)
		return 0;
	text_position(p, members[first].offset, &line, &column);
	return parser_fail_at(p, members[dup].offset, "duplicate key \"%.40s\" (first at %u:%u)",
			      members[dup].key, line, column);
}

static int object_append(struct json_value *object, const struct json_member *member)
{
	size_t nr = object->u.object.nr;
	struct json_member *members = object->u.object.members;

	if (!(nr & (nr - 1))) {
		members = realloc(members, (nr ? nr * 2 : 1) * sizeof(*members));
		if (!members)
			return -ENOMEM;
		object->u.object.members = members;
	}
	members[nr] = *member;
	object->u.object.nr = nr + 1;
	return 0;
}

static int parse_member(struct parser *p, struct json_member *m)
{
	int ret;

	m->offset = p->pos;
	ret = parse_string(p, &m->key, &m->key_len);
	if (ret)
		return ret;
	skip_whitespace(p);
	if (peek(p) != ':') {
		ret = parser_expected(p, "':' after an object key");
	} else {
		p->pos++;
		ret = parse_value(p, &m->value);
	}
	if (ret)
		free(m->key);
	return ret;
}

static int parse_object(struct parser *p, struct json_value *out)
{
	struct json_member m;
	int ret;

	out->type = JSON_OBJECT;
	p->pos++;
	skip_whitespace(p);
	if (peek(p) == '}') {
		p->pos++;
		return 0;
	}
	if (peek(p) != '"')
		return parser_expected(p, "a string key or '}'");
	for (;;) {
		ret = parse_member(p, &m);
		if (ret)
			return ret;
		if (object_append(out, &m)) {
			free(m.key);
			json_free(&m.value);
			return parser_no_memory(p);
		}
		skip_whitespace(p);
		if (peek(p) == '}') {
			p->pos++;
			return check_duplicate_keys(p, out);
		}
		if (peek(p) != ',')
			return parser_expected(p, "',' or '}' after an object member");
		p->pos++;
		skip_whitespace(p);
		if (peek(p) == '}')
			return parser_fail_at(p, p->pos, "expected a string key after ',', found '}' (JSON allows no trailing comma)");
		if (peek(p) != '"')
			return parser_expected(p, "a string key after ','");
	}
}

/* On error, out holds nothing to free. */
static int parse_value(struct parser *p, struct json_value *out)
{
	int c, ret;

	memset(out, 0, sizeof(*out));
	skip_whitespace(p);
	out->offset = p->pos;
	c = peek(p);
	if (c == '{' || c == '[') {
		if (p->depth >= JSON_MAX_DEPTH)
			return parser_fail_at(p, p->pos, "nested deeper than %d arrays and objects",
					      JSON_MAX_DEPTH);
		p->depth++;
		ret = c == '{' ? parse_object(p, out) : parse_array(p, out);
		p->depth--;
		if (ret)
			json_free(out);
		return ret;
	}
	if (c == '"') {
		ret = parse_string(p, &out->u.string.chars, &out->u.string.len);
		if (!ret)
			out->type = JSON_STRING;
		return ret;
	}
	if (c == '-' || is_digit(c))
		return parse_number(p, out);
	if (is_word_char(c))
		return parse_literal(p, out);
	return parser_expected(p, "a value (object, array, string, number, true, false or null)");
}

int json_parse(const char *name, const char *text, size_t len,
	       struct json_value *root, struct json_error *err)
{
	struct parser p = { .name = name, .text = (const unsigned char *)text,
			    .len = len, .err = err };
	int ret;

	ret = parse_value(&p, root);
	if (ret)
		return ret;
	skip_whitespace(&p);
	if (p.pos < p.len) {
		json_free(root);
		return parser_expected(&p, "the end of the input after the top-level value");
	}
	return 0;
}

void json_free(struct json_value *value)
{
	size_t i;

	switch (value->type) {
	case JSON_NUMBER:
		free(value->u.number);
		break;
	case JSON_STRING:
		free(value->u.string.chars);
		break;
	case JSON_ARRAY:
		for (i = 0; i < value->u.array.nr; i++)
			json_free(&value->u.array.items[i]);
		free(value->u.array.items);
		break;
	case JSON_OBJECT:
		for (i = 0; i < value->u.object.nr; i++) {
			free(value->u.object.members[i].key);
			json_free(&value->u.object.members[i].value);
		}
		free(value->u.object.members);
		break;
	default:
		break;
	}
	memset(value, 0, sizeof(*value));
}
