// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86/bzimage.h"

#define HDR_SETUP_SECTS		0x1f1
#define HDR_SYSSIZE		0x1f4
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP_END		0x201
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_LOADFLAGS		0x211
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_INIT_SIZE		0x260
#define HDR_MIN_END		0x264

#define LOADED_HIGH		0x01
#define XLF_KERNEL_64		0x01

static uint32_t get_le(const uint8_t *p, unsigned int bytes)
{
	uint32_t v = 0;

	while (bytes--)
		v = (v << 8) | p[bytes];
	return v;
}

int bzimage_parse(const uint8_t *buf, size_t len, struct bzimage_info *info,
		  char *err, size_t errlen)
{
	unsigned int setup_sects;
	uint64_t need;

	memset(info, 0, sizeof(*info));
	if (len < HDR_MIN_END) {
		snprintf(err, errlen, "too short for a bzImage (%zu bytes)", len);
		return -ENOEXEC;
	}
	if (get_le(buf + HDR_BOOT_FLAG, 2) != 0xaa55 ||
	    memcmp(buf + HDR_MAGIC, "HdrS", 4)) {
		snprintf(err, errlen, "not a bzImage (no Linux boot header)");
		return -ENOEXEC;
	}
	info->version = get_le(buf + HDR_VERSION, 2);
	if (info->version < BZIMAGE_MIN_VERSION) {
		snprintf(err, errlen,
			 "boot protocol %u.%02u is too old (shapevm needs 2.12, Linux 3.8 or later)",
			 info->version >> 8, info->version & 0xff);
		return -ENOEXEC;
	}
	if (!(buf[HDR_LOADFLAGS] & LOADED_HIGH)) {
		snprintf(err, errlen, "not a bzImage (a zImage, loaded low)");
		return -ENOEXEC;
	}
	if (!(get_le(buf + HDR_XLOADFLAGS, 2) & XLF_KERNEL_64)) {
		snprintf(err, errlen, "the kernel has no 64-bit entry point (not an x86_64 kernel?)");
		return -ENOEXEC;
	}
	info->header_end = HDR_MAGIC + buf[HDR_JUMP_END];
	if (info->header_end < HDR_MIN_END || info->header_end > 0x400) {
		snprintf(err, errlen, "setup header length 0x%x is impossible",
			 info->header_end);
		return -ENOEXEC;
	}
	setup_sects = buf[HDR_SETUP_SECTS] ? buf[HDR_SETUP_SECTS] : 4;
	info->kernel_offset = (setup_sects + 1) * 512;
	need = info->kernel_offset + (uint64_t)get_le(buf + HDR_SYSSIZE, 4) * 16;
	if (need > len || info->kernel_offset >= len) {
		snprintf(err, errlen, "truncated: the header says %llu bytes, the file has %zu",
			 (unsigned long long)need, len);
		return -ENOEXEC;
	}
	info->kernel_size = len - info->kernel_offset;
	info->init_size = get_le(buf + HDR_INIT_SIZE, 4);
	if (info->init_size < info->kernel_size)
		info->init_size = info->kernel_size;
	info->initrd_addr_max = get_le(buf + HDR_INITRD_ADDR_MAX, 4);
	info->cmdline_size = get_le(buf + HDR_CMDLINE_SIZE, 4);
	return 0;
}
