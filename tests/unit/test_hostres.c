// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/hostres: the --host-reserved format (good files from real hosts and
 * every kind of malformed line), recorded sysfs trees, and the round trip
 * through hostres_write.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "tests/unit/suites.h"
#include "vmm/hostres.h"
#include "vmm/hostres_internal.h"
#include "vmm/util.h"

#define FILE_NAME	"hostA.txt"

/* --- helpers --- */

static int parse(struct host_facts *facts, const char *text, size_t len,
		 struct hostres_error *err)
{
	int host;

	memset(err, 0, sizeof(*err));
	host = hostres_add_host(facts, FILE_NAME);
	ck_assert_int_ge(host, 0);
	return hostres_parse_text(facts, host, FILE_NAME, text, len, err);
}

static void assert_region(const struct host_region *r, uint64_t start,
			  uint64_t end, enum host_region_type type)
{
	ck_assert_msg(r->start == start && r->end == end && r->type == type,
		      "region 0x%llx-0x%llx %s, want 0x%llx-0x%llx %s",
		      (unsigned long long)r->start, (unsigned long long)r->end,
		      hostres_type_name(r->type), (unsigned long long)start,
		      (unsigned long long)end, hostres_type_name(type));
}

static void assert_prefix(const char *msg, const char *prefix)
{
	ck_assert_msg(!strncmp(msg, prefix, strlen(prefix)),
		      "error \"%s\", want it to start with \"%s\"", msg, prefix);
}

/* --- containers and type names --- */

START_TEST(test_containers_grow_and_free)
{
	struct host_facts facts = { 0 };
	char long_name[200];
	int host;

	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(hostres_add_host(&facts, i ? "h" : long_name), i);
	ck_assert_uint_eq(strlen(facts.hosts[0].name), HOSTRES_NAME_LEN - 1);
	host = 3;
	for (uint64_t i = 0; i < 1000; i++) {
		ck_assert_int_eq(hostres_add_region(&facts, host, i << 12,
						    (i << 12) + 0xfff,
						    HOST_RESERVED, long_name), 0);
		ck_assert_int_eq(hostres_add_iova_range(&facts, host, i, i), 0);
		ck_assert_int_eq(hostres_add_bar(&facts, "0000:03:00.0", i % 7,
						 0x1000, false, false), 0);
	}
	ck_assert_uint_eq(facts.nr_regions, 1000);
	ck_assert_uint_eq(facts.nr_iova, 1000);
	ck_assert_uint_eq(facts.nr_bars, 1000);
	for (uint64_t i = 0; i < 1000; i++) {
		assert_region(&facts.regions[i], i << 12, (i << 12) + 0xfff,
			      HOST_RESERVED);
		ck_assert_uint_eq(facts.regions[i].host, host);
		ck_assert_uint_eq(facts.iova[i].start, i);
	}
	ck_assert_uint_eq(strlen(facts.regions[999].what), HOSTRES_WHAT_LEN - 1);

	/* No such host, a backwards range, no such type. */
	ck_assert_int_eq(hostres_add_region(&facts, 20, 0, 1, HOST_MSI, ""), -EINVAL);
	ck_assert_int_eq(hostres_add_region(&facts, 0, 2, 1, HOST_MSI, ""), -EINVAL);
	ck_assert_int_eq(hostres_add_region(&facts, 0, 1, 2, HOST_PEER_BAR + 1, ""),
			 -EINVAL);
	ck_assert_int_eq(hostres_add_iova_range(&facts, 20, 0, 1), -EINVAL);
	ck_assert_int_eq(hostres_add_iova_range(&facts, 0, 2, 1), -EINVAL);
	ck_assert_uint_eq(facts.nr_regions, 1000);

	hostres_free(&facts);
	ck_assert_ptr_null(facts.hosts);
	ck_assert_ptr_null(facts.regions);
	ck_assert_uint_eq(facts.nr_hosts + facts.nr_regions + facts.nr_iova +
			  facts.nr_bars, 0);
	hostres_free(&facts);	/* twice is harmless */
}
END_TEST

START_TEST(test_type_names)
{
	static const struct {
		enum host_region_type type;
		const char *name;
	} names[] = {
		{ HOST_MSI, "msi" },
		{ HOST_DIRECT, "direct" },
		{ HOST_DIRECT_RELAXABLE, "direct-relaxable" },
		{ HOST_RESERVED, "reserved" },
		{ HOST_PEER_BAR, "peer-bar" },
	};
	enum host_region_type type;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		ck_assert_str_eq(hostres_type_name(names[i].type), names[i].name);
		type = HOST_MSI;
		ck_assert_int_eq(hostres_type_parse(names[i].name, &type), 0);
		ck_assert_int_eq(type, names[i].type);
	}
	ck_assert_int_eq(hostres_type_parse("MSI", &type), -EINVAL);
	ck_assert_int_eq(hostres_type_parse("msii", &type), -EINVAL);
	ck_assert_int_eq(hostres_type_parse("", &type), -EINVAL);
}
END_TEST

static void assert_iova(const struct host_iova_range *r, unsigned int host,
			uint64_t start, uint64_t end)
{
	ck_assert_msg(r->host == host && r->start == start && r->end == end,
		      "IOVA range %u: 0x%llx-0x%llx, want %u: 0x%llx-0x%llx",
		      r->host, (unsigned long long)r->start,
		      (unsigned long long)r->end, host,
		      (unsigned long long)start, (unsigned long long)end);
}

/* A host's second group leaves only the IOVAs both groups can map. */
START_TEST(test_narrow_iova_ranges)
{
	static const struct host_iova_range first[] = {
		{ 0, 0xfedfffff }, { 0xfef00000, 0xffffffffff },
	};
	static const struct host_iova_range second[] = {
		{ 0x1000, 0xfeffffff }, { 0x8000000000, 0x80ffffffff },
	};
	static const struct host_iova_range disjoint[] = {
		{ 0x10000000000, 0x1ffffffffff },
	};
	struct host_facts facts = { 0 };
	int a = hostres_add_host(&facts, "a"), b = hostres_add_host(&facts, "b");

	ck_assert_int_eq(hostres_add_iova_range(&facts, b, 0x1000, 0x1fff), 0);
	ck_assert_int_eq(hostres_narrow_iova_ranges(&facts, a, first, 2), 0);
	ck_assert(facts.hosts[a].has_iova_ranges);
	ck_assert_uint_eq(facts.nr_iova, 3);

	ck_assert_int_eq(hostres_narrow_iova_ranges(&facts, a, second, 2), 0);
	ck_assert_uint_eq(facts.nr_iova, 4);
	assert_iova(&facts.iova[0], b, 0x1000, 0x1fff);
	assert_iova(&facts.iova[1], a, 0x1000, 0xfedfffff);
	assert_iova(&facts.iova[2], a, 0xfef00000, 0xfeffffff);
	assert_iova(&facts.iova[3], a, 0x8000000000, 0x80ffffffff);

	/* Nothing in common: an error, and the host keeps what it had. */
	ck_assert_int_eq(hostres_narrow_iova_ranges(&facts, a, disjoint, 1), -ERANGE);
	ck_assert_uint_eq(facts.nr_iova, 4);
	assert_iova(&facts.iova[3], a, 0x8000000000, 0x80ffffffff);
	ck_assert_int_eq(hostres_narrow_iova_ranges(&facts, 2, first, 2), -EINVAL);
	hostres_free(&facts);
}
END_TEST

/* --- good files --- */

struct want_region {
	uint64_t start;
	uint64_t end;
	enum host_region_type type;
};

struct good_case {
	const char *what;
	const char *text;
	size_t nr_regions;
	struct want_region regions[6];
	size_t nr_iova;
	struct { uint64_t start, end; } iova[3];
	unsigned int phys_bits;
	uint64_t pgsize_bitmap;
	uint32_t dma_avail;
};

static const struct good_case good_cases[] = {
	{ "Intel VT-d: the MSI window and an RMRR",
	  "0x00000000bdf6e000 0x00000000bdf84fff direct\n"
	  "0x00000000fee00000 0x00000000feefffff msi\n",
	  2, { { 0xbdf6e000, 0xbdf84fff, HOST_DIRECT },
	       { 0xfee00000, 0xfeefffff, HOST_MSI } } },
	{ "AMD-Vi: the MSI window and the HyperTransport hole",
	  "0x00000000fee00000 0x00000000feefffff msi\n"
	  "0x000000fd00000000 0x000000ffffffffff reserved\n",
	  2, { { 0xfee00000, 0xfeefffff, HOST_MSI },
	       { 0xfd00000000, 0xffffffffff, HOST_RESERVED } } },
	{ "arm64 SMMU: the software MSI window",
	  "0x0000000008000000 0x00000000080fffff msi\n",
	  1, { { 0x8000000, 0x80fffff, HOST_MSI } } },
	{ "a relaxable RMRR (USB, graphics)",
	  "0x00000000000e8000 0x00000000000e8fff direct-relaxable\n"
	  "0x00000000fee00000 0x00000000feefffff msi\n",
	  2, { { 0xe8000, 0xe8fff, HOST_DIRECT_RELAXABLE },
	       { 0xfee00000, 0xfeefffff, HOST_MSI } } },
	{ "unsorted and duplicated lines are kept as they are",
	  "0x00000000fee00000 0x00000000feefffff msi\n"
	  "0x00000000bdf6e000 0x00000000bdf84fff direct\n"
	  "0x00000000fee00000 0x00000000feefffff msi\n"
	  "0x0000000000001000 0x0000000000001fff reserved\n",
	  4, { { 0xfee00000, 0xfeefffff, HOST_MSI },
	       { 0xbdf6e000, 0xbdf84fff, HOST_DIRECT },
	       { 0xfee00000, 0xfeefffff, HOST_MSI },
	       { 0x1000, 0x1fff, HOST_RESERVED } } },
	{ "comments, blank lines, CRLF, tabs, trailing blanks",
	  "# recorded on hostA\r\n"
	  "\r\n"
	  "   # indented comment\n"
	  "\t0x00000000fee00000\t0x00000000feefffff   msi   \r\n"
	  "   \t  \n"
	  "0x0000000000001000 0x0000000000001fff reserved # why: firmware\n"
	  "0x0000000000002000 0x0000000000002fff reserved#glued comment",
	  3, { { 0xfee00000, 0xfeefffff, HOST_MSI },
	       { 0x1000, 0x1fff, HOST_RESERVED },
	       { 0x2000, 0x2fff, HOST_RESERVED } } },
	{ "our own lines",
	  "phys-bits 39\n"
	  "pgsize-bitmap 0x40201000\n"
	  "dma-avail 65535\n"
	  "iova-range 0x0000000000000000 0x00000000fedfffff\n"
	  "iova-range 0x00000000fef00000 0x0000007fffffffff  # above the MSI window\n"
	  "0x00000000fee00000 0x00000000feefffff msi\n",
	  1, { { 0xfee00000, 0xfeefffff, HOST_MSI } },
	  2, { { 0, 0xfedfffff }, { 0xfef00000, 0x7fffffffff } },
	  39, 0x40201000, 65535 },
	{ "peer BARs as hostres_write puts them",
	  "0x00000000f2000000 0x00000000f2003fff peer-bar  # 0000:03:00.1 BAR 0\n",
	  1, { { 0xf2000000, 0xf2003fff, HOST_PEER_BAR } } },
	{ "the edges of 64 bits, leading zeros, upper case",
	  "0xffffffffffffffff 0xffffffffffffffff reserved\n"
	  "0x00000000000000000000000000001000 0X0000000000001FFF msi\n"
	  "0x0 0x0 direct\n",
	  3, { { UINT64_MAX, UINT64_MAX, HOST_RESERVED },
	       { 0x1000, 0x1fff, HOST_MSI },
	       { 0, 0, HOST_DIRECT } } },
	{ "phys-bits at its bounds", "phys-bits 64\n", .phys_bits = 64 },
	{ "an empty file: a host with nothing reserved", "" },
	{ "only comments", "# nothing\n#\n\n" },
};

START_TEST(test_parse_good)
{
	const struct good_case *c = &good_cases[_i];
	struct host_facts facts = { 0 };
	struct hostres_error err;
	const struct host_info *h;

	ck_assert_msg(parse(&facts, c->text, strlen(c->text), &err) == 0,
		      "%s: %s", c->what, err.msg);
	h = &facts.hosts[0];
	ck_assert_uint_eq(facts.nr_regions, c->nr_regions);
	for (size_t i = 0; i < c->nr_regions; i++) {
		assert_region(&facts.regions[i], c->regions[i].start,
			      c->regions[i].end, c->regions[i].type);
		ck_assert_uint_eq(facts.regions[i].host, 0);
	}
	ck_assert_uint_eq(facts.nr_iova, c->nr_iova);
	ck_assert_int_eq(h->has_iova_ranges, c->nr_iova > 0);
	for (size_t i = 0; i < c->nr_iova; i++) {
		ck_assert_uint_eq(facts.iova[i].start, c->iova[i].start);
		ck_assert_uint_eq(facts.iova[i].end, c->iova[i].end);
	}
	ck_assert_uint_eq(h->phys_bits, c->phys_bits);
	ck_assert_uint_eq(h->pgsize_bitmap, c->pgsize_bitmap);
	ck_assert_uint_eq(h->dma_avail, c->dma_avail);
	ck_assert_str_eq(h->name, FILE_NAME);
	hostres_free(&facts);
}
END_TEST

/* A region's trailing comment says what it is; without one, nothing. */
START_TEST(test_parse_comment_is_what)
{
	static const char text[] =
		"0x1000 0x1fff reserved\n"
		"0x2000 0x2fff peer-bar  #   0000:03:00.1 BAR 0   \n"
		"0x3000 0x3fff msi #\n";
	struct host_facts facts = { 0 };
	struct hostres_error err;

	ck_assert_int_eq(parse(&facts, text, strlen(text), &err), 0);
	ck_assert_uint_eq(facts.nr_regions, 3);
	ck_assert_str_eq(facts.regions[0].what, "");
	ck_assert_str_eq(facts.regions[1].what, "0000:03:00.1 BAR 0");
	ck_assert_str_eq(facts.regions[2].what, "");
	hostres_free(&facts);
}
END_TEST

/* The text is a buffer with a length: nothing past it is read. */
START_TEST(test_parse_not_nul_terminated)
{
	static const char text[] = "0x1000 0x1fff msi\n0x2000 0x2fff msi GARBAGE";
	struct host_facts facts = { 0 };
	struct hostres_error err;

	ck_assert_int_eq(parse(&facts, text, strlen("0x1000 0x1fff msi\n0x2000 0x2fff msi"),
			       &err), 0);
	ck_assert_uint_eq(facts.nr_regions, 2);
	hostres_free(&facts);
}
END_TEST

/* --- malformed files: each names FILE:LINE --- */

struct bad_case {
	const char *text;
	size_t len;		/* 0: strlen(text) */
	const char *want;	/* the start of the error message */
};

static const struct bad_case bad_cases[] = {
	{ "0x1000 0x2000 msi\n\n0x1000 0xfff msi\n", 0,
	  "hostA.txt:3: \"0x1000 0xfff msi\": end is below start" },
	{ "#\n#\n#\n#\n#\n#\n0x1000 0x1fff msii\n", 0,
	  "hostA.txt:7: unknown type \"msii\" (msi, direct, direct-relaxable, reserved)" },
	{ "0x1000 0x1fff MSI\n", 0, "hostA.txt:1: unknown type \"MSI\" (" },
	{ "0x1000 0x1fff direct_relaxable\n", 0,
	  "hostA.txt:1: unknown type \"direct_relaxable\" (" },
	{ "0xzz 0x1000 msi\n", 0, "hostA.txt:1: not a hex number \"0xzz\" (0x followed by hex digits)" },
	{ "0x1000 0x1g00 msi\n", 0, "hostA.txt:1: not a hex number \"0x1g00\" (" },
	{ "0x1000 1fff msi\n", 0, "hostA.txt:1: not a hex number \"1fff\" (" },
	{ "fee00000 feefffff msi\n", 0, "hostA.txt:1: not a hex number \"fee00000\" (" },
	{ "0x 0x1000 msi\n", 0, "hostA.txt:1: not a hex number \"0x\" (" },
	{ "-0x1 0x1000 msi\n", 0, "hostA.txt:1: unknown line \"-0x1 0x1000 msi\" (" },
	{ "0x10000000000000000 0x1 msi\n", 0,
	  "hostA.txt:1: \"0x10000000000000000\" does not fit in 64 bits (at most 0xffffffffffffffff)" },
	{ "0x0 0xfffffffffffffffff0 reserved\n", 0,
	  "hostA.txt:1: \"0xfffffffffffffffff0\" does not fit in 64 bits (" },
	{ "0x1000\n", 0, "hostA.txt:1: \"0x1000\": no end address (0x<start> 0x<end> <type>)" },
	{ "0x1000 0x1fff\n", 0, "hostA.txt:1: \"0x1000 0x1fff\": no type (0x<start> 0x<end> <type>)" },
	{ "0x1000 0x1fff   # no type, only a comment\n", 0,
	  "hostA.txt:1: \"0x1000 0x1fff\": no type (" },
	{ "0x1000 0x1fff msi extra\n", 0,
	  "hostA.txt:1: extra words after the type (\"extra\") (" },
	{ "0x1000 0x1fff msi 0x1 0x2 msi\n", 0,
	  "hostA.txt:1: extra words after the type (\"0x1 0x2 msi\") (" },
	{ "0x1000 0x1fff msi\r\n0x3000 0x2fff msi\r\n", 0,
	  "hostA.txt:2: \"0x3000 0x2fff msi\": end is below start" },
	{ "phys_bits 39\n", 0, "hostA.txt:1: unknown line \"phys_bits 39\" (" },
	{ "msi 0x1000 0x1fff\n", 0, "hostA.txt:1: unknown line \"msi 0x1000 0x1fff\" (" },
	{ "0x1000 0x1fff msi\n\0 0x2000 0x2fff msi\n", 37, "hostA.txt:2: a NUL byte: binary data?" },
	{ "iova-range 0x1000\n", 0,
	  "hostA.txt:1: \"iova-range 0x1000\": no end address (iova-range 0x<start> 0x<end>)" },
	{ "iova-range\n", 0, "hostA.txt:1: \"iova-range\": no start address (" },
	{ "iova-range 0x2000 0x1000\n", 0,
	  "hostA.txt:1: \"iova-range 0x2000 0x1000\": end is below start" },
	{ "iova-range 0x1000 0x2000 msi\n", 0,
	  "hostA.txt:1: extra words after the end (\"msi\") (iova-range 0x<start> 0x<end>)" },
	{ "iova-range 0x1000 4096\n", 0, "hostA.txt:1: not a hex number \"4096\" (" },
	{ "phys-bits 11\n", 0, "hostA.txt:1: phys-bits 11: out of range (phys-bits N, 12 to 64)" },
	{ "phys-bits 65\n", 0, "hostA.txt:1: phys-bits 65: out of range (" },
	{ "phys-bits 0x27\n", 0, "hostA.txt:1: phys-bits \"0x27\": not a decimal number (" },
	{ "phys-bits 99999999999999999999999\n", 0,
	  "hostA.txt:1: phys-bits 99999999999999999999999: out of range (" },
	{ "phys-bits\n", 0, "hostA.txt:1: \"phys-bits\": no value (phys-bits N, 12 to 64)" },
	{ "phys-bits 39 40\n", 0, "hostA.txt:1: extra words after the value (\"40\") (" },
	{ "phys-bits 39\n# again\nphys-bits 39\n", 0,
	  "hostA.txt:3: a second phys-bits line (one per host)" },
	{ "pgsize-bitmap 4096\n", 0, "hostA.txt:1: not a hex number \"4096\" (" },
	{ "pgsize-bitmap 0x0\n", 0, "hostA.txt:1: pgsize-bitmap 0x0: out of range (" },
	{ "pgsize-bitmap 0x1000\npgsize-bitmap 0x1000\n", 0,
	  "hostA.txt:2: a second pgsize-bitmap line (" },
	{ "dma-avail 0\n", 0, "hostA.txt:1: dma-avail 0: out of range (dma-avail N, 1 to 4294967295)" },
	{ "dma-avail 4294967296\n", 0, "hostA.txt:1: dma-avail 4294967296: out of range (" },
	{ "dma-avail many\n", 0, "hostA.txt:1: dma-avail \"many\": not a decimal number (" },
	/* Long junk is quoted cut short, not overflowing the message. */
	{ "0x1000 0x1fff "
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	  0, "hostA.txt:1: unknown type \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" (" },
	{ "0x1000 0x1fff m\x01si\n", 0, "hostA.txt:1: unknown type \"m?si\" (" },
};

START_TEST(test_parse_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	struct host_facts facts = { 0 };
	struct hostres_error err;
	size_t len = c->len ? c->len : strlen(c->text);

	ck_assert_int_eq(parse(&facts, c->text, len, &err), -EINVAL);
	assert_prefix(err.msg, c->want);
	/* Nothing of a bad file is kept, not even its good lines. */
	ck_assert_uint_eq(facts.nr_regions + facts.nr_iova, 0);
	ck_assert_uint_eq(facts.hosts[0].phys_bits, 0);
	ck_assert_int_eq(facts.hosts[0].has_iova_ranges, false);
	hostres_free(&facts);
}
END_TEST

START_TEST(test_parse_no_such_host)
{
	struct host_facts facts = { 0 };
	struct hostres_error err;

	ck_assert_int_eq(hostres_parse_text(&facts, 0, "x", "", 0, &err), -EINVAL);
	ck_assert_int_eq(hostres_read_group(&facts, 0, "/nonexistent", "0000:03:00.0",
					    NULL, 0, &err), -EINVAL);
}
END_TEST

/* --- hostres_read_file --- */

static char tmp_dir[64];

static void tmp_setup(void)
{
	strcpy(tmp_dir, "/tmp/shapevm-hostres-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void tmp_teardown(void)
{
	nftw(tmp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_text(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp_dir, rel);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void make_dirs(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmp_dir, rel);
	for (char *p = path + strlen(tmp_dir) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		ck_assert(!mkdir(path, 0755) || errno == EEXIST);
		*p = '/';
	}
	ck_assert(!mkdir(path, 0755) || errno == EEXIST);
}

static void make_link(const char *target, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmp_dir, rel);
	ck_assert_msg(!symlink(target, path), "%s: %s", path, strerror(errno));
}

START_TEST(test_read_file)
{
	struct host_facts facts = { 0 };
	struct hostres_error err;
	char path[256], *big;
	size_t used = 0;

	write_text("hostA.txt", "phys-bits 46\n0x00000000fee00000 0x00000000feefffff msi\n");
	snprintf(path, sizeof(path), "%s/hostA.txt", tmp_dir);
	ck_assert_int_eq(hostres_read_file(&facts, path, &err), 0);
	ck_assert_uint_eq(facts.nr_hosts, 1);
	ck_assert_str_eq(facts.hosts[0].name, path);
	ck_assert_uint_eq(facts.hosts[0].phys_bits, 46);
	ck_assert_uint_eq(facts.nr_regions, 1);
	assert_region(&facts.regions[0], 0xfee00000, 0xfeefffff, HOST_MSI);

	/* Far past one read(): 2000 lines of 47 bytes. */
	big = malloc(2000 * 64);
	ck_assert_ptr_nonnull(big);
	for (unsigned int i = 0; i < 2000; i++)
		used += sprintf(big + used, "0x%016x 0x%016x reserved\n",
				i << 12, (i << 12) + 0xfff);
	write_text("big.txt", big);
	free(big);
	snprintf(path, sizeof(path), "%s/big.txt", tmp_dir);
	ck_assert_int_eq(hostres_read_file(&facts, path, &err), 0);
	ck_assert_uint_eq(facts.nr_hosts, 2);
	ck_assert_uint_eq(facts.nr_regions, 2001);
	ck_assert_uint_eq(facts.regions[2000].host, 1);
	assert_region(&facts.regions[2000], 1999 << 12, (1999 << 12) + 0xfff,
		      HOST_RESERVED);

	/* Empty: a host with no reserved regions. */
	write_text("empty.txt", "");
	snprintf(path, sizeof(path), "%s/empty.txt", tmp_dir);
	ck_assert_int_eq(hostres_read_file(&facts, path, &err), 0);
	ck_assert_uint_eq(facts.nr_hosts, 3);
	ck_assert_uint_eq(facts.nr_regions, 2001);
	hostres_free(&facts);
}
END_TEST

START_TEST(test_read_file_errors)
{
	struct host_facts facts = { 0 };
	struct hostres_error err;
	char path[256], want[320];

	snprintf(path, sizeof(path), "%s/missing.txt", tmp_dir);
	ck_assert_int_eq(hostres_read_file(&facts, path, &err), -ENOENT);
	snprintf(want, sizeof(want), "%s: cannot read: %s", path, strerror(ENOENT));
	ck_assert_str_eq(err.msg, want);

	/* A directory cannot be read as text. */
	ck_assert_int_eq(hostres_read_file(&facts, tmp_dir, &err), -EISDIR);
	assert_prefix(err.msg, tmp_dir);

	/* Parse errors name the file by its path. */
	write_text("bad.txt", "# recorded\n0x2000 0x1000 msi\n");
	snprintf(path, sizeof(path), "%s/bad.txt", tmp_dir);
	ck_assert_int_eq(hostres_read_file(&facts, path, &err), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: \"0x2000 0x1000 msi\": end is below start",
		 path);
	assert_prefix(err.msg, want);
	/* No host is left behind for a file that failed. */
	ck_assert_uint_eq(facts.nr_hosts, 0);
	hostres_free(&facts);
}
END_TEST

/* --- a recorded sysfs tree --- */

#define DEV	"0000:03:00.0"
#define PEER	"0000:03:00.1"

/* A device to assign: 32-bit BAR 0, 64-bit prefetchable BAR 2, IO BAR 4, a ROM. */
static const char dev_resource[] =
	"0x00000000f0000000 0x00000000f0ffffff 0x0000000000040200\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000004000000000 0x00000040ffffffff 0x000000000014220c\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x000000000000e000 0x000000000000e07f 0x0000000000040101\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x00000000f1000000 0x00000000f107ffff 0x0000000000046200\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n";

/*
 * Its peer: a memory BAR, an IO BAR, a blank line, an unassigned memory BAR
 * (zeros), one that ends below its start, an empty line, and a ROM (not a
 * BAR).
 */
static const char peer_resource[] =
	"0x00000000f2000000 0x00000000f2003fff 0x0000000000040200\n"
	"0x000000000000d000 0x000000000000d01f 0x0000000000040101\n"
	"\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000040200\n"
	"0x0000000000001000 0x0000000000000fff 0x0000000000040200\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x00000000f3000000 0x00000000f300ffff 0x0000000000046200\n";

static const char group7_regions[] =
	"0x00000000bdf6e000 0x00000000bdf84fff direct\n"
	"0x00000000fee00000 0x00000000feefffff msi\n";

static const char group12_regions[] =
	"0x0000000008000000 0x00000000080fffff msi\n";

static void sysfs_setup(void)
{
	tmp_setup();
	make_dirs("bus/pci/devices/" DEV);
	make_dirs("bus/pci/devices/" PEER);
	make_dirs("bus/pci/devices/0000:04:00.0");
	make_dirs("kernel/iommu_groups/7/devices");
	make_dirs("kernel/iommu_groups/12/devices");
	write_text("bus/pci/devices/" DEV "/resource", dev_resource);
	write_text("bus/pci/devices/" PEER "/resource", peer_resource);
	write_text("bus/pci/devices/0000:04:00.0/resource", dev_resource);
	/* The links sysfs has, relative as sysfs makes them. */
	make_link("../../../../kernel/iommu_groups/7",
		  "bus/pci/devices/" DEV "/iommu_group");
	make_link("../../../../kernel/iommu_groups/7",
		  "bus/pci/devices/" PEER "/iommu_group");
	make_link("../../../../bus/pci/devices/" DEV,
		  "kernel/iommu_groups/7/devices/" DEV);
	make_link("../../../../bus/pci/devices/" PEER,
		  "kernel/iommu_groups/7/devices/" PEER);
	write_text("kernel/iommu_groups/7/reserved_regions", group7_regions);
	write_text("kernel/iommu_groups/12/reserved_regions", group12_regions);
	/* Not a group: ignored by hostres_read_all_groups. */
	write_text("kernel/iommu_groups/README", "");
}

/* The tree's links must resolve, or the tests below prove nothing. */
START_TEST(test_sysfs_tree_links)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/" DEV "/iommu_group/reserved_regions",
		 tmp_dir);
	ck_assert_msg(!stat(path, &st), "%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/7/devices/" PEER "/resource",
		 tmp_dir);
	ck_assert_msg(!stat(path, &st), "%s: %s", path, strerror(errno));
}
END_TEST

static void assert_bar(const struct host_bar *b, unsigned int index,
		       uint64_t size, bool is_64bit, bool prefetchable)
{
	ck_assert_str_eq(b->bdf, DEV);
	ck_assert_uint_eq(b->index, index);
	ck_assert_uint_eq(b->size, size);
	ck_assert_int_eq(b->is_64bit, is_64bit);
	ck_assert_int_eq(b->prefetchable, prefetchable);
}

START_TEST(test_sysfs_group)
{
	struct host_facts facts = { 0 };
	struct hostres_error err = { "" };
	int host = hostres_add_host(&facts, "this host");

	ck_assert_int_eq(hostres_read_group(&facts, host, tmp_dir, DEV, NULL, 0,
					    &err), 7);
	ck_assert_msg(!err.msg[0], "%s", err.msg);
	ck_assert_uint_eq(facts.nr_regions, 3);
	assert_region(&facts.regions[0], 0xbdf6e000, 0xbdf84fff, HOST_DIRECT);
	ck_assert_str_eq(facts.regions[0].what, "group 7");
	assert_region(&facts.regions[1], 0xfee00000, 0xfeefffff, HOST_MSI);
	ck_assert_str_eq(facts.regions[1].what, "group 7");
	/* The peer's memory BAR only: not its IO BAR, empty lines or ROM. */
	assert_region(&facts.regions[2], 0xf2000000, 0xf2003fff, HOST_PEER_BAR);
	ck_assert_str_eq(facts.regions[2].what, PEER " BAR 0");

	/* The device's own memory BARs and ROM; not its IO BAR. */
	ck_assert_uint_eq(facts.nr_bars, 3);
	assert_bar(&facts.bars[0], 0, 0x1000000, false, false);
	assert_bar(&facts.bars[1], 2, 0x100000000, true, true);
	assert_bar(&facts.bars[2], 6, 0x80000, false, true);
	hostres_free(&facts);
}
END_TEST

START_TEST(test_sysfs_group_short_bdf)
{
	struct host_facts facts = { 0 };
	struct hostres_error err;
	int host = hostres_add_host(&facts, "this host");

	ck_assert_int_eq(hostres_read_group(&facts, host, tmp_dir, "03:00.0",
					    NULL, 0, &err), 7);
	ck_assert_uint_eq(facts.nr_bars, 3);
	ck_assert_str_eq(facts.bars[0].bdf, DEV);
	hostres_free(&facts);
}
END_TEST

/* A peer assigned to the same guest is no hazard: its BARs are not reserved. */
START_TEST(test_sysfs_group_assigned_peer)
{
	static const char *const assigned_forms[][2] = {
		{ PEER, NULL },
		{ "0000:0a:00.0", "03:00.1" },
	};
	struct host_facts facts = { 0 };
	struct hostres_error err;
	int host = hostres_add_host(&facts, "this host");

	for (size_t i = 0; i < ARRAY_SIZE(assigned_forms); i++) {
		ck_assert_int_eq(hostres_read_group(&facts, host, tmp_dir, DEV,
						    assigned_forms[i], 2, &err), 7);
		for (size_t r = 0; r < facts.nr_regions; r++)
			ck_assert_int_ne(facts.regions[r].type, HOST_PEER_BAR);
	}
	ck_assert_uint_eq(facts.nr_regions, 4);
	hostres_free(&facts);
}
END_TEST

START_TEST(test_sysfs_group_errors)
{
	struct host_facts facts = { 0 };
	struct hostres_error err;
	int host = hostres_add_host(&facts, "this host");
	char want[320], path[256];

	ck_assert_int_eq(hostres_read_group(&facts, host, tmp_dir, "0000:04:00.0",
					    NULL, 0, &err), -ENODEV);
	ck_assert_str_eq(err.msg,
			 "0000:04:00.0 is in no IOMMU group: is the IOMMU enabled (intel_iommu=on, amd_iommu=on, or an SMMU)?");

	ck_assert_int_eq(hostres_read_group(&facts, host, tmp_dir, "0000:05:00.0",
					    NULL, 0, &err), -ENODEV);
	snprintf(want, sizeof(want), "0000:05:00.0: no such PCI device (%s/bus/pci/devices/0000:05:00.0)",
		 tmp_dir);
	ck_assert_str_eq(err.msg, want);

	/* reserved_regions errors cite that file. */
	write_text("kernel/iommu_groups/7/reserved_regions",
		   "0x00000000fee00000 0x00000000feefffff msi\n0x1 0x0 msi\n");
	ck_assert_int_eq(hostres_read_group(&facts, host, tmp_dir, DEV, NULL, 0,
					    &err), -EINVAL);
	snprintf(want, sizeof(want), "%s/kernel/iommu_groups/7/reserved_regions:2: \"0x1 0x0 msi\": end is below start",
		 tmp_dir);
	assert_prefix(err.msg, want);

	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/7/reserved_regions", tmp_dir);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(hostres_read_group(&facts, host, tmp_dir, DEV, NULL, 0,
					    &err), -ENOENT);
	snprintf(want, sizeof(want), "%s: cannot read: ", path);
	assert_prefix(err.msg, want);

	/* A peer's resource file that is not one. */
	write_text("kernel/iommu_groups/7/reserved_regions", group7_regions);
	write_text("bus/pci/devices/" PEER "/resource", "0x0 0x1\n");
	ck_assert_int_eq(hostres_read_group(&facts, host, tmp_dir, DEV, NULL, 0,
					    &err), -EINVAL);
	snprintf(want, sizeof(want), "%s/bus/pci/devices/" PEER "/resource:1: not a resource line",
		 tmp_dir);
	assert_prefix(err.msg, want);
	/* The group's regions read before the failure are not kept. */
	ck_assert_uint_eq(facts.nr_regions + facts.nr_bars, 0);
	hostres_free(&facts);
}
END_TEST

static const char *const bad_bdfs[] = {
	"", "03:00", "3:00.0", "0000:03:00.8", "0000:03:20.0", "0000:3:00.0",
	"000:03:00.0", "0000:03:00.0x", "zz:00.0", "0000-03:00.0",
	"0000:03:00:0", "0000:03:00.", "../../../etc:00.0", "0000:03:00.0/..",
	"0000000:03:00.0",
};

START_TEST(test_sysfs_bad_bdf)
{
	struct host_facts facts = { 0 };
	struct hostres_error err;
	int host = hostres_add_host(&facts, "this host");
	char want[320];

	ck_assert_int_eq(hostres_read_group(&facts, host, tmp_dir, bad_bdfs[_i],
					    NULL, 0, &err), -EINVAL);
	snprintf(want, sizeof(want), "\"%s\": not a PCI address (DDDD:BB:DD.F or BB:DD.F",
		 bad_bdfs[_i]);
	assert_prefix(err.msg, want);
	hostres_free(&facts);
}
END_TEST

START_TEST(test_sysfs_all_groups)
{
	struct host_facts facts = { 0 };
	struct hostres_error err = { "" };
	int host = hostres_add_host(&facts, "this host");

	ck_assert_int_eq(hostres_read_all_groups(&facts, host, tmp_dir, &err), 0);
	ck_assert_msg(!err.msg[0], "%s", err.msg);
	/* Numeric order: 7 before 12. */
	ck_assert_uint_eq(facts.nr_regions, 3);
	assert_region(&facts.regions[0], 0xbdf6e000, 0xbdf84fff, HOST_DIRECT);
	ck_assert_str_eq(facts.regions[0].what, "group 7");
	assert_region(&facts.regions[1], 0xfee00000, 0xfeefffff, HOST_MSI);
	assert_region(&facts.regions[2], 0x8000000, 0x80fffff, HOST_MSI);
	ck_assert_str_eq(facts.regions[2].what, "group 12");
	ck_assert_uint_eq(facts.nr_bars, 0);
	hostres_free(&facts);
}
END_TEST

START_TEST(test_sysfs_all_groups_no_iommu)
{
	struct host_facts facts = { 0 };
	struct hostres_error err = { "" };
	char root[256];
	int host = hostres_add_host(&facts, "this host");

	snprintf(root, sizeof(root), "%s/bus", tmp_dir);
	ck_assert_int_eq(hostres_read_all_groups(&facts, host, root, &err), 0);
	ck_assert_uint_eq(facts.nr_regions, 0);
	ck_assert_str_eq(err.msg, "");
	hostres_free(&facts);
}
END_TEST

START_TEST(test_vfio_not_for_recorded_tree)
{
	struct host_facts facts = { 0 };
	struct hostres_error err;
	int host = hostres_add_host(&facts, "this host");

	ck_assert_int_eq(hostres_read_vfio(&facts, host, tmp_dir, DEV, 7, &err),
			 -ENODEV);
	ck_assert_str_eq(err.msg, "VFIO not queried for a recorded sysfs tree");
	ck_assert_uint_eq(facts.nr_iova, 0);
	hostres_free(&facts);
}
END_TEST

/* No machine has this group: VFIO says so rather than failing oddly. */
START_TEST(test_vfio_no_such_group)
{
	struct host_facts facts = { 0 };
	struct hostres_error err;
	int host = hostres_add_host(&facts, "this host");

	ck_assert_int_eq(hostres_read_vfio(&facts, host, "/sys", "0000:ff:1f.7",
					   999999, &err), -ENODEV);
	assert_prefix(err.msg, "/dev/vfio/999999: ");
	ck_assert_int_eq(hostres_read_vfio(&facts, host, "/sys", "nonsense", 1, &err),
			 -EINVAL);
	ck_assert_uint_eq(facts.nr_iova, 0);
	hostres_free(&facts);
}
END_TEST

/*
 * VFIO_IOMMU_GET_INFO answers as the kernel lays them out: the header, then
 * at cap_offset an IOVA range capability with two ranges, then DMA_AVAIL.
 */
#define INFO_SIZE	(sizeof(struct vfio_iommu_type1_info))
#define IOVA_CAP_SIZE	(sizeof(struct vfio_iommu_type1_info_cap_iova_range) + \
			 2 * sizeof(struct vfio_iova_range))
#define AVAIL_AT	(INFO_SIZE + IOVA_CAP_SIZE)
#define ANSWER_SIZE	(AVAIL_AT + sizeof(struct vfio_iommu_type1_info_dma_avail))

struct info_answer {
	unsigned char buf[ANSWER_SIZE];
	size_t size;
};

static void info_answer_build(struct info_answer *a)
{
	struct vfio_iommu_type1_info info = {
		.argsz = ANSWER_SIZE,
		.flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS,
		.iova_pgsizes = 0x40201000,
		.cap_offset = INFO_SIZE,
	};
	struct vfio_iommu_type1_info_cap_iova_range iova = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
			    .version = 1, .next = AVAIL_AT },
		.nr_iovas = 2,
	};
	struct vfio_iova_range ranges[2] = {
		{ 0, 0xfedfffff }, { 0xfef00000, 0x7fffffffff },
	};
	struct vfio_iommu_type1_info_dma_avail avail = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, .version = 1 },
		.avail = 65535,
	};

	memset(a, 0, sizeof(*a));
	a->size = ANSWER_SIZE;
	memcpy(a->buf, &info, sizeof(info));
	memcpy(a->buf + INFO_SIZE, &iova, sizeof(iova));
	memcpy(a->buf + INFO_SIZE + sizeof(iova), ranges, sizeof(ranges));
	memcpy(a->buf + AVAIL_AT, &avail, sizeof(avail));
}

/* Writes a 32-bit field of the answer, at a byte offset. */
static void info_answer_set(struct info_answer *a, size_t at, uint32_t value)
{
	memcpy(a->buf + at, &value, sizeof(value));
}

#define CAP_OFFSET_AT	offsetof(struct vfio_iommu_type1_info, cap_offset)
#define IOVA_NEXT_AT	(INFO_SIZE + offsetof(struct vfio_info_cap_header, next))
#define IOVA_VERSION_AT	(INFO_SIZE + offsetof(struct vfio_info_cap_header, version))
#define IOVA_NR_AT	(INFO_SIZE + offsetof(struct vfio_iommu_type1_info_cap_iova_range, nr_iovas))
#define RANGE0_END_AT	(INFO_SIZE + sizeof(struct vfio_iommu_type1_info_cap_iova_range) + 8)
#define AVAIL_NEXT_AT	(AVAIL_AT + offsetof(struct vfio_info_cap_header, next))

START_TEST(test_vfio_info_answer)
{
	struct host_facts facts = { 0 };
	struct hostres_error err = { "" };
	struct info_answer a;
	int host = hostres_add_host(&facts, "this host");

	info_answer_build(&a);
	ck_assert_int_eq(hostres_vfio_type1_info(&facts, host, a.buf, a.size, &err), 0);
	ck_assert_msg(!err.msg[0], "%s", err.msg);
	ck_assert_uint_eq(facts.hosts[host].pgsize_bitmap, 0x40201000);
	ck_assert_uint_eq(facts.hosts[host].dma_avail, 65535);
	ck_assert(facts.hosts[host].has_iova_ranges);
	ck_assert_uint_eq(facts.nr_iova, 2);
	assert_iova(&facts.iova[0], host, 0, 0xfedfffff);
	assert_iova(&facts.iova[1], host, 0xfef00000, 0x7fffffffff);
	hostres_free(&facts);
}
END_TEST

/* An answer without the CAPS flag has no chain, whatever cap_offset says. */
START_TEST(test_vfio_info_answer_no_caps)
{
	struct host_facts facts = { 0 };
	struct hostres_error err;
	struct info_answer a;
	int host = hostres_add_host(&facts, "this host");

	info_answer_build(&a);
	info_answer_set(&a, offsetof(struct vfio_iommu_type1_info, flags),
			VFIO_IOMMU_INFO_PGSIZES);
	ck_assert_int_eq(hostres_vfio_type1_info(&facts, host, a.buf, a.size, &err), 0);
	ck_assert(!facts.hosts[host].has_iova_ranges);
	ck_assert_uint_eq(facts.hosts[host].dma_avail, 0);
	ck_assert_uint_eq(facts.hosts[host].pgsize_bitmap, 0x40201000);
	hostres_free(&facts);
}
END_TEST

struct bad_answer {
	size_t at;		/* the field changed */
	uint32_t value;
	size_t size;		/* 0: the whole answer */
	int ret;
	const char *want;
};

static const struct bad_answer bad_answers[] = {
	{ CAP_OFFSET_AT, ANSWER_SIZE, 0, -EIO,
	  "VFIO_IOMMU_GET_INFO: a capability at offset " },
	{ CAP_OFFSET_AT, 0xfffffffc, 0, -EIO,
	  "VFIO_IOMMU_GET_INFO: a capability at offset " },
	{ CAP_OFFSET_AT, 8, 0, -EIO, "VFIO_IOMMU_GET_INFO: a capability at offset 8, " },
	{ AVAIL_NEXT_AT, INFO_SIZE, 0, -EIO,
	  "VFIO_IOMMU_GET_INFO: the capability at offset " },
	{ IOVA_NEXT_AT, INFO_SIZE, 0, -EIO,
	  "VFIO_IOMMU_GET_INFO: the capability at offset " },
	{ AVAIL_NEXT_AT, ANSWER_SIZE - 2, 0, -EIO,
	  "VFIO_IOMMU_GET_INFO: a capability at offset " },
	{ IOVA_NR_AT, 3, 0, -EIO, "VFIO_IOMMU_GET_INFO: 3 IOVA ranges do not fit" },
	{ IOVA_NR_AT, 0xffffffff, 0, -EIO,
	  "VFIO_IOMMU_GET_INFO: 4294967295 IOVA ranges do not fit" },
	{ IOVA_NR_AT, 0, 0, -ENODEV,
	  "VFIO_IOMMU_GET_INFO: the IOMMU reports no usable IOVA range" },
	{ IOVA_VERSION_AT, 2, 0, -EIO,
	  "VFIO_IOMMU_GET_INFO: IOVA range capability version 2 (shapevm reads version 1)" },
	{ RANGE0_END_AT, 0, 0, 0, NULL },	/* 0-0 is a valid range */
	{ CAP_OFFSET_AT, INFO_SIZE, INFO_SIZE + 4, -EIO,
	  "VFIO_IOMMU_GET_INFO: a capability at offset " },
	{ CAP_OFFSET_AT, INFO_SIZE, INFO_SIZE + 12, -EIO,
	  "VFIO_IOMMU_GET_INFO: IOVA range capability cut short" },
	{ CAP_OFFSET_AT, INFO_SIZE, 8, -EIO, "VFIO_IOMMU_GET_INFO: 8 bytes" },
};

START_TEST(test_vfio_info_answer_bad)
{
	const struct bad_answer *c = &bad_answers[_i];
	struct host_facts facts = { 0 };
	struct hostres_error err = { "" };
	struct info_answer a;
	int host = hostres_add_host(&facts, "this host");

	info_answer_build(&a);
	info_answer_set(&a, c->at, c->value);
	ck_assert_int_eq(hostres_vfio_type1_info(&facts, host, a.buf,
						 c->size ? c->size : a.size, &err),
			 c->ret);
	if (c->want)
		assert_prefix(err.msg, c->want);
	hostres_free(&facts);
}
END_TEST

/* A range that ends below its start is the kernel's bug, not a range. */
START_TEST(test_vfio_info_answer_backwards_range)
{
	struct host_facts facts = { 0 };
	struct hostres_error err;
	struct info_answer a;
	uint64_t start = 0x2000, end = 0x1000;
	int host = hostres_add_host(&facts, "this host");

	info_answer_build(&a);
	memcpy(a.buf + RANGE0_END_AT - 8, &start, sizeof(start));
	memcpy(a.buf + RANGE0_END_AT, &end, sizeof(end));
	ck_assert_int_eq(hostres_vfio_type1_info(&facts, host, a.buf, a.size, &err),
			 -EIO);
	ck_assert_str_eq(err.msg,
			 "VFIO_IOMMU_GET_INFO: IOVA range 0x2000-0x1000 ends below its start");
	ck_assert_uint_eq(facts.nr_iova, 0);
	hostres_free(&facts);
}
END_TEST

/* --- hostres_write --- */

static char *write_host(const struct host_facts *facts, unsigned int host)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	hostres_write(facts, host, out);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

START_TEST(test_write_sorted)
{
	static const char text[] =
		"0x00000000fee00000 0x00000000feefffff msi  # doorbell\n"
		"iova-range 0x00000000fef00000 0x000000ffffffffff\n"
		"0x00000000bdf6e000 0x00000000bdf84fff direct\n"
		"dma-avail 65535\n"
		"0x00000000fee00000 0x00000000feefffff msi\n"
		"iova-range 0x0000000000000000 0x00000000fedfffff\n"
		"0x00000000bdf6e000 0x00000000bdf84fff direct\n"
		"iova-range 0x0000000000000000 0x00000000fedfffff\n"
		"0x00000000bdf6e000 0x00000000bdf84fff reserved\n"
		"pgsize-bitmap 0x40201000\n"
		"phys-bits 39\n";
	static const char want[] =
		"# shapevm host facts: hostA.txt\n"
		"phys-bits 39\n"
		"pgsize-bitmap 0x40201000\n"
		"dma-avail 65535\n"
		"0x00000000bdf6e000 0x00000000bdf84fff direct\n"
		"0x00000000bdf6e000 0x00000000bdf84fff reserved\n"
		"0x00000000fee00000 0x00000000feefffff msi\n"
		"iova-range 0x0000000000000000 0x00000000fedfffff\n"
		"iova-range 0x00000000fef00000 0x000000ffffffffff\n";
	struct host_facts facts = { 0 };
	struct hostres_error err;
	char *out;

	ck_assert_int_eq(parse(&facts, text, strlen(text), &err), 0);
	out = write_host(&facts, 0);
	/*
	 * The two msi lines are one region; the one without a name sorts
	 * first and is the one kept.
	 */
	ck_assert_str_eq(out, want);
	free(out);
	hostres_free(&facts);
}
END_TEST

/* Written facts parse back to the same facts, and write the same again. */
static void assert_round_trip(const struct host_facts *facts, unsigned int host)
{
	struct host_facts again = { 0 };
	struct hostres_error err;
	char *first, *second;
	int copy;

	first = write_host(facts, host);
	copy = hostres_add_host(&again, facts->hosts[host].name);
	ck_assert_msg(hostres_parse_text(&again, copy, "written", first,
					 strlen(first), &err) == 0,
		      "%s in:\n%s", err.msg, first);
	ck_assert_uint_eq(again.hosts[0].phys_bits, facts->hosts[host].phys_bits);
	ck_assert_uint_eq(again.hosts[0].pgsize_bitmap, facts->hosts[host].pgsize_bitmap);
	ck_assert_uint_eq(again.hosts[0].dma_avail, facts->hosts[host].dma_avail);
	ck_assert_int_eq(again.hosts[0].has_iova_ranges,
			 facts->hosts[host].has_iova_ranges);
	/* Every region of the host is in the copy, under the same name. */
	for (size_t i = 0; i < facts->nr_regions; i++) {
		const struct host_region *r = &facts->regions[i];
		bool found = false;

		if (r->host != host)
			continue;
		for (size_t j = 0; j < again.nr_regions && !found; j++)
			found = again.regions[j].start == r->start &&
				again.regions[j].end == r->end &&
				again.regions[j].type == r->type;
		ck_assert_msg(found, "0x%llx-0x%llx %s lost in:\n%s",
			      (unsigned long long)r->start,
			      (unsigned long long)r->end,
			      hostres_type_name(r->type), first);
	}
	second = write_host(&again, 0);
	ck_assert_str_eq(second, first);
	free(first);
	free(second);
	hostres_free(&again);
}

START_TEST(test_write_round_trip_good_files)
{
	const struct good_case *c = &good_cases[_i];
	struct host_facts facts = { 0 };
	struct hostres_error err;

	ck_assert_int_eq(parse(&facts, c->text, strlen(c->text), &err), 0);
	assert_round_trip(&facts, 0);
	hostres_free(&facts);
}
END_TEST

START_TEST(test_write_round_trip_sysfs)
{
	struct host_facts facts = { 0 };
	struct hostres_error err;
	int other = hostres_add_host(&facts, "other");
	int host = hostres_add_host(&facts, "this\nhost");
	char *out;

	ck_assert_int_eq(hostres_add_region(&facts, other, 0x1000, 0x1fff,
					    HOST_MSI, "other host"), 0);
	ck_assert_int_eq(hostres_read_group(&facts, host, tmp_dir, DEV, NULL, 0,
					    &err), 7);
	ck_assert_int_eq(hostres_add_iova_range(&facts, host, 0, 0xfedfffff), 0);
	facts.hosts[host].has_iova_ranges = true;
	facts.hosts[host].phys_bits = 48;
	assert_round_trip(&facts, host);

	out = write_host(&facts, host);
	/* One line per host name, names and all; nothing of the other host. */
	ck_assert_ptr_nonnull(strstr(out, "# shapevm host facts: this?host\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"0x00000000f2000000 0x00000000f2003fff peer-bar  # " PEER " BAR 0\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"0x00000000fee00000 0x00000000feefffff msi  # group 7\n"));
	ck_assert_ptr_null(strstr(out, "other host"));
	free(out);
	hostres_free(&facts);
}
END_TEST

Suite *hostres_suite(void)
{
	Suite *s = suite_create("hostres");
	TCase *tc;

	tc = tcase_create("containers");
	tcase_add_test(tc, test_containers_grow_and_free);
	tcase_add_test(tc, test_type_names);
	tcase_add_test(tc, test_narrow_iova_ranges);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_good, 0, ARRAY_SIZE(good_cases));
	tcase_add_test(tc, test_parse_comment_is_what);
	tcase_add_test(tc, test_parse_not_nul_terminated);
	tcase_add_loop_test(tc, test_parse_bad, 0, ARRAY_SIZE(bad_cases));
	tcase_add_test(tc, test_parse_no_such_host);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_read_file);
	tcase_add_test(tc, test_read_file_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("sysfs");
	tcase_add_checked_fixture(tc, sysfs_setup, tmp_teardown);
	tcase_add_test(tc, test_sysfs_tree_links);
	tcase_add_test(tc, test_sysfs_group);
	tcase_add_test(tc, test_sysfs_group_short_bdf);
	tcase_add_test(tc, test_sysfs_group_assigned_peer);
	tcase_add_test(tc, test_sysfs_group_errors);
	tcase_add_loop_test(tc, test_sysfs_bad_bdf, 0, ARRAY_SIZE(bad_bdfs));
	tcase_add_test(tc, test_sysfs_all_groups);
	tcase_add_test(tc, test_sysfs_all_groups_no_iommu);
	tcase_add_test(tc, test_vfio_not_for_recorded_tree);
	tcase_add_test(tc, test_vfio_no_such_group);
	suite_add_tcase(s, tc);

	tc = tcase_create("vfio");
	tcase_add_test(tc, test_vfio_info_answer);
	tcase_add_test(tc, test_vfio_info_answer_no_caps);
	tcase_add_loop_test(tc, test_vfio_info_answer_bad, 0, ARRAY_SIZE(bad_answers));
	tcase_add_test(tc, test_vfio_info_answer_backwards_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("write");
	tcase_add_checked_fixture(tc, sysfs_setup, tmp_teardown);
	tcase_add_test(tc, test_write_sorted);
	tcase_add_loop_test(tc, test_write_round_trip_good_files, 0,
			    ARRAY_SIZE(good_cases));
	tcase_add_test(tc, test_write_round_trip_sysfs);
	suite_add_tcase(s, tc);
	return s;
}
