/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtio split virtqueues, device side (virtio 1.x, section 2.7): walking
 * the guest's descriptor chains into iovecs and returning them on the used
 * ring. Every address and length the guest wrote is checked against guest
 * memory (vmm/guest_mem) before use; a queue the guest corrupts is marked
 * broken with a one-line reason, and the device sets NEEDS_RESET. Nothing a
 * guest writes can make this code read or write outside guest RAM, loop
 * forever or crash. One thread serves one queue; no locks here.
 */
#ifndef SHAPEVM_VIRTQ_H
#define SHAPEVM_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "vmm/guest_mem.h"

#define VIRTQ_MAX_SIZE		32768	/* the spec's largest split queue */
/* The most buffers one chain may have; longer ones break the queue. */
#define VIRTQ_MAX_IOV		1024

/* Feature bits the queue itself implements. */
#define VIRTQ_F_INDIRECT_DESC	28
#define VIRTQ_F_EVENT_IDX	29

/* Flag values from the spec (they equal <linux/virtio_ring.h>'s VRING_*). */
#define VIRTQ_DESC_F_NEXT		1	/* the chain continues at next */
#define VIRTQ_DESC_F_WRITE		2	/* device-writable buffer */
#define VIRTQ_DESC_F_INDIRECT		4	/* addr/len is a table of descriptors */
#define VIRTQ_USED_F_NO_NOTIFY		1	/* device: don't kick me */
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1	/* driver: don't interrupt me */

/*
 * The rings as they lie in guest memory. Every field is little-endian
 * (virtio 1.x); virtq.c converts with le16toh() and friends, so the layout
 * is host-independent. The driver writes desc and avail, the device used.
 */
struct virtq_desc_raw {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail_raw {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* [size], then used_event with EVENT_IDX */
};

struct virtq_used_elem_raw {
	uint32_t id;		/* head of the chain */
	uint32_t len;		/* bytes written into it */
};

struct virtq_used_raw {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem_raw ring[];	/* [size], then avail_event */
};

/* Bytes each part takes in guest memory, event fields included. */
#define VIRTQ_DESC_BYTES(size)	(16u * (size))
#define VIRTQ_AVAIL_BYTES(size)	(6u + 2u * (size))
#define VIRTQ_USED_BYTES(size)	(6u + 8u * (size))

struct virtq {
	/* Set by virtq_enable, from what the driver wrote. */
	const struct guest_mem *mem;
	uint16_t size;			/* a power of two, 1..32768 */
	bool event_idx;
	bool indirect;
	struct virtq_desc_raw *desc;	/* host pointers into guest RAM */
	struct virtq_avail_raw *avail;
	struct virtq_used_raw *used;
	/* Device state. */
	uint16_t last_avail;		/* next avail entry to take */
	uint16_t used_idx;		/* next used entry to fill */
	uint16_t signalled_used;	/* used_idx when the driver was last notified */
	bool signalled_valid;
	bool enabled;
	bool broken;
	char why[128];			/* why the queue broke */
};

/*
 * One chain: device-readable buffers first (out, iov[0..nr_out)), then
 * device-writable ones (in, iov[nr_out..nr_out + nr_in)). The iov_base
 * pointers point into guest RAM and stay valid while the queue's memory does;
 * the guest may change the bytes under them at any time. The struct is about
 * 16 KiB: keep one per queue (or per worker), not on a small stack.
 */
struct virtq_chain {
	uint16_t head;
	unsigned int nr_out;
	unsigned int nr_in;
	uint64_t out_len;		/* bytes in the readable buffers */
	uint64_t in_len;		/* bytes in the writable buffers */
	struct iovec iov[VIRTQ_MAX_IOV];
};

/*
 * Checks and maps the rings: size a power of two up to 32768, the
 * descriptor table 16-byte aligned, avail 2-byte and used 4-byte aligned,
 * each ring wholly inside guest RAM. Returns 0 or -EINVAL with vq->why set.
 */
int virtq_enable(struct virtq *vq, const struct guest_mem *mem, uint16_t size,
		 uint64_t desc_gpa, uint64_t avail_gpa, uint64_t used_gpa,
		 bool event_idx, bool indirect);
/* Back to the state after reset: disabled, indices zero, not broken. */
void virtq_reset(struct virtq *vq);

/*
 * Takes the next available chain. Returns 1 with *chain filled, 0 when the
 * ring is empty, -EINVAL when the queue is not enabled or the guest broke it
 * (vq->why says how: a loop, a chain longer than the queue or VIRTQ_MAX_IOV,
 * an index past the table, a buffer outside RAM, straddling a hole or wrapping
 * past 2^64, a length of 0, a readable buffer after a writable one, an
 * indirect table that is nested, not negotiated, combined with NEXT or of a
 * bad length, an avail index more than size ahead). A broken queue stays
 * broken until reset. A chain may be direct descriptors, an indirect table,
 * or direct descriptors ending in an indirect one (the spec allows all three).
 * out_len and in_len are 64-bit sums and may exceed 4 GiB (buffers may alias).
 */
int virtq_pop_chain(struct virtq *vq, struct virtq_chain *chain);
/*
 * Puts back the last @count chains taken and not yet pushed, for a device
 * that found it cannot use them yet (virtio-net waiting for enough buffers).
 */
void virtq_rewind(struct virtq *vq, uint16_t count);
/*
 * Gives a chain back: len is the bytes the device wrote into it. Returns 0,
 * or -EINVAL when the queue is broken or not enabled, or head >= size (which
 * breaks it). Chains may be given back in any order.
 */
int virtq_push_used(struct virtq *vq, uint16_t head, uint32_t len);
/*
 * Whether the driver wants an interrupt for what was pushed since the
 * previous call (VIRTQ_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX).
 * Call once after a batch of virtq_push_used, and interrupt when it says so:
 * every call moves the mark, so a "false" is not asked again. False when
 * nothing was pushed since the previous call, and on a broken queue.
 */
bool virtq_should_notify(struct virtq *vq);
/*
 * Suppress or ask for the driver's notifications (VIRTQ_USED_F_NO_NOTIFY,
 * or avail_event with EVENT_IDX). virtq_enable_notify returns true when
 * more chains arrived meanwhile, so the caller polls again instead of
 * sleeping on them. With EVENT_IDX, only virtq_enable_notify moves
 * avail_event (to the next chain to take): a device must call it before it
 * waits for a kick, or the driver may never kick again. On a kick:
 *
 *	virtq_disable_notify(vq);
 *	do {
 *		while (virtq_pop_chain(vq, chain) == 1)
 *			serve the chain, virtq_push_used(vq, chain->head, len);
 *		if (virtq_should_notify(vq))
 *			interrupt the driver;
 *	} while (virtq_enable_notify(vq) && (virtq_disable_notify(vq), true));
 *
 * Both do nothing on a broken or disabled queue (enable returns false).
 */
void virtq_disable_notify(struct virtq *vq);
bool virtq_enable_notify(struct virtq *vq);

/*
 * Copies between a chain's buffers and a flat buffer, as if the buffers of
 * one direction were one contiguous stream. virtq_chain_read copies up to
 * len bytes out of the device-readable buffers, starting off bytes into
 * them; virtq_chain_write copies up to len bytes into the device-writable
 * buffers, starting off bytes into the writable part (off 0 is the first
 * writable byte, whatever the readable part holds). Both return the bytes
 * copied: less than len when the buffers end first, 0 when off is at or
 * past their end.
 */
size_t virtq_chain_read(const struct virtq_chain *chain, uint64_t off, void *dst, size_t len);
size_t virtq_chain_write(const struct virtq_chain *chain, uint64_t off, const void *src, size_t len);

#endif
