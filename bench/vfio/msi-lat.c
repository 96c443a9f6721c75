// SPDX-License-Identifier: GPL-2.0
/*
 * msi-lat: the latency of an MSI from QEMU's edu device to the guest's CPU,
 * measured inside the L2 guest of bench/vfio with no driver of ours.
 *
 *   msi-lat [COUNT [GAP_US]]      (defaults 2000 and 2000)
 *
 * The guest kernel (Debian's 6.1) has no VFIO no-IOMMU mode, so instead of
 * an eventfd in the guest, the guest's own interrupt entry is the end of the
 * clock: edu's MSI capability is programmed through sysfs (address
 * 0xfee00000, the boot CPU, data 0x00f7: fixed, edge, vector 0xf7, which is
 * Linux's X86_PLATFORM_IPI_VECTOR: a system vector whose handler does
 * nothing on a KVM guest but count, and which has a tracepoint,
 * irq_vectors:x86_platform_ipi_entry). The trace clock is "mono", the same
 * as CLOCK_MONOTONIC.
 *
 * Each round: CLOCK_MONOTONIC, then a write of 1 to edu's raise register
 * (BAR0 + 0x60, mmapped from sysfs resource0); edu sends its MSI, which goes
 * through L1's IOMMU and vfio-pci's handler to the VFIO eventfd, KVM's irqfd
 * on the VMM's MSI route, and into this vCPU. After GAP_US the status is
 * acknowledged (BAR0 + 0x64) and the next round starts. At the end the
 * trace's entries are paired with the rounds: the first entry at or after a
 * round's start and before the next round's is its arrival. The trace
 * prints microseconds, so latencies are whole microseconds.
 *
 * Prints one line for the host (and the rounds that found no interrupt):
 *   MSI_LAT: n=N missed=M extra=E median_us=.. p90_us=.. p99_us=.. min_us=..
 *            max_us=.. mean_us=.. store_us=..
 * store_us is the median time the raise instruction itself took, to the next
 * clock read in user space. Exit status 0 when at least 90% arrived.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_ID		0x00
#define EDU_STATUS	0x24
#define EDU_RAISE	0x60
#define EDU_ACK		0x64

#define MSI_ADDRESS	0xfee00000u
#define MSI_VECTOR	0xf7	/* X86_PLATFORM_IPI_VECTOR */
#define TRACING		"/sys/kernel/tracing"
#define EVENT		"irq_vectors/x86_platform_ipi_entry"
#define WARMUP		20

static void die(const char *what)
{
	fprintf(stderr, "msi-lat: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void die_msg(const char *msg)
{
	fprintf(stderr, "msi-lat: %s\n", msg);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	if (fd < 0)
		die(path);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die(path);
	close(fd);
}

static unsigned int read_hex(const char *dir, const char *name)
{
	char path[512], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoul(buf, NULL, 16);
}

/* The sysfs directory of the first edu device, in "dir". */
static void find_edu(char *dir, size_t len)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;

	if (!d)
		die("/sys/bus/pci/devices");
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, len, "/sys/bus/pci/devices/%s", e->d_name);
		if (read_hex(dir, "vendor") == EDU_VENDOR && read_hex(dir, "device") == EDU_DEVICE) {
			closedir(d);
			return;
		}
	}
	die_msg("no edu device (1234:11e8) on the guest's PCI bus");
}

static uint32_t config_read(int fd, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	if (pread(fd, &v, size, off) != (ssize_t)size)
		die("config read");
	return v;
}

static void config_write(int fd, unsigned int off, uint32_t v, unsigned int size)
{
	if (pwrite(fd, &v, size, off) != (ssize_t)size)
		die("config write");
}

/* The MSI capability's offset, or 0. */
static unsigned int find_msi(int fd)
{
	unsigned int pos, guard = 48;

	if (!(config_read(fd, 0x06, 2) & 0x10))
		return 0;
	for (pos = config_read(fd, 0x34, 1) & ~3u; pos >= 0x40 && guard--;
	     pos = config_read(fd, pos + 1, 1) & ~3u)
		if (config_read(fd, pos, 1) == 0x05)
			return pos;
	return 0;
}

static void tracing_setup(void)
{
	struct stat st;

	if (stat(TRACING "/trace", &st) &&
	    mount("tracefs", TRACING, "tracefs", 0, NULL))
		die("mount tracefs on " TRACING);
	write_file(TRACING "/tracing_on", "0");
	write_file(TRACING "/trace_clock", "mono");
	write_file(TRACING "/buffer_size_kb", "2048");
	write_file(TRACING "/trace", "");
	write_file(TRACING "/events/" EVENT "/enable", "1");
	write_file(TRACING "/tracing_on", "1");
}

/*
 * The entries' times in ns (microsecond resolution), in order, from lines
 * such as "  msi-lat-57  [000] d.h1.  123.456789: x86_platform_ipi_entry: vector=247".
 */
static size_t trace_read(uint64_t *at, size_t max)
{
	FILE *f = fopen(TRACING "/trace", "r");
	char line[512];
	size_t n = 0;

	if (!f)
		die(TRACING "/trace");
	while (fgets(line, sizeof(line), f)) {
		char *mark = strstr(line, ": x86_platform_ipi_entry:");
		unsigned long long sec, usec;
		char *p;

		if (line[0] == '#' || !mark)
			continue;
		*mark = 0;
		p = strrchr(line, ' ');
		if (!p || sscanf(p + 1, "%llu.%llu", &sec, &usec) != 2)
			continue;
		if (n < max)
			at[n++] = sec * 1000000000ull + usec * 1000ull;
	}
	fclose(f);
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The value below which p% of the sorted v[0..n) lie (nearest rank). */
static uint64_t pct(const uint64_t *v, size_t n, unsigned int p)
{
	size_t rank = (n * p + 99) / 100;

	return v[rank ? rank - 1 : 0];
}

int main(int argc, char **argv)
{
	unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000;
	unsigned long gap_us = argc > 2 ? strtoul(argv[2], NULL, 0) : 2000;
	size_t rounds, n_events, got = 0, missed = 0, paired = 0, extra, e = 0;
	uint64_t *start, *stored, *events, *lat, *store, sum = 0;
	struct timespec gap;
	char dir[300], path[400];
	volatile uint32_t *bar;
	unsigned int msi, ctl, data_off;
	uint16_t command;
	int cfg, res;

	if (count < 10 || count > 1000000)
		die_msg("COUNT: 10 to 1000000");
	rounds = count + WARMUP;
	gap = (struct timespec) { .tv_sec = gap_us / 1000000, .tv_nsec = gap_us % 1000000 * 1000 };
	start = calloc(rounds + 1, sizeof(*start));
	stored = calloc(rounds, sizeof(*stored));
	events = calloc(rounds * 2 + 16, sizeof(*events));
	lat = calloc(rounds, sizeof(*lat));
	store = calloc(rounds, sizeof(*store));
	if (!start || !stored || !events || !lat || !store)
		die("calloc");

	find_edu(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/config", dir);
	cfg = open(path, O_RDWR);
	if (cfg < 0)
		die(path);
	snprintf(path, sizeof(path), "%s/resource0", dir);
	res = open(path, O_RDWR | O_SYNC);
	if (res < 0)
		die(path);
	/*
	 * No driver enabled the device: memory decode first (firmware may have
	 * left it off), bus mastering for the MSI write.
	 */
	command = config_read(cfg, 0x04, 2);
	config_write(cfg, 0x04, command | 0x6, 2);
	bar = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, res, 0);
	if (bar == MAP_FAILED)
		die("mmap resource0");
	if (bar[EDU_ID / 4] != 0x010000ed) {
		fprintf(stderr, "msi-lat: edu's identity reads 0x%08x, not 0x010000ed\n", bar[EDU_ID / 4]);
		return 1;
	}
	msi = find_msi(cfg);
	if (!msi)
		die_msg("edu shows no MSI capability");

	/* MSI to the boot CPU's vector 0xf7. */
	ctl = config_read(cfg, msi + 2, 2);
	config_write(cfg, msi + 2, ctl & ~0x71u, 2);	/* off, one message */
	config_write(cfg, msi + 4, MSI_ADDRESS, 4);
	data_off = 8;
	if (ctl & 0x80) {				/* 64-bit address */
		config_write(cfg, msi + 8, 0, 4);
		data_off = 12;
	}
	config_write(cfg, msi + data_off, MSI_VECTOR, 2);
	config_write(cfg, msi + 2, (ctl & ~0x71u) | 1, 2);
	tracing_setup();

	for (size_t i = 0; i < rounds; i++) {
		start[i] = now_ns();
		bar[EDU_RAISE / 4] = 1;
		stored[i] = now_ns();
		nanosleep(&gap, NULL);
		bar[EDU_ACK / 4] = bar[EDU_STATUS / 4];
	}
	start[rounds] = now_ns();
	write_file(TRACING "/tracing_on", "0");
	config_write(cfg, msi + 2, ctl & ~0x71u, 2);
	config_write(cfg, 0x04, command, 2);

	n_events = trace_read(events, rounds * 2 + 16);
	/* Trace times are cut to the microsecond: compare at that grain. */
	for (size_t i = 0; i < rounds; i++) {
		uint64_t from = start[i] / 1000 * 1000, to = start[i + 1] / 1000 * 1000;

		while (e < n_events && events[e] < from)
			e++;
		if (e < n_events && events[e] < to) {
			paired++;
			if (i >= WARMUP) {
				lat[got] = events[e] - from;
				store[got] = stored[i] - start[i];
				sum += lat[got];
				got++;
			}
			e++;
		} else if (i >= WARMUP) {
			missed++;
		}
	}
	extra = n_events - paired;
	if (!got)
		die_msg("no interrupt arrived (is the tracepoint " EVENT " there?)");
	qsort(lat, got, sizeof(*lat), cmp_u64);
	qsort(store, got, sizeof(*store), cmp_u64);
	printf("MSI_LAT: n=%zu missed=%zu extra=%zu median_us=%.1f p90_us=%.1f p99_us=%.1f min_us=%.1f max_us=%.1f mean_us=%.1f store_us=%.1f\n",
	       got, missed, extra, pct(lat, got, 50) / 1e3, pct(lat, got, 90) / 1e3,
	       pct(lat, got, 99) / 1e3, lat[0] / 1e3, lat[got - 1] / 1e3,
	       (double)sum / got / 1e3, pct(store, got, 50) / 1e3);
	return got * 10 >= count * 9 ? 0 : 2;
}
