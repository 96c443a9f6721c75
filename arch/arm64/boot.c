// SPDX-License-Identifier: GPL-2.0
/*
 * Booting an arm64 Linux Image (Documentation/arch/arm64/booting.rst): the
 * kernel at a 2 MiB aligned base plus text_offset in the first RAM bank,
 * the device tree in a 2 MiB block high in that bank, the initrd just
 * below it. The device tree is written last, once the vCPUs exist, from
 * the plan and their MPIDRs (arch_machine_describe).
 */
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/arm64/fdt.h"
#include "arch/arm64/image.h"
#include "arch/arm64/machine.h"
#include "vmm/arch.h"
#include "vmm/loader.h"
#include "vmm/log.h"
#include "vmm/util.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define ARM64_KERNEL_MAX_FILE	(256ULL << 20)

static const struct plan_region *first_ram_bank(const struct vm_plan *plan)
{
	for (size_t i = 0; i < plan->nr_regions; i++)
		if (plan->regions[i].kind == PLAN_RAM)
			return &plan->regions[i];
	return NULL;
}

static int load_kernel(struct vm *vm, const struct plan_region *bank)
{
	struct arm64_machine *m = arm64_machine(vm);
	const char *path = vm->cfg->kernel_path;
	struct arm64_image img;
	uint64_t size, load;
	uint8_t *buf;
	char err[192];
	int ret;

	ret = loader_read_whole("--kernel", path, ARM64_KERNEL_MAX_FILE, &buf, &size);
	if (ret)
		return ret;
	ret = arm64_image_parse(buf, size, &img, err, sizeof(err));
	if (!ret)
		ret = arm64_image_place(&img, bank->start, bank->size, &load, err, sizeof(err));
	if (ret) {
		log_error("--kernel %s: %s", path, err);
		goto out;
	}
	ret = vm_guest_write(vm, load, buf, size);
	if (ret)
		goto out;
	m->kernel_addr = load;
	m->kernel_end = load + img.image_size;	/* at least the file's size */
	log_info("kernel: %llu bytes at 0x%llx", (unsigned long long)size,
		 (unsigned long long)load);
out:
	free(buf);
	return ret;
}

static int load_initrd(struct vm *vm)
{
	struct arm64_machine *m = arm64_machine(vm);
	const char *path = vm->cfg->initrd_path;
	uint64_t size, addr;
	char err[192];
	void *dst;
	int fd, ret;

	if (!path)
		return 0;
	fd = loader_open("--initrd", path, &size);
	if (fd < 0)
		return fd;
	ret = arm64_initrd_place(m->kernel_end, m->fdt_addr, size, &addr, err, sizeof(err));
	if (ret) {
		log_error("--initrd %s: %s", path, err);
		close(fd);
		return ret;
	}
	dst = vm_guest_ptr(vm, addr, size);
	ret = dst ? loader_read("--initrd", path, fd, dst, size) : -EFAULT;
	close(fd);
	if (ret)
		return ret;
	m->initrd_addr = addr;
	m->initrd_size = size;
	log_info("initrd: %llu bytes at 0x%llx", (unsigned long long)size,
		 (unsigned long long)addr);
	return 0;
}

int arch_kernel_load(struct vm *vm)
{
	struct arm64_machine *m = arm64_machine(vm);
	const struct plan_region *bank = first_ram_bank(&vm->plan);
	char err[192];
	int ret;

	if (!bank) {
		log_error("the memory plan has no RAM");
		return -EINVAL;
	}
	ret = load_kernel(vm, bank);
	if (ret)
		return ret;
	ret = arm64_fdt_place(bank->start, bank->size, m->kernel_end, &m->fdt_addr,
			      err, sizeof(err));
	if (ret) {
		log_error("--kernel %s: %s", vm->cfg->kernel_path, err);
		return ret;
	}
	ret = load_initrd(vm);
	if (ret)
		return ret;
	vm->entry_ip = m->kernel_addr;
	vm->entry_arg = m->fdt_addr;
	return 0;
}

static int dump_dtb(const char *path, const void *fdt, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0) {
		log_error("--dump-dtb %s: %s", path, strerror(errno));
		return -errno;
	}
	n = write(fd, fdt, size);
	if (n != (ssize_t)size) {
		log_error("--dump-dtb %s: cannot write %zu bytes: %s", path, size,
			  n < 0 ? strerror(errno) : "short write");
		close(fd);
		return -EIO;
	}
	if (close(fd) < 0) {
		log_error("--dump-dtb %s: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

int arch_machine_describe(struct vm *vm)
{
	struct arm64_machine *m = arm64_machine(vm);
	struct arm64_fdt_desc desc = {
		.plan = &vm->plan,
		.nr_cpus = vm->nr_vcpus,
		.gic_v3 = arm64_irqchip_is_v3(vm->irqchip),
		.its = vm->irqchip == PLAN_IRQCHIP_GICV3_ITS,
		.v2m = m->v2m_on,
		.v2m_spi_base = ARM64_V2M_SPI_BASE,
		.v2m_nr_spis = ARM64_V2M_NR_SPIS,
		.uart_spi = ARM64_UART_SPI,
		.pci_intx_spi = ARM64_PCI_INTX_SPI,
		.bootargs = vm->cfg->cmdline,
		.initrd_start = m->initrd_addr,
		.initrd_size = m->initrd_size,
	};
	uint64_t *mpidrs = calloc(vm->nr_vcpus, sizeof(*mpidrs));
	void *fdt = vm_guest_ptr(vm, m->fdt_addr, ARM64_FDT_MAX_SIZE);
	char err[192];
	int ret;

	if (!mpidrs || !fdt) {
		free(mpidrs);
		return mpidrs ? -EFAULT : -ENOMEM;
	}
	ret = arm64_gic_finalize(vm);
	for (unsigned int i = 0; i < vm->nr_vcpus && !ret; i++)
		ret = arm64_vcpu_mpidr(&vm->vcpus[i], &mpidrs[i]);
	desc.mpidrs = mpidrs;
	if (!ret) {
		ret = arm64_fdt_build(&desc, fdt, ARM64_FDT_MAX_SIZE, err, sizeof(err));
		if (ret)
			log_error("cannot build the device tree: %s", err);
	}
	if (!ret && vm->cfg->dump_dtb)
		ret = dump_dtb(vm->cfg->dump_dtb, fdt, fdt_totalsize(fdt));
	free(mpidrs);
	return ret;
}
