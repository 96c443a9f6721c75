// SPDX-License-Identifier: GPL-2.0
/* The planner's names and descriptions of regions, holes and host regions. */
#include "vmm/hostres.h"
#include "vmm/memplan_internal.h"

/*
 * Bounded text building without printf: the planner names thousands of
 * banks and holes, and vsnprintf was a third of its time.
 */
struct text {
	char *buf;
	size_t size;
	size_t used;
};

static void text_str(struct text *t, const char *str)
{
	while (*str && t->used + 1 < t->size)
		t->buf[t->used++] = *str++;
	t->buf[t->used] = 0;
}

/* Separate hex and decimal: constant divisors compile to shifts and multiplies. */
static void text_digits(struct text *t, const char *digits, int n)
{
	while (n && t->used + 1 < t->size)
		t->buf[t->used++] = digits[--n];
	t->buf[t->used] = 0;
}

static void text_hex(struct text *t, uint64_t value)
{
	char digits[16];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[value & 15];
		value >>= 4;
	} while (value);
	text_str(t, "0x");
	text_digits(t, digits, n);
}

static void text_dec(struct text *t, uint64_t value)
{
	char digits[20];
	int n = 0;

	do {
		digits[n++] = '0' + value % 10;
		value /= 10;
	} while (value);
	text_digits(t, digits, n);
}

static struct text text_init(char *buf, size_t size)
{
	buf[0] = 0;
	return (struct text) { buf, size, 0 };
}

const char *host_name(const struct host_facts *facts, unsigned int host)
{
	return facts && host < facts->nr_hosts ? facts->hosts[host].name : "?";
}

/* "host direct 0xbdf6e000-0xbdf84fff (hostA.txt, group 7)" */
static void describe_host_region(const struct host_facts *facts, size_t index,
				 char *buf, size_t len)
{
	const struct host_region *r = &facts->regions[index];
	struct text t = text_init(buf, len);

	text_str(&t, "host ");
	text_str(&t, hostres_type_name(r->type));
	text_str(&t, " ");
	text_hex(&t, r->start);
	text_str(&t, "-");
	text_hex(&t, r->end);
	text_str(&t, " (");
	text_str(&t, host_name(facts, r->host));
	if (r->what[0]) {
		text_str(&t, ", ");
		text_str(&t, r->what);
	}
	text_str(&t, ")");
}

void describe_span(const struct planner *p, const struct span *s,
			  char *buf, size_t len)
{
	struct text t = text_init(buf, len);

	if (s->tag == TAG_OUTSIDE_IOVA) {
		text_str(&t, "outside the hosts' IOVA ranges");
	} else if (s->tag != SPAN_NO_TAG && p->facts && s->tag < p->facts->nr_regions) {
		describe_host_region(p->facts, s->tag, buf, len);
	} else {
		text_hex(&t, s->start);
		text_str(&t, "-");
		text_hex(&t, s->end - 1);
	}
}

/* RAM banks and holes are named in address order once everything is placed. */
void plan_name_regions(struct vm_plan *plan)
{
	unsigned int bank = 0, hole = 0;
	struct text t;
	size_t i;

	for (i = 0; i < plan->nr_regions; i++) {
		struct plan_region *r = &plan->regions[i];

		if (r->kind == PLAN_RAM) {
			t = text_init(r->name, sizeof(r->name));
			text_str(&t, "ram");
			text_dec(&t, bank);
			t = text_init(r->why, sizeof(r->why));
			text_str(&t, "guest RAM bank ");
			text_dec(&t, bank);
			bank++;
		} else if (r->kind == PLAN_HOLE) {
			t = text_init(r->name, sizeof(r->name));
			text_str(&t, "hole");
			text_dec(&t, hole++);
		}
	}
}
