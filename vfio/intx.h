/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An assigned device's INTx, level-triggered, without a trip through
 * shapevm per interrupt: VFIO signals the trigger eventfd when the device
 * asserts its pin and masks it; KVM's resample irqfd raises the guest's
 * line from that eventfd and holds it until the guest's EOI, then lowers
 * it and signals the unmask eventfd, on which VFIO unmasks the pin (and
 * signals again at once if the device still asserts it).
 *
 * It is on only while the guest has neither MSI nor MSI-X on (VFIO takes
 * one interrupt index at a time, and PCI forbids INTx beside them): the
 * caller turns it off before enabling those, back on after disabling
 * them, as QEMU's vfio-pci does.
 */
#ifndef SHAPEVM_VFIO_INTX_H
#define SHAPEVM_VFIO_INTX_H

#include <linux/vfio.h>
#include <stdbool.h>
#include <stdint.h>

#include "vfio/device.h"

struct vm;

struct vfio_intx {
	int trigger_fd;			/* VFIO -> KVM: the device asserted its pin */
	int unmask_fd;			/* KVM -> VFIO: the guest EOI'd: unmask */
	int gsi;			/* the KVM route the irqfd is on; -1: no INTx */
	bool on;
};

/*
 * Makes the eventfds and the route for wired line @line (the one the host
 * bridge gave the device's pin), when VFIO offers INTx with eventfds and
 * KVM has resample irqfds. 0 with intx->gsi -1 when either does not
 * (INTx then stays off: a message for the log is in @err, err->msg[0] set),
 * a negative errno when something failed.
 */
int vfio_intx_open(struct vfio_intx *intx, struct vfio_device *dev, struct vm *vm,
		   unsigned int line, struct vfio_error *err);
/* Wires it up (trigger, resample irqfd, unmask), or undoes all of it. */
int vfio_intx_enable(struct vfio_intx *intx, struct vfio_device *dev, struct vm *vm,
		     struct vfio_error *err);
void vfio_intx_disable(struct vfio_intx *intx, struct vfio_device *dev, struct vm *vm);
/* Off, and the eventfds closed. */
void vfio_intx_close(struct vfio_intx *intx, struct vfio_device *dev, struct vm *vm);

#endif
