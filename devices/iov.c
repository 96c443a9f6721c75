// SPDX-License-Identifier: GPL-2.0
#include <string.h>

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

size_t iov_copy(const struct iovec *iov, unsigned int nr, uint64_t off,
		       uint8_t *buf, size_t len, bool into_iov)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < nr && done < len; i++) {
		uint8_t *base = iov[i].iov_base;
		size_t n;

		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		n = iov[i].iov_len - off;
		if (n > len - done)
			n = len - done;
		if (into_iov)
			memcpy(base + off, buf + done, n);
		else
			memcpy(buf + done, base + off, n);
		done += n;
		off = 0;
	}
	return done;
}
