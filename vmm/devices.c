// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <unistd.h>

#include "devices/pci_host.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_console.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "vfio/passthrough.h"
#include "vmm/arch.h"
#include "vmm/devices.h"
#include "vmm/log.h"
#include "vmm/vm.h"

static void pci_host_teardown(void *arg)
{
	pci_host_destroy(arg);
}

int devices_setup(struct vm *vm, int console_space_fd,
		  struct virtio_console **console, struct vfio_passthrough *vfio)
{
	const struct vm_config *cfg = vm->cfg;
	struct pci_host *host = vm_alloc(vm, sizeof(*host));
	struct arch_pci info;
	size_t i;
	int ret;

	if (!host)
		return -ENOMEM;
	arch_pci_info(&info);
	ret = pci_host_init(host, &vm->plan, info.io_start, info.io_size);
	if (ret) {
		log_error("cannot set up the PCI host bridge: the plan has no PCI windows");
		return ret;
	}
	pci_host_set_intx(host, info.intx_first, info.intx_lines);
	ret = vm_on_destroy(vm, pci_host_teardown, host);
	for (i = 0; i < cfg->nr_disks && !ret; i++)
		ret = virtio_blk_create(vm, host, &cfg->disks[i], i);
	for (i = 0; i < cfg->nr_nets && !ret; i++)
		ret = virtio_net_create(vm, host, &cfg->nets[i], i);
	if (!ret && cfg->rng)
		ret = virtio_rng_create(vm, host);
	if (!ret && cfg->console == CONSOLE_VIRTIO) {
		*console = virtio_console_create(vm, host, STDOUT_FILENO, console_space_fd);
		if (!*console)
			ret = -EIO;
	}
	if (!ret)
		ret = vfio_passthrough_attach(vfio, host, !info.io_size);
	if (!ret)
		ret = pci_host_register(host, vm, info.port_io_config);
	return ret;
}
