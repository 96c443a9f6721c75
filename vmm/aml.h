/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small AML encoder for the DSDT: scopes, devices, names with integers,
 * EISA IDs, buffers and packages. Lengths are back-patched when a block
 * ends. Pure; an overflow is remembered and reported by aml_finish.
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
	size_t open[AML_MAX_DEPTH];	/* where each open block's length goes */
	int depth;
};

void aml_init(struct aml *aml, uint8_t *buf, size_t cap);
/* Returns the bytes written, or -ENOSPC / -EINVAL for misuse. */
int aml_finish(struct aml *aml);

void aml_scope_begin(struct aml *aml, const char *path);
void aml_device_begin(struct aml *aml, const char *name);
void aml_package_begin(struct aml *aml, uint8_t elements);
void aml_end(struct aml *aml);

void aml_integer(struct aml *aml, uint64_t value);
void aml_name_integer(struct aml *aml, const char *name, uint64_t value);
void aml_name_eisaid(struct aml *aml, const char *name, const char *id);
void aml_name_buffer(struct aml *aml, const char *name, const uint8_t *data,
		     size_t len);
void aml_name_begin(struct aml *aml, const char *name);

/* Resource descriptors for a _CRS buffer (ACPI 6.3, 6.4.2). */
size_t aml_res_io(uint8_t *p, uint16_t base, uint8_t len);
size_t aml_res_irq(uint8_t *p, unsigned int irq);
size_t aml_res_end(uint8_t *p);

#endif
