// SPDX-License-Identifier: GPL-2.0
/* devices/pci: placeholder until the module lands. */
#include "tests/unit/suites.h"

Suite *pci_suite(void)
{
	return suite_create("pci");
}
