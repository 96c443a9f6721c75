/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PCI host bridge: bus 0, up to 32 devices (function 0 each), config
 * access by mechanism #1 (ports 0xCF8/0xCFC, x86) and ECAM (MMIO, both
 * arches), BARs placed in the plan's windows, and guest accesses to the
 * windows dispatched to whichever BAR decodes there. Device numbers follow
 * the order devices are added (the command line's), so they are stable.
 */
#ifndef SHAPEVM_PCI_HOST_H
#define SHAPEVM_PCI_HOST_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/pci.h"
#include "vmm/memplan.h"

#define PCI_MAX_DEVICES		32
#define PCI_MAX_WINDOWS		16

struct vm;
struct pci_host;

struct pci_window {
	uint64_t start;
	uint64_t size;
	uint64_t next;			/* allocation cursor */
	bool is_64bit;			/* above 4 GiB: 64-bit BARs only */
	struct pci_host *host;		/* for the bus callback */
};

struct pci_host {
	pthread_mutex_t lock;		/* the 0xCF8 latch */
	struct pci_device bridge;	/* 00.0, the host bridge itself */
	struct pci_device *devices[PCI_MAX_DEVICES];
	unsigned int nr_devices;
	uint32_t cf8;
	uint64_t ecam_base;
	uint64_t ecam_size;		/* 0: no ECAM */
	struct pci_window mem[PCI_MAX_WINDOWS];
	unsigned int nr_mem;
	struct pci_window io;		/* x86 port space for I/O BARs */
	/* INTx: host lines intx_first.. (GSIs, or SPIs on arm64); 0 lines: none. */
	unsigned int intx_first;
	unsigned int intx_lines;
};

/*
 * From the plan: ECAM is the "pci-ecam" region (1 MiB per bus; only bus 0
 * has devices), memory windows the "pci-mmio32*" and "pci-mmio64*" regions
 * in address order (a piece reaching above 4 GiB takes 64-bit BARs only);
 * io_start/io_size the port window (0 size: none, as on arm64). Sets up
 * the host bridge as 00.0. Pure. -EINVAL for a malformed ECAM or port
 * window, -E2BIG for more than PCI_MAX_WINDOWS windows.
 */
int pci_host_init(struct pci_host *host, const struct vm_plan *plan,
		  uint64_t io_start, uint64_t io_size);
void pci_host_destroy(struct pci_host *host);
/*
 * The lines INTx pins are wired to: pin p of device s drives line
 * @first + pci_intx_swizzle(s, p, @nr_lines), as the firmware tables
 * describe it. Before pci_host_add; without it devices get no INTx.
 */
void pci_host_set_intx(struct pci_host *host, unsigned int first,
		       unsigned int nr_lines);
/*
 * Gives @dev the next device number and places its BARs, largest first:
 * 64-bit ones in a 64-bit window when one has room, the others in the
 * 32-bit windows (the first with room), each naturally aligned; I/O BARs
 * in the port window. Then enables decoding and bus mastering and, for a
 * device with an Interrupt Pin, sets dev->intx_line and writes it into
 * the Interrupt Line register, as firmware would; ops->bar_remap is
 * called from here. All or nothing: -ENOSPC
 * (a BAR does not fit, or the bus is full) changes nothing. -ENOSPC names
 * nothing; the caller says which device. Before the vCPUs start only.
 */
int pci_host_add(struct pci_host *host, struct pci_device *dev);

/* Bus callbacks (vmm/bus.h), exposed for tests. */
void pci_host_cf8_access(void *host, uint64_t offset, uint8_t *data,
			 unsigned int size, bool is_write);
void pci_host_ecam_access(void *host, uint64_t offset, uint8_t *data,
			  unsigned int size, bool is_write);
/*
 * An access at absolute address @addr in a memory (or, io, port) window:
 * goes to the BAR decoding there (ops->bar_access, without dev->lock),
 * whole or not at all; unclaimed reads see all-ones.
 */
void pci_host_window_access(struct pci_host *host, bool io, uint64_t addr,
			    uint8_t *data, unsigned int size, bool is_write);

/* Registers 0xCF8-0xCFF (when port_io_config), ECAM and the windows on the VM's buses. */
int pci_host_register(struct pci_host *host, struct vm *vm, bool port_io_config);

#endif
