// SPDX-License-Identifier: GPL-2.0
/*
 * INTx of an assigned device through a KVM resample irqfd (vfio/intx.h).
 * The order follows what each side needs: VFIO's trigger first, so the
 * irqfd finds what the device raised meanwhile (KVM delivers an eventfd
 * signalled before the irqfd existed); then the irqfd with its resample
 * eventfd; then VFIO's unmask on that eventfd, so every EOI unmasks.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vfio/intx.h"
#include "vmm/irq.h"
#include "vmm/vm.h"

/* VFIO's INTx trigger or unmask on @eventfd; -1 turns INTx off. */
static int intx_set(struct vfio_device *dev, uint32_t action, int eventfd,
		    struct vfio_error *err)
{
	int32_t fd = eventfd;

	return vfio_device_set_irqs(dev, VFIO_PCI_INTX_IRQ_INDEX, action, &fd, eventfd >= 0,
				    err);
}

int vfio_intx_open(struct vfio_intx *intx, struct vfio_device *dev, struct vm *vm,
		   unsigned int line, struct vfio_error *err)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = VFIO_PCI_INTX_IRQ_INDEX };

	*intx = (struct vfio_intx) { .trigger_fd = -1, .unmask_fd = -1, .gsi = -1 };
	err->msg[0] = '\0';
	/* VFIO shows no INTx when the pin is 0, or shared and not maskable (nointxmask). */
	if (VFIO_PCI_INTX_IRQ_INDEX >= dev->num_irqs ||
	    ioctl(dev->fd, VFIO_DEVICE_GET_IRQ_INFO, &info) || info.count < 1 ||
	    !(info.flags & VFIO_IRQ_INFO_EVENTFD)) {
		vfio_fail(err, 0, "%s: VFIO offers no INTx for it: MSI or MSI-X only", dev->bdf);
		return 0;
	}
	if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD_RESAMPLE) <= 0) {
		vfio_fail(err, 0, "%s: KVM has no resample irqfds (KVM_CAP_IRQFD_RESAMPLE): no INTx, MSI or MSI-X only",
			  dev->bdf);
		return 0;
	}
	intx->trigger_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	intx->unmask_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (intx->trigger_fd < 0 || intx->unmask_fd < 0)
		return vfio_fail(err, -errno, "%s: INTx eventfds: %s", dev->bdf, strerror(errno));
	intx->gsi = irq_line_route(vm, line);
	if (intx->gsi < 0)
		return vfio_fail(err, intx->gsi, "%s: no KVM route for INTx line %u: %s",
				 dev->bdf, line, strerror(-intx->gsi));
	return 0;
}

int vfio_intx_enable(struct vfio_intx *intx, struct vfio_device *dev, struct vm *vm,
		     struct vfio_error *err)
{
	int ret;

	if (intx->on || intx->gsi < 0)
		return 0;
	ret = intx_set(dev, VFIO_IRQ_SET_ACTION_TRIGGER, intx->trigger_fd, err);
	if (ret)
		return ret;
	ret = irqfd_assign(vm, intx->trigger_fd, intx->gsi, intx->unmask_fd);
	if (ret) {
		vfio_fail(err, ret, "%s: KVM_IRQFD (resample) on GSI %d: %s", dev->bdf,
			  intx->gsi, strerror(-ret));
		goto off;
	}
	ret = intx_set(dev, VFIO_IRQ_SET_ACTION_UNMASK, intx->unmask_fd, err);
	if (ret) {
		irqfd_deassign(vm, intx->trigger_fd, intx->gsi);
		goto off;
	}
	intx->on = true;
	return 0;
off:
	intx_set(dev, VFIO_IRQ_SET_ACTION_TRIGGER, -1, &(struct vfio_error){ 0 });
	return ret;
}

void vfio_intx_disable(struct vfio_intx *intx, struct vfio_device *dev, struct vm *vm)
{
	uint64_t stale;
	struct vfio_error err;

	if (!intx->on)
		return;
	intx_set(dev, VFIO_IRQ_SET_ACTION_TRIGGER, -1, &err);
	/* KVM lowers the line when a resample irqfd goes. */
	irqfd_deassign(vm, intx->trigger_fd, intx->gsi);
	/* What the device raised before: not an interrupt for the next enable. */
	while (read(intx->trigger_fd, &stale, sizeof(stale)) == sizeof(stale))
		;
	while (read(intx->unmask_fd, &stale, sizeof(stale)) == sizeof(stale))
		;
	intx->on = false;
}

void vfio_intx_close(struct vfio_intx *intx, struct vfio_device *dev, struct vm *vm)
{
	vfio_intx_disable(intx, dev, vm);
	if (intx->trigger_fd >= 0)
		close(intx->trigger_fd);
	if (intx->unmask_fd >= 0)
		close(intx->unmask_fd);
	intx->trigger_fd = intx->unmask_fd = -1;
	intx->gsi = -1;
}
