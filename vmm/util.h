/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by every module. */
#ifndef SHAPEVM_UTIL_H
#define SHAPEVM_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)		((((x) + (a) - 1) / (a)) * (a))
#define ALIGN_DOWN(x, a)	(((x) / (a)) * (a))
#define IS_ALIGNED(x, a)	(((x) % (a)) == 0)
#define MIN(a, b)		((a) < (b) ? (a) : (b))
#define MAX(a, b)		((a) > (b) ? (a) : (b))

#define SZ_4K	0x1000ULL
#define SZ_1M	0x100000ULL
#define SZ_2M	0x200000ULL
#define SZ_1G	0x40000000ULL
#define SZ_4G	0x100000000ULL

/* Size and time units used by error messages and tables. */
void size_format(uint64_t bytes, char *buf, size_t len);
void size_human(uint64_t bytes, char *buf, size_t len);

#endif
