// SPDX-License-Identifier: GPL-2.0
/*
 * vfio/pci_config: the guest's view of an assigned device's config space,
 * against recorded config spaces and a fake device behind the two
 * callbacks: the BAR sizing dance, the capability list as the guest walks
 * it, MSI and MSI-X, what reaches the device and what does not, and
 * hostile devices and guests.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "devices/pci_host.h"
#include "tests/unit/suites.h"
#include "vfio/pci_config.h"
#include "vmm/memplan.h"

#define MAX_LOG		64
/* Status bits that record errors: write 1 to clear. */
#define STATUS_ERRORS	0xf900
#define DEVSTA_ERRORS	0x0f	/* PCIe device status: CED, NFED, FED, URD */

/*
 * An Intel 82574L (e1000e) as a host reads it, `lspci -xxx` style: PM,
 * MSI (64-bit, one vector), PCIe v1, MSI-X (5 vectors, table and PBA in
 * BAR 3), VPD and a vendor-specific capability; AER and DSN in the
 * extended space. The multi-function bit is set to see it cleared.
 */
static const uint8_t e1000e_config[4096] = {
	/* vendor, device, command, status, class, cache line, header 0x80 */
	0x86, 0x80, 0xd3, 0x10, 0x07, 0x00, 0x10, 0x00,
	0x00, 0x00, 0x00, 0x02, 0x10, 0x00, 0x80, 0x00,
	/* BAR0 128K, BAR1 512K (flash), BAR2 I/O 32, BAR3 16K (MSI-X) */
	0x00, 0x00, 0xbc, 0xfe, 0x00, 0x00, 0xb8, 0xfe,
	0x01, 0xe0, 0x00, 0x00, 0x00, 0x00, 0xbe, 0xfe,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x86, 0x80, 0x00, 0x00,
	/* ROM 256K at 0xfeb40000, capabilities at 0xc8, INTx line 11 pin A */
	0x00, 0x00, 0xb4, 0xfe, 0xc8, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x0b, 0x01, 0x00, 0x00,
	/* 0xa0 MSI-X: 5 vectors, table BAR3+0, PBA BAR3+0x2000; next VPD */
	[0xa0] = 0x11, 0xb0, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x03, 0x20, 0x00, 0x00,
	/* 0xb0 VPD, hidden; 0xb8 vendor-specific, 8 bytes */
	[0xb0] = 0x03, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x09, 0x00, 0x08, 0x01, 0x5a, 0xa5, 0x00, 0x00,
	/* 0xc8 PM: PME from D0, D3hot, D3cold; No_Soft_Reset */
	[0xc8] = 0x01, 0xd0, 0x22, 0xc8, 0x08, 0x00, 0x00, 0x00,
	/* 0xd0 MSI: 64-bit, 1 vector */
	0x05, 0xe0, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* 0xe0 PCIe v1 endpoint: DEVCAP, DEVCTL 0x2810, LNKCAP x1, LNKSTA */
	0x10, 0xa0, 0x01, 0x00, 0xc1, 0x8c, 0x00, 0x00,
	0x10, 0x28, 0x10, 0x00, 0x11, 0x0c, 0x00, 0x00,
	0x40, 0x00, 0x11, 0x10,
	/* 0x100 AER (next 0x140), 0x140 DSN */
	[0x100] = 0x01, 0x00, 0x01, 0x14,
	[0x140] = 0x03, 0x00, 0x01, 0x00, 0x12, 0x34, 0x56, 0xff, 0xff, 0x78, 0x9a, 0xbc,
};

/*
 * An accelerator on conventional PCI (256 bytes): a 64-bit prefetchable
 * BAR, an I/O BAR, a 32-bit prefetchable one and a 256-byte one. Its list
 * goes PM, vendor-specific, MSI (32-bit, 8 maskable vectors), AGP, then
 * back to the vendor-specific one: a loop.
 */
static const uint8_t accel_config[256] = {
	0x34, 0x12, 0xe8, 0x11, 0x00, 0x00, 0x10, 0x00,
	0x10, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, 0x80,
	0x0c, 0x00, 0x00, 0xe0, 0x00, 0x00, 0x00, 0x00,
	0x01, 0xc0, 0x00, 0x00, 0x08, 0x00, 0x00, 0xf0,
	0x00, 0x10, 0x00, 0xfc, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xf4, 0x1a, 0x00, 0x11,
	0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00,
	/* 0x40 PM v3; 0x48 vendor-specific, 16 bytes */
	[0x40] = 0x01, 0x48, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x09, 0x58, 0x10, 0x00, 0x11, 0x22, 0x33, 0x44,
	0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
	/* 0x58 MSI: 32-bit, maskable, 8 vectors */
	[0x58] = 0x05, 0x70, 0x06, 0x01,
	/* 0x70 AGP, pointing back at 0x48 */
	[0x70] = 0x02, 0x48, 0x30, 0x00,
};

/*
 * A hostile one: a vendor-specific capability at 0xe8 claiming 0x40 bytes
 * (past the 256), a PCIe v2 capability at 0x50, an MSI capability at 0x54
 * inside it, then a pointer (0x27, masked to 0x24) into the header.
 */
static const uint8_t hostile_config[256] = {
	0x86, 0x80, 0x00, 0x15, 0x00, 0x00, 0x10, 0x00,
	0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0xf8,
	[0x34] = 0xe8,
	[0x50] = 0x10, 0x54, 0x02, 0x00, 0x05, 0x27, 0x80, 0x00,
	[0xe8] = 0x09, 0x50, 0x40, 0x00, 0xde, 0xad, 0xbe, 0xef,
};

struct logged_write {
	unsigned int offset;
	unsigned int size;
	uint32_t value;
};

/* The device behind the callbacks, and the caller's BAR and MSI-X callbacks. */
struct fake {
	struct vfio_pci_config cfg;
	uint8_t config[4096];
	uint8_t w1c[4096];		/* bits a 1 clears, as in the device */
	struct logged_write writes[MAX_LOG];
	unsigned int nr_writes;
	unsigned int nr_reads;
	bool fail_reads;
	unsigned int msi_updates;
	int msix_updates[MAX_LOG];
	unsigned int nr_msix_updates;
	unsigned int remaps;
};

static struct fake *fake_of(struct vfio_pci_config *cfg)
{
	return cfg->pci.opaque;
}

static uint32_t le(const uint8_t *p, unsigned int size)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static int fake_read(struct vfio_pci_config *cfg, unsigned int offset, void *data,
		     unsigned int size)
{
	struct fake *f = fake_of(cfg);

	ck_assert(size == 1 || size == 2 || size == 4);
	ck_assert_uint_eq(offset % size, 0);
	ck_assert_uint_lt(offset, 256);
	f->nr_reads++;
	if (f->fail_reads)
		return -EIO;
	memcpy(data, f->config + offset, size);
	return 0;
}

static int fake_write(struct vfio_pci_config *cfg, unsigned int offset,
		      const void *data, unsigned int size)
{
	struct fake *f = fake_of(cfg);
	const uint8_t *b = data;

	ck_assert(size == 1 || size == 2 || size == 4);
	ck_assert_uint_eq(offset % size, 0);
	ck_assert_uint_lt(offset, 256);
	ck_assert_uint_lt(f->nr_writes, MAX_LOG);
	f->writes[f->nr_writes++] = (struct logged_write) {
		.offset = offset, .size = size, .value = le(b, size),
	};
	for (unsigned int i = 0; i < size; i++) {
		uint8_t w1c = f->w1c[offset + i];

		f->config[offset + i] = (b[i] & ~w1c) | (f->config[offset + i] & w1c & ~b[i]);
	}
	return 0;
}

static void fake_msi_update(struct vfio_pci_config *cfg)
{
	struct vfio_pci_msi msi;

	/* Called under the lock: the state must be readable from here. */
	ck_assert(vfio_pci_config_msi(cfg, &msi));
	fake_of(cfg)->msi_updates++;
}

static void fake_msix_update(struct pci_device *dev, int vector)
{
	struct fake *f = dev->opaque;

	ck_assert_uint_lt(f->nr_msix_updates, MAX_LOG);
	f->msix_updates[f->nr_msix_updates++] = vector;
}

static void fake_bar_remap(struct pci_device *dev, unsigned int bar, uint64_t addr,
			   bool enabled)
{
	(void)bar;
	(void)addr;
	(void)enabled;
	((struct fake *)dev->opaque)->remaps++;
}

static const struct vfio_pci_config_ops fake_ops = {
	.read = fake_read,
	.write = fake_write,
	.msi_update = fake_msi_update,
};

static const struct pci_device_ops fake_pci_ops = {
	.bar_remap = fake_bar_remap,
	.msix_update = fake_msix_update,
};

static struct vfio_pci_device_info e1000e_info(void)
{
	return (struct vfio_pci_device_info) {
		.name = "0000:00:03.0",
		.config = e1000e_config,
		.config_size = sizeof(e1000e_config),
		.bars = {
			[0] = { .size = 128 << 10 },
			[1] = { .size = 512 << 10 },
			[2] = { .size = 32, .flags = PCI_BAR_IO },
			[3] = { .size = 16 << 10 },
		},
		.rom_size = 256 << 10,
	};
}

static struct vfio_pci_device_info accel_info(void)
{
	return (struct vfio_pci_device_info) {
		.name = "0000:00:04.0",
		.config = accel_config,
		.config_size = sizeof(accel_config),
		.bars = {
			[0] = { .size = 256ULL << 20, .flags = PCI_BAR_MEM64 | PCI_BAR_PREFETCH },
			[2] = { .size = 64, .flags = PCI_BAR_IO },
			[3] = { .size = 1 << 20, .flags = PCI_BAR_PREFETCH },
			[4] = { .size = 256 },
		},
	};
}

/* The device's config space and write-1-to-clear bits, then the guest's view. */
static int fake_start(struct fake *f, const struct vfio_pci_device_info *info,
		      struct vfio_error *err)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->config, info->config, info->config_size);
	f->w1c[PCI_STATUS + 1] = STATUS_ERRORS >> 8;
	return vfio_pci_config_init(&f->cfg, info, &fake_ops, &fake_pci_ops, f, err);
}

static void fake_setup(struct fake *f, const struct vfio_pci_device_info *info)
{
	struct vfio_error err = { "" };
	int ret = fake_start(f, info, &err);

	ck_assert_msg(ret == 0, "init: %d: %s", ret, err.msg);
}

static uint32_t guest_read(struct fake *f, unsigned int offset, unsigned int size)
{
	uint8_t b[8] = { 0 };

	pci_config_read(&f->cfg.pci, offset, b, size);
	return le(b, size < 4 ? size : 4);
}

static void guest_write(struct fake *f, unsigned int offset, unsigned int size, uint32_t v)
{
	uint8_t b[8] = { 0 };

	for (unsigned int i = 0; i < 4; i++)
		b[i] = v >> (8 * i);
	pci_config_write(&f->cfg.pci, offset, b, size);
}

/* The guest's walk of the capability list, as Linux does it (bounded). */
static unsigned int guest_caps(struct fake *f, unsigned int offsets[], unsigned int ids[])
{
	unsigned int n = 0, at;

	if (!(guest_read(f, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	at = guest_read(f, PCI_CAPABILITY_LIST, 1) & ~3U;
	while (at && n < 48) {
		offsets[n] = at;
		ids[n++] = guest_read(f, at + PCI_CAP_LIST_ID, 1);
		at = guest_read(f, at + PCI_CAP_LIST_NEXT, 1) & ~3U;
	}
	return n;
}

/* Whether any device write touched [offset, offset + len). */
static bool device_written(const struct fake *f, unsigned int offset, unsigned int len)
{
	for (unsigned int i = 0; i < f->nr_writes; i++)
		if (f->writes[i].offset < offset + len &&
		    f->writes[i].offset + f->writes[i].size > offset)
			return true;
	return false;
}

static bool has_prefix(const char *msg, const char *prefix)
{
	return !strncmp(msg, prefix, strlen(prefix));
}


START_TEST(test_header_fields)
{
	struct vfio_pci_device_info info = e1000e_info();
	struct fake f;
	unsigned int writes;

	fake_setup(&f, &info);
	ck_assert_uint_eq(guest_read(&f, PCI_VENDOR_ID, 4), 0x10d38086);
	ck_assert_uint_eq(guest_read(&f, PCI_CLASS_REVISION, 4), 0x02000000);
	ck_assert_uint_eq(guest_read(&f, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x00008086);
	/* Header type 0 and the multi-function bit cleared; no BIST. */
	ck_assert_uint_eq(guest_read(&f, PCI_HEADER_TYPE, 1), 0);
	ck_assert_uint_eq(guest_read(&f, PCI_BIST, 1), 0);
	/* The pin is the device's; the line is the guest's own. */
	ck_assert_uint_eq(guest_read(&f, PCI_INTERRUPT_PIN, 1), 1);
	ck_assert_uint_eq(guest_read(&f, PCI_INTERRUPT_LINE, 1), 0);

	writes = f.nr_writes;
	guest_write(&f, PCI_INTERRUPT_LINE, 1, 0x0a);
	guest_write(&f, PCI_VENDOR_ID, 4, 0);
	guest_write(&f, PCI_HEADER_TYPE, 1, 0x80);
	guest_write(&f, PCI_BIST, 1, PCI_BIST_START);
	ck_assert_uint_eq(guest_read(&f, PCI_INTERRUPT_LINE, 1), 0x0a);
	ck_assert_uint_eq(guest_read(&f, PCI_VENDOR_ID, 4), 0x10d38086);
	ck_assert_uint_eq(guest_read(&f, PCI_HEADER_TYPE, 1), 0);
	ck_assert_uint_eq(guest_read(&f, PCI_BIST, 1), 0);
	ck_assert_uint_eq(f.nr_writes, writes);
	ck_assert_uint_eq(f.config[PCI_INTERRUPT_LINE], 0x0b);

	/* Cache line size and latency timer are the device's, live. */
	ck_assert_uint_eq(guest_read(&f, PCI_CACHE_LINE_SIZE, 1), 0x10);
	f.config[PCI_CACHE_LINE_SIZE] = 0x20;
	ck_assert_uint_eq(guest_read(&f, PCI_CACHE_LINE_SIZE, 1), 0x20);
	/* One dword write: only the device's two bytes reach it, as one access. */
	guest_write(&f, PCI_CACHE_LINE_SIZE, 4, 0x00ff4008);
	ck_assert_uint_eq(f.nr_writes, writes + 1);
	ck_assert_uint_eq(f.writes[writes].offset, PCI_CACHE_LINE_SIZE);
	ck_assert_uint_eq(f.writes[writes].size, 2);
	ck_assert_uint_eq(f.writes[writes].value, 0x4008);
	ck_assert_uint_eq(guest_read(&f, PCI_CACHE_LINE_SIZE, 4), 0x00004008);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_rom_hidden)
{
	struct vfio_pci_device_info info = e1000e_info();
	struct fake f;

	/* The device has a 256K ROM at 0xfeb40000; the guest sees none. */
	fake_setup(&f, &info);
	ck_assert_uint_eq(guest_read(&f, PCI_ROM_ADDRESS, 4), 0);
	guest_write(&f, PCI_ROM_ADDRESS, 4, 0xfffff801);
	ck_assert_uint_eq(guest_read(&f, PCI_ROM_ADDRESS, 4), 0);
	guest_write(&f, PCI_ROM_ADDRESS, 4, 0xfeb40001);
	ck_assert_uint_eq(guest_read(&f, PCI_ROM_ADDRESS, 4), 0);
	ck_assert(!device_written(&f, PCI_ROM_ADDRESS, 4));
	ck_assert_uint_eq(f.config[PCI_ROM_ADDRESS + 3], 0xfe);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_bar_sizing_32bit_and_io)
{
	struct vfio_pci_device_info info = e1000e_info();
	const uint32_t sized[PCI_NR_BARS] = {
		0xfffe0000, 0xfff80000, 0x0000ffe1, 0xffffc000, 0, 0,
	};
	struct fake f;

	fake_setup(&f, &info);
	for (unsigned int bar = 0; bar < PCI_NR_BARS; bar++) {
		unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * bar;

		guest_write(&f, reg, 4, 0xffffffff);
		ck_assert_msg(guest_read(&f, reg, 4) == sized[bar], "BAR %u reads %#x", bar,
			      guest_read(&f, reg, 4));
	}
	/* Where the guest puts them, not where the host did. */
	guest_write(&f, PCI_BASE_ADDRESS_0, 4, 0xc0020000);
	guest_write(&f, PCI_BASE_ADDRESS_2, 4, 0xc040);
	ck_assert_uint_eq(guest_read(&f, PCI_BASE_ADDRESS_0, 4), 0xc0020000);
	ck_assert_uint_eq(guest_read(&f, PCI_BASE_ADDRESS_2, 4), 0xc041);
	ck_assert_uint_eq(f.cfg.pci.bars[0].addr, 0xc0020000);
	ck_assert_uint_eq(f.cfg.pci.bars[2].addr, 0xc040);
	ck_assert_uint_eq(f.cfg.pci.bars[1].size, 512 << 10);
	ck_assert_uint_eq(f.cfg.device_bar_size[3], 16 << 10);
	/* Never passed to the device: its BARs are the host's. */
	ck_assert(!device_written(&f, PCI_BASE_ADDRESS_0, 6 * 4));
	ck_assert_uint_eq(f.config[PCI_BASE_ADDRESS_0 + 3], 0xfe);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_bar_sizing_64bit_and_prefetchable)
{
	struct vfio_pci_device_info info = accel_info();
	struct fake f;

	fake_setup(&f, &info);
	guest_write(&f, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	guest_write(&f, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	ck_assert_uint_eq(guest_read(&f, PCI_BASE_ADDRESS_0, 4), 0xf000000c);
	ck_assert_uint_eq(guest_read(&f, PCI_BASE_ADDRESS_1, 4), 0xffffffff);
	guest_write(&f, PCI_BASE_ADDRESS_0, 4, 0);
	guest_write(&f, PCI_BASE_ADDRESS_1, 4, 0x8);
	ck_assert_uint_eq(guest_read(&f, PCI_BASE_ADDRESS_0, 4), 0x0000000c);
	ck_assert_uint_eq(f.cfg.pci.bars[0].addr, 0x800000000ULL);

	guest_write(&f, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
	ck_assert_uint_eq(guest_read(&f, PCI_BASE_ADDRESS_2, 4), 0x0000ffc1);
	guest_write(&f, PCI_BASE_ADDRESS_3, 4, 0xffffffff);
	ck_assert_uint_eq(guest_read(&f, PCI_BASE_ADDRESS_3, 4), 0xfff00008);
	/* 256 bytes on the device, a page for the guest: memslots are pages. */
	guest_write(&f, PCI_BASE_ADDRESS_4, 4, 0xffffffff);
	ck_assert_uint_eq(guest_read(&f, PCI_BASE_ADDRESS_4, 4), 0xfffff000);
	ck_assert_uint_eq(f.cfg.pci.bars[4].size, VFIO_PCI_MEM_BAR_MIN);
	ck_assert_uint_eq(f.cfg.device_bar_size[4], 256);
	guest_write(&f, PCI_BASE_ADDRESS_5, 4, 0xffffffff);
	ck_assert_uint_eq(guest_read(&f, PCI_BASE_ADDRESS_5, 4), 0);
	ck_assert(!device_written(&f, PCI_BASE_ADDRESS_0, 6 * 4));
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_io_bars_hidden_without_port_window)
{
	struct vfio_pci_device_info info = accel_info();
	struct fake f;

	info.hide_io_bars = true;
	fake_setup(&f, &info);
	guest_write(&f, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
	ck_assert_uint_eq(guest_read(&f, PCI_BASE_ADDRESS_2, 4), 0);
	ck_assert_uint_eq(f.cfg.pci.bars[2].size, 0);
	/* The device decodes memory for the mapped BARs, not ports. */
	ck_assert_uint_eq(le(f.config + PCI_COMMAND, 2), PCI_COMMAND_MEMORY);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_bar_flags_from_config)
{
	ck_assert_uint_eq(vfio_pci_bar_flags(accel_config, 0), PCI_BAR_MEM64 | PCI_BAR_PREFETCH);
	ck_assert_uint_eq(vfio_pci_bar_flags(accel_config, 2), PCI_BAR_IO);
	ck_assert_uint_eq(vfio_pci_bar_flags(accel_config, 3), PCI_BAR_PREFETCH);
	ck_assert_uint_eq(vfio_pci_bar_flags(accel_config, 4), 0);
	ck_assert_uint_eq(vfio_pci_bar_flags(e1000e_config, 2), PCI_BAR_IO);
	ck_assert_uint_eq(vfio_pci_bar_flags(e1000e_config, 6), 0);
}
END_TEST

START_TEST(test_command_register)
{
	struct vfio_pci_device_info info = e1000e_info();
	struct fake f;

	/* Recorded 0x0007: decode stays on in the device, bus master goes off. */
	fake_setup(&f, &info);
	ck_assert_uint_eq(le(f.config + PCI_COMMAND, 2), PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(guest_read(&f, PCI_COMMAND, 2), 0);

	guest_write(&f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ck_assert_uint_eq(guest_read(&f, PCI_COMMAND, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ck_assert_uint_eq(le(f.config + PCI_COMMAND, 2),
			  PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ck_assert(f.remaps > 0);

	/* Decode off for the guest only; bus master off for the device too. */
	guest_write(&f, PCI_COMMAND, 2, 0);
	ck_assert_uint_eq(guest_read(&f, PCI_COMMAND, 2), 0);
	ck_assert_uint_eq(le(f.config + PCI_COMMAND, 2), PCI_COMMAND_IO | PCI_COMMAND_MEMORY);

	/* SERR and INTx disable reach the device; SERR reads from it. */
	guest_write(&f, PCI_COMMAND, 2,
		    PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE | PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(le(f.config + PCI_COMMAND, 2),
			  PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_SERR |
			  PCI_COMMAND_INTX_DISABLE);
	ck_assert_uint_eq(guest_read(&f, PCI_COMMAND, 2),
			  PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE | PCI_COMMAND_MEMORY);
	f.config[PCI_COMMAND + 1] &= ~(PCI_COMMAND_SERR >> 8);
	ck_assert_uint_eq(guest_read(&f, PCI_COMMAND, 2),
			  PCI_COMMAND_INTX_DISABLE | PCI_COMMAND_MEMORY);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_status_w1c)
{
	struct vfio_pci_device_info info = e1000e_info();
	struct fake f;
	unsigned int writes;

	fake_setup(&f, &info);
	f.config[PCI_STATUS + 1] |= PCI_STATUS_REC_MASTER_ABORT >> 8;
	ck_assert_uint_eq(guest_read(&f, PCI_STATUS, 2),
			  PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_CAP_LIST);

	/* A command write that covers status writes 0s there: nothing cleared. */
	writes = f.nr_writes;
	guest_write(&f, PCI_COMMAND, 4, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ck_assert_uint_eq(f.nr_writes, writes + 1);
	ck_assert_uint_eq(f.writes[writes].size, 4);
	ck_assert_uint_eq(f.writes[writes].value >> 16 & STATUS_ERRORS, 0);
	ck_assert_uint_eq(le(f.config + PCI_STATUS, 2),
			  PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_CAP_LIST);

	/* The guest's 1 clears it in the device. */
	guest_write(&f, PCI_STATUS, 2, PCI_STATUS_REC_MASTER_ABORT);
	ck_assert_uint_eq(le(f.config + PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	ck_assert_uint_eq(guest_read(&f, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_caps_filtered)
{
	const unsigned int want_at[] = { 0xc8, 0xd0, 0xe0, 0xa0, 0xb8 };
	const unsigned int want_id[] = {
		PCI_CAP_ID_PM, PCI_CAP_ID_MSI, PCI_CAP_ID_EXP, PCI_CAP_ID_MSIX, PCI_CAP_ID_VNDR,
	};
	struct vfio_pci_device_info info = e1000e_info();
	unsigned int at[48], id[48], n, reads;
	struct fake f;

	fake_setup(&f, &info);
	n = guest_caps(&f, at, id);
	ck_assert_uint_eq(n, 5);
	for (unsigned int i = 0; i < n; i++) {
		ck_assert_uint_eq(at[i], want_at[i]);
		ck_assert_uint_eq(id[i], want_id[i]);
	}
	/* VPD is unlinked and its bytes read 0. */
	ck_assert_uint_eq(f.cfg.nr_hidden, 1);
	ck_assert_uint_eq(f.cfg.hidden[0].id, PCI_CAP_ID_VPD);
	ck_assert_uint_eq(guest_read(&f, 0xb0, 4), 0);
	ck_assert_uint_eq(guest_read(&f, 0xb4, 4), 0);
	ck_assert(!f.cfg.cap_list_looped && !f.cfg.cap_list_bad_pointer);

	/* Extended capabilities: AER and DSN hidden, nothing asked of the device. */
	reads = f.nr_reads;
	ck_assert_uint_eq(guest_read(&f, 0x100, 4), 0);
	ck_assert_uint_eq(guest_read(&f, 0x140, 4), 0);
	guest_write(&f, 0x104, 4, 0xffffffff);
	ck_assert_uint_eq(guest_read(&f, 0x104, 4), 0);
	ck_assert_uint_eq(f.nr_reads, reads);
	ck_assert(!device_written(&f, 0x100, 0xf00));
	ck_assert_uint_eq(f.cfg.nr_hidden_ext, 2);
	ck_assert_uint_eq(f.cfg.hidden_ext[0].id, PCI_EXT_CAP_ID_ERR);
	ck_assert_uint_eq(f.cfg.hidden_ext[1].id, PCI_EXT_CAP_ID_DSN);
	ck_assert_uint_eq(f.cfg.hidden_ext[1].offset, 0x140);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_pm_emulated)
{
	struct vfio_pci_device_info info = e1000e_info();
	struct fake f;

	fake_setup(&f, &info);
	/* No PME reaches the guest: PME support is not shown. */
	ck_assert_uint_eq(guest_read(&f, 0xc8 + PCI_PM_PMC, 2), 0x0022);
	ck_assert_uint_eq(guest_read(&f, 0xc8 + PCI_PM_CTRL, 2), PCI_PM_CTRL_NO_SOFT_RESET);
	/* D3hot is the guest's to see; the device stays in D0. */
	guest_write(&f, 0xc8 + PCI_PM_CTRL, 2, 3 | PCI_PM_CTRL_PME_ENABLE);
	ck_assert_uint_eq(guest_read(&f, 0xc8 + PCI_PM_CTRL, 2), 3 | PCI_PM_CTRL_NO_SOFT_RESET);
	ck_assert(!device_written(&f, 0xc8, PCI_PM_SIZEOF));
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_pcie_and_vendor_pass_through)
{
	struct vfio_pci_device_info info = e1000e_info();
	unsigned int writes;
	struct fake f;

	fake_setup(&f, &info);
	ck_assert_uint_eq(guest_read(&f, 0xe0 + PCI_EXP_FLAGS, 2), 0x0001);
	ck_assert_uint_eq(guest_read(&f, 0xe0 + PCI_EXP_DEVCTL, 2), 0x2810);
	/* Live: what the device says now. */
	f.config[0xe0 + PCI_EXP_LNKSTA] = 0x12;
	ck_assert_uint_eq(guest_read(&f, 0xe0 + PCI_EXP_LNKSTA, 2), 0x1012);

	/* Device control reaches the device; the link is the host's. */
	writes = f.nr_writes;
	guest_write(&f, 0xe0 + PCI_EXP_DEVCTL, 2, 0x2830);
	ck_assert_uint_eq(f.nr_writes, writes + 1);
	ck_assert_uint_eq(f.writes[writes].offset, 0xe0 + PCI_EXP_DEVCTL);
	ck_assert_uint_eq(le(f.config + 0xe0 + PCI_EXP_DEVCTL, 2), 0x2830);
	guest_write(&f, 0xe0 + PCI_EXP_LNKCTL, 2, PCI_EXP_LNKCTL_LD);
	ck_assert_uint_eq(f.nr_writes, writes + 1);
	ck_assert_uint_eq(guest_read(&f, 0xe0 + PCI_EXP_LNKCTL, 2), 0x0040);

	/* Device status errors: cleared by the guest's 1s only. */
	f.w1c[0xe0 + PCI_EXP_DEVSTA] = DEVSTA_ERRORS;
	f.config[0xe0 + PCI_EXP_DEVSTA] |= PCI_EXP_DEVSTA_CED;
	guest_write(&f, 0xe0 + PCI_EXP_DEVCTL, 4, 0x00002810);
	ck_assert_uint_eq(le(f.config + 0xe0 + PCI_EXP_DEVCTL, 4), 0x00112810);
	guest_write(&f, 0xe0 + PCI_EXP_DEVSTA, 2, PCI_EXP_DEVSTA_CED);
	ck_assert_uint_eq(guest_read(&f, 0xe0 + PCI_EXP_DEVSTA, 2), 0x0010);

	/* Vendor-specific: the device's, all but ID, next and length. */
	ck_assert_uint_eq(guest_read(&f, 0xbc, 4), 0x0000a55a);
	guest_write(&f, 0xbc, 4, 0x12345678);
	ck_assert_uint_eq(le(f.config + 0xbc, 4), 0x12345678);
	ck_assert_uint_eq(guest_read(&f, 0xbc, 4), 0x12345678);
	writes = f.nr_writes;
	guest_write(&f, 0xb8, 4, 0x77ffffff);
	ck_assert_uint_eq(f.nr_writes, writes + 1);
	ck_assert_uint_eq(f.writes[writes].offset, 0xbb);
	ck_assert_uint_eq(f.writes[writes].size, 1);
	ck_assert_uint_eq(le(f.config + 0xb8, 4), 0x77080009);
	/* The guest's list is ours: the next pointer stays 0. */
	ck_assert_uint_eq(guest_read(&f, 0xb8, 4), 0x77080009);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_msix_location)
{
	struct vfio_pci_device_info info = e1000e_info();
	struct vfio_pci_bar_range r[2];
	struct vfio_pci_msix_info m;
	uint8_t entry[4] = { 0x00, 0x10, 0xe0, 0xfe };
	uint64_t addr;
	uint32_t data;
	bool masked;
	struct fake f;

	fake_setup(&f, &info);
	ck_assert(vfio_pci_config_msix(&f.cfg, &m));
	ck_assert_uint_eq(m.bar, 3);
	ck_assert_uint_eq(m.vectors, 5);
	ck_assert_uint_eq(m.table_offset, 0);
	ck_assert_uint_eq(m.table_size, 5 * 16);
	ck_assert_uint_eq(m.pba_offset, 0x2000);
	ck_assert_uint_eq(m.pba_size, 8);

	/* 4K pages: the table's and the PBA's; the pages between may be mmapped. */
	ck_assert_uint_eq(vfio_pci_config_msix_traps(&f.cfg, 4096, r), 2);
	ck_assert_uint_eq(r[0].offset, 0);
	ck_assert_uint_eq(r[0].size, 4096);
	ck_assert_uint_eq(r[1].offset, 0x2000);
	ck_assert_uint_eq(r[1].size, 4096);
	/* 64K pages: one range, clipped to the 16K BAR. */
	ck_assert_uint_eq(vfio_pci_config_msix_traps(&f.cfg, 65536, r), 1);
	ck_assert_uint_eq(r[0].offset, 0);
	ck_assert_uint_eq(r[0].size, 16 << 10);
	ck_assert_uint_eq(vfio_pci_config_msix_traps(&f.cfg, 0, r), 0);
	ck_assert_uint_eq(vfio_pci_config_msix_traps(&f.cfg, 3000, r), 0);

	/* The capability as the guest reads it, and its control emulated. */
	ck_assert_uint_eq(guest_read(&f, 0xa0 + PCI_MSIX_FLAGS, 2), 4);
	ck_assert_uint_eq(guest_read(&f, 0xa0 + PCI_MSIX_TABLE, 4), 0x3);
	ck_assert_uint_eq(guest_read(&f, 0xa0 + PCI_MSIX_PBA, 4), 0x2003);
	guest_write(&f, 0xa0 + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE | 0x7ff);
	ck_assert_uint_eq(guest_read(&f, 0xa0 + PCI_MSIX_FLAGS, 2), PCI_MSIX_FLAGS_ENABLE | 4);
	ck_assert_uint_eq(f.nr_msix_updates, 1);
	ck_assert_int_eq(f.msix_updates[0], -1);
	ck_assert(!device_written(&f, 0xa0, PCI_CAP_MSIX_SIZEOF));

	/* The table is pci.c's: an entry written through the trapped page. */
	ck_assert(pci_msix_access(&f.cfg.pci, 3, PCI_MSIX_ENTRY_LOWER_ADDR, entry, 4, true));
	ck_assert(pci_msix_message(&f.cfg.pci, 0, &addr, &data, &masked));
	ck_assert_uint_eq(addr, 0xfee01000);
	ck_assert(masked);
	ck_assert_uint_eq(f.nr_msix_updates, 2);
	ck_assert_int_eq(f.msix_updates[1], 0);
	ck_assert(!pci_msix_access(&f.cfg.pci, 3, 0x1000, entry, 4, false));
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_msix_traps_layouts)
{
	static uint8_t config[4096];
	struct vfio_pci_device_info info = e1000e_info();
	struct vfio_pci_bar_range r[2];
	struct fake f;

	/* PBA in the table's page: one page. */
	memcpy(config, e1000e_config, sizeof(config));
	config[0xa8] = 0x03;
	config[0xa9] = 0x08;
	info.config = config;
	fake_setup(&f, &info);
	ck_assert_uint_eq(vfio_pci_config_msix_traps(&f.cfg, 4096, r), 1);
	ck_assert_uint_eq(r[0].offset, 0);
	ck_assert_uint_eq(r[0].size, 4096);
	vfio_pci_config_destroy(&f.cfg);

	/* PBA first, table in the next page: touching pages merge. */
	config[0xa4] = 0x03;
	config[0xa5] = 0x10;
	config[0xa8] = 0x03;
	config[0xa9] = 0x00;
	fake_setup(&f, &info);
	ck_assert_uint_eq(vfio_pci_config_msix_traps(&f.cfg, 4096, r), 1);
	ck_assert_uint_eq(r[0].offset, 0);
	ck_assert_uint_eq(r[0].size, 0x2000);
	vfio_pci_config_destroy(&f.cfg);

	/* Table at the end, PBA at the start: two ranges, in BAR order. */
	config[0xa5] = 0x30;
	fake_setup(&f, &info);
	ck_assert_uint_eq(vfio_pci_config_msix_traps(&f.cfg, 4096, r), 2);
	ck_assert_uint_eq(r[0].offset, 0);
	ck_assert_uint_eq(r[1].offset, 0x3000);
	ck_assert_uint_eq(r[1].size, 0x1000);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_msi_writes_captured)
{
	struct vfio_pci_device_info info = e1000e_info();
	struct vfio_pci_msi msi;
	struct fake f;

	fake_setup(&f, &info);
	ck_assert(vfio_pci_config_msi(&f.cfg, &msi));
	ck_assert(!msi.enabled);
	ck_assert(!msi.maskable);
	ck_assert_uint_eq(msi.vectors, 1);

	guest_write(&f, 0xd0 + PCI_MSI_ADDRESS_LO, 4, 0xfee01003);
	ck_assert_uint_eq(f.msi_updates, 1);
	guest_write(&f, 0xd0 + PCI_MSI_ADDRESS_HI, 4, 0);	/* no change */
	ck_assert_uint_eq(f.msi_updates, 1);
	guest_write(&f, 0xd0 + PCI_MSI_DATA_64, 4, 0xffff4041);
	ck_assert_uint_eq(f.msi_updates, 2);
	/* Enable, asking for 128 vectors: it gets the one it has. */
	guest_write(&f, 0xd0 + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	ck_assert_uint_eq(f.msi_updates, 3);

	ck_assert(vfio_pci_config_msi(&f.cfg, &msi));
	ck_assert(msi.enabled);
	ck_assert_uint_eq(msi.vectors, 1);
	ck_assert_uint_eq(msi.addr, 0xfee01000);
	ck_assert_uint_eq(msi.data, 0x4041);
	ck_assert_uint_eq(guest_read(&f, 0xd0 + PCI_MSI_ADDRESS_LO, 4), 0xfee01000);
	ck_assert_uint_eq(guest_read(&f, 0xd0 + PCI_MSI_DATA_64, 4), 0x4041);
	ck_assert_uint_eq(guest_read(&f, 0xd0 + PCI_MSI_FLAGS, 2),
			  PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_QSIZE | PCI_MSI_FLAGS_ENABLE);
	/* None of it went to the device: VFIO_DEVICE_SET_IRQS programs it. */
	ck_assert(!device_written(&f, 0xd0, 14));

	ck_assert(vfio_pci_config_msi_signal(&f.cfg, 0));
	ck_assert(!vfio_pci_config_msi_signal(&f.cfg, 1));
	guest_write(&f, 0xd0 + PCI_MSI_ADDRESS_HI, 4, 0x1);
	ck_assert_uint_eq(f.msi_updates, 4);
	ck_assert(vfio_pci_config_msi(&f.cfg, &msi));
	ck_assert_uint_eq(msi.addr, 0x1fee01000ULL);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_msi_mask_and_pending)
{
	struct vfio_pci_device_info info = accel_info();
	struct vfio_pci_msi msi;
	struct fake f;

	/* 32-bit MSI at 0x58: mask at 0x64, pending at 0x68. */
	fake_setup(&f, &info);
	guest_write(&f, 0x58 + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE | 3 << 4);
	ck_assert(vfio_pci_config_msi(&f.cfg, &msi));
	ck_assert(msi.enabled && msi.maskable);
	ck_assert_uint_eq(msi.vectors, 8);
	guest_write(&f, 0x58 + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE | 5 << 4);
	ck_assert(vfio_pci_config_msi(&f.cfg, &msi));
	ck_assert_uint_eq(msi.vectors, 8);

	/* Only the 8 vectors' mask bits exist. */
	guest_write(&f, 0x58 + PCI_MSI_MASK_32, 4, 0xffffffff);
	ck_assert_uint_eq(guest_read(&f, 0x58 + PCI_MSI_MASK_32, 4), 0xff);
	guest_write(&f, 0x58 + PCI_MSI_MASK_32, 4, 1U << 2);
	ck_assert(vfio_pci_config_msi(&f.cfg, &msi));
	ck_assert_uint_eq(msi.mask, 1U << 2);

	/* A masked vector is held pending, and the guest can see it. */
	ck_assert(!vfio_pci_config_msi_signal(&f.cfg, 2));
	ck_assert(vfio_pci_config_msi_signal(&f.cfg, 3));
	ck_assert_uint_eq(guest_read(&f, 0x58 + PCI_MSI_PENDING_32, 4), 1U << 2);
	guest_write(&f, 0x58 + PCI_MSI_PENDING_32, 4, 0);	/* read-only */
	ck_assert_uint_eq(guest_read(&f, 0x58 + PCI_MSI_PENDING_32, 4), 1U << 2);
	ck_assert(!vfio_pci_config_msi_take_pending(&f.cfg, 2));

	/* The unmask is reported; then the pending one is delivered, once. */
	f.msi_updates = 0;
	guest_write(&f, 0x58 + PCI_MSI_MASK_32, 4, 0);
	ck_assert_uint_eq(f.msi_updates, 1);
	ck_assert(vfio_pci_config_msi_take_pending(&f.cfg, 2));
	ck_assert(!vfio_pci_config_msi_take_pending(&f.cfg, 2));
	ck_assert_uint_eq(guest_read(&f, 0x58 + PCI_MSI_PENDING_32, 4), 0);

	ck_assert(!vfio_pci_config_msi_signal(&f.cfg, 8));
	guest_write(&f, 0x58 + PCI_MSI_FLAGS, 2, 0);
	ck_assert(!vfio_pci_config_msi_signal(&f.cfg, 0));
	ck_assert(!device_written(&f, 0x58, 0x14));
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_placed_by_pci_host)
{
	struct vfio_pci_device_info info = accel_info();
	struct pci_host host;
	struct vm_plan plan;
	struct plan_region r[] = {
		{ .start = 0, .size = 0x80000000ULL, .kind = PLAN_RAM, .name = "ram" },
		{ .start = 0xb0000000ULL, .size = 0x1000000, .kind = PLAN_DEVICE,
		  .name = "pci-ecam" },
		{ .start = 0xc0000000ULL, .size = 0x10000000, .kind = PLAN_MMIO_WINDOW,
		  .name = "pci-mmio32" },
		{ .start = 0x800000000ULL, .size = 0x40000000, .kind = PLAN_MMIO_WINDOW,
		  .name = "pci-mmio64" },
	};
	struct fake f;

	memplan_init(&plan);
	for (unsigned int i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		ck_assert_int_eq(memplan_add_region(&plan, &r[i]), 0);
	memplan_sort(&plan);
	ck_assert_int_eq(pci_host_init(&host, &plan, 0xc000, 0x4000), 0);
	memplan_free(&plan);

	fake_setup(&f, &info);
	ck_assert_int_eq(pci_host_add(&host, &f.cfg.pci), 0);
	ck_assert_uint_eq(f.cfg.pci.bars[0].addr, 0x800000000ULL);
	ck_assert(f.cfg.pci.bars[3].addr >= 0xc0000000ULL &&
		  f.cfg.pci.bars[3].addr < 0xd0000000ULL);
	ck_assert(f.cfg.pci.bars[4].addr >= 0xc0000000ULL &&
		  f.cfg.pci.bars[4].addr % 4096 == 0);
	ck_assert(f.cfg.pci.bars[2].addr >= 0xc000 && f.cfg.pci.bars[2].addr < 0x10000);
	/* "As firmware would": decode for the guest, bus mastering for the device. */
	ck_assert_uint_eq(guest_read(&f, PCI_COMMAND, 2),
			  PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ck_assert_uint_eq(le(f.config + PCI_COMMAND, 2),
			  PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ck_assert(!device_written(&f, PCI_BASE_ADDRESS_0, 6 * 4));
	pci_host_destroy(&host);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_cap_loop)
{
	struct vfio_pci_device_info info = accel_info();
	unsigned int at[48], id[48];
	struct fake f;

	fake_setup(&f, &info);
	ck_assert(f.cfg.cap_list_looped);
	ck_assert_uint_eq(guest_caps(&f, at, id), 3);
	ck_assert_uint_eq(at[0], 0x40);
	ck_assert_uint_eq(id[0], PCI_CAP_ID_PM);
	ck_assert_uint_eq(at[1], 0x48);
	ck_assert_uint_eq(id[1], PCI_CAP_ID_VNDR);
	ck_assert_uint_eq(at[2], 0x58);
	ck_assert_uint_eq(id[2], PCI_CAP_ID_MSI);
	ck_assert_uint_eq(f.cfg.nr_hidden, 1);
	ck_assert_uint_eq(f.cfg.hidden[0].id, PCI_CAP_ID_AGP);
	ck_assert_uint_eq(guest_read(&f, 0x70, 4), 0);
	ck_assert_uint_eq(guest_read(&f, 0x4c, 4), 0x44332211);
	ck_assert_uint_eq(f.cfg.nr_hidden_ext, 0);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_bad_pointer_and_hostile_lengths)
{
	struct vfio_pci_device_info info = {
		.name = "0000:00:05.0", .config = hostile_config,
		.config_size = sizeof(hostile_config),
		.bars = { [0] = { .size = 1 << 20 } },
	};
	struct vfio_pci_msi msi;
	struct vfio_pci_msix_info m;
	unsigned int at[48], id[48];
	struct fake f;

	fake_setup(&f, &info);
	ck_assert(f.cfg.cap_list_bad_pointer);
	ck_assert_uint_eq(guest_caps(&f, at, id), 2);
	ck_assert_uint_eq(at[0], 0xe8);
	ck_assert_uint_eq(id[0], PCI_CAP_ID_VNDR);
	ck_assert_uint_eq(at[1], 0x50);
	ck_assert_uint_eq(id[1], PCI_CAP_ID_EXP);
	/* The vendor-specific one is clipped to the 256 bytes, PCIe v2 is whole. */
	ck_assert_uint_eq(f.cfg.kept[0].len, 0x18);
	ck_assert_uint_eq(f.cfg.kept[1].len, 0x3c);
	/* MSI inside the PCIe capability is not believed. */
	ck_assert_uint_eq(f.cfg.nr_hidden, 1);
	ck_assert_uint_eq(f.cfg.hidden[0].id, PCI_CAP_ID_MSI);
	ck_assert(!vfio_pci_config_msi(&f.cfg, &msi));
	ck_assert(!vfio_pci_config_msix(&f.cfg, &m));
	/* The clipped capability's last dword is still the device's. */
	guest_write(&f, 0xfc, 4, 0x5a5a5a5a);
	ck_assert_uint_eq(le(f.config + 0xfc, 4), 0x5a5a5a5a);
	ck_assert_uint_eq(guest_read(&f, 0xfc, 4), 0x5a5a5a5a);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_no_cap_list)
{
	static uint8_t config[4096];
	struct vfio_pci_device_info info = e1000e_info();
	struct vfio_pci_msix_info m;
	struct fake f;

	/* Without the status bit the pointer means nothing. */
	memcpy(config, e1000e_config, sizeof(config));
	config[PCI_STATUS] &= ~PCI_STATUS_CAP_LIST;
	info.config = config;
	fake_setup(&f, &info);
	ck_assert_uint_eq(f.cfg.nr_kept, 0);
	ck_assert_uint_eq(guest_read(&f, PCI_STATUS, 2), 0);
	ck_assert_uint_eq(guest_read(&f, PCI_CAPABILITY_LIST, 1), 0);
	ck_assert_uint_eq(guest_read(&f, 0xc8, 4), 0);
	ck_assert(!vfio_pci_config_msix(&f.cfg, &m));
	vfio_pci_config_destroy(&f.cfg);

	/* A list of hidden ones only: the guest sees no list, whatever the device says. */
	config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	config[PCI_CAPABILITY_LIST] = 0xb0;
	config[0xb0 + PCI_CAP_LIST_NEXT] = 0;
	fake_setup(&f, &info);
	ck_assert_uint_eq(f.cfg.nr_hidden, 1);
	ck_assert_uint_eq(guest_read(&f, PCI_STATUS, 2), 0);
	ck_assert_uint_eq(guest_read(&f, PCI_CAPABILITY_LIST, 1), 0);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_hostile_guest_accesses)
{
	struct vfio_pci_device_info info = e1000e_info();
	unsigned int reads, writes;
	struct vfio_pci_msi msi;
	uint8_t big[8];
	struct fake f;

	fake_setup(&f, &info);
	reads = f.nr_reads;
	writes = f.nr_writes;
	/* Odd sizes, misaligned, past 4 KiB: all-ones, nothing reaches the device. */
	ck_assert_uint_eq(guest_read(&f, PCI_COMMAND, 3), 0xffffff);
	ck_assert_uint_eq(guest_read(&f, PCI_COMMAND + 1, 2), 0xffff);
	ck_assert_uint_eq(guest_read(&f, PCI_CACHE_LINE_SIZE + 2, 4), 0xffffffff);
	ck_assert_uint_eq(guest_read(&f, 0x1000, 4), 0xffffffff);
	ck_assert_uint_eq(guest_read(&f, 0xffe, 4), 0xffffffff);
	ck_assert_uint_eq(guest_read(&f, 0xffffffff, 1), 0xff);
	memset(big, 0, sizeof(big));
	pci_config_read(&f.cfg.pci, PCI_BASE_ADDRESS_0, big, 8);
	ck_assert_uint_eq(le(big, 4), 0xffffffff);
	guest_write(&f, PCI_COMMAND, 3, 0xffffff);
	guest_write(&f, PCI_COMMAND + 1, 2, 0xffff);
	guest_write(&f, 0xd0 + PCI_MSI_ADDRESS_LO + 1, 4, 0xffffffff);
	guest_write(&f, 0x1000, 4, 0xffffffff);
	guest_write(&f, 0xfffffffc, 4, 0xffffffff);
	memset(big, 0xff, sizeof(big));
	pci_config_write(&f.cfg.pci, PCI_BASE_ADDRESS_0, big, 8);
	pci_config_write(&f.cfg.pci, PCI_CACHE_LINE_SIZE, big, 0);
	ck_assert_uint_eq(f.nr_reads, reads);
	ck_assert_uint_eq(f.nr_writes, writes);
	ck_assert_uint_eq(guest_read(&f, PCI_COMMAND, 2), 0);
	ck_assert_uint_eq(guest_read(&f, PCI_BASE_ADDRESS_0, 4), 0);
	ck_assert_uint_eq(f.msi_updates, 0);
	/* The last dword is there (ECAM reaches it) and hidden. */
	guest_write(&f, 0xffc, 4, 0xffffffff);
	ck_assert_uint_eq(guest_read(&f, 0xffc, 4), 0);

	/* Every byte read, then all-ones into every dword of the 256. */
	for (unsigned int at = 0; at < 4096; at++)
		(void)guest_read(&f, at, 1);
	for (unsigned int at = 0; at < 256; at += 4)
		guest_write(&f, at, 4, 0xffffffff);
	/* The device saw none of its BARs, ROM, MSI, MSI-X, PM, link control. */
	ck_assert(!device_written(&f, PCI_BASE_ADDRESS_0,
				  PCI_ROM_ADDRESS + 4 - PCI_BASE_ADDRESS_0));
	ck_assert(!device_written(&f, 0xa0, PCI_CAP_MSIX_SIZEOF));
	ck_assert(!device_written(&f, 0xc8, PCI_PM_SIZEOF + 14));
	ck_assert(!device_written(&f, 0xe0 + PCI_EXP_LNKCTL, 2));
	ck_assert(!memcmp(f.config + PCI_BASE_ADDRESS_0, e1000e_config + PCI_BASE_ADDRESS_0, 28));
	/* It still decodes; it got bus master, as the guest asked. */
	ck_assert_uint_eq(le(f.config + PCI_COMMAND, 2) & 7, 7);
	/* The guest's list is intact. */
	ck_assert_uint_eq(guest_read(&f, PCI_CAPABILITY_LIST, 1), 0xc8);
	ck_assert_uint_eq(guest_read(&f, 0xc8 + PCI_CAP_LIST_NEXT, 1), 0xd0);
	ck_assert(vfio_pci_config_msi(&f.cfg, &msi));
	ck_assert(msi.enabled);
	ck_assert_uint_eq(msi.addr, 0xfffffffffffffffcULL);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

START_TEST(test_device_errors)
{
	struct vfio_pci_device_info info = e1000e_info();
	unsigned int writes;
	struct fake f;

	fake_setup(&f, &info);
	f.fail_reads = true;
	writes = f.nr_writes;
	/* A device that stops answering reads as missing, where it is read. */
	ck_assert_uint_eq(guest_read(&f, PCI_CACHE_LINE_SIZE, 1), 0xff);
	ck_assert_uint_eq(guest_read(&f, PCI_VENDOR_ID, 4), 0x10d38086);
	ck_assert_uint_eq(f.cfg.device_errors, 1);
	/* A write that must merge with what it cannot read is dropped. */
	guest_write(&f, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	ck_assert_uint_eq(f.nr_writes, writes);
	ck_assert_uint_eq(f.cfg.device_errors, 2);
	ck_assert_uint_eq(guest_read(&f, PCI_COMMAND, 2), PCI_COMMAND_MASTER | 0xfbf8);
	vfio_pci_config_destroy(&f.cfg);
}
END_TEST

/* Init refuses, with the device's address first in the message. */
static void expect_refused(const struct vfio_pci_device_info *info, int want,
			   const char *needle)
{
	struct vfio_error err = { "" };
	struct fake f;
	int ret = fake_start(&f, info, &err);

	ck_assert_msg(ret == want, "got %d (%s), want %d", ret, err.msg, want);
	ck_assert_msg(has_prefix(err.msg, info->name), "message: %s", err.msg);
	ck_assert_msg(strstr(err.msg, needle), "message: %s", err.msg);
}

START_TEST(test_init_refuses)
{
	static uint8_t config[4096];
	struct vfio_pci_device_info info = e1000e_info();
	struct vfio_error err = { "" };
	struct fake f;

	info.config = config;
	memcpy(config, e1000e_config, sizeof(config));
	config[PCI_HEADER_TYPE] = 0x81;
	expect_refused(&info, -EINVAL, "header type 1: only type-0");

	memcpy(config, e1000e_config, sizeof(config));
	memset(config, 0xff, 4);
	expect_refused(&info, -EINVAL, "all-ones");

	memcpy(config, e1000e_config, sizeof(config));
	info.config_size = 128;
	expect_refused(&info, -EINVAL, "128 bytes");
	info.config_size = sizeof(config);

	config[0xa8] = 0x04;
	expect_refused(&info, -EOPNOTSUPP, "MSI-X table in BAR 3 and PBA in BAR 4");
	config[0xa4] = 0x02;
	config[0xa8] = 0x02;
	expect_refused(&info, -EINVAL, "MSI-X table in BAR 2, which is not a memory BAR");
	config[0xa4] = 0x03;
	config[0xa5] = 0x80;
	config[0xa8] = 0x03;
	expect_refused(&info, -EINVAL, "do not fit");

	info = e1000e_info();
	info.bars[5] = (struct vfio_pci_bar_info) { .size = 4096, .flags = PCI_BAR_MEM64 };
	expect_refused(&info, -EINVAL, "BAR 5 (64-bit memory, 0x1000 bytes)");
	info = e1000e_info();
	info.bars[2].size = 512;
	expect_refused(&info, -EINVAL, "BAR 2 (I/O, 0x200 bytes)");
	info = e1000e_info();
	info.bars[0].flags = PCI_BAR_MEM64;
	expect_refused(&info, -EINVAL, "BAR 1 has a size but is the upper half");

	/* The device stops answering before it is started. */
	info = e1000e_info();
	memset(&f, 0, sizeof(f));
	f.fail_reads = true;
	memcpy(f.config, e1000e_config, sizeof(e1000e_config));
	ck_assert_int_eq(vfio_pci_config_init(&f.cfg, &info, &fake_ops, NULL, &f, &err), -EIO);
	ck_assert(strstr(err.msg, "0000:00:03.0: reading the command register"));
	ck_assert_int_eq(vfio_pci_config_init(&f.cfg, &info, NULL, NULL, &f, &err), -EINVAL);
}
END_TEST

Suite *vfio_pci_config_suite(void)
{
	Suite *s = suite_create("vfio_pci_config");
	TCase *tc = tcase_create("header");

	tcase_add_test(tc, test_header_fields);
	tcase_add_test(tc, test_rom_hidden);
	tcase_add_test(tc, test_bar_sizing_32bit_and_io);
	tcase_add_test(tc, test_bar_sizing_64bit_and_prefetchable);
	tcase_add_test(tc, test_io_bars_hidden_without_port_window);
	tcase_add_test(tc, test_bar_flags_from_config);
	tcase_add_test(tc, test_command_register);
	tcase_add_test(tc, test_status_w1c);
	tcase_add_test(tc, test_placed_by_pci_host);
	suite_add_tcase(s, tc);

	tc = tcase_create("capabilities");
	tcase_add_test(tc, test_caps_filtered);
	tcase_add_test(tc, test_pm_emulated);
	tcase_add_test(tc, test_pcie_and_vendor_pass_through);
	tcase_add_test(tc, test_msix_location);
	tcase_add_test(tc, test_msix_traps_layouts);
	tcase_add_test(tc, test_msi_writes_captured);
	tcase_add_test(tc, test_msi_mask_and_pending);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_test(tc, test_cap_loop);
	tcase_add_test(tc, test_bad_pointer_and_hostile_lengths);
	tcase_add_test(tc, test_no_cap_list);
	tcase_add_test(tc, test_hostile_guest_accesses);
	tcase_add_test(tc, test_device_errors);
	tcase_add_test(tc, test_init_refuses);
	suite_add_tcase(s, tc);
	return s;
}
