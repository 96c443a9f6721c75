// SPDX-License-Identifier: GPL-2.0
/* vmm/hostres: placeholder until the module lands. */
#include "tests/unit/suites.h"

Suite *hostres_suite(void)
{
	return suite_create("hostres");
}
