/* SPDX-License-Identifier: GPL-2.0 */
/* Byte ranges of iovec arrays, for devices that hand guest buffers to syscalls. */
#ifndef SHAPEVM_IOV_H
#define SHAPEVM_IOV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/*
 * dst = the bytes [off, off + len) of src (as one stream), in at most max
 * elements. Returns the number of elements, or -1 when src is shorter or
 * dst too small.
 */
int iov_slice(const struct iovec *src, unsigned int nr, uint64_t off, uint64_t len,
	      struct iovec *dst, unsigned int max);
uint64_t iov_length(const struct iovec *iov, unsigned int nr);

#endif
