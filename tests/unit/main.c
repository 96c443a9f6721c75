// SPDX-License-Identifier: GPL-2.0
/*
 * The unit test runner: every module's suite in one SRunner. Check's own
 * environment variables select parts (CK_RUN_SUITE=bus, CK_RUN_CASE=...)
 * and CK_FORK=no runs the tests in this process, for a debugger.
 */
#include <stdlib.h>

#include "tests/unit/suites.h"

int main(void)
{
	Suite *(*const suites[])(void) = {
		config_suite, memplan_suite, e820_suite, bzimage_suite,
		mptable_suite, acpi_suite, serial8250_suite, bus_suite,
		irq_suite, console_suite, platform_suite, cpu_suite,
		aml_suite, rtc_suite, hostres_suite, planjson_suite,
		memplan_rules_suite, memplan_prop_suite, virtq_suite,
		pci_suite, pci_host_suite, virtio_blk_suite, virtio_pci_suite,
		arm64_image_suite, arm64_fdt_suite, gicv2m_suite,
		vfio_group_suite, vfio_dma_suite, vfio_pci_config_suite,
		vfio_passthrough_suite,
	};
	SRunner *runner = srunner_create(NULL);
	int failed;

	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(runner, suites[i]());
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
