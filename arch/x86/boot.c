// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux/x86 64-bit boot protocol: the protected-mode kernel at 1 MiB,
 * a zero page describing memory, command line and initrd, and entry at
 * the 64-bit entry point (load address + 0x200) with RSI at the zero page.
 */
#include <asm/bootparam.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/x86/bzimage.h"
#include "arch/x86/e820.h"
#include "arch/x86/layout.h"
#include "vmm/arch.h"
#include "vmm/loader.h"
#include "vmm/log.h"
#include "vmm/util.h"
#include "vmm/vm.h"

#define X86_KERNEL_MAX_FILE	(512ULL << 20)
#define X86_64BIT_ENTRY_OFFSET	0x200
#define LOADER_TYPE_UNDEFINED	0xff

static const struct plan_region *ram_bank_at(const struct vm_plan *plan, uint64_t gpa)
{
	for (size_t i = 0; i < plan->nr_regions; i++) {
		const struct plan_region *r = &plan->regions[i];

		if (r->kind == PLAN_RAM && gpa >= r->start && gpa - r->start < r->size)
			return r;
	}
	return NULL;
}

static int load_kernel(struct vm *vm, struct boot_params *bp, uint64_t *kernel_end)
{
	const char *path = vm->cfg->kernel_path;
	const struct plan_region *bank;
	struct bzimage_info info;
	uint64_t size;
	uint8_t *buf;
	char err[160];
	int ret;

	ret = loader_read_whole("--kernel", path, X86_KERNEL_MAX_FILE, &buf, &size);
	if (ret)
		return ret;
	ret = bzimage_parse(buf, size, &info, err, sizeof(err));
	if (ret) {
		log_error("--kernel %s: %s", path, err);
		goto out;
	}
	bank = ram_bank_at(&vm->plan, X86_KERNEL_ADDR);
	if (!bank || bank->start + bank->size - X86_KERNEL_ADDR < info.init_size) {
		log_error("--kernel %s: needs %u MiB of RAM from 1 MiB, more than --mem gives (try more)",
			  path, (info.init_size >> 20) + 1);
		ret = -ENOMEM;
		goto out;
	}
	ret = vm_guest_write(vm, X86_KERNEL_ADDR, buf + info.kernel_offset,
			     info.kernel_size);
	if (ret)
		goto out;
	/* The setup header travels in the zero page. */
	memcpy((uint8_t *)bp + 0x1f1, buf + 0x1f1, info.header_end - 0x1f1);
	bp->hdr.type_of_loader = LOADER_TYPE_UNDEFINED;
	bp->hdr.code32_start = X86_KERNEL_ADDR;
	if (!info.cmdline_size)
		info.cmdline_size = 255;
	if (strlen(vm->cfg->cmdline) > info.cmdline_size ||
	    strlen(vm->cfg->cmdline) >= X86_CMDLINE_MAX) {
		log_error("--params: %zu bytes, the kernel takes at most %u",
			  strlen(vm->cfg->cmdline), info.cmdline_size);
		ret = -E2BIG;
		goto out;
	}
	ret = vm_guest_write(vm, X86_CMDLINE_ADDR, vm->cfg->cmdline,
			     strlen(vm->cfg->cmdline) + 1);
	if (ret)
		goto out;
	bp->hdr.cmd_line_ptr = X86_CMDLINE_ADDR;
	bp->hdr.ramdisk_image = 0;
	bp->hdr.ramdisk_size = 0;
	*kernel_end = X86_KERNEL_ADDR + ALIGN_UP(info.init_size, SZ_4K);
	if (!bp->hdr.initrd_addr_max)
		bp->hdr.initrd_addr_max = 0x37ffffff;	/* protocol < 2.03 default */
out:
	free(buf);
	return ret;
}

/* As high as possible in RAM below initrd_addr_max, above the kernel. */
static int place_initrd(const struct vm_plan *plan, uint64_t size, uint64_t limit,
			uint64_t kernel_end, uint64_t *addr)
{
	size_t i = plan->nr_regions;

	while (i--) {
		const struct plan_region *r = &plan->regions[i];
		uint64_t lo = MAX(r->start, kernel_end);
		uint64_t hi = MIN(r->start + r->size, limit);

		if (r->kind != PLAN_RAM || hi <= lo || hi - lo < size)
			continue;
		*addr = ALIGN_DOWN(hi - size, SZ_4K);
		if (*addr >= lo)
			return 0;
	}
	return -ENOSPC;
}

static int load_initrd(struct vm *vm, struct boot_params *bp, uint64_t kernel_end)
{
	const char *path = vm->cfg->initrd_path;
	uint64_t size, addr, limit;
	void *dst;
	int fd, ret;

	if (!path)
		return 0;
	fd = loader_open("--initrd", path, &size);
	if (fd < 0)
		return fd;
	limit = (uint64_t)bp->hdr.initrd_addr_max + 1;
	if (place_initrd(&vm->plan, size, limit, kernel_end, &addr)) {
		log_error("--initrd %s: %llu MiB does not fit in guest RAM after the kernel (give more --mem)",
			  path, (unsigned long long)(size >> 20) + 1);
		close(fd);
		return -ENOSPC;
	}
	dst = vm_guest_ptr(vm, addr, size);
	ret = dst ? loader_read("--initrd", path, fd, dst, size) : -EFAULT;
	close(fd);
	if (ret)
		return ret;
	bp->hdr.ramdisk_image = (uint32_t)addr;
	bp->ext_ramdisk_image = addr >> 32;
	bp->hdr.ramdisk_size = (uint32_t)size;
	bp->ext_ramdisk_size = size >> 32;
	log_info("initrd: %llu bytes at 0x%llx", (unsigned long long)size,
		 (unsigned long long)addr);
	return 0;
}

int arch_kernel_load(struct vm *vm)
{
	struct boot_params *bp;
	struct setup_data *ext;
	uint64_t kernel_end = 0;
	int n, ret;

	bp = vm_guest_ptr(vm, X86_ZERO_PAGE_ADDR, sizeof(*bp));
	if (!bp) {
		log_error("the plan left no RAM for the zero page at 0x%llx",
			  X86_ZERO_PAGE_ADDR);
		return -EFAULT;
	}
	memset(bp, 0, sizeof(*bp));
	ret = load_kernel(vm, bp, &kernel_end);
	if (!ret)
		ret = load_initrd(vm, bp, kernel_end);
	if (ret)
		return ret;
	ext = vm_guest_ptr(vm, X86_SETUP_DATA_ADDR, X86_EBDA_START - X86_SETUP_DATA_ADDR);
	n = e820_write_boot(&vm->plan, bp, ext,
			    ext ? X86_EBDA_START - X86_SETUP_DATA_ADDR : 0);
	if (n < 0) {
		log_error("the memory plan has %zu regions: more e820 entries than the zero page and its setup_data hold (the host's reserved regions cut RAM too often)",
			  vm->plan.nr_regions);
		return n;
	}
	if (n)
		bp->hdr.setup_data = X86_SETUP_DATA_ADDR;
	bp->acpi_rsdp_addr = X86_ACPI_ADDR;
	vm->entry_ip = X86_KERNEL_ADDR + X86_64BIT_ENTRY_OFFSET;
	vm->entry_arg = X86_ZERO_PAGE_ADDR;
	return 0;
}
