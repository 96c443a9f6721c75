// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI host bridge: config access by mechanism #1 and ECAM, BAR
 * placement in the plan's windows, and window accesses dispatched to the
 * BAR that decodes there.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <string.h>

#include "devices/pci_host.h"
#include "vmm/bus.h"
#include "vmm/util.h"
#include "vmm/vm.h"

#define PCI_HOST_VENDOR		0x1b36	/* Red Hat, Inc. */
#define PCI_HOST_DEVICE		0x0008	/* PCIe host bridge */
#define PCI_HOST_CLASS		0x060000	/* bridge, host bridge, prog-if 0 */

#define CF8_PORT		0xcf8
#define CF8_LEN			8	/* 0xCF8 address, 0xCFC-0xCFF data */
#define CF8_DATA		4	/* the data port's offset from 0xCF8 */
#define CF8_ENABLE		0x80000000U
/* Bus, device, function and dword register; reserved bits read 0. */
#define CF8_MASK		(CF8_ENABLE | 0x00fffffcU)

#define ECAM_BUS_SIZE		SZ_1M
#define ECAM_MAX_BUSES		256
#define PIO_SPACE_END		0x10000ULL

/* "pci-mmio32", "pci-mmio32.1", ...: the planner names pieces that way. */
static bool window_name_is(const char *name, const char *base)
{
	size_t len = strlen(base);
	const char *p;

	if (strncmp(name, base, len))
		return false;
	if (!name[len])
		return true;
	if (name[len] != '.' || !name[len + 1])
		return false;
	for (p = name + len + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static int host_add_window(struct pci_host *host, const struct plan_region *r,
			   bool is_64bit)
{
	if (host->nr_mem == PCI_MAX_WINDOWS)
		return -E2BIG;
	/* A 32-bit BAR cannot reach a piece that ends above 4 GiB. */
	if (r->start + r->size > SZ_4G)
		is_64bit = true;
	host->mem[host->nr_mem++] = (struct pci_window) {
		.start = r->start, .size = r->size, .next = r->start,
		.is_64bit = is_64bit, .host = host,
	};
	return 0;
}

int pci_host_init(struct pci_host *host, const struct vm_plan *plan,
		  uint64_t io_start, uint64_t io_size)
{
	const struct plan_region *ecam = memplan_find(plan, "pci-ecam");
	int ret;

	memset(host, 0, sizeof(*host));
	if (ecam) {
		if (!ecam->size || ecam->size % ECAM_BUS_SIZE ||
		    ecam->size > ECAM_MAX_BUSES * ECAM_BUS_SIZE)
			return -EINVAL;
		host->ecam_base = ecam->start;
		host->ecam_size = ecam->size;
	}
	if (io_size && (io_start >= PIO_SPACE_END || io_size > PIO_SPACE_END - io_start))
		return -EINVAL;
	host->io = (struct pci_window) {
		.start = io_start, .size = io_size, .next = io_start, .host = host,
	};
	/* Regions are sorted: windows are tried in address order. */
	for (size_t i = 0; i < plan->nr_regions; i++) {
		const struct plan_region *r = &plan->regions[i];

		if (r->kind != PLAN_MMIO_WINDOW || !r->size)
			continue;
		ret = 0;
		if (window_name_is(r->name, "pci-mmio32"))
			ret = host_add_window(host, r, false);
		else if (window_name_is(r->name, "pci-mmio64"))
			ret = host_add_window(host, r, true);
		if (ret)
			return ret;
	}

	ret = pthread_mutex_init(&host->lock, NULL);
	if (ret)
		return -ret;
	ret = pci_device_init(&host->bridge, "host-bridge", PCI_HOST_VENDOR,
			      PCI_HOST_DEVICE, PCI_HOST_CLASS, 0, 0, 0);
	if (ret) {
		pthread_mutex_destroy(&host->lock);
		return ret;
	}
	host->bridge.devfn = 0;
	host->devices[host->nr_devices++] = &host->bridge;
	return 0;
}

void pci_host_set_intx(struct pci_host *host, unsigned int first,
		       unsigned int nr_lines)
{
	host->intx_first = first;
	host->intx_lines = nr_lines;
}

/* What firmware does for INTx: the line the pin is wired to, in Interrupt Line. */
static void host_route_intx(struct pci_host *host, struct pci_device *dev,
			    unsigned int slot)
{
	uint8_t pin = dev->config[PCI_INTERRUPT_PIN];
	unsigned int line;

	if (!host->intx_lines || pin < 1 || pin > PCI_INTX_PINS)
		return;
	line = host->intx_first + pci_intx_swizzle(slot, pin, host->intx_lines);
	dev->intx_line = line;
	/* 0xff means "not connected" (PCI 3.0 6.2.4); a line above fits no byte. */
	pci_config_write(dev, PCI_INTERRUPT_LINE, &(uint8_t){ line < 0xff ? line : 0xff }, 1);
}

void pci_host_destroy(struct pci_host *host)
{
	pci_device_destroy(&host->bridge);
	pthread_mutex_destroy(&host->lock);
}

/* Takes @size bytes, naturally aligned, from @w's free tail. */
static bool window_take(struct pci_window *w, uint64_t size, uint64_t *addr)
{
	uint64_t at, used;

	if (!w->size || w->next > UINT64_MAX - (size - 1))
		return false;
	at = (w->next + size - 1) & ~(size - 1);
	used = at - w->start;
	if (used > w->size || size > w->size - used)
		return false;
	w->next = at + size;
	*addr = at;
	return true;
}

static bool place_mem_bar(struct pci_window *mem, unsigned int nr_mem,
			  const struct pci_bar *bar, uint64_t *addr)
{
	unsigned int i;

	if (bar->flags & PCI_BAR_MEM64)
		for (i = 0; i < nr_mem; i++)
			if (mem[i].is_64bit && window_take(&mem[i], bar->size, addr))
				return true;
	for (i = 0; i < nr_mem; i++)
		if (!mem[i].is_64bit && window_take(&mem[i], bar->size, addr))
			return true;
	return false;
}

/* BAR numbers, largest first (ties by number): fewer alignment gaps. */
static unsigned int bars_by_size(const struct pci_device *dev,
				 unsigned int order[PCI_NR_BARS])
{
	unsigned int n = 0;

	for (unsigned int bar = 0; bar < PCI_NR_BARS; bar++) {
		unsigned int i;

		if (!dev->bars[bar].size)
			continue;
		for (i = n; i > 0 && dev->bars[order[i - 1]].size < dev->bars[bar].size; i--)
			order[i] = order[i - 1];
		order[i] = bar;
		n++;
	}
	return n;
}

int pci_host_add(struct pci_host *host, struct pci_device *dev)
{
	struct pci_window mem[PCI_MAX_WINDOWS], io = host->io;
	uint64_t addr[PCI_NR_BARS] = { 0 };
	unsigned int order[PCI_NR_BARS], n, slot = host->nr_devices;
	uint16_t cmd = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	uint8_t bytes[2];

	if (slot >= PCI_MAX_DEVICES)
		return -ENOSPC;
	/* Placed on copies: a BAR that does not fit leaves the windows as they were. */
	memcpy(mem, host->mem, sizeof(mem));
	n = bars_by_size(dev, order);
	for (unsigned int i = 0; i < n; i++) {
		const struct pci_bar *bar = &dev->bars[order[i]];
		bool placed;

		if (bar->flags & PCI_BAR_IO) {
			placed = window_take(&io, bar->size, &addr[order[i]]);
			cmd |= PCI_COMMAND_IO;
		} else {
			placed = place_mem_bar(mem, host->nr_mem, bar, &addr[order[i]]);
		}
		if (!placed)
			return -ENOSPC;
	}
	memcpy(host->mem, mem, sizeof(mem));
	host->io = io;

	dev->devfn = slot << 3;
	for (unsigned int i = 0; i < n; i++)
		pci_device_set_bar_addr(dev, order[i], addr[order[i]]);
	/* Linux keeps what firmware assigned: decode from the start. */
	pci_config_read(dev, PCI_COMMAND, bytes, 2);
	cmd |= bytes[0] | bytes[1] << 8;
	bytes[0] = cmd;
	bytes[1] = cmd >> 8;
	pci_config_write(dev, PCI_COMMAND, bytes, 2);
	host_route_intx(host, dev, slot);
	host->devices[host->nr_devices++] = dev;
	return 0;
}

/* Function 0 of the devices on bus 0; nothing else answers. */
static struct pci_device *host_lookup(struct pci_host *host, unsigned int bus,
				      unsigned int devfn)
{
	if (bus || (devfn & 7) || (devfn >> 3) >= host->nr_devices)
		return NULL;
	return host->devices[devfn >> 3];
}

static void config_access(struct pci_host *host, unsigned int bus,
			  unsigned int devfn, unsigned int reg, uint8_t *data,
			  unsigned int size, bool is_write)
{
	struct pci_device *dev = host_lookup(host, bus, devfn);

	if (!dev) {
		if (!is_write)
			memset(data, 0xff, size);
		return;
	}
	if (is_write)
		pci_config_write(dev, reg, data, size);
	else
		pci_config_read(dev, reg, data, size);
}

/*
 * Only a 32-bit access at 0xCF8 is the address latch. Narrower ones are
 * ordinary I/O cycles nobody claims, as on real chipsets: Linux's type-1
 * probe writes a byte to 0xCFB and expects the latch untouched.
 */
static void cf8_latch_access(struct pci_host *host, uint64_t offset,
			     uint8_t *data, unsigned int size, bool is_write)
{
	uint32_t value;

	if (offset || size != 4) {
		if (!is_write)
			memset(data, 0xff, size);
		return;
	}
	pthread_mutex_lock(&host->lock);
	if (is_write) {
		value = data[0] | data[1] << 8 | data[2] << 16 | (uint32_t)data[3] << 24;
		host->cf8 = value & CF8_MASK;
	} else {
		value = host->cf8;
		data[0] = value;
		data[1] = value >> 8;
		data[2] = value >> 16;
		data[3] = value >> 24;
	}
	pthread_mutex_unlock(&host->lock);
}

void pci_host_cf8_access(void *opaque, uint64_t offset, uint8_t *data,
			 unsigned int size, bool is_write)
{
	struct pci_host *host = opaque;
	unsigned int lane;
	uint32_t latch;

	if (offset < CF8_DATA) {
		cf8_latch_access(host, offset, data, size, is_write);
		return;
	}
	lane = offset - CF8_DATA;
	pthread_mutex_lock(&host->lock);
	latch = host->cf8;
	pthread_mutex_unlock(&host->lock);
	/* The data port is one dword: byte lanes, nothing past 0xCFF. */
	if (offset >= CF8_LEN || size > 4 - lane || !(latch & CF8_ENABLE)) {
		if (!is_write)
			memset(data, 0xff, size);
		return;
	}
	config_access(host, (latch >> 16) & 0xff, (latch >> 8) & 0xff,
		      (latch & 0xfc) + lane, data, size, is_write);
}

void pci_host_ecam_access(void *opaque, uint64_t offset, uint8_t *data,
			  unsigned int size, bool is_write)
{
	struct pci_host *host = opaque;

	if (offset >= host->ecam_size) {
		if (!is_write)
			memset(data, 0xff, size);
		return;
	}
	/* bus << 20 | device << 15 | function << 12 | register */
	config_access(host, offset >> 20, (offset >> 12) & 0xff, offset & 0xfff,
		      data, size, is_write);
}

void pci_host_window_access(struct pci_host *host, bool io, uint64_t addr,
			    uint8_t *data, unsigned int size, bool is_write)
{
	/* Devices and BAR sizes are fixed once vCPUs run; only decoding moves. */
	for (unsigned int i = 0; i < host->nr_devices; i++) {
		struct pci_device *dev = host->devices[i];

		for (unsigned int bar = 0; bar < PCI_NR_BARS; bar++) {
			const struct pci_bar *b = &dev->bars[bar];
			uint64_t base;

			if (!b->size || !(b->flags & PCI_BAR_IO) != !io)
				continue;
			if (!pci_bar_enabled(dev, bar, &base) ||
			    addr < base || addr - base >= b->size)
				continue;
			/* Straddling the BAR's end: nobody claims it whole. */
			if (size > b->size - (addr - base) || !dev->ops ||
			    !dev->ops->bar_access)
				goto unclaimed;
			dev->ops->bar_access(dev, bar, addr - base, data, size, is_write);
			return;
		}
	}
unclaimed:
	if (!is_write)
		memset(data, 0xff, size);
}

static void window_bus_access(void *opaque, uint64_t offset, uint8_t *data,
			      unsigned int size, bool is_write)
{
	struct pci_window *w = opaque;

	pci_host_window_access(w->host, w == &w->host->io, w->start + offset,
			       data, size, is_write);
}

int pci_host_register(struct pci_host *host, struct vm *vm, bool port_io_config)
{
	int ret;

	if (port_io_config) {
		ret = bus_register(&vm->pio_bus, CF8_PORT, CF8_LEN,
				   pci_host_cf8_access, host, "pci-config");
		if (ret)
			return ret;
	}
	if (host->ecam_size) {
		ret = bus_register(&vm->mmio_bus, host->ecam_base, host->ecam_size,
				   pci_host_ecam_access, host, "pci-ecam");
		if (ret)
			return ret;
	}
	for (unsigned int i = 0; i < host->nr_mem; i++) {
		host->mem[i].host = host;
		ret = bus_register(&vm->mmio_bus, host->mem[i].start, host->mem[i].size,
				   window_bus_access, &host->mem[i], "pci-mmio");
		if (ret)
			return ret;
	}
	if (host->io.size) {
		host->io.host = host;
		ret = bus_register(&vm->pio_bus, host->io.start, host->io.size,
				   window_bus_access, &host->io, "pci-io");
		if (ret)
			return ret;
	}
	return 0;
}
