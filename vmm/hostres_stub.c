// TEMPORARY until the hostres branch merges: delete then.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/hostres.h"

static const char *const names[] = { "msi", "direct", "direct-relaxable", "reserved", "peer-bar" };

const char *hostres_type_name(enum host_region_type type)
{
	return (unsigned int)type < 5 ? names[type] : "?";
}

int hostres_type_parse(const char *name, enum host_region_type *type)
{
	for (unsigned int i = 0; i < 5; i++) {
		if (!strcmp(name, names[i])) {
			*type = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Room for one more of nr items: capacity doubles at powers of two. */
static int grow(void **array, size_t nr, size_t size)
{
	void *bigger;

	if (nr & (nr - 1))
		return 0;
	bigger = realloc(*array, (nr ? nr * 2 : 1) * size);
	if (!bigger)
		return -ENOMEM;
	*array = bigger;
	return 0;
}

int hostres_add_host(struct host_facts *facts, const char *name)
{
	struct host_info *info;

	if (grow((void **)&facts->hosts, facts->nr_hosts, sizeof(*facts->hosts)))
		return -ENOMEM;
	info = &facts->hosts[facts->nr_hosts];
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", name);
	return facts->nr_hosts++;
}

int hostres_add_region(struct host_facts *facts, unsigned int host,
		       uint64_t start, uint64_t end, enum host_region_type type,
		       const char *what)
{
	struct host_region *r;

	if (host >= facts->nr_hosts || end < start)
		return -EINVAL;
	if (grow((void **)&facts->regions, facts->nr_regions, sizeof(*facts->regions)))
		return -ENOMEM;
	r = &facts->regions[facts->nr_regions++];
	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = end;
	r->type = type;
	r->host = host;
	snprintf(r->what, sizeof(r->what), "%s", what ? what : "");
	return 0;
}

void hostres_free(struct host_facts *facts)
{
	free(facts->hosts);
	free(facts->regions);
	free(facts->iova);
	free(facts->bars);
	memset(facts, 0, sizeof(*facts));
}
