// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/loader.h"
#include "vmm/log.h"

int loader_open(const char *what, const char *path, uint64_t *size)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_error("%s %s: %s", what, path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0) {
		log_error("%s %s: %s", what, path, strerror(errno));
		close(fd);
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		log_error("%s %s: not a regular file", what, path);
		close(fd);
		return -EINVAL;
	}
	if (st.st_size == 0) {
		log_error("%s %s: the file is empty", what, path);
		close(fd);
		return -EINVAL;
	}
	*size = st.st_size;
	return fd;
}

int loader_read(const char *what, const char *path, int fd, void *dst, uint64_t len)
{
	uint8_t *p = dst;
	uint64_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, p + done, len - done, done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("%s %s: %s", what, path, strerror(errno));
			return -errno;
		}
		if (n == 0) {
			log_error("%s %s: the file shrank while being read", what, path);
			return -EIO;
		}
		done += n;
	}
	return 0;
}

int loader_read_whole(const char *what, const char *path, uint64_t max,
		      uint8_t **buf, uint64_t *size)
{
	int fd, ret;

	fd = loader_open(what, path, size);
	if (fd < 0)
		return fd;
	if (*size > max) {
		log_error("%s %s: %llu bytes is more than shapevm reads there (%llu MiB at most)",
			  what, path, (unsigned long long)*size,
			  (unsigned long long)(max >> 20));
		close(fd);
		return -EFBIG;
	}
	*buf = malloc(*size);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	ret = loader_read(what, path, fd, *buf, *size);
	close(fd);
	if (ret) {
		free(*buf);
		*buf = NULL;
	}
	return ret;
}
