// SPDX-License-Identifier: GPL-2.0
/*
 * floor: the least a VMM can do to run the hello guest, so boot-micro
 * measures the floor on this host instead of assuming it.
 *
 *   floor KERNEL [MEM_MIB]
 *
 * One VM, one memslot, one vCPU put straight into long mode at the
 * bzImage's 64-bit entry (0x100200), no interrupt controller, no zero page
 * (hello does not read it), no threads.  Bytes written to COM1's THR go to
 * stdout; a write to 0x600 ends the process with status 0.  Anything else
 * the guest does is an error (status 4), so a broken floor cannot pass for
 * a fast one.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GDT_ADDR	0x500
#define PML4_ADDR	0x1000
#define PDPT_ADDR	0x2000
#define PD_ADDR		0x3000
#define KERNEL_ADDR	0x100000
#define ENTRY_64	(KERNEL_ADDR + 0x200)
#define COM1_THR	0x3f8
#define POWEROFF_PORT	0x600

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Page tables for the first GiB in 2 MiB pages, and a flat GDT. */
static void setup_long_mode(uint8_t *mem, int vcpu)
{
	uint64_t *pml4 = (uint64_t *)(mem + PML4_ADDR);
	uint64_t *pdpt = (uint64_t *)(mem + PDPT_ADDR);
	uint64_t *pd = (uint64_t *)(mem + PD_ADDR);
	uint64_t *gdt = (uint64_t *)(mem + GDT_ADDR);
	struct kvm_segment code = {
		.limit = 0xfffff, .selector = 0x10, .type = 11, .present = 1,
		.s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = code;
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = ENTRY_64, .rsi = 0x7000, .rflags = 2,
	};

	pml4[0] = PDPT_ADDR | 3;		/* present, writable */
	pdpt[0] = PD_ADDR | 3;
	for (int i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* + page size */
	gdt[2] = 0x00af9b000000ffffULL;		/* 64-bit code */
	gdt[3] = 0x00cf93000000ffffULL;		/* data */

	data.selector = 0x18;
	data.type = 3;
	data.l = 0;
	data.db = 1;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs = code;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.gdt.base = GDT_ADDR;
	sregs.gdt.limit = 4 * 8 - 1;
	sregs.cr3 = PML4_ADDR;
	sregs.cr4 = 1 << 5;			/* PAE */
	sregs.cr0 = 0x80000011;			/* PG, ET, PE */
	sregs.efer = 0x500;			/* LMA, LME */
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
}

/*
 * KVM refuses EFER.LME unless the vCPU's CPUID has long mode: two leaves
 * say so, which is less than a real guest needs but all this one does.
 */
static void setup_cpuid(int vcpu)
{
	struct {
		struct kvm_cpuid2 head;
		struct kvm_cpuid_entry2 entries[2];
	} cpuid = {
		.head.nent = 2,
		.entries = {
			{ .function = 0x80000000, .eax = 0x80000001 },
			{ .function = 0x80000001, .edx = 1u << 29 },	/* LM */
		},
	};

	if (ioctl(vcpu, KVM_SET_CPUID2, &cpuid) < 0)
		die("KVM_SET_CPUID2");
}

static void load_kernel(const char *path, uint8_t *mem, size_t mem_size)
{
	uint8_t setup_sects;
	size_t offset;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	if (pread(fd, &setup_sects, 1, 0x1f1) != 1)
		die("setup_sects");
	offset = ((size_t)(setup_sects ? setup_sects : 4) + 1) * 512;
	n = pread(fd, mem + KERNEL_ADDR, mem_size - KERNEL_ADDR, offset);
	if (n <= 0)
		die("kernel");
	close(fd);
}

int main(int argc, char **argv)
{
	size_t mem_size = (argc > 2 ? strtoul(argv[2], NULL, 0) : 64) << 20;
	struct kvm_userspace_memory_region region = { .memory_size = mem_size };
	int kvm, vm, vcpu, run_size;
	struct kvm_run *run;
	uint8_t *mem;

	if (argc < 2) {
		fprintf(stderr, "usage: floor KERNEL [MEM_MIB]\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	region.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	load_kernel(argv[1], mem, mem_size);

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	setup_cpuid(vcpu);
	setup_long_mode(mem, vcpu);

	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		if (run->exit_reason != KVM_EXIT_IO ||
		    run->io.direction != KVM_EXIT_IO_OUT)
			break;
		if (run->io.port == POWEROFF_PORT)
			return 0;
		if (run->io.port == COM1_THR &&
		    write(1, (uint8_t *)run + run->io.data_offset,
			  (size_t)run->io.size * run->io.count) < 0)
			die("write");
	}
	fprintf(stderr, "floor: unexpected exit %u\n", run->exit_reason);
	return 4;
}
