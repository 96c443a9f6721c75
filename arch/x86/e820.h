/* SPDX-License-Identifier: GPL-2.0 */
/* The plan as an e820 map for the zero page. Pure. */
#ifndef SHAPEVM_X86_E820_H
#define SHAPEVM_X86_E820_H

#include <asm/bootparam.h>

#include "vmm/memplan.h"
#include "vmm/util.h"

#define E820_TYPE_RAM		1
#define E820_TYPE_RESERVED	2

int e820_from_plan(const struct vm_plan *plan, struct boot_e820_entry *table,
		   unsigned int max);
int e820_write_boot(const struct vm_plan *plan, struct boot_params *bp,
		    struct setup_data *ext, size_t ext_size);

#endif
