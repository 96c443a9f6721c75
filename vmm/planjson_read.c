// SPDX-License-Identifier: GPL-2.0
/*
 * Saved plans, read: walks a tree from vmm/json and checks what a plan
 * needs to be read back as the same plan. Whether the plan keeps the
 * planner's rules (regions disjoint, RAM off host regions) is
 * memplan_check's business.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/hostres.h"
#include "vmm/json.h"
#include "vmm/planjson.h"
#include "vmm/util.h"

/* The reader's state: where messages go and the path being read. */
struct plan_reader {
	const char *name;
	struct plan_error *err;
	struct json_error json_err;
	char path[96];
};

static int reader_fail(struct plan_reader *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "NAME: what"; returns -EINVAL. */
static int reader_fail(struct plan_reader *rd, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(rd->err->msg, sizeof(rd->err->msg), "%s: %s", rd->name, what);
	return -EINVAL;
}

/* Passes a vmm/json result on, with its message under the file's name. */
static int reader_json(struct plan_reader *rd, int ret)
{
	if (ret)
		snprintf(rd->err->msg, sizeof(rd->err->msg), "%s: %s", rd->name,
			 rd->json_err.msg);
	return ret;
}

/* "WHERE.KEY", or "KEY" at the top level (WHERE ""). */
static const char *member_path(struct plan_reader *rd, const char *where,
			       const char *key)
{
	snprintf(rd->path, sizeof(rd->path), "%s%s%s", where, where[0] ? "." : "", key);
	return rd->path;
}

static int get_u64(struct plan_reader *rd, const struct json_value *object,
		   const char *where, const char *key, uint64_t *out)
{
	return reader_json(rd, json_get_u64(json_find(object, key),
					    member_path(rd, where, key), out,
					    &rd->json_err));
}

/* Whether @s (a JSON key of @len bytes) is one of @keys (NULL-terminated). */
static bool key_known(const char *s, size_t len, const char *const *keys)
{
	for (; *keys; keys++)
		if (strlen(*keys) == len && !memcmp(s, *keys, len))
			return true;
	return false;
}

/*
 * Unknown keys are errors, so a typo ("sise") is not silently a missing
 * optional field; keys starting with "x-" are extensions and ignored.
 */
static int check_keys(struct plan_reader *rd, const struct json_value *object,
		      const char *where, const char *const *keys)
{
	size_t i;

	for (i = 0; i < object->u.object.nr; i++) {
		const struct json_member *m = &object->u.object.members[i];

		if (!strncmp(m->key, "x-", 2) || key_known(m->key, m->key_len, keys))
			continue;
		return reader_fail(rd, "%s: unknown key (extensions' keys start with \"x-\")",
				   member_path(rd, where, m->key));
	}
	return 0;
}

/* An object with only the keys it may have. */
static int expect_object(struct plan_reader *rd, const struct json_value *value,
			 const char *where, const char *const *keys)
{
	if (reader_json(rd, json_expect(value, JSON_OBJECT, where, &rd->json_err)))
		return -EINVAL;
	return check_keys(rd, value, where, keys);
}

/*
 * String member @key into buf. Missing is "" unless @required; too long is
 * an error unless @truncate, which cuts at a character boundary.
 */
static int get_text(struct plan_reader *rd, const struct json_value *object,
		    const char *where, const char *key, bool required,
		    bool truncate, char *buf, size_t size)
{
	const struct json_value *value = json_find(object, key);
	const char *path = member_path(rd, where, key);
	const char *s;
	size_t len;

	buf[0] = 0;
	if (!value && !required)
		return 0;
	if (reader_json(rd, json_get_string(value, path, &s, &rd->json_err)))
		return -EINVAL;
	len = strlen(s);
	if (len >= size && !truncate)
		return reader_fail(rd, "%s: longer than %zu bytes", path, size - 1);
	if (len >= size) {
		/* Byte len is where the cut starts: back off to a lead byte. */
		len = size - 1;
		while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(buf, s, len);
	buf[len] = 0;
	return 0;
}

/* start + size must be inside the 64-bit address space, size not 0. */
static int check_extent(struct plan_reader *rd, const char *where,
			uint64_t start, uint64_t size)
{
	if (!size)
		return reader_fail(rd, "%s.size: must not be 0", where);
	if (start + size < start)
		return reader_fail(rd, "%s: start %llu + size %llu is past the end of the 64-bit address space",
				   where, (unsigned long long)start,
				   (unsigned long long)size);
	return 0;
}

static int read_kind(struct plan_reader *rd, const struct json_value *entry,
		     const char *where, enum plan_kind *kind)
{
	char name[32], known[160];
	size_t used = 0;
	int ret;

	ret = get_text(rd, entry, where, "kind", true, true, name, sizeof(name));
	if (ret || !memplan_kind_parse(name, kind))
		return ret;
	known[0] = 0;
	for (unsigned int k = 0; k < PLAN_NR_KINDS && used < sizeof(known); k++)
		used += snprintf(known + used, sizeof(known) - used, "%s%s",
				 k ? ", " : "", memplan_kind_name(k));
	return reader_fail(rd, "%s.kind: \"%s\" is not a region kind (%s)", where,
			   name, known);
}

static int read_region(struct plan_reader *rd, const struct json_value *entry,
		       const char *where, struct vm_plan *plan)
{
	static const char *const keys[] = { "kind", "name", "start", "size", "why", NULL };
	struct plan_region r = { 0 };
	int ret;

	ret = expect_object(rd, entry, where, keys);
	if (!ret)
		ret = read_kind(rd, entry, where, &r.kind);
	if (!ret)
		ret = get_text(rd, entry, where, "name", true, false, r.name, sizeof(r.name));
	if (!ret)
		ret = get_u64(rd, entry, where, "start", &r.start);
	if (!ret)
		ret = get_u64(rd, entry, where, "size", &r.size);
	if (!ret)
		ret = get_text(rd, entry, where, "why", false, true, r.why, sizeof(r.why));
	if (!ret)
		ret = check_extent(rd, where, r.start, r.size);
	if (!ret && memplan_add_region(plan, &r))
		ret = -ENOMEM;
	return ret;
}

static int read_regions(struct plan_reader *rd, const struct json_value *root,
			struct vm_plan *plan)
{
	const struct json_value *list = json_find(root, "regions");
	char where[48];
	size_t i;
	int ret;

	if (reader_json(rd, json_expect(list, JSON_ARRAY, "regions", &rd->json_err)))
		return -EINVAL;
	for (i = 0; i < json_array_len(list); i++) {
		snprintf(where, sizeof(where), "regions[%zu]", i);
		ret = read_region(rd, json_array_at(list, i), where, plan);
		if (ret)
			return ret;
	}
	memplan_sort(plan);
	return 0;
}

/* The next region of kind ram at or after *index, or NULL. */
static const struct plan_region *next_ram(const struct vm_plan *plan, size_t *index)
{
	for (; *index < plan->nr_regions; (*index)++)
		if (plan->regions[*index].kind == PLAN_RAM)
			return &plan->regions[(*index)++];
	return NULL;
}

/*
 * "ram" repeats the RAM regions so a reader of the file need not filter;
 * a file where the two disagree was edited by hand in one place only.
 */
static int read_ram(struct plan_reader *rd, const struct json_value *root,
		    const struct vm_plan *plan)
{
	static const char *const keys[] = { "start", "size", NULL };
	const struct json_value *list = json_find(root, "ram");
	const struct plan_region *r;
	size_t i, index = 0, nr_ram = 0;
	uint64_t start, size;
	char where[32];

	if (reader_json(rd, json_expect(list, JSON_ARRAY, "ram", &rd->json_err)))
		return -EINVAL;
	for (i = 0; i < plan->nr_regions; i++)
		nr_ram += plan->regions[i].kind == PLAN_RAM;
	for (i = 0; i < json_array_len(list); i++) {
		const struct json_value *bank = json_array_at(list, i);

		snprintf(where, sizeof(where), "ram[%zu]", i);
		if (expect_object(rd, bank, where, keys) ||
		    get_u64(rd, bank, where, "start", &start) ||
		    get_u64(rd, bank, where, "size", &size))
			return -EINVAL;
		r = next_ram(plan, &index);
		if (!r)
			return reader_fail(rd, "%s: one more bank than \"regions\" has regions of kind \"ram\" (%zu)",
					   where, nr_ram);
		if (r->start != start || r->size != size)
			return reader_fail(rd, "%s: start 0x%llx size 0x%llx differs from the RAM region %s: start 0x%llx size 0x%llx",
					   where, (unsigned long long)start,
					   (unsigned long long)size, r->name,
					   (unsigned long long)r->start,
					   (unsigned long long)r->size);
	}
	r = next_ram(plan, &index);
	if (r)
		return reader_fail(rd, "ram: the RAM region %s (start 0x%llx size 0x%llx) is not listed",
				   r->name, (unsigned long long)r->start,
				   (unsigned long long)r->size);
	return 0;
}

static int read_ram_size(struct plan_reader *rd, const struct json_value *root,
			 struct vm_plan *plan)
{
	uint64_t total = 0;
	size_t i;

	if (get_u64(rd, root, "", "ram_size", &plan->ram_size))
		return -EINVAL;
	for (i = 0; i < plan->nr_regions; i++) {
		if (plan->regions[i].kind != PLAN_RAM)
			continue;
		if (__builtin_add_overflow(total, plan->regions[i].size, &total))
			return reader_fail(rd, "regions: the RAM banks total more than 2^64 bytes");
	}
	if (total != plan->ram_size)
		return reader_fail(rd, "ram_size: %llu, but the RAM banks total %llu",
				   (unsigned long long)plan->ram_size,
				   (unsigned long long)total);
	return 0;
}

/* Optional: a plan without a doorbell (size 0) may leave it out. */
static int read_doorbell(struct plan_reader *rd, const struct json_value *root,
			 struct vm_plan *plan)
{
	static const char *const keys[] = { "start", "size", "where", NULL };
	const struct json_value *bell = json_find(root, "doorbell");
	struct plan_doorbell *d = &plan->doorbell;

	if (!bell)
		return 0;
	if (expect_object(rd, bell, "doorbell", keys) ||
	    get_u64(rd, bell, "doorbell", "start", &d->start) ||
	    get_u64(rd, bell, "doorbell", "size", &d->size) ||
	    get_text(rd, bell, "doorbell", "where", false, true, d->where, sizeof(d->where)))
		return -EINVAL;
	return d->size ? check_extent(rd, "doorbell", d->start, d->size) : 0;
}

static int read_arch(struct plan_reader *rd, const struct json_value *root,
		     struct vm_plan *plan)
{
	char arch[PLAN_ARCH_LEN];

	if (get_text(rd, root, "", "arch", true, true, arch, sizeof(arch)))
		return -EINVAL;
	if (strcmp(arch, "x86_64") && strcmp(arch, "arm64"))
		return reader_fail(rd, "arch: \"%s\" is not an architecture shapevm plans for (x86_64 or arm64)",
				   arch);
	memcpy(plan->arch, arch, sizeof(arch));
	return 0;
}

/* The index of host @name in facts, added when it is not there yet. */
static int find_or_add_host(struct host_facts *facts, const char *name)
{
	size_t i;

	for (i = 0; i < facts->nr_hosts; i++)
		if (!strcmp(facts->hosts[i].name, name))
			return (int)i;
	return hostres_add_host(facts, name);
}

static int read_host_type(struct plan_reader *rd, const struct json_value *entry,
			  const char *where, enum host_region_type *type)
{
	char name[32], known[96];
	size_t used = 0;
	int ret;

	ret = get_text(rd, entry, where, "type", true, true, name, sizeof(name));
	if (ret || !hostres_type_parse(name, type))
		return ret;
	known[0] = 0;
	for (unsigned int t = 0; t <= HOST_PEER_BAR && used < sizeof(known); t++)
		used += snprintf(known + used, sizeof(known) - used, "%s%s",
				 t ? ", " : "", hostres_type_name(t));
	return reader_fail(rd, "%s.type: \"%s\" is not a host region type (%s)", where,
			   name, known);
}

static int read_host_region(struct plan_reader *rd, const struct json_value *entry,
			    const char *where, struct host_facts *facts)
{
	static const char *const keys[] = { "start", "end", "type", "host", "what", NULL };
	char host[HOSTRES_NAME_LEN], what[HOSTRES_WHAT_LEN];
	enum host_region_type type;
	uint64_t start, end;
	int index, ret;

	if (expect_object(rd, entry, where, keys) ||
	    get_u64(rd, entry, where, "start", &start) ||
	    get_u64(rd, entry, where, "end", &end) ||
	    read_host_type(rd, entry, where, &type) ||
	    get_text(rd, entry, where, "host", false, false, host, sizeof(host)) ||
	    get_text(rd, entry, where, "what", false, true, what, sizeof(what)))
		return -EINVAL;
	if (end < start)
		return reader_fail(rd, "%s.end: %llu is below start %llu (end is inclusive)",
				   where, (unsigned long long)end,
				   (unsigned long long)start);
	if (!json_find(entry, "host"))
		snprintf(host, sizeof(host), "%s", rd->name);
	index = find_or_add_host(facts, host);
	ret = index < 0 ? index : hostres_add_region(facts, index, start, end, type, what);
	if (ret && ret != -ENOMEM)
		return reader_fail(rd, "%s: not accepted as a host region (%s)", where,
				   strerror(-ret));
	return ret;
}

static int read_host_reserved(struct plan_reader *rd, const struct json_value *root,
			      struct host_facts *facts)
{
	const struct json_value *list = json_find(root, "host_reserved");
	char where[48];
	size_t i;
	int ret;

	if (!list)
		return 0;
	if (reader_json(rd, json_expect(list, JSON_ARRAY, "host_reserved", &rd->json_err)))
		return -EINVAL;
	for (i = 0; i < json_array_len(list); i++) {
		snprintf(where, sizeof(where), "host_reserved[%zu]", i);
		ret = read_host_region(rd, json_array_at(list, i), where, facts);
		if (ret)
			return ret;
	}
	return 0;
}

static bool facts_empty(const struct host_facts *facts)
{
	return !facts->nr_hosts && !facts->nr_regions && !facts->nr_iova &&
	       !facts->nr_bars;
}

/*
 * Moves what was read (in @read) into the caller's facts, all or nothing.
 * Empty facts take it whole. Otherwise the additions are appended, and
 * should that run out of memory, the counts are put back: hostres appends
 * hosts and regions, so the entries past the old counts are exactly ours.
 */
static int merge_host_facts(struct host_facts *facts, struct host_facts *read)
{
	size_t old_hosts = facts->nr_hosts, old_regions = facts->nr_regions, i;
	int index, ret = 0;

	if (facts_empty(facts)) {
		hostres_free(facts);
		*facts = *read;
		memset(read, 0, sizeof(*read));
		return 0;
	}
	for (i = 0; i < read->nr_regions && !ret; i++) {
		const struct host_region *h = &read->regions[i];

		index = find_or_add_host(facts, read->hosts[h->host].name);
		ret = index < 0 ? index : hostres_add_region(facts, index, h->start,
							     h->end, h->type, h->what);
	}
	if (ret) {
		facts->nr_hosts = old_hosts;
		facts->nr_regions = old_regions;
	}
	hostres_free(read);
	return ret;
}

static int read_plan(struct plan_reader *rd, const struct json_value *root,
		     struct vm_plan *plan, struct host_facts *facts)
{
	static const char *const keys[] = {
		"version", "arch", "ram_size", "addr_limit", "allow_relaxable",
		"ram", "regions", "doorbell", "host_reserved", NULL
	};
	uint64_t version;
	int ret;

	if (reader_json(rd, json_expect(root, JSON_OBJECT, "", &rd->json_err)))
		return -EINVAL;
	/* The version first: a newer file's keys are unknown, not typos. */
	if (get_u64(rd, root, "", "version", &version))
		return -EINVAL;
	if (version != PLANJSON_VERSION)
		return reader_fail(rd, "version: %llu is not a version this shapevm reads (%d)",
				   (unsigned long long)version, PLANJSON_VERSION);
	if (check_keys(rd, root, "", keys) ||
	    read_arch(rd, root, plan) ||
	    get_u64(rd, root, "", "addr_limit", &plan->addr_limit) ||
	    reader_json(rd, json_get_bool(json_find(root, "allow_relaxable"),
					  "allow_relaxable", &plan->allow_relaxable,
					  &rd->json_err)))
		return -EINVAL;
	ret = read_regions(rd, root, plan);
	if (!ret)
		ret = read_ram(rd, root, plan);
	if (!ret)
		ret = read_ram_size(rd, root, plan);
	if (!ret)
		ret = read_doorbell(rd, root, plan);
	/* Read even when the caller has no use for them: errors are errors. */
	if (!ret)
		ret = read_host_reserved(rd, root, facts);
	return ret;
}

int planjson_read(const char *name, const char *text, size_t len,
		  struct vm_plan *plan, struct host_facts *facts,
		  struct plan_error *err)
{
	struct plan_reader rd = { .name = name, .err = err };
	struct host_facts read = { 0 };
	struct json_value root;
	int ret;

	memplan_init(plan);
	err->msg[0] = 0;
	ret = json_parse(name, text, len, &root, &rd.json_err);
	if (ret) {
		snprintf(err->msg, sizeof(err->msg), "%s", rd.json_err.msg);
		return ret;
	}
	ret = read_plan(&rd, &root, plan, &read);
	if (!ret && facts)
		ret = merge_host_facts(facts, &read);
	if (ret == -ENOMEM)
		snprintf(err->msg, sizeof(err->msg), "%s: out of memory", name);
	if (ret)
		memplan_free(plan);
	hostres_free(&read);
	json_free(&root);
	return ret;
}
