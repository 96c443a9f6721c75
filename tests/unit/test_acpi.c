// SPDX-License-Identifier: GPL-2.0
/*
 * arch/x86/acpi: RSDP, XSDT, FADT (hardware reduced), DSDT with \_S5, COM1
 * and the PCI host bridge, MADT, MCFG.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/acpi.h"
#include "tests/unit/suites.h"
#include "vmm/hostres.h"
#include "vmm/le.h"
#include "vmm/memplan.h"

#define GPA		0xe0000ULL
#define BUF_LEN		0x10000
#define IOAPIC_ADDR	0xfec00000U
#define LAPIC_ADDR	0xfee00000U

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static uint64_t get64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static struct acpi_layout layout(unsigned int nr_cpus)
{
	return (struct acpi_layout) {
		.nr_cpus = nr_cpus,
		.ioapic_addr = IOAPIC_ADDR,
		.lapic_addr = LAPIC_ADDR,
		.sleep_control_port = 0x600,
		.sleep_status_port = 0x601,
		.reset_port = 0x602,
		.reset_value = 0x01,
	};
}

struct tables {
	uint8_t *buf;
	int used;
	const uint8_t *rsdp, *xsdt, *fadt, *dsdt, *madt, *mcfg;
	uint32_t nr_entries;
};

/* A table at guest address gpa, checked to lie inside the bytes used. */
static const uint8_t *table_at(const struct tables *t, uint64_t gpa,
			       const char *sig)
{
	const uint8_t *p;
	uint32_t len;

	ck_assert_msg(gpa >= GPA && gpa + 36 <= GPA + (uint64_t)t->used,
		      "%s at 0x%llx is outside the tables", sig,
		      (unsigned long long)gpa);
	p = t->buf + (gpa - GPA);
	ck_assert_msg(!memcmp(p, sig, 4), "want %s at 0x%llx, found %.4s", sig,
		      (unsigned long long)gpa, (const char *)p);
	len = get_le32(p + 4);
	ck_assert_uint_ge(len, 36);
	ck_assert_uint_le(gpa - GPA + len, (uint64_t)t->used);
	ck_assert_msg(sum(p, len) == 0, "%s checksum", sig);
	return p;
}

static void build(struct tables *t, const struct acpi_layout *l)
{
	uint32_t entries;

	memset(t, 0, sizeof(*t));
	t->buf = malloc(BUF_LEN);
	ck_assert_ptr_nonnull(t->buf);
	memset(t->buf, 0xcc, BUF_LEN);
	t->used = acpi_build(t->buf, BUF_LEN, GPA, l);
	ck_assert_int_gt(t->used, 0);
	ck_assert_int_le(t->used, BUF_LEN);

	t->rsdp = t->buf;
	t->xsdt = table_at(t, get64(t->rsdp + 24), "XSDT");
	entries = (get_le32(t->xsdt + 4) - 36) / 8;
	ck_assert_uint_eq(get_le32(t->xsdt + 4), 36 + entries * 8);
	for (uint32_t i = 0; i < entries; i++) {
		uint64_t addr = get64(t->xsdt + 36 + i * 8);
		const uint8_t *p = t->buf + (addr - GPA);

		ck_assert_uint_ge(addr, GPA);
		ck_assert_uint_lt(addr - GPA, (uint64_t)t->used);
		if (!memcmp(p, "FACP", 4))
			t->fadt = table_at(t, addr, "FACP");
		else if (!memcmp(p, "APIC", 4))
			t->madt = table_at(t, addr, "APIC");
		else if (!memcmp(p, "MCFG", 4) && !t->mcfg)
			t->mcfg = table_at(t, addr, "MCFG");
		else
			ck_abort_msg("unexpected table %.4s in the XSDT", (const char *)p);
	}
	ck_assert_ptr_nonnull(t->fadt);
	ck_assert_ptr_nonnull(t->madt);
	t->nr_entries = entries;
	t->dsdt = table_at(t, get64(t->fadt + 140), "DSDT");
}

START_TEST(test_rsdp)
{
	struct acpi_layout l = layout(1);
	struct tables t;

	build(&t, &l);
	ck_assert_int_eq(memcmp(t.rsdp, "RSD PTR ", 8), 0);
	ck_assert_uint_eq(sum(t.rsdp, 20), 0);		/* ACPI 1.0 checksum */
	ck_assert_uint_eq(t.rsdp[15], 2);		/* revision: XSDT */
	ck_assert_uint_eq(get_le32(t.rsdp + 20), 36);
	ck_assert_uint_eq(sum(t.rsdp, 36), 0);		/* extended checksum */
	ck_assert_uint_eq(t.rsdp[32], (uint8_t)-sum(t.rsdp, 32));
	/* Linux finds the RSDP by scanning 16-byte boundaries. */
	ck_assert_uint_eq(GPA % 16, 0);
	free(t.buf);
}
END_TEST

START_TEST(test_xsdt)
{
	struct acpi_layout l = layout(2);
	struct tables t;

	build(&t, &l);
	ck_assert_uint_eq(get_le32(t.xsdt + 4), 36 + 2 * 8);
	ck_assert_uint_eq(t.xsdt[8], 1);
	free(t.buf);
}
END_TEST

START_TEST(test_fadt)
{
	struct acpi_layout l = layout(1);
	const uint8_t *g;
	struct tables t;

	l.sleep_control_port = 0x1234;
	l.sleep_status_port = 0x1235;
	l.reset_port = 0x4321;
	l.reset_value = 0x0e;
	build(&t, &l);
	ck_assert_uint_eq(get_le32(t.fadt + 4), 276);
	ck_assert_uint_eq(t.fadt[8], 6);			/* revision */
	ck_assert_uint_eq(t.fadt[131], 3);			/* minor: 6.3 */
	ck_assert_uint_eq(get_le32(t.fadt + 112) >> 20 & 1, 1);	/* HW_REDUCED */
	ck_assert_uint_eq(get_le32(t.fadt + 112) >> 10 & 1, 1);	/* RESET_REG_SUP */
	/* DSDT and X_DSDT agree. */
	ck_assert_uint_eq(get_le32(t.fadt + 40), get64(t.fadt + 140));

	g = t.fadt + 244;					/* SLEEP_CONTROL_REG */
	ck_assert_uint_eq(g[0], 1);				/* system I/O */
	ck_assert_uint_eq(g[1], 8);
	ck_assert_uint_eq(g[2], 0);
	ck_assert_uint_eq(g[3], 1);				/* byte access */
	ck_assert_uint_eq(get64(g + 4), 0x1234);
	g = t.fadt + 256;					/* SLEEP_STATUS_REG */
	ck_assert_uint_eq(g[0], 1);
	ck_assert_uint_eq(get64(g + 4), 0x1235);
	g = t.fadt + 116;					/* RESET_REG */
	ck_assert_uint_eq(g[0], 1);
	ck_assert_uint_eq(g[1], 8);
	ck_assert_uint_eq(get64(g + 4), 0x4321);
	ck_assert_uint_eq(t.fadt[128], 0x0e);			/* RESET_VALUE */
	free(t.buf);
}
END_TEST

START_TEST(test_dsdt_s5)
{
	/*
	 * Name (_S5_, Package (4) { 5, 0, 0, 0 })
	 * Scope (\_SB) { Device (COM1) { Name (_HID, EisaId ("PNP0501"))
	 *   Name (_UID, One) Name (_CRS, ResourceTemplate () {
	 *     IO (Decode16, 0x3F8, 0x3F8, 1, 8) IRQNoFlags () {4} }) } }
	 * (checked with iasl -d when it was written)
	 */
	static const uint8_t aml[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x04,
		0x0a, 0x05, 0x00, 0x00, 0x00,
		0x10, 0x33, '\\', '_', 'S', 'B', '_',
		0x5b, 0x82, 0x2b, 'C', 'O', 'M', '1',
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01,
		0x08, '_', 'U', 'I', 'D', 0x01,
		0x08, '_', 'C', 'R', 'S', 0x11, 0x10, 0x0a, 0x0d,
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
		0x22, 0x10, 0x00, 0x79, 0x00,
	};
	struct acpi_layout l = layout(1);
	struct tables t;
	uint32_t len;

	l.uart_port = 0x3f8;
	l.uart_irq = 4;
	build(&t, &l);
	len = get_le32(t.dsdt + 4);
	ck_assert_uint_eq(len, 36 + sizeof(aml));
	ck_assert_int_eq(memcmp(t.dsdt + 36, aml, sizeof(aml)), 0);
	ck_assert_uint_eq(t.dsdt[36 + 9], ACPI_S5_SLP_TYP);
	free(t.buf);
}
END_TEST

/*
 * PCI: the plan's regions as the planner names them. A hand-made plan with
 * a cut 32-bit window and a 64-bit one, and plans from the x86 planner.
 */
#define MiB(n)	((uint64_t)(n) << 20)
#define GiB(n)	((uint64_t)(n) << 30)

static void add_region(struct vm_plan *plan, uint64_t start, uint64_t size,
		       enum plan_kind kind, const char *name)
{
	struct plan_region r = { .start = start, .size = size, .kind = kind };

	snprintf(r.name, sizeof(r.name), "%s", name);
	ck_assert_int_eq(memplan_add_region(plan, &r), 0);
}

static void hand_plan(struct vm_plan *plan)
{
	memplan_init(plan);
	add_region(plan, 0, GiB(1), PLAN_RAM, "ram0");
	add_region(plan, 0xc0000000, MiB(16), PLAN_DEVICE, "pci-ecam");
	add_region(plan, 0xc1000000, 0xd0000000 - 0xc1000000, PLAN_MMIO_WINDOW, "pci-mmio32");
	add_region(plan, 0xd0000000, MiB(1), PLAN_HOLE, "hole");
	add_region(plan, 0xd0100000, 0xe0000000 - 0xd0100000, PLAN_MMIO_WINDOW, "pci-mmio32.1");
	add_region(plan, 0xe0000000, MiB(1), PLAN_HOLE, "hole");
	add_region(plan, 0xe0100000, 0xfec00000 - 0xe0100000, PLAN_MMIO_WINDOW, "pci-mmio32.2");
	add_region(plan, 0xfec00000, 0x1000, PLAN_DEVICE, "ioapic");
	/* Not a piece of pci-mmio32: a name that only starts alike. */
	add_region(plan, GiB(4), GiB(1), PLAN_MMIO_WINDOW, "pci-mmio32x");
	add_region(plan, GiB(8), GiB(4), PLAN_MMIO_WINDOW, "pci-mmio64");
	memplan_sort(plan);
}

static int plan_x86(struct vm_plan *plan, uint64_t pci64_size,
		    const struct host_facts *facts)
{
	struct plan_request req = { .ram_size = GiB(2), .nr_cpus = 2,
				    .pci64_size = pci64_size };
	struct plan_constraints cons;
	struct plan_error err;

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(memplan_arch_constraints("x86_64", &req, 46, &cons, &err), 0);
	return memplan_build(&req, &cons, facts, plan, &err);
}

/* PkgLength at p (ACPI 6.3, 20.2.4); *n gets its size in bytes. */
static size_t pkg_length(const uint8_t *p, size_t *n)
{
	size_t len;

	*n = 1 + (p[0] >> 6);
	if (*n == 1)
		return p[0] & 0x3f;
	len = p[0] & 0x0f;
	for (size_t i = 1; i < *n; i++)
		len |= (size_t)p[i] << (4 + 8 * (i - 1));
	return len;
}

static const uint8_t *find_bytes(const uint8_t *p, const uint8_t *end,
				 const void *needle, size_t n)
{
	for (; p + n <= end; p++)
		if (!memcmp(p, needle, n))
			return p;
	return NULL;
}

/* The body of Device (name) in the DSDT, between its name and its end. */
static const uint8_t *dsdt_device(const struct tables *t, const char *name,
				  const uint8_t **end)
{
	const uint8_t *aml = t->dsdt + 36, *aml_end = t->dsdt + get_le32(t->dsdt + 4);
	const uint8_t *p;
	size_t n, len;

	for (p = aml; (p = find_bytes(p, aml_end, name, 4)); p++) {
		for (n = 1; n <= 4; n++) {
			const uint8_t *op = p - n - 2;

			if (op < aml || op[0] != 0x5b || op[1] != 0x82)
				continue;
			len = pkg_length(op + 2, &n);
			if (op + 2 + n != p)
				continue;
			*end = op + 2 + len;
			ck_assert(*end <= aml_end);
			return p + 4;
		}
	}
	return NULL;
}

/* The bytes of Name (obj, Buffer) in [p, end); *len gets their count. */
static const uint8_t *name_buffer(const uint8_t *p, const uint8_t *end,
				  const char *obj, size_t *len)
{
	uint8_t op[5] = { 0x08 };
	size_t n, pkg;

	memcpy(op + 1, obj, 4);
	p = find_bytes(p, end, op, sizeof(op));
	ck_assert_msg(p, "no Name (%s) in the device", obj);
	p += sizeof(op);
	ck_assert_uint_eq(*p++, 0x11);			/* Buffer */
	pkg = pkg_length(p, &n);
	ck_assert(p + pkg <= end);
	end = p + pkg;
	p += n;
	switch (*p) {					/* BufferSize */
	case 0x0a:
		*len = p[1];
		p += 2;
		break;
	case 0x0b:
		*len = p[1] | p[2] << 8;
		p += 3;
		break;
	default:
		ck_abort_msg("unexpected BufferSize encoding 0x%02x", *p);
	}
	ck_assert_ptr_eq(p + *len, end);
	return p;
}

/* One address space descriptor, or an IO descriptor (type 0xff). */
struct crs_entry {
	uint8_t tag;
	uint8_t type, general, specific;
	uint64_t gra, min, max, tra, len;
};

#define CRS_MAX	32

static uint64_t get_le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

/* Walks a resource template (ACPI 6.3, 6.4): every item, up to the end tag. */
static size_t parse_crs(const uint8_t *p, size_t len, struct crs_entry *e)
{
	const uint8_t *end = p + len;
	size_t nr = 0;

	while (p < end) {
		unsigned int width = 0;
		size_t item;

		ck_assert_uint_lt(nr, CRS_MAX);
		if (p[0] == 0x79) {				/* end tag */
			ck_assert_uint_eq(p[1], 0);
			ck_assert_ptr_eq(p + 2, end);
			return nr;
		}
		if (p[0] == 0x47) {				/* IO */
			ck_assert_uint_eq(p[1], 1);		/* Decode16 */
			e[nr++] = (struct crs_entry) {
				.tag = p[0], .type = 0xff, .min = get_le(p + 2, 2),
				.max = get_le(p + 4, 2), .gra = p[6], .len = p[7],
			};
			p += 8;
			continue;
		}
		ck_assert_msg(p[0] & 0x80, "unexpected small item 0x%02x", p[0]);
		item = 3 + get_le(p + 1, 2);
		switch (p[0]) {
		case 0x88:
			width = 2;
			break;
		case 0x87:
			width = 4;
			break;
		case 0x8a:
			width = 8;
			break;
		default:
			ck_abort_msg("unexpected large item 0x%02x", p[0]);
		}
		ck_assert_uint_eq(item, 6 + 5 * width);
		e[nr++] = (struct crs_entry) {
			.tag = p[0], .type = p[3], .general = p[4], .specific = p[5],
			.gra = get_le(p + 6, width),
			.min = get_le(p + 6 + width, width),
			.max = get_le(p + 6 + 2 * width, width),
			.tra = get_le(p + 6 + 3 * width, width),
			.len = get_le(p + 6 + 4 * width, width),
		};
		p += item;
	}
	ck_abort_msg("resource template without an end tag");
	return 0;
}

/* A producer window with fixed min and max, positive decode, no translation. */
static void check_window(const struct crs_entry *e, uint8_t type, uint64_t min,
			 uint64_t max)
{
	ck_assert_uint_eq(e->type, type);
	ck_assert_uint_eq(e->general, 0x0c);
	ck_assert_uint_eq(e->min, min);
	ck_assert_uint_eq(e->max, max);
	ck_assert_uint_eq(e->len, max - min + 1);
	ck_assert_uint_eq(e->gra, 0);
	ck_assert_uint_eq(e->tra, 0);
}

/*
 * Checks the MCFG, PCI0 and its _CRS against the plan: buses from the
 * ECAM size, the config ports, the port windows around them, then one
 * memory window per pci-mmio32 piece and pci-mmio64, in address order.
 */
static void check_pci(const struct tables *t, const struct vm_plan *plan)
{
	const struct plan_region *ecam = memplan_find(plan, "pci-ecam");
	const struct plan_region *mmio64 = memplan_find(plan, "pci-mmio64");
	struct crs_entry e[CRS_MAX];
	const uint8_t *dev, *end, *crs;
	size_t nr, crs_len, i, w = 4;
	unsigned int last_bus;

	ck_assert_ptr_nonnull(ecam);
	last_bus = ecam->size / MiB(1) - 1;

	/* MCFG: header, 8 reserved bytes, one 16-byte allocation. */
	ck_assert_ptr_nonnull(t->mcfg);
	ck_assert_uint_eq(t->nr_entries, 3);
	ck_assert_uint_eq(get_le32(t->mcfg + 4), 36 + 8 + 16);
	ck_assert_uint_eq(t->mcfg[8], 1);
	ck_assert_uint_eq(get64(t->mcfg + 36), 0);
	ck_assert_uint_eq(get64(t->mcfg + 44), ecam->start);
	ck_assert_uint_eq(get_le(t->mcfg + 52, 2), 0);		/* segment */
	ck_assert_uint_eq(t->mcfg[54], 0);			/* start bus */
	ck_assert_uint_eq(t->mcfg[55], last_bus);		/* end bus */
	ck_assert_uint_eq(get_le32(t->mcfg + 56), 0);

	dev = dsdt_device(t, "PCI0", &end);
	ck_assert_ptr_nonnull(dev);
	ck_assert_ptr_nonnull(find_bytes(dev, end, "\x08_HID\x0c\x41\xd0\x0a\x08", 10));
	ck_assert_ptr_nonnull(find_bytes(dev, end, "\x08_CID\x0c\x41\xd0\x0a\x03", 10));
	ck_assert_ptr_nonnull(find_bytes(dev, end, "\x08_SEG\x00", 6));
	ck_assert_ptr_nonnull(find_bytes(dev, end, "\x08_BBN\x00", 6));
	ck_assert_ptr_nonnull(find_bytes(dev, end, "\x08_UID\x00", 6));

	crs = name_buffer(dev, end, "_CRS", &crs_len);
	nr = parse_crs(crs, crs_len, e);
	ck_assert_uint_ge(nr, 4);
	check_window(&e[0], 2, 0, last_bus);
	ck_assert_uint_eq(e[0].tag, 0x88);
	ck_assert_uint_eq(e[1].type, 0xff);			/* IO 0xcf8, 8 ports */
	ck_assert_uint_eq(e[1].min, 0xcf8);
	ck_assert_uint_eq(e[1].max, 0xcf8);
	ck_assert_uint_eq(e[1].len, 8);
	check_window(&e[2], 1, 0, 0xcf7);
	ck_assert_uint_eq(e[2].specific, 3);			/* entire range */
	check_window(&e[3], 1, 0xd00, 0xffff);
	ck_assert_uint_eq(e[3].specific, 3);
	for (i = 0; i < plan->nr_regions; i++) {
		const struct plan_region *r = &plan->regions[i];

		if (r->kind != PLAN_MMIO_WINDOW || strncmp(r->name, "pci-mmio32", 10) ||
		    (r->name[10] && r->name[10] != '.'))
			continue;
		ck_assert_uint_lt(w, nr);
		ck_assert_uint_eq(e[w].tag, 0x87);		/* DWordMemory */
		check_window(&e[w], 0, r->start, r->start + r->size - 1);
		ck_assert_uint_eq(e[w].specific, 0x01);		/* read-write, non-cacheable */
		w++;
	}
	ck_assert_uint_gt(w, 4);
	if (mmio64) {
		ck_assert_uint_lt(w, nr);
		ck_assert_uint_eq(e[w].tag, 0x8a);		/* QWordMemory */
		check_window(&e[w], 0, mmio64->start, mmio64->start + mmio64->size - 1);
		ck_assert_uint_eq(e[w].specific, 0x01);
		w++;
	}
	ck_assert_uint_eq(w, nr);

	/* The ECAM reserved as a motherboard resource: Memory32Fixed (ReadWrite). */
	dev = dsdt_device(t, "MRES", &end);
	ck_assert_ptr_nonnull(dev);
	ck_assert_ptr_nonnull(find_bytes(dev, end, "\x08_HID\x0c\x41\xd0\x0c\x02", 10));
	crs = name_buffer(dev, end, "_CRS", &crs_len);
	ck_assert_uint_eq(crs_len, 12 + 2);
	ck_assert_uint_eq(crs[0], 0x86);
	ck_assert_uint_eq(get_le(crs + 1, 2), 9);
	ck_assert_uint_eq(crs[3], 1);
	ck_assert_uint_eq(get_le32(crs + 4), ecam->start);
	ck_assert_uint_eq(get_le32(crs + 8), ecam->size);
	ck_assert_uint_eq(crs[12], 0x79);
}

START_TEST(test_pci_hand_plan)
{
	struct acpi_layout l = layout(2);
	struct vm_plan plan;
	struct crs_entry e[CRS_MAX];
	const uint8_t *dev, *end, *crs;
	struct tables t;
	size_t crs_len;

	hand_plan(&plan);
	l.plan = &plan;
	build(&t, &l);
	check_pci(&t, &plan);
	/* Spelled out: three pieces of the 32-bit window, then the 64-bit one. */
	dev = dsdt_device(&t, "PCI0", &end);
	crs = name_buffer(dev, end, "_CRS", &crs_len);
	ck_assert_uint_eq(parse_crs(crs, crs_len, e), 8);
	ck_assert_uint_eq(e[4].min, 0xc1000000);
	ck_assert_uint_eq(e[4].max, 0xcfffffff);
	ck_assert_uint_eq(e[5].min, 0xd0100000);
	ck_assert_uint_eq(e[5].max, 0xdfffffff);
	ck_assert_uint_eq(e[6].min, 0xe0100000);
	ck_assert_uint_eq(e[6].max, 0xfebfffff);
	ck_assert_uint_eq(e[7].min, GiB(8));
	ck_assert_uint_eq(e[7].len, GiB(4));
	ck_assert_uint_eq(t.mcfg[55], 15);
	free(t.buf);
	memplan_free(&plan);
}
END_TEST

/*
 * The x86 planner's own plan, without host facts: the exact AML of PCI0
 * and MRES, as iasl 20200925 compiles
 *	Device (PCI0) { Name (_HID, EisaId ("PNP0A08"))
 *	  Name (_CID, EisaId ("PNP0A03")) Name (_SEG, Zero) Name (_BBN, Zero)
 *	  Name (_UID, Zero) Name (_CRS, ResourceTemplate () {
 *	    WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
 *			   0, 0, 0x0F, 0, 0x10)
 *	    IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08)
 *	    WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
 *		    0, 0, 0x0CF7, 0, 0x0CF8)
 *	    WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
 *		    0, 0x0D00, 0xFFFF, 0, 0xF300)
 *	    DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed,
 *		NonCacheable, ReadWrite, 0, 0xC1000000, 0xFEBFFFFF, 0, 0x3DC00000) }) }
 *	Device (MRES) { Name (_HID, EisaId ("PNP0C02"))
 *	  Name (_CRS, ResourceTemplate () {
 *	    Memory32Fixed (ReadWrite, 0xC0000000, 0x01000000) }) }
 */
START_TEST(test_pci_planner_exact)
{
	static const uint8_t want[] = {
		0x5b, 0x82, 0x4a, 0x08, 'P', 'C', 'I', '0',
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x08,
		0x08, '_', 'C', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03,
		0x08, '_', 'S', 'E', 'G', 0x00,
		0x08, '_', 'B', 'B', 'N', 0x00,
		0x08, '_', 'U', 'I', 'D', 0x00,
		0x08, '_', 'C', 'R', 'S', 0x11, 0x48, 0x05, 0x0a, 0x54,
		0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x0f, 0x00, 0x00, 0x00, 0x10, 0x00,
		0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08,
		0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x00,
		0xf7, 0x0c, 0x00, 0x00, 0xf8, 0x0c,
		0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x0d,
		0xff, 0xff, 0x00, 0x00, 0x00, 0xf3,
		0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0xc1, 0xff, 0xff, 0xbf, 0xfe,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x3d,
		0x79, 0x00,
		0x5b, 0x82, 0x26, 'M', 'R', 'E', 'S',
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0c, 0x02,
		0x08, '_', 'C', 'R', 'S', 0x11, 0x11, 0x0a, 0x0e,
		0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xc0,
		0x00, 0x00, 0x00, 0x01, 0x79, 0x00,
	};
	struct acpi_layout l = layout(1);
	const uint8_t *dsdt_end, *pci0;
	struct vm_plan plan;
	struct tables t;

	ck_assert_int_eq(plan_x86(&plan, 0, NULL), 0);
	ck_assert_ptr_null(memplan_find(&plan, "pci-mmio64"));
	l.plan = &plan;
	build(&t, &l);
	check_pci(&t, &plan);
	dsdt_end = t.dsdt + get_le32(t.dsdt + 4);
	pci0 = find_bytes(t.dsdt, dsdt_end, want, 8);
	ck_assert_ptr_nonnull(pci0);
	/* PCI0 and MRES close the \\_SB scope, which closes the DSDT. */
	ck_assert_ptr_eq(pci0 + sizeof(want), dsdt_end);
	for (size_t i = 0; i < sizeof(want); i++)
		ck_assert_msg(pci0[i] == want[i], "byte %zu: 0x%02x, want 0x%02x",
			      i, pci0[i], want[i]);
	free(t.buf);
	memplan_free(&plan);
}
END_TEST

/* A host peer BAR cuts the 32-bit window; devices have 64-bit BARs. */
START_TEST(test_pci_planner_cut_and_64bit)
{
	struct host_info hosts[] = { { .name = "hostA.txt" } };
	struct host_region regions[] = {
		{ 0xd0000000, 0xd00fffff, HOST_PEER_BAR, 0, "0000:03:00.1 BAR 0" },
	};
	struct host_facts facts = {
		.hosts = hosts, .nr_hosts = 1, .regions = regions, .nr_regions = 1,
	};
	struct acpi_layout l = layout(4);
	struct vm_plan plan;
	struct tables t;

	ck_assert_int_eq(plan_x86(&plan, GiB(16), &facts), 0);
	ck_assert_ptr_nonnull(memplan_find(&plan, "pci-mmio32.1"));
	ck_assert_ptr_nonnull(memplan_find(&plan, "pci-mmio64"));
	l.plan = &plan;
	build(&t, &l);
	check_pci(&t, &plan);
	free(t.buf);
	memplan_free(&plan);
}
END_TEST

/* A plan saved before PCI: no MCFG, no PCI0, the DSDT as it was. */
START_TEST(test_pci_absent)
{
	struct acpi_layout l = layout(2), bare = layout(2);
	struct vm_plan plan;
	struct tables t, t0;
	const uint8_t *end;

	memplan_init(&plan);
	add_region(&plan, 0, GiB(1), PLAN_RAM, "ram0");
	add_region(&plan, 0xc0000000, 0x3ec00000, PLAN_MMIO_WINDOW, "pci-mmio32");
	memplan_sort(&plan);
	l.plan = &plan;
	build(&t, &l);
	build(&t0, &bare);
	ck_assert_ptr_null(t.mcfg);
	ck_assert_uint_eq(t.nr_entries, 2);
	ck_assert_ptr_null(dsdt_device(&t, "PCI0", &end));
	ck_assert_ptr_null(dsdt_device(&t, "MRES", &end));
	ck_assert_int_eq(t.used, t0.used);
	ck_assert_int_eq(memcmp(t.buf, t0.buf, t.used), 0);
	free(t.buf);
	free(t0.buf);
	memplan_free(&plan);
}
END_TEST

/* ECAM that MCFG cannot describe is refused, not written wrong. */
START_TEST(test_pci_bad_ecam)
{
	static const struct { uint64_t start, size; } bad[] = {
		{ 0xc0000000, MiB(1) + 0x1000 },	/* not whole buses */
		{ 0xc0080000, MiB(16) },		/* not bus aligned */
		{ 0x80000000, MiB(512) },		/* more than 256 buses */
		{ GiB(64), MiB(16) },			/* above 4 GiB */
	};
	struct acpi_layout l = layout(1);
	uint8_t *buf = malloc(BUF_LEN);

	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vm_plan plan;

		memplan_init(&plan);
		add_region(&plan, bad[i].start, bad[i].size, PLAN_DEVICE, "pci-ecam");
		l.plan = &plan;
		ck_assert_int_eq(acpi_build(buf, BUF_LEN, GPA, &l), -EINVAL);
		memplan_free(&plan);
	}
	free(buf);
}
END_TEST

/* One bus and all 256: the bus range and MCFG end bus follow the ECAM size. */
START_TEST(test_pci_bus_range)
{
	static const uint64_t sizes[] = { MiB(1), MiB(256) };
	struct acpi_layout l = layout(1);

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct vm_plan plan;
		struct tables t;

		memplan_init(&plan);
		add_region(&plan, 0xb0000000, sizes[i], PLAN_DEVICE, "pci-ecam");
		add_region(&plan, 0xc0000000, MiB(512), PLAN_MMIO_WINDOW, "pci-mmio32");
		memplan_sort(&plan);
		l.plan = &plan;
		build(&t, &l);
		check_pci(&t, &plan);
		free(t.buf);
		memplan_free(&plan);
	}
}
END_TEST

static const unsigned int cpu_counts[] = { 1, 4, 254 };

START_TEST(test_madt)
{
	unsigned int nr = cpu_counts[_i];
	struct acpi_layout l = layout(nr);
	unsigned int lapics = 0, ioapics = 0;
	const uint8_t *p, *end;
	struct tables t;

	l.ioapic_addr = 0xfec01000;
	l.lapic_addr = 0xfee01000;
	build(&t, &l);
	ck_assert_uint_eq(get_le32(t.madt + 36), 0xfee01000);
	ck_assert_uint_eq(get_le32(t.madt + 40), 0);		/* no PC-AT 8259s */
	p = t.madt + 44;
	end = t.madt + get_le32(t.madt + 4);
	while (p < end) {
		ck_assert_uint_ge(p[1], 2);
		ck_assert(p + p[1] <= end);
		switch (p[0]) {
		case 0:
			ck_assert_uint_eq(p[1], 8);
			ck_assert_uint_eq(p[2], lapics);	/* processor UID */
			ck_assert_uint_eq(p[3], lapics);	/* APIC ID */
			ck_assert_uint_eq(get_le32(p + 4), 1);	/* enabled */
			lapics++;
			break;
		case 1:
			ck_assert_uint_eq(p[1], 12);
			ck_assert_uint_eq(p[2], nr);		/* after the CPUs */
			ck_assert_uint_eq(get_le32(p + 4), 0xfec01000);
			ck_assert_uint_eq(get_le32(p + 8), 0);	/* GSI base */
			ioapics++;
			break;
		case 4:
			ck_assert_uint_eq(p[1], 6);
			ck_assert_uint_eq(p[2], 0xff);
			ck_assert_uint_eq(p[5], 1);		/* LINT1 */
			break;
		default:
			ck_abort_msg("unexpected MADT entry type %u", p[0]);
		}
		p += p[1];
	}
	ck_assert_ptr_eq(p, end);
	ck_assert_uint_eq(lapics, nr);
	ck_assert_uint_eq(ioapics, 1);
	free(t.buf);
}
END_TEST

START_TEST(test_rejects)
{
	struct acpi_layout l = layout(0);
	uint8_t *buf = malloc(BUF_LEN);
	int used;

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(acpi_build(buf, BUF_LEN, GPA, &l), -EINVAL);
	l.nr_cpus = 255;
	ck_assert_int_eq(acpi_build(buf, BUF_LEN, GPA, &l), -EINVAL);

	l.nr_cpus = 8;
	used = acpi_build(buf, BUF_LEN, GPA, &l);
	ck_assert_int_gt(used, 0);
	ck_assert_int_eq(acpi_build(buf, 100, GPA, &l), -ENOSPC);
	ck_assert_int_eq(acpi_build(buf, 0, GPA, &l), -ENOSPC);
	/* Fewer bytes than it uses are refused. */
	ck_assert_int_eq(acpi_build(buf, used - 1, GPA, &l), -ENOSPC);
	free(buf);
}
END_TEST

START_TEST(test_writes_only_what_it_uses)
{
	struct acpi_layout l = layout(3);
	uint8_t *buf = malloc(BUF_LEN);
	struct vm_plan plan;
	size_t need;
	int used;

	ck_assert_ptr_nonnull(buf);
	hand_plan(&plan);
	if (_i)
		l.plan = &plan;
	used = acpi_build(buf, BUF_LEN, GPA, &l);
	ck_assert_int_gt(used, 0);
	/* Find the smallest buffer it accepts, then check the bytes after it. */
	for (need = used; acpi_build(buf, need, GPA, &l) == -ENOSPC; need++)
		ck_assert_uint_lt(need, BUF_LEN);
	memset(buf, 0xcc, BUF_LEN);
	ck_assert_int_eq(acpi_build(buf, need, GPA, &l), used);
	for (size_t i = need; i < need + 64; i++)
		ck_assert_uint_eq(buf[i], 0xcc);
	free(buf);
	memplan_free(&plan);
}
END_TEST

START_TEST(test_other_gpa)
{
	struct acpi_layout l = layout(2);
	uint8_t *buf = malloc(BUF_LEN);
	int used;

	ck_assert_ptr_nonnull(buf);
	used = acpi_build(buf, BUF_LEN, 0x123450000ULL, &l);
	ck_assert_int_gt(used, 0);
	/* Pointers are guest addresses, not buffer offsets. */
	ck_assert_uint_eq(get64(buf + 24) >> 16, 0x12345);
	free(buf);
}
END_TEST

/* An AML integer at *p (ZeroOp, OneOp, Byte/Word/DWordPrefix), advancing *p. */
static uint64_t aml_int(const uint8_t **p)
{
	const uint8_t *q = *p;

	switch (q[0]) {
	case 0x00:
	case 0x01:
		*p += 1;
		return q[0];
	case 0x0a:
		*p += 2;
		return q[1];
	case 0x0b:
		*p += 3;
		return q[1] | q[2] << 8;
	case 0x0c:
		*p += 5;
		return get_le32(q + 1);
	}
	ck_abort_msg("not an integer: opcode 0x%02x", q[0]);
	return 0;
}

/*
 * PCI0's _PRT, decoded back: Name (_PRT, Package (128) { Package (4) {
 * 0xSSSSFFFF, pin, Zero, GSI } ... }) for 32 slots x INTA-D, in order,
 * each GSI 16 + (slot + pin) % 8 (pin 0 = INTA); spot checks hand-made.
 */
START_TEST(test_pci_prt)
{
	static const struct { unsigned int slot, pin, gsi; } hand[] = {
		{ 0, 0, 16 }, { 1, 0, 17 }, { 2, 3, 21 }, { 5, 2, 23 },
		{ 6, 2, 16 }, { 8, 0, 16 }, { 31, 3, 18 },
	};
	struct acpi_layout l = layout(1);
	const uint8_t *dev, *end, *p, *pkg_end;
	uint64_t gsi_of[32][4];
	struct vm_plan plan;
	struct tables t;
	size_t n, len;

	hand_plan(&plan);
	l.plan = &plan;
	l.pci_intx_gsi = 16;
	l.pci_intx_lines = 8;
	build(&t, &l);
	dev = dsdt_device(&t, "PCI0", &end);
	ck_assert_ptr_nonnull(dev);
	p = find_bytes(dev, end, "\x08_PRT\x12", 6);
	ck_assert_ptr_nonnull(p);
	p += 6;
	len = pkg_length(p, &n);
	pkg_end = p + len;
	ck_assert(pkg_end <= end);
	p += n;
	ck_assert_uint_eq(*p++, 128);
	for (unsigned int i = 0; i < 128; i++) {
		const uint8_t *entry_end;
		uint64_t addr, pin;

		ck_assert_uint_eq(*p++, 0x12);		/* Package */
		len = pkg_length(p, &n);
		entry_end = p + len;
		p += n;
		ck_assert_uint_eq(*p++, 4);
		addr = aml_int(&p);
		pin = aml_int(&p);
		ck_assert_uint_eq(addr, (uint64_t)(i / 4) << 16 | 0xffff);
		ck_assert_uint_eq(pin, i % 4);
		ck_assert_uint_eq(aml_int(&p), 0);	/* no link device */
		gsi_of[i / 4][i % 4] = aml_int(&p);
		ck_assert_uint_eq(gsi_of[i / 4][i % 4], 16 + (i / 4 + i % 4) % 8);
		ck_assert_ptr_eq(p, entry_end);
	}
	ck_assert_ptr_eq(p, pkg_end);
	for (size_t i = 0; i < sizeof(hand) / sizeof(hand[0]); i++)
		ck_assert_uint_eq(gsi_of[hand[i].slot][hand[i].pin], hand[i].gsi);
	free(t.buf);

	/* No lines: no _PRT. */
	l.pci_intx_lines = 0;
	build(&t, &l);
	dev = dsdt_device(&t, "PCI0", &end);
	ck_assert_ptr_null(find_bytes(dev, end, "_PRT", 4));
	free(t.buf);
	memplan_free(&plan);
}
END_TEST

Suite *acpi_suite(void)
{
	Suite *s = suite_create("acpi");
	TCase *tc = tcase_create("build");

	tcase_add_test(tc, test_rsdp);
	tcase_add_test(tc, test_xsdt);
	tcase_add_test(tc, test_fadt);
	tcase_add_test(tc, test_dsdt_s5);
	tcase_add_loop_test(tc, test_madt, 0,
			    sizeof(cpu_counts) / sizeof(cpu_counts[0]));
	tcase_add_test(tc, test_rejects);
	tcase_add_loop_test(tc, test_writes_only_what_it_uses, 0, 2);
	tcase_add_test(tc, test_other_gpa);
	tcase_add_test(tc, test_pci_hand_plan);
	tcase_add_test(tc, test_pci_planner_exact);
	tcase_add_test(tc, test_pci_planner_cut_and_64bit);
	tcase_add_test(tc, test_pci_absent);
	tcase_add_test(tc, test_pci_bad_ecam);
	tcase_add_test(tc, test_pci_bus_range);
	tcase_add_test(tc, test_pci_prt);
	suite_add_tcase(s, tc);
	return s;
}
