// SPDX-License-Identifier: GPL-2.0
/*
 * Once the machine is built, shapevm only moves bytes between the guest,
 * KVM and descriptors it already holds. The filter allows that and nothing
 * else: no open, no exec, no socket. A forbidden call raises SIGSYS, whose
 * handler names the syscall so a missing entry is easy to find.
 */
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmm/exitcode.h"
#include "vmm/log.h"
#include "vmm/seccomp.h"
#include "vmm/util.h"

static const char *const allowed_syscalls[] = {
	/* device and console I/O */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv",
	"pwritev", "lseek", "ioctl", "close", "fsync", "fdatasync", "fstat",
	"newfstatat", "fallocate",
	/* the event loop */
	"epoll_wait", "epoll_pwait", "epoll_ctl", "ppoll", "poll",
	/* memory */
	"mmap", "munmap", "mprotect", "madvise", "brk", "mremap",
	/* threads, signals, time */
	"futex", "clone", "clone3", "set_robust_list", "rseq", "exit", "exit_group",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "tgkill",
	"tkill", "getpid", "gettid", "sched_yield", "sched_getaffinity", "prctl",
	"nanosleep", "clock_nanosleep", "clock_gettime", "gettimeofday",
	"restart_syscall", "getrandom",
};

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

int seccomp_install(void)
{
	struct sigaction sa = {
		.sa_sigaction = seccomp_violation,
		.sa_flags = SA_SIGINFO,
	};
	scmp_filter_ctx ctx;
	int ret = 0;

#if defined(__SANITIZE_ADDRESS__)
	/* The sanitizers' runtimes (leak checking at exit) need far more. */
	log_debug("seccomp: not installed in a sanitizer build");
	return 0;
#endif
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return -errno;
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx) {
		log_error("seccomp_init failed");
		return -ENOMEM;
	}
	for (size_t i = 0; i < ARRAY_SIZE(allowed_syscalls); i++) {
		int nr = seccomp_syscall_resolve_name(allowed_syscalls[i]);

		/* Not every architecture has every call (epoll_wait on arm64). */
		if (nr == __NR_SCMP_ERROR)
			continue;
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (ret) {
			log_error("seccomp: cannot allow %s: %s",
				  allowed_syscalls[i], strerror(-ret));
			goto out;
		}
	}
	ret = seccomp_load(ctx);
	if (ret)
		log_error("seccomp: cannot load the filter: %s", strerror(-ret));
out:
	seccomp_release(ctx);
	return ret;
}
