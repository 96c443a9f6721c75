/* SPDX-License-Identifier: GPL-2.0 */
/* One thread per vCPU: KVM_RUN, then the exit goes to a bus or ends the VM. */
#ifndef SHAPEVM_VCPU_H
#define SHAPEVM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
};

int vcpu_create_all(struct vm *vm);
int vcpu_start_all(struct vm *vm);
void vcpu_kick_all(struct vm *vm);
int vcpu_join_all(struct vm *vm);
void vcpu_destroy_all(struct vm *vm);

#endif
