/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arm64 guest's default platform layout (the planner moves the MSI
 * frame onto the host's msi window in the arm64 issue).
 *
 *  0x0000_0000 +-----------------------------+
 *              | reserved (no flash)         |
 *  0x0800_0000 | GIC distributor             |
 *  0x0808_0000 | GIC ITS / v2m MSI frame     |
 *  0x080a_0000 | GIC redistributors          |
 *  0x0900_0000 | UART (16550)                |
 *  0x1000_0000 | 32-bit PCI window           |
 *  0x3f00_0000 | PCI ECAM                    |
 *  0x4000_0000 +-----------------------------+
 *              | RAM                         |
 *              +-----------------------------+
 */
#ifndef SHAPEVM_ARM64_LAYOUT_H
#define SHAPEVM_ARM64_LAYOUT_H

#define ARM64_GIC_DIST_ADDR	0x08000000ULL
#define ARM64_GIC_DIST_SIZE	0x10000ULL
#define ARM64_GIC_ITS_ADDR	0x08080000ULL
#define ARM64_GIC_ITS_SIZE	0x20000ULL
#define ARM64_GIC_REDIST_ADDR	0x080a0000ULL
#define ARM64_GIC_REDIST_SIZE	0x00f60000ULL	/* 123 vCPUs of 128 KiB */
#define ARM64_UART_ADDR		0x09000000ULL
#define ARM64_PCI_MMIO_ADDR	0x10000000ULL
#define ARM64_PCI_MMIO_SIZE	0x2f000000ULL
#define ARM64_PCI_ECAM_ADDR	0x3f000000ULL
#define ARM64_PCI_ECAM_SIZE	0x01000000ULL
#define ARM64_RAM_BASE		0x40000000ULL
#define ARM64_DEFAULT_IPA_BITS	40

#endif
