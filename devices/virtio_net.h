/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-net (spec 5.1) on a tap: --net tap=NAME[,mac=MAC]. */
#ifndef SHAPEVM_VIRTIO_NET_H
#define SHAPEVM_VIRTIO_NET_H

#include "vmm/config.h"

struct vm;
struct pci_host;

int virtio_net_create(struct vm *vm, struct pci_host *host,
		      const struct config_net *cfg, unsigned int index);

#endif
