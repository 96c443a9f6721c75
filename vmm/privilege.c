// SPDX-License-Identifier: GPL-2.0
#include <cap-ng.h>
#include <errno.h>
#include <sys/prctl.h>

#include "vmm/log.h"
#include "vmm/privilege.h"
#include "vmm/seccomp.h"

/*
 * Every descriptor the VM needs is open by now, so no capability is needed
 * any more: a compromised VMM keeps none of root's powers, no exec can gain
 * new ones, and the syscall filter keeps it to the calls a running VM makes.
 */
int privilege_drop(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_error("prctl(PR_SET_NO_NEW_PRIVS): %m");
		return -errno;
	}
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(CAPNG_SELECT_BOTH) < 0) {
		log_error("cannot drop capabilities (libcap-ng)");
		return -EPERM;
	}
	return seccomp_install();
}
