/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-rng (spec 5.4): entropy from the host's getrandom(2). */
#ifndef SHAPEVM_VIRTIO_RNG_H
#define SHAPEVM_VIRTIO_RNG_H

struct vm;
struct pci_host;

int virtio_rng_create(struct vm *vm, struct pci_host *host);

#endif
