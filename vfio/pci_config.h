/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's view of an assigned PCI device's config space. Pure: no
 * ioctl here. The caller reads the device's config space (VFIO's config
 * region) and its BAR sizes once, and gives two callbacks that read and
 * write the real config space later; tests give a recorded one.
 *
 * The view is a struct pci_device (devices/pci.h), not a parallel
 * structure: pci_host_add places its BARs in the plan's windows like any
 * other device's, the guest's config accesses arrive through
 * pci_config_read/pci_config_write, BAR sizing and decode reports
 * (ops->bar_remap) and the MSI-X table and PBA are devices/pci.c's. What
 * passthrough adds rides on pci.c's config_hook, set over the first 256
 * bytes: after pci.c has done its emulated part of an access, the hook
 * merges in the bits that belong to the device (reads) and forwards the
 * bits the device must see (writes). Per bit, every register is one of:
 *
 * - emulated: pci.c's copy; guest writes kept where writable (wmask).
 *   BARs, ROM (hidden), header type (0), BIST (0), the capability
 *   pointers, interrupt line, MSI and MSI-X, PM control;
 * - from the device: reads come from the device, writes go to it (or are
 *   dropped where the device's register is the host's: PCIe link control).
 *   Status, cache line size, latency timer, PCIe capability, vendor-specific
 *   capabilities;
 * - both: the command register's bus master and INTx disable are kept for
 *   the guest and also written to the device (its DMA needs bus master).
 *   Memory and I/O decode are the guest's only: the device keeps decoding
 *   (turned on here at init) because the VMM maps its BARs itself, and a
 *   guest that turns decode off gets its BARs unmapped by bar_remap.
 *
 * Capabilities are walked once (bounded, loop-safe, lengths checked) and
 * relinked: PM, MSI, MSI-X, PCIe and vendor-specific stay at their
 * offsets, in the device's order; every other one is unlinked and its
 * bytes read 0. Extended capabilities are all hidden (0x100 reads 0):
 * AER, ACS, SR-IOV, LTR, L1SS, resizable BAR and the rest are the host's
 * error handling, isolation or power policy, or would move BARs.
 *
 * Locking: everything runs under cfg->pci.lock (recursive), taken by
 * pci.c around guest accesses. The ops callbacks run with it held; from
 * msi_update the caller may call vfio_pci_config_msi and
 * vfio_pci_config_msi_take_pending.
 */
#ifndef SHAPEVM_VFIO_PCI_CONFIG_H
#define SHAPEVM_VFIO_PCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/pci.h"
#include "vfio/container.h"

#define VFIO_PCI_STD_CONFIG_SIZE	256	/* capabilities and passthrough live here */
#define VFIO_PCI_EXT_CONFIG_SIZE	4096
/* Memory BARs below a page are shown as one page: KVM maps whole pages. */
#define VFIO_PCI_MEM_BAR_MIN		4096
/* Each capability takes at least a dword of bytes 0x40-0xff. */
#define VFIO_PCI_MAX_CAPS		48
#define VFIO_PCI_MAX_EXT_CAPS		16	/* recorded; more are only counted */

struct vfio_pci_config;

/* A BAR as VFIO reports it: region size, and the type bits of its register. */
struct vfio_pci_bar_info {
	uint64_t size;			/* 0: none (or a 64-bit BAR's upper half) */
	unsigned int flags;		/* PCI_BAR_IO, PCI_BAR_MEM64, PCI_BAR_PREFETCH */
};

struct vfio_pci_device_info {
	const char *name;		/* the device's address, for messages */
	const uint8_t *config;		/* its config space, read through VFIO */
	size_t config_size;		/* 256 (conventional) or 4096 (PCIe) */
	struct vfio_pci_bar_info bars[PCI_NR_BARS];
	uint64_t rom_size;		/* hidden from the guest whatever it is */
	bool hide_io_bars;		/* no port window (arm64): I/O BARs read 0 */
};

struct vfio_pci_config_ops {
	/*
	 * The device's real config space: @size (1, 2 or 4) bytes at
	 * @offset, naturally aligned, below 256. 0 or a negative errno; a
	 * failed read shows the guest all-ones, a failed write is dropped
	 * (both counted in device_errors).
	 */
	int (*read)(struct vfio_pci_config *cfg, unsigned int offset, void *data,
		    unsigned int size);
	int (*write)(struct vfio_pci_config *cfg, unsigned int offset,
		     const void *data, unsigned int size);
	/*
	 * The guest changed MSI: enable, vector count, address, data or a
	 * mask bit (vfio_pci_config_msi has the new state). The moment to
	 * program VFIO_DEVICE_SET_IRQS and the KVM routes, and, on an
	 * unmask, to deliver what is pending. Optional.
	 */
	void (*msi_update)(struct vfio_pci_config *cfg);
};

/* What the guest's MSI capability says now. */
struct vfio_pci_msi {
	bool enabled;
	unsigned int vectors;		/* enabled: 1 to 32, at most what the device offers */
	uint64_t addr;
	uint16_t data;			/* vector n sends data | n */
	bool maskable;			/* per-vector mask bits exist */
	uint32_t mask;			/* bit n: vector n masked */
};

/* Where the MSI-X table and PBA are: the caller traps them, maps the rest. */
struct vfio_pci_msix_info {
	unsigned int bar;		/* table and PBA share it (checked at init) */
	unsigned int vectors;
	uint64_t table_offset, table_size;
	uint64_t pba_offset, pba_size;
};

struct vfio_pci_bar_range {
	uint64_t offset;		/* from the BAR's start */
	uint64_t size;
};

struct vfio_pci_cap {
	uint16_t id;			/* PCI_CAP_ID_* or PCI_EXT_CAP_ID_* */
	uint16_t offset;
	uint16_t len;			/* bytes the guest sees (kept ones only) */
};

struct vfio_pci_config {
	struct pci_device pci;		/* what the host bridge and the guest see */
	struct pci_device_ops pci_ops;	/* the caller's, with our config_hook */
	const struct vfio_pci_config_ops *ops;
	char name[32];
	uint64_t device_bar_size[PCI_NR_BARS];	/* VFIO's; pci.bars holds the guest's */
	/* Per config bit of the first 256 bytes. */
	uint8_t dev_read[VFIO_PCI_STD_CONFIG_SIZE];	/* read from the device */
	uint8_t dev_write[VFIO_PCI_STD_CONFIG_SIZE];	/* written to the device */
	/* The capability walk, for messages and tests. */
	struct vfio_pci_cap kept[VFIO_PCI_MAX_CAPS];
	unsigned int nr_kept;
	struct vfio_pci_cap hidden[VFIO_PCI_MAX_CAPS];
	unsigned int nr_hidden;
	struct vfio_pci_cap hidden_ext[VFIO_PCI_MAX_EXT_CAPS];
	unsigned int nr_hidden_ext;	/* may exceed the array: counted */
	bool cap_list_looped;		/* the device's list came back on itself */
	bool cap_list_bad_pointer;	/* it pointed into the header */
	unsigned int msi_cap;		/* 0: none */
	unsigned int msi_len;
	struct vfio_pci_msi msi;	/* as last reported through msi_update */
	unsigned long device_errors;	/* failed read/write callbacks */
};

/*
 * Builds the guest's view from @info (copied: nothing of it is kept) and
 * turns the device's memory and I/O decode on and bus mastering off (the
 * guest's command register starts at 0; pci_host_add then enables bus
 * mastering, which reaches the device). @pci_ops are the caller's BAR and
 * MSI-X callbacks (bar_access, bar_remap, msix_update; their config_hook
 * is ignored) and @opaque becomes cfg->pci.opaque. Then pci_host_add(host,
 * &cfg->pci) places the BARs. 0, or a negative errno with @err saying why:
 * -EINVAL (not a type-0 header, a config space or BAR that cannot be,
 * MSI-X pointing at a missing BAR), -EOPNOTSUPP (MSI-X table and PBA in
 * two BARs), or what the device callbacks returned.
 */
int vfio_pci_config_init(struct vfio_pci_config *cfg,
			 const struct vfio_pci_device_info *info,
			 const struct vfio_pci_config_ops *ops,
			 const struct pci_device_ops *pci_ops, void *opaque,
			 struct vfio_error *err);
void vfio_pci_config_destroy(struct vfio_pci_config *cfg);

/* PCI_BAR_* of BAR register @bar in a device's config space (for vfio_pci_bar_info). */
unsigned int vfio_pci_bar_flags(const uint8_t *config, unsigned int bar);

/* The guest's MSI state; false when the device shows no MSI capability. */
bool vfio_pci_config_msi(struct vfio_pci_config *cfg, struct vfio_pci_msi *msi);
/*
 * The device raised MSI vector @vector. True: deliver it now. False: MSI
 * is off or the vector is not enabled (dropped), or it is masked: then its
 * pending bit is set (the guest reads it) until an unmask, when
 * msi_update runs and vfio_pci_config_msi_take_pending says to deliver.
 */
bool vfio_pci_config_msi_signal(struct vfio_pci_config *cfg, unsigned int vector);
bool vfio_pci_config_msi_take_pending(struct vfio_pci_config *cfg, unsigned int vector);

/* The MSI-X table and PBA; false when the device shows no MSI-X. */
bool vfio_pci_config_msix(const struct vfio_pci_config *cfg,
			  struct vfio_pci_msix_info *info);
/*
 * The parts of the MSI-X BAR to trap, in @page_size (a power of two)
 * pages: the table's and the PBA's, merged when they share or touch a
 * page, clipped to the BAR. Returns how many (0 to 2); the rest of the BAR
 * may be mmapped into the guest.
 */
unsigned int vfio_pci_config_msix_traps(const struct vfio_pci_config *cfg,
					uint64_t page_size,
					struct vfio_pci_bar_range ranges[2]);

#endif
