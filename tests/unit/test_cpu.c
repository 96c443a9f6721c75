// SPDX-License-Identifier: GPL-2.0
/* arch/x86/cpu: CPUID topology, boot page tables, GDT entries. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "tests/unit/suites.h"

#define CAPACITY	32

/* A CPUID table as KVM_GET_SUPPORTED_CPUID might give it, with room to grow. */
static struct kvm_cpuid2 *cpuid_make(uint32_t max_basic)
{
	static const struct kvm_cpuid_entry2 base[] = {
		{ .function = 0, .eax = 0 /* set below */, .ebx = 0x756e6547 },
		{ .function = 1, .eax = 0x000906ea, .ebx = 0x00000800,
		  .ecx = 0x7ffafbff, .edx = 0x0f8bfbff },
		{ .function = 4, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 0x1c004121 | (7u << 14), .ebx = 0x01c0003f, .ecx = 0x3f },
		{ .function = 4, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 0x1c004122, .ebx = 0x01c0003f, .ecx = 0x3f },
		{ .function = 4, .index = 2, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 0x1c004143, .ebx = 0x00c0003f, .ecx = 0x3ff },
		{ .function = 4, .index = 3, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 0x1c03c163, .ebx = 0x03c0003f, .ecx = 0x2fff },
		{ .function = 4, .index = 4, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX },
		/* Stale topology from the host: replaced. */
		{ .function = 0xb, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 1, .ebx = 2, .ecx = 0x100, .edx = 0x77 },
		{ .function = 0xb, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 5, .ebx = 16, .ecx = 0x201, .edx = 0x77 },
		{ .function = 0x80000000, .eax = 0x80000008 },
		{ .function = 0x80000008, .eax = 0x00003027, .ecx = 0xffff },
	};
	struct kvm_cpuid2 *cpuid;

	cpuid = calloc(1, sizeof(*cpuid) + CAPACITY * sizeof(cpuid->entries[0]));
	ck_assert_ptr_nonnull(cpuid);
	memcpy(cpuid->entries, base, sizeof(base));
	cpuid->nent = sizeof(base) / sizeof(base[0]);
	cpuid->entries[0].eax = max_basic;
	return cpuid;
}

static struct kvm_cpuid_entry2 *find(struct kvm_cpuid2 *cpuid, uint32_t function,
				     uint32_t index)
{
	struct kvm_cpuid_entry2 *found = NULL;

	for (uint32_t i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function == function && e->index == index) {
			ck_assert_msg(!found, "leaf 0x%x.%u twice", function, index);
			found = e;
		}
	}
	return found;
}

static unsigned int count_leaf(struct kvm_cpuid2 *cpuid, uint32_t function)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < cpuid->nent; i++)
		n += cpuid->entries[i].function == function;
	return n;
}

/* Leaf 0xb or 0x1f: SMT level of one thread, core level of nr_cpus. */
static void check_extended_topology(struct kvm_cpuid2 *cpuid, uint32_t leaf,
				    unsigned int apic_id, unsigned int nr_cpus,
				    unsigned int shift)
{
	struct kvm_cpuid_entry2 *e;

	ck_assert_uint_eq(count_leaf(cpuid, leaf), 3);
	e = find(cpuid, leaf, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
			  KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	ck_assert_uint_eq(e->eax, 0);
	ck_assert_uint_eq(e->ebx, 1);
	ck_assert_uint_eq(e->ecx, 0x100);		/* level 0, type SMT */
	ck_assert_uint_eq(e->edx, apic_id);
	e = find(cpuid, leaf, 1);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->eax, shift);
	ck_assert_uint_eq(e->ebx, nr_cpus);
	ck_assert_uint_eq(e->ecx, 0x201);		/* level 1, type core */
	ck_assert_uint_eq(e->edx, apic_id);
	e = find(cpuid, leaf, 2);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->eax, 0);
	ck_assert_uint_eq(e->ebx, 0);
	ck_assert_uint_eq(e->ecx, 2);			/* level 2, invalid: the end */
	ck_assert_uint_eq(e->edx, apic_id);
}

START_TEST(test_topology_four_cpus)
{
	struct kvm_cpuid2 *cpuid = cpuid_make(0x1f);
	struct kvm_cpuid_entry2 *e;

	ck_assert_int_eq(x86_cpuid_set_topology(cpuid, CAPACITY, 3, 4), 0);
	e = find(cpuid, 1, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->ebx >> 24, 3);			/* initial APIC ID */
	ck_assert_uint_eq(e->ebx >> 16 & 0xff, 4);		/* logical count */
	ck_assert_uint_eq(e->ebx & 0xffff, 0x0800);		/* CLFLUSH size kept */
	ck_assert_uint_eq(e->edx, 0x0f8bfbff | 1u << 28);	/* HTT */
	ck_assert_uint_eq(e->ecx, 0x7ffafbff | 1u << 31);	/* hypervisor */
	ck_assert_uint_eq(e->eax, 0x000906ea);

	/* Leaf 4: cores per package - 1 in EAX[31:26], caches per core. */
	e = find(cpuid, 4, 0);
	ck_assert_uint_eq(e->eax, (0x1c004121 & 0x3fff) | 3u << 26);
	ck_assert_uint_eq(e->ebx, 0x01c0003f);
	e = find(cpuid, 4, 3);
	ck_assert_uint_eq(e->eax, (0x1c03c163 & 0x3fff) | 3u << 26);
	e = find(cpuid, 4, 4);
	ck_assert_uint_eq(e->eax, 0);				/* terminator kept */

	check_extended_topology(cpuid, 0xb, 3, 4, 2);
	check_extended_topology(cpuid, 0x1f, 3, 4, 2);

	e = find(cpuid, 0x80000008, 0);
	ck_assert_uint_eq(e->ecx, 2u << 12 | 3);		/* ApicIdSize, NC */
	ck_assert_uint_eq(e->eax, 0x3027);			/* address widths kept */
	/* 11 entries, 2 stale dropped, 3 + 3 added. */
	ck_assert_uint_eq(cpuid->nent, 15);
	free(cpuid);
}
END_TEST

START_TEST(test_topology_one_cpu)
{
	struct kvm_cpuid2 *cpuid = cpuid_make(0x1f);
	struct kvm_cpuid_entry2 *e;

	ck_assert_int_eq(x86_cpuid_set_topology(cpuid, CAPACITY, 0, 1), 0);
	e = find(cpuid, 1, 0);
	ck_assert_uint_eq(e->ebx >> 24, 0);
	ck_assert_uint_eq(e->ebx >> 16 & 0xff, 1);
	ck_assert_uint_eq(e->edx & 1u << 28, 0);		/* no HTT */
	ck_assert_uint_eq(find(cpuid, 4, 0)->eax >> 26, 0);
	check_extended_topology(cpuid, 0xb, 0, 1, 0);
	ck_assert_uint_eq(find(cpuid, 0x80000008, 0)->ecx, 0);
	free(cpuid);
}
END_TEST

START_TEST(test_topology_odd_counts)
{
	struct kvm_cpuid2 *cpuid = cpuid_make(0x1f);
	struct kvm_cpuid_entry2 *e;

	/* 6 CPUs need 3 bits of APIC ID. */
	ck_assert_int_eq(x86_cpuid_set_topology(cpuid, CAPACITY, 5, 6), 0);
	check_extended_topology(cpuid, 0xb, 5, 6, 3);
	ck_assert_uint_eq(find(cpuid, 0x80000008, 0)->ecx, 3u << 12 | 5);
	free(cpuid);

	/* Beyond 8-bit fields: leaf 1 saturates, leaf 4 caps at 64, 0xb is exact. */
	cpuid = cpuid_make(0x1f);
	ck_assert_int_eq(x86_cpuid_set_topology(cpuid, CAPACITY, 260, 300), 0);
	e = find(cpuid, 1, 0);
	ck_assert_uint_eq(e->ebx >> 16 & 0xff, 255);
	ck_assert_uint_eq(e->ebx >> 24, 260 & 0xff);
	ck_assert_uint_eq(find(cpuid, 4, 1)->eax >> 26, 63);
	check_extended_topology(cpuid, 0xb, 260, 300, 9);
	free(cpuid);
}
END_TEST

START_TEST(test_topology_is_idempotent)
{
	struct kvm_cpuid2 *a = cpuid_make(0x1f), *b = cpuid_make(0x1f);
	size_t size = sizeof(*a) + CAPACITY * sizeof(a->entries[0]);

	ck_assert_int_eq(x86_cpuid_set_topology(a, CAPACITY, 1, 2), 0);
	ck_assert_int_eq(x86_cpuid_set_topology(b, CAPACITY, 1, 2), 0);
	ck_assert_int_eq(x86_cpuid_set_topology(b, CAPACITY, 1, 2), 0);
	ck_assert_uint_eq(a->nent, b->nent);
	ck_assert_int_eq(memcmp(a, b, size), 0);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_topology_old_max_leaf)
{
	struct kvm_cpuid2 *cpuid = cpuid_make(0xd);

	/* Leaf 0xb is rewritten, 0x1f is beyond the maximum: not added. */
	ck_assert_int_eq(x86_cpuid_set_topology(cpuid, CAPACITY, 1, 2), 0);
	check_extended_topology(cpuid, 0xb, 1, 2, 1);
	ck_assert_uint_eq(count_leaf(cpuid, 0x1f), 0);
	free(cpuid);

	cpuid = cpuid_make(0xa);
	ck_assert_int_eq(x86_cpuid_set_topology(cpuid, CAPACITY, 1, 2), 0);
	ck_assert_uint_eq(count_leaf(cpuid, 0x1f), 0);
	/* The stale leaf 0xb entries are beyond the maximum too; left alone. */
	ck_assert_uint_eq(find(cpuid, 0xb, 1)->ebx, 16);
	free(cpuid);
}
END_TEST

START_TEST(test_topology_no_room)
{
	struct kvm_cpuid2 *cpuid = cpuid_make(0x1f);
	unsigned int nent = cpuid->nent;

	/* No room beyond what is there: 0xb needs one more entry than it frees. */
	ck_assert_int_eq(x86_cpuid_set_topology(cpuid, nent, 0, 2), -ENOSPC);
	ck_assert_uint_le(cpuid->nent, nent);
	free(cpuid);

	/* Room for 0xb but not for 0x1f. */
	cpuid = cpuid_make(0x1f);
	ck_assert_int_eq(x86_cpuid_set_topology(cpuid, nent + 1 + 2, 0, 2), -ENOSPC);
	ck_assert_uint_le(cpuid->nent, nent + 3);
	free(cpuid);

	/* Exactly enough. */
	cpuid = cpuid_make(0x1f);
	ck_assert_int_eq(x86_cpuid_set_topology(cpuid, nent + 4, 0, 2), 0);
	ck_assert_uint_eq(cpuid->nent, nent + 4);
	free(cpuid);
}
END_TEST

/* --- page tables --- */

#define LOW_LEN		0x10000
#define PT_START	X86_PML4_ADDR
#define PT_END		(X86_PML4_ADDR + 6 * 4096)

static uint64_t get64(const uint8_t *mem, uint64_t addr)
{
	uint64_t v;

	if (addr + 8 > LOW_LEN)
		ck_abort_msg("table read at 0x%llx, outside low memory",
			     (unsigned long long)addr);
	memcpy(&v, mem + addr, sizeof(v));
	return v;
}

/* Walks the 4-level tables as the CPU would; returns the physical address. */
static uint64_t walk(const uint8_t *mem, uint64_t cr3, uint64_t va, int *ok)
{
	const uint64_t addr_mask = 0x000ffffffffff000ULL;
	uint64_t pml4e, pdpte, pde;

	*ok = 0;
	pml4e = get64(mem, cr3 + ((va >> 39) & 511) * 8);
	if (!(pml4e & 1))
		return 0;
	pdpte = get64(mem, (pml4e & addr_mask) + ((va >> 30) & 511) * 8);
	if (!(pdpte & 1) || (pdpte & 0x80))
		return 0;
	pde = get64(mem, (pdpte & addr_mask) + ((va >> 21) & 511) * 8);
	if (!(pde & 1) || !(pde & 0x80))
		return 0;
	*ok = 1;
	return (pde & addr_mask & ~0x1fffffULL) | (va & 0x1fffff);
}

START_TEST(test_page_tables)
{
	static const uint64_t addrs[] = {
		0, 0x7000, 0x1fffff, 0x200000, 0x100200, 0x3fffffff, 0x40000000,
		0xbfffffff, 0xc0000000, 0xfec00000, 0xfee00000, 0xffffffff,
	};
	uint8_t *mem = malloc(LOW_LEN);
	int ok;

	ck_assert_ptr_nonnull(mem);
	memset(mem, 0xaa, LOW_LEN);
	x86_build_page_tables(mem);

	/* Only the six table pages are written. */
	for (uint64_t i = 0; i < LOW_LEN; i++)
		if ((i < PT_START || i >= PT_END) && mem[i] != 0xaa)
			ck_abort_msg("byte 0x%llx written", (unsigned long long)i);

	ck_assert_uint_eq(get64(mem, PT_START), (X86_PML4_ADDR + 0x1000) | 3);
	for (unsigned int i = 1; i < 512; i++)
		ck_assert_uint_eq(get64(mem, PT_START + i * 8), 0);
	for (unsigned int i = 0; i < 512; i++)
		ck_assert_uint_eq(get64(mem, PT_START + 0x1000 + i * 8),
				  i < 4 ? (X86_PML4_ADDR + 0x2000 + i * 0x1000) | 3 : 0);
	/* 2048 2 MiB pages: present, writable, PS. */
	for (unsigned int i = 0; i < 2048; i++)
		if (get64(mem, PT_START + 0x2000 + i * 8) != (((uint64_t)i << 21) | 0x83))
			ck_abort_msg("PD entry %u is 0x%llx", i, (unsigned long long)
				     get64(mem, PT_START + 0x2000 + i * 8));

	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		uint64_t pa = walk(mem, X86_PML4_ADDR, addrs[i], &ok);

		ck_assert_msg(ok, "0x%llx not mapped", (unsigned long long)addrs[i]);
		ck_assert_uint_eq(pa, addrs[i]);
	}
	/* Nothing at or above 4 GiB. */
	walk(mem, X86_PML4_ADDR, 0x100000000ULL, &ok);
	ck_assert(!ok);
	walk(mem, X86_PML4_ADDR, 0x8000000000ULL, &ok);
	ck_assert(!ok);
	free(mem);
}
END_TEST

/* --- GDT --- */

START_TEST(test_gdt_entries)
{
	uint64_t code = x86_gdt_entry(0xa09b, 0, 0xfffff);

	ck_assert_uint_eq(code, 0x00af9b000000ffffULL);
	ck_assert_uint_eq(code >> 53 & 1, 1);		/* L: 64-bit code */
	ck_assert_uint_eq(code >> 54 & 1, 0);		/* D must be 0 with L */
	ck_assert_uint_eq(code >> 47 & 1, 1);		/* present */
	ck_assert_uint_eq(code >> 44 & 1, 1);		/* code/data */
	ck_assert_uint_eq(code >> 40 & 0xf, 0xb);	/* execute/read, accessed */
	ck_assert_uint_eq(code >> 45 & 3, 0);		/* DPL 0 */
	ck_assert_uint_eq(code >> 55 & 1, 1);		/* 4K granularity */

	ck_assert_uint_eq(x86_gdt_entry(0xc093, 0, 0xfffff), 0x00cf93000000ffffULL);
	ck_assert_uint_eq(x86_gdt_entry(0x808b, 0, 0xfffff), 0x008f8b000000ffffULL);
	/* Base and limit are split over the descriptor. */
	ck_assert_uint_eq(x86_gdt_entry(0x0093, 0x12345678, 0xabcde),
			  0x120a93345678bcdeULL);
	/* Flag bits 8-11 are the limit's, not the caller's. */
	ck_assert_uint_eq(x86_gdt_entry(0x0f93, 0, 0), 0x0000930000000000ULL);
	ck_assert_uint_eq(x86_gdt_entry(0, 0, 0), 0);
}
END_TEST

Suite *cpu_suite(void)
{
	Suite *s = suite_create("cpu");
	TCase *tc;

	tc = tcase_create("cpuid");
	tcase_add_test(tc, test_topology_four_cpus);
	tcase_add_test(tc, test_topology_one_cpu);
	tcase_add_test(tc, test_topology_odd_counts);
	tcase_add_test(tc, test_topology_is_idempotent);
	tcase_add_test(tc, test_topology_old_max_leaf);
	tcase_add_test(tc, test_topology_no_room);
	suite_add_tcase(s, tc);

	tc = tcase_create("boot");
	tcase_add_test(tc, test_page_tables);
	tcase_add_test(tc, test_gdt_entries);
	suite_add_tcase(s, tc);
	return s;
}
