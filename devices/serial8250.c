// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/serial8250.h"
#include "vmm/bus.h"
#include "vmm/irq.h"
#include "vmm/log.h"
#include "vmm/util.h"
#include "vmm/vm.h"

enum {
	UART_RX = 0, UART_TX = 0, UART_DLL = 0,
	UART_IER = 1, UART_DLM = 1,
	UART_IIR = 2, UART_FCR = 2,
	UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IER_RLSI	0x04
#define IER_MSI		0x08
#define IIR_NO_INT	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_DCTS	0x01
#define MSR_DDSR	0x02
#define MSR_TERI	0x04
#define MSR_DDCD	0x08
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80
#define MSR_DELTAS	0x0f

#define UART_RX_SIZE	4096	/* power of two */

struct serial8250 {
	pthread_mutex_t lock;
	struct vm *vm;
	unsigned int gsi;
	void (*irq_fn)(void *opaque, int level);
	void *irq_opaque;
	int out_fd;
	int rx_space_fd;

	uint8_t ier, lcr, mcr, msr, scr, fcr, dll, dlm;
	bool thre_pending;	/* THR empty interrupt not yet acknowledged */
	int irq_level;

	uint8_t rx[UART_RX_SIZE];
	unsigned int rx_head, rx_tail;	/* free-running indices */
	bool rx_was_full;
};

static unsigned int rx_count(const struct serial8250 *uart)
{
	return uart->rx_head - uart->rx_tail;
}

static uint8_t uart_iir(const struct serial8250 *uart)
{
	uint8_t fifo = uart->fcr & FCR_ENABLE ? IIR_FIFO : 0;

	if ((uart->ier & IER_RDI) && rx_count(uart))
		return fifo | IIR_RDI;
	if ((uart->ier & IER_THRI) && uart->thre_pending)
		return fifo | IIR_THRI;
	if ((uart->ier & IER_MSI) && (uart->msr & MSR_DELTAS))
		return fifo | IIR_MSI;
	return fifo | IIR_NO_INT;
}

/* Caller holds the lock. ISA lines are edges: only changes are sent. */
static void uart_update_irq(struct serial8250 *uart)
{
	int level = !(uart_iir(uart) & IIR_NO_INT);

	if (level == uart->irq_level)
		return;
	uart->irq_level = level;
	if (uart->irq_fn)
		uart->irq_fn(uart->irq_opaque, level);
	else
		irq_line_set(uart->vm, uart->gsi, level);
}

/* Modem status seen by the guest: fixed lines, or MCR looped back. */
static uint8_t uart_modem_lines(const struct serial8250 *uart)
{
	uint8_t lines = 0;

	if (!(uart->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	if (uart->mcr & MCR_RTS)
		lines |= MSR_CTS;
	if (uart->mcr & MCR_DTR)
		lines |= MSR_DSR;
	if (uart->mcr & MCR_OUT1)
		lines |= MSR_RI;
	if (uart->mcr & MCR_OUT2)
		lines |= MSR_DCD;
	return lines;
}

static void uart_set_modem_lines(struct serial8250 *uart)
{
	uint8_t now = uart_modem_lines(uart), before = uart->msr & 0xf0;
	uint8_t changed = now ^ before;

	if (changed & MSR_CTS)
		uart->msr |= MSR_DCTS;
	if (changed & MSR_DSR)
		uart->msr |= MSR_DDSR;
	if (changed & MSR_DCD)
		uart->msr |= MSR_DDCD;
	if ((before & MSR_RI) && !(now & MSR_RI))
		uart->msr |= MSR_TERI;	/* only the trailing edge of RI counts */
	uart->msr = (uart->msr & MSR_DELTAS) | now;
}

static void uart_push_rx(struct serial8250 *uart, uint8_t byte)
{
	if (rx_count(uart) == UART_RX_SIZE)
		return;	/* overrun: the byte is lost, as on hardware */
	uart->rx[uart->rx_head++ % UART_RX_SIZE] = byte;
}

static void uart_transmit(struct serial8250 *uart, uint8_t byte)
{
	if (uart->mcr & MCR_LOOP) {
		uart_push_rx(uart, byte);
	} else if (uart->out_fd >= 0) {
		ssize_t n;

		/* A kick (EINTR) while stopping means: give up on a stuck reader. */
		do {
			n = write(uart->out_fd, &byte, 1);
		} while (n < 0 && errno == EINTR && !(uart->vm && vm_stopping(uart->vm)));
	}
	/* Output is synchronous: the transmitter is idle again at once. */
	uart->thre_pending = true;
}

/* Tells the console there is room again once it had to hold input back. */
static void uart_rx_consumed(struct serial8250 *uart)
{
	uint64_t one = 1;

	if (!uart->rx_was_full || rx_count(uart) > UART_RX_SIZE / 2)
		return;
	uart->rx_was_full = false;
	if (uart->rx_space_fd >= 0 &&
	    write(uart->rx_space_fd, &one, sizeof(one)) < 0)
		log_debug("uart: rx space eventfd: %s", strerror(errno));
}

static uint8_t uart_read_rx(struct serial8250 *uart)
{
	uint8_t byte;

	if (!rx_count(uart))
		return 0;
	byte = uart->rx[uart->rx_tail++ % UART_RX_SIZE];
	uart_rx_consumed(uart);
	return byte;
}

static uint8_t uart_read(struct serial8250 *uart, unsigned int reg)
{
	uint8_t value, iir;

	switch (reg) {
	case UART_RX:
		if (uart->lcr & LCR_DLAB)
			return uart->dll;
		return uart_read_rx(uart);
	case UART_IER:
		if (uart->lcr & LCR_DLAB)
			return uart->dlm;
		return uart->ier;
	case UART_IIR:
		iir = uart_iir(uart);
		/* Reading IIR acknowledges a THR-empty interrupt. */
		if ((iir & 0x0f) == IIR_THRI)
			uart->thre_pending = false;
		return iir;
	case UART_LCR:
		return uart->lcr;
	case UART_MCR:
		return uart->mcr;
	case UART_LSR:
		value = LSR_THRE | LSR_TEMT;
		if (rx_count(uart))
			value |= LSR_DR;
		return value;
	case UART_MSR:
		value = uart->msr;
		uart->msr &= ~MSR_DELTAS;
		return value;
	default:
		return uart->scr;
	}
}

static void uart_write(struct serial8250 *uart, unsigned int reg, uint8_t value)
{
	switch (reg) {
	case UART_TX:
		if (uart->lcr & LCR_DLAB)
			uart->dll = value;
		else
			uart_transmit(uart, value);
		break;
	case UART_IER:
		if (uart->lcr & LCR_DLAB) {
			uart->dlm = value;
			break;
		}
		/* Enabling THRI with the transmitter idle interrupts at once. */
		if (value & IER_THRI)
			uart->thre_pending = true;
		uart->ier = value & 0x0f;
		break;
	case UART_FCR:
		uart->fcr = value & 0xc9;
		if (value & FCR_CLEAR_RX) {
			uart->rx_tail = uart->rx_head;
			uart_rx_consumed(uart);
		}
		break;
	case UART_LCR:
		uart->lcr = value;
		break;
	case UART_MCR:
		uart->mcr = value & 0x1f;
		uart_set_modem_lines(uart);
		break;
	case UART_SCR:
		uart->scr = value;
		break;
	default:
		break;	/* LSR and MSR are read-only */
	}
}

void serial8250_access(void *opaque, uint64_t offset, uint8_t *data,
		       unsigned int size, bool is_write)
{
	struct serial8250 *uart = opaque;
	unsigned int i;

	pthread_mutex_lock(&uart->lock);
	/* Wider accesses touch consecutive byte registers. */
	for (i = 0; i < size; i++) {
		unsigned int reg = (offset + i) & 7;

		if (is_write)
			uart_write(uart, reg, data[i]);
		else
			data[i] = uart_read(uart, reg);
	}
	uart_update_irq(uart);
	pthread_mutex_unlock(&uart->lock);
}

size_t serial8250_receive(struct serial8250 *uart, const uint8_t *buf, size_t len)
{
	size_t taken;

	pthread_mutex_lock(&uart->lock);
	taken = MIN(len, (size_t)(UART_RX_SIZE - rx_count(uart)));
	for (size_t i = 0; i < taken; i++)
		uart_push_rx(uart, buf[i]);
	if (taken < len)
		uart->rx_was_full = true;
	uart_update_irq(uart);
	pthread_mutex_unlock(&uart->lock);
	return taken;
}

static struct serial8250 *serial8250_alloc(int out_fd, int rx_space_fd)
{
	struct serial8250 *uart = calloc(1, sizeof(*uart));

	if (!uart)
		return NULL;
	pthread_mutex_init(&uart->lock, NULL);
	uart->out_fd = out_fd;
	uart->rx_space_fd = rx_space_fd;
	uart->msr = uart_modem_lines(uart);
	uart->dll = 12;	/* 9600 baud, as a PC BIOS leaves it */
	return uart;
}

struct serial8250 *serial8250_create_detached(int out_fd, int rx_space_fd,
					      void (*irq)(void *, int), void *irq_opaque)
{
	struct serial8250 *uart = serial8250_alloc(out_fd, rx_space_fd);

	if (uart) {
		uart->irq_fn = irq;
		uart->irq_opaque = irq_opaque;
	}
	return uart;
}

struct serial8250 *serial8250_create(struct vm *vm, const struct arch_uart *where,
				     int out_fd, int rx_space_fd)
{
	struct serial8250 *uart = serial8250_alloc(out_fd, rx_space_fd);
	struct bus *bus = where->port_io ? &vm->pio_bus : &vm->mmio_bus;

	if (!uart)
		return NULL;
	uart->vm = vm;
	uart->gsi = where->gsi;
	if (bus_register(bus, where->base, 8, serial8250_access, uart, "uart")) {
		log_error("uart: address 0x%llx is taken", (unsigned long long)where->base);
		serial8250_destroy(uart);
		return NULL;
	}
	return uart;
}

void serial8250_destroy(struct serial8250 *uart)
{
	if (!uart)
		return;
	pthread_mutex_destroy(&uart->lock);
	free(uart);
}
