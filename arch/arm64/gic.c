// SPDX-License-Identifier: GPL-2.0
/*
 * The interrupt controller: KVM's vGICv3 (distributor and redistributors),
 * its ITS, or a vGICv2, at the plan's addresses; and a GICv2m frame that
 * shapevm emulates, for MSIs without an ITS. KVM builds its default
 * routing when the GIC is initialised, replacing ours, so ours goes back
 * after (arm64_gic_finalize).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arch/arm64/machine.h"
#include "vmm/arch.h"
#include "vmm/irq.h"
#include "vmm/log.h"
#include "vmm/vm.h"

static const char *const gic_names[] = {
	[KVM_DEV_TYPE_ARM_VGIC_V2] = "vGICv2",
	[KVM_DEV_TYPE_ARM_VGIC_V3] = "vGICv3",
	[KVM_DEV_TYPE_ARM_VGIC_ITS] = "vGIC ITS",
};

bool arm64_irqchip_is_v3(int irqchip)
{
	return irqchip == PLAN_IRQCHIP_GICV3_ITS || irqchip == PLAN_IRQCHIP_GICV3 ||
	       irqchip == PLAN_IRQCHIP_GICV3_V2M;
}

static bool device_type_exists(int vm_fd, uint32_t type)
{
	struct kvm_create_device dev = { .type = type, .flags = KVM_CREATE_DEVICE_TEST };

	return ioctl(vm_fd, KVM_CREATE_DEVICE, &dev) == 0;
}

/*
 * Which GICs the host's KVM emulates, asked of a scratch VM: the plan (made
 * before the real VM) depends on the answer.
 */
int arm64_gic_probe(struct vm *vm, struct arm64_machine *m)
{
	unsigned long type = m->max_ipa_bits ? KVM_VM_TYPE_ARM_IPA_SIZE(m->max_ipa_bits) : 0;
	int fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, type);

	if (fd < 0) {
		log_error("KVM_CREATE_VM (to ask which GICs KVM emulates): %s", strerror(errno));
		return -errno;
	}
	m->have_v3 = device_type_exists(fd, KVM_DEV_TYPE_ARM_VGIC_V3);
	m->have_its = m->have_v3 && device_type_exists(fd, KVM_DEV_TYPE_ARM_VGIC_ITS);
	m->have_v2 = device_type_exists(fd, KVM_DEV_TYPE_ARM_VGIC_V2);
	close(fd);
	return 0;
}

static int device_set(int fd, uint32_t group, uint64_t attr, const void *value,
		      const char *what)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)value,
	};

	if (ioctl(fd, KVM_SET_DEVICE_ATTR, &a) < 0) {
		log_error("KVM_SET_DEVICE_ATTR (%s): %s", what, strerror(errno));
		return -errno;
	}
	return 0;
}

static int device_create(struct vm *vm, uint32_t type)
{
	struct kvm_create_device dev = { .type = type };

	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &dev) < 0) {
		log_error("KVM_CREATE_DEVICE %s: %s", gic_names[type], strerror(errno));
		return -errno;
	}
	return (int)dev.fd;
}

static int frame_addr(struct vm *vm, const char *name, uint64_t *addr)
{
	const struct plan_region *r = memplan_find(&vm->plan, name);

	if (!r) {
		log_error("the memory plan has no %s frame for the %s interrupt controller",
			  name, memplan_irqchip_name(vm->irqchip));
		return -EINVAL;
	}
	*addr = r->start;
	return 0;
}

static int gic_create(struct vm *vm, struct arm64_machine *m)
{
	bool v3 = arm64_irqchip_is_v3(vm->irqchip);
	uint32_t nr_irqs = ARM64_NR_IRQS;
	uint64_t dist, cpu;
	int ret;

	ret = frame_addr(vm, "gic-dist", &dist);
	if (!ret)
		ret = frame_addr(vm, v3 ? "gic-redist" : "gic-cpu", &cpu);
	if (ret)
		return ret;
	m->gic_fd = device_create(vm, v3 ? KVM_DEV_TYPE_ARM_VGIC_V3 : KVM_DEV_TYPE_ARM_VGIC_V2);
	if (m->gic_fd < 0)
		return m->gic_fd;
	ret = device_set(m->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
			 v3 ? KVM_VGIC_V3_ADDR_TYPE_DIST : KVM_VGIC_V2_ADDR_TYPE_DIST,
			 &dist, "distributor address");
	if (!ret)
		ret = device_set(m->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
				 v3 ? KVM_VGIC_V3_ADDR_TYPE_REDIST : KVM_VGIC_V2_ADDR_TYPE_CPU,
				 &cpu, v3 ? "redistributor address" : "CPU interface address");
	if (!ret)
		ret = device_set(m->gic_fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs,
				 "number of interrupts");
	return ret;
}

static int its_create(struct vm *vm, struct arm64_machine *m)
{
	uint64_t base = 0;
	int ret = frame_addr(vm, "gic-its", &base);

	if (ret)
		return ret;
	m->its_fd = device_create(vm, KVM_DEV_TYPE_ARM_VGIC_ITS);
	if (m->its_fd < 0)
		return m->its_fd;
	return device_set(m->its_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_ITS_ADDR_TYPE,
			  &base, "ITS address");
}

/* KVM_IRQ_LINE on arm64 takes a type and an INTID, not a GSI. */
static unsigned int arm64_line_number(unsigned int spi)
{
	return (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | (spi + 32);
}

/* A write the guest made to the GICv2m frame itself, not through an MSI route. */
static void v2m_raise(void *opaque, uint32_t intid)
{
	struct vm *vm = opaque;

	/* v2m SPIs are edge-triggered: a pulse. */
	irq_line_set(vm, intid - 32, 1);
	irq_line_set(vm, intid - 32, 0);
}

static bool v2m_msi_to_pin(void *opaque, uint64_t address, uint32_t data,
			   unsigned int *irqchip, unsigned int *pin)
{
	struct gicv2m *v2m = opaque;
	uint32_t intid;

	if (!gicv2m_msi_to_intid(v2m, address, data, &intid))
		return false;
	*irqchip = 0;
	*pin = intid - 32;
	return true;
}

static int v2m_create(struct vm *vm, struct arm64_machine *m)
{
	uint64_t base = 0;
	int ret = frame_addr(vm, "gicv2m", &base);

	if (!ret)
		ret = gicv2m_init(&m->v2m, base, ARM64_V2M_SPI_BASE, ARM64_V2M_NR_SPIS,
				  v2m_raise, vm);
	if (!ret)
		ret = bus_register(&vm->mmio_bus, base, GICV2M_FRAME_SIZE, gicv2m_access,
				   &m->v2m, "gicv2m");
	if (ret) {
		log_error("cannot place the GICv2m frame at 0x%llx", (unsigned long long)base);
		return ret;
	}
	m->v2m_on = true;
	vm->irq.msi_to_pin = v2m_msi_to_pin;
	vm->irq.msi_opaque = &m->v2m;
	return 0;
}

int arch_vm_setup(struct vm *vm)
{
	struct arm64_machine *m = arm64_machine(vm);
	int ret;

	ret = irq_routing_init(&vm->irq, 0, ARM64_MAX_GSI);
	if (ret)
		return ret;
	vm->irq.line_number = arm64_line_number;
	ret = gic_create(vm, m);
	if (!ret && vm->irqchip == PLAN_IRQCHIP_GICV3_ITS) {
		ret = its_create(vm, m);
		/*
		 * The ITS finds a device's table by its requester ID. KVM says
		 * so only once the ITS exists (msis_require_devid).
		 */
		vm->irq.msi_devid = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MSI_DEVID) > 0;
		if (!ret && !vm->irq.msi_devid)
			log_warn("KVM does not ask for device IDs with MSIs: the ITS may drop them");
	}
	if (!ret && (vm->irqchip == PLAN_IRQCHIP_GICV2M || vm->irqchip == PLAN_IRQCHIP_GICV3_V2M))
		ret = v2m_create(vm, m);
	return ret;
}

/* After every vCPU exists: KVM sizes the redistributors by them. */
int arm64_gic_finalize(struct vm *vm)
{
	struct arm64_machine *m = arm64_machine(vm);
	int ret;

	ret = device_set(m->gic_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT,
			 NULL, "GIC init");
	if (!ret && m->its_fd >= 0)
		ret = device_set(m->its_fd, KVM_DEV_ARM_VGIC_GRP_CTRL,
				 KVM_DEV_ARM_VGIC_CTRL_INIT, NULL, "ITS init");
	/* GIC init put KVM's default routes in place of the devices' MSI routes. */
	if (!ret)
		ret = irq_routing_commit(vm);
	return ret;
}
