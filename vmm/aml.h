/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small AML encoder for the DSDT: scopes, devices, names with integers,
 * strings, EISA IDs, buffers and packages, and the resource descriptors a
 * _CRS holds (ACPI 6.3, 6.4). Lengths are back-patched when a block ends.
 * Pure; an overflow or a bad argument is remembered and reported by
 * aml_finish.
 */
#ifndef SHAPEVM_AML_H
#define SHAPEVM_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH	8

struct aml {
	uint8_t *buf;
	size_t len;
	size_t cap;
	bool overflow;
	bool invalid;
	size_t open[AML_MAX_DEPTH];	/* where each open block's length goes */
	bool open_buffer[AML_MAX_DEPTH];	/* a Buffer: its size goes there too */
	int depth;
};

void aml_init(struct aml *aml, uint8_t *buf, size_t cap);
/* Returns the bytes written, or -ENOSPC / -EINVAL for misuse. */
int aml_finish(struct aml *aml);

/* Paths: "\\_SB_", "PCI0", "\\_SB_.PCI0"; short segments pad with '_'. */
void aml_scope_begin(struct aml *aml, const char *path);
void aml_device_begin(struct aml *aml, const char *name);
void aml_package_begin(struct aml *aml, uint8_t elements);
/* Buffer () whose BufferSize is what lies between here and aml_end. */
void aml_buffer_begin(struct aml *aml);
void aml_end(struct aml *aml);

void aml_integer(struct aml *aml, uint64_t value);
void aml_string(struct aml *aml, const char *str);
void aml_name_integer(struct aml *aml, const char *name, uint64_t value);
void aml_name_string(struct aml *aml, const char *name, const char *str);
void aml_name_eisaid(struct aml *aml, const char *name, const char *id);
void aml_name_buffer(struct aml *aml, const char *name, const uint8_t *data,
		     size_t len);
void aml_name_begin(struct aml *aml, const char *name);

/*
 * Resource descriptors (ACPI 6.3, 6.4.2 and 6.4.3), written into an open
 * buffer: Name (_CRS, ResourceTemplate () { ... }) is
 *	aml_name_begin(aml, "_CRS"); aml_buffer_begin(aml);
 *	aml_res_...(aml, ...); aml_res_end(aml); aml_end(aml);
 */
/* IO (Decode16, base, base, 1, len): a fixed range of ports. */
void aml_res_io(struct aml *aml, uint16_t base, uint8_t len);
/* IRQNoFlags () {irq}: edge triggered, active high, exclusive. */
void aml_res_irq(struct aml *aml, unsigned int irq);
/* Memory32Fixed (ReadWrite or ReadOnly, base, len). */
void aml_res_memory32_fixed(struct aml *aml, uint32_t base, uint32_t len,
			    bool read_write);

/*
 * Address space descriptors for what a bridge passes on to its children
 * (ResourceProducer, PosDecode, MinFixed, MaxFixed): [min, max] inclusive,
 * _LEN = max - min + 1, _GRA 0 as a fixed window needs, _TRA 0 (the CPU
 * and the bus see the same addresses).
 */
/* WordBusNumber: the bus numbers below the bridge. */
void aml_res_word_bus(struct aml *aml, uint16_t min, uint16_t max);
/* WordIO, EntireRange: a port window. */
void aml_res_word_io(struct aml *aml, uint16_t min, uint16_t max);

/* Memory type-specific flags (_RW and _MEM), for DWord/QWordMemory. */
#define AML_MEM_READ_WRITE	0x01
#define AML_MEM_NON_CACHEABLE	(0 << 1)
#define AML_MEM_CACHEABLE	(1 << 1)
#define AML_MEM_WRITE_COMBINING	(2 << 1)
#define AML_MEM_PREFETCHABLE	(3 << 1)

/* DWordMemory: a memory window below 4 GiB. */
void aml_res_dword_memory(struct aml *aml, uint32_t min, uint32_t max,
			  unsigned int mem_flags);
/* QWordMemory: a memory window anywhere. */
void aml_res_qword_memory(struct aml *aml, uint64_t min, uint64_t max,
			  unsigned int mem_flags);
/* The end tag that closes a resource template. */
void aml_res_end(struct aml *aml);

#endif
