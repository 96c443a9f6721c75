// SPDX-License-Identifier: GPL-2.0
/* devices/pci_host: placeholder until the module lands. */
#include "tests/unit/suites.h"

Suite *pci_host_suite(void)
{
	return suite_create("pci_host");
}
