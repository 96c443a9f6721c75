// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "vmm/arch.h"
#include "vmm/log.h"
#include "vmm/util.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define CPUID_MAX_ENTRIES	512
#define CPUID_EXTRA_ENTRIES	8	/* room for the topology leaves we add */

#define X86_CR0_PE	0x1ULL
#define X86_CR0_ET	0x10ULL
#define X86_CR0_NE	0x20ULL
#define X86_CR0_PG	0x80000000ULL
#define X86_CR4_PAE	0x20ULL
#define X86_EFER_LME	0x100ULL
#define X86_EFER_LMA	0x400ULL

#define MSR_IA32_SYSENTER_CS		0x174
#define MSR_IA32_SYSENTER_ESP		0x175
#define MSR_IA32_SYSENTER_EIP		0x176
#define MSR_IA32_MISC_ENABLE		0x1a0
#define MSR_MTRR_DEF_TYPE		0x2ff
#define MSR_STAR			0xc0000081
#define MSR_LSTAR			0xc0000082
#define MSR_CSTAR			0xc0000083
#define MSR_SYSCALL_MASK		0xc0000084
#define MSR_KERNEL_GS_BASE		0xc0000102

#define MISC_ENABLE_FAST_STRING		0x1
#define MTRR_ENABLE_WRITEBACK		0x806	/* enabled, default type WB */

#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_MODE_NMI		0x4
#define APIC_MODE_EXTINT	0x7

#define GDT_CODE64	2	/* selector 0x10, as the boot protocol wants */
#define GDT_DATA	3	/* selector 0x18 */
#define GDT_TSS		4

struct kvm_cpuid2 *x86_cpuid_supported(int kvm_fd)
{
	unsigned int nent = 64;

	for (;;) {
		struct kvm_cpuid2 *cpuid;

		cpuid = calloc(1, sizeof(*cpuid) +
			       (nent + CPUID_EXTRA_ENTRIES) * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return NULL;
		cpuid->nent = nent;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
			return cpuid;
		free(cpuid);
		if (errno != E2BIG || nent >= CPUID_MAX_ENTRIES)
			return NULL;
		nent *= 2;
	}
}

static struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *cpuid,
					   uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function == function &&
		    cpuid->entries[i].index == index)
			return &cpuid->entries[i];
	return NULL;
}

unsigned int x86_cpu_phys_bits(int kvm_fd)
{
	struct kvm_cpuid2 *cpuid = x86_cpuid_supported(kvm_fd);
	struct kvm_cpuid_entry2 *e;
	unsigned int bits = 36;	/* what a CPU without the leaf has */

	if (!cpuid)
		return bits;
	e = cpuid_find(cpuid, 0x80000008, 0);
	if (e && (e->eax & 0xff) >= 32)
		bits = e->eax & 0xff;
	free(cpuid);
	return bits;
}

static unsigned int order_base_2(unsigned int n)
{
	unsigned int bits = 0;

	while ((1U << bits) < n)
		bits++;
	return bits;
}

static void cpuid_drop(struct kvm_cpuid2 *cpuid, uint32_t function)
{
	uint32_t i, kept = 0;

	for (i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function != function)
			cpuid->entries[kept++] = cpuid->entries[i];
	cpuid->nent = kept;
}

/* Leaf 0xb (and 0x1f): one thread per core, nr_cpus cores per package. */
static int cpuid_add_extended_topology(struct kvm_cpuid2 *cpuid, unsigned int capacity,
				       uint32_t function, unsigned int apic_id,
				       unsigned int nr_cpus)
{
	struct kvm_cpuid_entry2 levels[3] = {
		{ .eax = 0, .ebx = 1, .ecx = (1 << 8) | 0 },
		{ .eax = order_base_2(nr_cpus), .ebx = nr_cpus, .ecx = (2 << 8) | 1 },
		{ .ecx = 2 },
	};

	cpuid_drop(cpuid, function);
	if (cpuid->nent + ARRAY_SIZE(levels) > capacity)
		return -ENOSPC;
	for (unsigned int i = 0; i < ARRAY_SIZE(levels); i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[cpuid->nent++];

		*e = levels[i];
		e->function = function;
		e->index = i;
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		e->edx = apic_id;
	}
	return 0;
}

int x86_cpuid_set_topology(struct kvm_cpuid2 *cpuid, unsigned int capacity,
			   unsigned int apic_id, unsigned int nr_cpus)
{
	struct kvm_cpuid_entry2 *e;
	uint32_t max_basic = 0;
	int ret;

	e = cpuid_find(cpuid, 0, 0);
	if (e)
		max_basic = e->eax;
	e = cpuid_find(cpuid, 1, 0);
	if (e) {
		e->ebx = (e->ebx & 0xffff) | (MIN(nr_cpus, 255U) << 16) |
			 ((apic_id & 0xff) << 24);
		if (nr_cpus > 1)
			e->edx |= 1U << 28;	/* HTT: the count in EBX is valid */
		e->ecx |= 1U << 31;		/* running under a hypervisor */
	}
	/* Leaf 4: cores per package; caches private to each core. */
	for (uint32_t i = 0; i < cpuid->nent; i++) {
		e = &cpuid->entries[i];
		if (e->function != 4 || !(e->eax & 0x1f))
			continue;
		e->eax &= 0x3fff;
		e->eax |= (MIN(nr_cpus, 64U) - 1) << 26;
	}
	if (max_basic >= 0xb) {
		ret = cpuid_add_extended_topology(cpuid, capacity, 0xb, apic_id, nr_cpus);
		if (ret)
			return ret;
	}
	if (max_basic >= 0x1f) {
		ret = cpuid_add_extended_topology(cpuid, capacity, 0x1f, apic_id, nr_cpus);
		if (ret)
			return ret;
	}
	/* AMD: cores per package and the APIC ID width. */
	e = cpuid_find(cpuid, 0x80000008, 0);
	if (e)
		e->ecx = (order_base_2(nr_cpus) << 12) | ((nr_cpus - 1) & 0xff);
	return 0;
}

static int vcpu_set_cpuid(struct vcpu *vcpu)
{
	struct kvm_cpuid2 *cpuid = x86_cpuid_supported(vcpu->vm->kvm_fd);
	int ret;

	if (!cpuid) {
		log_error("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		return -errno;
	}
	ret = x86_cpuid_set_topology(cpuid, cpuid->nent + CPUID_EXTRA_ENTRIES,
				     vcpu->id, vcpu->vm->cfg->nr_cpus);
	/*
	 * KVM emulates the TSC-deadline timer but leaves it out of the
	 * supported CPUID; without PIT or HPET (hardware-reduced ACPI) it is
	 * how Linux runs its LAPIC timer without calibrating it.
	 */
	if (ioctl(vcpu->vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0) {
		struct kvm_cpuid_entry2 *leaf1 = cpuid_find(cpuid, 1, 0);

		if (leaf1)
			leaf1->ecx |= 1U << 24;
	}
	if (!ret && ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid) < 0) {
		log_error("vCPU %u: KVM_SET_CPUID2: %s", vcpu->id, strerror(errno));
		ret = -errno;
	}
	free(cpuid);
	return ret;
}

static int vcpu_set_msrs(struct vcpu *vcpu)
{
	static const struct { uint32_t index; uint64_t value; } boot_msrs[] = {
		{ MSR_IA32_SYSENTER_CS, 0 }, { MSR_IA32_SYSENTER_ESP, 0 },
		{ MSR_IA32_SYSENTER_EIP, 0 }, { MSR_STAR, 0 }, { MSR_CSTAR, 0 },
		{ MSR_KERNEL_GS_BASE, 0 }, { MSR_SYSCALL_MASK, 0 }, { MSR_LSTAR, 0 },
		{ MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING },
		{ MSR_MTRR_DEF_TYPE, MTRR_ENABLE_WRITEBACK },
	};
	/*
	 * The TSC is left alone: KVM synchronises the vCPUs' TSCs at creation,
	 * and writing it per vCPU at different moments unsynchronises them.
	 */
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entries[ARRAY_SIZE(boot_msrs)];
	} msrs = { .hdr.nmsrs = ARRAY_SIZE(boot_msrs) };
	int set;

	for (size_t i = 0; i < ARRAY_SIZE(boot_msrs); i++) {
		msrs.entries[i].index = boot_msrs[i].index;
		msrs.entries[i].data = boot_msrs[i].value;
	}
	set = ioctl(vcpu->fd, KVM_SET_MSRS, &msrs);
	if (set < 0) {
		log_error("vCPU %u: KVM_SET_MSRS: %s", vcpu->id, strerror(errno));
		return -errno;
	}
	/* KVM stops at the first MSR it refuses; the rest are optional. */
	if (set < (int)ARRAY_SIZE(boot_msrs))
		log_debug("vCPU %u: KVM refused MSR 0x%x", vcpu->id,
			  msrs.entries[set].index);
	return 0;
}

static int vcpu_set_fpu(struct vcpu *vcpu)
{
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };

	if (ioctl(vcpu->fd, KVM_SET_FPU, &fpu) < 0) {
		log_error("vCPU %u: KVM_SET_FPU: %s", vcpu->id, strerror(errno));
		return -errno;
	}
	return 0;
}

static void lapic_set_lvt_mode(struct kvm_lapic_state *lapic, unsigned int reg,
			       unsigned int mode)
{
	uint32_t value;

	memcpy(&value, lapic->regs + reg, sizeof(value));
	value = (value & ~0x700U) | (mode << 8);
	memcpy(lapic->regs + reg, &value, sizeof(value));
}

/* LINT0 takes the PIC (virtual wire mode), LINT1 takes NMIs, as a BIOS leaves them. */
static int vcpu_set_lapic(struct vcpu *vcpu)
{
	struct kvm_lapic_state lapic;

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic) < 0) {
		log_error("vCPU %u: KVM_GET_LAPIC: %s", vcpu->id, strerror(errno));
		return -errno;
	}
	lapic_set_lvt_mode(&lapic, APIC_LVT0, APIC_MODE_EXTINT);
	lapic_set_lvt_mode(&lapic, APIC_LVT1, APIC_MODE_NMI);
	if (ioctl(vcpu->fd, KVM_SET_LAPIC, &lapic) < 0) {
		log_error("vCPU %u: KVM_SET_LAPIC: %s", vcpu->id, strerror(errno));
		return -errno;
	}
	return 0;
}

uint64_t x86_gdt_entry(uint16_t flags, uint32_t base, uint32_t limit)
{
	return ((uint64_t)(base & 0xff000000) << 32) |
	       ((uint64_t)(flags & 0xf0ff) << 40) |
	       ((uint64_t)(limit & 0x000f0000) << 32) |
	       ((uint64_t)(base & 0x00ffffff) << 16) |
	       (uint64_t)(limit & 0x0000ffff);
}

static struct kvm_segment segment_from_gdt(uint64_t entry, unsigned int index)
{
	return (struct kvm_segment) {
		.base = ((entry >> 16) & 0xffffff) | (((entry >> 56) & 0xff) << 24),
		.limit = (uint32_t)((entry & 0xffff) | (((entry >> 48) & 0xf) << 16)),
		.selector = index * 8,
		.type = (entry >> 40) & 0xf,
		.present = (entry >> 47) & 1,
		.dpl = (entry >> 45) & 3,
		.db = (entry >> 54) & 1,
		.s = (entry >> 44) & 1,
		.l = (entry >> 53) & 1,
		.g = (entry >> 55) & 1,
	};
}

void x86_build_page_tables(uint8_t *low_mem)
{
	uint64_t *pml4 = (uint64_t *)(low_mem + X86_PML4_ADDR);
	uint64_t *pdpt = pml4 + 512;
	uint64_t *pd = pdpt + 512;
	const uint64_t present_rw = 0x3, huge = 0x80;

	memset(pml4, 0, 6 * 4096);
	pml4[0] = (X86_PML4_ADDR + 0x1000) | present_rw;
	for (unsigned int i = 0; i < 4; i++)
		pdpt[i] = (X86_PML4_ADDR + 0x2000 + i * 0x1000) | present_rw;
	for (unsigned int i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | present_rw | huge;
}

/* Long mode, flat segments, paging on the identity map: the 64-bit boot protocol. */
static int vcpu_set_boot_state(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	uint64_t gdt[] = {
		0, 0,
		[GDT_CODE64] = x86_gdt_entry(0xa09b, 0, 0xfffff),
		[GDT_DATA] = x86_gdt_entry(0xc093, 0, 0xfffff),
		[GDT_TSS] = x86_gdt_entry(0x808b, 0, 0xfffff),
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = vm->entry_ip,
		.rsi = vm->entry_arg,
		.rsp = X86_BOOT_STACK_TOP,
		.rflags = 0x2,
	};
	uint8_t *low = vm_guest_ptr(vm, 0, X86_PML4_ADDR + 6 * 4096);

	if (!low || vm_guest_write(vm, X86_GDT_ADDR, gdt, sizeof(gdt)))
		return -EFAULT;
	x86_build_page_tables(low);
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	sregs.gdt.base = X86_GDT_ADDR;
	sregs.gdt.limit = sizeof(gdt) - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cs = segment_from_gdt(gdt[GDT_CODE64], GDT_CODE64);
	sregs.ds = segment_from_gdt(gdt[GDT_DATA], GDT_DATA);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.tr = segment_from_gdt(gdt[GDT_TSS], GDT_TSS);
	sregs.cr3 = X86_PML4_ADDR;
	sregs.cr4 = X86_CR4_PAE;
	sregs.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
	sregs.efer = X86_EFER_LME | X86_EFER_LMA;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0) {
		log_error("vCPU %u: KVM_SET_SREGS: %s", vcpu->id, strerror(errno));
		return -errno;
	}
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0) {
		log_error("vCPU %u: KVM_SET_REGS: %s", vcpu->id, strerror(errno));
		return -errno;
	}
	return 0;
}

int arch_vcpu_setup(struct vcpu *vcpu)
{
	int ret;

	ret = vcpu_set_cpuid(vcpu);
	if (!ret)
		ret = vcpu_set_msrs(vcpu);
	if (!ret)
		ret = vcpu_set_fpu(vcpu);
	if (!ret)
		ret = vcpu_set_lapic(vcpu);
	/* Other vCPUs wait for INIT/SIPI in the in-kernel LAPIC. */
	if (!ret && vcpu->id == 0)
		ret = vcpu_set_boot_state(vcpu);
	return ret;
}

bool arch_vcpu_handle_exit(struct vcpu *vcpu)
{
	(void)vcpu;
	return false;
}

void arch_vcpu_describe(struct vcpu *vcpu, char *buf, size_t len)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0) {
		snprintf(buf, len, "registers unavailable");
		return;
	}
	snprintf(buf, len, "rip=0x%llx rsp=0x%llx cr0=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx",
		 (unsigned long long)regs.rip, (unsigned long long)regs.rsp,
		 (unsigned long long)sregs.cr0, (unsigned long long)sregs.cr3,
		 (unsigned long long)sregs.cr4, (unsigned long long)sregs.efer);
}
