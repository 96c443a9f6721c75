/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A PCI function's type-0 configuration space, as the guest sees it: BARs
 * with the sizing dance, the command register, a capability list, and an
 * MSI-X table with its pending bits. Pure: no KVM here. The transport
 * (e.g. virtio-pci) fills it and is called back when the guest moves a BAR
 * or changes an MSI-X vector. Guest accesses of any size and alignment are
 * safe: odd sizes or offsets are dropped (writes) or read as all-ones.
 *
 * Locking: dev->lock is recursive. The bar_remap and msix_update callbacks
 * run with it held, so they may call pci_bar_enabled, pci_msix_enabled,
 * pci_msix_message and pci_msix_take_pending (not pci_config_write or
 * pci_msix_access), but must not take a lock that another thread holds
 * while it calls into this module (the transport's own locks come after
 * dev->lock). bar_access runs without it.
 *
 * BAR sizing: a 32-bit write of all-ones to a BAR register reads back the
 * size mask, as the spec wants, but does not move the BAR: while any of a
 * BAR's registers holds that pattern the BAR keeps decoding where it did
 * (and bar_remap is not called), so a guest that sizes with decoding on
 * (Linux turns it off, others need not) never sends ioeventfds to the top
 * of the address space. Restoring the old value is then no change at all.
 */
#ifndef SHAPEVM_PCI_H
#define SHAPEVM_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define PCI_CONFIG_SIZE		4096	/* ECAM reaches all of it, 0xCF8 the first 256 */
#define PCI_NR_BARS		6

#define PCI_BAR_IO		(1U << 0)
#define PCI_BAR_MEM64		(1U << 1)	/* takes this BAR and the next */
#define PCI_BAR_PREFETCH	(1U << 2)

struct pci_device;

struct pci_device_ops {
	/* A guest access inside BAR @bar, at @offset from its start (vCPU thread). */
	void (*bar_access)(struct pci_device *dev, unsigned int bar, uint64_t offset,
			   uint8_t *data, unsigned int size, bool is_write);
	/*
	 * BAR @bar now decodes at @addr (enabled), or not at all (then @addr
	 * is where it decoded until now): the guest wrote the BAR or toggled
	 * the command register's decode bits, or the host bridge enabled
	 * decoding in pci_host_add. Only called for a real change. Devices
	 * move their ioeventfds here. Called with dev->lock held.
	 */
	void (*bar_remap)(struct pci_device *dev, unsigned int bar, uint64_t addr,
			  bool enabled);
	/*
	 * MSI-X vector @vector's address, data or mask changed, or MSI-X was
	 * enabled, disabled or function-masked (then @vector is -1: all).
	 * Called with dev->lock held. An unmask is the moment to deliver what
	 * is pending: pci_msix_take_pending(vector), or for each vector when
	 * @vector is -1.
	 */
	void (*msix_update)(struct pci_device *dev, int vector);
	/*
	 * A guest access that touches the config bytes set aside with
	 * pci_device_hook_config: after a read copied the stored bytes into
	 * @data (the hook may replace them), after a write stored what
	 * @wmask lets through. Called with dev->lock held.
	 */
	void (*config_hook)(struct pci_device *dev, unsigned int offset, uint8_t *data,
			    unsigned int size, bool is_write);
	/*
	 * The device's INTx line (dev->intx_line) goes up or down: the
	 * level it asked for with pci_intx_set_level, gated by the command
	 * register's INTx disable and by MSI-X being on. Only called for a
	 * change. Called with dev->lock held.
	 */
	void (*intx_update)(struct pci_device *dev, bool asserted);
};

struct pci_bar {
	uint64_t size;			/* a power of two; 0: no BAR */
	uint64_t addr;			/* what the guest programmed, sizing aside */
	unsigned int flags;		/* PCI_BAR_* */
};

struct pci_msix_entry {
	uint64_t addr;
	uint32_t data;
	uint32_t ctrl;			/* bit 0: masked */
};

struct pci_device {
	pthread_mutex_t lock;		/* config space and MSI-X state; recursive */
	const char *name;
	const struct pci_device_ops *ops;
	void *opaque;
	unsigned int devfn;		/* set by the host bridge */
	uint8_t config[PCI_CONFIG_SIZE];
	uint8_t wmask[PCI_CONFIG_SIZE];	/* bits the guest may change */
	uint8_t w1cmask[PCI_CONFIG_SIZE];	/* bits a 1 clears (status) */
	struct pci_bar bars[PCI_NR_BARS];
	uint8_t bar_sizing;		/* BAR registers holding the all-ones write */
	unsigned int next_cap;		/* config offset for the next capability */
	unsigned int hook_start, hook_end;	/* ops->config_hook's bytes; end 0: none */
	/* MSI-X, when pci_device_add_msix was called. */
	unsigned int msix_cap;		/* 0: none */
	unsigned int msix_vectors;
	unsigned int msix_bar;
	uint32_t msix_table_offset;
	uint32_t msix_pba_offset;
	struct pci_msix_entry *msix_table;
	uint64_t *msix_pending;		/* one bit per vector */
	/*
	 * INTx: the host line the host bridge routed the Interrupt Pin to
	 * (-1: none), the level the device asks for, and what the line is.
	 */
	int intx_line;
	bool intx_level;
	bool intx_asserted;
};

/* INTA..INTD */
#define PCI_INTX_PINS		4

/*
 * The usual swizzle: pin @pin (1 = INTA) of device @slot drives host line
 * (slot + pin - 1) mod @nr_lines. Firmware tables (ACPI _PRT, MP table,
 * the device tree's interrupt-map) and pci_host_add all use it.
 */
static inline unsigned int pci_intx_swizzle(unsigned int slot, unsigned int pin,
					    unsigned int nr_lines)
{
	return (slot + pin - 1) % nr_lines;
}

/* Header fields; class_code is base << 16 | sub << 8 | prog-if. */
int pci_device_init(struct pci_device *dev, const char *name,
		    uint16_t vendor, uint16_t device, uint32_t class_code,
		    uint8_t revision, uint16_t subsys_vendor, uint16_t subsys_id);
void pci_device_destroy(struct pci_device *dev);
/*
 * size: a power of two, at least 16 (memory) or 4 (I/O); at most 2 GiB for a
 * 32-bit memory BAR and 256 bytes for an I/O BAR (the spec's limit; the
 * upper 16 bits of I/O BARs are hardwired to 0, ports being 16 bits).
 * -EINVAL otherwise, -EBUSY when the slot (or a 64-bit BAR's upper half)
 * is taken.
 */
int pci_device_add_bar(struct pci_device *dev, unsigned int bar, uint64_t size,
		       unsigned int flags);
/*
 * Appends a capability: @body is what follows the ID and next bytes, @len
 * its length. Returns the capability's config offset, or -ENOSPC.
 */
int pci_device_add_cap(struct pci_device *dev, uint8_t id, const void *body,
		       unsigned int len);
/*
 * An MSI-X capability whose table and PBA live in BAR @bar (a memory BAR
 * already added) at the offsets (8-byte aligned, inside the BAR, not
 * overlapping). 1 to 2048 vectors, all masked at reset. 0, -EINVAL,
 * -EEXIST (a second one), -ENOSPC (no room for the capability), -ENOMEM.
 */
int pci_device_add_msix(struct pci_device *dev, unsigned int vectors,
			unsigned int bar, uint32_t table_offset,
			uint32_t pba_offset);
/* The Interrupt Pin register: 1-4 (INTA-INTD), or 0 for none. Before pci_host_add. */
void pci_device_set_intx_pin(struct pci_device *dev, uint8_t pin);
/* Lets the guest change config bytes [offset, offset + len) (a capability's fields). */
void pci_device_make_writable(struct pci_device *dev, unsigned int offset,
			      unsigned int len);
/* Accesses to config bytes [offset, offset + len) also go to ops->config_hook. */
void pci_device_hook_config(struct pci_device *dev, unsigned int offset,
			    unsigned int len);
/* The host bridge programs BARs before the guest runs; @addr is aligned down to the size. */
void pci_device_set_bar_addr(struct pci_device *dev, unsigned int bar, uint64_t addr);

/*
 * Guest config accesses (size 1, 2 or 4, naturally aligned, inside the 4 KiB;
 * anything else reads all-ones and writes nothing).
 */
void pci_config_read(struct pci_device *dev, unsigned int offset, uint8_t *data,
		     unsigned int size);
void pci_config_write(struct pci_device *dev, unsigned int offset,
		      const uint8_t *data, unsigned int size);

/* Whether BAR @bar decodes now (command register), and where. */
bool pci_bar_enabled(struct pci_device *dev, unsigned int bar, uint64_t *addr);

/*
 * MSI-X table and PBA accesses inside BAR @bar; false when the access
 * touches neither (the transport handles it). Both take naturally aligned
 * 4- and 8-byte accesses; others that touch them are ignored (reads give
 * all-ones) and return true. The PBA is read-only.
 */
bool pci_msix_access(struct pci_device *dev, unsigned int bar, uint64_t offset,
		     uint8_t *data, unsigned int size, bool is_write);
bool pci_msix_enabled(struct pci_device *dev);
/*
 * The device raises vector @vector. Returns true when it should be
 * delivered now (MSI-X on, function and vector unmasked); otherwise sets its
 * pending bit, which an unmask later turns into a delivery (msix_update is
 * called, and pci_msix_take_pending says so).
 */
bool pci_msix_signal(struct pci_device *dev, unsigned int vector);
/* Clears and returns @vector's pending bit if it is now deliverable. */
bool pci_msix_take_pending(struct pci_device *dev, unsigned int vector);
/*
 * The message of @vector (false if out of range). @masked: not deliverable
 * now (vector or function masked, or MSI-X off).
 */
bool pci_msix_message(struct pci_device *dev, unsigned int vector,
		      uint64_t *addr, uint32_t *data, bool *masked);

/*
 * INTx, level-triggered: the device wants its line up (@level) or down.
 * The status register's Interrupt Status bit follows @level; the line
 * itself (ops->intx_update) is up only while, besides, the command
 * register's INTx Disable is clear and MSI-X is off (PCI 3.0 6.8.1.3: a
 * function with MSI-X on must not use INTx).
 */
void pci_intx_set_level(struct pci_device *dev, bool level);

#endif
