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

/* One chain: device-readable buffers first (out), then device-writable (in). */
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
 * ring is empty, -EINVAL when the guest broke the queue (vq->why says how:
 * a loop, a chain longer than the queue or VIRTQ_MAX_IOV, an index past the
 * table, a buffer outside RAM or straddling a hole, a length of 0 or one that
 * wraps, a writable buffer before a readable one, a nested indirect table,
 * an avail index more than size ahead). A broken queue stays broken until reset.
 */
int virtq_pop_chain(struct virtq *vq, struct virtq_chain *chain);
/* Gives a chain back: len is the bytes the device wrote into it. */
int virtq_push_used(struct virtq *vq, uint16_t head, uint32_t len);
/*
 * Whether the driver wants an interrupt for what was pushed since the last
 * time this returned true (VIRTQ_AVAIL_F_NO_INTERRUPT, or used_event with
 * EVENT_IDX). Call after a batch of virtq_push_used.
 */
bool virtq_should_notify(struct virtq *vq);
/*
 * Suppress or ask for the driver's notifications (VIRTQ_USED_F_NO_NOTIFY,
 * or avail_event with EVENT_IDX). virtq_enable_notify returns true when
 * more chains arrived meanwhile, so the caller polls again instead of
 * sleeping on them.
 */
void virtq_disable_notify(struct virtq *vq);
bool virtq_enable_notify(struct virtq *vq);

/* Copies between a chain's buffers and a flat buffer, from byte offset off. */
size_t virtq_chain_read(const struct virtq_chain *chain, uint64_t off, void *dst, size_t len);
size_t virtq_chain_write(const struct virtq_chain *chain, uint64_t off, const void *src, size_t len);

#endif
