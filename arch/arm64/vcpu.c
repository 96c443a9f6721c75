// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 vCPUs: the CPU model KVM prefers, PSCI 0.2+ (KVM answers PSCI
 * calls itself; SYSTEM_OFF and SYSTEM_RESET come back as system events),
 * secondaries powered off until the guest's CPU_ON, and the boot vCPU's
 * entry registers per Documentation/arch/arm64/booting.rst: PC at the
 * kernel, x0 the device tree, x1-x3 zero, EL1 with interrupts masked
 * (KVM's reset state).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/arm64/machine.h"
#include "vmm/arch.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define CORE_REG(name)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 KVM_REG_ARM_CORE_REG(name))
#define REG_MPIDR_EL1	ARM64_SYS_REG(3, 0, 0, 0, 5)

static int reg_set(struct vcpu *vcpu, uint64_t id, uint64_t value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&value };

	return ioctl(vcpu->fd, KVM_SET_ONE_REG, &reg) < 0 ? -errno : 0;
}

static int reg_get(struct vcpu *vcpu, uint64_t id, uint64_t *value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)value };

	return ioctl(vcpu->fd, KVM_GET_ONE_REG, &reg) < 0 ? -errno : 0;
}

int arm64_vcpu_mpidr(struct vcpu *vcpu, uint64_t *mpidr)
{
	int ret = reg_get(vcpu, REG_MPIDR_EL1, mpidr);

	if (ret)
		log_error("vCPU %u: cannot read MPIDR_EL1: %s", vcpu->id, strerror(-ret));
	return ret;
}

int arch_vcpu_setup(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct kvm_vcpu_init init;
	int ret;

	memset(&init, 0, sizeof(init));
	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		log_error("KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
		return -errno;
	}
	init.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	if (vcpu->id)
		init.features[0] |= 1U << KVM_ARM_VCPU_POWER_OFF;
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, &init) < 0) {
		log_error("KVM_ARM_VCPU_INIT of vCPU %u: %s", vcpu->id, strerror(errno));
		return -errno;
	}
	if (vcpu->id)
		return 0;
	ret = reg_set(vcpu, CORE_REG(regs.pc), vm->entry_ip);
	for (unsigned int i = 0; i < 4 && !ret; i++)
		ret = reg_set(vcpu, CORE_REG(regs.regs[i]), i ? 0 : vm->entry_arg);
	if (ret)
		log_error("cannot set the boot vCPU's registers: %s", strerror(-ret));
	return ret;
}

/* PSCI, WFI and the timer stay in the kernel: nothing more comes here. */
bool arch_vcpu_handle_exit(struct vcpu *vcpu)
{
	(void)vcpu;
	return false;
}

void arch_vcpu_describe(struct vcpu *vcpu, char *buf, size_t len)
{
	uint64_t pc = 0, pstate = 0, lr = 0;

	if (reg_get(vcpu, CORE_REG(regs.pc), &pc) ||
	    reg_get(vcpu, CORE_REG(regs.pstate), &pstate) ||
	    reg_get(vcpu, CORE_REG(regs.regs[30]), &lr)) {
		snprintf(buf, len, "registers unavailable");
		return;
	}
	snprintf(buf, len, "pc=0x%llx lr=0x%llx pstate=0x%llx",
		 (unsigned long long)pc, (unsigned long long)lr,
		 (unsigned long long)pstate);
}
