// SPDX-License-Identifier: GPL-2.0
/* vmm/planjson: placeholder until the module lands. */
#include "tests/unit/suites.h"

Suite *planjson_suite(void)
{
	return suite_create("planjson");
}
