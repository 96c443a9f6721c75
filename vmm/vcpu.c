// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmm/arch.h"
#include "vmm/exitcode.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

/* Kicks a vCPU out of KVM_RUN; the handler only has to exist. */
#define VCPU_KICK_SIGNAL	SIGUSR1
#define VCPU_JOIN_TIMEOUT_S	2

static void vcpu_kick_handler(int sig)
{
	(void)sig;
}

int vcpu_create_all(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = vcpu_kick_handler };
	unsigned int i;
	int max, ret;

	max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (max <= 0)
		max = 4;
	if (vm->cfg->nr_cpus > (unsigned int)max) {
		log_error("--cpus %u: this host's KVM allows at most %d vCPUs",
			  vm->cfg->nr_cpus, max);
		return -EINVAL;
	}
	/* No SA_RESTART: KVM_RUN must return EINTR. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0)
		return -errno;

	vm->vcpus = calloc(vm->cfg->nr_cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -ENOMEM;
	for (i = 0; i < vm->cfg->nr_cpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		vcpu->vm = vm;
		vcpu->id = i;
		vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, i);
		if (vcpu->fd < 0) {
			log_error("KVM_CREATE_VCPU %u: %s", i, strerror(errno));
			return -errno;
		}
		vm->nr_vcpus++;
		vcpu->run = mmap(NULL, vm->vcpu_mmap_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, vcpu->fd, 0);
		if (vcpu->run == MAP_FAILED) {
			vcpu->run = NULL;
			log_error("mmap of vCPU %u: %s", i, strerror(errno));
			return -errno;
		}
		ret = arch_vcpu_setup(vcpu);
		if (ret)
			return ret;
	}
	return 0;
}

static void vcpu_handle_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	uint32_t i;

	/* rep ins/outs arrive as one exit with count items. */
	for (i = 0; i < run->io.count; i++) {
		if (!bus_access(&vcpu->vm->pio_bus, run->io.port, data,
				run->io.size, is_write))
			log_debug("vCPU %u: unclaimed port %s 0x%x", vcpu->id,
				  is_write ? "write" : "read", run->io.port);
		data += run->io.size;
	}
}

static void vcpu_handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	unsigned int len = run->mmio.len;

	if (len > sizeof(run->mmio.data))
		len = sizeof(run->mmio.data);
	if (!bus_access(&vcpu->vm->mmio_bus, run->mmio.phys_addr,
			run->mmio.data, len, run->mmio.is_write))
		log_debug("vCPU %u: unclaimed MMIO %s 0x%llx", vcpu->id,
			  run->mmio.is_write ? "write" : "read",
			  (unsigned long long)run->mmio.phys_addr);
}

static void vcpu_crash(struct vcpu *vcpu, const char *what)
{
	char regs[192];

	arch_vcpu_describe(vcpu, regs, sizeof(regs));
	log_error("guest crashed: vCPU %u: %s (%s)", vcpu->id, what, regs);
	vm_request_stop(vcpu->vm, EXIT_GUEST_CRASH, NULL);
}

static void vcpu_handle_system_event(struct vcpu *vcpu)
{
	switch (vcpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_stop(vcpu->vm, EXIT_GUEST_POWEROFF, "guest powered off");
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_stop(vcpu->vm, EXIT_GUEST_RESET, "guest reset");
		break;
	default:
		vcpu_crash(vcpu, "system event: crash");
		break;
	}
}

/* Returns false when the vCPU should stop running. */
static bool vcpu_handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char what[96];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		vcpu_handle_io(vcpu);
		return true;
	case KVM_EXIT_MMIO:
		vcpu_handle_mmio(vcpu);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel irqchip; nothing will wake us. */
		vcpu_crash(vcpu, "halted with no way to wake up");
		return false;
	case KVM_EXIT_SHUTDOWN:
		vcpu_crash(vcpu, "triple fault");
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		vcpu_handle_system_event(vcpu);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what), "KVM entry failed, hardware reason 0x%llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		vcpu_crash(vcpu, what);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(what, sizeof(what), "KVM internal error, suberror %u%s",
			 run->internal.suberror,
			 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
			 " (instruction emulation failed)" : "");
		vcpu_crash(vcpu, what);
		return false;
	default:
		if (arch_vcpu_handle_exit(vcpu))
			return !vm_stopping(vcpu->vm);
		snprintf(what, sizeof(what), "unexpected KVM exit reason %u",
			 run->exit_reason);
		vcpu_crash(vcpu, what);
		return false;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", vcpu->id);
	pthread_setname_np(pthread_self(), name);
	while (!vm_stopping(vcpu->vm)) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			log_error("vCPU %u: KVM_RUN: %s", vcpu->id, strerror(errno));
			vm_request_stop(vcpu->vm, EXIT_VMM_ERROR, NULL);
			break;
		}
		if (!vcpu_handle_exit(vcpu))
			break;
	}
	return NULL;
}

int vcpu_start_all(struct vm *vm)
{
	sigset_t kick, old;
	unsigned int i;
	int ret = 0;

	/* vCPU threads must take the kick signal; main keeps its own mask. */
	sigemptyset(&kick);
	sigaddset(&kick, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, &old);
	for (i = 0; i < vm->nr_vcpus; i++) {
		ret = -pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread,
				      &vm->vcpus[i]);
		if (ret) {
			log_error("cannot start vCPU %u: %s", i, strerror(-ret));
			break;
		}
		vm->vcpus[i].started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

/*
 * immediate_exit closes the race with a vCPU about to enter KVM_RUN; the
 * signal interrupts one already inside it.
 */
void vcpu_kick_all(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		if (vcpu->run)
			vcpu->run->immediate_exit = 1;
		if (vcpu->started && !pthread_equal(vcpu->thread, pthread_self()))
			pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
	}
}

/*
 * A vCPU may be blocked in a device's write (stdout is a full pipe): kick
 * it again until it gives up, and past the deadline leave it behind rather
 * than hang. Returns -ETIMEDOUT if a thread is still running.
 */
int vcpu_join_all(struct vm *vm)
{
	struct timespec now, deadline;
	unsigned int i, waits;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += VCPU_JOIN_TIMEOUT_S;
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		for (waits = 0; vcpu->started; waits++) {
			struct timespec step;

			clock_gettime(CLOCK_REALTIME, &now);
			step = now;
			step.tv_nsec += 50 * 1000 * 1000;
			if (step.tv_nsec >= 1000000000L) {
				step.tv_sec++;
				step.tv_nsec -= 1000000000L;
			}
			if (pthread_timedjoin_np(vcpu->thread, NULL, &step) == 0) {
				vcpu->started = false;
				break;
			}
			if (now.tv_sec > deadline.tv_sec ||
			    (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec)) {
				log_warn("vCPU %u does not stop; leaving it behind", vcpu->id);
				return -ETIMEDOUT;
			}
			pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
		}
	}
	return 0;
}

void vcpu_destroy_all(struct vm *vm)
{
	unsigned int i;

	if (!vm->vcpus)
		return;
	if (vcpu_join_all(vm))
		return;	/* a thread still uses them: the process exit frees them */
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		if (vcpu->run)
			munmap(vcpu->run, vm->vcpu_mmap_size);
		if (vcpu->fd >= 0)
			close(vcpu->fd);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nr_vcpus = 0;
}
