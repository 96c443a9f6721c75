/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the user's files (kernel, initrd) with errors that name them. */
#ifndef SHAPEVM_LOADER_H
#define SHAPEVM_LOADER_H

#include <stdint.h>

/* what: the flag the path came from ("--kernel"), for messages. */
int loader_open(const char *what, const char *path, uint64_t *size);
int loader_read(const char *what, const char *path, int fd, void *dst, uint64_t len);
int loader_read_whole(const char *what, const char *path, uint64_t max,
		      uint8_t **buf, uint64_t *size);

#endif
