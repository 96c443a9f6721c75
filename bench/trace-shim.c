// SPDX-License-Identifier: GPL-2.0
/*
 * trace-shim.so: where a dynamically linked shapevm spends its setup time,
 * without strace's cost per system call (a ptrace stop each, which would
 * swamp the microsecond steps being measured).
 *
 *   BENCH_T0_NS=<CLOCK_MONOTONIC ns at spawn> LD_PRELOAD=trace-shim.so shapevm ...
 *
 * (launch sets BENCH_T0_NS.)  Interposes the calls shapevm makes through
 * the PLT: ioctl, open, close (named after what the descriptor is), mmap, munmap, madvise, pthread_create, the
 * first write to stdout, and the libseccomp and libcap-ng entry points.  At
 * exit it writes one line per call to stderr:
 *
 *   trace <start us since spawn> <duration us> <name>
 *
 * and "trace <us> 0 ctor" (the libraries are loaded and relocated) and
 * "trace <us> 0 exit" (the last thing before exit_group).  Events stay in a
 * fixed array until then: nothing here allocates, and nothing but write is
 * called once seccomp is on.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS	1024

struct event {
	int64_t start, end;
	const char *name;
	unsigned long request;	/* ioctl with no name in the table */
};

static struct event events[MAX_EVENTS];

/* What each descriptor is, so that a close can say which one it was. */
#define MAX_FDS		1024
static const char *fd_kind[MAX_FDS];

static void remember_fd(int fd, const char *kind)
{
	if (fd >= 0 && fd < MAX_FDS)
		fd_kind[fd] = kind;
}
static atomic_int nr_events;
static int64_t t0;
/* Resolved early: dlsym at exit might allocate with seccomp on. */
static ssize_t (*report_write)(int, const void *, size_t);

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void record(int64_t start, const char *name, unsigned long request)
{
	int i = atomic_fetch_add(&nr_events, 1);

	if (i < MAX_EVENTS)
		events[i] = (struct event) { start, now_ns(), name, request };
}

/* The real function behind an interposed one, looked up once. */
#define REAL(ret, name, ...)						\
	static ret (*real_##name)(__VA_ARGS__);				\
	if (!real_##name)						\
		real_##name = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

static const char *ioctl_name(unsigned long request)
{
	switch (request) {
#define N(r) case r: return "ioctl " #r
	N(KVM_GET_API_VERSION); N(KVM_GET_VCPU_MMAP_SIZE);
	N(KVM_CHECK_EXTENSION); N(KVM_GET_SUPPORTED_CPUID);
	N(KVM_CREATE_VM); N(KVM_SET_TSS_ADDR); N(KVM_SET_IDENTITY_MAP_ADDR);
	N(KVM_CREATE_IRQCHIP); N(KVM_CREATE_PIT2);
	N(KVM_SET_USER_MEMORY_REGION); N(KVM_CREATE_VCPU);
	N(KVM_SET_CPUID2); N(KVM_SET_MSRS); N(KVM_GET_MSRS); N(KVM_SET_FPU);
	N(KVM_GET_LAPIC); N(KVM_SET_LAPIC); N(KVM_GET_SREGS);
	N(KVM_SET_SREGS); N(KVM_GET_REGS); N(KVM_SET_REGS); N(KVM_RUN);
	N(KVM_SET_GSI_ROUTING); N(KVM_IRQFD); N(KVM_IOEVENTFD);
	N(KVM_IRQ_LINE); N(KVM_IRQ_LINE_STATUS); N(KVM_SIGNAL_MSI);
	N(KVM_GET_MSR_INDEX_LIST); N(KVM_GET_MSR_FEATURE_INDEX_LIST);
	N(KVM_SET_TSC_KHZ); N(KVM_GET_TSC_KHZ); N(KVM_ENABLE_CAP);
	N(KVM_SET_CLOCK); N(KVM_SET_BOOT_CPU_ID); N(KVM_SET_MP_STATE);
	N(KVM_GET_MP_STATE); N(KVM_SET_XCRS); N(KVM_SET_XSAVE);
	N(KVM_GET_XSAVE); N(KVM_SET_VCPU_EVENTS); N(KVM_GET_VCPU_EVENTS);
	N(TCGETS);
#undef N
	default: return NULL;
	}
}

int ioctl(int fd, unsigned long request, ...)
{
	int64_t start;
	va_list ap;
	void *arg;
	int ret;

	REAL(int, ioctl, int, unsigned long, void *);
	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	start = now_ns();
	ret = real_ioctl(fd, request, arg);
	record(start, ioctl_name(request), request);
	if (request == KVM_CREATE_VM)
		remember_fd(ret, "close VM fd");
	else if (request == KVM_CREATE_VCPU)
		remember_fd(ret, "close vCPU fd");
	return ret;
}

/* open(path, flags[, mode]): the mode is read only when there is one. */
int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	int64_t start;
	va_list ap;
	int ret;

	REAL(int, open, const char *, int, mode_t);
	va_start(ap, flags);
	if (flags & (O_CREAT | __O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	start = now_ns();
	ret = real_open(path, flags, mode);
	record(start, !strcmp(path, "/dev/kvm") ? "open /dev/kvm" :
		      !strcmp(path, "/dev/null") ? "open /dev/null" : "open (other)", 0);
	remember_fd(ret, !strcmp(path, "/dev/kvm") ? "close /dev/kvm" : NULL);
	return ret;
}

int close(int fd)
{
	const char *kind = fd >= 0 && fd < MAX_FDS ? fd_kind[fd] : NULL;
	int64_t start = now_ns();
	int ret;

	REAL(int, close, int);
	ret = real_close(fd);
	record(start, kind ? kind : "close (other)", 0);
	remember_fd(fd, NULL);
	return ret;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	int64_t start = now_ns();
	void *ret;

	REAL(void *, mmap, void *, size_t, int, int, int, off_t);
	ret = real_mmap(addr, len, prot, flags, fd, off);
	record(start, "mmap", 0);
	return ret;
}

int munmap(void *addr, size_t len)
{
	int64_t start = now_ns();
	int ret;

	REAL(int, munmap, void *, size_t);
	ret = real_munmap(addr, len);
	record(start, "munmap", 0);
	return ret;
}

int madvise(void *addr, size_t len, int advice)
{
	int64_t start = now_ns();
	int ret;

	REAL(int, madvise, void *, size_t, int);
	ret = real_madvise(addr, len, advice);
	record(start, "madvise", 0);
	return ret;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	static atomic_int stdout_writes;
	int64_t start = now_ns();
	ssize_t ret;

	REAL(ssize_t, write, int, const void *, size_t);
	ret = real_write(fd, buf, len);
	if (fd == 1 && atomic_fetch_add(&stdout_writes, 1) == 0)
		record(start, "write stdout (first)", 0);
	return ret;
}

struct thread_start {
	void *(*fn)(void *);
	void *arg;
};

/* One vCPU thread at a time in shapevm's start loop; enough room for 8. */
static struct thread_start thread_starts[8];
static atomic_int nr_thread_starts;

static void *thread_trampoline(void *opaque)
{
	struct thread_start *ts = opaque;

	record(now_ns(), "thread running", 0);
	return ts->fn(ts->arg);
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		   void *(*fn)(void *), void *arg)
{
	int i = atomic_fetch_add(&nr_thread_starts, 1);
	int64_t start = now_ns();
	int ret;

	REAL(int, pthread_create, pthread_t *, const pthread_attr_t *,
	     void *(*)(void *), void *);
	if (i >= 8)
		return real_pthread_create(thread, attr, fn, arg);
	thread_starts[i] = (struct thread_start) { fn, arg };
	ret = real_pthread_create(thread, attr, thread_trampoline, &thread_starts[i]);
	record(start, "pthread_create", 0);
	return ret;
}

/* libseccomp and libcap-ng, by their own prototypes, without their headers. */
void *seccomp_init(uint32_t def_action);
int seccomp_rule_add(void *ctx, uint32_t action, int syscall, unsigned int arg_cnt, ...);
int seccomp_syscall_resolve_name(const char *name);
int seccomp_load(void *ctx);
void seccomp_release(void *ctx);
int capng_apply(int set);
void capng_clear(int set);

void *seccomp_init(uint32_t def_action)
{
	int64_t start = now_ns();
	void *ret;

	REAL(void *, seccomp_init, uint32_t);
	ret = real_seccomp_init(def_action);
	record(start, "seccomp_init", 0);
	return ret;
}

/* shapevm passes no argument filters: arg_cnt is 0. */
int seccomp_rule_add(void *ctx, uint32_t action, int syscall, unsigned int arg_cnt, ...)
{
	int64_t start = now_ns();
	int ret;

	REAL(int, seccomp_rule_add, void *, uint32_t, int, unsigned int);
	ret = arg_cnt ? -22 : real_seccomp_rule_add(ctx, action, syscall, 0);
	record(start, "seccomp_rule_add", 0);
	return ret;
}

int seccomp_syscall_resolve_name(const char *name)
{
	int64_t start = now_ns();
	int ret;

	REAL(int, seccomp_syscall_resolve_name, const char *);
	ret = real_seccomp_syscall_resolve_name(name);
	record(start, "seccomp_syscall_resolve_name", 0);
	return ret;
}

int seccomp_load(void *ctx)
{
	int64_t start = now_ns();
	int ret;

	REAL(int, seccomp_load, void *);
	ret = real_seccomp_load(ctx);
	record(start, "seccomp_load", 0);
	return ret;
}

void seccomp_release(void *ctx)
{
	int64_t start = now_ns();

	REAL(void, seccomp_release, void *);
	real_seccomp_release(ctx);
	record(start, "seccomp_release", 0);
}

void capng_clear(int set)
{
	int64_t start = now_ns();

	REAL(void, capng_clear, int);
	real_capng_clear(set);
	record(start, "capng_clear", 0);
}

int capng_apply(int set)
{
	int64_t start = now_ns();
	int ret;

	REAL(int, capng_apply, int);
	ret = real_capng_apply(set);
	record(start, "capng_apply", 0);
	return ret;
}

__attribute__((constructor)) static void shim_start(void)
{
	const char *env = getenv("BENCH_T0_NS");

	t0 = env ? strtoll(env, NULL, 10) : now_ns();
	report_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	record(now_ns(), "ctor", 0);
}

__attribute__((destructor)) static void shim_report(void)
{
	int n = atomic_load(&nr_events);
	char line[160];

	record(now_ns(), "exit", 0);
	n++;
	if (n > MAX_EVENTS)
		n = MAX_EVENTS;
	for (int i = 0; i < n; i++) {
		const struct event *e = &events[i];
		char unnamed[48];
		const char *name = e->name;
		int len;

		if (!name) {
			snprintf(unnamed, sizeof(unnamed), "ioctl 0x%lx", e->request);
			name = unnamed;
		}
		len = snprintf(line, sizeof(line), "trace %.1f %.1f %s\n",
			       (e->start - t0) / 1e3, (e->end - e->start) / 1e3, name);
		if (report_write(2, line, len) < 0)
			return;
	}
}
