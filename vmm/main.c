// SPDX-License-Identifier: GPL-2.0
/*
 * shapevm: argv -> config -> host facts -> plan -> machine -> drop
 * privileges -> run -> exit status (see ../shared/design.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "devices/serial8250.h"
#include "devices/virtio_console.h"
#include "vfio/passthrough.h"
#include "vmm/arch.h"
#include "vmm/config.h"
#include "vmm/console.h"
#include "vmm/devices.h"
#include "vmm/exitcode.h"
#include "vmm/log.h"
#include "vmm/loop.h"
#include "vmm/memplan.h"
#include "vmm/plan_cmd.h"
#include "vmm/planning.h"
#include "vmm/privilege.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

struct runtime {
	struct vm vm;
	struct loop loop;
	struct console console;
	struct virtio_console *virtio_console;	/* --console virtio */
	int signal_fd;
};

/* Closed standard descriptors would be reused by /dev/kvm and friends. */
static void ensure_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

static void on_stop(void *opaque, uint32_t events)
{
	struct runtime *rt = opaque;

	(void)events;
	loop_quit(&rt->loop);
}

static void on_signal(void *opaque, uint32_t events)
{
	struct runtime *rt = opaque;
	struct signalfd_siginfo info;

	(void)events;
	if (read(rt->signal_fd, &info, sizeof(info)) != sizeof(info))
		return;
	log_info("%s: stopping the guest", strsignal(info.ssi_signo));
	vm_request_stop(&rt->vm, EXIT_SIGNAL_BASE + info.ssi_signo, NULL);
}

static size_t uart_sink(void *opaque, const uint8_t *buf, size_t len)
{
	return serial8250_receive(opaque, buf, len);
}

static size_t virtio_console_sink(void *opaque, const uint8_t *buf, size_t len)
{
	return virtio_console_receive(opaque, buf, len);
}

/* SIGINT/SIGTERM arrive through the loop; vCPU threads inherit the mask. */
static int signals_setup(struct runtime *rt)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -EINVAL;
	signal(SIGPIPE, SIG_IGN);
	rt->signal_fd = signalfd(-1, &set, SFD_CLOEXEC);
	return rt->signal_fd < 0 ? -errno : 0;
}

/*
 * The plan comes from a saved file (checked against what this host and the
 * given host files say), or is made now from the same facts.
 */
static int plan_machine(struct vm *vm, struct host_facts *facts_out)
{
	const struct vm_config *cfg = vm->cfg;
	struct host_facts facts = { 0 };
	struct planning_input in = {
		.arch = arch_name(), .host_files = cfg->host_files,
		.nr_host_files = cfg->nr_host_files, .sysfs_root = "/sys",
		.kvm_fd = vm->kvm_fd, .verbose = cfg->verbose,
		/* Assigned devices' groups: RAM keeps off their reserved regions. */
		.vfio = cfg->vfio, .nr_vfio = cfg->nr_vfio, .this_host = cfg->nr_vfio > 0,
	};
	struct plan_request req = {
		.ram_size = cfg->ram_size, .nr_cpus = cfg->nr_cpus,
		.allow_relaxable = cfg->allow_relaxable, .irqchip = vm->irqchip,
	};
	unsigned int bits;
	int ret;

	ret = vfio_passthrough_check(in.sysfs_root, cfg->vfio, cfg->nr_vfio);
	if (!ret)
		ret = planning_gather(&in, &facts, &bits);
	if (ret)
		goto out;
	if (cfg->plan_path) {
		ret = planning_load("--plan", cfg->plan_path, &vm->plan);
		if (!ret && strcmp(vm->plan.arch, arch_name())) {
			log_error("--plan %s: a plan for %s guests, and this shapevm runs %s guests",
				  cfg->plan_path, vm->plan.arch, arch_name());
			ret = -EINVAL;
		}
		if (!ret && cfg->ram_given && vm->plan.ram_size != cfg->ram_size) {
			log_error("--plan %s: the plan has %llu MiB of RAM, --mem asks for %llu MiB",
				  cfg->plan_path, (unsigned long long)(vm->plan.ram_size >> 20),
				  (unsigned long long)(cfg->ram_size >> 20));
			ret = -EINVAL;
		}
		if (!ret && planning_check(cfg->plan_path, &vm->plan, &facts, bits)) {
			log_error("--plan %s: not valid on this host (shapevm plan --check says more)",
				  cfg->plan_path);
			ret = -EINVAL;
		}
	} else {
		planning_size_windows(&facts, &req);
		ret = planning_build(arch_name(), &req, bits, &facts, &vm->plan);
	}
	if (!ret && cfg->verbose) {
		memplan_print(&vm->plan, stderr);
		memplan_print_host(&vm->plan, &facts, stderr);
	}
out:
	if (!ret && facts_out)
		*facts_out = facts;
	else
		hostres_free(&facts);
	return ret;
}

static int build_machine(struct runtime *rt)
{
	struct vm *vm = &rt->vm;
	struct vfio_passthrough *vfio = NULL;
	struct host_facts facts = { 0 };
	struct arch_uart where;
	int ret;

	ret = vm_open_kvm(vm, vm->cfg->kvm_path);
	if (!ret)
		ret = arch_check_host(vm);
	if (!ret)
		ret = plan_machine(vm, &facts);
	if (!ret)
		ret = vm_create(vm);
	/*
	 * Memory before the irqchip: a memslot registered after it waits for
	 * an SRCU grace period that the irqchip's creation started (measured
	 * 6-9 ms on the boot path).
	 */
	if (!ret)
		ret = vm_map_memory(vm);
	/* The facts' last host is this one when devices are assigned. */
	if (!ret)
		ret = vfio_passthrough_open(vm, &facts,
					    facts.nr_hosts ? facts.nr_hosts - 1 : 0, &vfio);
	hostres_free(&facts);
	if (!ret)
		ret = arch_vm_setup(vm);
	if (!ret)
		ret = arch_kernel_load(vm);
	if (ret)
		return ret;

	/*
	 * vCPUs before devices: arm64's GIC can only be finished once they
	 * all exist, and devices wire their interrupts to a finished GIC.
	 */
	ret = vcpu_create_all(vm);
	if (!ret)
		ret = arch_machine_describe(vm);
	if (ret)
		return ret;
	arch_console_uart(vm, &where);
	vm->console_uart = serial8250_create(vm, &where, STDOUT_FILENO,
					     rt->console.space_fd);
	if (!vm->console_uart)
		return -ENOMEM;
	ret = arch_devices_setup(vm);
	if (!ret)
		ret = devices_setup(vm, rt->console.space_fd, &rt->virtio_console, vfio);
	return ret;
}

static int run_command(int argc, char **argv)
{
	struct runtime rt = { .signal_fd = -1, .console.space_fd = -1 };
	struct config_error cerr;
	struct vm_config cfg;
	int ret, status = EXIT_VMM_ERROR;

	ret = config_parse_run(argc, argv, &cfg, &cerr);
	if (ret == 1) {
		config_print_usage(stdout);
		return 0;
	}
	if (ret) {
		log_error("%s", cerr.msg);
		return EXIT_USAGE;
	}
	if (cfg.verbose)
		log_set_level(cfg.debug ? LOG_DEBUG : LOG_INFO);
	else if (cfg.debug)
		log_set_level(LOG_DEBUG);

	rt.vm = (struct vm) { .cfg = &cfg, .kvm_fd = -1, .vm_fd = -1, .stop_fd = -1 };
	bus_init(&rt.vm.pio_bus, "pio");
	bus_init(&rt.vm.mmio_bus, "mmio");
	if (loop_init(&rt.loop) || signals_setup(&rt) ||
	    console_init(&rt.console, &rt.vm, STDIN_FILENO)) {
		log_error("cannot set up the event loop: %s", strerror(errno));
		goto out;
	}
	if (build_machine(&rt))
		goto out;
	if (loop_add(&rt.loop, rt.vm.stop_fd, EPOLLIN, on_stop, &rt) ||
	    loop_add(&rt.loop, rt.signal_fd, EPOLLIN, on_signal, &rt) ||
	    (rt.virtio_console ?
	     console_attach(&rt.console, &rt.loop, virtio_console_sink, rt.virtio_console) :
	     console_attach(&rt.console, &rt.loop, uart_sink, rt.vm.console_uart))) {
		log_error("cannot set up the event loop");
		goto out;
	}
	if (privilege_drop() || vm_start_devices(&rt.vm))
		goto out;
	if (console_enter_raw(&rt.console))
		log_warn("cannot put the terminal in raw mode: %s", strerror(errno));
	if (vcpu_start_all(&rt.vm))
		vm_request_stop(&rt.vm, EXIT_VMM_ERROR, NULL);
	if (loop_run(&rt.loop))
		vm_request_stop(&rt.vm, EXIT_VMM_ERROR, NULL);
	vcpu_join_all(&rt.vm);
	status = rt.vm.exit_status;
out:
	console_restore();
	vm_destroy(&rt.vm);
	loop_destroy(&rt.loop);
	if (rt.signal_fd >= 0)
		close(rt.signal_fd);
	if (rt.console.space_fd >= 0)
		close(rt.console.space_fd);
	return status;
}

int main(int argc, char **argv)
{
	enum config_command cmd;
	struct config_error err;
	int first;

	ensure_std_fds();
	if (config_parse_command(argc, argv, &cmd, &first, &err)) {
		log_error("%s", err.msg);
		if (argc < 2)
			config_print_usage(stderr);
		return EXIT_USAGE;
	}
	switch (cmd) {
	case CONFIG_CMD_HELP:
		config_print_usage(stdout);
		return 0;
	case CONFIG_CMD_VERSION:
		printf("shapevm %s\n", SHAPEVM_VERSION);
		return 0;
	case CONFIG_CMD_RUN:
		break;
	case CONFIG_CMD_PLAN:
		return plan_command(argc - first, argv + first);
	case CONFIG_CMD_HOST_FACTS:
		return host_facts_command(argc - first, argv + first);
	}
	return run_command(argc - first, argv + first);
}
