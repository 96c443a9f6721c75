// SPDX-License-Identifier: GPL-2.0
/*
 * Host facts: the containers, the region type names and reading a recorded
 * host file. The text parser is in hostres_text.c, the writer in
 * hostres_write.c, sysfs in hostres_sysfs.c, VFIO in hostres_vfio.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/hostres.h"
#include "vmm/hostres_internal.h"

int hostres_fail(struct hostres_error *err, int ret, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return ret;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return ret;
}

static void copy_name(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/*
 * The structs keep no capacity, so it follows from the count: 8 entries,
 * then doubling. An array is grown exactly when its count reaches a
 * capacity (0, 8, 16, ...), which holds as long as only these functions
 * append to it.
 */
static int grow(void **array, size_t nr, size_t elem_size)
{
	size_t cap;
	void *p;

	if (nr && (nr < 8 || (nr & (nr - 1))))
		return 0;
	cap = nr ? nr * 2 : 8;
	if (cap > SIZE_MAX / elem_size)
		return -ENOMEM;
	p = realloc(*array, cap * elem_size);
	if (!p)
		return -ENOMEM;
	*array = p;
	return 0;
}

int hostres_add_host(struct host_facts *facts, const char *name)
{
	struct host_info *h;

	if (facts->nr_hosts >= INT32_MAX)
		return -ENOMEM;
	if (grow((void **)&facts->hosts, facts->nr_hosts, sizeof(*h)))
		return -ENOMEM;
	h = &facts->hosts[facts->nr_hosts];
	memset(h, 0, sizeof(*h));
	copy_name(h->name, sizeof(h->name), name);
	return facts->nr_hosts++;
}

int hostres_add_region(struct host_facts *facts, unsigned int host,
		       uint64_t start, uint64_t end, enum host_region_type type,
		       const char *what)
{
	struct host_region *r;

	if (host >= facts->nr_hosts || start > end ||
	    (unsigned int)type > HOST_PEER_BAR)
		return -EINVAL;
	if (grow((void **)&facts->regions, facts->nr_regions, sizeof(*r)))
		return -ENOMEM;
	r = &facts->regions[facts->nr_regions++];
	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = end;
	r->type = type;
	r->host = host;
	copy_name(r->what, sizeof(r->what), what);
	return 0;
}

int hostres_add_iova_range(struct host_facts *facts, unsigned int host,
			   uint64_t start, uint64_t end)
{
	struct host_iova_range *r;

	if (host >= facts->nr_hosts || start > end)
		return -EINVAL;
	if (grow((void **)&facts->iova, facts->nr_iova, sizeof(*r)))
		return -ENOMEM;
	r = &facts->iova[facts->nr_iova++];
	r->start = start;
	r->end = end;
	r->host = host;
	return 0;
}

int hostres_add_bar(struct host_facts *facts, const char *bdf,
		    unsigned int index, uint64_t size, bool is_64bit,
		    bool prefetchable)
{
	struct host_bar *b;

	if (index > 6 || !size)
		return -EINVAL;
	if (grow((void **)&facts->bars, facts->nr_bars, sizeof(*b)))
		return -ENOMEM;
	b = &facts->bars[facts->nr_bars++];
	memset(b, 0, sizeof(*b));
	copy_name(b->bdf, sizeof(b->bdf), bdf);
	b->index = index;
	b->size = size;
	b->is_64bit = is_64bit;
	b->prefetchable = prefetchable;
	return 0;
}

/*
 * A host may be asked once per assigned device's group. Each answer lists
 * what that group's IOMMU can map; the host can map only what all of them
 * can, so a later answer narrows the ranges rather than adding to them.
 */
int hostres_narrow_iova_ranges(struct host_facts *facts, unsigned int host,
			       const struct host_iova_range *ranges, size_t nr)
{
	struct host_iova_range *both;
	size_t nr_both = 0, kept = 0;
	int ret = 0;

	if (host >= facts->nr_hosts || !nr)
		return -EINVAL;
	if (!facts->hosts[host].has_iova_ranges) {
		for (size_t i = 0; i < nr && !ret; i++)
			ret = hostres_add_iova_range(facts, host, ranges[i].start,
						     ranges[i].end);
		facts->hosts[host].has_iova_ranges = true;
		return ret;
	}
	if (!facts->nr_iova || nr > SIZE_MAX / sizeof(*both) / facts->nr_iova)
		return facts->nr_iova ? -ENOMEM : -ERANGE;
	both = calloc(facts->nr_iova * nr, sizeof(*both));
	if (!both)
		return -ENOMEM;
	for (size_t i = 0; i < facts->nr_iova; i++) {
		const struct host_iova_range *old = &facts->iova[i];

		if (old->host != host)
			continue;
		for (size_t j = 0; j < nr; j++) {
			uint64_t start = old->start > ranges[j].start ?
					 old->start : ranges[j].start;
			uint64_t end = old->end < ranges[j].end ?
				       old->end : ranges[j].end;

			if (start <= end)
				both[nr_both++] = (struct host_iova_range){
					.start = start, .end = end, .host = host };
		}
	}
	/* Nothing in common: say so and keep what was known. */
	if (!nr_both) {
		free(both);
		return -ERANGE;
	}
	for (size_t i = 0; i < facts->nr_iova; i++)
		if (facts->iova[i].host != host)
			facts->iova[kept++] = facts->iova[i];
	facts->nr_iova = kept;
	for (size_t i = 0; i < nr_both && !ret; i++)
		ret = hostres_add_iova_range(facts, host, both[i].start, both[i].end);
	free(both);
	return ret;
}

void hostres_mark(const struct host_facts *facts, struct hostres_mark *mark)
{
	mark->nr_hosts = facts->nr_hosts;
	mark->nr_regions = facts->nr_regions;
	mark->nr_iova = facts->nr_iova;
	mark->nr_bars = facts->nr_bars;
}

void hostres_rollback(struct host_facts *facts, const struct hostres_mark *mark)
{
	facts->nr_hosts = mark->nr_hosts;
	facts->nr_regions = mark->nr_regions;
	facts->nr_iova = mark->nr_iova;
	facts->nr_bars = mark->nr_bars;
}

void hostres_free(struct host_facts *facts)
{
	free(facts->hosts);
	free(facts->regions);
	free(facts->iova);
	free(facts->bars);
	memset(facts, 0, sizeof(*facts));
}

static const char *const type_names[] = {
	[HOST_MSI] = "msi",
	[HOST_DIRECT] = "direct",
	[HOST_DIRECT_RELAXABLE] = "direct-relaxable",
	[HOST_RESERVED] = "reserved",
	[HOST_PEER_BAR] = "peer-bar",
};

const char *hostres_type_name(enum host_region_type type)
{
	if ((unsigned int)type >= sizeof(type_names) / sizeof(type_names[0]))
		return "unknown";
	return type_names[type];
}

int hostres_type_parse(const char *name, enum host_region_type *type)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (name && !strcmp(name, type_names[i])) {
			*type = i;
			return 0;
		}
	}
	return -EINVAL;
}

int hostres_read_whole(const char *path, char **text, size_t *len)
{
	size_t size = 4096, used = 0;
	char *buf, *bigger;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(size);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		/* Room for the NUL too. */
		if (used + 1 >= size) {
			if (size > SIZE_MAX / 2) {
				ret = -EFBIG;
				goto fail;
			}
			bigger = realloc(buf, size * 2);
			if (!bigger) {
				ret = -ENOMEM;
				goto fail;
			}
			buf = bigger;
			size *= 2;
		}
		n = read(fd, buf + used, size - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		used += n;
	}
	close(fd);
	buf[used] = '\0';
	*text = buf;
	*len = used;
	return 0;
fail:
	free(buf);
	close(fd);
	return ret;
}

int hostres_read_file(struct host_facts *facts, const char *path,
		      struct hostres_error *err)
{
	struct hostres_mark mark;
	size_t len;
	char *text;
	int host, ret;

	hostres_mark(facts, &mark);
	ret = hostres_read_whole(path, &text, &len);
	if (ret)
		return hostres_fail(err, ret, "%s: cannot read: %s", path,
				    strerror(-ret));
	host = hostres_add_host(facts, path);
	if (host < 0) {
		free(text);
		return hostres_fail(err, host, "%s: %s", path, strerror(-host));
	}
	ret = hostres_parse_text(facts, host, path, text, len, err);
	free(text);
	if (ret)
		hostres_rollback(facts, &mark);
	return ret;
}

static const char *region_host_name(const struct host_facts *facts, unsigned int host)
{
	return host < facts->nr_hosts ? facts->hosts[host].name : "?";
}

/*
 * By content only (start, end, type, host name, what), never by list
 * position, so whoever lists host regions lists them the same way, and a
 * saved plan read back (which renumbers hosts) writes the same bytes.
 */
static int region_order_compare(const void *a, const void *b, void *opaque)
{
	const struct host_facts *facts = opaque;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	const struct host_region *ra = &facts->regions[ia];
	const struct host_region *rb = &facts->regions[ib];
	int c;

	if (ra->start != rb->start)
		return ra->start < rb->start ? -1 : 1;
	if (ra->end != rb->end)
		return ra->end < rb->end ? -1 : 1;
	if (ra->type != rb->type)
		return ra->type < rb->type ? -1 : 1;
	c = strcmp(region_host_name(facts, ra->host), region_host_name(facts, rb->host));
	if (!c)
		c = strcmp(ra->what, rb->what);
	if (!c)
		c = ia < ib ? -1 : ia > ib;
	return c;
}

size_t *hostres_sorted(const struct host_facts *facts)
{
	size_t *order = calloc(facts->nr_regions ? facts->nr_regions : 1, sizeof(*order));

	if (!order)
		return NULL;
	for (size_t i = 0; i < facts->nr_regions; i++)
		order[i] = i;
	qsort_r(order, facts->nr_regions, sizeof(*order), region_order_compare,
		(void *)facts);
	return order;
}
