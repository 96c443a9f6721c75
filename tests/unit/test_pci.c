// SPDX-License-Identifier: GPL-2.0
/*
 * devices/pci: the type-0 header, BAR sizing, decode reports, the
 * capability list, MSI-X, and hostile config accesses.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <stdint.h>
#include <string.h>

#include "devices/pci.h"
#include "tests/unit/suites.h"

#define MAX_EVENTS	16

struct remap_event {
	unsigned int bar;
	uint64_t addr;
	bool enabled;
};

struct recorder {
	struct remap_event remaps[MAX_EVENTS];
	unsigned int nr_remaps;
	int updates[MAX_EVENTS];
	unsigned int nr_updates;
	/* Filled inside msix_update: the lock is held there and recursive. */
	bool took_pending[MAX_EVENTS];
	int take_vector;
	/* INTx line changes, in order. */
	bool intx[MAX_EVENTS];
	unsigned int nr_intx;
};

static void rec_bar_remap(struct pci_device *dev, unsigned int bar, uint64_t addr,
			  bool enabled)
{
	struct recorder *rec = dev->opaque;

	ck_assert_uint_lt(rec->nr_remaps, MAX_EVENTS);
	rec->remaps[rec->nr_remaps++] = (struct remap_event) { bar, addr, enabled };
}

static void rec_msix_update(struct pci_device *dev, int vector)
{
	struct recorder *rec = dev->opaque;

	ck_assert_uint_lt(rec->nr_updates, MAX_EVENTS);
	rec->took_pending[rec->nr_updates] =
		rec->take_vector >= 0 && pci_msix_take_pending(dev, rec->take_vector);
	rec->updates[rec->nr_updates++] = vector;
}

static void rec_intx_update(struct pci_device *dev, bool asserted)
{
	struct recorder *rec = dev->opaque;

	ck_assert_uint_lt(rec->nr_intx, MAX_EVENTS);
	rec->intx[rec->nr_intx++] = asserted;
}

static const struct pci_device_ops rec_ops = {
	.bar_remap = rec_bar_remap,
	.msix_update = rec_msix_update,
	.intx_update = rec_intx_update,
};

static void dev_setup(struct pci_device *dev, struct recorder *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->take_vector = -1;
	ck_assert_int_eq(pci_device_init(dev, "test", 0x1af4, 0x1041, 0x020000, 1,
					 0x1af4, 0x0001), 0);
	dev->ops = &rec_ops;
	dev->opaque = rec;
}

static uint32_t cfg_read(struct pci_device *dev, unsigned int offset, unsigned int size)
{
	uint8_t b[4] = { 0 };
	uint32_t v = 0;

	pci_config_read(dev, offset, b, size);
	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

static void cfg_write(struct pci_device *dev, unsigned int offset, unsigned int size,
		      uint32_t v)
{
	uint8_t b[4];

	for (unsigned int i = 0; i < 4; i++)
		b[i] = v >> (8 * i);
	pci_config_write(dev, offset, b, size);
}

static uint64_t msix_read(struct pci_device *dev, uint64_t offset, unsigned int size)
{
	uint8_t b[8] = { 0 };
	uint64_t v = 0;

	ck_assert(pci_msix_access(dev, 0, offset, b, size, false));
	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static void msix_write(struct pci_device *dev, uint64_t offset, unsigned int size,
		       uint64_t v)
{
	uint8_t b[8];

	for (unsigned int i = 0; i < 8; i++)
		b[i] = v >> (8 * i);
	ck_assert(pci_msix_access(dev, 0, offset, b, size, true));
}

START_TEST(test_header_fields)
{
	struct pci_device dev;
	struct recorder rec;

	dev_setup(&dev, &rec);
	ck_assert_uint_eq(cfg_read(&dev, PCI_VENDOR_ID, 2), 0x1af4);
	ck_assert_uint_eq(cfg_read(&dev, PCI_DEVICE_ID, 2), 0x1041);
	ck_assert_uint_eq(cfg_read(&dev, PCI_CLASS_REVISION, 4), 0x02000001);
	ck_assert_uint_eq(cfg_read(&dev, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
	ck_assert_uint_eq(cfg_read(&dev, PCI_SUBSYSTEM_ID, 2), 0x0001);
	ck_assert_uint_eq(cfg_read(&dev, PCI_HEADER_TYPE, 1), 0);
	ck_assert_uint_eq(cfg_read(&dev, PCI_STATUS, 2), 0);
	ck_assert_uint_eq(cfg_read(&dev, PCI_CAPABILITY_LIST, 1), 0);
	ck_assert_uint_eq(cfg_read(&dev, PCI_INTERRUPT_PIN, 1), 0);

	/* Read-only fields stay; the interrupt line is the guest's. */
	cfg_write(&dev, PCI_VENDOR_ID, 4, 0x12345678);
	cfg_write(&dev, PCI_CLASS_REVISION, 4, 0xffffffff);
	cfg_write(&dev, PCI_HEADER_TYPE, 1, 0x80);
	cfg_write(&dev, PCI_INTERRUPT_LINE, 2, 0xff0b);
	ck_assert_uint_eq(cfg_read(&dev, PCI_VENDOR_ID, 4), 0x10411af4);
	ck_assert_uint_eq(cfg_read(&dev, PCI_CLASS_REVISION, 4), 0x02000001);
	ck_assert_uint_eq(cfg_read(&dev, PCI_HEADER_TYPE, 1), 0);
	ck_assert_uint_eq(cfg_read(&dev, PCI_INTERRUPT_LINE, 1), 0x0b);
	ck_assert_uint_eq(cfg_read(&dev, PCI_INTERRUPT_PIN, 1), 0);

	/* No expansion ROM: sizing it reads 0. */
	cfg_write(&dev, PCI_ROM_ADDRESS, 4, 0xffffffff);
	ck_assert_uint_eq(cfg_read(&dev, PCI_ROM_ADDRESS, 4), 0);
	/* Extended config space is there (ECAM) and empty. */
	ck_assert_uint_eq(cfg_read(&dev, 0x100, 4), 0);
	ck_assert_uint_eq(cfg_read(&dev, 0xffc, 4), 0);
	pci_device_destroy(&dev);
}
END_TEST

START_TEST(test_bar32_sizing)
{
	struct pci_device dev;
	struct recorder rec;

	dev_setup(&dev, &rec);
	ck_assert_int_eq(pci_device_add_bar(&dev, 0, 0x1000, 0), 0);
	ck_assert_int_eq(pci_device_add_bar(&dev, 1, 16, PCI_BAR_PREFETCH), 0);
	pci_device_set_bar_addr(&dev, 0, 0xc1000000);
	pci_device_set_bar_addr(&dev, 1, 0xc1001010);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_0, 4), 0xc1000000);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_1, 4), 0xc1001018);

	cfg_write(&dev, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_0, 4), 0xfffff000);
	cfg_write(&dev, PCI_BASE_ADDRESS_0, 4, 0xc1000000);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_0, 4), 0xc1000000);

	cfg_write(&dev, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_1, 4), 0xfffffff8);
	cfg_write(&dev, PCI_BASE_ADDRESS_1, 4, 0xc1001010);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_1, 4), 0xc1001018);

	/* Unused BARs read 0 and stay 0. */
	for (unsigned int bar = 2; bar < PCI_NR_BARS; bar++) {
		cfg_write(&dev, PCI_BASE_ADDRESS_0 + 4 * bar, 4, 0xffffffff);
		ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_0 + 4 * bar, 4), 0);
	}
	ck_assert_uint_eq(rec.nr_remaps, 0);	/* decoding was off throughout */
	pci_device_destroy(&dev);
}
END_TEST

START_TEST(test_bar64_sizing)
{
	struct pci_device dev;
	struct recorder rec;
	uint64_t addr;

	dev_setup(&dev, &rec);
	ck_assert_int_eq(pci_device_add_bar(&dev, 2, 0x4000,
					    PCI_BAR_MEM64 | PCI_BAR_PREFETCH), 0);
	ck_assert_int_eq(pci_device_add_bar(&dev, 4, 8ULL << 30, PCI_BAR_MEM64), 0);
	pci_device_set_bar_addr(&dev, 2, 0x812345c000ULL);
	pci_device_set_bar_addr(&dev, 4, 0x1000000000ULL);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_2, 4), 0x2345c00c);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_3, 4), 0x81);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_4, 4), 0x00000004);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_5, 4), 0x10);

	/* Linux's order: low half, then high half, each restored. */
	cfg_write(&dev, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_2, 4), 0xffffc00c);
	cfg_write(&dev, PCI_BASE_ADDRESS_2, 4, 0x2345c00c);
	cfg_write(&dev, PCI_BASE_ADDRESS_3, 4, 0xffffffff);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_3, 4), 0xffffffff);
	cfg_write(&dev, PCI_BASE_ADDRESS_3, 4, 0x81);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_2, 4), 0x2345c00c);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_3, 4), 0x81);

	/* 8 GiB: no address bits in the low half; the high half says 2^33. */
	cfg_write(&dev, PCI_BASE_ADDRESS_4, 4, 0xffffffff);
	cfg_write(&dev, PCI_BASE_ADDRESS_5, 4, 0xffffffff);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_4, 4), 0x00000004);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_5, 4), 0xfffffffe);
	cfg_write(&dev, PCI_BASE_ADDRESS_4, 4, 0x4);
	cfg_write(&dev, PCI_BASE_ADDRESS_5, 4, 0x10);

	cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ck_assert(pci_bar_enabled(&dev, 2, &addr));
	ck_assert_uint_eq(addr, 0x812345c000ULL);
	ck_assert(pci_bar_enabled(&dev, 4, &addr));
	ck_assert_uint_eq(addr, 0x1000000000ULL);
	ck_assert(!pci_bar_enabled(&dev, 3, &addr));
	ck_assert(!pci_bar_enabled(&dev, 0, &addr));
	pci_device_destroy(&dev);
}
END_TEST

START_TEST(test_io_bar_sizing)
{
	struct pci_device dev;
	struct recorder rec;
	uint64_t addr;

	dev_setup(&dev, &rec);
	ck_assert_int_eq(pci_device_add_bar(&dev, 1, 32, PCI_BAR_IO), 0);
	pci_device_set_bar_addr(&dev, 1, 0xc020);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_1, 4), 0xc021);
	cfg_write(&dev, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	/* Ports are 16 bits: the upper half is hardwired to 0. */
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_1, 4), 0x0000ffe1);
	cfg_write(&dev, PCI_BASE_ADDRESS_1, 4, 0xc040);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_1, 4), 0xc041);

	/* Memory decoding does not enable an I/O BAR. */
	cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ck_assert(!pci_bar_enabled(&dev, 1, &addr));
	ck_assert_uint_eq(rec.nr_remaps, 0);
	cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_IO);
	ck_assert(pci_bar_enabled(&dev, 1, &addr));
	ck_assert_uint_eq(addr, 0xc040);
	ck_assert_uint_eq(rec.nr_remaps, 1);
	ck_assert_uint_eq(rec.remaps[0].bar, 1);
	ck_assert_uint_eq(rec.remaps[0].addr, 0xc040);
	ck_assert(rec.remaps[0].enabled);
	pci_device_destroy(&dev);
}
END_TEST

START_TEST(test_add_bar_invalid)
{
	struct pci_device dev;
	struct recorder rec;

	dev_setup(&dev, &rec);
	ck_assert_int_eq(pci_device_add_bar(&dev, 6, 0x1000, 0), -EINVAL);
	ck_assert_int_eq(pci_device_add_bar(&dev, 0, 0, 0), -EINVAL);
	ck_assert_int_eq(pci_device_add_bar(&dev, 0, 0x1800, 0), -EINVAL);
	ck_assert_int_eq(pci_device_add_bar(&dev, 0, 8, 0), -EINVAL);
	ck_assert_int_eq(pci_device_add_bar(&dev, 0, 2, PCI_BAR_IO), -EINVAL);
	ck_assert_int_eq(pci_device_add_bar(&dev, 0, 512, PCI_BAR_IO), -EINVAL);
	ck_assert_int_eq(pci_device_add_bar(&dev, 0, 16, PCI_BAR_IO | PCI_BAR_MEM64), -EINVAL);
	ck_assert_int_eq(pci_device_add_bar(&dev, 0, 4ULL << 30, 0), -EINVAL);
	ck_assert_int_eq(pci_device_add_bar(&dev, 5, 0x1000, PCI_BAR_MEM64), -EINVAL);
	ck_assert_int_eq(pci_device_add_bar(&dev, 0, 0x1000, 1U << 7), -EINVAL);

	ck_assert_int_eq(pci_device_add_bar(&dev, 0, 0x1000, PCI_BAR_MEM64), 0);
	ck_assert_int_eq(pci_device_add_bar(&dev, 0, 0x1000, 0), -EBUSY);
	ck_assert_int_eq(pci_device_add_bar(&dev, 1, 0x1000, 0), -EBUSY);
	ck_assert_int_eq(pci_device_add_bar(&dev, 3, 0x1000, 0), 0);
	ck_assert_int_eq(pci_device_add_bar(&dev, 2, 0x1000, PCI_BAR_MEM64), -EBUSY);
	ck_assert_int_eq(pci_device_add_bar(&dev, 2, 256, PCI_BAR_IO), 0);
	pci_device_destroy(&dev);
}
END_TEST

START_TEST(test_command_register)
{
	struct pci_device dev;
	struct recorder rec;

	dev_setup(&dev, &rec);
	cfg_write(&dev, PCI_COMMAND, 2, 0xffff);
	ck_assert_uint_eq(cfg_read(&dev, PCI_COMMAND, 2),
			  PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			  PCI_COMMAND_INTX_DISABLE);
	cfg_write(&dev, PCI_COMMAND + 1, 1, 0);
	ck_assert_uint_eq(cfg_read(&dev, PCI_COMMAND, 2), 0x0007);
	cfg_write(&dev, PCI_COMMAND, 1, PCI_COMMAND_MASTER);
	ck_assert_uint_eq(cfg_read(&dev, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
	/* A dword write to command/status changes command, clears nothing. */
	cfg_write(&dev, PCI_COMMAND, 4, 0xffff0000 | PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(cfg_read(&dev, PCI_COMMAND, 4), PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(rec.nr_remaps, 0);	/* no BARs: nothing to report */
	pci_device_destroy(&dev);
}
END_TEST

START_TEST(test_status_w1c)
{
	struct pci_device dev;
	struct recorder rec;
	uint8_t body[2] = { 0 };

	dev_setup(&dev, &rec);
	ck_assert_int_eq(pci_device_add_cap(&dev, PCI_CAP_ID_VNDR, body, 2), 0x40);
	/* The device recorded errors (poked as the device would). */
	dev.config[PCI_STATUS + 1] |= (PCI_STATUS_REC_MASTER_ABORT |
				       PCI_STATUS_DETECTED_PARITY) >> 8;
	ck_assert_uint_eq(cfg_read(&dev, PCI_STATUS, 2),
			  PCI_STATUS_CAP_LIST | PCI_STATUS_REC_MASTER_ABORT |
			  PCI_STATUS_DETECTED_PARITY);
	/* Writing 0 changes nothing; a 1 clears only its bit; CAP_LIST stays. */
	cfg_write(&dev, PCI_STATUS, 2, 0);
	ck_assert_uint_eq(cfg_read(&dev, PCI_STATUS, 2),
			  PCI_STATUS_CAP_LIST | PCI_STATUS_REC_MASTER_ABORT |
			  PCI_STATUS_DETECTED_PARITY);
	cfg_write(&dev, PCI_STATUS, 2, PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_CAP_LIST);
	ck_assert_uint_eq(cfg_read(&dev, PCI_STATUS, 2),
			  PCI_STATUS_CAP_LIST | PCI_STATUS_DETECTED_PARITY);
	cfg_write(&dev, PCI_STATUS, 2, 0xffff);
	ck_assert_uint_eq(cfg_read(&dev, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	pci_device_destroy(&dev);
}
END_TEST

START_TEST(test_capability_list)
{
	struct pci_device dev;
	struct recorder rec;
	uint8_t body[200];
	unsigned int at, ids[8], n = 0;

	dev_setup(&dev, &rec);
	memset(body, 0x5a, sizeof(body));
	ck_assert_int_eq(pci_device_add_cap(&dev, PCI_CAP_ID_VNDR, body, 3), 0x40);
	ck_assert_int_eq(pci_device_add_cap(&dev, 0x10, body, 14), 0x48);
	ck_assert_int_eq(pci_device_add_bar(&dev, 0, 0x1000, 0), 0);
	ck_assert_int_eq(pci_device_add_msix(&dev, 4, 0, 0x0, 0x800), 0);
	ck_assert_uint_eq(dev.msix_cap, 0x58);
	ck_assert_int_eq(pci_device_add_cap(&dev, PCI_CAP_ID_VNDR, NULL, 0), 0x64);
	ck_assert(cfg_read(&dev, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);

	/* Walk it as a guest does. */
	at = cfg_read(&dev, PCI_CAPABILITY_LIST, 1);
	ck_assert_uint_eq(at, 0x40);
	while (at && n < 8) {
		ids[n++] = cfg_read(&dev, at + PCI_CAP_LIST_ID, 1);
		at = cfg_read(&dev, at + PCI_CAP_LIST_NEXT, 1);
	}
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(ids[0], PCI_CAP_ID_VNDR);
	ck_assert_uint_eq(ids[1], 0x10);
	ck_assert_uint_eq(ids[2], PCI_CAP_ID_MSIX);
	ck_assert_uint_eq(ids[3], PCI_CAP_ID_VNDR);
	ck_assert_uint_eq(cfg_read(&dev, 0x41, 1), 0x48);
	ck_assert_uint_eq(cfg_read(&dev, 0x49, 1), 0x58);
	ck_assert_uint_eq(cfg_read(&dev, 0x59, 1), 0x64);
	ck_assert_uint_eq(cfg_read(&dev, 0x65, 1), 0);
	ck_assert_uint_eq(cfg_read(&dev, 0x42, 1), 0x5a);
	ck_assert_uint_eq(cfg_read(&dev, 0x45, 1), 0);	/* padding */

	/* Bodies and links are read-only. */
	cfg_write(&dev, 0x40, 4, 0);
	cfg_write(&dev, 0x48, 4, 0xffffffff);
	ck_assert_uint_eq(cfg_read(&dev, 0x40, 4), 0x5a5a4809);
	ck_assert_uint_eq(cfg_read(&dev, 0x48, 4), 0x5a5a5810);

	/* Room left: 0x68..0xff is 152 bytes. */
	ck_assert_int_eq(pci_device_add_cap(&dev, PCI_CAP_ID_VNDR, body, 151), -ENOSPC);
	ck_assert_int_eq(pci_device_add_cap(&dev, PCI_CAP_ID_VNDR, body, 150), 0x68);
	ck_assert_int_eq(pci_device_add_cap(&dev, PCI_CAP_ID_VNDR, NULL, 0), -ENOSPC);
	ck_assert_uint_eq(cfg_read(&dev, 0x65, 1), 0x68);
	pci_device_destroy(&dev);
}
END_TEST

/* A device with BAR0 (4 KiB) holding an 8-vector table at 0 and the PBA at 0x800. */
static unsigned int msix_setup(struct pci_device *dev, struct recorder *rec,
			       unsigned int vectors)
{
	dev_setup(dev, rec);
	ck_assert_int_eq(pci_device_add_bar(dev, 0, 0x1000, 0), 0);
	ck_assert_int_eq(pci_device_add_msix(dev, vectors, 0, 0x0, 0x800), 0);
	return dev->msix_cap;
}

START_TEST(test_msix_capability)
{
	struct pci_device dev;
	struct recorder rec;
	unsigned int cap = msix_setup(&dev, &rec, 8);

	ck_assert_uint_eq(cfg_read(&dev, cap, 1), PCI_CAP_ID_MSIX);
	ck_assert_uint_eq(cfg_read(&dev, cap + PCI_MSIX_FLAGS, 2), 7);
	ck_assert_uint_eq(cfg_read(&dev, cap + PCI_MSIX_TABLE, 4), 0x0);
	ck_assert_uint_eq(cfg_read(&dev, cap + PCI_MSIX_PBA, 4), 0x800);

	/* Only enable and function mask are writable. */
	cfg_write(&dev, cap + PCI_MSIX_FLAGS, 2, 0xffff);
	ck_assert_uint_eq(cfg_read(&dev, cap + PCI_MSIX_FLAGS, 2),
			  PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | 7);
	ck_assert(pci_msix_enabled(&dev));
	ck_assert_uint_eq(rec.nr_updates, 1);
	ck_assert_int_eq(rec.updates[0], -1);
	cfg_write(&dev, cap + PCI_MSIX_TABLE, 4, 0xffffffff);
	ck_assert_uint_eq(cfg_read(&dev, cap + PCI_MSIX_TABLE, 4), 0x0);
	/* Same bits again: no change, no call. */
	cfg_write(&dev, cap + PCI_MSIX_FLAGS + 1, 1, 0xc0);
	ck_assert_uint_eq(rec.nr_updates, 1);
	cfg_write(&dev, cap + PCI_MSIX_FLAGS + 1, 1, 0x80);
	ck_assert_uint_eq(rec.nr_updates, 2);
	ck_assert_int_eq(rec.updates[1], -1);
	cfg_write(&dev, cap + PCI_MSIX_FLAGS + 1, 1, 0x00);
	ck_assert(!pci_msix_enabled(&dev));
	ck_assert_uint_eq(rec.nr_updates, 3);
	pci_device_destroy(&dev);

	/* BIR in the low bits; a 64-vector table fills one PBA qword. */
	dev_setup(&dev, &rec);
	ck_assert_int_eq(pci_device_add_bar(&dev, 2, 0x4000, PCI_BAR_MEM64), 0);
	ck_assert_int_eq(pci_device_add_msix(&dev, 2048, 2, 0x0, 0x8000 - 0x100), -EINVAL);
	ck_assert_int_eq(pci_device_add_msix(&dev, 64, 2, 0x2000, 0x3000), 0);
	ck_assert_uint_eq(cfg_read(&dev, dev.msix_cap + PCI_MSIX_FLAGS, 2), 63);
	ck_assert_uint_eq(cfg_read(&dev, dev.msix_cap + PCI_MSIX_TABLE, 4), 0x2002);
	ck_assert_uint_eq(cfg_read(&dev, dev.msix_cap + PCI_MSIX_PBA, 4), 0x3002);
	pci_device_destroy(&dev);
}
END_TEST

START_TEST(test_msix_add_invalid)
{
	struct pci_device dev;
	struct recorder rec;

	dev_setup(&dev, &rec);
	ck_assert_int_eq(pci_device_add_msix(&dev, 4, 0, 0, 0x800), -EINVAL);	/* no BAR */
	ck_assert_int_eq(pci_device_add_bar(&dev, 0, 0x1000, 0), 0);
	ck_assert_int_eq(pci_device_add_bar(&dev, 1, 64, PCI_BAR_IO), 0);
	ck_assert_int_eq(pci_device_add_msix(&dev, 0, 0, 0, 0x800), -EINVAL);
	ck_assert_int_eq(pci_device_add_msix(&dev, 2049, 0, 0, 0x800), -EINVAL);
	ck_assert_int_eq(pci_device_add_msix(&dev, 4, 1, 0, 0x20), -EINVAL);	/* I/O */
	ck_assert_int_eq(pci_device_add_msix(&dev, 4, 6, 0, 0x800), -EINVAL);
	ck_assert_int_eq(pci_device_add_msix(&dev, 4, 0, 4, 0x800), -EINVAL);	/* misaligned */
	ck_assert_int_eq(pci_device_add_msix(&dev, 4, 0, 0, 0x804), -EINVAL);
	ck_assert_int_eq(pci_device_add_msix(&dev, 4, 0, 0, 0x38), -EINVAL);	/* overlap */
	ck_assert_int_eq(pci_device_add_msix(&dev, 4, 0, 0xfc8, 0), -EINVAL);	/* past the end */
	ck_assert_int_eq(pci_device_add_msix(&dev, 4, 0, 0, 0x1000), -EINVAL);
	ck_assert_int_eq(dev.msix_cap, 0);
	ck_assert_int_eq(pci_device_add_msix(&dev, 4, 0, 0xf80, 0xff8), 0);
	ck_assert_int_eq(pci_device_add_msix(&dev, 4, 0, 0, 0x800), -EEXIST);
	pci_device_destroy(&dev);
}
END_TEST

START_TEST(test_msix_table_access)
{
	struct pci_device dev;
	struct recorder rec;
	uint64_t addr;
	uint32_t data;
	bool masked;

	msix_setup(&dev, &rec, 8);
	/* Reset: every vector masked, address and data 0. */
	for (unsigned int v = 0; v < 8; v++) {
		ck_assert_uint_eq(msix_read(&dev, 16 * v, 8), 0);
		ck_assert_uint_eq(msix_read(&dev, 16 * v + 8, 4), 0);
		ck_assert_uint_eq(msix_read(&dev, 16 * v + 12, 4), PCI_MSIX_ENTRY_CTRL_MASKBIT);
	}

	msix_write(&dev, 0x30, 4, 0xfee01000);
	ck_assert_uint_eq(rec.nr_updates, 1);
	ck_assert_int_eq(rec.updates[0], 3);
	msix_write(&dev, 0x34, 4, 0x1);
	msix_write(&dev, 0x38, 4, 0x4041);
	ck_assert_uint_eq(rec.nr_updates, 3);
	ck_assert_uint_eq(msix_read(&dev, 0x30, 8), 0x1fee01000ULL);
	ck_assert_uint_eq(msix_read(&dev, 0x38, 8), 0x100004041ULL);
	ck_assert(pci_msix_message(&dev, 3, &addr, &data, &masked));
	ck_assert_uint_eq(addr, 0x1fee01000ULL);
	ck_assert_uint_eq(data, 0x4041);
	ck_assert(masked);

	/* 8-byte writes: address in one, data and control in the other. */
	msix_write(&dev, 0x50, 8, 0xfee02000);
	msix_write(&dev, 0x58, 8, 0xfffffffe00000022ULL);
	ck_assert_uint_eq(rec.nr_updates, 5);
	ck_assert_int_eq(rec.updates[4], 5);
	/* Reserved control bits read 0. */
	ck_assert_uint_eq(msix_read(&dev, 0x5c, 4), 0);
	/* Rewriting the same value is no change. */
	msix_write(&dev, 0x58, 4, 0x22);
	ck_assert_uint_eq(rec.nr_updates, 5);

	ck_assert(!pci_msix_message(&dev, 8, &addr, &data, &masked));
	pci_device_destroy(&dev);
}
END_TEST

START_TEST(test_msix_pending_and_unmask)
{
	struct pci_device dev;
	struct recorder rec;
	unsigned int cap = msix_setup(&dev, &rec, 8);
	uint64_t addr;
	uint32_t data;
	bool masked;

	cfg_write(&dev, cap + PCI_MSIX_FLAGS + 1, 1, PCI_MSIX_FLAGS_ENABLE >> 8);
	msix_write(&dev, 0x20, 8, 0xfee00000);
	msix_write(&dev, 0x28, 4, 0x31);
	rec.nr_updates = 0;

	/* Masked at reset: the signal waits in the PBA. */
	ck_assert(!pci_msix_signal(&dev, 2));
	ck_assert_uint_eq(msix_read(&dev, 0x800, 8), 1U << 2);
	ck_assert_uint_eq(msix_read(&dev, 0x800, 4), 1U << 2);
	ck_assert(!pci_msix_take_pending(&dev, 2));	/* still masked */
	/* The PBA is read-only. */
	msix_write(&dev, 0x800, 8, 0);
	ck_assert_uint_eq(msix_read(&dev, 0x800, 8), 1U << 2);
	ck_assert(!pci_msix_signal(&dev, 8));	/* out of range: nothing */

	/* Unmask: msix_update(2), which takes the pending bit, once. */
	rec.take_vector = 2;
	msix_write(&dev, 0x2c, 4, 0);
	ck_assert_uint_eq(rec.nr_updates, 1);
	ck_assert_int_eq(rec.updates[0], 2);
	ck_assert(rec.took_pending[0]);
	ck_assert(!pci_msix_take_pending(&dev, 2));
	ck_assert_uint_eq(msix_read(&dev, 0x800, 8), 0);
	ck_assert(pci_msix_message(&dev, 2, &addr, &data, &masked));
	ck_assert(!masked);
	ck_assert_uint_eq(addr, 0xfee00000);
	ck_assert_uint_eq(data, 0x31);

	/* Unmasked and enabled: delivered now, nothing pending. */
	ck_assert(pci_msix_signal(&dev, 2));
	ck_assert_uint_eq(msix_read(&dev, 0x800, 8), 0);
	ck_assert(!pci_msix_take_pending(&dev, 2));
	pci_device_destroy(&dev);
}
END_TEST

START_TEST(test_msix_function_mask_and_enable)
{
	struct pci_device dev;
	struct recorder rec;
	unsigned int cap = msix_setup(&dev, &rec, 8);
	uint64_t addr;
	uint32_t data;
	bool masked;

	msix_write(&dev, 0x1c, 4, 0);	/* unmask vector 1 */
	rec.nr_updates = 0;
	/* MSI-X off: not delivered, kept pending. */
	ck_assert(!pci_msix_signal(&dev, 1));
	ck_assert(!pci_msix_take_pending(&dev, 1));

	/* Enabled but function-masked. */
	cfg_write(&dev, cap + PCI_MSIX_FLAGS, 2,
		  PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	ck_assert_uint_eq(rec.nr_updates, 1);
	ck_assert_int_eq(rec.updates[0], -1);
	ck_assert(pci_msix_message(&dev, 1, &addr, &data, &masked));
	ck_assert(masked);
	ck_assert(!pci_msix_take_pending(&dev, 1));
	ck_assert(!pci_msix_signal(&dev, 1));
	ck_assert_uint_eq(msix_read(&dev, 0x800, 4), 1U << 1);
	/* The vector's own mask bit is untouched by the function mask. */
	ck_assert_uint_eq(msix_read(&dev, 0x1c, 4), 0);

	/* Function unmask: -1, and the pending vector is deliverable once. */
	cfg_write(&dev, cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	ck_assert_uint_eq(rec.nr_updates, 2);
	ck_assert_int_eq(rec.updates[1], -1);
	ck_assert(pci_msix_take_pending(&dev, 1));
	ck_assert(!pci_msix_take_pending(&dev, 1));
	ck_assert(pci_msix_signal(&dev, 1));

	/* Disabled again. */
	cfg_write(&dev, cap + PCI_MSIX_FLAGS, 2, 0);
	ck_assert_uint_eq(rec.nr_updates, 3);
	ck_assert(!pci_msix_enabled(&dev));
	ck_assert(!pci_msix_signal(&dev, 1));
	pci_device_destroy(&dev);
}
END_TEST

START_TEST(test_msix_bad_accesses)
{
	struct pci_device dev;
	struct recorder rec;
	uint8_t b[16];

	msix_setup(&dev, &rec, 8);
	/* Wrong sizes or alignment in the table: all-ones, writes ignored. */
	const struct { uint64_t offset; unsigned int size; } bad[] = {
		{ 0x10, 1 }, { 0x10, 2 }, { 0x12, 4 }, { 0x14, 8 }, { 0x10, 3 },
		{ 0x10, 16 }, { 0x7e, 4 }, { 0x7f, 2 }, { 0x801, 4 }, { 0x804, 8 },
	};
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(b, 0, sizeof(b));
		ck_assert(pci_msix_access(&dev, 0, bad[i].offset, b, bad[i].size, false));
		for (unsigned int j = 0; j < bad[i].size; j++)
			ck_assert_uint_eq(b[j], 0xff);
		memset(b, 0, sizeof(b));
		ck_assert(pci_msix_access(&dev, 0, bad[i].offset, b, bad[i].size, true));
	}
	ck_assert_uint_eq(rec.nr_updates, 0);
	ck_assert_uint_eq(msix_read(&dev, 0x1c, 4), PCI_MSIX_ENTRY_CTRL_MASKBIT);

	/* Outside the table and PBA, or another BAR: the transport's. */
	ck_assert(!pci_msix_access(&dev, 0, 0x80, b, 4, false));
	ck_assert(!pci_msix_access(&dev, 0, 0x808, b, 4, false));
	ck_assert(!pci_msix_access(&dev, 0, UINT64_MAX - 1, b, 4, false));
	ck_assert(!pci_msix_access(&dev, 1, 0, b, 4, false));
	/* Starting before the table but touching it: claimed, ignored. */
	ck_assert(pci_msix_access(&dev, 0, 0x7fe, b, 4, false));
	pci_device_destroy(&dev);

	/* No MSI-X at all. */
	dev_setup(&dev, &rec);
	ck_assert(!pci_msix_access(&dev, 0, 0, b, 4, false));
	ck_assert(!pci_msix_signal(&dev, 0));
	ck_assert(!pci_msix_take_pending(&dev, 0));
	ck_assert(!pci_msix_enabled(&dev));
	pci_device_destroy(&dev);
}
END_TEST

START_TEST(test_hostile_config_accesses)
{
	struct pci_device dev;
	struct recorder rec;
	static uint8_t before[PCI_CONFIG_SIZE];
	uint8_t b[32];
	const struct { unsigned int offset, size; } bad[] = {
		{ 0, 0 }, { 0, 3 }, { 0, 5 }, { 0, 8 }, { 0, 16 },
		{ 4095, 2 }, { 4094, 4 }, { 4096, 1 }, { 4096, 4 }, { 4100, 2 },
		{ 0x7fffffff, 1 }, { 0xffffffff, 1 }, { 0xfffffffe, 2 }, { 0xfffffffc, 4 },
		{ PCI_COMMAND + 1, 2 }, { PCI_BASE_ADDRESS_0 + 2, 4 },
		{ PCI_BASE_ADDRESS_0 + 1, 4 }, { 0x3d, 2 },
	};

	msix_setup(&dev, &rec, 8);
	ck_assert_int_eq(pci_device_add_bar(&dev, 2, 0x100, PCI_BAR_IO), 0);
	cfg_write(&dev, PCI_INTERRUPT_LINE, 1, 5);
	memcpy(before, dev.config, sizeof(before));
	rec.nr_remaps = rec.nr_updates = 0;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(b, 0x11, sizeof(b));
		pci_config_read(&dev, bad[i].offset, b, bad[i].size);
		for (unsigned int j = 0; j < bad[i].size; j++)
			ck_assert_uint_eq(b[j], 0xff);
		ck_assert_uint_eq(b[bad[i].size], 0x11);	/* nothing past size */
		memset(b, 0xff, sizeof(b));
		pci_config_write(&dev, bad[i].offset, b, bad[i].size);
		memset(b, 0x00, sizeof(b));
		pci_config_write(&dev, bad[i].offset, b, bad[i].size);
	}
	ck_assert_mem_eq(dev.config, before, sizeof(before));
	ck_assert_uint_eq(rec.nr_remaps, 0);
	ck_assert_uint_eq(rec.nr_updates, 0);

	/* The last byte, dword and every valid size at the end still work. */
	ck_assert_uint_eq(cfg_read(&dev, 4095, 1), 0);
	ck_assert_uint_eq(cfg_read(&dev, 4094, 2), 0);
	ck_assert_uint_eq(cfg_read(&dev, 4092, 4), 0);
	pci_device_destroy(&dev);
}
END_TEST

START_TEST(test_remap_on_guest_moves)
{
	struct pci_device dev;
	struct recorder rec;
	uint64_t addr;

	dev_setup(&dev, &rec);
	ck_assert_int_eq(pci_device_add_bar(&dev, 0, 0x1000, 0), 0);
	ck_assert_int_eq(pci_device_add_bar(&dev, 1, 64, PCI_BAR_IO), 0);
	pci_device_set_bar_addr(&dev, 0, 0xc1000000);
	ck_assert_uint_eq(rec.nr_remaps, 0);	/* not decoding yet */

	cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(rec.nr_remaps, 1);
	ck_assert_uint_eq(rec.remaps[0].bar, 0);
	ck_assert_uint_eq(rec.remaps[0].addr, 0xc1000000);
	ck_assert(rec.remaps[0].enabled);

	/* The guest moves it. */
	cfg_write(&dev, PCI_BASE_ADDRESS_0, 4, 0xc2000000);
	ck_assert_uint_eq(rec.nr_remaps, 2);
	ck_assert_uint_eq(rec.remaps[1].addr, 0xc2000000);
	ck_assert(rec.remaps[1].enabled);
	ck_assert(pci_bar_enabled(&dev, 0, &addr));
	ck_assert_uint_eq(addr, 0xc2000000);
	/* Same address, or the same command again: no change, no call. */
	cfg_write(&dev, PCI_BASE_ADDRESS_0, 4, 0xc2000000);
	cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ck_assert_uint_eq(rec.nr_remaps, 2);

	/* Decoding off: reported with the old address; moves while off are not. */
	cfg_write(&dev, PCI_COMMAND, 2, 0);
	ck_assert_uint_eq(rec.nr_remaps, 3);
	ck_assert(!rec.remaps[2].enabled);
	ck_assert_uint_eq(rec.remaps[2].addr, 0xc2000000);
	ck_assert(!pci_bar_enabled(&dev, 0, &addr));
	cfg_write(&dev, PCI_BASE_ADDRESS_0, 4, 0xc3000000);
	ck_assert_uint_eq(rec.nr_remaps, 3);
	cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(rec.nr_remaps, 4);
	ck_assert_uint_eq(rec.remaps[3].addr, 0xc3000000);
	ck_assert(rec.remaps[3].enabled);

	/* Byte writes move it too (only address bits change). */
	cfg_write(&dev, PCI_BASE_ADDRESS_0 + 3, 1, 0xc4);
	ck_assert_uint_eq(rec.nr_remaps, 5);
	ck_assert_uint_eq(rec.remaps[4].addr, 0xc4000000);
	pci_device_destroy(&dev);
}
END_TEST

START_TEST(test_remap_sizing_while_decoding)
{
	struct pci_device dev;
	struct recorder rec;
	uint64_t addr;

	dev_setup(&dev, &rec);
	ck_assert_int_eq(pci_device_add_bar(&dev, 0, 0x1000, 0), 0);
	ck_assert_int_eq(pci_device_add_bar(&dev, 2, 0x4000, PCI_BAR_MEM64), 0);
	pci_device_set_bar_addr(&dev, 0, 0xc1000000);
	pci_device_set_bar_addr(&dev, 2, 0x800000000ULL);
	cfg_write(&dev, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(rec.nr_remaps, 2);
	rec.nr_remaps = 0;

	/* Sizing with decoding on: the BAR stays where it was, unreported. */
	cfg_write(&dev, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_0, 4), 0xfffff000);
	ck_assert(pci_bar_enabled(&dev, 0, &addr));
	ck_assert_uint_eq(addr, 0xc1000000);
	cfg_write(&dev, PCI_BASE_ADDRESS_0, 4, 0xc1000000);
	ck_assert_uint_eq(rec.nr_remaps, 0);

	/* Newer Linux sizes every register at once, then restores them. */
	for (unsigned int r = 2; r < 4; r++)
		cfg_write(&dev, PCI_BASE_ADDRESS_0 + 4 * r, 4, 0xffffffff);
	ck_assert_uint_eq(cfg_read(&dev, PCI_BASE_ADDRESS_2, 4), 0xffffc004);
	cfg_write(&dev, PCI_BASE_ADDRESS_2, 4, 0x4);
	ck_assert(pci_bar_enabled(&dev, 2, &addr));
	ck_assert_uint_eq(addr, 0x800000000ULL);	/* high half still sizing */
	cfg_write(&dev, PCI_BASE_ADDRESS_3, 4, 0x8);
	ck_assert_uint_eq(rec.nr_remaps, 0);

	/* Sized and then moved: reported at the new address only. */
	cfg_write(&dev, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	cfg_write(&dev, PCI_BASE_ADDRESS_0, 4, 0xc1100000);
	ck_assert_uint_eq(rec.nr_remaps, 1);
	ck_assert_uint_eq(rec.remaps[0].addr, 0xc1100000);

	/* A 64-bit move with decoding on is seen half by half, as on hardware. */
	cfg_write(&dev, PCI_BASE_ADDRESS_2, 4, 0x10000004);
	cfg_write(&dev, PCI_BASE_ADDRESS_3, 4, 0x9);
	ck_assert_uint_eq(rec.nr_remaps, 3);
	ck_assert_uint_eq(rec.remaps[1].addr, 0x810000000ULL);
	ck_assert_uint_eq(rec.remaps[2].addr, 0x910000000ULL);
	ck_assert_uint_eq(rec.remaps[2].bar, 2);
	pci_device_destroy(&dev);
}
END_TEST

/* The Interrupt Pin is read-only and only 0-4; the Line is the guest's. */
START_TEST(test_intx_pin_and_line)
{
	struct pci_device dev;
	struct recorder rec;

	dev_setup(&dev, &rec);
	ck_assert_uint_eq(cfg_read(&dev, PCI_INTERRUPT_PIN, 1), 0);
	ck_assert_int_eq(dev.intx_line, -1);
	pci_device_set_intx_pin(&dev, 5);
	ck_assert_uint_eq(cfg_read(&dev, PCI_INTERRUPT_PIN, 1), 0);
	pci_device_set_intx_pin(&dev, 1);
	ck_assert_uint_eq(cfg_read(&dev, PCI_INTERRUPT_PIN, 1), 1);
	cfg_write(&dev, PCI_INTERRUPT_PIN, 1, 3);
	ck_assert_uint_eq(cfg_read(&dev, PCI_INTERRUPT_PIN, 1), 1);
	cfg_write(&dev, PCI_INTERRUPT_LINE, 1, 0x11);
	ck_assert_uint_eq(cfg_read(&dev, PCI_INTERRUPT_LINE, 1), 0x11);
	/* A dword write over Line and Pin changes only the Line. */
	cfg_write(&dev, PCI_INTERRUPT_LINE, 2, 0x0412);
	ck_assert_uint_eq(cfg_read(&dev, PCI_INTERRUPT_LINE, 2), 0x0112);
	pci_device_destroy(&dev);
}
END_TEST

/*
 * The line follows the level the device asks for, gated by INTx Disable
 * and by MSI-X; Status shows the level whatever the gates; only changes
 * are reported.
 */
START_TEST(test_intx_level_and_gates)
{
	struct pci_device dev;
	struct recorder rec;
	uint16_t cmd;

	dev_setup(&dev, &rec);
	ck_assert_int_eq(pci_device_add_bar(&dev, 1, 0x1000, 0), 0);
	ck_assert_int_eq(pci_device_add_msix(&dev, 2, 1, 0, 0x800), 0);
	/* No pin: nothing to drive. */
	pci_intx_set_level(&dev, true);
	ck_assert_uint_eq(rec.nr_intx, 0);
	ck_assert_uint_eq(cfg_read(&dev, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
	pci_intx_set_level(&dev, false);

	pci_device_set_intx_pin(&dev, 1);
	pci_intx_set_level(&dev, true);
	ck_assert_uint_eq(rec.nr_intx, 1);
	ck_assert(rec.intx[0]);
	ck_assert(dev.intx_asserted);
	ck_assert_uint_eq(cfg_read(&dev, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
			  PCI_STATUS_INTERRUPT);
	/* Asking again changes nothing. */
	pci_intx_set_level(&dev, true);
	ck_assert_uint_eq(rec.nr_intx, 1);

	/* INTx Disable drops the line; Status still says pending. */
	cmd = cfg_read(&dev, PCI_COMMAND, 2);
	cfg_write(&dev, PCI_COMMAND, 2, cmd | PCI_COMMAND_INTX_DISABLE);
	ck_assert_uint_eq(rec.nr_intx, 2);
	ck_assert(!rec.intx[1]);
	ck_assert_uint_eq(cfg_read(&dev, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
			  PCI_STATUS_INTERRUPT);
	/* Status's Interrupt bit is read-only: a write of 1 does not clear it. */
	cfg_write(&dev, PCI_STATUS, 2, PCI_STATUS_INTERRUPT);
	ck_assert_uint_eq(cfg_read(&dev, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
			  PCI_STATUS_INTERRUPT);
	cfg_write(&dev, PCI_COMMAND, 2, cmd);
	ck_assert_uint_eq(rec.nr_intx, 3);
	ck_assert(rec.intx[2]);

	/* MSI-X on: no INTx (PCI 3.0 6.8.1.3); off again: back. */
	cfg_write(&dev, dev.msix_cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	ck_assert_uint_eq(rec.nr_intx, 4);
	ck_assert(!rec.intx[3]);
	pci_intx_set_level(&dev, false);
	pci_intx_set_level(&dev, true);
	ck_assert_uint_eq(rec.nr_intx, 4);
	cfg_write(&dev, dev.msix_cap + PCI_MSIX_FLAGS, 2, 0);
	ck_assert_uint_eq(rec.nr_intx, 5);
	ck_assert(rec.intx[4]);

	/* Down: line and Status. */
	pci_intx_set_level(&dev, false);
	ck_assert_uint_eq(rec.nr_intx, 6);
	ck_assert(!rec.intx[5]);
	ck_assert_uint_eq(cfg_read(&dev, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
	/* Toggling the gates with the level down reports nothing. */
	cfg_write(&dev, PCI_COMMAND, 2, cmd | PCI_COMMAND_INTX_DISABLE);
	cfg_write(&dev, PCI_COMMAND, 2, cmd);
	ck_assert_uint_eq(rec.nr_intx, 6);
	pci_device_destroy(&dev);
}
END_TEST

/* The swizzle every firmware table and the host bridge share. */
START_TEST(test_intx_swizzle)
{
	ck_assert_uint_eq(pci_intx_swizzle(0, 1, 4), 0);
	ck_assert_uint_eq(pci_intx_swizzle(1, 1, 4), 1);
	ck_assert_uint_eq(pci_intx_swizzle(3, 2, 4), 0);
	ck_assert_uint_eq(pci_intx_swizzle(2, 4, 4), 1);
	ck_assert_uint_eq(pci_intx_swizzle(1, 1, 8), 1);
	ck_assert_uint_eq(pci_intx_swizzle(7, 2, 8), 0);
	ck_assert_uint_eq(pci_intx_swizzle(31, 4, 8), 2);
}
END_TEST

Suite *pci_suite(void)
{
	Suite *s = suite_create("pci");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, test_header_fields);
	tcase_add_test(tc, test_bar32_sizing);
	tcase_add_test(tc, test_bar64_sizing);
	tcase_add_test(tc, test_io_bar_sizing);
	tcase_add_test(tc, test_add_bar_invalid);
	tcase_add_test(tc, test_command_register);
	tcase_add_test(tc, test_status_w1c);
	tcase_add_test(tc, test_capability_list);
	tcase_add_test(tc, test_hostile_config_accesses);
	tcase_add_test(tc, test_remap_on_guest_moves);
	tcase_add_test(tc, test_remap_sizing_while_decoding);
	suite_add_tcase(s, tc);

	tc = tcase_create("msix");
	tcase_add_test(tc, test_msix_capability);
	tcase_add_test(tc, test_msix_add_invalid);
	tcase_add_test(tc, test_msix_table_access);
	tcase_add_test(tc, test_msix_pending_and_unmask);
	tcase_add_test(tc, test_msix_function_mask_and_enable);
	tcase_add_test(tc, test_msix_bad_accesses);
	tcase_add_test(tc, test_intx_pin_and_line);
	tcase_add_test(tc, test_intx_level_and_gates);
	tcase_add_test(tc, test_intx_swizzle);
	suite_add_tcase(s, tc);
	return s;
}
