/* SPDX-License-Identifier: GPL-2.0 */
/* x86 vCPU model: CPUID from KVM with our topology, MSRs, boot registers. */
#ifndef SHAPEVM_X86_CPU_H
#define SHAPEVM_X86_CPU_H

#include <linux/kvm.h>
#include <stdint.h>

unsigned int x86_cpu_phys_bits(int kvm_fd);
struct kvm_cpuid2 *x86_cpuid_supported(int kvm_fd);
/* Pure: rewrites the topology leaves for vCPU apic_id of nr_cpus. */
int x86_cpuid_set_topology(struct kvm_cpuid2 *cpuid, unsigned int capacity,
			   unsigned int apic_id, unsigned int nr_cpus);
/* Pure: the boot page tables at X86_PML4_ADDR, identity-mapping 4 GiB. */
void x86_build_page_tables(uint8_t *low_mem);
uint64_t x86_gdt_entry(uint16_t flags, uint32_t base, uint32_t limit);

#endif
