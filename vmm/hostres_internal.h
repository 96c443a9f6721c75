/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What vmm/hostres.c, hostres_sysfs.c, hostres_text.c and hostres_vfio.c
 * share. Not part of the module's API: only those files (and the module's
 * unit test) include it.
 */
#ifndef SHAPEVM_HOSTRES_INTERNAL_H
#define SHAPEVM_HOSTRES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/hostres.h"

/* Fills err (if any) and returns ret. */
int hostres_fail(struct hostres_error *err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * "0x" and 1 or more hex digits, nothing else: 0, -EINVAL when it is not
 * such a number, -ERANGE when it does not fit in 64 bits.
 */
int hostres_parse_hex(const char *text, size_t len, uint64_t *value);

/*
 * hostres_parse_text, where a region line without a trailing comment is
 * described by @default_what ("group 7" for a sysfs file).
 */
int hostres_parse_lines(struct host_facts *facts, unsigned int host,
			const char *name, const char *text, size_t len,
			const char *default_what, struct hostres_error *err);

/*
 * The whole of a file, of any size (sysfs files report no size), NUL
 * terminated for convenience but @len excludes the NUL. 0 or -errno; the
 * caller frees *text.
 */
int hostres_read_whole(const char *path, char **text, size_t *len);

/*
 * The counts of every array: a function that fails part way restores them,
 * so facts hold all of a file or none of it. Shrinking a count is safe: an
 * array's real capacity never falls below what its count implies.
 */
struct hostres_mark {
	size_t nr_hosts;
	size_t nr_regions;
	size_t nr_iova;
	size_t nr_bars;
};

void hostres_mark(const struct host_facts *facts, struct hostres_mark *mark);
void hostres_rollback(struct host_facts *facts, const struct hostres_mark *mark);

/*
 * Records the IOVA ranges one VFIO container reports for @host. The first
 * answer is taken as it is (and sets has_iova_ranges); a later one, from
 * another of the host's groups, leaves only what both allow. -ERANGE, with
 * nothing changed, when they have nothing in common.
 */
int hostres_narrow_iova_ranges(struct host_facts *facts, unsigned int host,
			       const struct host_iova_range *ranges, size_t nr);

#endif
