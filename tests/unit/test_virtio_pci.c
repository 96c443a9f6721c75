// SPDX-License-Identifier: GPL-2.0
/*
 * devices/virtio_pci: the modern transport's registers as a driver drives
 * them, and as a hostile one does. No KVM: the VM has no fd, so no ioctl.
 */
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio_pci.h"
#include "tests/unit/suites.h"
#include "vmm/le.h"
#include "vmm/vm.h"

#define GUEST_BASE	0x100000ULL
#define GUEST_SIZE	0x100000ULL

static struct vm *vm;
static struct virtio_dev *vdev;
static uint8_t *guest;
static struct guest_slot slot;
static unsigned int resets;
static uint8_t device_config[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static void test_config_read(struct virtio_dev *v, uint64_t offset, uint8_t *data,
			     unsigned int size)
{
	(void)v;
	memcpy(data, device_config + offset, size);
}

static void test_queue_notify(struct virtio_dev *v, unsigned int queue)
{
	(void)v;
	(void)queue;
}

static void test_reset(struct virtio_dev *v)
{
	(void)v;
	resets++;
}

static const struct virtio_dev_ops test_ops = {
	.config_read = test_config_read,
	.queue_notify = test_queue_notify,
	.reset = test_reset,
};

static void setup(void)
{
	vm = calloc(1, sizeof(*vm));
	vdev = calloc(1, sizeof(*vdev));
	guest = calloc(1, GUEST_SIZE);
	ck_assert(vm && vdev && guest);
	vm->vm_fd = vm->kvm_fd = -1;
	slot = (struct guest_slot) { GUEST_BASE, GUEST_SIZE, guest, 0 };
	vm->mem = (struct guest_mem) { &slot, 1 };
	resets = 0;
	ck_assert_int_eq(virtio_dev_init(vdev, vm, "test", VIRTIO_ID_BLOCK, 2, 256,
					 1ULL << 9, sizeof(device_config), &test_ops, NULL), 0);
}

static void teardown(void)
{
	virtio_dev_stop(vdev);
	free(vdev);
	free(vm);
	free(guest);
}

static void bar_write(uint64_t offset, uint64_t value, unsigned int size)
{
	uint8_t data[8];

	put_le64(data, value);
	vdev->pci.ops->bar_access(&vdev->pci, 0, offset, data, size, true);
}

static uint64_t bar_read(uint64_t offset, unsigned int size)
{
	uint8_t data[8] = { 0 };

	vdev->pci.ops->bar_access(&vdev->pci, 0, offset, data, size, false);
	return get_le64(data) & (size == 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1);
}

#define STATUS	20
static void set_status(uint8_t status)
{
	bar_write(STATUS, status, 1);
}

/* ACK, DRIVER, features (low, high), FEATURES_OK: what Linux does first. */
static uint8_t negotiate(uint32_t low, uint32_t high)
{
	set_status(VIRTIO_CONFIG_S_ACKNOWLEDGE);
	set_status(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	bar_write(8, 0, 4);
	bar_write(12, low, 4);
	bar_write(8, 1, 4);
	bar_write(12, high, 4);
	set_status(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		   VIRTIO_CONFIG_S_FEATURES_OK);
	return bar_read(STATUS, 1);
}

START_TEST(test_ids_and_caps)
{
	uint8_t b[4];
	unsigned int types = 0, pos;

	pci_config_read(&vdev->pci, 0, b, 4);
	ck_assert_uint_eq(get_le32(b), 0x10421af4);	/* 1af4:1042, modern blk */
	pci_config_read(&vdev->pci, 0x34, b, 1);
	for (pos = b[0]; pos; pos = b[1]) {
		pci_config_read(&vdev->pci, pos, b, 4);
		if (b[0] == 0x09)	/* vendor-specific: a virtio structure */
			types |= 1U << b[3];
		ck_assert_uint_lt(pos, 256);
	}
	/* common, notify, ISR, device config and PCI config access */
	ck_assert_uint_eq(types & 0x3e, 0x3e);
}
END_TEST

/* The config offset of the virtio structure of @type, 0 if none. */
static unsigned int find_virtio_cap(unsigned int type)
{
	uint8_t b[4];
	unsigned int pos;

	pci_config_read(&vdev->pci, 0x34, b, 1);
	for (pos = b[0]; pos; pos = b[1]) {
		pci_config_read(&vdev->pci, pos, b, 4);
		if (b[0] == 0x09 && b[3] == type)
			return pos;
	}
	return 0;
}

static void cfg_write32(unsigned int offset, uint32_t value)
{
	uint8_t b[4];

	put_le32(b, value);
	pci_config_write(&vdev->pci, offset, b, 4);
}

static uint32_t cfg_read32(unsigned int offset)
{
	uint8_t b[4];

	pci_config_read(&vdev->pci, offset, b, 4);
	return get_le32(b);
}

/* VIRTIO_PCI_CAP_PCI_CFG: BAR0's registers through config space. */
START_TEST(test_pci_cfg_window)
{
	unsigned int cap = find_virtio_cap(VIRTIO_PCI_CAP_PCI_CFG);
	uint8_t b[4];

	ck_assert_uint_ne(cap, 0);
	pci_config_read(&vdev->pci, cap + 2, b, 1);
	ck_assert_uint_eq(b[0], 20);			/* cap_len */
	/* device_feature_select = 1 through the window, then device_feature */
	pci_config_write(&vdev->pci, cap + 4, (uint8_t[]){ 0 }, 1);
	cfg_write32(cap + 8, 0);
	cfg_write32(cap + 12, 4);
	cfg_write32(cap + 16, 1);
	ck_assert_uint_eq(bar_read(0, 4), 1);
	cfg_write32(cap + 8, 4);
	ck_assert_uint_eq(cfg_read32(cap + 16), bar_read(4, 4));
	ck_assert_uint_eq(cfg_read32(cap + 16) & 1, 1);	/* VERSION_1 */
	/* A one-byte status write and a one-byte read of it. */
	cfg_write32(cap + 8, STATUS);
	cfg_write32(cap + 12, 1);
	pci_config_write(&vdev->pci, cap + 16, (uint8_t[]){ VIRTIO_CONFIG_S_ACKNOWLEDGE }, 1);
	ck_assert_uint_eq(bar_read(STATUS, 1), VIRTIO_CONFIG_S_ACKNOWLEDGE);
	pci_config_read(&vdev->pci, cap + 16, b, 1);
	ck_assert_uint_eq(b[0], VIRTIO_CONFIG_S_ACKNOWLEDGE);
	/* Lengths other than 1, 2, 4 and misaligned offsets do nothing. */
	cfg_write32(cap + 12, 3);
	cfg_write32(cap + 16, 0);
	ck_assert_uint_eq(bar_read(STATUS, 1), VIRTIO_CONFIG_S_ACKNOWLEDGE);
	cfg_write32(cap + 8, STATUS + 1);
	cfg_write32(cap + 12, 2);
	cfg_write32(cap + 16, 0);
	ck_assert_uint_eq(bar_read(STATUS, 1), VIRTIO_CONFIG_S_ACKNOWLEDGE);
	/* A BAR the device does not have reads all-ones and takes no write. */
	pci_config_write(&vdev->pci, cap + 4, (uint8_t[]){ 5 }, 1);
	cfg_write32(cap + 8, 0);
	cfg_write32(cap + 12, 4);
	ck_assert_uint_eq(cfg_read32(cap + 16), 0xffffffff);
	cfg_write32(cap + 16, 0);
	/* The capability's type and length stay read-only. */
	pci_config_write(&vdev->pci, cap + 2, (uint8_t[]){ 0, 0 }, 2);
	pci_config_read(&vdev->pci, cap + 2, b, 2);
	ck_assert_uint_eq(b[0], 20);
	ck_assert_uint_eq(b[1], VIRTIO_PCI_CAP_PCI_CFG);
}
END_TEST

START_TEST(test_features)
{
	bar_write(0, 0, 4);
	ck_assert_uint_eq(bar_read(4, 4) & (1U << 9), 1U << 9);	/* FLUSH offered */
	bar_write(0, 1, 4);
	ck_assert_uint_eq(bar_read(4, 4) & 1, 1);		/* VERSION_1 */
	bar_write(0, 7, 4);
	ck_assert_uint_eq(bar_read(4, 4), 0);

	/* No VERSION_1: a legacy driver, refused. */
	ck_assert_uint_eq(negotiate(1U << 9, 0) & VIRTIO_CONFIG_S_FEATURES_OK, 0);
	set_status(0);
	/* A feature never offered: refused. */
	ck_assert_uint_eq(negotiate(1U << 5, 1) & VIRTIO_CONFIG_S_FEATURES_OK, 0);
	set_status(0);
	ck_assert_uint_ne(negotiate(1U << 9, 1) & VIRTIO_CONFIG_S_FEATURES_OK, 0);
	ck_assert(virtio_dev_has_feature(vdev, 9));
	/* Features are fixed once accepted. */
	bar_write(8, 0, 4);
	bar_write(12, 0, 4);
	ck_assert(virtio_dev_has_feature(vdev, 9));
}
END_TEST

#define Q_SELECT	22
#define Q_SIZE		24
#define Q_MSIX		26
#define Q_ENABLE	28
#define Q_DESC		32
#define Q_AVAIL		40
#define Q_USED		48

START_TEST(test_queue_setup)
{
	negotiate(0, 1);
	ck_assert_uint_eq(bar_read(18, 2), 2);		/* num_queues */
	bar_write(Q_SELECT, 1, 2);
	ck_assert_uint_eq(bar_read(Q_SIZE, 2), 256);
	bar_write(Q_SIZE, 300, 2);			/* above the maximum: ignored */
	ck_assert_uint_eq(bar_read(Q_SIZE, 2), 256);
	bar_write(Q_SIZE, 64, 2);
	ck_assert_uint_eq(bar_read(Q_SIZE, 2), 64);
	bar_write(Q_DESC, GUEST_BASE, 4);
	bar_write(Q_DESC + 4, 0, 4);
	bar_write(Q_AVAIL, GUEST_BASE + 0x1000, 8);	/* 64-bit writes work too */
	bar_write(Q_USED, GUEST_BASE + 0x2000, 4);
	ck_assert_uint_eq(bar_read(Q_AVAIL, 4), GUEST_BASE + 0x1000);
	bar_write(Q_MSIX, 1, 2);
	ck_assert_uint_eq(bar_read(Q_MSIX, 2), 1);
	bar_write(Q_MSIX, 9, 2);			/* no such vector */
	ck_assert_uint_eq(bar_read(Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	bar_write(Q_ENABLE, 1, 2);
	ck_assert_uint_eq(bar_read(Q_ENABLE, 2), 1);
	ck_assert(vdev->queues[1].vq.enabled);
	/* An enabled queue's fields do not move under the device. */
	bar_write(Q_DESC, GUEST_BASE + 0x8000, 4);
	ck_assert_uint_eq(bar_read(Q_DESC, 4), GUEST_BASE);
	/* A queue that does not exist reads as size 0. */
	bar_write(Q_SELECT, 5, 2);
	ck_assert_uint_eq(bar_read(Q_SIZE, 2), 0);
}
END_TEST

START_TEST(test_bad_queue_needs_reset)
{
	negotiate(0, 1);
	bar_write(Q_SELECT, 0, 2);
	/* Rings outside guest RAM: the device fails, the VMM does not. */
	bar_write(Q_DESC, 0xdead0000, 4);
	bar_write(Q_AVAIL, GUEST_BASE, 4);
	bar_write(Q_USED, GUEST_BASE + 0x1000, 4);
	bar_write(Q_ENABLE, 1, 2);
	ck_assert_uint_eq(bar_read(Q_ENABLE, 2), 0);
	ck_assert_uint_ne(bar_read(STATUS, 1) & 0x40, 0);	/* NEEDS_RESET */
	ck_assert(vdev->failed);
	set_status(0);
	ck_assert_uint_eq(bar_read(STATUS, 1), 0);
	ck_assert(!vdev->failed);
	ck_assert_uint_ge(resets, 1);
}
END_TEST

START_TEST(test_driver_ok_without_features)
{
	set_status(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		   VIRTIO_CONFIG_S_DRIVER_OK);
	ck_assert_uint_ne(bar_read(STATUS, 1) & 0x40, 0);
}
END_TEST

START_TEST(test_isr_and_config)
{
	vdev->isr = 3;
	ck_assert_uint_eq(bar_read(0x1000, 1), 3);
	ck_assert_uint_eq(bar_read(0x1000, 1), 0);	/* read clears */
	ck_assert_uint_eq(bar_read(0x2000, 4), 0x04030201);
	ck_assert_uint_eq(bar_read(0x2004, 4), 0x08070605);
	/* Past the device's config: all-ones, never past its buffer. */
	ck_assert_uint_eq(bar_read(0x2006, 4), 0xffffffff);
	ck_assert_uint_eq(bar_read(0x2100, 2), 0xffff);
}
END_TEST

#define ISR	0x1000

static uint16_t pci_status(void)
{
	uint8_t b[2];

	pci_config_read(&vdev->pci, PCI_STATUS, b, 2);
	return get_le16(b);
}

static void pci_command(uint16_t cmd)
{
	uint8_t b[2];

	put_le16(b, cmd);
	pci_config_write(&vdev->pci, PCI_COMMAND, b, 2);
}

/*
 * Without MSI-X, a notification raises INTA until the driver reads the
 * ISR (read-to-clear); INTx Disable holds the line down but not Status's
 * Interrupt bit; with MSI-X on nothing goes out on INTx; a reset drops it.
 */
START_TEST(test_intx_and_isr)
{
	uint8_t b[2];
	uint16_t cmd;

	pci_config_read(&vdev->pci, PCI_INTERRUPT_PIN, b, 1);
	ck_assert_uint_eq(b[0], 1);			/* INTA */
	ck_assert(!vdev->pci.intx_asserted);

	virtio_dev_notify_config(vdev);
	ck_assert(vdev->pci.intx_asserted);
	ck_assert_uint_eq(pci_status() & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);

	pci_config_read(&vdev->pci, PCI_COMMAND, b, 2);
	cmd = get_le16(b);
	pci_command(cmd | PCI_COMMAND_INTX_DISABLE);
	ck_assert(!vdev->pci.intx_asserted);
	ck_assert_uint_eq(pci_status() & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
	pci_command(cmd);
	ck_assert(vdev->pci.intx_asserted);

	/* The read returns the cause and clears it; the line goes down. */
	ck_assert_uint_eq(bar_read(ISR, 1), VIRTIO_PCI_ISR_CONFIG);
	ck_assert(!vdev->pci.intx_asserted);
	ck_assert_uint_eq(pci_status() & PCI_STATUS_INTERRUPT, 0);
	ck_assert_uint_eq(bar_read(ISR, 1), 0);
	ck_assert(!vdev->pci.intx_asserted);

	/* A reset drops a raised line. */
	virtio_dev_notify_config(vdev);
	ck_assert(vdev->pci.intx_asserted);
	set_status(0);
	ck_assert(!vdev->pci.intx_asserted);
	ck_assert_uint_eq(bar_read(ISR, 1), 0);

	/* MSI-X on: the ISR still records, INTx stays quiet. */
	put_le16(b, PCI_MSIX_FLAGS_ENABLE);
	pci_config_write(&vdev->pci, vdev->pci.msix_cap + PCI_MSIX_FLAGS, b, 2);
	virtio_dev_notify_config(vdev);
	ck_assert(!vdev->pci.intx_asserted);
	ck_assert_uint_eq(pci_status() & PCI_STATUS_INTERRUPT, 0);
	ck_assert_uint_eq(bar_read(ISR, 1), VIRTIO_PCI_ISR_CONFIG);
}
END_TEST

START_TEST(test_hostile_accesses)
{
	static const unsigned int sizes[] = { 0, 1, 2, 3, 4, 5, 7, 8 };
	static const uint64_t offsets[] = {
		0, 1, 3, 18, 20, 21, 31, 55, 56, 60, 0xfff, 0x1001, 0x2007, 0x3000,
		0x3002, 0x3ffe, 0x3fff, 0x4000, 0xffffffffffffULL,
	};

	/* Every odd size and place: nothing crashes, nothing half-applies. */
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
		for (size_t j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			bar_read(offsets[i], sizes[j] ? sizes[j] : 1);
			bar_write(offsets[i], UINT64_MAX, sizes[j]);
		}
	/* A 2-byte write to a 1-byte field changes nothing. */
	set_status(0);
	bar_write(STATUS, 0x0f0f, 2);
	ck_assert_uint_eq(bar_read(STATUS, 1), 0);
}
END_TEST

Suite *virtio_pci_suite(void)
{
	Suite *s = suite_create("virtio_pci");
	TCase *tc = tcase_create("transport");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ids_and_caps);
	tcase_add_test(tc, test_features);
	tcase_add_test(tc, test_pci_cfg_window);
	tcase_add_test(tc, test_queue_setup);
	tcase_add_test(tc, test_bad_queue_needs_reset);
	tcase_add_test(tc, test_driver_ok_without_features);
	tcase_add_test(tc, test_isr_and_config);
	tcase_add_test(tc, test_intx_and_isr);
	tcase_add_test(tc, test_hostile_accesses);
	suite_add_tcase(s, tc);
	return s;
}
