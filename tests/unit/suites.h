/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One Check suite per module under test; main.c runs them all in one
 * SRunner. Tests named test_bug_* show a bug in the code under test: they
 * fail until the code is fixed.
 */
#ifndef SHAPEVM_TESTS_UNIT_SUITES_H
#define SHAPEVM_TESTS_UNIT_SUITES_H

#include <check.h>

Suite *config_suite(void);
Suite *memplan_suite(void);
Suite *e820_suite(void);
Suite *bzimage_suite(void);
Suite *mptable_suite(void);
Suite *acpi_suite(void);
Suite *serial8250_suite(void);
Suite *bus_suite(void);
Suite *irq_suite(void);
Suite *console_suite(void);
Suite *platform_suite(void);
Suite *cpu_suite(void);
Suite *aml_suite(void);
Suite *rtc_suite(void);
Suite *hostres_suite(void);
Suite *planjson_suite(void);
Suite *memplan_rules_suite(void);
Suite *memplan_prop_suite(void);
Suite *virtq_suite(void);
Suite *pci_suite(void);
Suite *pci_host_suite(void);
Suite *virtio_blk_suite(void);
Suite *virtio_pci_suite(void);
Suite *arm64_image_suite(void);
Suite *arm64_fdt_suite(void);
Suite *gicv2m_suite(void);
Suite *vfio_group_suite(void);
Suite *vfio_dma_suite(void);
Suite *vfio_pci_config_suite(void);
Suite *vfio_passthrough_suite(void);

#endif
