// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "vmm/aml.h"

#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_EXT_PREFIX		0x5b
#define AML_DEVICE_OP		0x82
#define AML_ROOT_CHAR		'\\'

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

/* A NameString: optional root prefix, then 4-character segments ("_SB_"). */
static void aml_name(struct aml *aml, const char *path)
{
	size_t seg;

	if (*path == AML_ROOT_CHAR)
		aml_byte(aml, *path++);
	while (*path) {
		for (seg = 0; seg < 4; seg++)
			aml_byte(aml, *path && *path != '.' ? *path++ : '_');
		if (*path == '.')
			path++;
	}
}

/* Opens a block whose PkgLength is written when it ends. */
static void aml_open(struct aml *aml)
{
	if (aml->depth == AML_MAX_DEPTH) {
		aml->overflow = true;
		return;
	}
	aml->open[aml->depth++] = aml->len;
	aml_byte(aml, 0);	/* room for a one-byte PkgLength */
}

void aml_end(struct aml *aml)
{
	size_t at, body, total, n;

	if (!aml->depth) {
		aml->overflow = true;
		return;
	}
	at = aml->open[--aml->depth];
	if (aml->overflow)
		return;
	body = aml->len - at - 1;
	for (n = 1; n < 4; n++)
		if (body + n < (n == 1 ? 0x40U : 1U << (4 + 8 * (n - 1))))
			break;
	total = body + n;
	if (n > 1) {
		if (aml->len + n - 1 > aml->cap) {
			aml->overflow = true;
			return;
		}
		memmove(aml->buf + at + n, aml->buf + at + 1, body);
		aml->len += n - 1;
		aml->buf[at] = ((n - 1) << 6) | (total & 0xf);
		for (size_t i = 1; i < n; i++)
			aml->buf[at + i] = total >> (4 + 8 * (i - 1));
	} else {
		aml->buf[at] = total;
	}
}

void aml_scope_begin(struct aml *aml, const char *path)
{
	aml_byte(aml, AML_SCOPE_OP);
	aml_open(aml);
	aml_name(aml, path);
}

void aml_device_begin(struct aml *aml, const char *name)
{
	aml_byte(aml, AML_EXT_PREFIX);
	aml_byte(aml, AML_DEVICE_OP);
	aml_open(aml);
	aml_name(aml, name);
}

void aml_package_begin(struct aml *aml, uint8_t elements)
{
	aml_byte(aml, AML_PACKAGE_OP);
	aml_open(aml);
	aml_byte(aml, elements);
}

void aml_integer(struct aml *aml, uint64_t value)
{
	unsigned int bytes;

	if (value <= 1) {
		aml_byte(aml, value ? AML_ONE_OP : AML_ZERO_OP);
		return;
	}
	if (value <= 0xff) {
		aml_byte(aml, AML_BYTE_PREFIX);
		bytes = 1;
	} else if (value <= 0xffff) {
		aml_byte(aml, AML_WORD_PREFIX);
		bytes = 2;
	} else if (value <= 0xffffffffULL) {
		aml_byte(aml, AML_DWORD_PREFIX);
		bytes = 4;
	} else {
		aml_byte(aml, AML_QWORD_PREFIX);
		bytes = 8;
	}
	for (unsigned int i = 0; i < bytes; i++)
		aml_byte(aml, value >> (8 * i));
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

/* "PNP0501": three letters in 5 bits each, then four hex digits. */
void aml_name_eisaid(struct aml *aml, const char *name, const char *id)
{
	uint16_t vendor;
	uint32_t product = 0;

	if (strlen(id) != 7) {
		aml->overflow = true;
		return;
	}
	vendor = ((id[0] - '@') & 0x1f) << 10 | ((id[1] - '@') & 0x1f) << 5 |
		 ((id[2] - '@') & 0x1f);
	for (int i = 3; i < 7; i++) {
		char c = id[i];

		product = product << 4 |
			  (c >= 'A' ? (c - 'A' + 10) & 0xf : (c - '0') & 0xf);
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
	aml_byte(aml, AML_BUFFER_OP);
	aml_open(aml);
	aml_integer(aml, len);
	aml_bytes(aml, data, len);
	aml_end(aml);
}

int aml_finish(struct aml *aml)
{
	if (aml->depth)
		return -EINVAL;
	if (aml->overflow)
		return -ENOSPC;
	return aml->len;
}

/* IO port descriptor, 16-bit decode, fixed base. */
size_t aml_res_io(uint8_t *p, uint16_t base, uint8_t len)
{
	p[0] = 0x47;
	p[1] = 0x01;
	p[2] = base;
	p[3] = base >> 8;
	p[4] = base;
	p[5] = base >> 8;
	p[6] = 1;
	p[7] = len;
	return 8;
}

/* IRQ descriptor without flags: edge triggered, active high, exclusive. */
size_t aml_res_irq(uint8_t *p, unsigned int irq)
{
	p[0] = 0x22;
	p[1] = irq < 8 ? 1U << irq : 0;
	p[2] = irq >= 8 && irq < 16 ? 1U << (irq - 8) : 0;
	return 3;
}

size_t aml_res_end(uint8_t *p)
{
	p[0] = 0x79;
	p[1] = 0;	/* zero checksum: "treat as correct" */
	return 2;
}
