/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PCI bus and the virtio devices the command line asks for, in its
 * order (so device numbers are stable for the same command line).
 */
#ifndef SHAPEVM_DEVICES_H
#define SHAPEVM_DEVICES_H

struct vm;
struct virtio_console;
struct vfio_passthrough;

/*
 * Creates the host bridge and the devices (virtio ones first, then the
 * assigned ones of @vfio, NULL for none, in command-line order), and
 * registers the bus's ranges. *console gets the virtio console when
 * --console virtio.
 */
int devices_setup(struct vm *vm, int console_space_fd,
		  struct virtio_console **console, struct vfio_passthrough *vfio);

#endif
