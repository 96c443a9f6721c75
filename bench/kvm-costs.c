// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-costs: time each KVM step of a minimal boot, in the order shapevm
 * takes them, so boot-micro can say where a VMM's time goes.
 *
 *   kvm-costs [-i|-s] [-p|-r] [-H] [-2] [-c] [-S] [-d US] [-w US] [-m MIB]
 *
 *   -i  KVM_SET_TSS_ADDR, KVM_SET_IDENTITY_MAP_ADDR, KVM_CREATE_IRQCHIP
 *   -s  KVM_CAP_SPLIT_IRQCHIP instead of -i (LAPIC in the kernel only)
 *   -p  KVM_CREATE_PIT2 (needs -i)
 *   -r  as -p, then KVM_REINJECT_CONTROL with reinjection off
 *   -H  madvise(MADV_HUGEPAGE) on guest RAM
 *   -2  two memslots, 0-640 KiB and 896 KiB-end (shapevm had these before
 *       it backed the VGA hole); otherwise one from 0
 *   -c  the host's whole CPUID (KVM_GET_SUPPORTED_CPUID, KVM_SET_CPUID2)
 *   -S  memslots first, then the irqchip and PIT (shapevm: the other way)
 *   -d  sleep US microseconds after the irqchip and PIT (not counted), as
 *       if the VMM did other work before its memslots
 *   -w  sleep US microseconds after the power-off (not counted), as if
 *       the guest had run that long
 *   -m  guest RAM in MiB (default 64)
 *
 * The guest is four instructions of real-mode code: one byte to COM1, then
 * the power-off port.  One line goes to stdout, each step's time in
 * microseconds:
 *
 *   open=.. supported_cpuid=.. create_vm=.. irqchip=.. pit=.. slot0=..
 *   slot1=.. load=.. vcpu=.. set_cpuid=.. regs=.. run_to_output=.. run_to_poweroff=..
 *   close_vcpu=.. munmap=.. close_vm=.. close_kvm=..
 *
 * A step not taken prints 0.  Run it in a fresh process per sample: some
 * costs (the first memslot, the first VM) are per process or per mm.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define CODE_ADDR	0x1000
#define LOW_RAM_END	0xa0000		/* 640 KiB */
#define HIGH_RAM_START	0xe0000		/* where shapevm's second slot starts */
#define TSS_ADDR	0xfffbd000
#define IDENTITY_ADDR	0xfffbc000

enum step {
	OPEN, SUPPORTED_CPUID, CREATE_VM, IRQCHIP, PIT, SLOT0, SLOT1, LOAD, VCPU,
	SET_CPUID, REGS, RUN_TO_OUTPUT, RUN_TO_POWEROFF, CLOSE_VCPU, MUNMAP,
	CLOSE_VM, CLOSE_KVM, NR_STEPS
};

static const char *const step_names[NR_STEPS] = {
	"open", "supported_cpuid", "create_vm", "irqchip", "pit", "slot0",
	"slot1", "load", "vcpu", "set_cpuid", "regs", "run_to_output",
	"run_to_poweroff", "close_vcpu", "munmap", "close_vm", "close_kvm",
};

static double step_us[NR_STEPS];
static struct timespec mark;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void start(void)
{
	clock_gettime(CLOCK_MONOTONIC, &mark);
}

/* Charge the time since the last start() or done() to a step. */
static void done(enum step s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	step_us[s] += (now.tv_sec - mark.tv_sec) * 1e6 +
		      (now.tv_nsec - mark.tv_nsec) / 1e3;
	mark = now;
}

static void add_slot(int vm, int slot, uint64_t gpa, uint8_t *host, uint64_t size)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
}

static void create_irqchip(int vm, int irqchip, int pit)
{
	uint64_t identity = IDENTITY_ADDR;

	if (irqchip == 2) {
		struct kvm_enable_cap cap = {
			.cap = KVM_CAP_SPLIT_IRQCHIP, .args[0] = 24,
		};

		if (ioctl(vm, KVM_SET_TSS_ADDR, TSS_ADDR) < 0 ||
		    ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0 ||
		    ioctl(vm, KVM_ENABLE_CAP, &cap) < 0)
			die("split irqchip");
		done(IRQCHIP);
	} else if (irqchip) {
		if (ioctl(vm, KVM_SET_TSS_ADDR, TSS_ADDR) < 0 ||
		    ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0 ||
		    ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
			die("irqchip");
		done(IRQCHIP);
	}
	if (pit) {
		struct kvm_pit_config pit_config = { .flags = KVM_PIT_SPEAKER_DUMMY };

		if (ioctl(vm, KVM_CREATE_PIT2, &pit_config) < 0)
			die("KVM_CREATE_PIT2");
		if (pit == 2) {
			struct kvm_reinject_control control = { .pit_reinject = 0 };

			if (ioctl(vm, KVM_REINJECT_CONTROL, &control) < 0)
				die("KVM_REINJECT_CONTROL");
		}
		done(PIT);
	}
}

static uint8_t *add_ram(int vm, size_t mem_size, int huge, int two_slots)
{
	uint8_t *mem;

	mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	if (huge)
		madvise(mem, mem_size, MADV_HUGEPAGE);
	if (two_slots) {
		add_slot(vm, 0, 0, mem, LOW_RAM_END);
		done(SLOT0);
		add_slot(vm, 1, HIGH_RAM_START, mem + HIGH_RAM_START,
			 mem_size - HIGH_RAM_START);
		done(SLOT1);
	} else {
		add_slot(vm, 0, 0, mem, mem_size);
		done(SLOT0);
	}
	return mem;
}

static struct kvm_cpuid2 *supported_cpuid(int kvm)
{
	int nent = 64;

	for (;;) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

		if (!c)
			die("calloc");
		c->nent = nent;
		if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		nent *= 2;
		if (nent > 4096)
			die("KVM_GET_SUPPORTED_CPUID");
	}
}

static void set_real_mode(int vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = CODE_ADDR, .rflags = 2 };

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
}

static void run_until_port(int vcpu, struct kvm_run *run, uint16_t port)
{
	do {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		if (run->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr, "kvm-costs: unexpected exit %u\n", run->exit_reason);
			exit(4);
		}
	} while (run->io.port != port);
}

int main(int argc, char **argv)
{
	/* mov $0x3f8,%dx; mov $'h',%al; out %al,(%dx); mov $0x600,%dx; out; hlt */
	static const uint8_t code[] = {
		0xba, 0xf8, 0x03, 0xb0, 'h', 0xee, 0xba, 0x00, 0x06, 0xee, 0xf4,
	};
	int opt, irqchip = 0, pit = 0, huge = 0, two_slots = 0, cpuid = 0;
	int slots_first = 0, delay_us = 0, run_us = 0;
	size_t mem_size = 64 << 20;
	struct kvm_cpuid2 *c = NULL;
	int kvm, vm, vcpu, run_size;
	struct kvm_run *run;
	uint8_t *mem;

	while ((opt = getopt(argc, argv, "isprH2cSd:w:m:")) != -1) {
		switch (opt) {
		case 'i': irqchip = 1; break;
		case 's': irqchip = 2; break;
		case 'p': pit = 1; break;
		case 'r': pit = 2; break;
		case 'H': huge = 1; break;
		case '2': two_slots = 1; break;
		case 'c': cpuid = 1; break;
		case 'S': slots_first = 1; break;
		case 'd': delay_us = atoi(optarg); break;
		case 'w': run_us = atoi(optarg); break;
		case 'm': mem_size = strtoul(optarg, NULL, 0) << 20; break;
		default:
			fprintf(stderr, "usage: kvm-costs [-i] [-p] [-H] [-2] [-c] [-S] [-s] [-r] [-d US] [-w US] [-m MIB]\n");
			return 2;
		}
	}

	start();
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	done(OPEN);
	if (cpuid) {
		c = supported_cpuid(kvm);
		done(SUPPORTED_CPUID);
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	done(CREATE_VM);
	if (!slots_first)
		create_irqchip(vm, irqchip, pit);
	if (delay_us) {
		usleep(delay_us);
		start();
	}
	mem = add_ram(vm, mem_size, huge, two_slots);
	if (slots_first)
		create_irqchip(vm, irqchip, pit);
	/* The first touch of guest RAM: with -H, a whole huge page. */
	memcpy(mem + CODE_ADDR, code, sizeof(code));
	done(LOAD);

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	done(VCPU);
	if (cpuid) {
		if (ioctl(vcpu, KVM_SET_CPUID2, c) < 0)
			die("KVM_SET_CPUID2");
		done(SET_CPUID);
	}
	set_real_mode(vcpu);
	done(REGS);
	run_until_port(vcpu, run, 0x3f8);
	done(RUN_TO_OUTPUT);
	run_until_port(vcpu, run, 0x600);
	done(RUN_TO_POWEROFF);
	if (run_us) {
		usleep(run_us);
		start();
	}

	munmap(run, run_size);
	close(vcpu);
	done(CLOSE_VCPU);
	munmap(mem, mem_size);
	done(MUNMAP);
	close(vm);
	done(CLOSE_VM);
	close(kvm);
	done(CLOSE_KVM);

	for (int s = 0; s < NR_STEPS; s++)
		printf("%s%s=%.1f", s ? " " : "", step_names[s], step_us[s]);
	printf("\n");
	return 0;
}
