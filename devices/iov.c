// SPDX-License-Identifier: GPL-2.0
#include "devices/iov.h"

int iov_slice(const struct iovec *src, unsigned int nr, uint64_t off, uint64_t len,
	      struct iovec *dst, unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr && len; i++) {
		uint64_t take;

		if (off >= src[i].iov_len) {
			off -= src[i].iov_len;
			continue;
		}
		if (n == max)
			return -1;
		take = src[i].iov_len - off;
		if (take > len)
			take = len;
		dst[n].iov_base = (uint8_t *)src[i].iov_base + off;
		dst[n].iov_len = take;
		n++;
		len -= take;
		off = 0;
	}
	return len ? -1 : (int)n;
}

uint64_t iov_length(const struct iovec *iov, unsigned int nr)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < nr; i++)
		total += iov[i].iov_len;
	return total;
}
