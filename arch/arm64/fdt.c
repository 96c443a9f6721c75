// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 device tree, written in one pass with libfdt's sequential-write
 * API. The writers below keep the first libfdt error and skip the rest, so
 * each node reads as the list of its properties; the error is looked at
 * once, at the end.
 */
#include <errno.h>
#include <libfdt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arch/arm64/fdt.h"
#include "devices/pci.h"
#include "vmm/util.h"

/* The GIC binding's interrupt specifier: <type number flags>. */
#define GIC_SPI			0
#define GIC_PPI			1
#define IRQ_LEVEL_HIGH		4
#define IRQ_LEVEL_LOW		8
#define GICV2_MAX_CPUS		8
#define GIC_LAST_SPI		987	/* INTID 1019 */
/* MPIDR_EL1's Aff3 (39:32) and Aff2..Aff0 (23:0); bit 31 is RES1. */
#define MPIDR_AFFINITY		0xff00ffffffULL

static const char psci_compatible[] = "arm,psci-1.0\0arm,psci-0.2";

/* Generic timer PPIs: secure, non-secure physical, virtual, hypervisor. */
static const uint32_t timer_ppis[] = { 13, 14, 11, 10 };

#define UART_CLOCK_HZ		1843200

/* PCI address space codes in the first cell of a child address. */
#define PCI_SPACE_MEM32		0x02000000U
#define PCI_SPACE_MEM64_PREF	0x43000000U
#define PCI_MAX_WINDOWS		64
/* The INTx swizzle repeats every 4 slots: the map keys on the slot's low 2 bits. */
#define PCI_IMAP_SLOT_MASK	0x1800U
#define PCI_IMAP_SLOTS		4
/* 3 address cells, the pin, the GIC's phandle, 2 GIC address cells, 3 irq cells */
#define PCI_IMAP_CELLS		10
/* msi-map: requester IDs 0..0xffff become ITS device IDs 0..0xffff. */
#define PCI_RID_COUNT		0x10000U

struct dt {
	void *fdt;
	int ret;			/* the first libfdt error */
	const struct arm64_fdt_desc *desc;
	const struct plan_region *dist, *redist, *cpu, *msi, *uart, *ecam;
	char uart_path[40];
	char *err;
	size_t errlen;
};

static void dt_begin(struct dt *dt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void dt_begin(struct dt *dt, const char *fmt, ...)
{
	char name[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (!dt->ret)
		dt->ret = fdt_begin_node(dt->fdt, name);
}

static void dt_end(struct dt *dt)
{
	if (!dt->ret)
		dt->ret = fdt_end_node(dt->fdt);
}

static void dt_raw(struct dt *dt, const char *name, const void *val, size_t len)
{
	if (!dt->ret)
		dt->ret = fdt_property(dt->fdt, name, val, len);
}

static void dt_string(struct dt *dt, const char *name, const char *val)
{
	dt_raw(dt, name, val, strlen(val) + 1);
}

static void dt_empty(struct dt *dt, const char *name)
{
	dt_raw(dt, name, NULL, 0);
}

static void dt_u32(struct dt *dt, const char *name, uint32_t val)
{
	if (!dt->ret)
		dt->ret = fdt_property_u32(dt->fdt, name, val);
}

static void dt_u64(struct dt *dt, const char *name, uint64_t val)
{
	if (!dt->ret)
		dt->ret = fdt_property_u64(dt->fdt, name, val);
}

/* Cells go out byte by byte: the caller's buffer need not be 4-byte aligned inside. */
static void dt_cells(struct dt *dt, const char *name, const uint32_t *cells, size_t n)
{
	uint8_t *val;
	size_t i;

	if (dt->ret)
		return;
	dt->ret = fdt_property_placeholder(dt->fdt, name, (int)(n * 4), (void **)&val);
	for (i = 0; !dt->ret && i < n; i++) {
		val[4 * i] = cells[i] >> 24;
		val[4 * i + 1] = cells[i] >> 16;
		val[4 * i + 2] = cells[i] >> 8;
		val[4 * i + 3] = cells[i];
	}
}

/* reg of up to two <address size> pairs in the root's 2+2 cells. */
static void dt_reg(struct dt *dt, const struct plan_region *a, const struct plan_region *b)
{
	uint32_t cells[8] = {
		a->start >> 32, a->start, a->size >> 32, a->size,
	};

	if (b) {
		cells[4] = b->start >> 32;
		cells[5] = b->start;
		cells[6] = b->size >> 32;
		cells[7] = b->size;
	}
	dt_cells(dt, "reg", cells, b ? 8 : 4);
}

static int invalid(const struct dt *dt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int invalid(const struct dt *dt, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(dt->err, dt->errlen, "device tree: %s", msg);
	return -EINVAL;
}

static bool is_window(const struct plan_region *r, const char *name)
{
	size_t len = strlen(name);

	/* A window a host region cut is "name", "name.1", ... */
	return r->kind == PLAN_MMIO_WINDOW && !strncmp(r->name, name, len) &&
	       (r->name[len] == '\0' || r->name[len] == '.');
}

static int find_frame(const struct dt *dt, const char *name, const char *what,
		      const struct plan_region **frame)
{
	*frame = memplan_find(dt->desc->plan, name);
	if (!*frame || !(*frame)->size)
		return invalid(dt, "the plan has no \"%s\" frame (%s)", name, what);
	return 0;
}

static int check_cpus(const struct dt *dt)
{
	const struct arm64_fdt_desc *desc = dt->desc;
	unsigned int i, j;

	if (!desc->nr_cpus || !desc->mpidrs)
		return invalid(dt, "no vCPUs or no MPIDRs");
	if (!desc->gic_v3 && desc->nr_cpus > GICV2_MAX_CPUS)
		return invalid(dt, "GICv2 serves at most %d vCPUs, not %u (use GICv3)",
			       GICV2_MAX_CPUS, desc->nr_cpus);
	/* Node names come from MPIDRs: two equal ones would make one node twice. */
	for (i = 0; i < desc->nr_cpus; i++)
		for (j = 0; j < i; j++)
			if (!((desc->mpidrs[i] ^ desc->mpidrs[j]) & MPIDR_AFFINITY))
				return invalid(dt, "vCPUs %u and %u have the same MPIDR affinity 0x%llx",
					       j, i, (unsigned long long)(desc->mpidrs[i] & MPIDR_AFFINITY));
	return 0;
}

static int check_irqs(const struct dt *dt)
{
	const struct arm64_fdt_desc *desc = dt->desc;
	uint64_t last_v2m = (uint64_t)desc->v2m_spi_base + desc->v2m_nr_spis - 1;

	if (desc->its && desc->v2m)
		return invalid(dt, "an ITS and a GICv2m frame both asked for: one MSI controller only");
	if (desc->its && !desc->gic_v3)
		return invalid(dt, "an ITS needs a GICv3");
	if (desc->v2m && (!desc->v2m_nr_spis || last_v2m > GIC_LAST_SPI))
		return invalid(dt, "GICv2m SPIs %u+%u are not within SPIs 0-%d",
			       desc->v2m_spi_base, desc->v2m_nr_spis, GIC_LAST_SPI);
	if (desc->uart_spi > GIC_LAST_SPI)
		return invalid(dt, "UART SPI %u is above %d", desc->uart_spi, GIC_LAST_SPI);
	if (desc->pci_intx_spi > GIC_LAST_SPI - (PCI_INTX_PINS - 1))
		return invalid(dt, "PCI INTx SPIs %u-%u go above %d", desc->pci_intx_spi,
			       desc->pci_intx_spi + PCI_INTX_PINS - 1, GIC_LAST_SPI);
	if (desc->initrd_size && desc->initrd_start + desc->initrd_size < desc->initrd_start)
		return invalid(dt, "initrd 0x%llx of 0x%llx bytes wraps around",
			       (unsigned long long)desc->initrd_start,
			       (unsigned long long)desc->initrd_size);
	return 0;
}

static int check_pci(const struct dt *dt)
{
	const struct vm_plan *plan = dt->desc->plan;
	size_t i, windows = 0;

	if (dt->ecam->size % SZ_1M || dt->ecam->size > 256 * SZ_1M)
		return invalid(dt, "ECAM of 0x%llx bytes is not 1 to 256 buses of 1 MiB",
			       (unsigned long long)dt->ecam->size);
	for (i = 0; i < plan->nr_regions; i++) {
		const struct plan_region *r = &plan->regions[i];

		if (is_window(r, "pci-mmio32") && r->start + r->size > SZ_4G)
			return invalid(dt, "32-bit PCI window %s 0x%llx-0x%llx ends above 4 GiB",
				       r->name, (unsigned long long)r->start,
				       (unsigned long long)(r->start + r->size - 1));
		if (is_window(r, "pci-mmio32") || is_window(r, "pci-mmio64"))
			windows++;
	}
	if (windows > PCI_MAX_WINDOWS)
		return invalid(dt, "%zu PCI windows, at most %d", windows, PCI_MAX_WINDOWS);
	return 0;
}

/* Everything the tree needs, before a byte of it is written. */
static int dt_check(struct dt *dt)
{
	const struct arm64_fdt_desc *desc = dt->desc;
	int ret;

	if (!desc->plan)
		return invalid(dt, "no plan");
	if (!memplan_ram_total(desc->plan))
		return invalid(dt, "the plan has no RAM bank");
	ret = check_cpus(dt);
	if (!ret)
		ret = check_irqs(dt);
	if (!ret)
		ret = find_frame(dt, "gic-dist", "the GIC distributor", &dt->dist);
	if (!ret && desc->gic_v3)
		ret = find_frame(dt, "gic-redist", "the GICv3 redistributors", &dt->redist);
	if (!ret && !desc->gic_v3)
		ret = find_frame(dt, "gic-cpu", "the GICv2 CPU interface", &dt->cpu);
	if (!ret && desc->its)
		ret = find_frame(dt, "gic-its", "the ITS asked for", &dt->msi);
	if (!ret && desc->v2m)
		ret = find_frame(dt, "gicv2m", "the GICv2m frame asked for", &dt->msi);
	if (!ret)
		ret = find_frame(dt, "uart", "the console UART", &dt->uart);
	if (!ret)
		ret = find_frame(dt, "pci-ecam", "PCI config space", &dt->ecam);
	if (!ret)
		ret = check_pci(dt);
	return ret;
}

static void dt_chosen(struct dt *dt)
{
	const struct arm64_fdt_desc *desc = dt->desc;

	dt_begin(dt, "aliases");
	dt_string(dt, "serial0", dt->uart_path);
	dt_end(dt);

	dt_begin(dt, "chosen");
	if (desc->bootargs)
		dt_string(dt, "bootargs", desc->bootargs);
	dt_string(dt, "stdout-path", dt->uart_path);
	if (desc->initrd_size) {
		dt_u64(dt, "linux,initrd-start", desc->initrd_start);
		dt_u64(dt, "linux,initrd-end", desc->initrd_start + desc->initrd_size);
	}
	dt_end(dt);
}

/* One node per bank, holes and all: the guest must not touch a host's hole. */
static void dt_memory(struct dt *dt)
{
	const struct vm_plan *plan = dt->desc->plan;
	size_t i;

	for (i = 0; i < plan->nr_regions; i++) {
		const struct plan_region *r = &plan->regions[i];

		if (r->kind != PLAN_RAM)
			continue;
		dt_begin(dt, "memory@%llx", (unsigned long long)r->start);
		dt_string(dt, "device_type", "memory");
		dt_reg(dt, r, NULL);
		dt_end(dt);
	}
}

static void dt_cpus(struct dt *dt)
{
	const struct arm64_fdt_desc *desc = dt->desc;
	unsigned int i;

	dt_begin(dt, "cpus");
	/* Two cells: Aff3 in the first, Aff2..Aff0 in the second. */
	dt_u32(dt, "#address-cells", 2);
	dt_u32(dt, "#size-cells", 0);
	for (i = 0; i < desc->nr_cpus; i++) {
		uint64_t aff = desc->mpidrs[i] & MPIDR_AFFINITY;
		uint32_t reg[2] = { aff >> 32, aff & 0xffffff };

		dt_begin(dt, "cpu@%llx", (unsigned long long)aff);
		dt_string(dt, "device_type", "cpu");
		dt_string(dt, "compatible", "arm,armv8");
		dt_string(dt, "enable-method", "psci");
		dt_cells(dt, "reg", reg, 2);
		dt_end(dt);
	}
	dt_end(dt);

	/* KVM's PSCI, called with HVC; 0.2 and later have fixed function IDs. */
	dt_begin(dt, "psci");
	dt_raw(dt, "compatible", psci_compatible, sizeof(psci_compatible));
	dt_string(dt, "method", "hvc");
	dt_end(dt);
}

static void dt_timer(struct dt *dt)
{
	uint32_t cells[3 * ARRAY_SIZE(timer_ppis)];
	uint32_t flags = IRQ_LEVEL_LOW;
	size_t i;

	/* GICv2 PPIs name the CPUs they reach (bits 15:8); GICv3's do not. */
	if (!dt->desc->gic_v3)
		flags |= ((1U << dt->desc->nr_cpus) - 1) << 8;
	for (i = 0; i < ARRAY_SIZE(timer_ppis); i++) {
		cells[3 * i] = GIC_PPI;
		cells[3 * i + 1] = timer_ppis[i];
		cells[3 * i + 2] = flags;
	}
	dt_begin(dt, "timer");
	dt_string(dt, "compatible", "arm,armv8-timer");
	dt_cells(dt, "interrupts", cells, ARRAY_SIZE(cells));
	dt_end(dt);
}

static void dt_msi(struct dt *dt)
{
	const struct arm64_fdt_desc *desc = dt->desc;

	if (desc->its) {
		dt_begin(dt, "msi-controller@%llx", (unsigned long long)dt->msi->start);
		dt_string(dt, "compatible", "arm,gic-v3-its");
		dt_empty(dt, "msi-controller");
		dt_u32(dt, "#msi-cells", 1);
		dt_reg(dt, dt->msi, NULL);
		dt_u32(dt, "phandle", ARM64_FDT_PHANDLE_MSI);
		dt_end(dt);
	} else if (desc->v2m) {
		dt_begin(dt, "v2m@%llx", (unsigned long long)dt->msi->start);
		dt_string(dt, "compatible", "arm,gic-v2m-frame");
		dt_empty(dt, "msi-controller");
		dt_reg(dt, dt->msi, NULL);
		/* An INTID, not a 0-based SPI: Linux checks it against 32..1019. */
		dt_u32(dt, "arm,msi-base-spi", 32 + desc->v2m_spi_base);
		dt_u32(dt, "arm,msi-num-spis", desc->v2m_nr_spis);
		dt_u32(dt, "phandle", ARM64_FDT_PHANDLE_MSI);
		dt_end(dt);
	}
}

static void dt_gic(struct dt *dt)
{
	bool v3 = dt->desc->gic_v3;

	dt_begin(dt, "intc@%llx", (unsigned long long)dt->dist->start);
	dt_string(dt, "compatible", v3 ? "arm,gic-v3" : "arm,cortex-a15-gic");
	dt_empty(dt, "interrupt-controller");
	dt_u32(dt, "#interrupt-cells", 3);
	dt_reg(dt, dt->dist, v3 ? dt->redist : dt->cpu);
	if (v3)
		dt_u32(dt, "#redistributor-regions", 1);
	/* The MSI frame is a child in the same address space. */
	dt_u32(dt, "#address-cells", 2);
	dt_u32(dt, "#size-cells", 2);
	dt_empty(dt, "ranges");
	dt_u32(dt, "phandle", ARM64_FDT_PHANDLE_GIC);
	dt_msi(dt);
	dt_end(dt);
}

static void dt_uart(struct dt *dt)
{
	uint32_t irq[3] = { GIC_SPI, dt->desc->uart_spi, IRQ_LEVEL_HIGH };

	dt_begin(dt, "%s", dt->uart_path + 1);
	dt_string(dt, "compatible", "ns16550a");
	dt_reg(dt, dt->uart, NULL);
	dt_cells(dt, "interrupts", irq, 3);
	dt_u32(dt, "clock-frequency", UART_CLOCK_HZ);
	dt_u32(dt, "reg-shift", 0);
	dt_u32(dt, "reg-io-width", 1);
	dt_end(dt);
}

/* Identity-mapped windows: a BAR's PCI address is its guest physical address. */
static void dt_pci_ranges(struct dt *dt)
{
	const struct vm_plan *plan = dt->desc->plan;
	uint32_t cells[PCI_MAX_WINDOWS * 7];
	size_t i, n = 0;

	for (i = 0; i < plan->nr_regions; i++) {
		const struct plan_region *r = &plan->regions[i];
		uint32_t space;

		if (is_window(r, "pci-mmio32"))
			space = PCI_SPACE_MEM32;
		else if (is_window(r, "pci-mmio64"))
			space = PCI_SPACE_MEM64_PREF;
		else
			continue;
		cells[n++] = space;
		cells[n++] = r->start >> 32;
		cells[n++] = r->start;
		cells[n++] = r->start >> 32;
		cells[n++] = r->start;
		cells[n++] = r->size >> 32;
		cells[n++] = r->size;
	}
	/* No window: no ranges at all, as an empty one would map everything. */
	if (n)
		dt_cells(dt, "ranges", cells, n);
}

/*
 * INTA..INTD of slot s, pin p (1-4) swizzled onto pci_intx_spi + (s + p - 1) % 4,
 * the lines pci_host_add gives the devices (arch_pci_info).
 */
static void dt_pci_intx(struct dt *dt)
{
	uint32_t map[PCI_IMAP_SLOTS * PCI_INTX_PINS * PCI_IMAP_CELLS];
	uint32_t mask[4] = { PCI_IMAP_SLOT_MASK, 0, 0, 7 };
	uint32_t slot, pin, *e = map;

	for (slot = 0; slot < PCI_IMAP_SLOTS; slot++) {
		for (pin = 1; pin <= PCI_INTX_PINS; pin++) {
			*e++ = slot << 11;
			*e++ = 0;
			*e++ = 0;
			*e++ = pin;
			*e++ = ARM64_FDT_PHANDLE_GIC;
			*e++ = 0;	/* the GIC's #address-cells is 2 */
			*e++ = 0;
			*e++ = GIC_SPI;
			*e++ = dt->desc->pci_intx_spi +
			       pci_intx_swizzle(slot, pin, PCI_INTX_PINS);
			*e++ = IRQ_LEVEL_HIGH;
		}
	}
	dt_cells(dt, "interrupt-map-mask", mask, 4);
	dt_cells(dt, "interrupt-map", map, ARRAY_SIZE(map));
}

static void dt_pci(struct dt *dt)
{
	const struct arm64_fdt_desc *desc = dt->desc;
	uint32_t bus_range[2] = { 0, dt->ecam->size / SZ_1M - 1 };

	dt_begin(dt, "pci@%llx", (unsigned long long)dt->ecam->start);
	dt_string(dt, "compatible", "pci-host-ecam-generic");
	dt_string(dt, "device_type", "pci");
	dt_reg(dt, dt->ecam, NULL);
	dt_cells(dt, "bus-range", bus_range, 2);
	dt_u32(dt, "#address-cells", 3);
	dt_u32(dt, "#size-cells", 2);
	dt_u32(dt, "#interrupt-cells", 1);
	dt_pci_ranges(dt);
	if (desc->its) {
		/* The ITS device ID of a PCI function is its requester ID. */
		uint32_t msi_map[4] = { 0, ARM64_FDT_PHANDLE_MSI, 0, PCI_RID_COUNT };

		dt_cells(dt, "msi-map", msi_map, 4);
	} else if (desc->v2m) {
		dt_u32(dt, "msi-parent", ARM64_FDT_PHANDLE_MSI);
	}
	dt_pci_intx(dt);
	dt_empty(dt, "dma-coherent");
	dt_end(dt);
}

int arm64_fdt_build(const struct arm64_fdt_desc *desc, void *buf, size_t size,
		    char *err, size_t errlen)
{
	struct dt dt = { .fdt = buf, .desc = desc, .err = err, .errlen = errlen };
	int ret;

	if ((uintptr_t)buf & 7)
		return invalid(&dt, "the buffer is not 8-byte aligned");
	ret = dt_check(&dt);
	if (ret)
		return ret;
	snprintf(dt.uart_path, sizeof(dt.uart_path), "/serial@%llx",
		 (unsigned long long)dt.uart->start);

	dt.ret = fdt_create(buf, (int)MIN(size, (size_t)INT_MAX));
	if (!dt.ret)
		dt.ret = fdt_finish_reservemap(buf);
	dt_begin(&dt, "%s", "");
	dt_string(&dt, "compatible", "linux,dummy-virt");
	dt_u32(&dt, "#address-cells", 2);
	dt_u32(&dt, "#size-cells", 2);
	dt_u32(&dt, "interrupt-parent", ARM64_FDT_PHANDLE_GIC);
	dt_chosen(&dt);
	dt_memory(&dt);
	dt_cpus(&dt);
	dt_timer(&dt);
	dt_gic(&dt);
	dt_uart(&dt);
	dt_pci(&dt);
	dt_end(&dt);
	if (!dt.ret)
		dt.ret = fdt_finish(buf);

	if (dt.ret == -FDT_ERR_NOSPACE) {
		snprintf(err, errlen, "device tree: does not fit in a buffer of %zu bytes", size);
		return -ENOSPC;
	}
	if (dt.ret)
		return invalid(&dt, "libfdt: %s", fdt_strerror(dt.ret));
	/* booting.rst: the kernel maps at most 2 MiB of it. */
	if (fdt_totalsize(buf) > SZ_2M) {
		snprintf(err, errlen, "device tree: %u bytes, more than the 2 MiB the kernel maps",
			 fdt_totalsize(buf));
		return -ENOSPC;
	}
	return 0;
}
