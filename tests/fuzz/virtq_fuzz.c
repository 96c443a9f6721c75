// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for devices/virtq: the input is a hostile guest. It
 * picks the queue's parameters, then plays a script that interleaves guest
 * writes into a small guest memory (two slots with a hole between them)
 * with the device's calls. Besides the sanitizers, every chain the queue
 * accepts is checked: its buffers lie in guest RAM and its sums add up.
 *
 * Input, little-endian: cfg (1 byte: bit 0 EVENT_IDX, bit 1 INDIRECT_DESC,
 * bits 2-5 log2 of the size, bit 6 take the size from the next 2 bytes
 * instead), size (2), desc, avail and used offsets from MEM_GPA (2 each),
 * then ops: a byte (mod OP_COUNT) and the operands the enum lists.
 * tests/fuzz/seeds/virtq holds a few inputs in this form that reach the
 * deep cases (a 1024-buffer indirect chain, one of 1025, a bad next inside
 * a table) which random bytes reach slowly.
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtq.h"

#define MEM_GPA		0x10000ull
#define SLOT_SIZE	0x7000ull	/* room for a 1025-entry indirect table */
#define HOLE_SIZE	0x1000ull
#define MAX_OPS		4096
#define MAX_DRAIN	64

enum {
	OP_GUEST_WRITE,		/* off (2), n (1), n bytes into guest memory */
	OP_POP,			/* one chain, copied from and into, given back */
	OP_PUSH,		/* head (2), len (2): possibly a bad head */
	OP_SHOULD_NOTIFY,
	OP_DISABLE_NOTIFY,
	OP_ENABLE_NOTIFY,
	OP_RESET,		/* reset and enable again */
	OP_DRAIN,		/* pop and push until empty or broken */
	OP_FILL_TABLE,		/* off (2), n (2), addr (2), len (1), flags (1) */
	OP_COUNT,
};

struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t take8(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static uint16_t take16(struct input *in)
{
	uint16_t lo = take8(in);

	return lo | (uint16_t)take8(in) << 8;
}

static uint8_t slot_mem[2][SLOT_SIZE] __attribute__((aligned(4096)));
static const struct guest_slot slots[2] = {
	{ MEM_GPA, SLOT_SIZE, slot_mem[0], 0 },
	{ MEM_GPA + SLOT_SIZE + HOLE_SIZE, SLOT_SIZE, slot_mem[1], 1 },
};
static const struct guest_mem mem = { slots, 2 };
static struct virtq_chain chain;
static uint8_t scratch[8192];

struct params {
	uint16_t size;
	uint64_t desc, avail, used;
	bool event_idx, indirect;
};

static void enable(struct virtq *vq, const struct params *p)
{
	virtq_enable(vq, &mem, p->size, p->desc, p->avail, p->used,
		     p->event_idx, p->indirect);
}

/* The guest stores n bytes at MEM_GPA + off; bytes in the hole are lost. */
static void guest_write(struct input *in)
{
	uint64_t gpa = MEM_GPA + take16(in);
	unsigned int n = take8(in);

	for (unsigned int i = 0; i < n && in->left; i++) {
		uint8_t *p = guest_mem_ptr(&mem, gpa + i, 1);
		uint8_t v = take8(in);

		if (p)
			*p = v;
	}
}

/*
 * The guest writes a table of n descriptors, each chained to the next and
 * the last without NEXT: how long chains (past VIRTQ_MAX_IOV) come about.
 */
static void guest_fill_table(struct input *in)
{
	uint64_t gpa = MEM_GPA + take16(in);
	unsigned int n = take16(in) % 1100;
	uint64_t addr = MEM_GPA + take16(in);
	uint32_t len = take8(in);
	uint16_t flags = take8(in) | VIRTQ_DESC_F_NEXT;

	for (unsigned int i = 0; i < n; i++) {
		struct virtq_desc_raw d = {
			htole64(addr), htole32(len),
			htole16(i + 1 < n ? flags : flags & ~VIRTQ_DESC_F_NEXT),
			htole16(i + 1),
		};
		void *p = guest_mem_ptr(&mem, gpa + 16 * i, sizeof(d));

		if (p)
			memcpy(p, &d, sizeof(d));
	}
}

static bool in_ram(const struct iovec *iov)
{
	uintptr_t base = (uintptr_t)iov->iov_base;

	for (unsigned int i = 0; i < 2; i++) {
		uintptr_t start = (uintptr_t)slots[i].host;

		if (base >= start && iov->iov_len <= slots[i].size &&
		    base - start <= slots[i].size - iov->iov_len)
			return true;
	}
	return false;
}

/* What the queue promises about every chain it hands out. */
static void check_chain(const struct virtq *vq, const struct virtq_chain *c)
{
	uint64_t out = 0, in = 0;
	unsigned int nr = c->nr_out + c->nr_in;

	if (c->head >= vq->size || nr == 0 || nr > VIRTQ_MAX_IOV)
		abort();
	for (unsigned int i = 0; i < nr; i++) {
		if (!c->iov[i].iov_len || !in_ram(&c->iov[i]))
			abort();
		if (i < c->nr_out)
			out += c->iov[i].iov_len;
		else
			in += c->iov[i].iov_len;
	}
	if (out != c->out_len || in != c->in_len)
		abort();
}

/* Serves one chain as a device would: read a part, write a part. */
static int serve_one(struct virtq *vq, struct input *in)
{
	uint64_t off = take8(in);
	size_t n = take16(in) % sizeof(scratch);
	size_t got, want;
	int ret;

	ret = virtq_pop_chain(vq, &chain);
	if (ret != 1)
		return ret;
	check_chain(vq, &chain);
	got = virtq_chain_read(&chain, off, scratch, n);
	want = off >= chain.out_len ? 0 : chain.out_len - off;
	if (got != (want < n ? want : n))
		abort();
	got = virtq_chain_write(&chain, off, scratch, n);
	want = off >= chain.in_len ? 0 : chain.in_len - off;
	if (got != (want < n ? want : n))
		abort();
	if (virtq_push_used(vq, chain.head, got))
		abort();
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct virtq vq;
	struct params p;
	uint8_t cfg = take8(&in);
	uint16_t raw_size = take16(&in);

	memset(slot_mem, 0, sizeof(slot_mem));
	p.event_idx = cfg & 1;
	p.indirect = cfg & 2;
	p.size = cfg & 0x40 ? raw_size : 1u << ((cfg >> 2) & 15);
	p.desc = MEM_GPA + take16(&in);
	p.avail = MEM_GPA + take16(&in);
	p.used = MEM_GPA + take16(&in);
	enable(&vq, &p);

	for (unsigned int ops = 0; ops < MAX_OPS && in.left; ops++) {
		switch (take8(&in) % OP_COUNT) {
		case OP_GUEST_WRITE:
			guest_write(&in);
			break;
		case OP_POP:
			serve_one(&vq, &in);
			break;
		case OP_PUSH: {
			uint16_t head = take16(&in);

			/* A device bug, not a guest's: an out-of-range head must break. */
			if (virtq_push_used(&vq, head, take16(&in)) == 0 && head >= vq.size)
				abort();
			break;
		}
		case OP_SHOULD_NOTIFY:
			virtq_should_notify(&vq);
			break;
		case OP_DISABLE_NOTIFY:
			virtq_disable_notify(&vq);
			break;
		case OP_ENABLE_NOTIFY:
			virtq_enable_notify(&vq);
			break;
		case OP_RESET:
			virtq_reset(&vq);
			enable(&vq, &p);
			break;
		case OP_DRAIN:
			for (unsigned int i = 0; i < MAX_DRAIN; i++)
				if (serve_one(&vq, &in) != 1)
					break;
			break;
		case OP_FILL_TABLE:
			guest_fill_table(&in);
			break;
		}
		/* A broken queue stays broken. */
		if (vq.broken && virtq_pop_chain(&vq, &chain) != -EINVAL)
			abort();
	}
	return 0;
}
