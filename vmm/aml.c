// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "vmm/aml.h"

#define AML_ZERO_OP		0x00
#define AML_NULL_NAME		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_DUAL_NAME_PREFIX	0x2e
#define AML_MULTI_NAME_PREFIX	0x2f
#define AML_EXT_PREFIX		0x5b
#define AML_DEVICE_OP		0x82
#define AML_ROOT_CHAR		'\\'

/* Resource descriptor tags (ACPI 6.3, 6.4.2 small and 6.4.3 large items). */
#define RES_IRQ_NO_FLAGS	0x22	/* small item 0x4, length 2 */
#define RES_IO			0x47	/* small item 0x8, length 7 */
#define RES_END_TAG		0x79	/* small item 0xf, length 1 */
#define RES_MEMORY32_FIXED	0x86
#define RES_DWORD_ADDRESS	0x87
#define RES_WORD_ADDRESS	0x88
#define RES_QWORD_ADDRESS	0x8a

/* Address space descriptors: resource type (byte 3) and general flags (byte 4). */
#define RES_TYPE_MEMORY		0
#define RES_TYPE_IO		1
#define RES_TYPE_BUS		2
/* Bit 0 clear: ResourceProducer; bit 1 clear: PosDecode. */
#define RES_FLAG_MIN_FIXED	(1U << 2)
#define RES_FLAG_MAX_FIXED	(1U << 3)
#define RES_IO_ENTIRE_RANGE	3		/* _RNG: ISA and non-ISA ports */

#define RES_IO_DECODE16		0x01

void aml_init(struct aml *aml, uint8_t *buf, size_t cap)
{
	memset(aml, 0, sizeof(*aml));
	aml->buf = buf;
	aml->cap = cap;
}

static void aml_byte(struct aml *aml, uint8_t byte)
{
	if (aml->len >= aml->cap) {
		aml->overflow = true;
		return;
	}
	aml->buf[aml->len++] = byte;
}

static void aml_bytes(struct aml *aml, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len--)
		aml_byte(aml, *p++);
}

static void aml_le(struct aml *aml, uint64_t value, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		aml_byte(aml, value >> (8 * i));
}

/* Makes room for n bytes at offset at, then writes them there. */
static void aml_insert(struct aml *aml, size_t at, const uint8_t *bytes, size_t n)
{
	if (aml->overflow)
		return;
	if (aml->cap - aml->len < n) {
		aml->overflow = true;
		return;
	}
	memmove(aml->buf + at + n, aml->buf + at, aml->len - at);
	memcpy(aml->buf + at, bytes, n);
	aml->len += n;
}

static bool is_name_char(char c, bool lead)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (!lead && c >= '0' && c <= '9');
}

/*
 * A NameString: optional root prefix, then 4-character segments ("_SB_");
 * two segments take DualNamePrefix, more MultiNamePrefix and a count.
 */
static void aml_name(struct aml *aml, const char *path)
{
	size_t segs = 0, i;
	const char *p;

	if (*path == AML_ROOT_CHAR)
		aml_byte(aml, *path++);
	if (*path) {
		segs = 1;
		for (p = path; *p; p++)
			segs += *p == '.';
	}
	if (!segs) {
		aml_byte(aml, AML_NULL_NAME);
		return;
	}
	if (segs == 2) {
		aml_byte(aml, AML_DUAL_NAME_PREFIX);
	} else if (segs > 2) {
		if (segs > 255) {
			aml->invalid = true;
			return;
		}
		aml_byte(aml, AML_MULTI_NAME_PREFIX);
		aml_byte(aml, segs);
	}
	while (segs--) {
		for (i = 0; i < 4 && *path && *path != '.'; i++, path++) {
			if (!is_name_char(*path, i == 0))
				aml->invalid = true;
			aml_byte(aml, *path);
		}
		if (!i || (*path && *path != '.'))
			aml->invalid = true;	/* empty, or longer than 4 */
		for (; i < 4; i++)
			aml_byte(aml, '_');
		while (*path && *path != '.')
			path++;
		if (*path == '.')
			path++;
	}
}

/* Opens a block whose PkgLength is inserted when it ends. */
static void aml_open(struct aml *aml, bool buffer)
{
	if (aml->depth == AML_MAX_DEPTH) {
		aml->overflow = true;
		return;
	}
	aml->open_buffer[aml->depth] = buffer;
	aml->open[aml->depth++] = aml->len;
}

/* The shortest encoding of an integer constant; returns its length. */
static size_t aml_integer_encode(uint8_t *out, uint64_t value)
{
	unsigned int bytes;

	if (value <= 1) {
		out[0] = value ? AML_ONE_OP : AML_ZERO_OP;
		return 1;
	}
	if (value <= 0xff) {
		out[0] = AML_BYTE_PREFIX;
		bytes = 1;
	} else if (value <= 0xffff) {
		out[0] = AML_WORD_PREFIX;
		bytes = 2;
	} else if (value <= 0xffffffffULL) {
		out[0] = AML_DWORD_PREFIX;
		bytes = 4;
	} else {
		out[0] = AML_QWORD_PREFIX;
		bytes = 8;
	}
	for (unsigned int i = 0; i < bytes; i++)
		out[1 + i] = value >> (8 * i);
	return 1 + bytes;
}

/*
 * PkgLength counts itself: one byte holds up to 63, longer ones take
 * 2-4 bytes, the first with the byte count in bits 7:6 and bits 3:0.
 */
static void aml_insert_pkglength(struct aml *aml, size_t at)
{
	size_t body = aml->len - at, total, n;
	uint8_t enc[4];

	if (body + 1 < 0x40) {
		enc[0] = body + 1;
		aml_insert(aml, at, enc, 1);
		return;
	}
	for (n = 2; n <= 4; n++)
		if (body + n < 1U << (4 + 8 * (n - 1)))
			break;
	if (n > 4) {
		aml->invalid = true;
		return;
	}
	total = body + n;
	enc[0] = ((n - 1) << 6) | (total & 0xf);
	for (size_t i = 1; i < n; i++)
		enc[i] = total >> (4 + 8 * (i - 1));
	aml_insert(aml, at, enc, n);
}

void aml_end(struct aml *aml)
{
	uint8_t size[9];
	size_t at;

	if (!aml->depth) {
		aml->overflow = true;
		return;
	}
	at = aml->open[--aml->depth];
	if (aml->overflow)
		return;
	if (aml->open_buffer[aml->depth])
		aml_insert(aml, at, size, aml_integer_encode(size, aml->len - at));
	aml_insert_pkglength(aml, at);
}

void aml_scope_begin(struct aml *aml, const char *path)
{
	aml_byte(aml, AML_SCOPE_OP);
	aml_open(aml, false);
	aml_name(aml, path);
}

void aml_device_begin(struct aml *aml, const char *name)
{
	aml_byte(aml, AML_EXT_PREFIX);
	aml_byte(aml, AML_DEVICE_OP);
	aml_open(aml, false);
	aml_name(aml, name);
}

void aml_package_begin(struct aml *aml, uint8_t elements)
{
	aml_byte(aml, AML_PACKAGE_OP);
	aml_open(aml, false);
	aml_byte(aml, elements);
}

void aml_buffer_begin(struct aml *aml)
{
	aml_byte(aml, AML_BUFFER_OP);
	aml_open(aml, true);
}

void aml_integer(struct aml *aml, uint64_t value)
{
	uint8_t enc[9];

	aml_bytes(aml, enc, aml_integer_encode(enc, value));
}

/* A String: ASCII 0x01-0x7f, then a NUL. */
void aml_string(struct aml *aml, const char *str)
{
	aml_byte(aml, AML_STRING_PREFIX);
	for (; *str; str++) {
		if ((unsigned char)*str > 0x7f)
			aml->invalid = true;
		aml_byte(aml, *str);
	}
	aml_byte(aml, 0);
}

void aml_name_begin(struct aml *aml, const char *name)
{
	aml_byte(aml, AML_NAME_OP);
	aml_name(aml, name);
}

void aml_name_integer(struct aml *aml, const char *name, uint64_t value)
{
	aml_name_begin(aml, name);
	aml_integer(aml, value);
}

void aml_name_string(struct aml *aml, const char *name, const char *str)
{
	aml_name_begin(aml, name);
	aml_string(aml, str);
}

static int eisa_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * "PNP0501": three letters in 5 bits each, then four hex digits, stored
 * as a DWord whose bytes go vendor high, vendor low, product high, product
 * low (the compressed EISA ID is big-endian in memory).
 */
void aml_name_eisaid(struct aml *aml, const char *name, const char *id)
{
	uint16_t vendor = 0, product = 0;
	int i;

	if (strlen(id) != 7) {
		aml->invalid = true;
		return;
	}
	for (i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			aml->invalid = true;
		vendor = vendor << 5 | ((id[i] - '@') & 0x1f);
	}
	for (; i < 7; i++) {
		if (eisa_hex(id[i]) < 0)
			aml->invalid = true;
		product = product << 4 | (eisa_hex(id[i]) & 0xf);
	}
	aml_name_begin(aml, name);
	aml_byte(aml, AML_DWORD_PREFIX);
	aml_byte(aml, vendor >> 8);
	aml_byte(aml, vendor);
	aml_byte(aml, product >> 8);
	aml_byte(aml, product);
}

void aml_name_buffer(struct aml *aml, const char *name, const uint8_t *data,
		     size_t len)
{
	aml_name_begin(aml, name);
	aml_buffer_begin(aml);
	aml_bytes(aml, data, len);
	aml_end(aml);
}

int aml_finish(struct aml *aml)
{
	if (aml->depth || aml->invalid)
		return -EINVAL;
	if (aml->overflow)
		return -ENOSPC;
	return aml->len;
}

void aml_res_io(struct aml *aml, uint16_t base, uint8_t len)
{
	aml_byte(aml, RES_IO);
	aml_byte(aml, RES_IO_DECODE16);
	aml_le(aml, base, 2);		/* _MIN */
	aml_le(aml, base, 2);		/* _MAX */
	aml_byte(aml, 1);		/* _ALN */
	aml_byte(aml, len);		/* _LEN */
}

void aml_res_irq(struct aml *aml, unsigned int irq)
{
	if (irq >= 16)
		aml->invalid = true;
	aml_byte(aml, RES_IRQ_NO_FLAGS);
	aml_le(aml, irq < 16 ? 1U << irq : 0, 2);
}

void aml_res_memory32_fixed(struct aml *aml, uint32_t base, uint32_t len,
			    bool read_write)
{
	aml_byte(aml, RES_MEMORY32_FIXED);
	aml_le(aml, 9, 2);		/* length of what follows */
	aml_byte(aml, read_write ? 1 : 0);
	aml_le(aml, base, 4);
	aml_le(aml, len, 4);
}

/*
 * Word (16-bit), DWord (32-bit) and QWord (64-bit) address space
 * descriptors share one layout: tag, length, type, general and
 * type-specific flags, then _GRA, _MIN, _MAX, _TRA, _LEN in the width.
 */
static void aml_res_address(struct aml *aml, uint8_t tag, unsigned int width,
			    uint8_t type, uint8_t type_flags, uint64_t min,
			    uint64_t max)
{
	if (min > max || (width < 8 && max >> (8 * width))) {
		aml->invalid = true;
		return;
	}
	aml_byte(aml, tag);
	aml_le(aml, 3 + 5 * width, 2);	/* length of what follows */
	aml_byte(aml, type);
	aml_byte(aml, RES_FLAG_MIN_FIXED | RES_FLAG_MAX_FIXED);
	aml_byte(aml, type_flags);
	aml_le(aml, 0, width);		/* _GRA */
	aml_le(aml, min, width);	/* _MIN */
	aml_le(aml, max, width);	/* _MAX */
	aml_le(aml, 0, width);		/* _TRA */
	/* _LEN; a window of all 2^64 addresses cannot be said, nor exists. */
	if (width == 8 && !min && max == UINT64_MAX)
		aml->invalid = true;
	aml_le(aml, max - min + 1, width);
}

void aml_res_word_bus(struct aml *aml, uint16_t min, uint16_t max)
{
	aml_res_address(aml, RES_WORD_ADDRESS, 2, RES_TYPE_BUS, 0, min, max);
}

void aml_res_word_io(struct aml *aml, uint16_t min, uint16_t max)
{
	aml_res_address(aml, RES_WORD_ADDRESS, 2, RES_TYPE_IO,
			RES_IO_ENTIRE_RANGE, min, max);
}

void aml_res_dword_memory(struct aml *aml, uint32_t min, uint32_t max,
			  unsigned int mem_flags)
{
	if (mem_flags & ~0x7U)
		aml->invalid = true;
	aml_res_address(aml, RES_DWORD_ADDRESS, 4, RES_TYPE_MEMORY,
			mem_flags & 0x7, min, max);
}

void aml_res_qword_memory(struct aml *aml, uint64_t min, uint64_t max,
			  unsigned int mem_flags)
{
	if (mem_flags & ~0x7U)
		aml->invalid = true;
	aml_res_address(aml, RES_QWORD_ADDRESS, 8, RES_TYPE_MEMORY,
			mem_flags & 0x7, min, max);
}

void aml_res_end(struct aml *aml)
{
	aml_byte(aml, RES_END_TAG);
	aml_byte(aml, 0);	/* zero checksum: "treat as correct" */
}
