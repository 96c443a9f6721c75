// SPDX-License-Identifier: GPL-2.0
/*
 * BAR 0: common config at 0x0000, ISR at 0x1000, device config at 0x2000,
 * notify at 0x3000 (4 bytes per queue). BAR 1: MSI-X table at 0, PBA at
 * 0x800. Every field the driver writes is checked before it is used; what
 * makes no sense is ignored or fails the device (NEEDS_RESET), never the VMM.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/pci_host.h"
#include "devices/virtio_pci.h"
#include "vmm/irq.h"
#include "vmm/le.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040

#define BAR0_SIZE		0x4000
#define COMMON_OFFSET		0x0000
#define ISR_OFFSET		0x1000
#define DEVICE_OFFSET		0x2000
#define NOTIFY_OFFSET		0x3000
#define REGION_SIZE		0x1000
#define NOTIFY_MULTIPLIER	4

#define MSIX_BAR		1
#define MSIX_BAR_SIZE		0x1000
#define MSIX_TABLE_OFFSET	0x000
#define MSIX_PBA_OFFSET		0x800

/* Common config offsets (struct virtio_pci_common_cfg). */
#define CC_DFSELECT		0
#define CC_DF			4
#define CC_GFSELECT		8
#define CC_GF			12
#define CC_MSIX			16
#define CC_NUMQ			18
#define CC_STATUS		20
#define CC_CFGGEN		21
#define CC_Q_SELECT		22
#define CC_Q_SIZE		24
#define CC_Q_MSIX		26
#define CC_Q_ENABLE		28
#define CC_Q_NOFF		30
#define CC_Q_DESCLO		32
#define CC_Q_DESCHI		36
#define CC_Q_AVAILLO		40
#define CC_Q_AVAILHI		44
#define CC_Q_USEDLO		48
#define CC_Q_USEDHI		52
#define CC_SIZE			56

#define STATUS_NEEDS_RESET	0x40
#define ISR_QUEUE		0x1	/* VIRTIO_PCI_ISR_CONFIG is 0x2 */

static const uint16_t pci_class_of[] = {
	[VIRTIO_ID_NET] = 0x0200,	/* network controller */
	[VIRTIO_ID_BLOCK] = 0x0100,	/* mass storage */
	[VIRTIO_ID_CONSOLE] = 0x0780,	/* communication, other */
	[VIRTIO_ID_RNG] = 0x00ff,	/* unclassified */
};

bool virtio_dev_has_feature(const struct virtio_dev *vdev, unsigned int bit)
{
	return bit < 64 && (vdev->driver_features >> bit) & 1;
}

void virtio_dev_fail(struct virtio_dev *vdev, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!vdev->failed)
		log_warn("%s: %s; the device needs a reset", vdev->name, why);
	vdev->failed = true;
	vdev->status |= STATUS_NEEDS_RESET;
	if (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)
		virtio_dev_notify_config(vdev);
}

/*
 * An interrupt for the driver, whose cause is already in vdev->isr: MSI-X
 * @vector when MSI-X is on, else INTx, held up until the driver reads the
 * ISR (spec 4.1.5.3, 4.1.5.4).
 */
static void raise_vector(struct virtio_dev *vdev, uint16_t vector)
{
	uint64_t one = 1;

	if (!pci_msix_enabled(&vdev->pci)) {
		pci_intx_set_level(&vdev->pci, true);
		return;
	}
	if (vector == VIRTIO_MSI_NO_VECTOR || vector >= vdev->nr_vectors)
		return;
	if (!pci_msix_signal(&vdev->pci, vector) || vdev->vector_fd[vector] < 0)
		return;
	if (write(vdev->vector_fd[vector], &one, sizeof(one)) != sizeof(one))
		log_debug("%s: cannot raise vector %u", vdev->name, vector);
}

void virtio_dev_notify_queue(struct virtio_dev *vdev, unsigned int queue)
{
	struct virtio_queue *q;

	if (queue >= vdev->nr_queues)
		return;
	q = &vdev->queues[queue];
	if (!virtq_should_notify(&q->vq))
		return;
	vdev->isr |= ISR_QUEUE;
	raise_vector(vdev, q->msix_vector);
}

void virtio_queue_serve(struct virtio_dev *vdev, unsigned int queue,
			struct virtq_chain *chain,
			int64_t (*serve)(struct virtio_dev *vdev, struct virtq_chain *chain))
{
	struct virtq *vq = &vdev->queues[queue].vq;
	int ret;

	do {
		virtq_disable_notify(vq);
		while ((ret = virtq_pop_chain(vq, chain)) == 1) {
			int64_t len = serve(vdev, chain);

			if (len < 0)
				return;
			virtq_push_used(vq, chain->head, (uint32_t)len);
		}
		if (ret < 0) {
			virtio_dev_fail(vdev, "queue %u: %s", queue, vq->why);
			return;
		}
		virtio_dev_notify_queue(vdev, queue);
	} while (virtq_enable_notify(vq));
}

void virtio_dev_notify_config(struct virtio_dev *vdev)
{
	vdev->config_generation++;
	vdev->isr |= VIRTIO_PCI_ISR_CONFIG;
	raise_vector(vdev, vdev->config_vector);
}

void virtio_dev_kick(struct virtio_dev *vdev, unsigned int queue)
{
	uint64_t one = 1;

	if (queue < vdev->nr_queues && vdev->queues[queue].kick_fd >= 0 &&
	    write(vdev->queues[queue].kick_fd, &one, sizeof(one)) != sizeof(one))
		log_debug("%s: cannot kick queue %u", vdev->name, queue);
}

/* Back to the state the driver finds at power-on (spec 2.1, 4.1.4.3). */
static void virtio_dev_reset(struct virtio_dev *vdev)
{
	unsigned int i;

	vdev->status = 0;
	vdev->isr = 0;
	pci_intx_set_level(&vdev->pci, false);
	vdev->driver_features = 0;
	vdev->device_feature_select = 0;
	vdev->driver_feature_select = 0;
	vdev->config_vector = VIRTIO_MSI_NO_VECTOR;
	vdev->queue_select = 0;
	vdev->failed = false;
	for (i = 0; i < vdev->nr_queues; i++) {
		struct virtio_queue *q = &vdev->queues[i];

		virtq_reset(&q->vq);
		q->size = q->max_size;
		q->msix_vector = VIRTIO_MSI_NO_VECTOR;
		q->enabled = false;
		q->desc = q->avail = q->used = 0;
	}
	if (vdev->ops->reset)
		vdev->ops->reset(vdev);
}

static void status_write(struct virtio_dev *vdev, uint8_t status)
{
	uint8_t added = status & ~vdev->status;

	if (!status) {
		virtio_dev_reset(vdev);
		return;
	}
	/* Rule (spec 3.1.1): only offered features, and a modern driver. */
	if (added & VIRTIO_CONFIG_S_FEATURES_OK) {
		if ((vdev->driver_features & ~vdev->device_features) ||
		    !virtio_dev_has_feature(vdev, VIRTIO_F_VERSION_1))
			status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	vdev->status = status | (vdev->failed ? STATUS_NEEDS_RESET : 0);
	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) && !vdev->failed) {
		if (!(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK))
			virtio_dev_fail(vdev, "DRIVER_OK without FEATURES_OK");
		else if (vdev->ops->driver_ok && vdev->ops->driver_ok(vdev))
			virtio_dev_fail(vdev, "cannot start");
		/* Chains the driver queued before DRIVER_OK wait for this kick. */
		for (unsigned int i = 0; i < vdev->nr_queues && !vdev->failed; i++)
			if (vdev->queues[i].enabled)
				virtio_dev_kick(vdev, i);
	}
}

static void queue_enable(struct virtio_dev *vdev, struct virtio_queue *q)
{
	if (q->enabled || !(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK))
		return;
	if (virtq_enable(&q->vq, &vdev->vm->mem, q->size, q->desc, q->avail, q->used,
			 virtio_dev_has_feature(vdev, VIRTQ_F_EVENT_IDX),
			 virtio_dev_has_feature(vdev, VIRTQ_F_INDIRECT_DESC))) {
		virtio_dev_fail(vdev, "queue %u: %s", (unsigned int)(q - vdev->queues),
				q->vq.why);
		return;
	}
	q->enabled = true;
}

static bool vector_valid(const struct virtio_dev *vdev, uint16_t vector)
{
	return vector == VIRTIO_MSI_NO_VECTOR || vector < vdev->nr_vectors;
}

/* The register file as the driver reads it; reads copy from this image. */
static void common_image(struct virtio_dev *vdev, uint8_t *img)
{
	struct virtio_queue *q = vdev->queue_select < vdev->nr_queues ?
				 &vdev->queues[vdev->queue_select] : NULL;
	uint32_t df = vdev->device_feature_select < 2 ?
		      (uint32_t)(vdev->device_features >> (32 * vdev->device_feature_select)) : 0;
	uint32_t gf = vdev->driver_feature_select < 2 ?
		      (uint32_t)(vdev->driver_features >> (32 * vdev->driver_feature_select)) : 0;

	memset(img, 0, CC_SIZE);
	put_le32(img + CC_DFSELECT, vdev->device_feature_select);
	put_le32(img + CC_DF, df);
	put_le32(img + CC_GFSELECT, vdev->driver_feature_select);
	put_le32(img + CC_GF, gf);
	put_le16(img + CC_MSIX, vdev->config_vector);
	put_le16(img + CC_NUMQ, vdev->nr_queues);
	img[CC_STATUS] = vdev->status;
	img[CC_CFGGEN] = vdev->config_generation;
	put_le16(img + CC_Q_SELECT, vdev->queue_select);
	if (!q)
		return;		/* an absent queue reads as size 0 */
	put_le16(img + CC_Q_SIZE, q->size);
	put_le16(img + CC_Q_MSIX, q->msix_vector);
	put_le16(img + CC_Q_ENABLE, q->enabled);
	put_le16(img + CC_Q_NOFF, vdev->queue_select);
	put_le32(img + CC_Q_DESCLO, (uint32_t)q->desc);
	put_le32(img + CC_Q_DESCHI, (uint32_t)(q->desc >> 32));
	put_le32(img + CC_Q_AVAILLO, (uint32_t)q->avail);
	put_le32(img + CC_Q_AVAILHI, (uint32_t)(q->avail >> 32));
	put_le32(img + CC_Q_USEDLO, (uint32_t)q->used);
	put_le32(img + CC_Q_USEDHI, (uint32_t)(q->used >> 32));
}

static void set_half(uint64_t *field, bool high, uint32_t value)
{
	if (high)
		*field = (*field & 0xffffffffULL) | ((uint64_t)value << 32);
	else
		*field = (*field & ~0xffffffffULL) | value;
}

/* Queue fields change only while the queue is off (spec 4.1.4.3.2). */
static void queue_field_write(struct virtio_dev *vdev, unsigned int offset,
			      uint32_t value)
{
	struct virtio_queue *q;

	if (vdev->queue_select >= vdev->nr_queues)
		return;
	q = &vdev->queues[vdev->queue_select];
	switch (offset) {
	case CC_Q_SIZE:
		if (!q->enabled && value && value <= q->max_size)
			q->size = value;
		break;
	case CC_Q_MSIX:
		q->msix_vector = vector_valid(vdev, value) ? value : VIRTIO_MSI_NO_VECTOR;
		break;
	case CC_Q_ENABLE:
		if (value == 1)
			queue_enable(vdev, q);
		break;
	case CC_Q_DESCLO: case CC_Q_DESCHI:
		if (!q->enabled)
			set_half(&q->desc, offset == CC_Q_DESCHI, value);
		break;
	case CC_Q_AVAILLO: case CC_Q_AVAILHI:
		if (!q->enabled)
			set_half(&q->avail, offset == CC_Q_AVAILHI, value);
		break;
	case CC_Q_USEDLO: case CC_Q_USEDHI:
		if (!q->enabled)
			set_half(&q->used, offset == CC_Q_USEDHI, value);
		break;
	}
}

static unsigned int field_size(unsigned int offset)
{
	if (offset == CC_STATUS || offset == CC_CFGGEN)
		return 1;
	if (offset >= CC_MSIX && offset < CC_Q_DESCLO)
		return 2;
	return 4;
}

static void common_write(struct virtio_dev *vdev, unsigned int offset,
			 const uint8_t *data, unsigned int size)
{
	uint32_t value;

	/* 64-bit writes to the address pairs are two halves. */
	if (size == 8 && offset >= CC_Q_DESCLO && offset < CC_SIZE && !(offset & 7)) {
		common_write(vdev, offset, data, 4);
		common_write(vdev, offset + 4, data + 4, 4);
		return;
	}
	if (offset >= CC_SIZE || size != field_size(offset) || offset % size)
		return;
	value = size == 1 ? data[0] : size == 2 ? (uint32_t)get_le16(data) : get_le32(data);
	switch (offset) {
	case CC_DFSELECT:
		vdev->device_feature_select = value;
		break;
	case CC_GFSELECT:
		vdev->driver_feature_select = value;
		break;
	case CC_GF:
		/* Features are fixed once FEATURES_OK is set. */
		if (vdev->driver_feature_select < 2 &&
		    !(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK))
			set_half(&vdev->driver_features, vdev->driver_feature_select == 1,
				 value);
		break;
	case CC_MSIX:
		vdev->config_vector = vector_valid(vdev, value) ? value : VIRTIO_MSI_NO_VECTOR;
		break;
	case CC_STATUS:
		status_write(vdev, value);
		break;
	case CC_Q_SELECT:
		vdev->queue_select = value;
		break;
	default:
		queue_field_write(vdev, offset, value);
		break;
	}
}

static void bar0_access(struct virtio_dev *vdev, uint64_t offset, uint8_t *data,
			unsigned int size, bool is_write)
{
	uint8_t img[CC_SIZE];

	if (offset >= NOTIFY_OFFSET && offset < NOTIFY_OFFSET + REGION_SIZE) {
		/* Without an ioeventfd (or before it is set) the write lands here. */
		if (is_write && !((offset - NOTIFY_OFFSET) % NOTIFY_MULTIPLIER))
			virtio_dev_kick(vdev, (offset - NOTIFY_OFFSET) / NOTIFY_MULTIPLIER);
		else if (!is_write)
			memset(data, 0, size);
		return;
	}
	pthread_mutex_lock(&vdev->lock);
	if (offset < COMMON_OFFSET + REGION_SIZE) {
		if (is_write) {
			common_write(vdev, offset, data, size);
		} else if (offset < CC_SIZE && size <= CC_SIZE - offset) {
			common_image(vdev, img);
			memcpy(data, img + offset, size);
		} else {
			memset(data, 0, size);
		}
	} else if (offset >= ISR_OFFSET && offset < ISR_OFFSET + REGION_SIZE) {
		/* Reading the ISR clears it and drops INTx (spec 4.1.4.5). */
		if (!is_write) {
			memset(data, 0, size);
			data[0] = vdev->isr;
			vdev->isr = 0;
			pci_intx_set_level(&vdev->pci, false);
		}
	} else if (offset >= DEVICE_OFFSET && offset < DEVICE_OFFSET + REGION_SIZE) {
		uint64_t off = offset - DEVICE_OFFSET;

		if (off >= vdev->config_size || size > vdev->config_size - off) {
			if (!is_write)
				memset(data, 0xff, size);
		} else if (is_write) {
			if (vdev->ops->config_write)
				vdev->ops->config_write(vdev, off, data, size);
		} else if (vdev->ops->config_read) {
			vdev->ops->config_read(vdev, off, data, size);
		} else {
			memset(data, 0, size);
		}
	} else if (!is_write) {
		memset(data, 0xff, size);
	}
	pthread_mutex_unlock(&vdev->lock);
}

static void virtio_bar_access(struct pci_device *dev, unsigned int bar,
			      uint64_t offset, uint8_t *data, unsigned int size,
			      bool is_write)
{
	struct virtio_dev *vdev = dev->opaque;

	if (size == 0 || size > 8) {
		return;
	} else if (bar == 0 && offset < BAR0_SIZE && size <= BAR0_SIZE - offset) {
		bar0_access(vdev, offset, data, size, is_write);
	} else if (bar == MSIX_BAR &&
		   pci_msix_access(dev, bar, offset, data, size, is_write)) {
		return;
	} else if (!is_write) {
		memset(data, 0xff, size);
	}
}

/*
 * VIRTIO_PCI_CAP_PCI_CFG (spec 4.1.4.9): a window into the BARs through
 * config space, for drivers that cannot map them yet. The driver writes
 * bar, offset and length; a write of pci_cfg_data goes to the BAR there, a
 * read of it fetches from there. Lengths other than 1, 2, 4 or an offset
 * not a multiple of the length do nothing (reads see what is stored).
 */
#define PCI_CFG_BAR	4
#define PCI_CFG_OFFSET	8
#define PCI_CFG_LENGTH	12
#define PCI_CFG_DATA	16
#define PCI_CFG_CAP_LEN	20

static void virtio_config_hook(struct pci_device *dev, unsigned int offset,
			       uint8_t *data, unsigned int size, bool is_write)
{
	struct virtio_dev *vdev = dev->opaque;
	const uint8_t *cap = dev->config + vdev->pci_cfg_cap;
	unsigned int data_at = vdev->pci_cfg_cap + PCI_CFG_DATA;
	uint32_t bar_offset = get_le32(cap + PCI_CFG_OFFSET);
	uint32_t length = get_le32(cap + PCI_CFG_LENGTH);
	uint8_t window[4];

	if (offset + size <= data_at || offset >= data_at + 4)
		return;		/* bar, offset or length: plain storage */
	if ((length != 1 && length != 2 && length != 4) || bar_offset % length)
		return;
	if (is_write) {
		virtio_bar_access(dev, cap[PCI_CFG_BAR], bar_offset,
				  dev->config + data_at, length, true);
		return;
	}
	memcpy(window, dev->config + data_at, 4);
	virtio_bar_access(dev, cap[PCI_CFG_BAR], bar_offset, window, length, false);
	for (unsigned int i = 0; i < size; i++)
		if (offset + i >= data_at && offset + i < data_at + 4)
			data[i] = window[offset + i - data_at];
}

static int add_pci_cfg_cap(struct virtio_dev *vdev)
{
	uint8_t body[PCI_CFG_CAP_LEN - 2] = { 0 };
	int at;

	body[0] = PCI_CFG_CAP_LEN;
	body[1] = VIRTIO_PCI_CAP_PCI_CFG;
	at = pci_device_add_cap(&vdev->pci, 0x09, body, sizeof(body));
	if (at < 0)
		return at;
	vdev->pci_cfg_cap = at;
	pci_device_make_writable(&vdev->pci, at + PCI_CFG_BAR, 1);
	pci_device_make_writable(&vdev->pci, at + PCI_CFG_OFFSET, 12);
	pci_device_hook_config(&vdev->pci, at + PCI_CFG_DATA, 4);
	return at;
}

static int ioeventfd_set(struct virtio_dev *vdev, unsigned int queue, bool assign)
{
	struct kvm_ioeventfd ev = {
		.addr = vdev->notify_addr + NOTIFY_OFFSET + queue * NOTIFY_MULTIPLIER,
		.len = 2,	/* the driver writes the 16-bit queue index */
		.fd = vdev->queues[queue].kick_fd,
		.flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
	};

	if (vdev->vm->vm_fd < 0)
		return 0;
	return ioctl(vdev->vm->vm_fd, KVM_IOEVENTFD, &ev) < 0 ? -errno : 0;
}

/*
 * BAR 0 moved or its decoding changed: the notify ioeventfds follow. If
 * KVM refuses, notifications still arrive through bar_access, only slower.
 */
static void virtio_bar_remap(struct pci_device *dev, unsigned int bar,
			     uint64_t addr, bool enabled)
{
	struct virtio_dev *vdev = dev->opaque;
	unsigned int i;

	if (bar != 0)
		return;
	if (vdev->notify_mapped)
		for (i = 0; i < vdev->nr_queues; i++)
			ioeventfd_set(vdev, i, false);
	vdev->notify_mapped = false;
	vdev->notify_addr = addr;
	if (!enabled)
		return;
	for (i = 0; i < vdev->nr_queues; i++) {
		int ret = ioeventfd_set(vdev, i, true);

		if (ret) {
			log_warn("%s: no ioeventfd for queue %u: %s", vdev->name, i,
				 strerror(-ret));
			while (i--)
				ioeventfd_set(vdev, i, false);
			return;
		}
	}
	vdev->notify_mapped = true;
}

/* A vector's message changed: its KVM route follows; pending ones fire. */
static void update_vector(struct virtio_dev *vdev, unsigned int vector)
{
	uint64_t addr, one = 1;
	uint32_t data;
	bool masked;

	if (vector >= vdev->nr_vectors || vdev->vector_gsi[vector] < 0 ||
	    !pci_msix_message(&vdev->pci, vector, &addr, &data, &masked))
		return;
	/* Bus 0: the requester ID is devfn, the ITS's device ID (msi-map). */
	if (irq_msi_route(vdev->vm, vdev->vector_gsi[vector], addr, data,
			  vdev->pci.devfn, 0) < 0)
		log_warn("%s: cannot route MSI-X vector %u", vdev->name, vector);
	if (!masked && pci_msix_take_pending(&vdev->pci, vector) &&
	    write(vdev->vector_fd[vector], &one, sizeof(one)) != sizeof(one))
		log_debug("%s: cannot raise vector %u", vdev->name, vector);
}

static void virtio_msix_update(struct pci_device *dev, int vector)
{
	struct virtio_dev *vdev = dev->opaque;

	if (vector >= 0) {
		update_vector(vdev, vector);
		return;
	}
	for (unsigned int i = 0; i < vdev->nr_vectors; i++)
		update_vector(vdev, i);
}

/*
 * The INTx line into KVM with KVM_IRQ_LINE, not an irqfd: the level is
 * ours (the ISR), set and cleared by the device model itself, so there
 * is nothing to resample on EOI (KVM's IOAPIC and GIC deliver again a
 * level line still up after EOI), and INTx is the fallback for guests
 * without MSI-X, where an ioctl per edge costs little.
 */
static void virtio_intx_update(struct pci_device *dev, bool asserted)
{
	struct virtio_dev *vdev = dev->opaque;
	int ret;

	if (dev->intx_line < 0 || vdev->vm->vm_fd < 0)
		return;
	ret = irq_line_share(vdev->vm, dev->intx_line, asserted);
	if (ret)
		log_debug("%s: INTx line %d: %s", vdev->name, dev->intx_line, strerror(-ret));
}

static const struct pci_device_ops virtio_pci_ops = {
	.bar_access = virtio_bar_access,
	.bar_remap = virtio_bar_remap,
	.msix_update = virtio_msix_update,
	.config_hook = virtio_config_hook,
	.intx_update = virtio_intx_update,
};

/* A virtio_pci_cap (spec 4.1.4) without its first two bytes. */
static int add_virtio_cap(struct pci_device *dev, uint8_t type, uint32_t offset,
			  uint32_t length, bool notify)
{
	uint8_t body[18] = { 0 };
	unsigned int len = notify ? 18 : 14;

	body[0] = len + 2;	/* cap_len counts the ID and next bytes */
	body[1] = type;
	body[2] = 0;		/* BAR 0 */
	put_le32(body + 6, offset);
	put_le32(body + 10, length);
	if (notify)
		put_le32(body + 14, NOTIFY_MULTIPLIER);
	return pci_device_add_cap(dev, 0x09, body, len);
}

int virtio_dev_init(struct virtio_dev *vdev, struct vm *vm, const char *name,
		    uint16_t device_type, unsigned int nr_queues,
		    uint16_t max_queue_size, uint64_t features,
		    unsigned int config_size, const struct virtio_dev_ops *ops,
		    void *opaque)
{
	struct pci_device *pci = &vdev->pci;
	unsigned int i;
	int ret;

	if (!nr_queues || nr_queues > VIRTIO_MAX_QUEUES || config_size > REGION_SIZE ||
	    device_type >= sizeof(pci_class_of) / sizeof(pci_class_of[0]) ||
	    !max_queue_size || (max_queue_size & (max_queue_size - 1)))
		return -EINVAL;
	memset(vdev, 0, sizeof(*vdev));
	vdev->vm = vm;
	vdev->name = name;
	vdev->ops = ops;
	vdev->opaque = opaque;
	vdev->device_type = device_type;
	vdev->device_features = features | (1ULL << VIRTIO_F_VERSION_1) |
				(1ULL << VIRTQ_F_INDIRECT_DESC) |
				(1ULL << VIRTQ_F_EVENT_IDX);
	vdev->config_size = config_size;
	vdev->nr_queues = nr_queues;
	vdev->nr_vectors = nr_queues + 1;
	vdev->epoll_fd = vdev->stop_fd = -1;
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		vdev->queues[i].max_size = max_queue_size;
		vdev->queues[i].kick_fd = -1;
	}
	for (i = 0; i <= VIRTIO_MAX_QUEUES; i++) {
		vdev->vector_gsi[i] = -1;
		vdev->vector_fd[i] = -1;
	}
	pthread_mutex_init(&vdev->lock, NULL);
	ret = pci_device_init(pci, name, VIRTIO_PCI_VENDOR,
			      VIRTIO_PCI_DEVICE_BASE + device_type,
			      (uint32_t)pci_class_of[device_type] << 8, 1,
			      VIRTIO_PCI_VENDOR, 0x40 + device_type);
	if (ret)
		return ret;
	pci->ops = &virtio_pci_ops;
	pci->opaque = vdev;
	pci_device_set_intx_pin(pci, 1);	/* INTA, for guests without MSI-X */
	ret = pci_device_add_bar(pci, 0, BAR0_SIZE, 0);
	if (!ret)
		ret = pci_device_add_bar(pci, MSIX_BAR, MSIX_BAR_SIZE, 0);
	if (!ret)
		ret = pci_device_add_msix(pci, vdev->nr_vectors, MSIX_BAR,
					  MSIX_TABLE_OFFSET, MSIX_PBA_OFFSET);
	if (ret >= 0)
		ret = add_virtio_cap(pci, VIRTIO_PCI_CAP_COMMON_CFG, COMMON_OFFSET, CC_SIZE, false);
	if (ret >= 0)
		ret = add_virtio_cap(pci, VIRTIO_PCI_CAP_NOTIFY_CFG, NOTIFY_OFFSET,
				     nr_queues * NOTIFY_MULTIPLIER, true);
	if (ret >= 0)
		ret = add_virtio_cap(pci, VIRTIO_PCI_CAP_ISR_CFG, ISR_OFFSET, 1, false);
	if (ret >= 0 && config_size)
		ret = add_virtio_cap(pci, VIRTIO_PCI_CAP_DEVICE_CFG, DEVICE_OFFSET,
				     config_size, false);
	if (ret >= 0)
		ret = add_pci_cfg_cap(vdev);
	virtio_dev_reset(vdev);
	return ret < 0 ? ret : 0;
}

int virtio_dev_watch(struct virtio_dev *vdev, int fd, uint32_t events,
		     void (*fn)(struct virtio_dev *vdev, void *arg), void *arg)
{
	if (vdev->nr_watches == VIRTIO_MAX_FDS)
		return -ENOSPC;
	vdev->watches[vdev->nr_watches++] = (struct virtio_watch) { fd, events, fn, arg };
	return 0;
}

/* Events: queue kicks carry their index, watches VIRTIO_MAX_QUEUES + i. */
#define EV_STOP		UINT64_MAX

static void io_thread_event(struct virtio_dev *vdev, uint64_t tag)
{
	uint64_t count;

	if (tag < vdev->nr_queues) {
		if (read(vdev->queues[tag].kick_fd, &count, sizeof(count)) < 0)
			return;
		pthread_mutex_lock(&vdev->lock);
		if ((vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) && !vdev->failed &&
		    vdev->queues[tag].enabled)
			vdev->ops->queue_notify(vdev, tag);
		pthread_mutex_unlock(&vdev->lock);
	} else if (tag - VIRTIO_MAX_QUEUES < vdev->nr_watches) {
		struct virtio_watch *w = &vdev->watches[tag - VIRTIO_MAX_QUEUES];

		pthread_mutex_lock(&vdev->lock);
		w->fn(vdev, w->arg);
		pthread_mutex_unlock(&vdev->lock);
	}
}

static void *io_thread(void *opaque)
{
	struct virtio_dev *vdev = opaque;
	struct epoll_event events[16];

	for (;;) {
		int n = epoll_wait(vdev->epoll_fd, events, 16, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (int i = 0; i < n; i++) {
			if (events[i].data.u64 == EV_STOP)
				return NULL;
			io_thread_event(vdev, events[i].data.u64);
		}
	}
	log_error("%s: I/O thread: epoll_wait: %s", vdev->name, strerror(errno));
	return NULL;
}

static int epoll_watch(struct virtio_dev *vdev, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = { .events = events, .data.u64 = tag };

	return epoll_ctl(vdev->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int virtio_dev_pause_io(struct virtio_dev *vdev, bool paused)
{
	unsigned int i;
	int ret = 0;

	if (vdev->epoll_fd < 0)
		return -EINVAL;
	for (i = 0; i < vdev->nr_queues && !ret; i++) {
		if (paused)
			epoll_ctl(vdev->epoll_fd, EPOLL_CTL_DEL, vdev->queues[i].kick_fd, NULL);
		else
			ret = epoll_watch(vdev, vdev->queues[i].kick_fd, EPOLLIN, i);
	}
	for (i = 0; i < vdev->nr_watches && !ret; i++) {
		if (paused)
			epoll_ctl(vdev->epoll_fd, EPOLL_CTL_DEL, vdev->watches[i].fd, NULL);
		else
			ret = epoll_watch(vdev, vdev->watches[i].fd, vdev->watches[i].events,
					  VIRTIO_MAX_QUEUES + i);
	}
	return ret;
}

static int wire_vectors(struct virtio_dev *vdev)
{
	struct vm *vm = vdev->vm;

	for (unsigned int i = 0; i < vdev->nr_vectors; i++) {
		/* A new GSI with a route before the irqfd; the guest's message replaces it. */
		int gsi = irq_msi_route(vm, -1, 0, 0, 0, 0);
		int ret;

		if (gsi < 0)
			return gsi;
		vdev->vector_gsi[i] = gsi;
		vdev->vector_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vdev->vector_fd[i] < 0)
			return -errno;
		ret = irqfd_assign(vm, vdev->vector_fd[i], gsi, -1);
		if (ret)
			return ret;
	}
	return 0;
}

/* After privileges are dropped (vm_on_start): the thread inherits that. */
static int io_thread_start(void *arg)
{
	struct virtio_dev *vdev = arg;
	int ret = pthread_create(&vdev->thread, NULL, io_thread, vdev);

	if (ret) {
		log_error("%s: cannot start its I/O thread: %s", vdev->name, strerror(ret));
		return -ret;
	}
	vdev->thread_started = true;
	return 0;
}

int virtio_dev_start(struct virtio_dev *vdev, struct pci_host *host)
{
	unsigned int i;
	int ret;

	vdev->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	vdev->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vdev->epoll_fd < 0 || vdev->stop_fd < 0)
		return -errno;
	ret = epoll_watch(vdev, vdev->stop_fd, EPOLLIN, EV_STOP);
	for (i = 0; i < vdev->nr_queues && !ret; i++) {
		vdev->queues[i].kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		ret = vdev->queues[i].kick_fd < 0 ? -errno :
		      epoll_watch(vdev, vdev->queues[i].kick_fd, EPOLLIN, i);
	}
	for (i = 0; i < vdev->nr_watches && !ret; i++)
		ret = epoll_watch(vdev, vdev->watches[i].fd, vdev->watches[i].events,
				  VIRTIO_MAX_QUEUES + i);
	if (!ret)
		ret = wire_vectors(vdev);
	if (ret) {
		log_error("%s: cannot set up its events and interrupts: %s", vdev->name,
			  strerror(-ret));
		return ret;
	}
	ret = pci_host_add(host, &vdev->pci);
	if (ret) {
		log_error("%s: no room on the PCI bus or in its windows", vdev->name);
		return ret;
	}
	/* pci_host_add enabled decoding: bar_remap has set the ioeventfds. */
	return vm_on_start(vdev->vm, io_thread_start, vdev);
}

void virtio_dev_stop(struct virtio_dev *vdev)
{
	uint64_t one = 1;
	unsigned int i;

	if (vdev->thread_started) {
		if (write(vdev->stop_fd, &one, sizeof(one)) == sizeof(one))
			pthread_join(vdev->thread, NULL);
		vdev->thread_started = false;
	}
	for (i = 0; i < vdev->nr_queues; i++)
		if (vdev->queues[i].kick_fd >= 0)
			close(vdev->queues[i].kick_fd);
	for (i = 0; i < vdev->nr_vectors; i++)
		if (vdev->vector_fd[i] >= 0)
			close(vdev->vector_fd[i]);
	if (vdev->epoll_fd >= 0)
		close(vdev->epoll_fd);
	if (vdev->stop_fd >= 0)
		close(vdev->stop_fd);
	pci_device_destroy(&vdev->pci);
	pthread_mutex_destroy(&vdev->lock);
}
