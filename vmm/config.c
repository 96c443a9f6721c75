// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/config.h"
#include "vmm/hostres.h"
#include "vmm/util.h"
#include "vmm/memplan.h"

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

/* The options --disk takes after the file name, in any order. */
static const char *const disk_options[] = { "ro", "readonly", "direct" };

/* Edit distance, ignoring case, of two words of at most 15 letters. */
static size_t word_distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b), row[16], i, j;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			bool same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);

			row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1), diag + !same);
			diag = up;
		}
	}
	return row[lb];
}

/*
 * Whether a word after a comma was meant as an option: it has a value
 * ("cache=none", "direct=on") or is a letter or two away from an option
 * ("drect", "RO", "rw"). Other words belong to the file name.
 */
static bool disk_option_like(const char *word, size_t len)
{
	if (memchr(word, '=', len))
		return true;
	if (len > 15)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(disk_options); i++) {
		size_t limit = strlen(disk_options[i]) <= 2 ? 1 : 2;

		if (word_distance(word, len, disk_options[i]) <= limit)
			return true;
	}
	return false;
}

/*
 * "PATH[,ro][,direct]": options are taken off the end; any other comma
 * belongs to the file name, so names with commas need no quoting. A word
 * that looks like a misspelt option is an error, not part of the name.
 */
int config_parse_disk(const char *text, struct config_disk *disk,
		      struct config_error *err)
{
	size_t len = strlen(text);
	const char *comma;

	memset(disk, 0, sizeof(*disk));
	while ((comma = memrchr(text, ',', len))) {
		const char *word = comma + 1;
		size_t word_len = len - (word - text);

		if ((word_len == 2 && !memcmp(word, "ro", 2)) ||
		    (word_len == 8 && !memcmp(word, "readonly", 8)))
			disk->read_only = true;
		else if (word_len == 6 && !memcmp(word, "direct", 6))
			disk->direct = true;
		else if (disk_option_like(word, word_len))
			return config_fail(err, "--disk %s: unknown option \"%.*s\" (ro, direct)",
					   text, (int)word_len, word);
		else
			break;
		len = comma - text;
	}
	if (!len)
		return config_fail(err, "--disk %s: no image file given", text);
	if (len >= sizeof(disk->path))
		return config_fail(err, "--disk: the file name is longer than %zu bytes",
				   sizeof(disk->path) - 1);
	memcpy(disk->path, text, len);
	return 0;
}

static int parse_mac(const char *text, uint8_t mac[6])
{
	unsigned int b[6];
	char end;

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6 || strlen(text) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = b[i];
	/* A guest NIC needs a unicast address. */
	return mac[0] & 1 ? -EINVAL : 0;
}

int config_parse_net(const char *text, struct config_net *net,
		     struct config_error *err)
{
	char *copy = strdup(text), *save = NULL, *word;
	int ret = 0;

	if (!copy)
		return config_fail(err, "--net %s: out of memory", text);
	memset(net, 0, sizeof(*net));
	for (word = strtok_r(copy, ",", &save); word && !ret;
	     word = strtok_r(NULL, ",", &save)) {
		if (!strncmp(word, "tap=", 4)) {
			if (!word[4] || strlen(word + 4) >= sizeof(net->tap))
				ret = config_fail(err, "--net %s: a tap name has 1 to %zu characters",
						  text, sizeof(net->tap) - 1);
			else
				strcpy(net->tap, word + 4);
		} else if (!strncmp(word, "mac=", 4)) {
			if (parse_mac(word + 4, net->mac))
				ret = config_fail(err, "--net %s: \"%s\" is not a unicast MAC address (like 52:54:00:12:34:56)",
						  text, word + 4);
			net->mac_given = true;
		} else {
			ret = config_fail(err, "--net %s: unknown option \"%s\" (tap=NAME, mac=MAC)",
					  text, word);
		}
	}
	if (!ret && !net->tap[0])
		ret = config_fail(err, "--net %s: no tap device given (tap=NAME)", text);
	free(copy);
	return ret;
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
	OPT_HOST_RESERVED,
	OPT_ALLOW_RELAXABLE,
	OPT_PLAN,
	OPT_ARCH,
	OPT_IRQCHIP,
	OPT_VFIO,
	OPT_SYSFS_ROOT,
	OPT_CHECK,
	OPT_JSON,
	OPT_DISK,
	OPT_NET,
	OPT_RNG,
	OPT_NO_VHOST,
	OPT_DUMP_DTB,
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
	{ "host-reserved", required_argument, NULL, OPT_HOST_RESERVED },
	{ "allow-relaxable", no_argument,  NULL, OPT_ALLOW_RELAXABLE },
	{ "plan",	required_argument, NULL, OPT_PLAN },
	{ "disk",	required_argument, NULL, OPT_DISK },
	{ "net",	required_argument, NULL, OPT_NET },
	{ "rng",	no_argument,	   NULL, OPT_RNG },
	{ "no-vhost",	no_argument,	   NULL, OPT_NO_VHOST },
	{ "irqchip",	required_argument, NULL, OPT_IRQCHIP },
	{ "dump-dtb",	required_argument, NULL, OPT_DUMP_DTB },
	{ "vfio",	required_argument, NULL, OPT_VFIO },
	{ "help",	no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int config_check_irqchip(const char *name, struct config_error *err)
{
	enum plan_irqchip kind;

	if (memplan_irqchip_parse(name, &kind))
		return config_fail(err, "--irqchip %s: unknown (gicv3-its, gicv3, gicv2m, gicv3-v2m, gicv2)",
				   name);
	return 0;
}

/* Repeatable file or device flags, up to a fixed count. */
static int config_add_path(const char **list, size_t *nr, size_t max,
			   const char *flag, const char *value,
			   struct config_error *err)
{
	if (!*value)
		return config_fail(err, "%s: empty value", flag);
	if (*nr == max)
		return config_fail(err, "%s %s: at most %zu of them", flag, value, max);
	list[(*nr)++] = value;
	return 0;
}

/* A PCI address is checked as it is read: a typo is a usage error. */
static int config_add_bdf(const char **list, size_t *nr, const char *value,
			  struct config_error *err)
{
	char bdf[HOSTRES_BDF_LEN];

	if (*value && hostres_bdf_normalize(value, bdf))
		return config_fail(err, "--vfio \"%.32s\": not a PCI address (%s)", value,
				   HOSTRES_BDF_FORMS);
	return config_add_path(list, nr, CONFIG_MAX_VFIO, "--vfio", value, err);
}

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
			cfg->ram_given = true;
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
			else if (!strcmp(optarg, "virtio"))
				cfg->console = CONSOLE_VIRTIO;
			else
				ret = config_fail(err, "--console %s: unknown console (serial, virtio)",
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
		case OPT_HOST_RESERVED:
			ret = config_add_path(cfg->host_files, &cfg->nr_host_files,
					      CONFIG_MAX_HOST_FILES, "--host-reserved", optarg, err);
			break;
		case OPT_ALLOW_RELAXABLE:
			cfg->allow_relaxable = true;
			break;
		case OPT_DISK:
			if (cfg->nr_disks == CONFIG_MAX_DISKS)
				ret = config_fail(err, "--disk %s: at most %d disks", optarg,
						  CONFIG_MAX_DISKS);
			else
				ret = config_parse_disk(optarg, &cfg->disks[cfg->nr_disks++], err);
			break;
		case OPT_NET:
			if (cfg->nr_nets == CONFIG_MAX_NETS)
				ret = config_fail(err, "--net %s: at most %d network devices", optarg,
						  CONFIG_MAX_NETS);
			else
				ret = config_parse_net(optarg, &cfg->nets[cfg->nr_nets++], err);
			break;
		case OPT_RNG:
			cfg->rng = true;
			break;
		case OPT_NO_VHOST:
			cfg->no_vhost = true;
			break;
		case OPT_PLAN:
			if (!*optarg)
				ret = config_fail(err, "--plan: empty file name");
			cfg->plan_path = optarg;
			break;
		case OPT_IRQCHIP:
			ret = config_check_irqchip(optarg, err);
			cfg->irqchip = optarg;
			break;
		case OPT_DUMP_DTB:
			if (!*optarg)
				ret = config_fail(err, "--dump-dtb: empty file name");
			cfg->dump_dtb = optarg;
			break;
		case OPT_VFIO:
			ret = config_add_bdf(cfg->vfio, &cfg->nr_vfio, optarg, err);
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

static const struct option plan_options[] = {
	{ "mem",	required_argument, NULL, 'm' },
	{ "cpus",	required_argument, NULL, 'c' },
	{ "arch",	required_argument, NULL, OPT_ARCH },
	{ "irqchip",	required_argument, NULL, OPT_IRQCHIP },
	{ "vfio",	required_argument, NULL, OPT_VFIO },
	{ "host-reserved", required_argument, NULL, OPT_HOST_RESERVED },
	{ "sysfs-root",	required_argument, NULL, OPT_SYSFS_ROOT },
	{ "kvm",	required_argument, NULL, OPT_KVM },
	{ "check",	required_argument, NULL, OPT_CHECK },
	{ "allow-relaxable", no_argument,  NULL, OPT_ALLOW_RELAXABLE },
	{ "json",	no_argument,	   NULL, OPT_JSON },
	{ "verbose",	no_argument,	   NULL, 'v' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *plan_option_name(int opt)
{
	for (const struct option *o = plan_options; o->name; o++)
		if (o->val == opt)
			return o->name;
	return "?";
}

/* Options that only "plan" takes; host-facts reads this host, nothing more. */
static bool plan_only_option(int opt)
{
	return opt == 'm' || opt == 'c' || opt == OPT_ARCH || opt == OPT_IRQCHIP ||
	       opt == OPT_HOST_RESERVED || opt == OPT_CHECK ||
	       opt == OPT_ALLOW_RELAXABLE || opt == OPT_JSON;
}

int config_parse_plan(int argc, char **argv, bool host_facts,
		      struct plan_config *cfg, struct config_error *err)
{
	const char *command = host_facts ? "host-facts" : "plan";
	char optbuf[8];
	int opt, ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_size = CONFIG_DEFAULT_RAM;
	cfg->nr_cpus = 1;
	cfg->sysfs_root = "/sys";
	cfg->kvm_path = "/dev/kvm";
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:m:c:vh", plan_options, NULL)) != -1) {
		ret = 0;
		if (host_facts && plan_only_option(opt))
			return config_fail(err, "--%s: not a host-facts option (see shapevm host-facts --help)",
					   plan_option_name(opt));
		switch (opt) {
		case 'm':
			ret = config_parse_mem(optarg, &cfg->ram_size, err);
			break;
		case 'c':
			ret = config_parse_cpus(optarg, &cfg->nr_cpus, err);
			break;
		case OPT_ARCH:
			if (strcmp(optarg, "x86_64") && strcmp(optarg, "arm64"))
				ret = config_fail(err, "--arch %s: unknown architecture (x86_64, arm64)", optarg);
			cfg->arch = optarg;
			break;
		case OPT_IRQCHIP:
			ret = config_check_irqchip(optarg, err);
			cfg->irqchip = optarg;
			break;
		case OPT_VFIO:
			ret = config_add_bdf(cfg->vfio, &cfg->nr_vfio, optarg, err);
			break;
		case OPT_HOST_RESERVED:
			ret = config_add_path(cfg->host_files, &cfg->nr_host_files,
					      CONFIG_MAX_HOST_FILES, "--host-reserved", optarg, err);
			break;
		case OPT_SYSFS_ROOT:
			if (!*optarg)
				ret = config_fail(err, "--sysfs-root: empty directory name");
			cfg->sysfs_root = optarg;
			break;
		case OPT_KVM:
			cfg->kvm_path = optarg;
			break;
		case OPT_CHECK:
			if (!*optarg)
				ret = config_fail(err, "--check: empty file name");
			cfg->check_path = optarg;
			break;
		case OPT_ALLOW_RELAXABLE:
			cfg->allow_relaxable = true;
			break;
		case OPT_JSON:
			cfg->json = true;
			break;
		case 'v':
			cfg->verbose = true;
			break;
		case 'h':
			return 1;
		case ':':
			return config_fail(err, "%s: needs a value", argv[optind - 1]);
		default:
			return config_fail(err, "%s: unknown option (see shapevm %s --help)",
					   config_unknown_option(argv, optind, optbuf, sizeof(optbuf)),
					   command);
		}
		if (ret)
			return ret;
	}
	if (optind < argc)
		return config_fail(err, "%s: unexpected argument", argv[optind]);
	if (cfg->check_path && cfg->json)
		return config_fail(err, "--check and --json: --check reads a plan, it prints none");
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
	} else if (!strcmp(word, "plan")) {
		*cmd = CONFIG_CMD_PLAN;
	} else if (!strcmp(word, "host-facts")) {
		*cmd = CONFIG_CMD_HOST_FACTS;
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
	      "       shapevm plan [-m SIZE] [--vfio BDF]... [--host-reserved FILE]... [options]\n"
	      "       shapevm host-facts [--vfio BDF]...\n"
	      "       shapevm --help | --version\n"
	      "\n"
	      "Boots a Linux kernel under KVM, with the terminal as its serial console,\n"
	      "in a guest physical map planned around the host's IOMMU reserved regions.\n"
	      "\n"
	      "run options:\n"
	      "  -k, --kernel FILE     kernel to boot (x86_64: bzImage)\n"
	      "  -i, --initrd FILE     initial ramdisk\n"
	      "  -m, --mem SIZE        guest RAM: 512M, 4G; a plain number is MiB (default 256M)\n"
	      "  -c, --cpus N          number of vCPUs (default 1)\n"
	      "  -p, --params STRING   kernel command line\n"
	      "      --console serial|virtio  the console: ttyS0 (default) or hvc0\n"
	      "      --disk FILE[,ro][,direct]  a virtio-blk disk on a raw image (repeatable);\n"
	      "                        direct: O_DIRECT, past the host's page cache\n"
	      "      --net tap=NAME[,mac=MAC]  a virtio-net device on a tap (repeatable)\n"
	      "      --rng             a virtio-rng device (the guest's hwrng)\n"
	      "      --no-vhost        serve virtio-net in shapevm, not vhost-net\n"
	      "      --vfio BDF        assign this host PCI device, bound to vfio-pci\n"
	      "                        (repeatable; x86_64; MSI/MSI-X, no INTx)\n"	      "      --irqchip KIND    arm64: gicv3-its, gicv3, gicv2m (GICv2 + v2m, or GICv3\n"
	      "                        + v2m where KVM has no GICv2), gicv3-v2m, gicv2\n"
	      "                        (default: the best this host's KVM offers)\n"
	      "      --dump-dtb FILE   arm64: write the guest's device tree to FILE too\n"
	      "      --host-reserved FILE  plan around these host regions too (repeatable;\n"
	      "                        the sysfs reserved_regions format, see shapevm plan)\n"
	      "      --allow-relaxable RAM may use direct-relaxable host regions\n"
	      "      --plan FILE       boot with exactly this saved plan (shapevm plan --json)\n"
	      "      --kvm PATH        KVM device (default /dev/kvm)\n"
	      "      --no-pit          no i8254 timer (x86): faster start and exit; guests\n"
	      "                        that use ACPI never need it, acpi=off guests do\n"
	      "  -v, --verbose         say what is being set up, and print the memory plan\n"
	      "\n"
	      "On the console, Ctrl-A x ends the guest.\n"
	      "Exit status: 0 guest powered off, 1 shapevm error, 2 usage error,\n"
	      "3 guest reset, 4 guest crashed, 128+N stopped by signal N.\n"
	      "See shapevm plan --help and shapevm host-facts --help for the planner.\n", out);
}

void config_print_plan_usage(FILE *out, bool host_facts)
{
	if (host_facts) {
		fputs("usage: shapevm host-facts [--vfio BDF]... [--sysfs-root DIR] [--kvm PATH]\n"
		      "\n"
		      "Prints this host's facts in the --host-reserved format, to plan for this\n"
		      "host elsewhere: the reserved regions of the IOMMU groups of the given\n"
		      "devices (of every group without --vfio), their peers' BARs, VFIO's IOVA\n"
		      "ranges when the group is bound to vfio-pci, and KVM's phys-bits.\n"
		      "\n"
		      "  --vfio BDF            a device to be assigned, e.g. 0000:03:00.0 (repeatable)\n"
		      "  --sysfs-root DIR      read sysfs from DIR instead of /sys (a recorded tree)\n"
		      "  --kvm PATH            KVM device for the address width (default /dev/kvm)\n", out);
		return;
	}
	fputs("usage: shapevm plan [options]\n"
	      "\n"
	      "Plans the guest's physical memory map around the host's IOMMU reserved\n"
	      "regions and prints it, with how each host region was avoided. Exits 0\n"
	      "with a plan, 1 with the constraint that made it impossible.\n"
	      "\n"
	      "  -m, --mem SIZE        guest RAM (default 256M)\n"
	      "  -c, --cpus N          vCPUs (sizes arm64's GIC redistributors)\n"
	      "      --arch ARCH       x86_64 or arm64 (default: this shapevm's)\n"
	      "      --irqchip KIND    arm64: gicv3-its (default), gicv3, gicv2m, gicv3-v2m, gicv2\n"
	      "      --vfio BDF        plan for assigning this device: reads its IOMMU group\n"
	      "                        from sysfs and VFIO (repeatable)\n"
	      "      --host-reserved FILE  one more host's facts (repeatable): lines\n"
	      "                        \"0x<start> 0x<end> <type>\" (msi, direct,\n"
	      "                        direct-relaxable, reserved), \"iova-range 0x<s> 0x<e>\",\n"
	      "                        \"phys-bits N\"; the plan is valid on every host given\n"
	      "      --sysfs-root DIR  read sysfs from DIR instead of /sys\n"
	      "      --allow-relaxable RAM may use direct-relaxable regions\n"
	      "      --json            print the plan as JSON (for run --plan and --check)\n"
	      "      --check FILE      is this saved plan valid with these host facts?\n"
	      "      --kvm PATH        KVM device for this host's address width\n"
	      "  -v, --verbose         say which host facts were read\n", out);
}
