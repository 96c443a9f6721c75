/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 16550A UART: the guest's serial console. Output goes straight to a host
 * file descriptor; input is pushed in by the console and raises the
 * receive interrupt. It knows its address and interrupt line, not the arch.
 */
#ifndef SHAPEVM_SERIAL8250_H
#define SHAPEVM_SERIAL8250_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/arch.h"

struct vm;
struct serial8250;

struct serial8250 *serial8250_create(struct vm *vm, const struct arch_uart *where,
				     int out_fd, int rx_space_fd);
void serial8250_destroy(struct serial8250 *uart);
/* Takes as many bytes as the receive buffer holds; returns how many. */
size_t serial8250_receive(struct serial8250 *uart, const uint8_t *buf, size_t len);

/* Register access, for the bus and the unit tests. */
void serial8250_access(void *opaque, uint64_t offset, uint8_t *data,
		       unsigned int size, bool is_write);

/* For unit tests: a UART whose interrupt line is a callback. */
struct serial8250 *serial8250_create_detached(int out_fd, int rx_space_fd,
					      void (*irq)(void *, int), void *irq_opaque);

#endif
