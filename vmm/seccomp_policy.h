/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The system calls a running VM makes: it only moves bytes between the
 * guest, KVM and descriptors it already holds. No open, no exec, no socket.
 * One list, turned into BPF at build time (vmm/gen/seccomp_gen.c).
 */
#ifndef SHAPEVM_SECCOMP_POLICY_H
#define SHAPEVM_SECCOMP_POLICY_H

#define SECCOMP_ALLOWED_SYSCALLS					\
	/* device and console I/O */					\
	"read", "write", "readv", "writev", "pread64", "pwrite64",	\
	"preadv", "pwritev", "lseek", "ioctl", "close", "fsync",	\
	"fdatasync", "fstat", "newfstatat", "fallocate",		\
	/* the event loop */						\
	"epoll_wait", "epoll_pwait", "epoll_ctl", "ppoll", "poll",	\
	/* memory */							\
	"mmap", "munmap", "mprotect", "madvise", "brk", "mremap",	\
	/* threads, signals, time */					\
	"futex", "clone", "clone3", "set_robust_list", "rseq", "exit",	\
	"exit_group", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn",	\
	"sigaltstack", "tgkill", "tkill", "getpid", "gettid",		\
	"sched_yield", "sched_getaffinity", "prctl", "nanosleep",	\
	"clock_nanosleep", "clock_gettime", "gettimeofday",		\
	"restart_syscall", "getrandom"

#endif
