// SPDX-License-Identifier: GPL-2.0
/*
 * An assigned device's config space as the guest sees it: a struct
 * pci_device built from the device's own config space, with pci.c's
 * config_hook merging in what belongs to the device. pci_config.h says
 * what is emulated, what passes and what is hidden. Register layouts come
 * from <linux/pci_regs.h>.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vfio/pci_config.h"
#include "vmm/le.h"
#include "vmm/util.h"

#define STD_SIZE		VFIO_PCI_STD_CONFIG_SIZE
#define EXT_SIZE		VFIO_PCI_EXT_CONFIG_SIZE
#define BAR_REG(n)		(PCI_BASE_ADDRESS_0 + 4 * (n))

/* The command bits devices/pci.c keeps for the guest (its wmask). */
#define CMD_EMULATED		(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | \
				 PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE)
/* What the device must see: its DMA, its INTx, its error reporting. */
#define CMD_TO_DEVICE		(PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE | \
				 PCI_COMMAND_PARITY | PCI_COMMAND_SERR)
#define STATUS_W1C		(PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT | \
				 PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT | \
				 PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY)
#define DEVSTA_W1C		(PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_NFED | \
				 PCI_EXP_DEVSTA_FED | PCI_EXP_DEVSTA_URD)

/*
 * MSI control bits the guest sees from the device; the extended message
 * data bits (9, 10) are not, as the data register is 16 bits here.
 */
#define MSI_CTRL_FROM_DEVICE	(PCI_MSI_FLAGS_QMASK | PCI_MSI_FLAGS_64BIT | \
				 PCI_MSI_FLAGS_MASKBIT)
#define MSI_MAX_VECTORS_LOG2	5	/* 32 vectors; larger encodings are reserved */

/* PCIe capability lengths: v1 endpoints end after Link Status, v2 after Slot Status 2. */
#define PCIE_V1_LEN		PCI_CAP_EXP_ENDPOINT_SIZEOF_V1
#define PCIE_V2_LEN		(PCI_EXP_SLTSTA2 + 2)
#define VNDR_CAP_LEN		2	/* the vendor-specific capability's length byte */
#define VNDR_CAP_MIN_LEN	3	/* ID, next and the length byte itself */

#define EXT_CAP_SLOTS		((EXT_SIZE - STD_SIZE) / 4)

#define to_config(dev)	\
	((struct vfio_pci_config *)((char *)(dev) - offsetof(struct vfio_pci_config, pci)))


static bool ranges_touch(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	if (!alen || !blen)
		return false;
	return a >= b ? a - b < blen : b - a < alen;
}

unsigned int vfio_pci_bar_flags(const uint8_t *config, unsigned int bar)
{
	uint32_t reg;
	unsigned int flags = 0;

	if (bar >= PCI_NR_BARS)
		return 0;
	reg = get_le32(config + BAR_REG(bar));
	if (reg & PCI_BASE_ADDRESS_SPACE_IO)
		return PCI_BAR_IO;
	if ((reg & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64)
		flags |= PCI_BAR_MEM64;
	if (reg & PCI_BASE_ADDRESS_MEM_PREFETCH)
		flags |= PCI_BAR_PREFETCH;
	return flags;
}

/* ---- MSI ---- */

static unsigned int msi_cap_len(uint16_t control)
{
	bool is64 = control & PCI_MSI_FLAGS_64BIT;

	if (control & PCI_MSI_FLAGS_MASKBIT)
		return is64 ? PCI_MSI_PENDING_64 + 4 : PCI_MSI_PENDING_32 + 4;
	return is64 ? PCI_MSI_DATA_64 + 2 : PCI_MSI_DATA_32 + 2;
}

static unsigned int msi_vectors(unsigned int log2)
{
	return 1U << MIN(log2, MSI_MAX_VECTORS_LOG2);
}

/* Offsets of the data, mask and pending registers in the capability. */
static unsigned int msi_data_reg(uint16_t control)
{
	return control & PCI_MSI_FLAGS_64BIT ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32;
}

static unsigned int msi_mask_reg(uint16_t control)
{
	return control & PCI_MSI_FLAGS_64BIT ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32;
}

static unsigned int msi_pending_reg(uint16_t control)
{
	return control & PCI_MSI_FLAGS_64BIT ? PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32;
}

/* Caller holds the lock (or is init). */
static void msi_read_state(const struct vfio_pci_config *cfg, struct vfio_pci_msi *msi)
{
	const uint8_t *cap = cfg->pci.config + cfg->msi_cap;
	uint16_t control = get_le16(cap + PCI_MSI_FLAGS);
	unsigned int offered = msi_vectors((control & PCI_MSI_FLAGS_QMASK) >> 1);
	unsigned int enabled = msi_vectors((control & PCI_MSI_FLAGS_QSIZE) >> 4);

	memset(msi, 0, sizeof(*msi));
	msi->enabled = control & PCI_MSI_FLAGS_ENABLE;
	/* Asking for more than the device offers is undefined: give what it has. */
	msi->vectors = MIN(enabled, offered);
	msi->addr = get_le32(cap + PCI_MSI_ADDRESS_LO);
	if (control & PCI_MSI_FLAGS_64BIT)
		msi->addr |= (uint64_t)get_le32(cap + PCI_MSI_ADDRESS_HI) << 32;
	msi->data = get_le16(cap + msi_data_reg(control));
	msi->maskable = control & PCI_MSI_FLAGS_MASKBIT;
	if (msi->maskable)
		msi->mask = get_le32(cap + msi_mask_reg(control));
}

/* After a guest write into the MSI capability; lock held. */
static void msi_changed(struct vfio_pci_config *cfg)
{
	struct vfio_pci_msi now;

	msi_read_state(cfg, &now);
	if (!memcmp(&now, &cfg->msi, sizeof(now)))
		return;
	cfg->msi = now;
	if (cfg->ops->msi_update)
		cfg->ops->msi_update(cfg);
}

bool vfio_pci_config_msi(struct vfio_pci_config *cfg, struct vfio_pci_msi *msi)
{
	if (!cfg->msi_cap)
		return false;
	pthread_mutex_lock(&cfg->pci.lock);
	msi_read_state(cfg, msi);
	pthread_mutex_unlock(&cfg->pci.lock);
	return true;
}

static uint8_t *msi_pending_bits(struct vfio_pci_config *cfg)
{
	uint8_t *cap = cfg->pci.config + cfg->msi_cap;

	return cap + msi_pending_reg(get_le16(cap + PCI_MSI_FLAGS));
}

bool vfio_pci_config_msi_signal(struct vfio_pci_config *cfg, unsigned int vector)
{
	struct vfio_pci_msi msi;
	bool deliver = false;

	if (!cfg->msi_cap)
		return false;
	pthread_mutex_lock(&cfg->pci.lock);
	msi_read_state(cfg, &msi);
	if (msi.enabled && vector < msi.vectors) {
		deliver = !(msi.mask & (1U << vector));
		if (!deliver) {
			uint8_t *pending = msi_pending_bits(cfg);

			put_le32(pending, get_le32(pending) | 1U << vector);
		}
	}
	pthread_mutex_unlock(&cfg->pci.lock);
	return deliver;
}

bool vfio_pci_config_msi_take_pending(struct vfio_pci_config *cfg, unsigned int vector)
{
	struct vfio_pci_msi msi;
	bool take = false;

	if (!cfg->msi_cap)
		return false;
	pthread_mutex_lock(&cfg->pci.lock);
	msi_read_state(cfg, &msi);
	if (msi.maskable && msi.enabled && vector < msi.vectors &&
	    !(msi.mask & (1U << vector))) {
		uint8_t *pending = msi_pending_bits(cfg);
		uint32_t bits = get_le32(pending);

		take = bits & (1U << vector);
		put_le32(pending, bits & ~(1U << vector));
	}
	pthread_mutex_unlock(&cfg->pci.lock);
	return take;
}

/* ---- MSI-X ---- */

bool vfio_pci_config_msix(const struct vfio_pci_config *cfg,
			  struct vfio_pci_msix_info *info)
{
	const struct pci_device *dev = &cfg->pci;

	/* The layout is fixed at init: no lock to look. */
	if (!dev->msix_cap)
		return false;
	info->bar = dev->msix_bar;
	info->vectors = dev->msix_vectors;
	info->table_offset = dev->msix_table_offset;
	info->table_size = (uint64_t)dev->msix_vectors * PCI_MSIX_ENTRY_SIZE;
	info->pba_offset = dev->msix_pba_offset;
	info->pba_size = (dev->msix_vectors + 63) / 64 * 8;
	return true;
}

static struct vfio_pci_bar_range page_span(uint64_t offset, uint64_t size,
					   uint64_t page_size, uint64_t bar_size)
{
	uint64_t start = ALIGN_DOWN(offset, page_size);
	uint64_t end = MIN(ALIGN_UP(offset + size, page_size), bar_size);

	return (struct vfio_pci_bar_range) { .offset = start, .size = end - start };
}

unsigned int vfio_pci_config_msix_traps(const struct vfio_pci_config *cfg,
					uint64_t page_size,
					struct vfio_pci_bar_range ranges[2])
{
	struct vfio_pci_bar_range table, pba, first, second;
	struct vfio_pci_msix_info m;
	uint64_t bar_size;

	if (!page_size || (page_size & (page_size - 1)) || !vfio_pci_config_msix(cfg, &m))
		return 0;
	/* pci_device_add_msix checked both lie inside the BAR: no overflow below. */
	bar_size = cfg->pci.bars[m.bar].size;
	table = page_span(m.table_offset, m.table_size, page_size, bar_size);
	pba = page_span(m.pba_offset, m.pba_size, page_size, bar_size);
	first = table.offset <= pba.offset ? table : pba;
	second = table.offset <= pba.offset ? pba : table;
	if (second.offset <= first.offset + first.size) {
		uint64_t end = MAX(first.offset + first.size, second.offset + second.size);

		ranges[0] = (struct vfio_pci_bar_range) {
			.offset = first.offset, .size = end - first.offset,
		};
		return 1;
	}
	ranges[0] = first;
	ranges[1] = second;
	return 2;
}

/* ---- guest accesses: pci.c's config_hook ---- */

/* Replaces the bits that belong to the device with what it says now. */
static void device_read_merge(struct vfio_pci_config *cfg, unsigned int offset,
			      uint8_t *data, unsigned int size)
{
	uint8_t now[4];
	bool any = false;
	unsigned int i;

	for (i = 0; i < size; i++)
		any |= cfg->dev_read[offset + i] != 0;
	if (!any)
		return;
	if (cfg->ops->read(cfg, offset, now, size)) {
		/* What a missing device answers. */
		memset(now, 0xff, size);
		cfg->device_errors++;
	}
	for (i = 0; i < size; i++) {
		uint8_t from_device = cfg->dev_read[offset + i];

		data[i] = (data[i] & ~from_device) | (now[i] & from_device);
	}
}

/*
 * Sends the bits the device must see, in one device access: the narrowest
 * naturally aligned one inside the guest's that holds them all. Where that
 * access also covers bits the guest may not change, the device's own value
 * is written back. That is safe because every write-1-to-clear bit in a
 * register with bits to send is itself sent (status errors, PCIe device
 * status): a 1 read back is never written back to clear it.
 */
static void device_write(struct vfio_pci_config *cfg, unsigned int offset,
			 const uint8_t *data, unsigned int size)
{
	unsigned int first = size, last = 0, at, len, i;
	uint8_t now[4] = { 0 }, out[4];
	bool merge = false;

	for (i = 0; i < size; i++) {
		if (!cfg->dev_write[offset + i])
			continue;
		if (first == size)
			first = i;
		last = i;
	}
	if (first == size)
		return;
	if (first == last) {
		at = first;
		len = 1;
	} else if (first / 2 == last / 2) {
		at = first & ~1U;
		len = 2;
	} else {
		at = 0;
		len = size;
	}
	for (i = 0; i < len; i++)
		merge |= cfg->dev_write[offset + at + i] != 0xff;
	if (merge && cfg->ops->read(cfg, offset + at, now, len)) {
		cfg->device_errors++;
		return;
	}
	for (i = 0; i < len; i++) {
		uint8_t to_device = cfg->dev_write[offset + at + i];

		out[i] = (now[i] & ~to_device) | (data[at + i] & to_device);
	}
	if (cfg->ops->write(cfg, offset + at, out, len))
		cfg->device_errors++;
}

static void config_hook(struct pci_device *dev, unsigned int offset, uint8_t *data,
			unsigned int size, bool is_write)
{
	struct vfio_pci_config *cfg = to_config(dev);

	/* pci.c hands over valid accesses only; the hook covers 256 bytes. */
	if (offset >= STD_SIZE || size > STD_SIZE - offset || size > 4)
		return;
	if (!is_write) {
		device_read_merge(cfg, offset, data, size);
		return;
	}
	device_write(cfg, offset, data, size);
	if (cfg->msi_cap && ranges_touch(offset, size, cfg->msi_cap, cfg->msi_len))
		msi_changed(cfg);
}

/* ---- building the view ---- */

static void set_bits(uint8_t *mask, unsigned int offset, unsigned int len, uint8_t bits)
{
	memset(mask + offset, bits, len);
}

static void header_masks(struct vfio_pci_config *cfg)
{
	put_le16(cfg->dev_read + PCI_COMMAND, (uint16_t)~CMD_EMULATED);
	put_le16(cfg->dev_write + PCI_COMMAND, CMD_TO_DEVICE);
	/* Our capability list, not the device's, decides the CAP_LIST bit. */
	put_le16(cfg->dev_read + PCI_STATUS, (uint16_t)~PCI_STATUS_CAP_LIST);
	put_le16(cfg->dev_write + PCI_STATUS, STATUS_W1C);
	set_bits(cfg->dev_read, PCI_CACHE_LINE_SIZE, 2, 0xff);	/* and latency timer */
	set_bits(cfg->dev_write, PCI_CACHE_LINE_SIZE, 2, 0xff);
}

/*
 * How many bytes of capability @id at @at the guest sees; 0: hide it
 * (another kind, or a fixed layout that does not fit in 256 bytes).
 */
static unsigned int cap_len(const uint8_t *config, unsigned int at, uint8_t id)
{
	unsigned int room = STD_SIZE - at, len;

	switch (id) {
	case PCI_CAP_ID_PM:
		len = PCI_PM_SIZEOF;
		break;
	case PCI_CAP_ID_MSI:
		len = msi_cap_len(get_le16(config + at + PCI_MSI_FLAGS));
		break;
	case PCI_CAP_ID_MSIX:
		len = PCI_CAP_MSIX_SIZEOF;
		break;
	case PCI_CAP_ID_EXP:
		len = PCIE_V1_LEN;
		/* A v2 one cut short by the end of the 256 bytes keeps what fits. */
		if (room >= len && (get_le16(config + at + PCI_EXP_FLAGS) & PCI_EXP_FLAGS_VERS) >= 2)
			len = MIN(PCIE_V2_LEN, room);
		break;
	case PCI_CAP_ID_VNDR:
		/* Its own length, however hostile, clipped to the 256 bytes. */
		return MIN(MAX(config[at + VNDR_CAP_LEN], VNDR_CAP_MIN_LEN), room);
	default:
		return 0;
	}
	return len <= room ? len : 0;
}

static void cap_record(struct vfio_pci_cap *list, unsigned int *nr, uint16_t id,
		       unsigned int at, unsigned int len)
{
	if (*nr < VFIO_PCI_MAX_CAPS)
		list[(*nr)++] = (struct vfio_pci_cap) { .id = id, .offset = at, .len = len };
}

/*
 * Walks the device's list into cfg->kept and cfg->hidden. Bounded (a
 * dword can hold one capability, so 48 at most), loop-safe (a dword seen
 * twice ends it) and refusing pointers into the header. A kept kind is
 * hidden when it overlaps one kept before it or repeats (one MSI, MSI-X,
 * PM and PCIe each); vendor-specific ones may repeat.
 */
static void caps_walk(struct vfio_pci_config *cfg, const uint8_t *config)
{
	uint8_t claimed[STD_SIZE] = { 0 };
	uint64_t visited = 0;
	uint32_t seen_ids = 0;
	unsigned int at;

	if (!(get_le16(config + PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return;
	memset(claimed, 1, PCI_STD_HEADER_SIZEOF);
	/* The two low bits of every pointer are reserved: software masks them. */
	at = config[PCI_CAPABILITY_LIST] & ~3U;
	for (unsigned int n = 0; at && n < VFIO_PCI_MAX_CAPS; n++) {
		uint8_t id = config[at + PCI_CAP_LIST_ID];
		unsigned int len;
		bool keep;

		if (at < PCI_STD_HEADER_SIZEOF) {
			cfg->cap_list_bad_pointer = true;
			break;
		}
		if (visited & (1ULL << (at / 4))) {
			cfg->cap_list_looped = true;
			break;
		}
		visited |= 1ULL << (at / 4);
		len = cap_len(config, at, id);
		keep = len && !memchr(claimed + at, 1, len) &&
		       (id == PCI_CAP_ID_VNDR || !(seen_ids & (1U << id)));
		if (keep) {
			memset(claimed + at, 1, len);
			seen_ids |= 1U << id;
			cap_record(cfg->kept, &cfg->nr_kept, id, at, len);
		} else {
			cap_record(cfg->hidden, &cfg->nr_hidden, id, at, 0);
		}
		at = config[at + PCI_CAP_LIST_NEXT] & ~3U;
	}
}

/* Extended capabilities are hidden; the walk only records which (bounded, loop-safe). */
static void ext_caps_walk(struct vfio_pci_config *cfg, const uint8_t *config,
			  size_t config_size)
{
	uint64_t visited[EXT_CAP_SLOTS / 64] = { 0 };
	unsigned int at = STD_SIZE;

	if (config_size < EXT_SIZE)
		return;
	for (unsigned int n = 0; n < EXT_CAP_SLOTS && at >= STD_SIZE; n++) {
		unsigned int slot = (at - STD_SIZE) / 4;
		uint32_t header = get_le32(config + at);

		if (visited[slot / 64] & (1ULL << (slot % 64)))
			break;
		visited[slot / 64] |= 1ULL << (slot % 64);
		if (!header || header == 0xffffffffU)
			break;
		if (cfg->nr_hidden_ext < VFIO_PCI_MAX_EXT_CAPS)
			cfg->hidden_ext[cfg->nr_hidden_ext] = (struct vfio_pci_cap) {
				.id = PCI_EXT_CAP_ID(header), .offset = at,
			};
		cfg->nr_hidden_ext++;
		at = PCI_EXT_CAP_NEXT(header);
	}
}

static int add_bars(struct vfio_pci_config *cfg, const struct vfio_pci_device_info *info,
		    struct vfio_error *err)
{
	for (unsigned int bar = 0; bar < PCI_NR_BARS; bar++) {
		const struct vfio_pci_bar_info *b = &info->bars[bar];
		uint64_t size = b->size;
		int ret;

		if (!size || ((b->flags & PCI_BAR_IO) && info->hide_io_bars))
			continue;
		if (!(b->flags & PCI_BAR_IO) && size < VFIO_PCI_MEM_BAR_MIN)
			size = VFIO_PCI_MEM_BAR_MIN;
		ret = pci_device_add_bar(&cfg->pci, bar, size, b->flags);
		if (ret == -EBUSY)
			return vfio_fail(err, -EINVAL, "%s: BAR %u has a size but is the upper half of 64-bit BAR %u",
				    cfg->name, bar, bar - 1);
		if (ret)
			return vfio_fail(err, ret,
				    "%s: BAR %u (%s, %#llx bytes) cannot be shown to a guest: a BAR is a power of two, an I/O one at most 256 bytes, a 32-bit one at most 2 GiB, and BAR 5 cannot be 64-bit",
				    cfg->name, bar, b->flags & PCI_BAR_IO ? "I/O" :
				    b->flags & PCI_BAR_MEM64 ? "64-bit memory" : "32-bit memory",
				    (unsigned long long)b->size);
		cfg->device_bar_size[bar] = b->size;
	}
	return 0;
}

static int add_pm(struct vfio_pci_config *cfg, const uint8_t *config, unsigned int at)
{
	uint8_t body[PCI_PM_SIZEOF - 2] = { 0 };
	int ret;

	/* No PME reaches the guest; the power state stays D0 in the device (see docs). */
	put_le16(body + PCI_PM_PMC - 2, get_le16(config + at + PCI_PM_PMC) & ~PCI_PM_CAP_PME_MASK);
	put_le16(body + PCI_PM_CTRL - 2,
	      get_le16(config + at + PCI_PM_CTRL) & PCI_PM_CTRL_NO_SOFT_RESET);
	ret = pci_device_add_cap(&cfg->pci, PCI_CAP_ID_PM, body, sizeof(body));
	if (ret < 0)
		return ret;
	cfg->pci.wmask[at + PCI_PM_CTRL] = PCI_PM_CTRL_STATE_MASK;
	return 0;
}

static int add_msi(struct vfio_pci_config *cfg, const uint8_t *config, unsigned int at,
		   unsigned int len)
{
	uint16_t control = get_le16(config + at + PCI_MSI_FLAGS) & MSI_CTRL_FROM_DEVICE;
	unsigned int offered = msi_vectors((control & PCI_MSI_FLAGS_QMASK) >> 1);
	uint8_t body[PCI_MSI_PENDING_64 + 4 - 2] = { 0 };
	uint8_t *wmask = cfg->pci.wmask + at;
	int ret;

	put_le16(body + PCI_MSI_FLAGS - 2, control);
	ret = pci_device_add_cap(&cfg->pci, PCI_CAP_ID_MSI, body, len - 2);
	if (ret < 0)
		return ret;
	put_le16(wmask + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	put_le32(wmask + PCI_MSI_ADDRESS_LO, 0xfffffffcU);
	if (control & PCI_MSI_FLAGS_64BIT)
		put_le32(wmask + PCI_MSI_ADDRESS_HI, 0xffffffffU);
	put_le16(wmask + msi_data_reg(control), 0xffff);
	if (control & PCI_MSI_FLAGS_MASKBIT)
		put_le32(wmask + msi_mask_reg(control),
		      offered == 32 ? 0xffffffffU : (1U << offered) - 1);
	cfg->msi_cap = at;
	cfg->msi_len = len;
	msi_read_state(cfg, &cfg->msi);
	return 0;
}

static int add_msix(struct vfio_pci_config *cfg, const uint8_t *config, unsigned int at,
		    struct vfio_error *err)
{
	unsigned int vectors = (get_le16(config + at + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_QSIZE) + 1;
	uint32_t table = get_le32(config + at + PCI_MSIX_TABLE);
	uint32_t pba = get_le32(config + at + PCI_MSIX_PBA);
	unsigned int bar = table & PCI_MSIX_TABLE_BIR;
	int ret;

	if ((pba & PCI_MSIX_PBA_BIR) != bar)
		return vfio_fail(err, -EOPNOTSUPP,
			    "%s: MSI-X table in BAR %u and PBA in BAR %u: shapevm emulates both in one BAR",
			    cfg->name, bar, pba & PCI_MSIX_PBA_BIR);
	if (bar >= PCI_NR_BARS || !cfg->pci.bars[bar].size ||
	    (cfg->pci.bars[bar].flags & PCI_BAR_IO))
		return vfio_fail(err, -EINVAL, "%s: MSI-X table in BAR %u, which is not a memory BAR of the device",
			    cfg->name, bar);
	ret = pci_device_add_msix(&cfg->pci, vectors, bar, table & PCI_MSIX_TABLE_OFFSET,
				  pba & PCI_MSIX_PBA_OFFSET);
	if (ret == -EINVAL)
		return vfio_fail(err, ret, "%s: MSI-X table (%u vectors at %#x) and PBA (at %#x) do not fit "
			    "apart in BAR %u (%#llx bytes)", cfg->name, vectors,
			    table & PCI_MSIX_TABLE_OFFSET, pba & PCI_MSIX_PBA_OFFSET, bar,
			    (unsigned long long)cfg->device_bar_size[bar]);
	if (ret)
		return vfio_fail(err, ret, "%s: MSI-X capability: %s", cfg->name, strerror(-ret));
	return 0;
}

static void add_pcie(struct vfio_pci_config *cfg, unsigned int at, unsigned int len)
{
	/* Read from the device, all but the ID and next pointer. */
	set_bits(cfg->dev_read, at + 2, len - 2, 0xff);
	/*
	 * Device control (payload and read request sizes are vfio-pci's to
	 * virtualise; an FLR it performs itself) and device control 2 reach
	 * the device; the link and slot registers are the host's: guest
	 * writes there are dropped.
	 */
	put_le16(cfg->dev_write + at + PCI_EXP_DEVCTL, 0xffff);
	put_le16(cfg->dev_write + at + PCI_EXP_DEVSTA, DEVSTA_W1C);
	if (len >= PCI_EXP_DEVCTL2 + 2)
		put_le16(cfg->dev_write + at + PCI_EXP_DEVCTL2, 0xffff);
}

static void add_vendor(struct vfio_pci_config *cfg, unsigned int at, unsigned int len)
{
	set_bits(cfg->dev_read, at + 2, len - 2, 0xff);
	if (len > VNDR_CAP_MIN_LEN)
		set_bits(cfg->dev_write, at + VNDR_CAP_MIN_LEN, len - VNDR_CAP_MIN_LEN, 0xff);
}

/* The kept capabilities at their own offsets, linked in the device's order. */
static int add_caps(struct vfio_pci_config *cfg, const uint8_t *config,
		    struct vfio_error *err)
{
	for (unsigned int i = 0; i < cfg->nr_kept; i++) {
		const struct vfio_pci_cap *cap = &cfg->kept[i];
		int ret = 0;

		/* pci.c appends at next_cap: point it at the device's offset. */
		cfg->pci.next_cap = cap->offset;
		switch (cap->id) {
		case PCI_CAP_ID_PM:
			ret = add_pm(cfg, config, cap->offset);
			break;
		case PCI_CAP_ID_MSI:
			ret = add_msi(cfg, config, cap->offset, cap->len);
			break;
		case PCI_CAP_ID_MSIX:
			ret = add_msix(cfg, config, cap->offset, err);
			if (ret)
				return ret;
			break;
		case PCI_CAP_ID_EXP:
		case PCI_CAP_ID_VNDR:
			ret = pci_device_add_cap(&cfg->pci, cap->id, config + cap->offset + 2,
						 cap->len - 2);
			if (ret >= 0 && cap->id == PCI_CAP_ID_EXP)
				add_pcie(cfg, cap->offset, cap->len);
			else if (ret >= 0)
				add_vendor(cfg, cap->offset, cap->len);
			break;
		}
		if (ret < 0)
			return vfio_fail(err, ret, "%s: capability %#x at %#x: %s", cfg->name,
				    cap->id, cap->offset, strerror(-ret));
	}
	/* Nothing else may add one: the bytes after ours are the device's layout. */
	cfg->pci.next_cap = STD_SIZE;
	return 0;
}

/*
 * The device decodes its BARs from now on, whatever the guest's command
 * register says (the VMM maps them), and does no DMA until the guest's
 * bus master bit reaches it.
 */
static int device_start(struct vfio_pci_config *cfg, struct vfio_error *err)
{
	uint16_t command, want;
	uint8_t bytes[2];
	int ret;

	ret = cfg->ops->read(cfg, PCI_COMMAND, bytes, 2);
	if (ret)
		return vfio_fail(err, ret, "%s: reading the command register: %s", cfg->name,
			    strerror(-ret));
	command = get_le16(bytes);
	want = command & ~PCI_COMMAND_MASTER;
	for (unsigned int bar = 0; bar < PCI_NR_BARS; bar++) {
		if (!cfg->pci.bars[bar].size)
			continue;
		want |= cfg->pci.bars[bar].flags & PCI_BAR_IO ? PCI_COMMAND_IO :
								PCI_COMMAND_MEMORY;
	}
	if (want == command)
		return 0;
	put_le16(bytes, want);
	ret = cfg->ops->write(cfg, PCI_COMMAND, bytes, 2);
	if (ret)
		return vfio_fail(err, ret, "%s: writing the command register: %s", cfg->name,
			    strerror(-ret));
	return 0;
}

static int check_info(const struct vfio_pci_device_info *info, const char *name,
		      struct vfio_error *err)
{
	const uint8_t *config = info->config;

	if (!config || (info->config_size != STD_SIZE && info->config_size != EXT_SIZE))
		return vfio_fail(err, -EINVAL, "%s: a config space of %zu bytes (256 or 4096 expected)",
			    name, config ? info->config_size : 0);
	if (get_le16(config + PCI_VENDOR_ID) == 0xffff)
		return vfio_fail(err, -EINVAL, "%s: the config space reads all-ones: is the device there?",
			    name);
	if (config[PCI_HEADER_TYPE] & 0x7f)
		return vfio_fail(err, -EINVAL, "%s: header type %u: only type-0 functions (not bridges) "
			    "can be assigned", name, config[PCI_HEADER_TYPE] & 0x7f);
	return 0;
}

int vfio_pci_config_init(struct vfio_pci_config *cfg,
			 const struct vfio_pci_device_info *info,
			 const struct vfio_pci_config_ops *ops,
			 const struct pci_device_ops *pci_ops, void *opaque,
			 struct vfio_error *err)
{
	const char *name = info->name ? info->name : "vfio";
	const uint8_t *config = info->config;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (!ops || !ops->read || !ops->write)
		return vfio_fail(err, -EINVAL, "%s: no device config callbacks", name);
	ret = check_info(info, name, err);
	if (ret)
		return ret;

	snprintf(cfg->name, sizeof(cfg->name), "%s", name);
	/* Header type 0, multi-function cleared: each assigned device is its own function 0. */
	ret = pci_device_init(&cfg->pci, cfg->name, get_le16(config + PCI_VENDOR_ID),
			      get_le16(config + PCI_DEVICE_ID),
			      get_le32(config + PCI_CLASS_REVISION) >> 8,
			      config[PCI_REVISION_ID], get_le16(config + PCI_SUBSYSTEM_VENDOR_ID),
			      get_le16(config + PCI_SUBSYSTEM_ID));
	if (ret)
		return vfio_fail(err, ret, "%s: %s", name, strerror(-ret));
	cfg->ops = ops;
	cfg->pci.opaque = opaque;
	memcpy(cfg->pci.config + PCI_CARDBUS_CIS, config + PCI_CARDBUS_CIS, 4);
	cfg->pci.config[PCI_INTERRUPT_PIN] = config[PCI_INTERRUPT_PIN];
	cfg->pci.config[PCI_MIN_GNT] = config[PCI_MIN_GNT];
	cfg->pci.config[PCI_MAX_LAT] = config[PCI_MAX_LAT];

	ret = add_bars(cfg, info, err);
	if (ret)
		goto out_destroy;
	caps_walk(cfg, config);
	ret = add_caps(cfg, config, err);
	if (ret)
		goto out_destroy;
	ext_caps_walk(cfg, config, info->config_size);
	header_masks(cfg);

	if (pci_ops)
		cfg->pci_ops = *pci_ops;
	cfg->pci_ops.config_hook = config_hook;
	cfg->pci.ops = &cfg->pci_ops;
	pci_device_hook_config(&cfg->pci, 0, STD_SIZE);

	ret = device_start(cfg, err);
	if (ret)
		goto out_destroy;
	return 0;

out_destroy:
	pci_device_destroy(&cfg->pci);
	return ret;
}

void vfio_pci_config_destroy(struct vfio_pci_config *cfg)
{
	pci_device_destroy(&cfg->pci);
}
