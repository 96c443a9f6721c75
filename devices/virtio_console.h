/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-console (spec 5.3), one port: the guest's hvc0. Its output goes to
 * out_fd; the terminal's input arrives through virtio_console_receive
 * (a vmm/console sink), with space_fd written when the guest has posted
 * buffers again after input had to wait.
 */
#ifndef SHAPEVM_VIRTIO_CONSOLE_H
#define SHAPEVM_VIRTIO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

struct vm;
struct pci_host;
struct virtio_console;

struct virtio_console *virtio_console_create(struct vm *vm, struct pci_host *host,
					     int out_fd, int space_fd);
/* Input for the guest; returns how many bytes it took (0: no buffers yet). */
size_t virtio_console_receive(struct virtio_console *con, const uint8_t *buf,
			      size_t len);

#endif
