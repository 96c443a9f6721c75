// SPDX-License-Identifier: GPL-2.0
/* devices/virtq: placeholder until the module lands. */
#include "tests/unit/suites.h"

Suite *virtq_suite(void)
{
	return suite_create("virtq");
}
