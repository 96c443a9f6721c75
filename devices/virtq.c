// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues, device side (virtio 1.x, 2.7).
 *
 * The driver runs on other CPUs and writes the descriptor table and the
 * avail ring while we read them, so:
 *  - avail->idx is read with an acquire load; the ring entries and the
 *    descriptors it publishes are read after it;
 *  - used ring entries are written first, then used->idx with a release
 *    store, so the driver never sees an index before its entry;
 *  - where each side writes its own field and then reads the other's
 *    (used->idx vs used_event, avail_event vs avail->idx), a full fence sits
 *    between the write and the read: without it both sides can read the old
 *    value and a notification is lost;
 *  - every field the guest writes is read exactly once into a local, and
 *    only the local is checked and used (no time-of-check/time-of-use gap).
 *
 * The rings are little-endian; le16toh() and friends are no-ops on the
 * little-endian hosts we run on and keep the code right elsewhere.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <linux/virtio_ring.h>

#include "devices/iov.h"
#include "devices/virtq.h"

_Static_assert(VIRTQ_DESC_F_NEXT == VRING_DESC_F_NEXT, "NEXT");
_Static_assert(VIRTQ_DESC_F_WRITE == VRING_DESC_F_WRITE, "WRITE");
_Static_assert(VIRTQ_DESC_F_INDIRECT == VRING_DESC_F_INDIRECT, "INDIRECT");
_Static_assert(VIRTQ_USED_F_NO_NOTIFY == VRING_USED_F_NO_NOTIFY, "NO_NOTIFY");
_Static_assert(VIRTQ_AVAIL_F_NO_INTERRUPT == VRING_AVAIL_F_NO_INTERRUPT, "NO_INTERRUPT");
_Static_assert(VIRTQ_F_INDIRECT_DESC == VIRTIO_RING_F_INDIRECT_DESC, "INDIRECT_DESC");
_Static_assert(VIRTQ_F_EVENT_IDX == VIRTIO_RING_F_EVENT_IDX, "EVENT_IDX");
_Static_assert(sizeof(struct virtq_desc_raw) == 16, "descriptor size");
_Static_assert(sizeof(struct virtq_used_elem_raw) == 8, "used element size");
_Static_assert(offsetof(struct virtq_avail_raw, ring) == 4, "avail layout");
_Static_assert(offsetof(struct virtq_used_raw, ring) == 4, "used layout");

/* A descriptor as read once from the guest, in host byte order. */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static __attribute__((format(printf, 2, 3)))
int virtq_break(struct virtq *vq, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vq->why, sizeof(vq->why), fmt, ap);
	va_end(ap);
	vq->broken = true;
	return -EINVAL;
}

static inline uint16_t guest_read16(const uint16_t *p)
{
	return le16toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static inline void guest_write16(uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, htole16(v), __ATOMIC_RELAXED);
}

static inline void guest_write32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, htole32(v), __ATOMIC_RELAXED);
}

static inline uint16_t *used_event(const struct virtq *vq)
{
	return &vq->avail->ring[vq->size];
}

static inline uint16_t *avail_event(const struct virtq *vq)
{
	return (uint16_t *)&vq->used->ring[vq->size];
}

/*
 * An indirect table need not be aligned, so the descriptor is copied with
 * memcpy; the compiler barrier after it stops the compiler from reading the
 * guest's copy again in place of ours, which could differ by then.
 */
static inline void read_desc(const struct virtq_desc_raw *raw, struct desc *d)
{
	struct virtq_desc_raw copy;

	memcpy(&copy, raw, sizeof(copy));
	__asm__ __volatile__("" ::: "memory");
	d->addr = le64toh(copy.addr);
	d->len = le32toh(copy.len);
	d->flags = le16toh(copy.flags);
	d->next = le16toh(copy.next);
}

/* Maps one guest range that must lie in one slot and be aligned. */
static void *map_ring(struct virtq *vq, const char *what, uint64_t gpa,
		      uint64_t len, unsigned int align)
{
	void *host;

	if (gpa & (align - 1)) {
		virtq_break(vq, "%s at 0x%" PRIx64 " is not %u-byte aligned",
			    what, gpa, align);
		return NULL;
	}
	host = guest_mem_ptr(vq->mem, gpa, len);
	if (!host) {
		virtq_break(vq, "%s 0x%" PRIx64 "+0x%" PRIx64 " is not inside one RAM slot",
			    what, gpa, len);
		return NULL;
	}
	/* Our atomics need the host side aligned too; a slot whose host and
	 * guest addresses disagree on alignment is our bug, not the guest's. */
	if ((uintptr_t)host & (align - 1)) {
		virtq_break(vq, "%s at 0x%" PRIx64 " maps to a misaligned host address",
			    what, gpa);
		return NULL;
	}
	return host;
}

int virtq_enable(struct virtq *vq, const struct guest_mem *mem, uint16_t size,
		 uint64_t desc_gpa, uint64_t avail_gpa, uint64_t used_gpa,
		 bool event_idx, bool indirect)
{
	/* The event fields exist in memory only when they are in use. */
	uint64_t event_bytes = event_idx ? 2 : 0;

	virtq_reset(vq);
	vq->mem = mem;
	vq->size = size;
	vq->event_idx = event_idx;
	vq->indirect = indirect;
	/* A uint16_t power of two is at most 32768, the spec's limit. */
	if (size == 0 || (size & (size - 1)))
		return virtq_break(vq, "queue size %u is not a power of two", size);
	vq->desc = map_ring(vq, "descriptor table", desc_gpa,
			    VIRTQ_DESC_BYTES((uint64_t)size), 16);
	if (!vq->desc)
		return -EINVAL;
	vq->avail = map_ring(vq, "avail ring", avail_gpa,
			     VIRTQ_AVAIL_BYTES((uint64_t)size) - 2 + event_bytes, 2);
	if (!vq->avail)
		return -EINVAL;
	vq->used = map_ring(vq, "used ring", used_gpa,
			    VIRTQ_USED_BYTES((uint64_t)size) - 2 + event_bytes, 4);
	if (!vq->used)
		return -EINVAL;
	vq->enabled = true;
	return 0;
}

void virtq_reset(struct virtq *vq)
{
	memset(vq, 0, sizeof(*vq));
}

/* One device buffer: checked, mapped and appended to the chain. */
static int add_buffer(struct virtq *vq, struct virtq_chain *chain,
		      const struct desc *d)
{
	unsigned int nr = chain->nr_out + chain->nr_in;
	void *host;

	if (d->len == 0)
		return virtq_break(vq, "zero-length buffer at 0x%" PRIx64 " (head %u)",
				   d->addr, chain->head);
	if (nr == VIRTQ_MAX_IOV)
		return virtq_break(vq, "chain from head %u has more than %u buffers",
				   chain->head, VIRTQ_MAX_IOV);
	if (!(d->flags & VIRTQ_DESC_F_WRITE) && chain->nr_in)
		return virtq_break(vq, "readable buffer after a writable one (head %u)",
				   chain->head);
	host = guest_mem_ptr(vq->mem, d->addr, d->len);
	if (!host)
		return virtq_break(vq, "buffer 0x%" PRIx64 "+0x%x is not inside one RAM slot",
				   d->addr, d->len);
	chain->iov[nr].iov_base = host;
	chain->iov[nr].iov_len = d->len;
	if (d->flags & VIRTQ_DESC_F_WRITE) {
		chain->nr_in++;
		chain->in_len += d->len;
	} else {
		chain->nr_out++;
		chain->out_len += d->len;
	}
	return 0;
}

/* Checks an indirect descriptor and maps the table it names. */
static const struct virtq_desc_raw *map_indirect(struct virtq *vq,
						 const struct desc *d,
						 bool nested, uint16_t head)
{
	const struct virtq_desc_raw *table;

	if (!vq->indirect) {
		virtq_break(vq, "indirect descriptor, but INDIRECT_DESC not negotiated (head %u)",
			    head);
		return NULL;
	}
	if (nested) {
		virtq_break(vq, "nested indirect descriptor (head %u)", head);
		return NULL;
	}
	if (d->flags & VIRTQ_DESC_F_NEXT) {
		virtq_break(vq, "indirect descriptor with NEXT set (head %u)", head);
		return NULL;
	}
	if (d->len == 0 || d->len % sizeof(struct virtq_desc_raw)) {
		virtq_break(vq, "indirect table length %u is not a non-zero multiple of 16 (head %u)",
			    d->len, head);
		return NULL;
	}
	if (d->len / sizeof(struct virtq_desc_raw) > VIRTQ_MAX_SIZE) {
		virtq_break(vq, "indirect table of %zu entries is longer than %u (head %u)",
			    d->len / sizeof(struct virtq_desc_raw), VIRTQ_MAX_SIZE, head);
		return NULL;
	}
	table = guest_mem_ptr(vq->mem, d->addr, d->len);
	if (!table)
		virtq_break(vq, "indirect table 0x%" PRIx64 "+0x%x is not inside one RAM slot",
			    d->addr, d->len);
	return table;
}

/*
 * Follows one chain: direct descriptors, possibly ending in one that names
 * an indirect table, whose descriptors then end the chain. Each table's
 * walk visits at most as many descriptors as the table has, so a loop ends.
 */
static int walk_chain(struct virtq *vq, uint16_t head, struct virtq_chain *chain)
{
	const struct virtq_desc_raw *table = vq->desc;
	uint32_t table_size = vq->size;
	uint32_t idx = head, visited = 0;
	bool in_indirect = false;
	struct desc d;
	int ret;

	chain->head = head;
	chain->nr_out = 0;
	chain->nr_in = 0;
	chain->out_len = 0;
	chain->in_len = 0;
	for (;;) {
		if (idx >= table_size)
			return virtq_break(vq, "next index %u >= %s size %u (head %u)", idx,
					   in_indirect ? "indirect table" : "queue",
					   table_size, head);
		if (++visited > table_size)
			return virtq_break(vq,
					   "descriptor loop: chain from head %u passes %u descriptors",
					   head, table_size);
		read_desc(&table[idx], &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			table = map_indirect(vq, &d, in_indirect, head);
			if (!table)
				return -EINVAL;
			table_size = d.len / sizeof(struct virtq_desc_raw);
			in_indirect = true;
			idx = 0;
			visited = 0;
			continue;
		}
		ret = add_buffer(vq, chain, &d);
		if (ret)
			return ret;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		idx = d.next;
	}
}

int virtq_pop_chain(struct virtq *vq, struct virtq_chain *chain)
{
	uint16_t avail_idx, pending, head;
	int ret;

	if (vq->broken || !vq->enabled)
		return -EINVAL;
	/* Acquire: the entries and descriptors published by idx are visible. */
	avail_idx = le16toh(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE));
	pending = avail_idx - vq->last_avail;
	if (pending == 0)
		return 0;
	if (pending > vq->size)
		return virtq_break(vq, "avail idx %u is %u ahead of %u (queue size %u)",
				   avail_idx, pending, vq->last_avail, vq->size);
	head = guest_read16(&vq->avail->ring[vq->last_avail & (vq->size - 1)]);
	if (head >= vq->size)
		return virtq_break(vq, "head index %u >= queue size %u", head, vq->size);
	ret = walk_chain(vq, head, chain);
	if (ret)
		return ret;
	vq->last_avail++;
	return 1;
}

int virtq_push_used(struct virtq *vq, uint16_t head, uint32_t len)
{
	struct virtq_used_elem_raw *elem;

	if (vq->broken || !vq->enabled)
		return -EINVAL;
	if (head >= vq->size)
		return virtq_break(vq, "used head %u >= queue size %u", head, vq->size);
	elem = &vq->used->ring[vq->used_idx & (vq->size - 1)];
	guest_write32(&elem->id, head);
	guest_write32(&elem->len, len);
	vq->used_idx++;
	/* Release: the driver sees the element before the index that shows it. */
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx), __ATOMIC_RELEASE);
	/* After 2^16 pushes unchecked, signalled_used would look current. */
	if (vq->used_idx == vq->signalled_used)
		vq->signalled_valid = false;
	return 0;
}

bool virtq_should_notify(struct virtq *vq)
{
	uint16_t old = vq->signalled_used, new = vq->used_idx, event;
	bool valid = vq->signalled_valid;

	if (vq->broken || !vq->enabled)
		return false;
	vq->signalled_used = new;
	vq->signalled_valid = true;
	if (valid && old == new)
		return false;
	/* Our used->idx store before the driver's flags or used_event: see top. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(guest_read16(&vq->avail->flags) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	if (!valid)
		return true;
	event = guest_read16(used_event(vq));
	/* The driver asked to hear when entry used_event is used: did this
	 * batch, entries [old, new) mod 2^16, include it? */
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

void virtq_disable_notify(struct virtq *vq)
{
	if (vq->broken || !vq->enabled)
		return;
	/* With EVENT_IDX, avail_event is left behind the driver's idx: it
	 * kicks again only after wrapping 2^16 entries, i.e. not before
	 * virtq_enable_notify moves it. */
	if (!vq->event_idx)
		guest_write16(&vq->used->flags, VIRTQ_USED_F_NO_NOTIFY);
}

bool virtq_enable_notify(struct virtq *vq)
{
	if (vq->broken || !vq->enabled)
		return false;
	if (vq->event_idx)
		guest_write16(avail_event(vq), vq->last_avail);
	else
		guest_write16(&vq->used->flags, 0);
	/* Our request before the driver's avail->idx: see top. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return guest_read16(&vq->avail->idx) != vq->last_avail;
}

/* Copies between a flat buffer and iov[0..nr) seen as one stream. */
size_t virtq_chain_read(const struct virtq_chain *chain, uint64_t off,
			void *dst, size_t len)
{
	return iov_copy(chain->iov, chain->nr_out, off, dst, len, false);
}

size_t virtq_chain_write(const struct virtq_chain *chain, uint64_t off,
			 const void *src, size_t len)
{
	/* copy_iov only reads buf when it copies into the iovecs. */
	return iov_copy(chain->iov + chain->nr_out, chain->nr_in, off,
			(uint8_t *)src, len, true);
}

/*
 * Nothing of the chains is published until virtq_push_used, so they are
 * still in the avail ring where they were: stepping back takes them again.
 */
void virtq_rewind(struct virtq *vq, uint16_t count)
{
	vq->last_avail -= count;
}
