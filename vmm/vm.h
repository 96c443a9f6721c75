/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one VM: its KVM handles, guest memory laid out from the plan, the
 * buses devices hang on, its vCPUs, and the single place every shutdown
 * path ends in (vm_request_stop).
 */
#ifndef SHAPEVM_VM_H
#define SHAPEVM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/bus.h"
#include "vmm/config.h"
#include "vmm/guest_mem.h"
#include "vmm/irq.h"
#include "vmm/memplan.h"

/* KVM guaranteed 509 user memslots before it raised the limit to 32764. */
#define VM_MAX_SLOTS	509
#define VM_MAX_OWNED	32

struct vcpu;
struct serial8250;

struct vm {
	int kvm_fd;
	int vm_fd;
	int vcpu_mmap_size;
	const struct vm_config *cfg;
	struct vm_plan plan;

	struct guest_slot slots[VM_MAX_SLOTS];
	unsigned int nr_slots;
	struct guest_mem mem;		/* the slots, for devices */

	struct bus pio_bus;
	struct bus mmio_bus;
	struct irq_routing irq;

	struct vcpu *vcpus;
	unsigned int nr_vcpus;

	struct serial8250 *console_uart;

	/* arm64: the interrupt controller, chosen before the plan is made. */
	enum plan_irqchip irqchip;
	void *arch;			/* the arch's own state (vm_alloc'd) */

	/* Device state the VM frees when it is destroyed (vm_alloc). */
	void *owned[VM_MAX_OWNED];
	unsigned int nr_owned;
	/* Devices' own teardown (threads, fds), run before owned state is freed. */
	struct {
		void (*fn)(void *arg);
		void *arg;
	} teardown[VM_MAX_OWNED];
	unsigned int nr_teardown;
	struct {
		int (*fn)(void *arg);
		void *arg;
	} starters[VM_MAX_OWNED];
	unsigned int nr_starters;

	/* Shutdown: the first request wins; stop_fd wakes the event loop. */
	atomic_int stopping;
	int exit_status;
	int stop_fd;

	/* Boot entry the arch's loader fills for the boot vCPU. */
	uint64_t entry_ip;
	uint64_t entry_arg;
};

int vm_open_kvm(struct vm *vm, const char *path);
int vm_check_capability(struct vm *vm, long cap, const char *name);
int vm_create(struct vm *vm);
int vm_map_memory(struct vm *vm);
void vm_destroy(struct vm *vm);

void *vm_alloc(struct vm *vm, size_t size);
/* fn(arg) runs at vm_destroy, last registered first, before vm_alloc'd memory goes. */
int vm_on_destroy(struct vm *vm, void (*fn)(void *arg), void *arg);
/*
 * fn(arg) runs at vm_start_devices, after privileges are dropped, so the
 * threads devices start there are born with the syscall filter and no
 * capabilities. Nonzero stops the VM from starting.
 */
int vm_on_start(struct vm *vm, int (*fn)(void *arg), void *arg);
int vm_start_devices(struct vm *vm);
void *vm_guest_ptr(struct vm *vm, uint64_t gpa, uint64_t len);
int vm_guest_write(struct vm *vm, uint64_t gpa, const void *src, uint64_t len);

void vm_request_stop(struct vm *vm, int status, const char *why);
bool vm_stopping(struct vm *vm);

#endif
