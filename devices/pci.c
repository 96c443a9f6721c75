// SPDX-License-Identifier: GPL-2.0
/*
 * A PCI function's type-0 configuration space: generic writes driven by
 * wmask/w1cmask, BAR decoding reported to the transport, a capability list
 * and MSI-X. Register offsets and bits come from <linux/pci_regs.h>.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pci.h"
#include "vmm/le.h"
#include "vmm/util.h"

#define PCI_BAR_REG(n)		(PCI_BASE_ADDRESS_0 + 4 * (n))
#define PCI_IO_BAR_MAX		256	/* the spec's limit for I/O BARs */
#define PCI_IO_BAR_ADDR_MASK	0xfffcU	/* 16-bit ports: upper half hardwired 0 */
#define PCI_MEM32_BAR_MAX	(1ULL << 31)
#define PCI_MSIX_MAX_VECTORS	(PCI_MSIX_FLAGS_QSIZE + 1)
#define PCI_MSIX_CONTROL_BITS	(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL)
/* Status bits that record errors; software clears them by writing 1. */
#define PCI_STATUS_W1C		(PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT | \
				 PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT | \
				 PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY)
#define PCI_COMMAND_WRITABLE	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | \
				 PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE)

struct bar_decode {
	bool enabled;
	uint64_t addr;
};

/* Whether [a, a + alen) and [b, b + blen) share a byte, without overflow. */
static bool ranges_touch(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	if (!alen || !blen)
		return false;
	return a >= b ? a - b < blen : b - a < alen;
}

int pci_device_init(struct pci_device *dev, const char *name,
		    uint16_t vendor, uint16_t device, uint32_t class_code,
		    uint8_t revision, uint16_t subsys_vendor, uint16_t subsys_id)
{
	pthread_mutexattr_t attr;
	int ret;

	memset(dev, 0, sizeof(*dev));
	/* Recursive: callbacks run under the lock and may query the state. */
	ret = pthread_mutexattr_init(&attr);
	if (ret)
		return -ret;
	ret = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	if (!ret)
		ret = pthread_mutex_init(&dev->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	if (ret)
		return -ret;

	dev->name = name;
	dev->next_cap = PCI_STD_HEADER_SIZEOF;
	put_le16(dev->config + PCI_VENDOR_ID, vendor);
	put_le16(dev->config + PCI_DEVICE_ID, device);
	dev->config[PCI_REVISION_ID] = revision;
	dev->config[PCI_CLASS_PROG] = class_code;
	put_le16(dev->config + PCI_CLASS_DEVICE, class_code >> 8);
	dev->config[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	put_le16(dev->config + PCI_SUBSYSTEM_VENDOR_ID, subsys_vendor);
	put_le16(dev->config + PCI_SUBSYSTEM_ID, subsys_id);

	put_le16(dev->wmask + PCI_COMMAND, PCI_COMMAND_WRITABLE);
	put_le16(dev->w1cmask + PCI_STATUS, PCI_STATUS_W1C);
	/* Firmware and OSes write the line they routed; no pin until set. */
	dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
	dev->intx_line = -1;
	return 0;
}

void pci_device_set_intx_pin(struct pci_device *dev, uint8_t pin)
{
	if (pin <= PCI_INTX_PINS)
		dev->config[PCI_INTERRUPT_PIN] = pin;
}

void pci_device_destroy(struct pci_device *dev)
{
	free(dev->msix_table);
	free(dev->msix_pending);
	dev->msix_table = NULL;
	dev->msix_pending = NULL;
	pthread_mutex_destroy(&dev->lock);
}

/* The registers a BAR spans, as a mask of bar_sizing bits. */
static unsigned int bar_regs(const struct pci_device *dev, unsigned int bar)
{
	return dev->bars[bar].flags & PCI_BAR_MEM64 ? 3U << bar : 1U << bar;
}

/* Caller holds the lock. */
static bool bar_decodes(const struct pci_device *dev, unsigned int bar,
			uint64_t *addr)
{
	const struct pci_bar *b = &dev->bars[bar];
	uint16_t cmd = get_le16(dev->config + PCI_COMMAND);
	uint16_t need = b->flags & PCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;

	if (!b->size || !(cmd & need))
		return false;
	*addr = b->addr;
	return true;
}

static void bar_snapshot(const struct pci_device *dev,
			 struct bar_decode state[PCI_NR_BARS])
{
	for (unsigned int i = 0; i < PCI_NR_BARS; i++) {
		state[i].addr = 0;
		state[i].enabled = bar_decodes(dev, i, &state[i].addr);
	}
}

/* Tells the transport about each BAR whose decoding changed since @before. */
static void bar_report_changes(struct pci_device *dev,
			       const struct bar_decode before[PCI_NR_BARS])
{
	for (unsigned int i = 0; i < PCI_NR_BARS; i++) {
		uint64_t addr = 0;
		bool enabled = bar_decodes(dev, i, &addr);

		if (enabled == before[i].enabled &&
		    (!enabled || addr == before[i].addr))
			continue;
		if (dev->ops && dev->ops->bar_remap)
			dev->ops->bar_remap(dev, i, enabled ? addr : before[i].addr,
					    enabled);
	}
}

/*
 * The BAR's address follows its registers, except while one of them holds
 * the sizing pattern: then it keeps decoding where it did (see pci.h).
 */
static void bar_sync_addr(struct pci_device *dev, unsigned int bar)
{
	struct pci_bar *b = &dev->bars[bar];
	uint32_t low;

	if (!b->size || (dev->bar_sizing & bar_regs(dev, bar)))
		return;
	low = get_le32(dev->config + PCI_BAR_REG(bar));
	if (b->flags & PCI_BAR_IO) {
		b->addr = low & PCI_BASE_ADDRESS_IO_MASK;
		return;
	}
	b->addr = low & PCI_BASE_ADDRESS_MEM_MASK;
	if (b->flags & PCI_BAR_MEM64)
		b->addr |= (uint64_t)get_le32(dev->config + PCI_BAR_REG(bar + 1)) << 32;
}

static bool bar_slot_taken(const struct pci_device *dev, unsigned int bar)
{
	if (dev->bars[bar].size)
		return true;
	return bar > 0 && dev->bars[bar - 1].size &&
	       (dev->bars[bar - 1].flags & PCI_BAR_MEM64);
}

static bool bar_size_valid(uint64_t size, unsigned int flags)
{
	if (!size || (size & (size - 1)))
		return false;
	if (flags & PCI_BAR_IO)
		return size >= 4 && size <= PCI_IO_BAR_MAX;
	if (size < 16)
		return false;
	return (flags & PCI_BAR_MEM64) || size <= PCI_MEM32_BAR_MAX;
}

int pci_device_add_bar(struct pci_device *dev, unsigned int bar, uint64_t size,
		       unsigned int flags)
{
	uint8_t *reg;
	uint32_t low_flags = 0;

	if (bar >= PCI_NR_BARS ||
	    (flags & ~(PCI_BAR_IO | PCI_BAR_MEM64 | PCI_BAR_PREFETCH)) ||
	    ((flags & PCI_BAR_IO) && (flags & ~PCI_BAR_IO)) ||
	    ((flags & PCI_BAR_MEM64) && bar == PCI_NR_BARS - 1) ||
	    !bar_size_valid(size, flags))
		return -EINVAL;

	pthread_mutex_lock(&dev->lock);
	if (bar_slot_taken(dev, bar) ||
	    ((flags & PCI_BAR_MEM64) && bar_slot_taken(dev, bar + 1))) {
		pthread_mutex_unlock(&dev->lock);
		return -EBUSY;
	}
	reg = dev->config + PCI_BAR_REG(bar);
	if (flags & PCI_BAR_IO) {
		low_flags = PCI_BASE_ADDRESS_SPACE_IO;
		put_le32(dev->wmask + PCI_BAR_REG(bar),
		      (uint32_t)~(size - 1) & PCI_IO_BAR_ADDR_MASK);
	} else {
		if (flags & PCI_BAR_MEM64)
			low_flags |= PCI_BASE_ADDRESS_MEM_TYPE_64;
		if (flags & PCI_BAR_PREFETCH)
			low_flags |= PCI_BASE_ADDRESS_MEM_PREFETCH;
		/* A BAR of 4 GiB or more has no address bits in its low half. */
		put_le32(dev->wmask + PCI_BAR_REG(bar),
		      (uint32_t)~(size - 1) & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK);
		if (flags & PCI_BAR_MEM64)
			put_le32(dev->wmask + PCI_BAR_REG(bar + 1),
			      (uint32_t)(~(size - 1) >> 32));
	}
	put_le32(reg, low_flags);
	if (flags & PCI_BAR_MEM64)
		put_le32(reg + 4, 0);
	dev->bars[bar] = (struct pci_bar) { .size = size, .addr = 0, .flags = flags };
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

void pci_device_set_bar_addr(struct pci_device *dev, unsigned int bar, uint64_t addr)
{
	struct bar_decode before[PCI_NR_BARS];
	uint8_t *reg;

	if (bar >= PCI_NR_BARS)
		return;
	pthread_mutex_lock(&dev->lock);
	if (!dev->bars[bar].size) {
		pthread_mutex_unlock(&dev->lock);
		return;
	}
	bar_snapshot(dev, before);
	reg = dev->config + PCI_BAR_REG(bar);
	/* The wmask keeps only the address bits the BAR has. */
	put_le32(reg, (get_le32(reg) & ~get_le32(dev->wmask + PCI_BAR_REG(bar))) |
		   ((uint32_t)addr & get_le32(dev->wmask + PCI_BAR_REG(bar))));
	if (dev->bars[bar].flags & PCI_BAR_MEM64)
		put_le32(reg + 4, (uint32_t)(addr >> 32) &
			       get_le32(dev->wmask + PCI_BAR_REG(bar + 1)));
	dev->bar_sizing &= ~bar_regs(dev, bar);
	bar_sync_addr(dev, bar);
	bar_report_changes(dev, before);
	pthread_mutex_unlock(&dev->lock);
}

bool pci_bar_enabled(struct pci_device *dev, unsigned int bar, uint64_t *addr)
{
	bool enabled;

	if (bar >= PCI_NR_BARS)
		return false;
	pthread_mutex_lock(&dev->lock);
	enabled = bar_decodes(dev, bar, addr);
	pthread_mutex_unlock(&dev->lock);
	return enabled;
}

/* Naturally aligned 1, 2 or 4 bytes inside the 4 KiB: nothing else is a config access. */
static bool config_access_valid(unsigned int offset, unsigned int size)
{
	if (size != 1 && size != 2 && size != 4)
		return false;
	return offset < PCI_CONFIG_SIZE && size <= PCI_CONFIG_SIZE - offset &&
	       !(offset % size);
}

static bool config_hooked(const struct pci_device *dev, unsigned int offset,
			  unsigned int size)
{
	return dev->ops && dev->ops->config_hook && offset < dev->hook_end &&
	       offset + size > dev->hook_start;
}

void pci_device_make_writable(struct pci_device *dev, unsigned int offset,
			      unsigned int len)
{
	if (offset < PCI_CONFIG_SIZE && len <= PCI_CONFIG_SIZE - offset)
		memset(dev->wmask + offset, 0xff, len);
}

void pci_device_hook_config(struct pci_device *dev, unsigned int offset,
			    unsigned int len)
{
	if (offset < PCI_CONFIG_SIZE && len <= PCI_CONFIG_SIZE - offset) {
		dev->hook_start = offset;
		dev->hook_end = offset + len;
	}
}

void pci_config_read(struct pci_device *dev, unsigned int offset, uint8_t *data,
		     unsigned int size)
{
	if (!config_access_valid(offset, size)) {
		memset(data, 0xff, size);
		return;
	}
	pthread_mutex_lock(&dev->lock);
	memcpy(data, dev->config + offset, size);
	if (config_hooked(dev, offset, size))
		dev->ops->config_hook(dev, offset, data, size, false);
	pthread_mutex_unlock(&dev->lock);
}

static uint16_t msix_control(const struct pci_device *dev)
{
	if (!dev->msix_cap)
		return 0;
	return get_le16(dev->config + dev->msix_cap + PCI_MSIX_FLAGS);
}

/*
 * Brings the INTx line to what the device asks, the command register and
 * MSI-X allow (pci.h); reports a change. Caller holds the lock.
 */
static void intx_sync(struct pci_device *dev)
{
	uint16_t cmd = get_le16(dev->config + PCI_COMMAND);
	bool up = dev->intx_level && dev->config[PCI_INTERRUPT_PIN] &&
		  !(cmd & PCI_COMMAND_INTX_DISABLE) &&
		  !(msix_control(dev) & PCI_MSIX_FLAGS_ENABLE);

	if (up == dev->intx_asserted)
		return;
	dev->intx_asserted = up;
	if (dev->ops && dev->ops->intx_update)
		dev->ops->intx_update(dev, up);
}

void pci_intx_set_level(struct pci_device *dev, bool level)
{
	uint16_t status;

	pthread_mutex_lock(&dev->lock);
	dev->intx_level = level;
	status = get_le16(dev->config + PCI_STATUS) & ~PCI_STATUS_INTERRUPT;
	if (level && dev->config[PCI_INTERRUPT_PIN])
		status |= PCI_STATUS_INTERRUPT;
	put_le16(dev->config + PCI_STATUS, status);
	intx_sync(dev);
	pthread_mutex_unlock(&dev->lock);
}

/*
 * Marks which BAR registers the write touched: a dword write of all-ones
 * starts sizing that register, any other write ends it.
 */
static void bar_track_sizing(struct pci_device *dev, unsigned int offset,
			     const uint8_t *data, unsigned int size)
{
	for (unsigned int r = 0; r < PCI_NR_BARS; r++) {
		if (!ranges_touch(offset, size, PCI_BAR_REG(r), 4))
			continue;
		if (size == 4 && offset == PCI_BAR_REG(r) && get_le32(data) == 0xffffffffU)
			dev->bar_sizing |= 1U << r;
		else
			dev->bar_sizing &= ~(1U << r);
	}
	for (unsigned int bar = 0; bar < PCI_NR_BARS; bar++) {
		unsigned int regs = bar_regs(dev, bar);
		unsigned int first = PCI_BAR_REG(bar);
		unsigned int len = regs == 1U << bar ? 4 : 8;

		if (dev->bars[bar].size && ranges_touch(offset, size, first, len))
			bar_sync_addr(dev, bar);
	}
}

void pci_config_write(struct pci_device *dev, unsigned int offset,
		      const uint8_t *data, unsigned int size)
{
	struct bar_decode before[PCI_NR_BARS];
	uint16_t msix_before;

	if (!config_access_valid(offset, size))
		return;
	pthread_mutex_lock(&dev->lock);
	bar_snapshot(dev, before);
	msix_before = msix_control(dev);
	for (unsigned int i = 0; i < size; i++) {
		unsigned int at = offset + i;
		uint8_t wmask = dev->wmask[at], w1c = dev->w1cmask[at];

		dev->config[at] = (dev->config[at] & ~wmask) | (data[i] & wmask);
		dev->config[at] &= ~(data[i] & w1c);
	}
	bar_track_sizing(dev, offset, data, size);
	bar_report_changes(dev, before);
	if (config_hooked(dev, offset, size)) {
		uint8_t written[4];

		memcpy(written, data, size);
		dev->ops->config_hook(dev, offset, written, size, true);
	}
	if ((msix_before ^ msix_control(dev)) & PCI_MSIX_CONTROL_BITS &&
	    dev->ops && dev->ops->msix_update)
		dev->ops->msix_update(dev, -1);
	intx_sync(dev);
	pthread_mutex_unlock(&dev->lock);
}

/* The config offset of the last capability, 0 when there is none. */
static unsigned int cap_last(const struct pci_device *dev)
{
	unsigned int at = dev->config[PCI_CAPABILITY_LIST], last = 0;

	/* Bounded: each capability takes at least 4 of the 192 bytes. */
	for (unsigned int n = 0; at && n < PCI_CFG_SPACE_SIZE / 4; n++) {
		last = at;
		at = dev->config[at + PCI_CAP_LIST_NEXT];
	}
	return last;
}

int pci_device_add_cap(struct pci_device *dev, uint8_t id, const void *body,
		       unsigned int len)
{
	unsigned int at, last;

	if (len && !body)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	at = dev->next_cap;
	/* The list lives in the first 256 bytes: 0xCF8 must reach it. */
	if (at >= PCI_CFG_SPACE_SIZE || len > PCI_CFG_SPACE_SIZE - at - 2) {
		pthread_mutex_unlock(&dev->lock);
		return -ENOSPC;
	}
	dev->config[at + PCI_CAP_LIST_ID] = id;
	dev->config[at + PCI_CAP_LIST_NEXT] = 0;
	if (len)
		memcpy(dev->config + at + 2, body, len);
	last = cap_last(dev);
	if (last)
		dev->config[last + PCI_CAP_LIST_NEXT] = at;
	else
		dev->config[PCI_CAPABILITY_LIST] = at;
	dev->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	dev->next_cap = ALIGN_UP(at + 2 + len, 4);
	pthread_mutex_unlock(&dev->lock);
	return at;
}

static uint64_t msix_table_len(const struct pci_device *dev)
{
	return (uint64_t)dev->msix_vectors * PCI_MSIX_ENTRY_SIZE;
}

static uint64_t msix_pba_len(const struct pci_device *dev)
{
	return (dev->msix_vectors + 63) / 64 * 8;
}

int pci_device_add_msix(struct pci_device *dev, unsigned int vectors,
			unsigned int bar, uint32_t table_offset,
			uint32_t pba_offset)
{
	uint64_t table_len = (uint64_t)vectors * PCI_MSIX_ENTRY_SIZE;
	uint64_t pba_len = (vectors + 63) / 64 * 8;
	struct pci_msix_entry *table;
	uint64_t *pending, size;
	uint8_t body[PCI_CAP_MSIX_SIZEOF - 2];
	int at;

	if (!vectors || vectors > PCI_MSIX_MAX_VECTORS || bar >= PCI_NR_BARS ||
	    (table_offset & ~PCI_MSIX_TABLE_OFFSET) || (pba_offset & ~PCI_MSIX_PBA_OFFSET))
		return -EINVAL;
	size = dev->bars[bar].size;
	if (!size || (dev->bars[bar].flags & PCI_BAR_IO) ||
	    table_offset > size || table_len > size - table_offset ||
	    pba_offset > size || pba_len > size - pba_offset ||
	    ranges_touch(table_offset, table_len, pba_offset, pba_len))
		return -EINVAL;
	if (dev->msix_cap)
		return -EEXIST;

	table = calloc(vectors, sizeof(*table));
	pending = calloc(pba_len / 8, sizeof(*pending));
	if (!table || !pending) {
		free(table);
		free(pending);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < vectors; i++)
		table[i].ctrl = PCI_MSIX_ENTRY_CTRL_MASKBIT;

	put_le16(body + PCI_MSIX_FLAGS - 2, vectors - 1);
	put_le32(body + PCI_MSIX_TABLE - 2, table_offset | bar);
	put_le32(body + PCI_MSIX_PBA - 2, pba_offset | bar);
	at = pci_device_add_cap(dev, PCI_CAP_ID_MSIX, body, sizeof(body));
	if (at < 0) {
		free(table);
		free(pending);
		return at;
	}
	pthread_mutex_lock(&dev->lock);
	put_le16(dev->wmask + at + PCI_MSIX_FLAGS, PCI_MSIX_CONTROL_BITS);
	dev->msix_vectors = vectors;
	dev->msix_bar = bar;
	dev->msix_table_offset = table_offset;
	dev->msix_pba_offset = pba_offset;
	dev->msix_table = table;
	dev->msix_pending = pending;
	dev->msix_cap = at;
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

/* Caller holds the lock. */
static bool msix_deliverable(const struct pci_device *dev, unsigned int vector)
{
	uint16_t control = msix_control(dev);

	return (control & PCI_MSIX_FLAGS_ENABLE) &&
	       !(control & PCI_MSIX_FLAGS_MASKALL) &&
	       !(dev->msix_table[vector].ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static bool msix_pending(const struct pci_device *dev, unsigned int vector)
{
	return dev->msix_pending[vector / 64] & (1ULL << (vector % 64));
}

/* An aligned 4- or 8-byte access at @offset into the table; lock held. */
static void msix_table_access(struct pci_device *dev, uint64_t offset,
			      uint8_t *data, unsigned int size, bool is_write)
{
	unsigned int vector = offset / PCI_MSIX_ENTRY_SIZE;
	unsigned int at = offset % PCI_MSIX_ENTRY_SIZE;
	struct pci_msix_entry *e = &dev->msix_table[vector];
	uint8_t bytes[PCI_MSIX_ENTRY_SIZE];
	struct pci_msix_entry now;

	put_le64(bytes + PCI_MSIX_ENTRY_LOWER_ADDR, e->addr);
	put_le32(bytes + PCI_MSIX_ENTRY_DATA, e->data);
	put_le32(bytes + PCI_MSIX_ENTRY_VECTOR_CTRL, e->ctrl);
	if (!is_write) {
		memcpy(data, bytes + at, size);
		return;
	}
	memcpy(bytes + at, data, size);
	now.addr = (uint64_t)get_le32(bytes + PCI_MSIX_ENTRY_UPPER_ADDR) << 32 |
		   get_le32(bytes + PCI_MSIX_ENTRY_LOWER_ADDR);
	now.data = get_le32(bytes + PCI_MSIX_ENTRY_DATA);
	/* Only the mask bit is defined; the rest reads 0. */
	now.ctrl = get_le32(bytes + PCI_MSIX_ENTRY_VECTOR_CTRL) & PCI_MSIX_ENTRY_CTRL_MASKBIT;
	if (now.addr == e->addr && now.data == e->data && now.ctrl == e->ctrl)
		return;
	*e = now;
	if (dev->ops && dev->ops->msix_update)
		dev->ops->msix_update(dev, vector);
}

bool pci_msix_access(struct pci_device *dev, unsigned int bar, uint64_t offset,
		     uint8_t *data, unsigned int size, bool is_write)
{
	bool in_table, in_pba;

	/* The MSI-X layout is fixed before the guest runs: no lock to look. */
	if (!dev->msix_cap || bar != dev->msix_bar)
		return false;
	in_table = ranges_touch(offset, size, dev->msix_table_offset, msix_table_len(dev));
	in_pba = ranges_touch(offset, size, dev->msix_pba_offset, msix_pba_len(dev));
	if (!in_table && !in_pba)
		return false;
	/*
	 * Aligned 4 or 8 bytes cannot straddle an edge: the table and PBA
	 * start 8-byte aligned and are multiples of 8 long.
	 */
	if ((size != 4 && size != 8) || offset % size) {
		if (!is_write)
			memset(data, 0xff, size);
		return true;
	}
	pthread_mutex_lock(&dev->lock);
	if (in_table) {
		msix_table_access(dev, offset - dev->msix_table_offset, data, size,
				  is_write);
	} else if (!is_write) {
		uint64_t at = offset - dev->msix_pba_offset;
		uint8_t bytes[8];

		put_le64(bytes, dev->msix_pending[at / 8]);
		memcpy(data, bytes + at % 8, size);
	}
	pthread_mutex_unlock(&dev->lock);
	return true;
}

bool pci_msix_enabled(struct pci_device *dev)
{
	bool enabled;

	pthread_mutex_lock(&dev->lock);
	enabled = msix_control(dev) & PCI_MSIX_FLAGS_ENABLE;
	pthread_mutex_unlock(&dev->lock);
	return enabled;
}

bool pci_msix_signal(struct pci_device *dev, unsigned int vector)
{
	bool deliver = false;

	pthread_mutex_lock(&dev->lock);
	if (vector < dev->msix_vectors) {
		deliver = msix_deliverable(dev, vector);
		if (!deliver)
			dev->msix_pending[vector / 64] |= 1ULL << (vector % 64);
	}
	pthread_mutex_unlock(&dev->lock);
	return deliver;
}

bool pci_msix_take_pending(struct pci_device *dev, unsigned int vector)
{
	bool take = false;

	pthread_mutex_lock(&dev->lock);
	if (vector < dev->msix_vectors && msix_pending(dev, vector) &&
	    msix_deliverable(dev, vector)) {
		dev->msix_pending[vector / 64] &= ~(1ULL << (vector % 64));
		take = true;
	}
	pthread_mutex_unlock(&dev->lock);
	return take;
}

bool pci_msix_message(struct pci_device *dev, unsigned int vector,
		      uint64_t *addr, uint32_t *data, bool *masked)
{
	bool found = false;

	pthread_mutex_lock(&dev->lock);
	if (vector < dev->msix_vectors) {
		*addr = dev->msix_table[vector].addr;
		*data = dev->msix_table[vector].data;
		*masked = !msix_deliverable(dev, vector);
		found = true;
	}
	pthread_mutex_unlock(&dev->lock);
	return found;
}
