// SPDX-License-Identifier: GPL-2.0
/*
 * devices/pci_host: windows from the plan, BAR placement, mechanism #1
 * (Linux's type-1 probe included), ECAM decode, window dispatch and bus
 * registration.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pci_host.h"
#include "tests/unit/suites.h"
#include "vmm/memplan.h"
#include "vmm/vm.h"

#define ECAM_BASE	0xc0000000ULL
#define MMIO32_BASE	0xc1000000ULL	/* a 32 KiB piece ... */
#define MMIO32_1_BASE	0xc2000000ULL	/* ... and a 16 MiB one after a host hole */
#define MMIO64_BASE	0x800000000ULL
#define IO_BASE		0xc000ULL
#define IO_SIZE		0x4000ULL

struct access_record {
	unsigned int calls;
	unsigned int bar;
	uint64_t offset;
	unsigned int size;
	bool is_write;
	uint8_t data[8];
};

struct test_device {
	struct pci_device pci;
	struct access_record access;
	unsigned int remaps;
	uint64_t remap_addr;
	bool remap_enabled;
};

static void rec_bar_access(struct pci_device *dev, unsigned int bar, uint64_t offset,
			   uint8_t *data, unsigned int size, bool is_write)
{
	struct test_device *t = dev->opaque;

	t->access.calls++;
	t->access.bar = bar;
	t->access.offset = offset;
	t->access.size = size;
	t->access.is_write = is_write;
	if (is_write) {
		memcpy(t->access.data, data, size < 8 ? size : 8);
	} else {
		for (unsigned int i = 0; i < size; i++)
			data[i] = 0xa0 + i;
	}
}

static void rec_bar_remap(struct pci_device *dev, unsigned int bar, uint64_t addr,
			  bool enabled)
{
	struct test_device *t = dev->opaque;

	(void)bar;
	t->remaps++;
	t->remap_addr = addr;
	t->remap_enabled = enabled;
}

static const struct pci_device_ops rec_ops = {
	.bar_access = rec_bar_access,
	.bar_remap = rec_bar_remap,
};

static void test_device_init(struct test_device *t, uint16_t device_id)
{
	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(pci_device_init(&t->pci, "test", 0x1af4, device_id, 0xff0000, 0,
					 0, 0), 0);
	t->pci.ops = &rec_ops;
	t->pci.opaque = t;
}

static void add_region(struct vm_plan *plan, uint64_t start, uint64_t size,
		       enum plan_kind kind, const char *name)
{
	struct plan_region r = { .start = start, .size = size, .kind = kind };

	snprintf(r.name, sizeof(r.name), "%s", name);
	ck_assert_int_eq(memplan_add_region(plan, &r), 0);
}

/* What an x86 plan looks like once a host region cut the 32-bit window. */
static void make_plan(struct vm_plan *plan, bool with_mmio64)
{
	memplan_init(plan);
	add_region(plan, 0, 0x80000000ULL, PLAN_RAM, "ram");
	add_region(plan, ECAM_BASE, 0x1000000, PLAN_DEVICE, "pci-ecam");
	add_region(plan, MMIO32_1_BASE, 0x1000000, PLAN_MMIO_WINDOW, "pci-mmio32.1");
	add_region(plan, MMIO32_BASE, 0x8000, PLAN_MMIO_WINDOW, "pci-mmio32");
	add_region(plan, MMIO32_BASE + 0x8000, 0x1000, PLAN_HOLE, "host-rmrr");
	add_region(plan, 0xfec00000, 0x1000, PLAN_DEVICE, "ioapic");
	if (with_mmio64)
		add_region(plan, MMIO64_BASE, 0x40000000, PLAN_MMIO_WINDOW, "pci-mmio64");
	memplan_sort(plan);
}

static void host_setup(struct pci_host *host, bool with_mmio64)
{
	struct vm_plan plan;

	make_plan(&plan, with_mmio64);
	ck_assert_int_eq(pci_host_init(host, &plan, IO_BASE, IO_SIZE), 0);
	memplan_free(&plan);	/* the host keeps no pointer into the plan */
}

static void cf8_write(struct pci_host *host, unsigned int port, unsigned int size,
		      uint32_t v)
{
	uint8_t b[4];

	for (unsigned int i = 0; i < 4; i++)
		b[i] = v >> (8 * i);
	pci_host_cf8_access(host, port - 0xcf8, b, size, true);
}

static uint32_t cf8_read(struct pci_host *host, unsigned int port, unsigned int size)
{
	uint8_t b[4] = { 0 };
	uint32_t v = 0;

	pci_host_cf8_access(host, port - 0xcf8, b, size, false);
	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

static uint32_t conf1_addr(unsigned int bus, unsigned int dev, unsigned int fn,
			   unsigned int reg)
{
	return 0x80000000U | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc);
}

/* Linux's pci_conf1_read: latch the dword, read the lane. */
static uint32_t conf1_read(struct pci_host *host, unsigned int bus, unsigned int dev,
			   unsigned int fn, unsigned int reg, unsigned int size)
{
	cf8_write(host, 0xcf8, 4, conf1_addr(bus, dev, fn, reg));
	return cf8_read(host, 0xcfc + (reg & 3), size);
}

static void conf1_write(struct pci_host *host, unsigned int dev, unsigned int reg,
			unsigned int size, uint32_t v)
{
	cf8_write(host, 0xcf8, 4, conf1_addr(0, dev, 0, reg));
	cf8_write(host, 0xcfc + (reg & 3), size, v);
}

static uint32_t ecam_read(struct pci_host *host, uint64_t offset, unsigned int size)
{
	uint8_t b[4] = { 0 };
	uint32_t v = 0;

	pci_host_ecam_access(host, offset, b, size, false);
	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

static void ecam_write(struct pci_host *host, uint64_t offset, unsigned int size,
		       uint32_t v)
{
	uint8_t b[4];

	for (unsigned int i = 0; i < 4; i++)
		b[i] = v >> (8 * i);
	pci_host_ecam_access(host, offset, b, size, true);
}

static uint64_t ecam_offset(unsigned int bus, unsigned int dev, unsigned int fn,
			    unsigned int reg)
{
	return (uint64_t)bus << 20 | dev << 15 | fn << 12 | reg;
}

static uint32_t window_read(struct pci_host *host, bool io, uint64_t addr,
			    unsigned int size)
{
	uint8_t b[8] = { 0 };
	uint32_t v = 0;

	pci_host_window_access(host, io, addr, b, size, false);
	for (unsigned int i = 0; i < size && i < 4; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

START_TEST(test_init_from_plan)
{
	struct pci_host host;
	struct vm_plan plan;

	host_setup(&host, true);
	ck_assert_uint_eq(host.ecam_base, ECAM_BASE);
	ck_assert_uint_eq(host.ecam_size, 0x1000000);
	ck_assert_uint_eq(host.nr_mem, 3);
	ck_assert_uint_eq(host.mem[0].start, MMIO32_BASE);
	ck_assert_uint_eq(host.mem[0].size, 0x8000);
	ck_assert(!host.mem[0].is_64bit);
	ck_assert_uint_eq(host.mem[1].start, MMIO32_1_BASE);
	ck_assert(!host.mem[1].is_64bit);
	ck_assert_uint_eq(host.mem[2].start, MMIO64_BASE);
	ck_assert(host.mem[2].is_64bit);
	ck_assert_uint_eq(host.io.start, IO_BASE);
	ck_assert_uint_eq(host.io.size, IO_SIZE);
	ck_assert_uint_eq(host.nr_devices, 1);
	ck_assert_ptr_eq(host.devices[0], &host.bridge);

	/* The bridge, 00.0, through both mechanisms. */
	ck_assert_uint_eq(ecam_read(&host, 0, 4), 0x00081b36);
	ck_assert_uint_eq(ecam_read(&host, PCI_CLASS_REVISION, 4), 0x06000000);
	ck_assert_uint_eq(ecam_read(&host, PCI_HEADER_TYPE, 1), 0);
	ck_assert_uint_eq(conf1_read(&host, 0, 0, 0, PCI_VENDOR_ID, 4), 0x00081b36);
	pci_host_destroy(&host);

	/* A malformed ECAM region or port window is refused. */
	memplan_init(&plan);
	add_region(&plan, ECAM_BASE, 0x180000, PLAN_DEVICE, "pci-ecam");
	ck_assert_int_eq(pci_host_init(&host, &plan, 0, 0), -EINVAL);
	memplan_free(&plan);
	make_plan(&plan, false);
	ck_assert_int_eq(pci_host_init(&host, &plan, 0xf000, 0x2000), -EINVAL);
	memplan_free(&plan);

	/* Names that only look like windows are not windows. */
	memplan_init(&plan);
	add_region(&plan, 0xd0000000, 0x100000, PLAN_MMIO_WINDOW, "pci-mmio32x");
	add_region(&plan, 0xd1000000, 0x100000, PLAN_MMIO_WINDOW, "pci-mmio32.");
	add_region(&plan, 0xd2000000, 0x100000, PLAN_DEVICE, "pci-mmio32.2");
	add_region(&plan, 0xd3000000, 0x100000, PLAN_MMIO_WINDOW, "pci-mmio32.12");
	memplan_sort(&plan);
	ck_assert_int_eq(pci_host_init(&host, &plan, 0, 0), 0);
	ck_assert_uint_eq(host.nr_mem, 1);
	ck_assert_uint_eq(host.mem[0].start, 0xd3000000);
	ck_assert_uint_eq(host.ecam_size, 0);
	pci_host_destroy(&host);
	memplan_free(&plan);
}
END_TEST

START_TEST(test_init_from_x86_plan)
{
	struct plan_request req = { .ram_size = 512ULL << 20, .nr_cpus = 1,
				    .pci64_size = 1ULL << 30 };
	struct plan_constraints cons;
	struct plan_error err;
	struct vm_plan plan;
	struct pci_host host;

	ck_assert_int_eq(memplan_arch_constraints("x86_64", &req, 40, &cons, &err), 0);
	ck_assert_int_eq(memplan_build(&req, &cons, NULL, &plan, &err), 0);
	ck_assert_int_eq(pci_host_init(&host, &plan, IO_BASE, IO_SIZE), 0);
	ck_assert_uint_eq(host.ecam_base, 0xc0000000);
	ck_assert_uint_eq(host.ecam_size, 16 << 20);
	ck_assert_uint_eq(host.nr_mem, 2);
	ck_assert_uint_eq(host.mem[0].start, 0xc1000000);
	ck_assert_uint_eq(host.mem[0].size, 0xfec00000 - 0xc1000000);
	ck_assert(!host.mem[0].is_64bit);
	ck_assert(host.mem[1].is_64bit);
	ck_assert_uint_ge(host.mem[1].start, 1ULL << 32);
	pci_host_destroy(&host);
	memplan_free(&plan);
}
END_TEST

START_TEST(test_linux_type1_probe)
{
	struct pci_host host;
	uint32_t tmp;

	host_setup(&host, false);
	/* pci_check_type1: outb(0x01, 0xCFB); tmp = inl(0xCF8); outl(0x80000000, 0xCF8) */
	cf8_write(&host, 0xcfb, 1, 0x01);
	tmp = cf8_read(&host, 0xcf8, 4);
	ck_assert_uint_eq(tmp, 0);
	cf8_write(&host, 0xcf8, 4, 0x80000000);
	ck_assert_uint_eq(cf8_read(&host, 0xcf8, 4), 0x80000000);
	/* pci_sanity_check: a host bridge class on bus 0. */
	ck_assert_uint_eq(conf1_read(&host, 0, 0, 0, PCI_CLASS_DEVICE, 2), 0x0600);
	cf8_write(&host, 0xcf8, 4, tmp);
	ck_assert_uint_eq(cf8_read(&host, 0xcf8, 4), tmp);

	/* Narrow accesses to 0xCF8-0xCFB leave the latch alone and read all-ones. */
	cf8_write(&host, 0xcf8, 4, conf1_addr(0, 0, 0, 0));
	cf8_write(&host, 0xcf8, 1, 0x00);
	cf8_write(&host, 0xcf8, 2, 0x0000);
	cf8_write(&host, 0xcfa, 2, 0x0000);
	cf8_write(&host, 0xcf9, 1, 0x06);
	ck_assert_uint_eq(cf8_read(&host, 0xcf8, 1), 0xff);
	ck_assert_uint_eq(cf8_read(&host, 0xcfa, 1), 0xff);
	ck_assert_uint_eq(cf8_read(&host, 0xcfb, 1), 0xff);
	ck_assert_uint_eq(cf8_read(&host, 0xcf8, 2), 0xffff);
	ck_assert_uint_eq(cf8_read(&host, 0xcf8, 4), 0x80000000);
	/* Reserved latch bits read 0. */
	cf8_write(&host, 0xcf8, 4, 0xffffffff);
	ck_assert_uint_eq(cf8_read(&host, 0xcf8, 4), 0x80fffffc);
	pci_host_destroy(&host);
}
END_TEST

START_TEST(test_conf1_absent_and_disabled)
{
	struct pci_host host;
	struct test_device t;

	host_setup(&host, false);
	test_device_init(&t, 0x1000);
	ck_assert_int_eq(pci_host_add(&host, &t.pci), 0);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_VENDOR_ID, 4), 0x10001af4);
	ck_assert_uint_eq(conf1_read(&host, 0, 2, 0, PCI_VENDOR_ID, 4), 0xffffffff);
	ck_assert_uint_eq(conf1_read(&host, 0, 31, 0, PCI_VENDOR_ID, 2), 0xffff);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 1, PCI_VENDOR_ID, 4), 0xffffffff);
	ck_assert_uint_eq(conf1_read(&host, 0, 0, 7, PCI_VENDOR_ID, 4), 0xffffffff);
	ck_assert_uint_eq(conf1_read(&host, 1, 1, 0, PCI_VENDOR_ID, 4), 0xffffffff);
	ck_assert_uint_eq(conf1_read(&host, 255, 0, 0, PCI_VENDOR_ID, 4), 0xffffffff);
	/* Writes to absent functions go nowhere. */
	cf8_write(&host, 0xcf8, 4, conf1_addr(0, 1, 1, PCI_INTERRUPT_LINE));
	cf8_write(&host, 0xcfc, 1, 0x0a);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_INTERRUPT_LINE, 1), 0);

	/* Enable bit clear: the data port answers nothing, even for 00.0. */
	cf8_write(&host, 0xcf8, 4, conf1_addr(0, 1, 0, PCI_INTERRUPT_LINE) & ~0x80000000U);
	ck_assert_uint_eq(cf8_read(&host, 0xcfc, 4), 0xffffffff);
	cf8_write(&host, 0xcfc, 1, 0x0b);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_INTERRUPT_LINE, 1), 0);
	cf8_write(&host, 0xcf8, 4, 0);
	ck_assert_uint_eq(cf8_read(&host, 0xcfc, 2), 0xffff);
	pci_device_destroy(&t.pci);
	pci_host_destroy(&host);
}
END_TEST

START_TEST(test_conf1_byte_lanes)
{
	struct pci_host host;

	host_setup(&host, false);
	cf8_write(&host, 0xcf8, 4, conf1_addr(0, 0, 0, PCI_CLASS_REVISION));
	ck_assert_uint_eq(cf8_read(&host, 0xcfc, 1), 0x00);	/* revision */
	ck_assert_uint_eq(cf8_read(&host, 0xcfd, 1), 0x00);	/* prog-if */
	ck_assert_uint_eq(cf8_read(&host, 0xcfe, 1), 0x00);	/* subclass */
	ck_assert_uint_eq(cf8_read(&host, 0xcff, 1), 0x06);	/* base class */
	ck_assert_uint_eq(cf8_read(&host, 0xcfe, 2), 0x0600);
	cf8_write(&host, 0xcf8, 4, conf1_addr(0, 0, 0, PCI_VENDOR_ID));
	ck_assert_uint_eq(cf8_read(&host, 0xcfc, 2), 0x1b36);
	ck_assert_uint_eq(cf8_read(&host, 0xcfe, 2), 0x0008);
	ck_assert_uint_eq(cf8_read(&host, 0xcfd, 1), 0x1b);
	/* Past the data dword, or misaligned in it: all-ones. */
	ck_assert_uint_eq(cf8_read(&host, 0xcfd, 4), 0xffffffff);
	ck_assert_uint_eq(cf8_read(&host, 0xcfe, 4), 0xffffffff);
	ck_assert_uint_eq(cf8_read(&host, 0xcfd, 2), 0xffff);

	/* Writes through the lanes: line at 0x3C, command word at 0x04. */
	conf1_write(&host, 0, PCI_INTERRUPT_LINE, 1, 0x0b);
	ck_assert_uint_eq(conf1_read(&host, 0, 0, 0, PCI_INTERRUPT_LINE, 4), 0x0b);
	conf1_write(&host, 0, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	ck_assert_uint_eq(conf1_read(&host, 0, 0, 0, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
	conf1_write(&host, 0, PCI_COMMAND + 1, 1, PCI_COMMAND_INTX_DISABLE >> 8);
	ck_assert_uint_eq(conf1_read(&host, 0, 0, 0, PCI_COMMAND, 2),
			  PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	pci_host_destroy(&host);
}
END_TEST

START_TEST(test_ecam_decode)
{
	struct pci_host host;
	struct test_device t;

	host_setup(&host, false);
	test_device_init(&t, 0x1001);
	ck_assert_int_eq(pci_host_add(&host, &t.pci), 0);
	ck_assert_uint_eq(ecam_read(&host, ecam_offset(0, 0, 0, 0), 4), 0x00081b36);
	ck_assert_uint_eq(ecam_read(&host, ecam_offset(0, 1, 0, 0), 4), 0x10011af4);
	ck_assert_uint_eq(ecam_read(&host, ecam_offset(0, 1, 0, 2), 2), 0x1001);
	ck_assert_uint_eq(ecam_read(&host, ecam_offset(0, 1, 1, 0), 4), 0xffffffff);
	ck_assert_uint_eq(ecam_read(&host, ecam_offset(0, 2, 0, 0), 4), 0xffffffff);
	/* Other buses exist in the window (16 MiB: 16 buses) but are empty. */
	ck_assert_uint_eq(ecam_read(&host, ecam_offset(1, 0, 0, 0), 4), 0xffffffff);
	ck_assert_uint_eq(ecam_read(&host, ecam_offset(1, 1, 0, 0), 4), 0xffffffff);
	ck_assert_uint_eq(ecam_read(&host, ecam_offset(15, 31, 7, 0xffc), 4), 0xffffffff);
	ck_assert_uint_eq(ecam_read(&host, 16 << 20, 4), 0xffffffff);
	ck_assert_uint_eq(ecam_read(&host, UINT64_MAX - 3, 4), 0xffffffff);
	/* Extended space of a present function reads 0; misaligned reads all-ones. */
	ck_assert_uint_eq(ecam_read(&host, ecam_offset(0, 1, 0, 0x100), 4), 0);
	ck_assert_uint_eq(ecam_read(&host, ecam_offset(0, 1, 0, 0xffc), 4), 0);
	ck_assert_uint_eq(ecam_read(&host, ecam_offset(0, 1, 0, 1), 2), 0xffff);
	ck_assert_uint_eq(ecam_read(&host, ecam_offset(0, 1, 0, 0xffe), 4), 0xffffffff);

	/* Writes reach the right function only. */
	ecam_write(&host, ecam_offset(0, 1, 0, PCI_INTERRUPT_LINE), 1, 0x0c);
	ecam_write(&host, ecam_offset(1, 1, 0, PCI_INTERRUPT_LINE), 1, 0x0d);
	ecam_write(&host, ecam_offset(0, 1, 2, PCI_INTERRUPT_LINE), 1, 0x0e);
	ck_assert_uint_eq(ecam_read(&host, ecam_offset(0, 1, 0, PCI_INTERRUPT_LINE), 1), 0x0c);
	ck_assert_uint_eq(ecam_read(&host, ecam_offset(0, 0, 0, PCI_INTERRUPT_LINE), 1), 0);
	/* ECAM and mechanism #1 see the same space. */
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_INTERRUPT_LINE, 1), 0x0c);
	pci_device_destroy(&t.pci);
	pci_host_destroy(&host);
}
END_TEST

static uint64_t bar_addr(struct pci_device *dev, unsigned int bar)
{
	uint64_t addr = 0;

	ck_assert(pci_bar_enabled(dev, bar, &addr));
	return addr;
}

START_TEST(test_placement_in_cut_window)
{
	struct pci_host host;
	struct test_device a, b;

	host_setup(&host, false);
	/* Largest first: A's 64 KiB does not fit the 32 KiB piece, its 16 KiB does. */
	test_device_init(&a, 0x1000);
	ck_assert_int_eq(pci_device_add_bar(&a.pci, 0, 0x4000, 0), 0);
	ck_assert_int_eq(pci_device_add_bar(&a.pci, 1, 0x10000, PCI_BAR_PREFETCH), 0);
	ck_assert_int_eq(pci_host_add(&host, &a.pci), 0);
	ck_assert_uint_eq(a.pci.devfn, 1 << 3);
	ck_assert_uint_eq(bar_addr(&a.pci, 1), MMIO32_1_BASE);
	ck_assert_uint_eq(bar_addr(&a.pci, 0), MMIO32_BASE);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_BASE_ADDRESS_0, 4), MMIO32_BASE);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_BASE_ADDRESS_1, 4),
			  MMIO32_1_BASE | PCI_BASE_ADDRESS_MEM_PREFETCH);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_COMMAND, 2),
			  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);

	/* B: the first 16 KiB fills the small piece, the second goes on. */
	test_device_init(&b, 0x1001);
	ck_assert_int_eq(pci_device_add_bar(&b.pci, 0, 0x4000, 0), 0);
	ck_assert_int_eq(pci_device_add_bar(&b.pci, 2, 0x4000, 0), 0);
	ck_assert_int_eq(pci_host_add(&host, &b.pci), 0);
	ck_assert_uint_eq(b.pci.devfn, 2 << 3);
	ck_assert_uint_eq(bar_addr(&b.pci, 0), MMIO32_BASE + 0x4000);
	ck_assert_uint_eq(bar_addr(&b.pci, 2), MMIO32_1_BASE + 0x10000);
	/* Enabling decoding told the transport where each BAR is. */
	ck_assert_uint_eq(b.remaps, 2);
	ck_assert(b.remap_enabled);
	ck_assert_uint_eq(ecam_read(&host, ecam_offset(0, 2, 0, 0), 4), 0x10011af4);
	pci_device_destroy(&a.pci);
	pci_device_destroy(&b.pci);
	pci_host_destroy(&host);
}
END_TEST

START_TEST(test_placement_64bit_and_io)
{
	struct pci_host host;
	struct test_device a, b;

	host_setup(&host, true);
	test_device_init(&a, 0x1000);
	ck_assert_int_eq(pci_device_add_bar(&a.pci, 0, 64, PCI_BAR_IO), 0);
	ck_assert_int_eq(pci_device_add_bar(&a.pci, 1, 0x1000, 0), 0);
	ck_assert_int_eq(pci_device_add_bar(&a.pci, 2, 0x100000, PCI_BAR_MEM64), 0);
	ck_assert_int_eq(pci_host_add(&host, &a.pci), 0);
	ck_assert_uint_eq(bar_addr(&a.pci, 0), IO_BASE);
	ck_assert_uint_eq(bar_addr(&a.pci, 1), MMIO32_BASE);
	ck_assert_uint_eq(bar_addr(&a.pci, 2), MMIO64_BASE);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_BASE_ADDRESS_0, 4), IO_BASE | 1);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_BASE_ADDRESS_2, 4), 0x4);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_BASE_ADDRESS_3, 4), 0x8);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_COMMAND, 2),
			  PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pci_device_destroy(&a.pci);

	/* 32 MiB fits only the 64-bit window: a 32-bit BAR cannot go there. */
	test_device_init(&b, 0x1001);
	ck_assert_int_eq(pci_device_add_bar(&b.pci, 0, 32ULL << 20, 0), 0);
	ck_assert_int_eq(pci_host_add(&host, &b.pci), -ENOSPC);
	pci_device_destroy(&b.pci);
	test_device_init(&b, 0x1001);
	ck_assert_int_eq(pci_device_add_bar(&b.pci, 0, 32ULL << 20, PCI_BAR_MEM64), 0);
	ck_assert_int_eq(pci_host_add(&host, &b.pci), 0);
	ck_assert_uint_eq(bar_addr(&b.pci, 0), MMIO64_BASE + (32ULL << 20));
	pci_device_destroy(&b.pci);
	pci_host_destroy(&host);

	/* No 64-bit window: a 64-bit BAR goes below 4 GiB. */
	host_setup(&host, false);
	test_device_init(&b, 0x1001);
	ck_assert_int_eq(pci_device_add_bar(&b.pci, 0, 0x4000, PCI_BAR_MEM64 | PCI_BAR_PREFETCH), 0);
	ck_assert_int_eq(pci_host_add(&host, &b.pci), 0);
	ck_assert_uint_eq(bar_addr(&b.pci, 0), MMIO32_BASE);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_BASE_ADDRESS_1, 4), 0);
	pci_device_destroy(&b.pci);
	pci_host_destroy(&host);
}
END_TEST

START_TEST(test_placement_enospc)
{
	struct pci_host host, before;
	struct test_device *t = calloc(PCI_MAX_DEVICES, sizeof(*t));
	struct vm_plan plan;

	ck_assert_ptr_nonnull(t);
	host_setup(&host, false);
	/* The last BAR does not fit: nothing is placed, the slot stays free. */
	test_device_init(&t[0], 0x1000);
	ck_assert_int_eq(pci_device_add_bar(&t[0].pci, 0, 0x1000, 0), 0);
	ck_assert_int_eq(pci_device_add_bar(&t[0].pci, 1, 32ULL << 20, 0), 0);
	memcpy(&before, &host, sizeof(host));
	ck_assert_int_eq(pci_host_add(&host, &t[0].pci), -ENOSPC);
	ck_assert_uint_eq(host.nr_devices, 1);
	ck_assert_mem_eq(host.mem, before.mem, sizeof(host.mem));
	ck_assert_uint_eq(t[0].remaps, 0);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_VENDOR_ID, 4), 0xffffffff);
	pci_device_destroy(&t[0].pci);

	/* Windows fill up: a second 16 MiB BAR has no room left. */
	test_device_init(&t[0], 0x1000);
	ck_assert_int_eq(pci_device_add_bar(&t[0].pci, 0, 16ULL << 20, 0), 0);
	ck_assert_int_eq(pci_host_add(&host, &t[0].pci), 0);
	test_device_init(&t[1], 0x1001);
	ck_assert_int_eq(pci_device_add_bar(&t[1].pci, 0, 0x10000, 0), 0);
	ck_assert_int_eq(pci_host_add(&host, &t[1].pci), -ENOSPC);
	pci_device_destroy(&t[1].pci);

	/* 32 devices on the bus (the bridge is one): the 33rd has no slot. */
	for (unsigned int i = 1; i < PCI_MAX_DEVICES - 1; i++) {
		test_device_init(&t[i], 0x1000 + i);
		ck_assert_int_eq(pci_host_add(&host, &t[i].pci), 0);
		ck_assert_uint_eq(t[i].pci.devfn, (i + 1) << 3);
	}
	ck_assert_uint_eq(host.nr_devices, PCI_MAX_DEVICES);
	test_device_init(&t[PCI_MAX_DEVICES - 1], 0x2000);
	ck_assert_int_eq(pci_host_add(&host, &t[PCI_MAX_DEVICES - 1].pci), -ENOSPC);
	ck_assert_uint_eq(conf1_read(&host, 0, 31, 0, PCI_DEVICE_ID, 2), 0x1000 + 30);
	for (unsigned int i = 0; i < PCI_MAX_DEVICES; i++)
		pci_device_destroy(&t[i].pci);
	pci_host_destroy(&host);

	/* An I/O BAR with no port window (arm64). */
	make_plan(&plan, false);
	ck_assert_int_eq(pci_host_init(&host, &plan, 0, 0), 0);
	memplan_free(&plan);
	test_device_init(&t[0], 0x1000);
	ck_assert_int_eq(pci_device_add_bar(&t[0].pci, 0, 16, PCI_BAR_IO), 0);
	ck_assert_int_eq(pci_host_add(&host, &t[0].pci), -ENOSPC);
	pci_device_destroy(&t[0].pci);
	pci_host_destroy(&host);
	free(t);
}
END_TEST

START_TEST(test_window_dispatch)
{
	struct pci_host host;
	struct test_device a, b;
	uint8_t data[4] = { 1, 2, 3, 4 };

	host_setup(&host, true);
	test_device_init(&a, 0x1000);
	ck_assert_int_eq(pci_device_add_bar(&a.pci, 0, 0x1000, 0), 0);
	ck_assert_int_eq(pci_device_add_bar(&a.pci, 1, 32, PCI_BAR_IO), 0);
	ck_assert_int_eq(pci_host_add(&host, &a.pci), 0);
	test_device_init(&b, 0x1001);
	ck_assert_int_eq(pci_device_add_bar(&b.pci, 0, 0x1000, 0), 0);
	ck_assert_int_eq(pci_device_add_bar(&b.pci, 2, 0x2000, PCI_BAR_MEM64), 0);
	ck_assert_int_eq(pci_host_add(&host, &b.pci), 0);
	ck_assert_uint_eq(bar_addr(&b.pci, 0), MMIO32_BASE + 0x1000);
	ck_assert_uint_eq(bar_addr(&b.pci, 2), MMIO64_BASE);

	/* B's BAR 0 at +0x10. */
	ck_assert_uint_eq(window_read(&host, false, MMIO32_BASE + 0x1010, 4), 0xa3a2a1a0);
	ck_assert_uint_eq(b.access.calls, 1);
	ck_assert_uint_eq(b.access.bar, 0);
	ck_assert_uint_eq(b.access.offset, 0x10);
	ck_assert_uint_eq(b.access.size, 4);
	ck_assert_uint_eq(a.access.calls, 0);
	pci_host_window_access(&host, false, MMIO64_BASE + 0x1ffe, data, 2, true);
	ck_assert_uint_eq(b.access.calls, 2);
	ck_assert_uint_eq(b.access.bar, 2);
	ck_assert_uint_eq(b.access.offset, 0x1ffe);
	ck_assert(b.access.is_write);
	ck_assert_mem_eq(b.access.data, data, 2);
	/* A's BAR 0 at its last byte; A's I/O BAR through the port window. */
	ck_assert_uint_eq(window_read(&host, false, MMIO32_BASE + 0xfff, 1), 0xa0);
	ck_assert_uint_eq(a.access.offset, 0xfff);
	ck_assert_uint_eq(window_read(&host, true, IO_BASE + 0x1c, 4), 0xa3a2a1a0);
	ck_assert_uint_eq(a.access.calls, 2);
	ck_assert_uint_eq(a.access.bar, 1);
	ck_assert_uint_eq(a.access.offset, 0x1c);
	/* A memory access at the I/O BAR's number hits nothing, and back. */
	ck_assert_uint_eq(window_read(&host, false, IO_BASE, 4), 0xffffffff);
	ck_assert_uint_eq(window_read(&host, true, MMIO32_BASE, 4), 0xffffffff);

	/* Between BARs, past them, or straddling a BAR's end: nobody. */
	ck_assert_uint_eq(window_read(&host, false, MMIO32_BASE + 0x2000, 4), 0xffffffff);
	ck_assert_uint_eq(window_read(&host, false, MMIO32_BASE + 0xffe, 4), 0xffffffff);
	ck_assert_uint_eq(window_read(&host, false, MMIO64_BASE + 0x2000, 4), 0xffffffff);
	ck_assert_uint_eq(window_read(&host, true, IO_BASE + 0x1e, 4), 0xffffffff);
	pci_host_window_access(&host, false, MMIO32_BASE + 0x3000, data, 4, true);
	ck_assert_uint_eq(a.access.calls, 2);
	ck_assert_uint_eq(b.access.calls, 2);

	/* The guest turns memory decoding off: B's BARs vanish, A's stay. */
	ecam_write(&host, ecam_offset(0, 2, 0, PCI_COMMAND), 2, PCI_COMMAND_MASTER);
	ck_assert_uint_eq(window_read(&host, false, MMIO32_BASE + 0x1010, 4), 0xffffffff);
	ck_assert_uint_eq(window_read(&host, false, MMIO64_BASE, 4), 0xffffffff);
	ck_assert_uint_eq(b.access.calls, 2);
	ck_assert_uint_eq(window_read(&host, false, MMIO32_BASE, 4), 0xa3a2a1a0);
	pci_device_destroy(&a.pci);
	pci_device_destroy(&b.pci);
	pci_host_destroy(&host);
}
END_TEST

START_TEST(test_guest_moves_bar)
{
	struct pci_host host;
	struct test_device t;

	host_setup(&host, false);
	test_device_init(&t, 0x1000);
	ck_assert_int_eq(pci_device_add_bar(&t.pci, 0, 0x1000, 0), 0);
	ck_assert_int_eq(pci_host_add(&host, &t.pci), 0);
	ck_assert_uint_eq(t.remaps, 1);
	ck_assert_uint_eq(t.remap_addr, MMIO32_BASE);

	/* Linux-style: decoding off, size, place, decoding on. */
	conf1_write(&host, 1, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	ck_assert_uint_eq(t.remaps, 2);
	ck_assert(!t.remap_enabled);
	conf1_write(&host, 1, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_BASE_ADDRESS_0, 4), 0xfffff000);
	conf1_write(&host, 1, PCI_BASE_ADDRESS_0, 4, MMIO32_1_BASE + 0x5000);
	ck_assert_uint_eq(t.remaps, 2);
	conf1_write(&host, 1, PCI_COMMAND, 2, PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(t.remaps, 3);
	ck_assert(t.remap_enabled);
	ck_assert_uint_eq(t.remap_addr, MMIO32_1_BASE + 0x5000);

	/* Dispatch follows: the old place is empty, the new one answers. */
	ck_assert_uint_eq(window_read(&host, false, MMIO32_BASE, 4), 0xffffffff);
	ck_assert_uint_eq(window_read(&host, false, MMIO32_1_BASE + 0x5008, 4), 0xa3a2a1a0);
	ck_assert_uint_eq(t.access.offset, 8);

	/* Moved again through ECAM with decoding on. */
	ecam_write(&host, ecam_offset(0, 1, 0, PCI_BASE_ADDRESS_0), 4, MMIO32_1_BASE);
	ck_assert_uint_eq(t.remaps, 4);
	ck_assert_uint_eq(t.remap_addr, MMIO32_1_BASE);
	ck_assert_uint_eq(window_read(&host, false, MMIO32_1_BASE + 4, 4), 0xa3a2a1a0);
	ck_assert_uint_eq(t.access.offset, 4);
	pci_device_destroy(&t.pci);
	pci_host_destroy(&host);
}
END_TEST

START_TEST(test_register_on_buses)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	struct pci_host host;
	struct test_device t;
	uint8_t b[4];
	uint32_t v;

	ck_assert_ptr_nonnull(vm);
	bus_init(&vm->pio_bus, "pio");
	bus_init(&vm->mmio_bus, "mmio");
	host_setup(&host, true);
	test_device_init(&t, 0x1000);
	ck_assert_int_eq(pci_device_add_bar(&t.pci, 0, 0x1000, 0), 0);
	ck_assert_int_eq(pci_device_add_bar(&t.pci, 1, 16, PCI_BAR_IO), 0);
	ck_assert_int_eq(pci_host_add(&host, &t.pci), 0);
	ck_assert_int_eq(pci_host_register(&host, vm, true), 0);
	/* cf8, io window; ecam, three memory windows */
	ck_assert_uint_eq(vm->pio_bus.nr_ranges, 2);
	ck_assert_uint_eq(vm->mmio_bus.nr_ranges, 4);

	/* The type-1 probe through the port bus. */
	b[0] = 1;
	ck_assert(bus_access(&vm->pio_bus, 0xcfb, b, 1, true));
	v = 0x80000000;
	ck_assert(bus_access(&vm->pio_bus, 0xcf8, (uint8_t *)&v, 4, true));
	v = 0;
	ck_assert(bus_access(&vm->pio_bus, 0xcf8, (uint8_t *)&v, 4, false));
	ck_assert_uint_eq(v, 0x80000000);
	v = conf1_addr(0, 1, 0, PCI_VENDOR_ID);
	ck_assert(bus_access(&vm->pio_bus, 0xcf8, (uint8_t *)&v, 4, true));
	ck_assert(bus_access(&vm->pio_bus, 0xcfe, b, 2, false));
	ck_assert_uint_eq(b[0] | b[1] << 8, 0x1000);

	/* ECAM through the MMIO bus. */
	ck_assert(bus_access(&vm->mmio_bus, ECAM_BASE + ecam_offset(0, 1, 0, 0), b, 4, false));
	ck_assert_uint_eq(b[0] | b[1] << 8, 0x1af4);

	/* BARs through their windows. */
	ck_assert(bus_access(&vm->mmio_bus, MMIO32_BASE + 0x20, b, 4, false));
	ck_assert_uint_eq(b[0], 0xa0);
	ck_assert_uint_eq(t.access.offset, 0x20);
	ck_assert(bus_access(&vm->pio_bus, IO_BASE + 4, b, 2, false));
	ck_assert_uint_eq(t.access.bar, 1);
	ck_assert_uint_eq(t.access.offset, 4);
	ck_assert(bus_access(&vm->mmio_bus, MMIO64_BASE, b, 4, false));
	ck_assert_uint_eq(b[0], 0xff);
	ck_assert_uint_eq(t.access.calls, 2);

	bus_destroy(&vm->pio_bus);
	bus_destroy(&vm->mmio_bus);

	/* arm64: no port config mechanism, no port window. */
	bus_init(&vm->pio_bus, "pio");
	bus_init(&vm->mmio_bus, "mmio");
	host.io.size = 0;
	ck_assert_int_eq(pci_host_register(&host, vm, false), 0);
	ck_assert_uint_eq(vm->pio_bus.nr_ranges, 0);
	ck_assert_uint_eq(vm->mmio_bus.nr_ranges, 4);
	/* Registering twice collides. */
	ck_assert_int_eq(pci_host_register(&host, vm, false), -EEXIST);
	bus_destroy(&vm->pio_bus);
	bus_destroy(&vm->mmio_bus);

	pci_device_destroy(&t.pci);
	pci_host_destroy(&host);
	free(vm);
}
END_TEST

/*
 * Like firmware, pci_host_add routes each pin by the swizzle and writes
 * the line into Interrupt Line, which the guest reads through 0xCF8.
 */
START_TEST(test_intx_routing)
{
	struct pci_host host;
	struct test_device *t = calloc(10, sizeof(*t));

	ck_assert_ptr_nonnull(t);
	host_setup(&host, false);
	pci_host_set_intx(&host, 16, 8);
	for (unsigned int i = 0; i < 10; i++) {
		test_device_init(&t[i], 0x1000 + i);
		/* Device 3 has no pin; device 5 uses INTC. */
		if (i != 2)
			pci_device_set_intx_pin(&t[i].pci, i == 4 ? 3 : 1);
		ck_assert_int_eq(pci_host_add(&host, &t[i].pci), 0);
	}
	/* Slot s (i + 1), INTA: 16 + s % 8; slot 5 INTC: 16 + (5 + 2) % 8. */
	ck_assert_int_eq(t[0].pci.intx_line, 17);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_INTERRUPT_LINE, 1), 17);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_INTERRUPT_PIN, 1), 1);
	ck_assert_int_eq(t[2].pci.intx_line, -1);
	ck_assert_uint_eq(conf1_read(&host, 0, 3, 0, PCI_INTERRUPT_PIN, 1), 0);
	ck_assert_int_eq(t[4].pci.intx_line, 23);
	ck_assert_uint_eq(conf1_read(&host, 0, 5, 0, PCI_INTERRUPT_LINE, 1), 23);
	ck_assert_int_eq(t[7].pci.intx_line, 16);	/* slot 8 wraps */
	ck_assert_int_eq(t[9].pci.intx_line, 18);
	for (unsigned int i = 0; i < 10; i++)
		pci_device_destroy(&t[i].pci);
	pci_host_destroy(&host);

	/* Without lines (no pci_host_set_intx), a pin is not routed. */
	host_setup(&host, false);
	test_device_init(&t[0], 0x1000);
	pci_device_set_intx_pin(&t[0].pci, 1);
	ck_assert_int_eq(pci_host_add(&host, &t[0].pci), 0);
	ck_assert_int_eq(t[0].pci.intx_line, -1);
	ck_assert_uint_eq(conf1_read(&host, 0, 1, 0, PCI_INTERRUPT_LINE, 1), 0);
	pci_device_destroy(&t[0].pci);
	pci_host_destroy(&host);
	free(t);
}
END_TEST

Suite *pci_host_suite(void)
{
	Suite *s = suite_create("pci_host");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, test_init_from_plan);
	tcase_add_test(tc, test_init_from_x86_plan);
	tcase_add_test(tc, test_linux_type1_probe);
	tcase_add_test(tc, test_conf1_absent_and_disabled);
	tcase_add_test(tc, test_conf1_byte_lanes);
	tcase_add_test(tc, test_ecam_decode);
	suite_add_tcase(s, tc);

	tc = tcase_create("bars");
	tcase_add_test(tc, test_placement_in_cut_window);
	tcase_add_test(tc, test_placement_64bit_and_io);
	tcase_add_test(tc, test_placement_enospc);
	tcase_add_test(tc, test_window_dispatch);
	tcase_add_test(tc, test_guest_moves_bar);
	tcase_add_test(tc, test_register_on_buses);
	tcase_add_test(tc, test_intx_routing);
	suite_add_tcase(s, tc);
	return s;
}
