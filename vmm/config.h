/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command line, parsed and validated into struct vm_config. Pure: no
 * file is opened here; errors are returned as text naming the flag and the
 * value, for main to print once.
 */
#ifndef SHAPEVM_CONFIG_H
#define SHAPEVM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_DEFAULT_RAM	(256ULL << 20)
#define CONFIG_MIN_RAM		(4ULL << 20)
#define CONFIG_MAX_CPUS		4096
#define CONFIG_MAX_HOST_FILES	16
#define CONFIG_MAX_VFIO		16
#define CONFIG_MAX_DISKS	16
#define CONFIG_MAX_NETS		4

enum console_kind { CONSOLE_SERIAL, CONSOLE_VIRTIO };

struct config_disk {
	char path[4096];		/* PATH_MAX */
	bool read_only;
	bool direct;			/* O_DIRECT: bypass the host's page cache */
};

struct config_net {
	char tap[16];			/* IFNAMSIZ */
	uint8_t mac[6];
	bool mac_given;
};

struct vm_config {
	const char *kernel_path;
	const char *initrd_path;
	const char *cmdline;
	uint64_t ram_size;
	unsigned int nr_cpus;
	enum console_kind console;
	const char *kvm_path;
	bool no_pit;
	bool verbose;
	bool debug;
	bool ram_given;			/* -m was on the command line */
	/* The memory plan: host facts from files, or a saved plan. */
	const char *host_files[CONFIG_MAX_HOST_FILES];
	size_t nr_host_files;
	bool allow_relaxable;
	const char *plan_path;
	/* Devices, in the order given: their PCI slots follow it. */
	struct config_disk disks[CONFIG_MAX_DISKS];
	size_t nr_disks;
	struct config_net nets[CONFIG_MAX_NETS];
	size_t nr_nets;
	bool rng;
	bool no_vhost;
	/* Assigned host PCI devices (VFIO), after the virtio ones on the bus. */
	const char *vfio[CONFIG_MAX_VFIO];
	size_t nr_vfio;
	/* arm64: the interrupt controller (NULL: the best the host has). */
	const char *irqchip;
	const char *dump_dtb;		/* arm64: a copy of the guest's FDT */
};

/* "shapevm plan" and "shapevm host-facts". */
struct plan_config {
	const char *arch;		/* NULL: the arch shapevm was built for */
	uint64_t ram_size;
	unsigned int nr_cpus;
	const char *irqchip;		/* arm64 frames; NULL: gicv3-its */
	const char *vfio[CONFIG_MAX_VFIO];
	size_t nr_vfio;
	const char *host_files[CONFIG_MAX_HOST_FILES];
	size_t nr_host_files;
	const char *sysfs_root;
	const char *kvm_path;
	const char *check_path;
	bool allow_relaxable;
	bool json;
	bool verbose;
};

enum config_command {
	CONFIG_CMD_RUN,
	CONFIG_CMD_PLAN,
	CONFIG_CMD_HOST_FACTS,
	CONFIG_CMD_HELP,
	CONFIG_CMD_VERSION,
};

struct config_error {
	char msg[256];
};

int config_parse_size(const char *text, uint64_t *bytes);
/* "PATH[,ro][,direct]" and "tap=NAME[,mac=XX:XX:XX:XX:XX:XX]". */
int config_parse_disk(const char *text, struct config_disk *disk,
		      struct config_error *err);
int config_parse_net(const char *text, struct config_net *net,
		     struct config_error *err);
int config_parse_run(int argc, char **argv, struct vm_config *cfg,
		     struct config_error *err);
/* "plan" (host_facts false) or "host-facts" options; 1 for --help. */
int config_parse_plan(int argc, char **argv, bool host_facts,
		      struct plan_config *cfg, struct config_error *err);
void config_print_plan_usage(FILE *out, bool host_facts);
int config_parse_command(int argc, char **argv, enum config_command *cmd,
			 int *first_arg, struct config_error *err);
void config_print_usage(FILE *out);

#endif
