// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/json and vmm/planjson: the strict reader's errors with their
 * positions, and saved plans that read back as the same plan, byte for
 * byte when written again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/suites.h"
#include "vmm/hostres.h"
#include "vmm/json.h"
#include "vmm/memplan.h"
#include "vmm/planjson.h"

#define GiB(n)	((uint64_t)(n) << 30)

/*
 * Everything a test allocates lives here, so the checked fixture frees it
 * even when an assertion ends the test early.
 */
static struct json_value root;
static struct vm_plan plan, back;
static struct host_facts facts, back_facts;
static char *text, *text2;

static void teardown(void)
{
	json_free(&root);
	memplan_free(&plan);
	memplan_free(&back);
	hostres_free(&facts);
	hostres_free(&back_facts);
	free(text);
	free(text2);
	text = text2 = NULL;
}

/* Parses a NUL-terminated text into root; the message goes to err. */
static int parse(const char *s, struct json_error *err)
{
	json_free(&root);
	memset(err, 0, sizeof(*err));
	return json_parse("t.json", s, strlen(s), &root, err);
}

START_TEST(test_json_document)
{
	static const char doc[] =
		"{\n  \"b\": [1, 2.5, -3e2, \"x\", true, false, null, {}, []],\n"
		"  \"a\": {\"c\": 18446744073709551615}\n}\n";
	const struct json_value *list, *inner;
	struct json_error err;
	uint64_t n;
	bool b;

	ck_assert_int_eq(parse(doc, &err), 0);
	ck_assert_int_eq(root.type, JSON_OBJECT);
	ck_assert_uint_eq(root.u.object.nr, 2);
	/* Members keep the text's order. */
	ck_assert_str_eq(root.u.object.members[0].key, "b");
	ck_assert_str_eq(root.u.object.members[1].key, "a");
	list = json_find(&root, "b");
	ck_assert_uint_eq(json_array_len(list), 9);
	ck_assert_int_eq(json_get_u64(json_array_at(list, 0), "b[0]", &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(json_array_at(list, 1)->type, JSON_NUMBER);
	ck_assert_str_eq(json_array_at(list, 2)->u.number, "-3e2");
	ck_assert_str_eq(json_array_at(list, 3)->u.string.chars, "x");
	ck_assert_int_eq(json_get_bool(json_array_at(list, 4), "b[4]", &b, &err), 0);
	ck_assert(b);
	ck_assert_int_eq(json_get_bool(json_array_at(list, 5), "b[5]", &b, &err), 0);
	ck_assert(!b);
	ck_assert_int_eq(json_array_at(list, 6)->type, JSON_NULL);
	ck_assert_int_eq(json_array_at(list, 7)->type, JSON_OBJECT);
	ck_assert_uint_eq(json_array_len(json_array_at(list, 8)), 0);
	ck_assert_ptr_null(json_array_at(list, 9));
	inner = json_find(&root, "a");
	ck_assert_int_eq(json_get_u64(json_find(inner, "c"), "a.c", &n, &err), 0);
	ck_assert_uint_eq(n, UINT64_MAX);
	ck_assert_ptr_null(json_find(&root, "c"));
	ck_assert_ptr_null(json_find(list, "b"));
}
END_TEST

START_TEST(test_json_scalars_at_top)
{
	struct json_error err;
	const char *s;

	ck_assert_int_eq(parse(" \t\r\n42 \n", &err), 0);
	ck_assert_int_eq(root.type, JSON_NUMBER);
	ck_assert_int_eq(parse("\"\"", &err), 0);
	ck_assert_int_eq(json_get_string(&root, "", &s, &err), 0);
	ck_assert_str_eq(s, "");
	ck_assert_int_eq(parse("null", &err), 0);
	ck_assert_int_eq(root.type, JSON_NULL);
	ck_assert_int_eq(parse("-0.5E+3", &err), 0);
	ck_assert_int_eq(root.type, JSON_NUMBER);
}
END_TEST

/* Only @len bytes count: what follows is neither read nor required. */
START_TEST(test_json_length_bounded)
{
	static const char buf[] = "[1, 2]garbage";
	struct json_error err;

	ck_assert_int_eq(json_parse("t.json", buf, 6, &root, &err), 0);
	ck_assert_uint_eq(json_array_len(&root), 2);
	json_free(&root);
	ck_assert_int_eq(json_parse("t.json", buf, 5, &root, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "t.json:1:6: expected ',' or ']' after an array element, found the end of the input");
	ck_assert_int_eq(root.type, JSON_NULL);
	ck_assert_int_eq(json_parse(NULL, buf, 0, &root, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "1:1: expected a value (object, array, string, number, true, false or null), found the end of the input");
}
END_TEST

struct syntax_case {
	const char *text;
	size_t len;		/* 0: strlen(text) */
	const char *msg;	/* after "t.json:" */
};

#define VALUE	"expected a value (object, array, string, number, true, false or null)"

static const struct syntax_case syntax_cases[] = {
	{ "", 0, "1:1: " VALUE ", found the end of the input" },
	{ "   \n  ", 0, "2:3: " VALUE ", found the end of the input" },
	{ "{\"a\": 1 \"b\": 2}", 0, "1:9: expected ',' or '}' after an object member, found '\"'" },
	{ "{\n  \"a\": 1,\n  \"b\": 2\n  \"c\": 3\n}", 0,
	  "4:3: expected ',' or '}' after an object member, found '\"'" },
	{ "{a: 1}", 0, "1:2: expected a string key or '}', found 'a'" },
	{ "{\"a\" 1}", 0, "1:6: expected ':' after an object key, found '1'" },
	{ "{\"a\": 1,}", 0, "1:9: expected a string key after ',', found '}' (JSON allows no trailing comma)" },
	{ "{\"a\": 1, 2}", 0, "1:10: expected a string key after ',', found '2'" },
	{ "[1 2]", 0, "1:4: expected ',' or ']' after an array element, found '2'" },
	{ "[1, 2,]", 0, "1:7: expected a value after ',', found ']' (JSON allows no trailing comma)" },
	{ "[,]", 0, "1:2: " VALUE ", found ','" },
	{ "[1] x", 0, "1:5: expected the end of the input after the top-level value, found 'x'" },
	{ "{} {}", 0, "1:4: expected the end of the input after the top-level value, found '{'" },
	{ "tru", 0, "1:1: " VALUE ", found 'tru'" },
	{ "[truex]", 0, "1:2: " VALUE ", found 'truex'" },
	{ "NULL", 0, "1:1: " VALUE ", found 'NULL'" },
	{ "// no comments\n1", 0, "1:1: " VALUE ", found '/'" },
	{ "'single'", 0, "1:1: " VALUE ", found '''" },
	{ "01", 0, "1:1: leading zeros are not allowed in numbers" },
	{ "[-007]", 0, "1:3: leading zeros are not allowed in numbers" },
	{ "-", 0, "1:2: expected a digit after '-', found the end of the input" },
	{ "-x", 0, "1:2: expected a digit after '-', found 'x'" },
	{ "+1", 0, "1:1: " VALUE ", found '+'" },
	{ ".5", 0, "1:1: " VALUE ", found '.'" },
	{ "1.", 0, "1:3: expected a digit after the decimal point, found the end of the input" },
	{ "1.e5", 0, "1:3: expected a digit after the decimal point, found 'e'" },
	{ "1e", 0, "1:3: expected a digit in the exponent, found the end of the input" },
	{ "1e+", 0, "1:4: expected a digit in the exponent, found the end of the input" },
	{ "\"abc", 0, "1:1: string not terminated: the input ends before its closing '\"'" },
	{ "[\"abc\\", 0, "1:2: string not terminated: the input ends before its closing '\"'" },
	{ "\"a\\x\"", 0, "1:3: invalid escape: \\ followed by 'x' (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)" },
	{ "\"\\u12\"", 0, "1:2: expected 4 hex digits after \\u" },
	{ "\"\\u12g4\"", 0, "1:2: expected 4 hex digits after \\u" },
	{ "\"\\ud800\"", 0, "1:2: unpaired surrogate \\ud800 (a high surrogate must be followed by a low one, \\udc00 to \\udfff)" },
	{ "\"\\ud800\\u0041\"", 0, "1:2: unpaired surrogate \\ud800 (a high surrogate must be followed by a low one, \\udc00 to \\udfff)" },
	{ "\"\\udc00\"", 0, "1:2: unpaired surrogate \\udc00 (a low surrogate with no high one before it)" },
	{ "\"a\nb\"", 0, "1:3: line break in a string (a '\"' missing? write a line break as \\n)" },
	{ "\"\t\"", 0, "1:2: control character 0x09 in a string (write it as \\u0009)" },
	{ "\"\xff\"", 0, "1:2: invalid UTF-8 (byte 0xff) in a string" },
	{ "\"\xc0\xaf\"", 0, "1:2: invalid UTF-8 (byte 0xc0) in a string" },
	{ "\"\xed\xa0\x80\"", 0, "1:2: invalid UTF-8 (byte 0xed) in a string" },
	{ "\"\xe2\x82\"", 0, "1:2: invalid UTF-8 (byte 0xe2) in a string" },
	/* Columns count characters, not bytes. */
	{ "[\"\xc3\xa9\" x]", 0, "1:6: expected ',' or ']' after an array element, found 'x'" },
	{ "\xef\xbb\xbf{}", 0, "1:1: " VALUE ", found '\xef\xbb\xbf' (U+FEFF)" },
	{ "{\"a\": 1, \"a\": 2}", 0, "1:10: duplicate key \"a\" (first at 1:2)" },
	{ "{\"b\":1,\"a\":2,\"a\":3,\"b\":4}", 0, "1:14: duplicate key \"a\" (first at 1:8)" },
	/* Truncated documents. */
	{ "{\"a\": [1, 2", 0, "1:12: expected ',' or ']' after an array element, found the end of the input" },
	{ "{\"a\"", 0, "1:5: expected ':' after an object key, found the end of the input" },
	{ "{\"a\":", 0, "1:6: " VALUE ", found the end of the input" },
	{ "{", 0, "1:2: expected a string key or '}', found the end of the input" },
	{ "[", 0, "1:2: " VALUE ", found the end of the input" },
	/* NUL bytes in the text. */
	{ "[1,\0 2]", 6, "1:4: " VALUE ", found a NUL byte" },
	{ "\"a\0b\"", 5, "1:3: NUL byte in a string (write it as \\u0000)" },
	{ "1\0", 2, "1:2: expected the end of the input after the top-level value, found a NUL byte" },
	{ "\0", 1, "1:1: " VALUE ", found a NUL byte" },
};

START_TEST(test_json_syntax_error)
{
	const struct syntax_case *c = &syntax_cases[_i];
	size_t len = c->len ? c->len : strlen(c->text);
	struct json_error err = { 0 };
	char want[400];

	snprintf(want, sizeof(want), "t.json:%s", c->msg);
	ck_assert_int_eq(json_parse("t.json", c->text, len, &root, &err), -EINVAL);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(root.type, JSON_NULL);
}
END_TEST

START_TEST(test_json_escapes)
{
	static const char want[] = "\" \\ / \b \f \n \r \t A \xc3\xa9 \xe2\x82\xac "
				   "\xf0\x9f\x98\x80 \xe6\x97\xa5";
	struct json_error err;
	const char *s;

	ck_assert_int_eq(parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u00e9 "
			       "\\u20AC \\ud83d\\ude00 \xe6\x97\xa5\"", &err), 0);
	ck_assert_int_eq(json_get_string(&root, "s", &s, &err), 0);
	ck_assert_str_eq(s, want);
	ck_assert_uint_eq(root.u.string.len, strlen(want));
	/* \u0000 is JSON, but not a C string. */
	ck_assert_int_eq(parse("{\"k\": \"a\\u0000b\"}", &err), 0);
	ck_assert_uint_eq(json_find(&root, "k")->u.string.len, 3);
	ck_assert_int_eq(json_get_string(json_find(&root, "k"), "k", &s, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "k: the string holds a NUL character (\\u0000)");
	/* Keys with NULs are kept whole: "a\0b" is not "a". */
	ck_assert_int_eq(parse("{\"a\\u0000b\": 1, \"a\": 2}", &err), 0);
	ck_assert_uint_eq(root.u.object.members[0].key_len, 3);
	ck_assert_ptr_eq(json_find(&root, "a"), &root.u.object.members[1].value);
}
END_TEST

/* A string of @depth '[' then as many ']'. */
static char *nested_arrays(size_t depth)
{
	char *s = malloc(2 * depth + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, '[', depth);
	memset(s + depth, ']', depth);
	s[2 * depth] = 0;
	return s;
}

START_TEST(test_json_depth_limit)
{
	struct json_error err;

	text = nested_arrays(JSON_MAX_DEPTH);
	ck_assert_int_eq(parse(text, &err), 0);
	free(text);
	text = nested_arrays(JSON_MAX_DEPTH + 1);
	ck_assert_int_eq(parse(text, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "t.json:1:65: nested deeper than 64 arrays and objects");
	free(text);
	/* Far deeper than any stack would allow without the limit. */
	text = nested_arrays(1000000);
	ck_assert_int_eq(parse(text, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "t.json:1:65: nested deeper than 64 arrays and objects");
	ck_assert_int_eq(parse("{\"a\": [{\"b\": [[{\"c\": 1}]]}]}", &err), 0);
}
END_TEST

START_TEST(test_json_duplicate_keys)
{
	struct json_error err;

	/* The same key in different objects is fine. */
	ck_assert_int_eq(parse("[{\"a\": 1}, {\"a\": 2, \"b\": {\"a\": 3}}]", &err), 0);
	ck_assert_int_eq(parse("{\"a\": 1, \"A\": 2, \"a \": 3, \"ab\": 4}", &err), 0);
	ck_assert_int_eq(parse("{\"x\": {\"k\": 1,\n \"k\": 2}}", &err), -EINVAL);
	ck_assert_str_eq(err.msg, "t.json:2:2: duplicate key \"k\" (first at 1:8)");
	/* Escapes count as what they mean. */
	ck_assert_int_eq(parse("{\"a\": 1, \"\\u0061\": 2}", &err), -EINVAL);
	ck_assert_str_eq(err.msg, "t.json:1:10: duplicate key \"a\" (first at 1:2)");
}
END_TEST

START_TEST(test_json_u64)
{
	struct json_error err;
	uint64_t n = 7;

	ck_assert_int_eq(parse("18446744073709551615", &err), 0);
	ck_assert_int_eq(json_get_u64(&root, "n", &n, &err), 0);
	ck_assert_uint_eq(n, UINT64_MAX);
	ck_assert_int_eq(parse("0", &err), 0);
	ck_assert_int_eq(json_get_u64(&root, "n", &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(parse("18446744073709551616", &err), 0);
	ck_assert_int_eq(json_get_u64(&root, "regions[3].start", &n, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "regions[3].start: 18446744073709551616 is too large (at most 18446744073709551615)");
	ck_assert_int_eq(parse("99999999999999999999", &err), 0);
	ck_assert_int_eq(json_get_u64(&root, "n", &n, &err), -EINVAL);
	ck_assert_int_eq(parse("-1", &err), 0);
	ck_assert_int_eq(json_get_u64(&root, "regions[3].start", &n, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "regions[3].start: expected an unsigned integer, found -1");
	ck_assert_int_eq(parse("1.0", &err), 0);
	ck_assert_int_eq(json_get_u64(&root, "n", &n, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "n: expected an unsigned integer, found 1.0");
	ck_assert_int_eq(parse("1e3", &err), 0);
	ck_assert_int_eq(json_get_u64(&root, "n", &n, &err), -EINVAL);
	ck_assert_int_eq(parse("\"12\"", &err), 0);
	ck_assert_int_eq(json_get_u64(&root, "n", &n, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "n: expected an unsigned integer, found a string");
	ck_assert_int_eq(json_get_u64(NULL, "regions[3].start", &n, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "regions[3].start: missing");
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_json_getters)
{
	struct json_error err;
	const char *s;
	bool b;

	ck_assert_int_eq(parse("[1]", &err), 0);
	ck_assert_int_eq(json_expect(&root, JSON_OBJECT, "regions[3]", &err), -EINVAL);
	ck_assert_str_eq(err.msg, "regions[3]: expected an object, found an array");
	ck_assert_int_eq(json_expect(&root, JSON_OBJECT, "", &err), -EINVAL);
	ck_assert_str_eq(err.msg, "the top level: expected an object, found an array");
	ck_assert_int_eq(json_get_bool(&root, "flag", &b, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "flag: expected true or false, found an array");
	ck_assert_int_eq(json_get_string(json_array_at(&root, 0), "s", &s, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "s: expected a string, found a number");
	ck_assert_int_eq(json_get_bool(NULL, "flag", &b, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "flag: missing");
	ck_assert_uint_eq(json_array_len(NULL), 0);
	ck_assert_ptr_null(json_find(NULL, "a"));
	ck_assert_str_eq(json_type_name(JSON_NULL), "null");
}
END_TEST

/* json_write_string's output for s, in a malloc'd string (text). */
static const char *written(const char *s)
{
	size_t len;
	FILE *out;

	free(text);
	text = NULL;
	out = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(out);
	json_write_string(out, s);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

START_TEST(test_json_write_string)
{
	static const char *const round_trip[] = {
		"", "plain", "say \"hi\"", "back\\slash", "\b\f\n\r\t\x01\x1f\x7f",
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "/",
	};
	struct json_error err;
	const char *s;
	size_t i;

	ck_assert_str_eq(written("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
	ck_assert_str_eq(written("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
	/* Not UTF-8: a stray byte, a sequence cut short by truncation. */
	ck_assert_str_eq(written("a\xff" "b"), "\"a\\ufffdb\"");
	ck_assert_str_eq(written("ab\xe2\x82"), "\"ab\\ufffd\\ufffd\"");
	for (i = 0; i < sizeof(round_trip) / sizeof(round_trip[0]); i++) {
		ck_assert_int_eq(parse(written(round_trip[i]), &err), 0);
		ck_assert_int_eq(json_get_string(&root, "s", &s, &err), 0);
		ck_assert_str_eq(s, round_trip[i]);
	}
}
END_TEST

/* Host A: an msi window and a direct region; host B: one reserved region. */
static void make_facts(struct host_facts *f, uint64_t msi, uint64_t direct)
{
	int a, b;

	a = hostres_add_host(f, "hostA.txt");
	b = hostres_add_host(f, "hostB.txt");
	ck_assert_int_eq(a, 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(hostres_add_region(f, a, direct, direct + 0x7fffff, HOST_DIRECT,
					    "0000:00:02.0 RMRR"), 0);
	ck_assert_int_eq(hostres_add_region(f, a, msi, msi + 0xfffff, HOST_MSI, ""), 0);
	ck_assert_int_eq(hostres_add_region(f, b, msi, msi + 0xfffff, HOST_MSI, ""), 0);
	ck_assert_int_eq(hostres_add_region(f, b, 0x10000000, 0x100fffff, HOST_RESERVED,
					    "quirk \"q\""), 0);
}

static void build_plan(const char *arch, uint64_t ram, const struct host_facts *f,
		       struct vm_plan *out)
{
	struct plan_request req = { .ram_size = ram, .nr_cpus = 2 };
	struct plan_constraints cons;
	struct plan_error err = { 0 };

	ck_assert_int_eq(memplan_arch_constraints(arch, &req, 40, &cons, &err), 0);
	ck_assert_msg(memplan_build(&req, &cons, f, out, &err) == 0, "%s", err.msg);
}

/* planjson_write into a malloc'd string. */
static char *write_plan(const struct vm_plan *p, const struct host_facts *f)
{
	char *buf = NULL;
	size_t len;
	FILE *out;

	out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(planjson_write(p, f, out), 0);
	ck_assert_int_eq(fclose(out), 0);
	ck_assert_uint_eq(strlen(buf), len);
	return buf;
}

static void assert_plans_equal(const struct vm_plan *a, const struct vm_plan *b)
{
	size_t i;

	ck_assert_str_eq(a->arch, b->arch);
	ck_assert_uint_eq(a->ram_size, b->ram_size);
	ck_assert_uint_eq(a->addr_limit, b->addr_limit);
	ck_assert_int_eq(a->allow_relaxable, b->allow_relaxable);
	ck_assert_uint_eq(a->doorbell.start, b->doorbell.start);
	ck_assert_uint_eq(a->doorbell.size, b->doorbell.size);
	ck_assert_str_eq(a->doorbell.where, b->doorbell.where);
	ck_assert_uint_eq(a->nr_regions, b->nr_regions);
	for (i = 0; i < a->nr_regions; i++) {
		const struct plan_region *ra = &a->regions[i], *rb = &b->regions[i];

		ck_assert_msg(ra->start == rb->start && ra->size == rb->size &&
			      ra->kind == rb->kind && !strcmp(ra->name, rb->name) &&
			      !strcmp(ra->why, rb->why), "region %zu: %s differs from %s",
			      i, ra->name, rb->name);
	}
}

/* The same host regions, in any order, hosts matched by name. */
static void assert_host_regions_equal(const struct host_facts *a,
				      const struct host_facts *b)
{
	bool used[16] = { false };
	size_t i, j;

	ck_assert_uint_eq(a->nr_regions, b->nr_regions);
	ck_assert_uint_le(b->nr_regions, 16);
	for (i = 0; i < a->nr_regions; i++) {
		const struct host_region *ha = &a->regions[i];

		for (j = 0; j < b->nr_regions; j++) {
			const struct host_region *hb = &b->regions[j];

			if (!used[j] && ha->start == hb->start && ha->end == hb->end &&
			    ha->type == hb->type && !strcmp(ha->what, hb->what) &&
			    !strcmp(a->hosts[ha->host].name, b->hosts[hb->host].name))
				break;
		}
		ck_assert_msg(j < b->nr_regions, "host region %zu (0x%llx) not read back",
			      i, (unsigned long long)ha->start);
		used[j] = true;
	}
}

/* Writes plan and facts, reads them into back and back_facts. */
static void round_trip(void)
{
	struct plan_error err = { 0 };

	free(text);
	free(text2);
	text = write_plan(&plan, &facts);
	ck_assert_msg(planjson_read("plan.json", text, strlen(text), &back, &back_facts,
				    &err) == 0, "%s", err.msg);
	assert_plans_equal(&plan, &back);
	assert_host_regions_equal(&facts, &back_facts);
	ck_assert_int_eq(memplan_check(&back, &back_facts, NULL), 0);
	/* Written again, the plan read back is the same text. */
	text2 = write_plan(&back, &back_facts);
	ck_assert_str_eq(text, text2);
}

static size_t count_kind(const struct vm_plan *p, enum plan_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nr_regions; i++)
		n += p->regions[i].kind == kind;
	return n;
}

START_TEST(test_round_trip_x86)
{
	make_facts(&facts, 0xfee00000, 0x7d000000);
	build_plan("x86_64", GiB(4), &facts, &plan);
	/* The direct region splits low RAM: more than the usual banks. */
	ck_assert_uint_ge(count_kind(&plan, PLAN_RAM), 3);
	ck_assert_uint_eq(plan.doorbell.start, 0xfee00000);
	round_trip();
	ck_assert_uint_eq(back_facts.nr_hosts, 2);
}
END_TEST

START_TEST(test_round_trip_arm64)
{
	make_facts(&facts, 0x8000000, 0x50000000);
	build_plan("arm64", GiB(2), &facts, &plan);
	ck_assert_uint_ge(count_kind(&plan, PLAN_RAM), 2);
	ck_assert_ptr_nonnull(strstr(plan.doorbell.where, "msi window"));
	round_trip();
}
END_TEST

START_TEST(test_round_trip_without_facts)
{
	struct plan_error err = { 0 };

	build_plan("x86_64", GiB(1), NULL, &plan);
	text = write_plan(&plan, NULL);
	ck_assert_ptr_nonnull(strstr(text, "\n  \"host_reserved\": []\n}\n"));
	ck_assert_int_eq(planjson_read("plan.json", text, strlen(text), &back, NULL, &err), 0);
	assert_plans_equal(&plan, &back);
	memplan_free(&back);
	ck_assert_int_eq(planjson_read("plan.json", text, strlen(text), &back, &back_facts,
				       &err), 0);
	ck_assert_uint_eq(back_facts.nr_hosts, 0);
	ck_assert_uint_eq(back_facts.nr_regions, 0);
}
END_TEST

START_TEST(test_write_deterministic)
{
	make_facts(&facts, 0x8000000, 0x50000000);
	build_plan("arm64", GiB(3), &facts, &plan);
	text = write_plan(&plan, &facts);
	text2 = write_plan(&plan, &facts);
	ck_assert_str_eq(text, text2);
	/* Another plan from the same inputs: the same bytes. */
	build_plan("arm64", GiB(3), &facts, &back);
	free(text2);
	text2 = write_plan(&back, &facts);
	ck_assert_str_eq(text, text2);
}
END_TEST

/* The format itself, pinned: key order, indentation, one region a line. */
START_TEST(test_write_format)
{
	static const char want[] =
		"{\n"
		"  \"version\": 1,\n"
		"  \"arch\": \"x86_64\",\n"
		"  \"ram_size\": 4096,\n"
		"  \"addr_limit\": 1099511627776,\n"
		"  \"allow_relaxable\": true,\n"
		"  \"ram\": [\n"
		"    {\"start\": 0, \"size\": 4096}\n"
		"  ],\n"
		"  \"regions\": [\n"
		"    {\"kind\": \"ram\", \"name\": \"ram0\", \"start\": 0, \"size\": 4096, \"why\": \"guest RAM bank 0\"},\n"
		"    {\"kind\": \"msi\", \"name\": \"lapic-msi\", \"start\": 4276092928, \"size\": 1048576, \"why\": \"say \\\"hi\\\"\\n\"}\n"
		"  ],\n"
		"  \"doorbell\": {\"start\": 4276092928, \"size\": 1048576, \"where\": \"fixed\"},\n"
		"  \"host_reserved\": [\n"
		"    {\"start\": 4276092928, \"end\": 4277141503, \"type\": \"msi\", \"host\": \"b\", \"what\": \"\"},\n"
		"    {\"start\": 4276092928, \"end\": 4277141503, \"type\": \"msi\", \"host\": \"c\", \"what\": \"\"},\n"
		"    {\"start\": 18446744073709547520, \"end\": 18446744073709551615, \"type\": \"peer-bar\", \"host\": \"c\", \"what\": \"BAR 0\"}\n"
		"  ]\n"
		"}\n";
	static const struct plan_region regions[] = {
		{ 0, 4096, PLAN_RAM, "ram0", "guest RAM bank 0" },
		{ 0xfee00000, 0x100000, PLAN_MSI, "lapic-msi", "say \"hi\"\n" },
	};
	int c, b;

	snprintf(plan.arch, sizeof(plan.arch), "x86_64");
	plan.ram_size = 4096;
	plan.addr_limit = 1ULL << 40;
	plan.allow_relaxable = true;
	plan.doorbell = (struct plan_doorbell){ 0xfee00000, 0x100000, "fixed" };
	ck_assert_int_eq(memplan_add_region(&plan, &regions[0]), 0);
	ck_assert_int_eq(memplan_add_region(&plan, &regions[1]), 0);
	/* Host "c" first in the list: the output sorts by name, not index. */
	c = hostres_add_host(&facts, "c");
	b = hostres_add_host(&facts, "b");
	ck_assert_int_eq(hostres_add_region(&facts, c, 0xfffffffffffff000, UINT64_MAX,
					    HOST_PEER_BAR, "BAR 0"), 0);
	ck_assert_int_eq(hostres_add_region(&facts, c, 0xfee00000, 0xfeefffff, HOST_MSI, ""), 0);
	ck_assert_int_eq(hostres_add_region(&facts, b, 0xfee00000, 0xfeefffff, HOST_MSI, ""), 0);
	text = write_plan(&plan, &facts);
	ck_assert_str_eq(text, want);
	round_trip();
	ck_assert_str_eq(back_facts.hosts[0].name, "b");
}
END_TEST

/* A small valid plan; the validation tests change one piece of it. */
static const char base_doc[] =
	"{\"version\": 1, \"arch\": \"x86_64\", \"ram_size\": 8192,\n"
	" \"addr_limit\": 1099511627776, \"allow_relaxable\": false,\n"
	" \"ram\": [{\"start\": 0, \"size\": 4096}, {\"start\": 1048576, \"size\": 4096}],\n"
	" \"regions\": [{\"kind\": \"ram\", \"name\": \"ram0\", \"start\": 0, \"size\": 4096, \"why\": \"low\"},\n"
	"   {\"kind\": \"ram\", \"name\": \"ram1\", \"start\": 1048576, \"size\": 4096, \"why\": \"high\"},\n"
	"   {\"kind\": \"device\", \"name\": \"dev\", \"start\": 65536, \"size\": 4096}],\n"
	" \"doorbell\": {\"start\": 4276092928, \"size\": 1048576, \"where\": \"fixed\"},\n"
	" \"host_reserved\": [{\"start\": 4276092928, \"end\": 4277141503, \"type\": \"msi\", \"host\": \"a\", \"what\": \"\"},\n"
	"   {\"start\": 4096, \"end\": 8191, \"type\": \"direct\", \"host\": \"b\", \"what\": \"rmrr\"}]}\n";

/* base_doc with the first @from replaced by @to, in text. */
static const char *variant(const char *from, const char *to)
{
	const char *at = strstr(base_doc, from);

	ck_assert_msg(at != NULL, "\"%s\" not in the base document", from);
	free(text);
	ck_assert_int_gt(asprintf(&text, "%.*s%s%s", (int)(at - base_doc), base_doc, to,
				  at + strlen(from)), 0);
	return text;
}

static int read_doc(const char *doc, struct plan_error *err)
{
	memset(err, 0, sizeof(*err));
	memplan_free(&back);
	return planjson_read("t.json", doc, strlen(doc), &back, &back_facts, err);
}

START_TEST(test_read_base)
{
	struct plan_error err;

	ck_assert_msg(read_doc(base_doc, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(back.arch, "x86_64");
	ck_assert_uint_eq(back.ram_size, 8192);
	ck_assert_uint_eq(back.addr_limit, 1ULL << 40);
	ck_assert_uint_eq(back.nr_regions, 3);
	/* Sorted by start on the way in. */
	ck_assert_str_eq(back.regions[1].name, "dev");
	ck_assert_str_eq(back.regions[1].why, "");
	ck_assert_str_eq(back.doorbell.where, "fixed");
	ck_assert_uint_eq(back_facts.nr_hosts, 2);
	ck_assert_str_eq(back_facts.hosts[0].name, "a");
	ck_assert_str_eq(back_facts.hosts[1].name, "b");
	ck_assert_uint_eq(back_facts.nr_regions, 2);
	ck_assert_uint_eq(back_facts.regions[1].host, 1);
	ck_assert_int_eq(back_facts.regions[1].type, HOST_DIRECT);
	ck_assert_str_eq(back_facts.regions[1].what, "rmrr");
}
END_TEST

struct read_case {
	const char *from, *to;
	const char *msg;	/* the whole message */
};

static const struct read_case read_cases[] = {
	{ "\"version\": 1", "\"version\": 2",
	  "t.json: version: 2 is not a version this shapevm reads (1)" },
	{ "\"version\": 1, ", "", "t.json: version: missing" },
	{ "\"version\": 1", "\"version\": \"1\"",
	  "t.json: version: expected an unsigned integer, found a string" },
	{ "\"x86_64\"", "\"riscv64\"",
	  "t.json: arch: \"riscv64\" is not an architecture shapevm plans for (x86_64 or arm64)" },
	{ "\"arch\": \"x86_64\", ", "", "t.json: arch: missing" },
	{ "\"ram_size\": 8192,", "", "t.json: ram_size: missing" },
	{ "\"addr_limit\": 1099511627776,", "\"addr_limit\": -1,",
	  "t.json: addr_limit: expected an unsigned integer, found -1" },
	{ "\"allow_relaxable\": false", "\"allow_relaxable\": 0",
	  "t.json: allow_relaxable: expected true or false, found a number" },
	{ "\"ram_size\": 8192", "\"ram_size\": 12288",
	  "t.json: ram_size: 12288, but the RAM banks total 8192" },
	{ "\"kind\": \"device\", ", "", "t.json: regions[2].kind: missing" },
	{ "\"name\": \"dev\", ", "", "t.json: regions[2].name: missing" },
	{ "\"start\": 65536, ", "", "t.json: regions[2].start: missing" },
	{ "\"start\": 65536, \"size\": 4096", "\"start\": 65536",
	  "t.json: regions[2].size: missing" },
	{ "\"device\"", "\"devise\"",
	  "t.json: regions[2].kind: \"devise\" is not a region kind (ram, firmware, mmio-window, device, msi, reserved, legacy, hole)" },
	{ "\"dev\"", "\"abcdefghijklmnopqrstuvwx\"",
	  "t.json: regions[2].name: longer than 23 bytes" },
	{ "\"dev\"", "7", "t.json: regions[2].name: expected a string, found a number" },
	{ "\"start\": 65536, \"size\": 4096", "\"start\": 65536, \"size\": 0",
	  "t.json: regions[2].size: must not be 0" },
	{ "\"start\": 65536, \"size\": 4096", "\"start\": 18446744073709547520, \"size\": 4096",
	  "t.json: regions[2]: start 18446744073709547520 + size 4096 is past the end of the 64-bit address space" },
	{ "\"start\": 65536, \"size\": 4096", "\"start\": 65536.0, \"size\": 4096",
	  "t.json: regions[2].start: expected an unsigned integer, found 65536.0" },
	{ "\"regions\": [", "\"regions\": [7, ", "t.json: regions[0]: expected an object, found a number" },
	{ "\"regions\": [", "\"regionz\": [", "t.json: regionz: unknown key (extensions' keys start with \"x-\")" },
	{ "\"why\": \"low\"", "\"wy\": \"low\"",
	  "t.json: regions[0].wy: unknown key (extensions' keys start with \"x-\")" },
	{ "\"ram_size\": 8192", "\"ramsize\": 8192",
	  "t.json: ramsize: unknown key (extensions' keys start with \"x-\")" },
	{ "{\"start\": 1048576, \"size\": 4096}", "{\"start\": 2097152, \"size\": 4096}",
	  "t.json: ram[1]: start 0x200000 size 0x1000 differs from the RAM region ram1: start 0x100000 size 0x1000" },
	{ ", {\"start\": 1048576, \"size\": 4096}]", "]",
	  "t.json: ram: the RAM region ram1 (start 0x100000 size 0x1000) is not listed" },
	{ "\"size\": 4096}],", "\"size\": 4096}, {\"start\": 65536, \"size\": 4096}],",
	  "t.json: ram[2]: one more bank than \"regions\" has regions of kind \"ram\" (2)" },
	{ "\"ram\": [", "\"ram\": {}, \"x-r\": [", "t.json: ram: expected an array, found an object" },
	{ "\"size\": 1048576, \"where\"", "\"size\": 1048576, \"when\"",
	  "t.json: doorbell.when: unknown key (extensions' keys start with \"x-\")" },
	{ "\"type\": \"msi\"", "\"type\": \"msx\"",
	  "t.json: host_reserved[0].type: \"msx\" is not a host region type (msi, direct, direct-relaxable, reserved, peer-bar)" },
	{ "\"end\": 8191", "\"end\": 4095",
	  "t.json: host_reserved[1].end: 4095 is below start 4096 (end is inclusive)" },
	{ "\"end\": 8191, ", "", "t.json: host_reserved[1].end: missing" },
	{ "\"host\": \"b\"", "\"host\": \"a-host-name-that-is-longer-than-sixty-three-bytes-which-is-the-limit\"",
	  "t.json: host_reserved[1].host: longer than 63 bytes" },
	{ "\"host_reserved\": [", "\"host_reserved\": 3, \"x-y\": [",
	  "t.json: host_reserved: expected an array, found a number" },
	{ "8192,", "8192,,", "t.json:1:51: expected a string key after ',', found ','" },
};

START_TEST(test_read_invalid)
{
	const struct read_case *c = &read_cases[_i];
	struct plan_error err;

	ck_assert_int_eq(read_doc(variant(c->from, c->to), &err), -EINVAL);
	ck_assert_str_eq(err.msg, c->msg);
	/* A failed read leaves nothing behind. */
	ck_assert_ptr_null(back.regions);
	ck_assert_uint_eq(back.nr_regions, 0);
	ck_assert_uint_eq(back_facts.nr_hosts, 0);
	ck_assert_uint_eq(back_facts.nr_regions, 0);
}
END_TEST

START_TEST(test_read_not_an_object)
{
	struct plan_error err;

	ck_assert_int_eq(read_doc("[]", &err), -EINVAL);
	ck_assert_str_eq(err.msg, "t.json: the top level: expected an object, found an array");
	ck_assert_int_eq(read_doc("{\"version\": 1,}", &err), -EINVAL);
	ck_assert_str_eq(err.msg, "t.json:1:15: expected a string key after ',', found '}' (JSON allows no trailing comma)");
}
END_TEST

START_TEST(test_read_extensions_and_optional)
{
	struct plan_error err;

	ck_assert_int_eq(read_doc(variant("\"version\": 1,", "\"version\": 1, \"x-note\": {\"any\": [1]},"),
				  &err), 0);
	ck_assert_int_eq(read_doc(variant("\"why\": \"low\"", "\"why\": \"low\", \"x-numa\": 0"), &err), 0);
	ck_assert_str_eq(back.regions[0].why, "low");
	hostres_free(&back_facts);
	ck_assert_int_eq(read_doc(variant(
		" \"doorbell\": {\"start\": 4276092928, \"size\": 1048576, \"where\": \"fixed\"},\n", ""),
		&err), 0);
	ck_assert_uint_eq(back.doorbell.size, 0);
	ck_assert_str_eq(back.doorbell.where, "");
	hostres_free(&back_facts);
	/* An entry without "host" is the plan file's own host. */
	ck_assert_int_eq(read_doc(variant(", \"host\": \"b\"", ""), &err), 0);
	ck_assert_str_eq(back_facts.hosts[1].name, "t.json");
}
END_TEST

/* Overlaps are memplan_check's to find: reading keeps what the file says. */
START_TEST(test_read_overlap_is_checked_later)
{
	struct plan_error err;

	ck_assert_int_eq(read_doc(variant("\"start\": 65536", "\"start\": 2048"), &err), 0);
	ck_assert_int_eq(memplan_check(&back, NULL, NULL), 1);
	ck_assert_int_eq(memplan_check(&back, &back_facts, NULL), 1);
}
END_TEST

START_TEST(test_read_truncates_why)
{
	struct plan_error err;
	char why[200] = "";
	size_t i;

	/* 60 two-byte characters: the cut must not split one. */
	for (i = 0; i < 60; i++)
		strcat(why, "\xc3\xa9");
	text2 = NULL;
	ck_assert_int_gt(asprintf(&text2, "\"why\": \"%s\"", why), 0);
	ck_assert_int_eq(read_doc(variant("\"why\": \"low\"", text2), &err), 0);
	ck_assert_uint_eq(strlen(back.regions[0].why), 110);
	ck_assert_int_eq(strncmp(back.regions[0].why, why, 110), 0);
}
END_TEST

/* Errors leave the caller's facts as they were; success appends. */
START_TEST(test_read_keeps_facts)
{
	struct plan_error err;
	int host;

	host = hostres_add_host(&back_facts, "b");
	ck_assert_int_eq(hostres_add_region(&back_facts, host, 0, 4095, HOST_RESERVED, "x"), 0);
	ck_assert_int_eq(read_doc(variant("\"direct\"", "\"direkt\""), &err), -EINVAL);
	ck_assert_uint_eq(back_facts.nr_hosts, 1);
	ck_assert_uint_eq(back_facts.nr_regions, 1);
	ck_assert_int_eq(read_doc(base_doc, &err), 0);
	/* Host "b" is the one already there. */
	ck_assert_uint_eq(back_facts.nr_hosts, 2);
	ck_assert_str_eq(back_facts.hosts[1].name, "a");
	ck_assert_uint_eq(back_facts.nr_regions, 3);
	ck_assert_uint_eq(back_facts.regions[2].host, 0);
	ck_assert_str_eq(back_facts.regions[2].what, "rmrr");
}
END_TEST

/* Without a facts argument the host regions are still checked. */
START_TEST(test_read_checks_hosts_without_facts)
{
	struct plan_error err = { 0 };
	const char *doc = variant("\"direct\"", "\"direkt\"");

	ck_assert_int_eq(planjson_read("t.json", doc, strlen(doc), &back, NULL, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "host_reserved[1].type"));
	ck_assert_int_eq(planjson_read("t.json", base_doc, strlen(base_doc), &back, NULL,
				       &err), 0);
}
END_TEST

Suite *planjson_suite(void)
{
	Suite *s = suite_create("planjson");
	TCase *tc;

	tc = tcase_create("json");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_json_document);
	tcase_add_test(tc, test_json_scalars_at_top);
	tcase_add_test(tc, test_json_length_bounded);
	tcase_add_loop_test(tc, test_json_syntax_error, 0,
			    sizeof(syntax_cases) / sizeof(syntax_cases[0]));
	tcase_add_test(tc, test_json_escapes);
	tcase_add_test(tc, test_json_depth_limit);
	tcase_add_test(tc, test_json_duplicate_keys);
	tcase_add_test(tc, test_json_u64);
	tcase_add_test(tc, test_json_getters);
	tcase_add_test(tc, test_json_write_string);
	suite_add_tcase(s, tc);

	tc = tcase_create("plan");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_round_trip_x86);
	tcase_add_test(tc, test_round_trip_arm64);
	tcase_add_test(tc, test_round_trip_without_facts);
	tcase_add_test(tc, test_write_deterministic);
	tcase_add_test(tc, test_write_format);
	tcase_add_test(tc, test_read_base);
	tcase_add_loop_test(tc, test_read_invalid, 0,
			    sizeof(read_cases) / sizeof(read_cases[0]));
	tcase_add_test(tc, test_read_not_an_object);
	tcase_add_test(tc, test_read_extensions_and_optional);
	tcase_add_test(tc, test_read_overlap_is_checked_later);
	tcase_add_test(tc, test_read_truncates_why);
	tcase_add_test(tc, test_read_keeps_facts);
	tcase_add_test(tc, test_read_checks_hosts_without_facts);
	suite_add_tcase(s, tc);
	return s;
}
