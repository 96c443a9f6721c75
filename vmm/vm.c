// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/serial8250.h"
#include "vmm/arch.h"
#include "vmm/log.h"
#include "vmm/util.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

int vm_open_kvm(struct vm *vm, const char *path)
{
	int version;

	vm->kvm_fd = open(path, O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		int err = errno;

		if (err == ENOENT)
			log_error("%s: no such device (is the kvm module loaded? is virtualization enabled?)",
				  path);
		else if (err == EACCES || err == EPERM)
			log_error("%s: permission denied (add yourself to the kvm group, or run as root)",
				  path);
		else
			log_error("%s: %s", path, strerror(err));
		return -err;
	}
	version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		log_error("%s: KVM API version %d, shapevm needs %d", path,
			  version, KVM_API_VERSION);
		return -ENOTSUP;
	}
	vm->vcpu_mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
		log_error("%s: KVM_GET_VCPU_MMAP_SIZE: %s", path, strerror(errno));
		return -ENOTSUP;
	}
	return 0;
}

/* What the host can do is KVM's answer, never a CPU flag. */
int vm_check_capability(struct vm *vm, long cap, const char *name)
{
	int fd = vm->vm_fd >= 0 ? vm->vm_fd : vm->kvm_fd;

	if (ioctl(fd, KVM_CHECK_EXTENSION, cap) > 0)
		return 0;
	log_error("this host's KVM lacks %s, which shapevm needs", name);
	return -ENOTSUP;
}

int vm_create(struct vm *vm)
{
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, arch_vm_type(vm));
	if (vm->vm_fd < 0) {
		log_error("KVM_CREATE_VM: %s", strerror(errno));
		return -errno;
	}
	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_fd < 0) {
		log_error("eventfd: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * KVM maps a 2 MiB page into the guest only where host and guest addresses
 * agree modulo 2 MiB, so the mapping is placed that way: without it every
 * guest page costs its own fault, which nested guests feel most.
 * NORESERVE: pages the guest never touches cost nothing.
 */
static void *guest_memory_alloc(uint64_t gpa, uint64_t size)
{
	uint64_t want = gpa & (SZ_2M - 1), have, lead;
	uint8_t *raw;

	raw = mmap(NULL, size + SZ_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	have = (uintptr_t)raw & (SZ_2M - 1);
	lead = (want - have) & (SZ_2M - 1);
	if (lead)
		munmap(raw, lead);
	munmap(raw + lead + size, SZ_2M - lead);
	/*
	 * Huge pages pay off for the bulk of RAM, not for the first 2 MiB,
	 * where the boot structures sit: a huge page there means zeroing 2 MiB
	 * before the guest's first instruction, and 2 MiB more RSS.
	 */
	if (gpa + size > SZ_2M) {
		uint64_t skip = gpa < SZ_2M ? SZ_2M - gpa : 0;

		madvise(raw + lead + skip, size - skip, MADV_HUGEPAGE);
	}
	return raw + lead;
}

static int vm_add_slot(struct vm *vm, uint64_t gpa, uint64_t size)
{
	struct kvm_userspace_memory_region region;
	struct guest_slot *slot;
	void *host;

	if (vm->nr_slots == VM_MAX_SLOTS) {
		log_error("the plan needs more than %d memory slots: the host's reserved regions cut RAM into too many banks",
			  VM_MAX_SLOTS);
		return -ENOSPC;
	}
	host = guest_memory_alloc(gpa, size);
	if (!host) {
		log_error("cannot reserve %llu MiB of guest memory: %s",
			  (unsigned long long)(size >> 20), strerror(errno));
		return -ENOMEM;
	}
	slot = &vm->slots[vm->nr_slots];
	*slot = (struct guest_slot) {
		.gpa = gpa, .size = size, .host = host, .slot = vm->nr_slots,
	};
	region = (struct kvm_userspace_memory_region) {
		.slot = slot->slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		int err = errno;

		munmap(host, size);
		log_error("KVM_SET_USER_MEMORY_REGION at 0x%llx (%llu KiB): %s",
			  (unsigned long long)gpa,
			  (unsigned long long)(size >> 10), strerror(err));
		return -err;
	}
	vm->nr_slots++;
	vm->mem = (struct guest_mem) { vm->slots, vm->nr_slots };
	return 0;
}

/*
 * One memslot per run of adjacent backed regions (RAM and firmware tables),
 * widened to whole pages: the plan may end a bank mid-page, KVM cannot.
 */
int vm_map_memory(struct vm *vm)
{
	const struct vm_plan *plan = &vm->plan;
	uint64_t run_start = 0, run_end = 0;
	bool in_run = false;
	size_t i;
	int ret;

	for (i = 0; i <= plan->nr_regions; i++) {
		const struct plan_region *r = i < plan->nr_regions ? &plan->regions[i] : NULL;
		bool backed = r && memplan_kind_is_backed(r->kind);
		uint64_t start = r ? ALIGN_DOWN(r->start, SZ_4K) : 0;

		if (in_run && (!backed || start > run_end)) {
			ret = vm_add_slot(vm, run_start, run_end - run_start);
			if (ret)
				return ret;
			in_run = false;
		}
		if (!backed)
			continue;
		if (!in_run) {
			run_start = start;
			in_run = true;
		}
		run_end = ALIGN_UP(r->start + r->size, SZ_4K);
	}
	return 0;
}

/* Zeroed memory for a device's state, freed with the VM. */
int vm_on_destroy(struct vm *vm, void (*fn)(void *arg), void *arg)
{
	if (vm->nr_teardown == VM_MAX_OWNED)
		return -ENOSPC;
	vm->teardown[vm->nr_teardown].fn = fn;
	vm->teardown[vm->nr_teardown].arg = arg;
	vm->nr_teardown++;
	return 0;
}

int vm_on_start(struct vm *vm, int (*fn)(void *arg), void *arg)
{
	if (vm->nr_starters == VM_MAX_OWNED)
		return -ENOSPC;
	vm->starters[vm->nr_starters].fn = fn;
	vm->starters[vm->nr_starters].arg = arg;
	vm->nr_starters++;
	return 0;
}

int vm_start_devices(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_starters; i++) {
		int ret = vm->starters[i].fn(vm->starters[i].arg);

		if (ret)
			return ret;
	}
	return 0;
}

void *vm_alloc(struct vm *vm, size_t size)
{
	void *p;

	if (vm->nr_owned == VM_MAX_OWNED)
		return NULL;
	p = calloc(1, size);
	if (p)
		vm->owned[vm->nr_owned++] = p;
	return p;
}

void vm_destroy(struct vm *vm)
{
	unsigned int i;

	vcpu_destroy_all(vm);
	/* A vCPU left running may still touch guest memory and devices. */
	if (vm->nr_vcpus)
		return;
	while (vm->nr_teardown) {
		vm->nr_teardown--;
		vm->teardown[vm->nr_teardown].fn(vm->teardown[vm->nr_teardown].arg);
	}
	serial8250_destroy(vm->console_uart);
	vm->console_uart = NULL;
	for (i = 0; i < vm->nr_owned; i++)
		free(vm->owned[i]);
	vm->nr_owned = 0;
	for (i = 0; i < vm->nr_slots; i++)
		munmap(vm->slots[i].host, vm->slots[i].size);
	vm->nr_slots = 0;
	vm->mem.nr_slots = 0;
	memplan_free(&vm->plan);
	bus_destroy(&vm->pio_bus);
	bus_destroy(&vm->mmio_bus);
	irq_routing_destroy(&vm->irq);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->stop_fd = vm->vm_fd = vm->kvm_fd = -1;
}

/* A host pointer for [gpa, gpa + len), or NULL unless it lies in one slot. */
void *vm_guest_ptr(struct vm *vm, uint64_t gpa, uint64_t len)
{
	struct guest_mem mem = { vm->slots, vm->nr_slots };

	return guest_mem_ptr(&mem, gpa, len);
}

int vm_guest_write(struct vm *vm, uint64_t gpa, const void *src, uint64_t len)
{
	void *dst = vm_guest_ptr(vm, gpa, len);

	if (!dst)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

/*
 * Every way the VM ends comes here: guest power-off or reset, a crash, a
 * signal, an error. The first reason wins; the event loop does the rest.
 */
void vm_request_stop(struct vm *vm, int status, const char *why)
{
	int expected = 0;
	uint64_t one = 1;

	if (!atomic_compare_exchange_strong(&vm->stopping, &expected, 1))
		return;
	vm->exit_status = status;
	if (why)
		log_info("%s", why);
	vcpu_kick_all(vm);
	if (write(vm->stop_fd, &one, sizeof(one)) < 0)
		log_debug("stop eventfd: %s", strerror(errno));
}

bool vm_stopping(struct vm *vm)
{
	return atomic_load(&vm->stopping);
}
