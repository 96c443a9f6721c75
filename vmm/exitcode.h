/* SPDX-License-Identifier: GPL-2.0 */
/* shapevm's exit statuses; docs/contracts.md and the man page list them. */
#ifndef SHAPEVM_EXITCODE_H
#define SHAPEVM_EXITCODE_H

enum shapevm_exit {
	EXIT_GUEST_POWEROFF	= 0,
	EXIT_VMM_ERROR		= 1,
	EXIT_USAGE		= 2,
	EXIT_GUEST_RESET	= 3,
	EXIT_GUEST_CRASH	= 4,
	EXIT_SIGNAL_BASE	= 128,	/* + signal number */
};

#endif
