// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/irq.h"
#include "vmm/log.h"
#include "vmm/vm.h"

int irq_routing_init(struct irq_routing *table, unsigned int first_free_gsi,
		     unsigned int max_gsi)
{
	memset(table, 0, sizeof(*table));
	if (first_free_gsi > max_gsi)
		return -EINVAL;
	pthread_mutex_init(&table->lock, NULL);
	table->next_gsi = first_free_gsi;
	table->first_free_gsi = first_free_gsi;
	table->max_gsi = max_gsi;
	return 0;
}

void irq_routing_destroy(struct irq_routing *table)
{
	free(table->entries);
	table->entries = NULL;
	table->nr_entries = table->capacity = 0;
}

static struct kvm_irq_routing_entry *irq_routing_append(struct irq_routing *table)
{
	struct kvm_irq_routing_entry *e;

	if (table->nr_entries == table->capacity) {
		unsigned int cap = table->capacity ? table->capacity * 2 : 32;

		e = realloc(table->entries, cap * sizeof(*e));
		if (!e)
			return NULL;
		table->entries = e;
		table->capacity = cap;
	}
	e = &table->entries[table->nr_entries++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* A GSI may feed several irqchip pins (x86: the PIC and the IOAPIC). */
int irq_routing_add_pin(struct irq_routing *table, unsigned int gsi,
			unsigned int irqchip, unsigned int pin)
{
	struct kvm_irq_routing_entry *e;

	if (gsi > table->max_gsi)
		return -EINVAL;
	e = irq_routing_append(table);
	if (!e)
		return -ENOMEM;
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = irqchip;
	e->u.irqchip.pin = pin;
	return 0;
}

/* An MSI GSI has one entry, an MSI or (msi_to_pin) the pin it became. */
static struct kvm_irq_routing_entry *irq_routing_find_msi(struct irq_routing *table,
							  unsigned int gsi)
{
	unsigned int i;

	for (i = 0; i < table->nr_entries; i++)
		if (table->entries[i].gsi == gsi &&
		    (table->entries[i].type == KVM_IRQ_ROUTING_MSI ||
		     gsi >= table->first_free_gsi))
			return &table->entries[i];
	return NULL;
}

int irq_routing_set_msi(struct irq_routing *table, unsigned int gsi,
			uint64_t address, uint32_t data, uint32_t devid,
			uint32_t flags)
{
	struct kvm_irq_routing_entry *e;

	if (gsi > table->max_gsi)
		return -EINVAL;
	e = irq_routing_find_msi(table, gsi);
	if (!e) {
		e = irq_routing_append(table);
		if (!e)
			return -ENOMEM;
	}
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	if (table->msi_to_pin &&
	    table->msi_to_pin(table->msi_opaque, address, data,
			      &e->u.irqchip.irqchip, &e->u.irqchip.pin)) {
		e->type = KVM_IRQ_ROUTING_IRQCHIP;
		return 0;
	}
	e->type = KVM_IRQ_ROUTING_MSI;
	e->flags = flags | (table->msi_devid ? KVM_MSI_VALID_DEVID : 0);
	e->u.msi.address_lo = (uint32_t)address;
	e->u.msi.address_hi = (uint32_t)(address >> 32);
	e->u.msi.data = data;
	e->u.msi.devid = devid;
	return 0;
}

int irq_routing_alloc_gsi(struct irq_routing *table)
{
	if (table->next_gsi > table->max_gsi)
		return -ENOSPC;
	return table->next_gsi++;
}

int irq_routing_remove(struct irq_routing *table, unsigned int gsi)
{
	unsigned int i, kept = 0;

	for (i = 0; i < table->nr_entries; i++)
		if (table->entries[i].gsi != gsi)
			table->entries[kept++] = table->entries[i];
	if (kept == table->nr_entries)
		return -ENOENT;
	table->nr_entries = kept;
	return 0;
}

int irq_routing_find_pin(const struct irq_routing *table, unsigned int irqchip,
			 unsigned int pin)
{
	for (unsigned int i = 0; i < table->nr_entries; i++) {
		const struct kvm_irq_routing_entry *e = &table->entries[i];

		if (e->type == KVM_IRQ_ROUTING_IRQCHIP && e->u.irqchip.irqchip == irqchip &&
		    e->u.irqchip.pin == pin)
			return e->gsi;
	}
	return -ENOENT;
}

int irq_routing_share_line(struct irq_routing *table, unsigned int line, bool level)
{
	uint8_t *holders;

	if (line >= IRQ_SHARED_LINES)
		return -EINVAL;
	holders = &table->line_holders[line];
	if (level) {
		if (*holders == UINT8_MAX)
			return -EOVERFLOW;
		return (*holders)++ ? -1 : 1;
	}
	if (!*holders)
		return -1;	/* a release with nothing held: keep the line as it is */
	return --(*holders) ? -1 : 0;
}

/* Caller holds table->lock. */
static int irq_routing_push(struct vm *vm)
{
	struct irq_routing *table = &vm->irq;
	struct kvm_irq_routing *routing;
	size_t size;
	int ret = 0;

	size = sizeof(*routing) + table->nr_entries * sizeof(routing->entries[0]);
	routing = calloc(1, size);
	if (!routing)
		return -ENOMEM;
	routing->nr = table->nr_entries;
	memcpy(routing->entries, table->entries,
	       table->nr_entries * sizeof(routing->entries[0]));
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, routing) < 0) {
		ret = -errno;
		log_error("KVM_SET_GSI_ROUTING (%u routes): %s",
			  table->nr_entries, strerror(errno));
	}
	free(routing);
	return ret;
}

int irq_routing_commit(struct vm *vm)
{
	int ret;

	pthread_mutex_lock(&vm->irq.lock);
	ret = irq_routing_push(vm);
	pthread_mutex_unlock(&vm->irq.lock);
	return ret;
}

int irq_line_set(struct vm *vm, unsigned int gsi, int level)
{
	struct kvm_irq_level line = { .level = level };

	line.irq = vm->irq.line_number ? vm->irq.line_number(gsi) : gsi;

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &line) < 0)
		return -errno;
	return 0;
}

/*
 * Why userspace keeps the OR: every KVM_IRQ_LINE caller is one source to
 * KVM, so a device letting a shared line go would otherwise drop another
 * device's interrupt. The lock also orders the ioctls with the counts.
 */
int irq_line_share(struct vm *vm, unsigned int line, bool level)
{
	int ret;

	pthread_mutex_lock(&vm->irq.lock);
	ret = irq_routing_share_line(&vm->irq, line, level);
	if (ret >= 0)
		ret = irq_line_set(vm, line, ret);
	else if (ret == -1)
		ret = 0;
	pthread_mutex_unlock(&vm->irq.lock);
	return ret;
}

int irq_line_route(struct vm *vm, unsigned int line)
{
	struct irq_routing *table = &vm->irq;
	int gsi, ret;

	pthread_mutex_lock(&table->lock);
	gsi = irq_routing_find_pin(table, table->line_irqchip, line);
	if (gsi < 0) {
		gsi = irq_routing_alloc_gsi(table);
		ret = gsi < 0 ? gsi : irq_routing_add_pin(table, gsi, table->line_irqchip, line);
		if (!ret)
			ret = irq_routing_push(vm);
		if (ret)
			gsi = ret;
	}
	pthread_mutex_unlock(&table->lock);
	return gsi;
}

/*
 * Points an MSI route at address/data; gsi < 0 allocates one. Returns the
 * GSI, for an irqfd to be bound to it.
 */
int irq_msi_route(struct vm *vm, int gsi, uint64_t address, uint32_t data,
		  uint32_t devid, uint32_t flags)
{
	int ret;

	pthread_mutex_lock(&vm->irq.lock);
	if (gsi < 0)
		gsi = irq_routing_alloc_gsi(&vm->irq);
	ret = gsi;
	if (gsi >= 0)
		ret = irq_routing_set_msi(&vm->irq, gsi, address, data, devid, flags);
	if (!ret)
		ret = irq_routing_push(vm);
	pthread_mutex_unlock(&vm->irq.lock);
	return ret < 0 ? ret : gsi;
}

int irqfd_assign(struct vm *vm, int fd, unsigned int gsi, int resample_fd)
{
	struct kvm_irqfd irqfd = { .fd = fd, .gsi = gsi };

	if (resample_fd >= 0) {
		irqfd.flags = KVM_IRQFD_FLAG_RESAMPLE;
		irqfd.resamplefd = resample_fd;
	}
	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0)
		return -errno;
	return 0;
}

int irqfd_deassign(struct vm *vm, int fd, unsigned int gsi)
{
	struct kvm_irqfd irqfd = { .fd = fd, .gsi = gsi,
				   .flags = KVM_IRQFD_FLAG_DEASSIGN };

	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0)
		return -errno;
	return 0;
}
