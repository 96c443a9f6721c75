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

enum console_kind { CONSOLE_SERIAL, CONSOLE_VIRTIO };

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
};

enum config_command {
	CONFIG_CMD_RUN,
	CONFIG_CMD_HELP,
	CONFIG_CMD_VERSION,
};

struct config_error {
	char msg[256];
};

int config_parse_size(const char *text, uint64_t *bytes);
int config_parse_run(int argc, char **argv, struct vm_config *cfg,
		     struct config_error *err);
int config_parse_command(int argc, char **argv, enum config_command *cmd,
			 int *first_arg, struct config_error *err);
void config_print_usage(FILE *out);

#endif
