// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/config.h"

static int config_fail(struct config_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int config_fail(struct config_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * "512" is MiB, as lkvm's -m; otherwise a number with a K, M, G or T suffix,
 * optionally followed by "B" or "iB" (binary units either way).
 */
int config_parse_size(const char *text, uint64_t *bytes)
{
	unsigned long long value;
	unsigned int shift = 20;
	char *end;

	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end) {
		switch (toupper((unsigned char)*end)) {
		case 'K': shift = 10; break;
		case 'M': shift = 20; break;
		case 'G': shift = 30; break;
		case 'T': shift = 40; break;
		default: return -EINVAL;
		}
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B") || !strcmp(end, "b"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
	}
	if (value > (UINT64_MAX >> shift))
		return -ERANGE;
	*bytes = (uint64_t)value << shift;
	return 0;
}

static int config_parse_cpus(const char *text, unsigned int *cpus,
			     struct config_error *err)
{
	unsigned long value;
	char *end;

	errno = 0;
	value = strtoul(text, &end, 10);
	if (!isdigit((unsigned char)text[0]) || *end || errno)
		return config_fail(err, "--cpus %s: not a number of vCPUs", text);
	if (value == 0)
		return config_fail(err, "--cpus %s: a guest needs at least one vCPU", text);
	if (value > CONFIG_MAX_CPUS)
		return config_fail(err, "--cpus %s: more than the %d vCPUs shapevm supports",
				   text, CONFIG_MAX_CPUS);
	*cpus = value;
	return 0;
}

static int config_parse_mem(const char *text, uint64_t *bytes,
			    struct config_error *err)
{
	int ret = config_parse_size(text, bytes);

	if (ret == -ERANGE)
		return config_fail(err, "--mem %s: too large", text);
	if (ret)
		return config_fail(err, "--mem %s: not a size (try 512M, 4G)", text);
	if (*bytes < CONFIG_MIN_RAM)
		return config_fail(err, "--mem %s: too small (at least %lluM)",
				   text, CONFIG_MIN_RAM >> 20);
	if (*bytes % 4096)
		return config_fail(err, "--mem %s: not a multiple of 4K", text);
	return 0;
}

enum {
	OPT_CONSOLE = 0x100,
	OPT_KVM,
	OPT_DEBUG,
	OPT_NO_PIT,
};

static const struct option run_options[] = {
	{ "kernel",	required_argument, NULL, 'k' },
	{ "initrd",	required_argument, NULL, 'i' },
	{ "mem",	required_argument, NULL, 'm' },
	{ "cpus",	required_argument, NULL, 'c' },
	{ "params",	required_argument, NULL, 'p' },
	{ "console",	required_argument, NULL, OPT_CONSOLE },
	{ "kvm",	required_argument, NULL, OPT_KVM },
	{ "verbose",	no_argument,	   NULL, 'v' },
	{ "debug",	no_argument,	   NULL, OPT_DEBUG },
	{ "no-pit",	no_argument,	   NULL, OPT_NO_PIT },
	{ "help",	no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Names the unknown option getopt stopped at. A short one may sit inside a
 * group ("-xv") where optind has not moved on yet, so name it by optopt
 * (which is 0 for an unknown long option).
 */
static const char *config_unknown_option(char **argv, int index, char *buf, size_t len)
{
	if (optopt) {
		snprintf(buf, len, "-%c", optopt);
		return buf;
	}
	return argv[index > 0 ? index - 1 : 0];
}

static void config_set_defaults(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_size = CONFIG_DEFAULT_RAM;
	cfg->nr_cpus = 1;
	cfg->cmdline = "";
	cfg->console = CONSOLE_SERIAL;
	cfg->kvm_path = "/dev/kvm";
}

/*
 * Parses "run" options; argv[0] is the subcommand. Returns 1 when help was
 * asked for, 0 on success, -EINVAL with err filled in otherwise.
 */
int config_parse_run(int argc, char **argv, struct vm_config *cfg,
		     struct config_error *err)
{
	char optbuf[8];
	int opt, ret;

	config_set_defaults(cfg);
	/* optind = 0 makes glibc reinitialise, so parsing can run twice (tests). */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:k:i:m:c:p:vh", run_options,
				  NULL)) != -1) {
		ret = 0;
		switch (opt) {
		case 'k':
			cfg->kernel_path = optarg;
			break;
		case 'i':
			cfg->initrd_path = optarg;
			break;
		case 'm':
			ret = config_parse_mem(optarg, &cfg->ram_size, err);
			break;
		case 'c':
			ret = config_parse_cpus(optarg, &cfg->nr_cpus, err);
			break;
		case 'p':
			cfg->cmdline = optarg;
			break;
		case OPT_CONSOLE:
			if (!strcmp(optarg, "serial"))
				cfg->console = CONSOLE_SERIAL;
			else
				ret = config_fail(err, "--console %s: unknown console (serial)",
						  optarg);
			break;
		case OPT_KVM:
			cfg->kvm_path = optarg;
			break;
		case 'v':
			cfg->verbose = true;
			break;
		case OPT_DEBUG:
			cfg->debug = true;
			break;
		case OPT_NO_PIT:
			cfg->no_pit = true;
			break;
		case 'h':
			return 1;
		case ':':
			/* optind has moved past the option that lacks its value. */
			return config_fail(err, "%s: needs a value", argv[optind - 1]);
		default:
			return config_fail(err, "%s: unknown option (see shapevm run --help)",
					   config_unknown_option(argv, optind, optbuf, sizeof(optbuf)));
		}
		if (ret)
			return ret;
	}
	if (optind < argc)
		return config_fail(err, "%s: unexpected argument (quote the kernel command line given to -p)",
				   argv[optind]);
	if (!cfg->kernel_path)
		return config_fail(err, "run: no kernel given (use -k FILE)");
	if (!*cfg->kernel_path)
		return config_fail(err, "--kernel: empty file name");
	return 0;
}

/* argv[1] names the command; flags of that command start at *first_arg. */
int config_parse_command(int argc, char **argv, enum config_command *cmd,
			 int *first_arg, struct config_error *err)
{
	const char *word = argc > 1 ? argv[1] : NULL;

	*first_arg = 1;
	if (!word)
		return config_fail(err, "no command given (try shapevm --help)");
	if (!strcmp(word, "run")) {
		*cmd = CONFIG_CMD_RUN;
	} else if (!strcmp(word, "--help") || !strcmp(word, "-h") ||
		   !strcmp(word, "help")) {
		*cmd = CONFIG_CMD_HELP;
	} else if (!strcmp(word, "--version") || !strcmp(word, "-V") ||
		   !strcmp(word, "version")) {
		*cmd = CONFIG_CMD_VERSION;
	} else {
		return config_fail(err, "%s: unknown command (try shapevm --help)", word);
	}
	return 0;
}

void config_print_usage(FILE *out)
{
	fputs("usage: shapevm run -k KERNEL [options]\n"
	      "       shapevm --help | --version\n"
	      "\n"
	      "Boots a Linux kernel under KVM, with the terminal as its serial console.\n"
	      "\n"
	      "run options:\n"
	      "  -k, --kernel FILE     kernel to boot (x86_64: bzImage)\n"
	      "  -i, --initrd FILE     initial ramdisk\n"
	      "  -m, --mem SIZE        guest RAM: 512M, 4G; a plain number is MiB (default 256M)\n"
	      "  -c, --cpus N          number of vCPUs (default 1)\n"
	      "  -p, --params STRING   kernel command line\n"
	      "      --console serial  the guest console device (default serial: ttyS0)\n"
	      "      --kvm PATH        KVM device (default /dev/kvm)\n"
	      "      --no-pit          no i8254 timer (x86): faster start and exit; guests\n"
	      "                        that use ACPI never need it, acpi=off guests do\n"
	      "  -v, --verbose         say what is being set up\n"
	      "\n"
	      "On the console, Ctrl-A x ends the guest.\n"
	      "Exit status: 0 guest powered off, 1 shapevm error, 2 usage error,\n"
	      "3 guest reset, 4 guest crashed, 128+N stopped by signal N.\n", out);
}
