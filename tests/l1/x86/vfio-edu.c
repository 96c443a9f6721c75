// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-edu: shapevm's VFIO layer and planner against a real (emulated)
 * IOMMU, without KVM. Run inside the L1 host of tests/l1/x86 on QEMU's edu
 * device bound to vfio-pci:
 *
 *   vfio-edu [-m MIB] BDF
 *
 * It gathers this host's facts for the device (sysfs and VFIO), plans a
 * guest of MIB MiB (default 256) around them, allocates the planned RAM
 * banks and maps them for DMA through vfio/dma, then makes edu copy a
 * pattern from guest RAM into its buffer and back to another guest
 * address, takes edu's MSI on an eventfd, and shows that mappings onto the
 * host's reserved regions, or past RLIMIT_MEMLOCK, are refused by shapevm
 * before the kernel is asked (and what the kernel says when asked anyway).
 * With a direct-relaxable region anywhere on the host (Intel's ISA bridge),
 * it also plans around the whole host's regions with and without
 * --allow-relaxable.
 *
 * Every check prints "vfio-edu: ok: ..." or "vfio-edu: FAIL: ..."; the
 * last line is "vfio-edu: N ok, M failed". Exit status 0 when none failed,
 * 1 otherwise, 2 for a usage error.
 *
 * edu (QEMU hw/misc/edu.c): BAR0 0x00 identity 0x010000ed, 0x24 interrupt
 * status, 0x60 raise, 0x64 acknowledge; DMA source 0x80, destination
 * 0x88, count 0x90, command 0x98 (bit 0 start, bit 1 to RAM, bit 2
 * interrupt when done); its buffer at 0x40000. QEMU 7.2's edu aborts on
 * transfers over 2048 bytes and clamps DMA addresses to 28 bits.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/vfio.h>

#include "vfio/container.h"
#include "vfio/device.h"
#include "vfio/dma.h"
#include "vfio/group.h"
#include "vmm/arch.h"
#include "vmm/guest_mem.h"
#include "vmm/hostres.h"
#include "vmm/memplan.h"
#include "vmm/planning.h"
#include "vmm/util.h"

#define EDU_ID			0x00
#define EDU_IRQ_STATUS		0x24
#define EDU_IRQ_RAISE		0x60
#define EDU_IRQ_ACK		0x64
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define EDU_DMA_START		0x1
#define EDU_DMA_TO_RAM		0x2
#define EDU_DMA_IRQ		0x4
#define EDU_BUFFER		0x40000
#define EDU_IDENTITY		0x010000ed
#define EDU_DMA_LEN		2048
#define EDU_DMA_LIMIT		(1ULL << 28)

#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x2
#define PCI_COMMAND_MASTER	0x4

#define MAX_BANKS		64
#define WAIT_MS			2000
/* The RLIMIT_MEMLOCK the child of check_memlock runs under. */
#define SMALL_MEMLOCK		(1ULL << 20)

static unsigned int nr_ok, nr_failed;

static void expect(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void expect(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("vfio-edu: %s: ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (ok)
		nr_ok++;
	else
		nr_failed++;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
	va_list ap;

	fputs("vfio-edu: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static double seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Everything one run holds, so the teardown undoes what setup did. */
struct edu_test {
	const char *bdf;
	struct host_facts facts;
	unsigned int addr_bits;
	struct vm_plan plan;
	struct guest_slot slots[MAX_BANKS];
	struct guest_mem mem;
	struct vfio_container container;
	struct vfio_group *group;
	struct vfio_dma dma;
	struct vfio_device dev;
	struct vfio_region bar0, config;
	int eventfd;
};

/* Sysfs (group, reserved regions, BARs), KVM's width, then VFIO's answer. */
static int gather_facts(struct edu_test *t)
{
	const char *assigned[] = { t->bdf };
	struct hostres_error err;
	struct vfio_error verr;
	int host, group, kvm;

	host = hostres_add_host(&t->facts, "this host");
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	t->addr_bits = arch_host_addr_bits(kvm);
	if (kvm >= 0)
		close(kvm);
	t->facts.hosts[host].phys_bits = t->addr_bits;
	group = hostres_read_group(&t->facts, host, "/sys", t->bdf, assigned, 1, &err);
	if (group < 0) {
		expect(false, "host facts: %s", err.msg);
		return group;
	}
	if (vfio_container_open(&t->container, &verr) ||
	    vfio_group_get(&t->container, "/sys", t->bdf, &t->group, &verr) ||
	    vfio_container_read_facts(&t->container, &t->facts, host, &verr)) {
		expect(false, "VFIO: %s", verr.msg);
		return -1;
	}
	expect(true, "%s is in IOMMU group %d; its type1v2 container answers", t->bdf,
	       group);
	note("host facts:");
	hostres_write(&t->facts, host, stdout);
	return 0;
}

static int make_plan(struct edu_test *t, uint64_t ram_size)
{
	struct plan_request req = { .ram_size = ram_size, .nr_cpus = 1 };

	planning_size_windows(&t->facts, &req);
	memplan_init(&t->plan);
	if (planning_build(arch_name(), &req, t->addr_bits, &t->facts, &t->plan)) {
		expect(false, "no plan for %llu MiB (the message above says why)",
		       (unsigned long long)(ram_size >> 20));
		return -1;
	}
	memplan_print(&t->plan, stdout);
	memplan_print_host(&t->plan, &t->facts, stdout);
	expect(!memplan_check(&t->plan, &t->facts, stdout),
	       "the plan keeps the planner's rules with these facts");
	return 0;
}

/* One anonymous mapping per planned RAM bank, as guest memory. */
static int allocate_ram(struct edu_test *t)
{
	size_t nr = 0;

	for (size_t i = 0; i < t->plan.nr_regions; i++) {
		const struct plan_region *r = &t->plan.regions[i];
		void *host;

		if (r->kind != PLAN_RAM)
			continue;
		if (nr == MAX_BANKS) {
			expect(false, "more than %d RAM banks", MAX_BANKS);
			return -1;
		}
		host = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (host == MAP_FAILED) {
			expect(false, "%s: cannot allocate %llu bytes: %s", r->name,
			       (unsigned long long)r->size, strerror(errno));
			return -1;
		}
		t->slots[nr] = (struct guest_slot){ .gpa = r->start, .size = r->size,
						    .host = host, .slot = nr };
		nr++;
	}
	t->mem = (struct guest_mem){ t->slots, nr };
	return 0;
}

static void free_ram(struct edu_test *t)
{
	for (size_t i = 0; i < t->mem.nr_slots; i++)
		munmap(t->slots[i].host, t->slots[i].size);
	t->mem.nr_slots = 0;
}

/* Clears CAP_IPC_LOCK from the effective set, so RLIMIT_MEMLOCK applies. */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

/*
 * In a child without CAP_IPC_LOCK and with RLIMIT_MEMLOCK at 1 MiB: the
 * plan's RAM is refused by shapevm's check, naming RLIMIT_MEMLOCK, before
 * any ioctl; a raw MAP_DMA of 4 MiB shows the kernel's ENOMEM for the same.
 * Exit status: bit 0 shapevm's check failed, bit 1 the kernel took it.
 */
static int memlock_child(struct edu_test *t)
{
	struct rlimit small = { SMALL_MEMLOCK, SMALL_MEMLOCK };
	const struct guest_slot *big = &t->slots[t->mem.nr_slots - 1];
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)big->host, .iova = big->gpa, .size = 4ULL << 20,
	};
	struct vfio_error err;
	struct vfio_dma dma;
	int status = 0, ret;

	if (drop_ipc_lock() || setrlimit(RLIMIT_MEMLOCK, &small)) {
		printf("vfio-edu: cannot drop CAP_IPC_LOCK or set RLIMIT_MEMLOCK: %s\n",
		       strerror(errno));
		return 3;
	}
	vfio_dma_init(&dma, &t->container, &t->facts, 0);
	ret = vfio_dma_map_plan(&dma, &t->plan, &t->mem, &err);
	printf("vfio-edu: with RLIMIT_MEMLOCK 1M, shapevm says: %s\n",
	       ret ? err.msg : "(nothing: it mapped)");
	if (ret != -ENOMEM || !strstr(err.msg, "RLIMIT_MEMLOCK is 1M") || dma.nr_maps)
		status |= 1;
	if (big->size >= map.size) {
		if (!ioctl(t->container.fd, VFIO_IOMMU_MAP_DMA, &map)) {
			struct vfio_iommu_type1_dma_unmap unmap = {
				.argsz = sizeof(unmap), .iova = map.iova, .size = map.size,
			};

			ioctl(t->container.fd, VFIO_IOMMU_UNMAP_DMA, &unmap);
			status |= 2;
		} else {
			printf("vfio-edu: with RLIMIT_MEMLOCK 1M, the kernel says: VFIO_IOMMU_MAP_DMA of 4M: %s\n",
			       strerror(errno));
			if (errno != ENOMEM)
				status |= 2;
		}
	}
	fflush(stdout);
	return status;
}

static void check_memlock(struct edu_test *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(memlock_child(t));
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		expect(false, "RLIMIT_MEMLOCK: the child did not finish");
		return;
	}
	status = WEXITSTATUS(status);
	expect(!(status & 1),
	       "past RLIMIT_MEMLOCK, shapevm refuses before any ioctl and names the limit");
	expect(!(status & 2), "the kernel refuses the same with ENOMEM");
}

static void map_ram(struct edu_test *t)
{
	struct vfio_error err;
	size_t nr_ram = 0;
	double start;
	char size[32];
	int ret;

	vfio_dma_init(&t->dma, &t->container, &t->facts, 0);
	start = seconds();
	ret = vfio_dma_map_plan(&t->dma, &t->plan, &t->mem, &err);
	size_format(memplan_ram_total(&t->plan), size, sizeof(size));
	if (ret) {
		expect(false, "mapping the plan's RAM for DMA: %s", err.msg);
		return;
	}
	for (size_t i = 0; i < t->plan.nr_regions; i++)
		nr_ram += t->plan.regions[i].kind == PLAN_RAM;
	for (size_t i = 0; i < t->dma.nr_maps; i++) {
		const struct vfio_dma_mapping *m = &t->dma.maps[i];
		const struct plan_region *r = memplan_find(&t->plan, m->name);

		note("DMA mapping %zu: %s IOVA 0x%llx-0x%llx", i, m->name,
		     (unsigned long long)m->iova,
		     (unsigned long long)(m->iova + m->size - 1));
		if (!r || r->kind != PLAN_RAM || r->start != m->iova || r->size != m->size)
			expect(false, "mapping %s is not a RAM bank of the plan", m->name);
	}
	expect(t->dma.nr_maps == nr_ram,
	       "mapped the plan's %zu RAM banks (%s) for DMA, nothing else, in %.2f s",
	       nr_ram, size, seconds() - start);
}

static uint32_t read32(struct edu_test *t, uint64_t offset)
{
	struct vfio_error err;
	uint32_t v = 0;

	if (vfio_region_read(&t->dev, &t->bar0, offset, &v, 4, &err))
		expect(false, "%s", err.msg);
	return v;
}

static void write32(struct edu_test *t, uint64_t offset, uint32_t v)
{
	struct vfio_error err;

	if (vfio_region_write(&t->dev, &t->bar0, offset, &v, 4, &err))
		expect(false, "%s", err.msg);
}

static void write64(struct edu_test *t, uint64_t offset, uint64_t v)
{
	struct vfio_error err;

	if (vfio_region_write(&t->dev, &t->bar0, offset, &v, 8, &err))
		expect(false, "%s", err.msg);
}

/* The eventfd's count after an MSI, 0 if none came within WAIT_MS. */
static uint64_t wait_msi(struct edu_test *t)
{
	struct pollfd p = { .fd = t->eventfd, .events = POLLIN };
	uint64_t count = 0;

	if (poll(&p, 1, WAIT_MS) == 1 && read(t->eventfd, &count, sizeof(count)) != 8)
		count = 0;
	return count;
}

static void ack_irq(struct edu_test *t)
{
	write32(t, EDU_IRQ_ACK, read32(t, EDU_IRQ_STATUS));
}

static int open_device(struct edu_test *t)
{
	struct vfio_error err;
	uint16_t command;
	int ret;

	if (vfio_device_open(&t->dev, t->group, t->bdf, &err) ||
	    vfio_device_region(&t->dev, VFIO_PCI_BAR0_REGION_INDEX, &t->bar0, &err) ||
	    vfio_device_region(&t->dev, VFIO_PCI_CONFIG_REGION_INDEX, &t->config, &err)) {
		expect(false, "%s", err.msg);
		return -1;
	}
	note("%s: %u regions, %u interrupt indexes; BAR0 %llu KiB%s", t->bdf,
	     t->dev.num_regions, t->dev.num_irqs,
	     (unsigned long long)(t->bar0.size >> 10),
	     t->bar0.map ? ", mmap'ed" : ", through the device fd");
	ret = vfio_device_reset(&t->dev, &err);
	note("reset: %s", ret ? err.msg : "done (VFIO_DEVICE_RESET)");
	expect(!ret || ret == -EOPNOTSUPP, "reset asked only when offered");
	/* DMA and MSI writes are the device's bus mastering. */
	if (vfio_region_read(&t->dev, &t->config, PCI_COMMAND, &command, 2, &err))
		goto fail;
	command |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (vfio_region_write(&t->dev, &t->config, PCI_COMMAND, &command, 2, &err))
		goto fail;
	t->eventfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->eventfd < 0) {
		expect(false, "eventfd: %s", strerror(errno));
		return -1;
	}
	if (vfio_device_set_msi(&t->dev, t->eventfd, &err))
		goto fail;
	return 0;
fail:
	expect(false, "%s", err.msg);
	return -1;
}

static void check_msi(struct edu_test *t)
{
	uint32_t id = read32(t, EDU_ID);
	uint64_t count;

	expect(id == EDU_IDENTITY, "BAR0 identity register reads 0x%08x", id);
	write32(t, EDU_IRQ_RAISE, 0x1);
	count = wait_msi(t);
	expect(count > 0, "edu's MSI arrived on the eventfd (count %llu, status 0x%x)",
	       (unsigned long long)count, read32(t, EDU_IRQ_STATUS));
	ack_irq(t);
}

/* One edu DMA transfer; true when it ended and raised its interrupt. */
static bool edu_dma(struct edu_test *t, uint64_t src, uint64_t dst, uint64_t cmd)
{
	struct vfio_error err;
	double deadline = seconds() + WAIT_MS / 1000.0;
	uint64_t v = cmd;

	write64(t, EDU_DMA_SRC, src);
	write64(t, EDU_DMA_DST, dst);
	write64(t, EDU_DMA_COUNT, EDU_DMA_LEN);
	write64(t, EDU_DMA_CMD, cmd | EDU_DMA_START | EDU_DMA_IRQ);
	while ((v & EDU_DMA_START) && seconds() < deadline) {
		if (vfio_region_read(&t->dev, &t->bar0, EDU_DMA_CMD, &v, 8, &err)) {
			expect(false, "%s", err.msg);
			return false;
		}
		usleep(1000);
	}
	if (v & EDU_DMA_START)
		return false;
	if (!wait_msi(t))
		return false;
	ack_irq(t);
	return true;
}

/*
 * Guest RAM → edu's buffer → other guest RAM: from 16 MiB (in the bank
 * above 1 MiB on x86) to 64 KiB (the first bank), both below edu's 28-bit
 * DMA mask.
 */
static void check_dma(struct edu_test *t)
{
	uint64_t src = 16ULL << 20, dst = 64ULL << 10;
	uint8_t *from = guest_mem_ptr(&t->mem, src, EDU_DMA_LEN);
	uint8_t *to = guest_mem_ptr(&t->mem, dst, EDU_DMA_LEN);
	bool done;

	if (!from || !to || src + EDU_DMA_LEN > EDU_DMA_LIMIT) {
		expect(false, "guest 0x%llx and 0x%llx are not both RAM below edu's 28-bit DMA mask",
		       (unsigned long long)src, (unsigned long long)dst);
		return;
	}
	for (unsigned int i = 0; i < EDU_DMA_LEN; i++)
		from[i] = (uint8_t)(i * 7 + 3);
	memset(to, 0, EDU_DMA_LEN);
	done = edu_dma(t, src, EDU_BUFFER, 0);
	expect(done, "edu DMA guest 0x%llx -> its buffer: done, interrupt on the eventfd",
	       (unsigned long long)src);
	done = done && edu_dma(t, EDU_BUFFER, dst, EDU_DMA_TO_RAM);
	expect(done, "edu DMA its buffer -> guest 0x%llx: done, interrupt on the eventfd",
	       (unsigned long long)dst);
	expect(done && !memcmp(from, to, EDU_DMA_LEN),
	       "DMA round trip of %d bytes through the IOMMU: guest 0x%llx == guest 0x%llx",
	       EDU_DMA_LEN, (unsigned long long)src, (unsigned long long)dst);
}

/*
 * A one-page RAM bank on host region @r: shapevm's check refuses it, and
 * nothing already mapped changes; then the kernel is asked directly.
 */
static void check_refused(struct edu_test *t, const struct host_region *r)
{
	struct vm_plan bad;
	struct plan_region bank = { .start = r->start, .size = SZ_4K, .kind = PLAN_RAM };
	struct guest_slot slot = { .gpa = r->start, .size = SZ_4K };
	struct guest_mem mem = { &slot, 1 };
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = r->start, .size = SZ_4K,
	};
	size_t mapped = t->dma.nr_maps;
	struct vfio_error err;
	int ret;

	slot.host = aligned_alloc(SZ_4K, SZ_4K);
	if (!slot.host) {
		expect(false, "out of memory");
		return;
	}
	snprintf(bank.name, sizeof(bank.name), "ram-on-%s", hostres_type_name(r->type));
	memplan_init(&bad);
	if (memplan_add_region(&bad, &bank)) {
		expect(false, "out of memory");
		goto out;
	}
	ret = vfio_dma_map_plan(&t->dma, &bad, &mem, &err);
	expect(ret == -EINVAL && t->dma.nr_maps == mapped,
	       "refused by shapevm before any ioctl: %s", ret ? err.msg : "(it mapped)");
	map.vaddr = (uintptr_t)slot.host;
	if (!ioctl(t->container.fd, VFIO_IOMMU_MAP_DMA, &map)) {
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap), .iova = map.iova, .size = map.size,
		};

		note("the kernel would have taken 0x%llx (unmapped again)",
		     (unsigned long long)r->start);
		ioctl(t->container.fd, VFIO_IOMMU_UNMAP_DMA, &unmap);
	} else {
		note("the kernel refuses it too: VFIO_IOMMU_MAP_DMA at 0x%llx: %s",
		     (unsigned long long)r->start, strerror(errno));
	}
out:
	memplan_free(&bad);
	free(slot.host);
}

static void check_reserved_regions(struct edu_test *t)
{
	unsigned int nr = 0;

	for (size_t i = 0; i < t->facts.nr_regions; i++) {
		const struct host_region *r = &t->facts.regions[i];

		if (r->type == HOST_MSI || r->type == HOST_RESERVED || r->type == HOST_DIRECT) {
			check_refused(t, r);
			nr++;
		}
	}
	expect(nr > 0, "%u reserved region%s of the group tried", nr, nr == 1 ? "" : "s");
}

/*
 * Intel's IOMMU gives the ISA bridge's group a direct-relaxable 0-16 MiB.
 * Planned around every group's regions, x86's zero page cannot avoid it:
 * no plan without --allow-relaxable, one with it, and the DMA check of its
 * first bank passes only because the plan allowed it.
 */
static void check_relaxable(struct edu_test *t, uint64_t ram_size)
{
	struct plan_request req = { .ram_size = ram_size, .nr_cpus = 1 };
	const struct plan_region *ram0;
	struct host_facts all = { 0 };
	struct hostres_error herr;
	struct vfio_dma_rules rules;
	struct vfio_error err;
	struct vm_plan plan;
	bool relaxable = false;

	if (hostres_add_host(&all, "every group") < 0 ||
	    hostres_read_all_groups(&all, 0, "/sys", &herr)) {
		expect(false, "every group's reserved regions: %s", herr.msg);
		goto out;
	}
	for (size_t i = 0; i < all.nr_regions; i++)
		relaxable |= all.regions[i].type == HOST_DIRECT_RELAXABLE;
	if (!relaxable) {
		note("no direct-relaxable region in any group of this host");
		goto out;
	}
	all.hosts[0].phys_bits = t->addr_bits;
	memplan_init(&plan);
	note("every group's regions, without --allow-relaxable:");
	fflush(stdout);
	expect(planning_build(arch_name(), &req, t->addr_bits, &all, &plan) == -ENOSPC,
	       "no plan around a direct-relaxable region at 0 (the message above names --allow-relaxable)");
	memplan_free(&plan);
	req.allow_relaxable = true;
	memplan_init(&plan);
	if (planning_build(arch_name(), &req, t->addr_bits, &all, &plan)) {
		expect(false, "no plan with --allow-relaxable");
		goto out;
	}
	note("every group's regions, with --allow-relaxable:");
	memplan_print(&plan, stdout);
	memplan_print_host(&plan, &all, stdout);
	ram0 = memplan_find(&plan, "ram0");
	rules = (struct vfio_dma_rules){ .facts = &all, .host = 0, .allow_relaxable = true };
	expect(ram0 && !vfio_dma_check(&rules, ram0->name, ram0->start, ram0->size, 0,
				       NULL, 0, &err),
	       "with --allow-relaxable, ram0 passes the DMA check");
	rules.allow_relaxable = false;
	expect(ram0 && vfio_dma_check(&rules, ram0->name, ram0->start, ram0->size, 0,
				      NULL, 0, &err) == -EINVAL,
	       "without it, the DMA check refuses ram0: %s", err.msg);
	memplan_free(&plan);
out:
	hostres_free(&all);
}

static void teardown(struct edu_test *t)
{
	struct vfio_error err;
	size_t nr = t->dma.nr_maps;
	int ret;

	if (t->dev.fd >= 0 && t->eventfd >= 0 && vfio_device_set_msi(&t->dev, -1, &err))
		expect(false, "%s", err.msg);
	if (t->eventfd >= 0)
		close(t->eventfd);
	vfio_region_unmap(&t->bar0);
	vfio_region_unmap(&t->config);
	vfio_device_close(&t->dev);
	if (nr) {
		ret = vfio_dma_unmap_all(&t->dma, &err);
		expect(!ret, "unmapped %zu DMA mappings%s%s", nr, ret ? ": " : "",
		       ret ? err.msg : "");
	}
	vfio_container_close(&t->container);
	free_ram(t);
	memplan_free(&t->plan);
	hostres_free(&t->facts);
}

static int usage(void)
{
	fprintf(stderr, "usage: vfio-edu [-m MIB] BDF\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct edu_test t = { .eventfd = -1, .dev = { .fd = -1 },
			      .container = { .fd = -1 } };
	uint64_t mib = 256;
	int opt;

	while ((opt = getopt(argc, argv, "m:")) != -1) {
		if (opt != 'm')
			return usage();
		mib = strtoull(optarg, NULL, 0);
		if (!mib || mib > (1ULL << 20))
			return usage();
	}
	if (optind != argc - 1)
		return usage();
	t.bdf = argv[optind];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!gather_facts(&t) && !make_plan(&t, mib << 20) && !allocate_ram(&t)) {
		check_memlock(&t);
		map_ram(&t);
		if (t.dma.nr_maps && !open_device(&t)) {
			check_msi(&t);
			check_dma(&t);
		}
		check_reserved_regions(&t);
		check_relaxable(&t, mib << 20);
	}
	teardown(&t);
	printf("vfio-edu: %u ok, %u failed\n", nr_ok, nr_failed);
	return nr_failed ? 1 : 0;
}
