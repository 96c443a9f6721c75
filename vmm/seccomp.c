// SPDX-License-Identifier: GPL-2.0
/*
 * Once the machine is built, shapevm only moves bytes between the guest,
 * KVM and descriptors it already holds. The filter allows that and nothing
 * else: no open, no exec, no socket. A forbidden call raises SIGSYS, whose
 * handler names the syscall so a missing entry is easy to find.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "vmm/exitcode.h"
#include "vmm/log.h"
#include "vmm/seccomp.h"
#include "vmm/util.h"

/* seccomp_bpf[]: vmm/seccomp_policy.h compiled by vmm/gen/seccomp_gen.c. */
#include "seccomp_bpf.h"

static void seccomp_violation(int sig, siginfo_t *info, void *context)
{
	char msg[96];
	int len;

	(void)sig;
	(void)context;
	/* Only async-signal-safe calls here. */
	len = snprintf(msg, sizeof(msg),
		       "shapevm: seccomp: forbidden system call %d; stopping\n",
		       info->si_syscall);
	if (write(STDERR_FILENO, msg, len) < 0)
		_exit(EXIT_VMM_ERROR);
	_exit(EXIT_VMM_ERROR);
}

/* Needs PR_SET_NO_NEW_PRIVS set before (privilege_drop does). */
int seccomp_install(void)
{
	struct sigaction sa = {
		.sa_sigaction = seccomp_violation,
		.sa_flags = SA_SIGINFO,
	};
	struct sock_fprog prog = {
		.len = ARRAY_SIZE(seccomp_bpf),
		.filter = (struct sock_filter *)seccomp_bpf,
	};

#if defined(__SANITIZE_ADDRESS__)
	/* The sanitizers' runtimes (leak checking at exit) need far more. */
	log_debug("seccomp: not installed in a sanitizer build");
	(void)sa;
	(void)prog;
	return 0;
#else
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return -errno;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		log_error("seccomp: cannot load the filter: %s", strerror(errno));
		return -errno;
	}
	return 0;
#endif
}
