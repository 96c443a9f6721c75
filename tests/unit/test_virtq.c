// SPDX-License-Identifier: GPL-2.0
/*
 * devices/virtq: a fake guest memory (two slots with a hole between them,
 * and one large slot high up) and a small driver that writes descriptors and
 * avail entries as a guest would. Every hostile case must break the queue
 * with its own reason, and the queue must stay broken until reset.
 */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtq.h"
#include "tests/unit/suites.h"

/* Guest memory: slot 0, a hole, slot 1; a big slot at 4 GiB. */
#define SLOT0_GPA	0x10000ull
#define SLOT0_SIZE	0x10000ull
#define HOLE_GPA	0x20000ull	/* 0x20000..0x21000 is no RAM */
#define SLOT1_GPA	0x21000ull
#define SLOT1_SIZE	0x10000ull
#define BIG_GPA		0x100000000ull
#define BIG_SIZE	(8ull << 20)

/* The rings sit at the start of slot 0 (room for 1024 entries). */
#define DESC_GPA	0x10000ull
#define AVAIL_GPA	0x14000ull
#define USED_GPA	0x15000ull
#define DATA0_GPA	0x18000ull	/* buffers in slot 0 */
#define TABLE_GPA	0x21000ull	/* indirect tables in slot 1 */
#define DATA1_GPA	0x26000ull	/* buffers in slot 1 */

#define NEXT		VIRTQ_DESC_F_NEXT
#define WRITE		VIRTQ_DESC_F_WRITE
#define INDIRECT	VIRTQ_DESC_F_INDIRECT

struct drv {
	struct guest_slot slots[3];
	struct guest_mem mem;
	struct virtq vq;
	struct virtq_chain chain;
	uint16_t size;
	bool event_idx, indirect;
	uint16_t avail_idx;		/* the driver's next avail index */
};

static void *host(struct drv *d, uint64_t gpa)
{
	void *p = guest_mem_ptr(&d->mem, gpa, 1);

	ck_assert_ptr_nonnull(p);
	return p;
}

static void drv_enable(struct drv *d)
{
	ck_assert_int_eq(virtq_enable(&d->vq, &d->mem, d->size, DESC_GPA, AVAIL_GPA,
				      USED_GPA, d->event_idx, d->indirect), 0);
	ck_assert(d->vq.enabled);
	ck_assert(!d->vq.broken);
}

static struct drv *drv_open(uint16_t size, bool event_idx, bool indirect)
{
	static const uint64_t gpa[] = { SLOT0_GPA, SLOT1_GPA, BIG_GPA };
	static const uint64_t len[] = { SLOT0_SIZE, SLOT1_SIZE, BIG_SIZE };
	struct drv *d = calloc(1, sizeof(*d));

	ck_assert_ptr_nonnull(d);
	for (unsigned int i = 0; i < 3; i++) {
		d->slots[i] = (struct guest_slot) { gpa[i], len[i], calloc(1, len[i]), i };
		ck_assert_ptr_nonnull(d->slots[i].host);
	}
	d->mem = (struct guest_mem) { d->slots, 3 };
	d->size = size;
	d->event_idx = event_idx;
	d->indirect = indirect;
	drv_enable(d);
	return d;
}

static void drv_close(struct drv *d)
{
	for (unsigned int i = 0; i < 3; i++)
		free(d->slots[i].host);
	free(d);
}

static void set_desc(struct drv *d, uint64_t table_gpa, unsigned int i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc_raw raw = {
		htole64(addr), htole32(len), htole16(flags), htole16(next),
	};

	memcpy(host(d, table_gpa + 16ull * i), &raw, sizeof(raw));
}

static uint16_t *avail_ring(struct drv *d)
{
	return ((struct virtq_avail_raw *)host(d, AVAIL_GPA))->ring;
}

static void set_avail_idx(struct drv *d, uint16_t idx)
{
	((struct virtq_avail_raw *)host(d, AVAIL_GPA))->idx = htole16(idx);
}

/* Puts head in the next avail entry and publishes it. */
static void publish(struct drv *d, uint16_t head)
{
	avail_ring(d)[d->avail_idx & (d->size - 1)] = htole16(head);
	d->avail_idx++;
	set_avail_idx(d, d->avail_idx);
}

static void set_avail_flags(struct drv *d, uint16_t flags)
{
	((struct virtq_avail_raw *)host(d, AVAIL_GPA))->flags = htole16(flags);
}

static void set_used_event(struct drv *d, uint16_t event)
{
	avail_ring(d)[d->size] = htole16(event);
}

static struct virtq_used_raw *used(struct drv *d)
{
	return host(d, USED_GPA);
}

static uint16_t avail_event_of(struct drv *d)
{
	return le16toh(*(uint16_t *)&used(d)->ring[d->size]);
}

/* Puts both sides at index idx, as after a long run. */
static void jump_to(struct drv *d, uint16_t idx)
{
	d->avail_idx = idx;
	set_avail_idx(d, idx);
	d->vq.last_avail = idx;
	d->vq.used_idx = idx;
	d->vq.signalled_used = idx;
	d->vq.signalled_valid = true;
}

static int pop(struct drv *d)
{
	return virtq_pop_chain(&d->vq, &d->chain);
}

/* One readable byte buffer at DATA0: a chain the queue must accept. */
static void publish_valid(struct drv *d)
{
	set_desc(d, DESC_GPA, 0, DATA0_GPA, 1, 0, 0);
	publish(d, 0);
}

/*
 * The last call broke the queue: the reason names needle, is one line,
 * and every call fails until a reset, after which the queue works again.
 */
static void assert_broken(struct drv *d, const char *needle)
{
	ck_assert(d->vq.broken);
	ck_assert_msg(strstr(d->vq.why, needle), "why \"%s\" lacks \"%s\"",
		      d->vq.why, needle);
	ck_assert_ptr_null(strchr(d->vq.why, '\n'));

	/* Even a good chain, or a kick, does not revive it. */
	memset(host(d, DESC_GPA), 0, 16ull * d->size);
	publish_valid(d);
	ck_assert_int_eq(pop(d), -EINVAL);
	ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), -EINVAL);
	ck_assert(!virtq_should_notify(&d->vq));
	ck_assert(!virtq_enable_notify(&d->vq));
	virtq_disable_notify(&d->vq);
	ck_assert_int_eq(pop(d), -EINVAL);
	ck_assert(d->vq.broken);

	/* A device reset: the driver sets up fresh rings. */
	virtq_reset(&d->vq);
	ck_assert(!d->vq.broken);
	ck_assert_int_eq(pop(d), -EINVAL);	/* not enabled yet */
	memset(host(d, AVAIL_GPA), 0, VIRTQ_AVAIL_BYTES(d->size));
	memset(host(d, USED_GPA), 0, VIRTQ_USED_BYTES(d->size));
	d->avail_idx = 0;
	drv_enable(d);
	publish_valid(d);
	ck_assert_int_eq(pop(d), 1);
	ck_assert_uint_eq(d->chain.out_len, 1);
}

static void fill(struct drv *d, uint64_t gpa, size_t len, uint8_t first)
{
	uint8_t *p = host(d, gpa);

	for (size_t i = 0; i < len; i++)
		p[i] = first + i;
}

START_TEST(test_out_only)
{
	struct drv *d = drv_open(8, false, false);

	ck_assert_int_eq(pop(d), 0);
	set_desc(d, DESC_GPA, 3, DATA0_GPA, 100, NEXT, 5);
	set_desc(d, DESC_GPA, 5, DATA1_GPA, 28, 0, 0);
	publish(d, 3);
	ck_assert_int_eq(pop(d), 1);
	ck_assert_uint_eq(d->chain.head, 3);
	ck_assert_uint_eq(d->chain.nr_out, 2);
	ck_assert_uint_eq(d->chain.nr_in, 0);
	ck_assert_uint_eq(d->chain.out_len, 128);
	ck_assert_uint_eq(d->chain.in_len, 0);
	ck_assert_ptr_eq(d->chain.iov[0].iov_base, host(d, DATA0_GPA));
	ck_assert_uint_eq(d->chain.iov[0].iov_len, 100);
	ck_assert_ptr_eq(d->chain.iov[1].iov_base, host(d, DATA1_GPA));
	ck_assert_uint_eq(d->chain.iov[1].iov_len, 28);
	ck_assert_int_eq(pop(d), 0);

	ck_assert_int_eq(virtq_push_used(&d->vq, 3, 0), 0);
	ck_assert_uint_eq(le16toh(used(d)->idx), 1);
	ck_assert_uint_eq(le32toh(used(d)->ring[0].id), 3);
	ck_assert_uint_eq(le32toh(used(d)->ring[0].len), 0);
	drv_close(d);
}
END_TEST

START_TEST(test_in_only)
{
	struct drv *d = drv_open(4, false, false);

	set_desc(d, DESC_GPA, 1, DATA1_GPA + 7, 4096, WRITE, 0);
	publish(d, 1);
	ck_assert_int_eq(pop(d), 1);
	ck_assert_uint_eq(d->chain.head, 1);
	ck_assert_uint_eq(d->chain.nr_out, 0);
	ck_assert_uint_eq(d->chain.nr_in, 1);
	ck_assert_uint_eq(d->chain.in_len, 4096);
	ck_assert_ptr_eq(d->chain.iov[0].iov_base, host(d, DATA1_GPA + 7));
	ck_assert_int_eq(virtq_push_used(&d->vq, 1, 4000), 0);
	ck_assert_uint_eq(le32toh(used(d)->ring[0].id), 1);
	ck_assert_uint_eq(le32toh(used(d)->ring[0].len), 4000);
	drv_close(d);
}
END_TEST

START_TEST(test_mixed_chain)
{
	struct drv *d = drv_open(16, false, false);
	static const uint32_t lens[] = { 16, 512, 1, 2048, 3 };
	static const uint16_t order[] = { 9, 2, 15, 0, 7 };
	uint64_t gpa = DATA0_GPA;

	for (unsigned int i = 0; i < 5; i++) {
		set_desc(d, DESC_GPA, order[i], gpa, lens[i],
			 (i >= 2 ? WRITE : 0) | (i < 4 ? NEXT : 0),
			 i < 4 ? order[i + 1] : 0xffff);
		gpa += lens[i];
	}
	publish(d, 9);
	ck_assert_int_eq(pop(d), 1);
	ck_assert_uint_eq(d->chain.nr_out, 2);
	ck_assert_uint_eq(d->chain.nr_in, 3);
	ck_assert_uint_eq(d->chain.out_len, 528);
	ck_assert_uint_eq(d->chain.in_len, 2052);
	gpa = DATA0_GPA;
	for (unsigned int i = 0; i < 5; i++) {
		ck_assert_ptr_eq(d->chain.iov[i].iov_base, host(d, gpa));
		ck_assert_uint_eq(d->chain.iov[i].iov_len, lens[i]);
		gpa += lens[i];
	}
	drv_close(d);
}
END_TEST

START_TEST(test_several_chains_in_order)
{
	struct drv *d = drv_open(4, false, false);

	for (unsigned int i = 0; i < 4; i++)
		set_desc(d, DESC_GPA, i, DATA0_GPA + 64 * i, 10 + i, 0, 0);
	/* A full ring: size entries ahead is allowed. */
	publish(d, 2);
	publish(d, 0);
	publish(d, 3);
	publish(d, 1);
	for (unsigned int i = 0; i < 4; i++) {
		static const uint16_t heads[] = { 2, 0, 3, 1 };

		ck_assert_int_eq(pop(d), 1);
		ck_assert_uint_eq(d->chain.head, heads[i]);
		ck_assert_uint_eq(d->chain.out_len, 10 + heads[i]);
	}
	ck_assert_int_eq(pop(d), 0);
	/* Given back out of order. */
	ck_assert_int_eq(virtq_push_used(&d->vq, 3, 30), 0);
	ck_assert_int_eq(virtq_push_used(&d->vq, 2, 20), 0);
	ck_assert_uint_eq(le16toh(used(d)->idx), 2);
	ck_assert_uint_eq(le32toh(used(d)->ring[0].id), 3);
	ck_assert_uint_eq(le32toh(used(d)->ring[1].id), 2);
	ck_assert_uint_eq(le32toh(used(d)->ring[1].len), 20);
	drv_close(d);
}
END_TEST

/* Both indices wrap at 65535 -> 0; ring slots follow idx mod size. */
START_TEST(test_index_wraparound)
{
	struct drv *d = drv_open(4, false, false);

	jump_to(d, 65534);
	set_desc(d, DESC_GPA, 0, DATA0_GPA, 1, 0, 0);
	set_desc(d, DESC_GPA, 1, DATA0_GPA, 2, 0, 0);
	set_desc(d, DESC_GPA, 2, DATA0_GPA, 3, 0, 0);
	publish(d, 0);	/* idx 65535, ring[2] */
	publish(d, 1);	/* idx 0, ring[3] */
	publish(d, 2);	/* idx 1, ring[0] */
	ck_assert_uint_eq(le16toh(avail_ring(d)[2]), 0);
	for (unsigned int i = 0; i < 3; i++) {
		ck_assert_int_eq(pop(d), 1);
		ck_assert_uint_eq(d->chain.head, i);
		ck_assert_int_eq(virtq_push_used(&d->vq, i, i), 0);
	}
	ck_assert_int_eq(pop(d), 0);
	ck_assert_uint_eq(d->vq.last_avail, 1);
	ck_assert_uint_eq(le16toh(used(d)->idx), 1);
	ck_assert_uint_eq(le32toh(used(d)->ring[2].id), 0);
	ck_assert_uint_eq(le32toh(used(d)->ring[3].id), 1);
	ck_assert_uint_eq(le32toh(used(d)->ring[0].id), 2);
	drv_close(d);
}
END_TEST

START_TEST(test_indirect_chain)
{
	struct drv *d = drv_open(8, false, true);

	/* The WRITE flag on the descriptor naming a table is ignored. */
	set_desc(d, DESC_GPA, 6, TABLE_GPA, 4 * 16, INDIRECT | WRITE, 0);
	set_desc(d, TABLE_GPA, 0, DATA0_GPA, 10, NEXT, 3);
	set_desc(d, TABLE_GPA, 3, DATA1_GPA, 20, NEXT | WRITE, 1);
	set_desc(d, TABLE_GPA, 1, DATA1_GPA + 100, 30, WRITE, 0);
	publish(d, 6);
	ck_assert_int_eq(pop(d), 1);
	ck_assert_uint_eq(d->chain.head, 6);
	ck_assert_uint_eq(d->chain.nr_out, 1);
	ck_assert_uint_eq(d->chain.nr_in, 2);
	ck_assert_uint_eq(d->chain.out_len, 10);
	ck_assert_uint_eq(d->chain.in_len, 50);
	ck_assert_ptr_eq(d->chain.iov[0].iov_base, host(d, DATA0_GPA));
	ck_assert_ptr_eq(d->chain.iov[1].iov_base, host(d, DATA1_GPA));
	ck_assert_ptr_eq(d->chain.iov[2].iov_base, host(d, DATA1_GPA + 100));
	ck_assert_int_eq(virtq_push_used(&d->vq, 6, 50), 0);
	ck_assert_uint_eq(le32toh(used(d)->ring[0].id), 6);
	drv_close(d);
}
END_TEST

/* The spec: "zero or more normal chained descriptors followed by a single
 * descriptor with flags & VIRTQ_DESC_F_INDIRECT". */
START_TEST(test_direct_then_indirect)
{
	struct drv *d = drv_open(8, false, true);

	set_desc(d, DESC_GPA, 0, DATA0_GPA, 8, NEXT, 1);
	set_desc(d, DESC_GPA, 1, TABLE_GPA, 16, INDIRECT, 0);
	set_desc(d, TABLE_GPA, 0, DATA1_GPA, 64, WRITE, 0);
	publish(d, 0);
	ck_assert_int_eq(pop(d), 1);
	ck_assert_uint_eq(d->chain.nr_out, 1);
	ck_assert_uint_eq(d->chain.nr_in, 1);
	ck_assert_uint_eq(d->chain.in_len, 64);
	drv_close(d);
}
END_TEST

/* Buffers may alias: 513 of 8 MiB sum past 2^32 without wrapping. */
START_TEST(test_lengths_past_4g)
{
	struct drv *d = drv_open(8, false, true);
	unsigned int n = 513;
	uint64_t table = BIG_GPA;

	for (unsigned int i = 0; i < n; i++)
		set_desc(d, table, i, BIG_GPA, BIG_SIZE, WRITE | (i + 1 < n ? NEXT : 0), i + 1);
	set_desc(d, DESC_GPA, 0, table, 16 * n, INDIRECT, 0);
	publish(d, 0);
	ck_assert_int_eq(pop(d), 1);
	ck_assert_uint_eq(d->chain.nr_in, n);
	ck_assert_uint_eq(d->chain.in_len, (uint64_t)n * BIG_SIZE);
	ck_assert_uint_gt(d->chain.in_len, UINT32_MAX);
	drv_close(d);
}
END_TEST

START_TEST(test_max_iov_accepted)
{
	struct drv *d = drv_open(8, false, true);

	for (unsigned int i = 0; i < VIRTQ_MAX_IOV; i++)
		set_desc(d, TABLE_GPA, i, DATA1_GPA + i, 1,
			 i + 1 < VIRTQ_MAX_IOV ? NEXT : 0, i + 1);
	set_desc(d, DESC_GPA, 0, TABLE_GPA, 16 * VIRTQ_MAX_IOV, INDIRECT, 0);
	publish(d, 0);
	ck_assert_int_eq(pop(d), 1);
	ck_assert_uint_eq(d->chain.nr_out, VIRTQ_MAX_IOV);
	ck_assert_uint_eq(d->chain.out_len, VIRTQ_MAX_IOV);
	drv_close(d);
}
END_TEST

/* A chain may use every descriptor of the queue, but not one more. */
START_TEST(test_chain_as_long_as_queue)
{
	struct drv *d = drv_open(8, false, false);

	for (unsigned int i = 0; i < 8; i++)
		set_desc(d, DESC_GPA, i, DATA0_GPA, 1, i < 7 ? NEXT : 0, i + 1);
	publish(d, 0);
	ck_assert_int_eq(pop(d), 1);
	ck_assert_uint_eq(d->chain.nr_out, 8);
	drv_close(d);
}
END_TEST

START_TEST(test_chain_read_write)
{
	struct drv *d = drv_open(8, false, false);
	uint8_t buf[64], *p;

	/* Readable 3 + 5 + 7 bytes, in both slots; writable 4 + 6. */
	set_desc(d, DESC_GPA, 0, DATA0_GPA, 3, NEXT, 1);
	set_desc(d, DESC_GPA, 1, DATA1_GPA, 5, NEXT, 2);
	set_desc(d, DESC_GPA, 2, DATA0_GPA + 100, 7, NEXT, 3);
	set_desc(d, DESC_GPA, 3, DATA1_GPA + 200, 4, NEXT | WRITE, 4);
	set_desc(d, DESC_GPA, 4, DATA0_GPA + 300, 6, WRITE, 0);
	fill(d, DATA0_GPA, 3, 0);
	fill(d, DATA1_GPA, 5, 3);
	fill(d, DATA0_GPA + 100, 7, 8);
	publish(d, 0);
	ck_assert_int_eq(pop(d), 1);

	memset(buf, 0xee, sizeof(buf));
	ck_assert_uint_eq(virtq_chain_read(&d->chain, 0, buf, sizeof(buf)), 15);
	for (unsigned int i = 0; i < 15; i++)
		ck_assert_uint_eq(buf[i], i);
	ck_assert_uint_eq(buf[15], 0xee);

	/* From inside the first buffer across two boundaries. */
	memset(buf, 0xee, sizeof(buf));
	ck_assert_uint_eq(virtq_chain_read(&d->chain, 2, buf, 8), 8);
	for (unsigned int i = 0; i < 8; i++)
		ck_assert_uint_eq(buf[i], 2 + i);
	ck_assert_uint_eq(buf[8], 0xee);
	/* Starting on a boundary, ending short. */
	ck_assert_uint_eq(virtq_chain_read(&d->chain, 8, buf, 100), 7);
	ck_assert_uint_eq(buf[0], 8);
	ck_assert_uint_eq(virtq_chain_read(&d->chain, 14, buf, 5), 1);
	ck_assert_uint_eq(buf[0], 14);
	ck_assert_uint_eq(virtq_chain_read(&d->chain, 15, buf, 5), 0);
	ck_assert_uint_eq(virtq_chain_read(&d->chain, UINT64_MAX, buf, 5), 0);
	ck_assert_uint_eq(virtq_chain_read(&d->chain, 0, buf, 0), 0);

	/* Writes start at the first writable byte. */
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = 0xa0 + i;
	ck_assert_uint_eq(virtq_chain_write(&d->chain, 0, buf, 2), 2);
	ck_assert_uint_eq(virtq_chain_write(&d->chain, 2, buf + 2, 5), 5);
	ck_assert_uint_eq(virtq_chain_write(&d->chain, 7, buf + 7, 50), 3);
	ck_assert_uint_eq(virtq_chain_write(&d->chain, 10, buf, 1), 0);
	p = host(d, DATA1_GPA + 200);
	for (unsigned int i = 0; i < 4; i++)
		ck_assert_uint_eq(p[i], 0xa0 + i);
	ck_assert_uint_eq(p[4], 0);
	p = host(d, DATA0_GPA + 300);
	for (unsigned int i = 0; i < 6; i++)
		ck_assert_uint_eq(p[i], 0xa4 + i);
	ck_assert_uint_eq(p[6], 0);
	/* The readable buffers are untouched. */
	ck_assert_uint_eq(virtq_chain_read(&d->chain, 0, buf, 15), 15);
	for (unsigned int i = 0; i < 15; i++)
		ck_assert_uint_eq(buf[i], i);
	drv_close(d);
}
END_TEST

START_TEST(test_not_enabled)
{
	struct virtq vq;

	virtq_reset(&vq);
	ck_assert_int_eq(virtq_pop_chain(&vq, NULL), -EINVAL);
	ck_assert_int_eq(virtq_push_used(&vq, 0, 0), -EINVAL);
	ck_assert(!virtq_should_notify(&vq));
	ck_assert(!virtq_enable_notify(&vq));
	virtq_disable_notify(&vq);
}
END_TEST

/* Notification suppression. */

START_TEST(test_no_interrupt_flag)
{
	struct drv *d = drv_open(4, false, false);

	/* Nothing pushed yet: the first call still asks the driver's flags. */
	ck_assert(virtq_should_notify(&d->vq));
	ck_assert(!virtq_should_notify(&d->vq));	/* nothing new */
	ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), 0);
	ck_assert(virtq_should_notify(&d->vq));
	ck_assert(!virtq_should_notify(&d->vq));
	set_avail_flags(d, VIRTQ_AVAIL_F_NO_INTERRUPT);
	ck_assert_int_eq(virtq_push_used(&d->vq, 1, 0), 0);
	ck_assert(!virtq_should_notify(&d->vq));
	set_avail_flags(d, 0);
	ck_assert_int_eq(virtq_push_used(&d->vq, 2, 0), 0);
	ck_assert(virtq_should_notify(&d->vq));
	drv_close(d);
}
END_TEST

START_TEST(test_event_idx_notify)
{
	struct drv *d = drv_open(8, true, false);

	/* First call: nothing known about the driver yet, so notify. */
	ck_assert(virtq_should_notify(&d->vq));
	ck_assert(!virtq_should_notify(&d->vq));

	/* used_event 0: the driver wants to hear of entry 0. */
	set_used_event(d, 0);
	ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), 0);
	ck_assert(virtq_should_notify(&d->vq));

	/* used_event 3: entries 1 and 2 are silent, 3 is not. */
	set_used_event(d, 3);
	ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), 0);
	ck_assert(!virtq_should_notify(&d->vq));
	ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), 0);
	ck_assert(!virtq_should_notify(&d->vq));
	ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), 0);
	ck_assert(virtq_should_notify(&d->vq));

	/* A batch of 3 (4, 5, 6) that passes used_event 5. */
	set_used_event(d, 5);
	for (unsigned int i = 0; i < 3; i++)
		ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), 0);
	ck_assert(virtq_should_notify(&d->vq));

	/* used_event behind the batch (already notified): silent. */
	set_used_event(d, 6);
	ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), 0);	/* 7 */
	ck_assert(!virtq_should_notify(&d->vq));
	/* Far ahead: silent too. */
	set_used_event(d, 1000);
	ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), 0);	/* 8 */
	ck_assert(!virtq_should_notify(&d->vq));

	/* EVENT_IDX ignores avail->flags. */
	set_avail_flags(d, VIRTQ_AVAIL_F_NO_INTERRUPT);
	set_used_event(d, 9);
	ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), 0);	/* 9 */
	ck_assert(virtq_should_notify(&d->vq));
	drv_close(d);
}
END_TEST

START_TEST(test_event_idx_wraparound)
{
	struct drv *d = drv_open(8, true, false);

	/* Batch 65534, 65535, 0 passes used_event 65535. */
	jump_to(d, 65534);
	set_used_event(d, 65535);
	for (unsigned int i = 0; i < 3; i++)
		ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), 0);
	ck_assert_uint_eq(d->vq.used_idx, 1);
	ck_assert(virtq_should_notify(&d->vq));

	/* ... and used_event 0 in the same spot. */
	jump_to(d, 65534);
	set_used_event(d, 0);
	for (unsigned int i = 0; i < 3; i++)
		ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), 0);
	ck_assert(virtq_should_notify(&d->vq));

	/* used_event 1 is the next entry, not this batch's. */
	jump_to(d, 65534);
	set_used_event(d, 1);
	for (unsigned int i = 0; i < 3; i++)
		ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), 0);
	ck_assert(!virtq_should_notify(&d->vq));
	ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), 0);
	ck_assert(virtq_should_notify(&d->vq));

	/* used_event 65533, just behind the batch: silent. */
	jump_to(d, 65534);
	set_used_event(d, 65533);
	for (unsigned int i = 0; i < 3; i++)
		ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), 0);
	ck_assert(!virtq_should_notify(&d->vq));
	drv_close(d);
}
END_TEST

/* 2^16 pushes between two checks look like none: notify to be safe. */
START_TEST(test_event_idx_full_lap)
{
	struct drv *d = drv_open(4, true, false);

	ck_assert(virtq_should_notify(&d->vq));
	set_used_event(d, 40000);
	for (unsigned int i = 0; i < 65536; i++)
		ck_assert_int_eq(virtq_push_used(&d->vq, 0, 0), 0);
	ck_assert_uint_eq(d->vq.used_idx, 0);
	ck_assert(virtq_should_notify(&d->vq));
	drv_close(d);
}
END_TEST

START_TEST(test_notify_flags)
{
	struct drv *d = drv_open(4, false, false);

	virtq_disable_notify(&d->vq);
	ck_assert_uint_eq(le16toh(used(d)->flags), VIRTQ_USED_F_NO_NOTIFY);
	ck_assert(!virtq_enable_notify(&d->vq));
	ck_assert_uint_eq(le16toh(used(d)->flags), 0);

	/* Work arrived while notifications were off. */
	virtq_disable_notify(&d->vq);
	publish_valid(d);
	ck_assert(virtq_enable_notify(&d->vq));
	ck_assert_uint_eq(le16toh(used(d)->flags), 0);
	ck_assert_int_eq(pop(d), 1);
	ck_assert(!virtq_enable_notify(&d->vq));
	drv_close(d);
}
END_TEST

START_TEST(test_notify_event_idx)
{
	struct drv *d = drv_open(4, true, false);

	/* avail_event names the next chain the device will take. */
	ck_assert(!virtq_enable_notify(&d->vq));
	ck_assert_uint_eq(avail_event_of(d), 0);
	ck_assert_uint_eq(le16toh(used(d)->flags), 0);

	publish_valid(d);
	publish_valid(d);
	virtq_disable_notify(&d->vq);
	ck_assert_uint_eq(avail_event_of(d), 0);	/* left behind */
	ck_assert_uint_eq(le16toh(used(d)->flags), 0);	/* flags unused */
	ck_assert(virtq_enable_notify(&d->vq));
	ck_assert_int_eq(pop(d), 1);
	ck_assert(virtq_enable_notify(&d->vq));
	ck_assert_uint_eq(avail_event_of(d), 1);
	ck_assert_int_eq(pop(d), 1);
	ck_assert(!virtq_enable_notify(&d->vq));
	ck_assert_uint_eq(avail_event_of(d), 2);

	/* Wraps with the index. */
	jump_to(d, 65535);
	ck_assert(!virtq_enable_notify(&d->vq));
	ck_assert_uint_eq(avail_event_of(d), 65535);
	publish_valid(d);
	ck_assert(virtq_enable_notify(&d->vq));
	ck_assert_int_eq(pop(d), 1);
	ck_assert(!virtq_enable_notify(&d->vq));
	ck_assert_uint_eq(avail_event_of(d), 0);
	drv_close(d);
}
END_TEST

/* Hostile rings: each breaks the queue with its own reason. */

START_TEST(test_bad_avail_idx_ahead)
{
	struct drv *d = drv_open(8, false, false);

	set_avail_idx(d, 9);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "ahead");
	drv_close(d);
}
END_TEST

/* An index that moves backwards is 65535 ahead. */
START_TEST(test_bad_avail_idx_backwards)
{
	struct drv *d = drv_open(8, false, false);

	publish_valid(d);
	ck_assert_int_eq(pop(d), 1);
	set_avail_idx(d, 0);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "is 65535 ahead");
	drv_close(d);
}
END_TEST

START_TEST(test_bad_head)
{
	struct drv *d = drv_open(8, false, false);

	publish(d, 8);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "head index 8");
	drv_close(d);
}
END_TEST

START_TEST(test_bad_next)
{
	struct drv *d = drv_open(8, false, false);

	set_desc(d, DESC_GPA, 0, DATA0_GPA, 1, NEXT, 8);
	publish(d, 0);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "next index 8 >= queue size");
	drv_close(d);
}
END_TEST

START_TEST(test_bad_loop)
{
	struct drv *d = drv_open(8, false, false);

	set_desc(d, DESC_GPA, 0, DATA0_GPA, 1, NEXT, 1);
	set_desc(d, DESC_GPA, 1, DATA0_GPA, 1, NEXT, 2);
	set_desc(d, DESC_GPA, 2, DATA0_GPA, 1, NEXT, 1);
	publish(d, 0);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "loop");
	drv_close(d);
}
END_TEST

START_TEST(test_bad_self_loop)
{
	struct drv *d = drv_open(1, false, false);

	set_desc(d, DESC_GPA, 0, DATA0_GPA, 1, NEXT, 0);
	publish(d, 0);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "loop");
	drv_close(d);
}
END_TEST

START_TEST(test_bad_too_many_buffers)
{
	struct drv *d = drv_open(8, false, true);
	unsigned int n = VIRTQ_MAX_IOV + 1;

	for (unsigned int i = 0; i < n; i++)
		set_desc(d, TABLE_GPA, i, DATA1_GPA, 1, i + 1 < n ? NEXT : 0, i + 1);
	set_desc(d, DESC_GPA, 0, TABLE_GPA, 16 * n, INDIRECT, 0);
	publish(d, 0);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "more than 1024 buffers");
	drv_close(d);
}
END_TEST

static void check_bad_buffer(uint64_t addr, uint32_t len)
{
	struct drv *d = drv_open(8, false, false);

	set_desc(d, DESC_GPA, 0, DATA0_GPA, 1, NEXT, 1);
	set_desc(d, DESC_GPA, 1, addr, len, WRITE, 0);
	publish(d, 0);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "not inside one RAM slot");
	drv_close(d);
}

START_TEST(test_bad_buffer_in_hole)
{
	check_bad_buffer(HOLE_GPA + 0x10, 16);
}
END_TEST

START_TEST(test_bad_buffer_across_hole)
{
	/* From the end of slot 0, over the hole, into slot 1. */
	check_bad_buffer(HOLE_GPA - 8, 0x1000 + 16);
}
END_TEST

START_TEST(test_bad_buffer_past_slot_end)
{
	check_bad_buffer(SLOT1_GPA + SLOT1_SIZE - 4, 5);
}
END_TEST

START_TEST(test_bad_buffer_below_ram)
{
	check_bad_buffer(0, 16);
}
END_TEST

START_TEST(test_bad_buffer_wraps)
{
	check_bad_buffer(UINT64_MAX - 7, 16);
}
END_TEST

START_TEST(test_bad_zero_length)
{
	struct drv *d = drv_open(8, false, false);

	set_desc(d, DESC_GPA, 0, DATA0_GPA, 0, 0, 0);
	publish(d, 0);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "zero-length buffer");
	drv_close(d);
}
END_TEST

START_TEST(test_bad_readable_after_writable)
{
	struct drv *d = drv_open(8, false, false);

	set_desc(d, DESC_GPA, 0, DATA0_GPA, 4, NEXT, 1);
	set_desc(d, DESC_GPA, 1, DATA0_GPA, 4, NEXT | WRITE, 2);
	set_desc(d, DESC_GPA, 2, DATA0_GPA, 4, 0, 0);
	publish(d, 0);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "readable buffer after a writable one");
	drv_close(d);
}
END_TEST

START_TEST(test_bad_indirect_not_negotiated)
{
	struct drv *d = drv_open(8, true, false);

	set_desc(d, DESC_GPA, 0, TABLE_GPA, 16, INDIRECT, 0);
	set_desc(d, TABLE_GPA, 0, DATA1_GPA, 4, 0, 0);
	publish(d, 0);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "not negotiated");
	drv_close(d);
}
END_TEST

START_TEST(test_bad_indirect_with_next)
{
	struct drv *d = drv_open(8, false, true);

	set_desc(d, DESC_GPA, 0, TABLE_GPA, 16, INDIRECT | NEXT, 1);
	set_desc(d, DESC_GPA, 1, DATA0_GPA, 4, 0, 0);
	set_desc(d, TABLE_GPA, 0, DATA1_GPA, 4, 0, 0);
	publish(d, 0);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "with NEXT");
	drv_close(d);
}
END_TEST

static void check_bad_indirect_len(uint32_t len, const char *why)
{
	struct drv *d = drv_open(8, false, true);

	set_desc(d, DESC_GPA, 0, TABLE_GPA, len, INDIRECT, 0);
	publish(d, 0);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, why);
	drv_close(d);
}

START_TEST(test_bad_indirect_len_zero)
{
	check_bad_indirect_len(0, "not a non-zero multiple of 16");
}
END_TEST

START_TEST(test_bad_indirect_len_odd)
{
	check_bad_indirect_len(24, "not a non-zero multiple of 16");
}
END_TEST

START_TEST(test_bad_indirect_too_long)
{
	check_bad_indirect_len(16 * (VIRTQ_MAX_SIZE + 1), "longer than 32768");
}
END_TEST

START_TEST(test_bad_indirect_outside_ram)
{
	struct drv *d = drv_open(8, false, true);

	/* The table runs from slot 1's end into nothing. */
	set_desc(d, DESC_GPA, 0, SLOT1_GPA + SLOT1_SIZE - 16, 32, INDIRECT, 0);
	publish(d, 0);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "indirect table 0x30ff0+0x20 is not inside one RAM slot");
	drv_close(d);
}
END_TEST

START_TEST(test_bad_indirect_nested)
{
	struct drv *d = drv_open(8, false, true);

	set_desc(d, DESC_GPA, 0, TABLE_GPA, 32, INDIRECT, 0);
	set_desc(d, TABLE_GPA, 0, DATA1_GPA, 4, NEXT, 1);
	set_desc(d, TABLE_GPA, 1, TABLE_GPA + 0x100, 16, INDIRECT, 0);
	set_desc(d, TABLE_GPA + 0x100, 0, DATA1_GPA, 4, 0, 0);
	publish(d, 0);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "nested indirect");
	drv_close(d);
}
END_TEST

START_TEST(test_bad_indirect_next)
{
	struct drv *d = drv_open(8, false, true);

	/* A table of 2: index 2 is past it, though below the queue size. */
	set_desc(d, DESC_GPA, 0, TABLE_GPA, 32, INDIRECT, 0);
	set_desc(d, TABLE_GPA, 0, DATA1_GPA, 4, NEXT, 2);
	publish(d, 0);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "next index 2 >= indirect table size 2");
	drv_close(d);
}
END_TEST

START_TEST(test_bad_indirect_loop)
{
	struct drv *d = drv_open(8, false, true);

	set_desc(d, DESC_GPA, 0, TABLE_GPA, 48, INDIRECT, 0);
	set_desc(d, TABLE_GPA, 0, DATA1_GPA, 4, NEXT, 1);
	set_desc(d, TABLE_GPA, 1, DATA1_GPA, 4, NEXT, 2);
	set_desc(d, TABLE_GPA, 2, DATA1_GPA, 4, NEXT, 0);
	publish(d, 0);
	ck_assert_int_eq(pop(d), -EINVAL);
	assert_broken(d, "loop");
	drv_close(d);
}
END_TEST

START_TEST(test_bad_used_head)
{
	struct drv *d = drv_open(8, false, false);

	ck_assert_int_eq(virtq_push_used(&d->vq, 8, 0), -EINVAL);
	assert_broken(d, "used head 8");
	ck_assert_uint_eq(le16toh(used(d)->idx), 0);
	drv_close(d);
}
END_TEST

/* virtq_enable's checks of what the driver configured. */

static int enable(struct drv *d, uint16_t size, uint64_t desc, uint64_t avail,
		  uint64_t used_gpa, bool event_idx)
{
	return virtq_enable(&d->vq, &d->mem, size, desc, avail, used_gpa, event_idx, false);
}

static void check_enable_fails(struct drv *d, uint16_t size, uint64_t desc,
			       uint64_t avail, uint64_t used_gpa, bool event_idx,
			       const char *why)
{
	ck_assert_int_eq(enable(d, size, desc, avail, used_gpa, event_idx), -EINVAL);
	ck_assert(d->vq.broken);
	ck_assert(!d->vq.enabled);
	ck_assert_msg(strstr(d->vq.why, why), "why \"%s\" lacks \"%s\"", d->vq.why, why);
	ck_assert_int_eq(pop(d), -EINVAL);
}

START_TEST(test_enable_checks)
{
	struct drv *d = drv_open(8, false, false);
	/* Rings that end exactly at slot 0's end for size 8. */
	uint64_t end = SLOT0_GPA + SLOT0_SIZE;
	uint64_t avail_tight = end - VIRTQ_AVAIL_BYTES(8) + 2;
	uint64_t used_tight = end - VIRTQ_USED_BYTES(8) + 2;

	check_enable_fails(d, 0, DESC_GPA, AVAIL_GPA, USED_GPA, false, "not a power of two");
	check_enable_fails(d, 3, DESC_GPA, AVAIL_GPA, USED_GPA, false, "not a power of two");
	check_enable_fails(d, 65535, DESC_GPA, AVAIL_GPA, USED_GPA, false, "not a power of two");
	check_enable_fails(d, 8, DESC_GPA + 8, AVAIL_GPA, USED_GPA, false,
			   "descriptor table at 0x10008 is not 16-byte aligned");
	check_enable_fails(d, 8, DESC_GPA, AVAIL_GPA + 1, USED_GPA, false,
			   "avail ring at 0x14001 is not 2-byte aligned");
	check_enable_fails(d, 8, DESC_GPA, AVAIL_GPA, USED_GPA + 2, false,
			   "used ring at 0x15002 is not 4-byte aligned");
	check_enable_fails(d, 8, HOLE_GPA, AVAIL_GPA, USED_GPA, false,
			   "descriptor table 0x20000+0x80 is not inside one RAM slot");
	check_enable_fails(d, 8, HOLE_GPA - 64, AVAIL_GPA, USED_GPA, false,
			   "descriptor table");
	check_enable_fails(d, 8, DESC_GPA, HOLE_GPA - 2, USED_GPA, false, "avail ring");
	check_enable_fails(d, 8, DESC_GPA, AVAIL_GPA, UINT64_MAX - 3, false, "used ring");

	/* The event fields count only with EVENT_IDX. */
	ck_assert_int_eq(enable(d, 8, DESC_GPA, avail_tight, USED_GPA, false), 0);
	check_enable_fails(d, 8, DESC_GPA, avail_tight, USED_GPA, true, "avail ring");
	ck_assert_int_eq(enable(d, 8, DESC_GPA, avail_tight - 2, USED_GPA, true), 0);
	ck_assert_int_eq(enable(d, 8, DESC_GPA, AVAIL_GPA, used_tight, false), 0);
	check_enable_fails(d, 8, DESC_GPA, AVAIL_GPA, used_tight, true, "used ring");
	ck_assert_int_eq(enable(d, 8, DESC_GPA, AVAIL_GPA, used_tight - 4, true), 0);

	/* The smallest and the largest queue. */
	ck_assert_int_eq(enable(d, 1, DESC_GPA, AVAIL_GPA, USED_GPA, true), 0);
	ck_assert_int_eq(enable(d, 32768, BIG_GPA, BIG_GPA + 0x80000,
				BIG_GPA + 0x90000, true), 0);
	ck_assert_uint_eq(d->vq.size, 32768);
	check_enable_fails(d, 32768, DESC_GPA, AVAIL_GPA, USED_GPA, true, "descriptor table");

	/* A failed enable is undone by reset + enable. */
	virtq_reset(&d->vq);
	drv_enable(d);
	publish_valid(d);
	ck_assert_int_eq(pop(d), 1);
	drv_close(d);
}
END_TEST

/* A slot whose host address is not aligned like its guest address. */
START_TEST(test_enable_misaligned_host)
{
	struct drv *d = drv_open(8, false, false);
	uint8_t *buf = calloc(1, 0x2000);
	struct guest_slot slot = { 0x1000000, 0x1000, buf + 1, 0 };
	struct guest_mem mem = { &slot, 1 };

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(virtq_enable(&d->vq, &mem, 8, 0x1000000, 0x1000200, 0x1000400,
				      false, false), -EINVAL);
	ck_assert_msg(strstr(d->vq.why, "misaligned host address"), "%s", d->vq.why);
	free(buf);
	drv_close(d);
}
END_TEST

/* The largest queue works end to end. */
START_TEST(test_largest_queue)
{
	struct drv *d = drv_open(8, true, true);
	uint64_t desc = BIG_GPA, avail = BIG_GPA + 0x80000, used_gpa = BIG_GPA + 0x90000;
	uint16_t *ring = guest_mem_ptr(&d->mem, avail + 4, 2 * 32768);
	struct virtq_used_raw *used_ring;

	ck_assert_int_eq(virtq_enable(&d->vq, &d->mem, 32768, desc, avail, used_gpa,
				      true, true), 0);
	set_desc(d, desc, 32767, DATA0_GPA, 9, 0, 0);
	ring[0] = htole16(32767);
	*(uint16_t *)guest_mem_ptr(&d->mem, avail + 2, 2) = htole16(1);
	ck_assert_int_eq(pop(d), 1);
	ck_assert_uint_eq(d->chain.head, 32767);
	ck_assert_int_eq(virtq_push_used(&d->vq, 32767, 9), 0);
	used_ring = guest_mem_ptr(&d->mem, used_gpa, 12);
	ck_assert_uint_eq(le16toh(used_ring->idx), 1);
	ck_assert_uint_eq(le32toh(used_ring->ring[0].id), 32767);
	drv_close(d);
}
END_TEST

Suite *virtq_suite(void)
{
	Suite *s = suite_create("virtq");
	TCase *tc = tcase_create("chains");
	TCase *tn = tcase_create("notify");
	TCase *tb = tcase_create("hostile");

	tcase_add_test(tc, test_out_only);
	tcase_add_test(tc, test_in_only);
	tcase_add_test(tc, test_mixed_chain);
	tcase_add_test(tc, test_several_chains_in_order);
	tcase_add_test(tc, test_index_wraparound);
	tcase_add_test(tc, test_indirect_chain);
	tcase_add_test(tc, test_direct_then_indirect);
	tcase_add_test(tc, test_lengths_past_4g);
	tcase_add_test(tc, test_max_iov_accepted);
	tcase_add_test(tc, test_chain_as_long_as_queue);
	tcase_add_test(tc, test_chain_read_write);
	tcase_add_test(tc, test_not_enabled);
	tcase_add_test(tc, test_largest_queue);
	suite_add_tcase(s, tc);

	tcase_add_test(tn, test_no_interrupt_flag);
	tcase_add_test(tn, test_event_idx_notify);
	tcase_add_test(tn, test_event_idx_wraparound);
	tcase_add_test(tn, test_event_idx_full_lap);
	tcase_add_test(tn, test_notify_flags);
	tcase_add_test(tn, test_notify_event_idx);
	suite_add_tcase(s, tn);

	tcase_add_test(tb, test_bad_avail_idx_ahead);
	tcase_add_test(tb, test_bad_avail_idx_backwards);
	tcase_add_test(tb, test_bad_head);
	tcase_add_test(tb, test_bad_next);
	tcase_add_test(tb, test_bad_loop);
	tcase_add_test(tb, test_bad_self_loop);
	tcase_add_test(tb, test_bad_too_many_buffers);
	tcase_add_test(tb, test_bad_buffer_in_hole);
	tcase_add_test(tb, test_bad_buffer_across_hole);
	tcase_add_test(tb, test_bad_buffer_past_slot_end);
	tcase_add_test(tb, test_bad_buffer_below_ram);
	tcase_add_test(tb, test_bad_buffer_wraps);
	tcase_add_test(tb, test_bad_zero_length);
	tcase_add_test(tb, test_bad_readable_after_writable);
	tcase_add_test(tb, test_bad_indirect_not_negotiated);
	tcase_add_test(tb, test_bad_indirect_with_next);
	tcase_add_test(tb, test_bad_indirect_len_zero);
	tcase_add_test(tb, test_bad_indirect_len_odd);
	tcase_add_test(tb, test_bad_indirect_too_long);
	tcase_add_test(tb, test_bad_indirect_outside_ram);
	tcase_add_test(tb, test_bad_indirect_nested);
	tcase_add_test(tb, test_bad_indirect_next);
	tcase_add_test(tb, test_bad_indirect_loop);
	tcase_add_test(tb, test_bad_used_head);
	tcase_add_test(tb, test_enable_checks);
	tcase_add_test(tb, test_enable_misaligned_host);
	suite_add_tcase(s, tb);
	return s;
}
