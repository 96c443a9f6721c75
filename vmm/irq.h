/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt lines and routes into KVM's in-kernel irqchip. KVM takes the
 * routing table whole, so this module keeps the table and pushes it on
 * every change; devices ask for a GSI and wire eventfds to it (irqfd).
 */
#ifndef SHAPEVM_IRQ_H
#define SHAPEVM_IRQ_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vm;

/* Wired lines below this may be shared by level-triggered sources. */
#define IRQ_SHARED_LINES	64

struct irq_routing {
	pthread_mutex_t lock;
	struct kvm_irq_routing_entry *entries;
	unsigned int nr_entries;
	unsigned int capacity;
	unsigned int next_gsi;	/* first GSI not wired to an irqchip pin */
	unsigned int first_free_gsi;	/* GSIs from here are MSI routes */
	unsigned int max_gsi;
	/*
	 * What an architecture adds (arm64), unset elsewhere: KVM_IRQ_LINE's
	 * number for a GSI; KVM_MSI_VALID_DEVID on every MSI route (the ITS
	 * needs the requester ID); and MSIs that are really a wired interrupt
	 * (a GICv2m frame's SETSPI writes), routed to that irqchip pin.
	 */
	unsigned int (*line_number)(unsigned int gsi);
	bool msi_devid;
	bool (*msi_to_pin)(void *opaque, uint64_t address, uint32_t data,
			   unsigned int *irqchip, unsigned int *pin);
	void *msi_opaque;
	/*
	 * Wired level-triggered lines several devices share (PCI INTx):
	 * how many of them hold each line up now. KVM_IRQ_LINE has one
	 * source for all of userspace, so the OR is kept here.
	 */
	uint8_t line_holders[IRQ_SHARED_LINES];
	/* The irqchip of a wired line's route, for irqfds (x86: the IOAPIC). */
	unsigned int line_irqchip;
};

/* Pure table operations (unit tested). */
int irq_routing_init(struct irq_routing *table, unsigned int first_free_gsi,
		     unsigned int max_gsi);
void irq_routing_destroy(struct irq_routing *table);
int irq_routing_add_pin(struct irq_routing *table, unsigned int gsi,
			unsigned int irqchip, unsigned int pin);
int irq_routing_set_msi(struct irq_routing *table, unsigned int gsi,
			uint64_t address, uint32_t data, uint32_t devid,
			uint32_t flags);
int irq_routing_alloc_gsi(struct irq_routing *table);
int irq_routing_remove(struct irq_routing *table, unsigned int gsi);
/* The GSI routed to irqchip @irqchip pin @pin, or -ENOENT. */
int irq_routing_find_pin(const struct irq_routing *table, unsigned int irqchip,
			 unsigned int pin);
/*
 * One of the sources sharing wired line @line now holds it up (@level) or
 * lets it go; each source reports only its own changes. Returns 1 when
 * the line must now go up, 0 when down, -1 when it stays as it was
 * (another source still holds it, or already did); -EINVAL for a line
 * past IRQ_SHARED_LINES, -EOVERFLOW for more holders than counted.
 */
int irq_routing_share_line(struct irq_routing *table, unsigned int line, bool level);

/* KVM side. */
int irq_routing_commit(struct vm *vm);
int irq_line_set(struct vm *vm, unsigned int gsi, int level);
/* A level source on a shared wired line (irq_routing_share_line), into KVM. */
int irq_line_share(struct vm *vm, unsigned int line, bool level);
/*
 * A GSI whose route is wired line @line, for an irqfd that needs an
 * irqchip route (KVM_IRQFD_FLAG_RESAMPLE): the existing one (x86's
 * IOAPIC pins), or a new route (arm64).
 */
int irq_line_route(struct vm *vm, unsigned int line);
int irq_msi_route(struct vm *vm, int gsi, uint64_t address, uint32_t data,
		  uint32_t devid, uint32_t flags);
int irqfd_assign(struct vm *vm, int fd, unsigned int gsi, int resample_fd);
int irqfd_deassign(struct vm *vm, int fd, unsigned int gsi);

#endif
