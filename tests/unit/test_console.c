// SPDX-License-Identifier: GPL-2.0
/* vmm/console: the Ctrl-A escape filter. */
#include <stdbool.h>
#include <string.h>

#include "tests/unit/suites.h"
#include "vmm/console.h"

/* Filters text (a copy) and checks what is left. */
static void check_filter(bool *escape, const char *in, size_t len,
			 const char *want, size_t want_len, bool want_quit)
{
	uint8_t buf[256];
	bool quit = !want_quit;
	size_t out;

	ck_assert_uint_le(len, sizeof(buf));
	memcpy(buf, in, len);
	out = console_filter_escapes(escape, buf, len, &quit);
	ck_assert_uint_eq(out, want_len);
	ck_assert_int_eq(memcmp(buf, want, want_len), 0);
	ck_assert_int_eq(quit, want_quit);
}

START_TEST(test_plain_bytes_untouched)
{
	uint8_t buf[256], copy[256];
	bool escape = false, quit = true;
	size_t n = 0;

	for (unsigned int c = 0; c < 256; c++)
		if (c != 0x01)
			buf[n++] = c;
	memcpy(copy, buf, n);
	ck_assert_uint_eq(console_filter_escapes(&escape, buf, n, &quit), n);
	ck_assert_int_eq(memcmp(buf, copy, n), 0);
	ck_assert(!quit);
	ck_assert(!escape);
}
END_TEST

START_TEST(test_ctrl_a_x_quits)
{
	bool escape = false;

	check_filter(&escape, "ab\x01xcd", 6, "ab", 2, true);
	ck_assert(!escape);
	check_filter(&escape, "\x01X", 2, "", 0, true);
	ck_assert(!escape);
	/* Quit is not sticky: the next call starts clean. */
	check_filter(&escape, "xyz", 3, "xyz", 3, false);
}
END_TEST

START_TEST(test_ctrl_a_ctrl_a_is_literal)
{
	bool escape = false;

	check_filter(&escape, "\x01\x01", 2, "\x01", 1, false);
	ck_assert(!escape);
	check_filter(&escape, "a\x01\x01" "b\x01\x01\x01\x01", 8,
		     "a\x01" "b\x01\x01", 5, false);
	ck_assert(!escape);
	/* A literal Ctrl-A does not start another escape. */
	check_filter(&escape, "\x01\x01x", 3, "\x01x", 2, false);
}
END_TEST

START_TEST(test_other_escapes_dropped)
{
	bool escape = false;

	check_filter(&escape, "1\x01z2", 4, "12", 2, false);
	check_filter(&escape, "\x01" "c\x01h", 4, "", 0, false);
	ck_assert(!escape);
}
END_TEST

START_TEST(test_escape_across_calls)
{
	bool escape = false;

	check_filter(&escape, "a\x01", 2, "a", 1, false);
	ck_assert(escape);
	check_filter(&escape, "x", 1, "", 0, true);
	ck_assert(!escape);

	check_filter(&escape, "\x01", 1, "", 0, false);
	ck_assert(escape);
	/* An empty read keeps the state. */
	check_filter(&escape, "", 0, "", 0, false);
	ck_assert(escape);
	check_filter(&escape, "\x01q", 2, "\x01q", 2, false);
	ck_assert(!escape);
}
END_TEST

Suite *console_suite(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("escapes");

	tcase_add_test(tc, test_plain_bytes_untouched);
	tcase_add_test(tc, test_ctrl_a_x_quits);
	tcase_add_test(tc, test_ctrl_a_ctrl_a_is_literal);
	tcase_add_test(tc, test_other_escapes_dropped);
	tcase_add_test(tc, test_escape_across_calls);
	suite_add_tcase(s, tc);
	return s;
}
