/* SPDX-License-Identifier: GPL-2.0 */
/* Byte ranges of iovec arrays, for devices that hand guest buffers to syscalls. */
#ifndef SHAPEVM_IOV_H
#define SHAPEVM_IOV_H

#include <stdbool.h>
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
/*
 * Copies between the bytes [off, off + len) of the iovecs (as one stream)
 * and buf, into the iovecs when into_iov; stops where the iovecs end.
 * Returns the bytes copied.
 */
size_t iov_copy(const struct iovec *iov, unsigned int nr, uint64_t off,
		uint8_t *buf, size_t len, bool into_iov);
uint64_t iov_length(const struct iovec *iov, unsigned int nr);

#endif
