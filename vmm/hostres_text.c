// SPDX-License-Identifier: GPL-2.0
/*
 * The --host-reserved format: Linux's
 * /sys/kernel/iommu_groups/N/reserved_regions lines ("0x%016llx 0x%016llx
 * %s", end inclusive) plus a few lines of our own. Every malformed line is
 * an error that names FILE:LINE, says what is wrong and what was expected:
 * these files are written by hand or recorded on another machine, and a
 * silently skipped line would be a reserved region the planner never sees.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "vmm/hostres.h"
#include "vmm/hostres_internal.h"

#define MAX_WORDS	4	/* the longest line form has 3, one more is "extra" */
#define QUOTE_LEN	48

#define REGION_FORM	"0x<start> 0x<end> <type>"
#define IOVA_FORM	"iova-range 0x<start> 0x<end>"
#define TYPES_LIST	"msi, direct, direct-relaxable, reserved"

struct word {
	const char *p;
	size_t len;
};

struct line {
	const char *file;
	unsigned int nr;
	const char *p;		/* the line without its comment, trimmed */
	size_t len;
	const char *comment;	/* after the '#', trimmed; NULL: none */
	size_t comment_len;
	struct word words[MAX_WORDS];
	size_t nr_words;	/* at most MAX_WORDS: more counts as MAX_WORDS */
};

struct quote {
	char text[QUOTE_LEN + 4];
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Untrusted text, made printable and cut short, for an error message. */
static const char *quote(struct quote *q, const char *p, size_t len)
{
	size_t n = len > QUOTE_LEN ? QUOTE_LEN : len;

	for (size_t i = 0; i < n; i++)
		q->text[i] = (unsigned char)p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i];
	strcpy(q->text + n, len > n ? "..." : "");
	return q->text;
}

int hostres_parse_hex(const char *text, size_t len, uint64_t *value)
{
	uint64_t v = 0;

	if (len < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
		return -EINVAL;
	for (size_t i = 2; i < len; i++) {
		int d = hex_digit(text[i]);

		if (d < 0)
			return -EINVAL;
		if (v >> 60)
			return -ERANGE;
		v = v << 4 | d;
	}
	*value = v;
	return 0;
}

static int parse_decimal(const char *text, size_t len, uint64_t *value)
{
	uint64_t v = 0;

	if (!len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (text[i] - '0');
	}
	*value = v;
	return 0;
}

static bool word_is(const struct word *w, const char *s)
{
	return w->len == strlen(s) && !memcmp(w->p, s, w->len);
}

/* Splits the line into its comment and up to MAX_WORDS words. */
static void split_line(struct line *l, const char *p, size_t len)
{
	const char *hash = memchr(p, '#', len);
	const char *end;

	l->comment = NULL;
	l->comment_len = 0;
	if (hash) {
		l->comment = hash + 1;
		l->comment_len = p + len - l->comment;
		while (l->comment_len && is_blank(*l->comment)) {
			l->comment++;
			l->comment_len--;
		}
		while (l->comment_len && is_blank(l->comment[l->comment_len - 1]))
			l->comment_len--;
		len = hash - p;
	}
	while (len && is_blank(*p)) {
		p++;
		len--;
	}
	while (len && is_blank(p[len - 1]))
		len--;
	l->p = p;
	l->len = len;

	l->nr_words = 0;
	end = p + len;
	while (p < end && l->nr_words < MAX_WORDS) {
		struct word *w = &l->words[l->nr_words++];

		w->p = p;
		while (p < end && !is_blank(*p))
			p++;
		w->len = p - w->p;
		while (p < end && is_blank(*p))
			p++;
	}
}

static int line_hex(const struct line *l, const struct word *w,
		    uint64_t *value, struct hostres_error *err)
{
	struct quote q;
	int ret = hostres_parse_hex(w->p, w->len, value);

	if (ret == -ERANGE)
		return hostres_fail(err, -EINVAL,
				    "%s:%u: \"%s\" does not fit in 64 bits (at most 0xffffffffffffffff)",
				    l->file, l->nr, quote(&q, w->p, w->len));
	if (ret)
		return hostres_fail(err, -EINVAL,
				    "%s:%u: not a hex number \"%s\" (0x followed by hex digits)",
				    l->file, l->nr, quote(&q, w->p, w->len));
	return 0;
}

/* "0x<start> 0x<end>" from words @first and @first + 1. */
static int line_range(const struct line *l, size_t first, const char *form,
		      uint64_t *start, uint64_t *end, struct hostres_error *err)
{
	struct quote q;
	int ret;

	if (l->nr_words <= first)
		return hostres_fail(err, -EINVAL, "%s:%u: \"%s\": no start address (%s)",
				    l->file, l->nr, quote(&q, l->p, l->len), form);
	ret = line_hex(l, &l->words[first], start, err);
	if (ret)
		return ret;
	if (l->nr_words <= first + 1)
		return hostres_fail(err, -EINVAL, "%s:%u: \"%s\": no end address (%s)",
				    l->file, l->nr, quote(&q, l->p, l->len), form);
	ret = line_hex(l, &l->words[first + 1], end, err);
	if (ret)
		return ret;
	return 0;
}

static int extra_words(const struct line *l, size_t expected,
		       const char *after, const char *form,
		       struct hostres_error *err)
{
	struct quote q;
	const struct word *w = &l->words[expected];

	if (l->nr_words <= expected)
		return 0;
	return hostres_fail(err, -EINVAL, "%s:%u: extra words after the %s (\"%s\") (%s)",
			    l->file, l->nr, after,
			    quote(&q, w->p, l->p + l->len - w->p), form);
}

static int below_start(const struct line *l, struct hostres_error *err)
{
	struct quote q;

	return hostres_fail(err, -EINVAL,
			    "%s:%u: \"%s\": end is below start (the end is inclusive: start <= end)",
			    l->file, l->nr, quote(&q, l->p, l->len));
}

static int parse_region(struct host_facts *facts, unsigned int host,
			const struct line *l, const char *default_what,
			struct hostres_error *err)
{
	char type_name[24], what[HOSTRES_WHAT_LEN];
	enum host_region_type type;
	const struct word *w;
	uint64_t start, end;
	struct quote q;
	int ret;

	ret = line_range(l, 0, REGION_FORM, &start, &end, err);
	if (ret)
		return ret;
	if (l->nr_words < 3)
		return hostres_fail(err, -EINVAL, "%s:%u: \"%s\": no type (%s)",
				    l->file, l->nr, quote(&q, l->p, l->len),
				    REGION_FORM);
	w = &l->words[2];
	snprintf(type_name, sizeof(type_name), "%.*s", (int)w->len, w->p);
	if (w->len >= sizeof(type_name) || hostres_type_parse(type_name, &type))
		return hostres_fail(err, -EINVAL, "%s:%u: unknown type \"%s\" (%s)",
				    l->file, l->nr, quote(&q, w->p, w->len),
				    TYPES_LIST);
	ret = extra_words(l, 3, "type", REGION_FORM ", then an optional # comment", err);
	if (ret)
		return ret;
	if (end < start)
		return below_start(l, err);

	/* The comment hostres_write puts after a region says what it is. */
	if (l->comment && l->comment_len)
		snprintf(what, sizeof(what), "%.*s", (int)l->comment_len, l->comment);
	else
		snprintf(what, sizeof(what), "%s", default_what ? default_what : "");
	ret = hostres_add_region(facts, host, start, end, type, what);
	if (ret)
		return hostres_fail(err, ret, "%s:%u: %s", l->file, l->nr,
				    strerror(-ret));
	return 0;
}

static int parse_iova_range(struct host_facts *facts, unsigned int host,
			    const struct line *l, struct hostres_error *err)
{
	uint64_t start, end;
	int ret;

	ret = line_range(l, 1, IOVA_FORM, &start, &end, err);
	if (ret)
		return ret;
	ret = extra_words(l, 3, "end", IOVA_FORM, err);
	if (ret)
		return ret;
	if (end < start)
		return below_start(l, err);
	ret = hostres_add_iova_range(facts, host, start, end);
	if (ret)
		return hostres_fail(err, ret, "%s:%u: %s", l->file, l->nr,
				    strerror(-ret));
	facts->hosts[host].has_iova_ranges = true;
	return 0;
}

/*
 * "KEY VALUE" lines, each at most once per host: two differing values would
 * leave the planner guessing which one holds.
 */
static int parse_setting(struct host_facts *facts, unsigned int host,
			 const struct line *l, struct hostres_error *err)
{
	struct host_info *h = &facts->hosts[host];
	const struct word *key = &l->words[0], *w = &l->words[1];
	const char *form;
	uint64_t value;
	bool seen;
	struct quote q;
	int ret;

	if (word_is(key, "phys-bits")) {
		form = "phys-bits N, 12 to 64";
		seen = h->phys_bits;
	} else if (word_is(key, "pgsize-bitmap")) {
		form = "pgsize-bitmap 0x<bitmap of IOMMU page sizes>";
		seen = h->pgsize_bitmap;
	} else {
		form = "dma-avail N, 1 to 4294967295";
		seen = h->dma_avail;
	}
	if (l->nr_words < 2)
		return hostres_fail(err, -EINVAL, "%s:%u: \"%s\": no value (%s)",
				    l->file, l->nr, quote(&q, l->p, l->len), form);
	ret = extra_words(l, 2, "value", form, err);
	if (ret)
		return ret;
	if (word_is(key, "pgsize-bitmap")) {
		ret = line_hex(l, w, &value, err);
		if (ret)
			return ret;
	} else {
		ret = parse_decimal(w->p, w->len, &value);
		if (ret == -ERANGE)
			goto range;
		if (ret)
			return hostres_fail(err, -EINVAL,
					    "%s:%u: %.*s \"%s\": not a decimal number (%s)",
					    l->file, l->nr, (int)key->len, key->p,
					    quote(&q, w->p, w->len), form);
	}
	if (seen)
		return hostres_fail(err, -EINVAL, "%s:%u: a second %.*s line (one per host)",
				    l->file, l->nr, (int)key->len, key->p);

	if (word_is(key, "phys-bits")) {
		if (value < 12 || value > 64)
			goto range;
		h->phys_bits = value;
	} else if (word_is(key, "pgsize-bitmap")) {
		if (!value)
			goto range;
		h->pgsize_bitmap = value;
	} else {
		if (!value || value > UINT32_MAX)
			goto range;
		h->dma_avail = value;
	}
	return 0;
range:
	return hostres_fail(err, -EINVAL, "%s:%u: %.*s %s: out of range (%s)",
			    l->file, l->nr, (int)key->len, key->p,
			    quote(&q, w->p, w->len), form);
}

/*
 * A first word made of digits and hex letters is meant as an address, so
 * "fee00000 ..." is told it lacks its 0x rather than that the line is
 * unknown.
 */
static bool looks_like_number(const struct word *w)
{
	if (w->p[0] >= '0' && w->p[0] <= '9')
		return true;
	for (size_t i = 0; i < w->len; i++)
		if (hex_digit(w->p[i]) < 0)
			return false;
	return true;
}

static int parse_line(struct host_facts *facts, unsigned int host,
		      const struct line *l, const char *default_what,
		      struct hostres_error *err)
{
	const struct word *first = &l->words[0];
	struct quote q;

	if (word_is(first, "iova-range"))
		return parse_iova_range(facts, host, l, err);
	if (word_is(first, "phys-bits") || word_is(first, "pgsize-bitmap") ||
	    word_is(first, "dma-avail"))
		return parse_setting(facts, host, l, err);
	if (looks_like_number(first))
		return parse_region(facts, host, l, default_what, err);
	return hostres_fail(err, -EINVAL,
			    "%s:%u: unknown line \"%s\" (%s, iova-range, phys-bits, pgsize-bitmap or dma-avail)",
			    l->file, l->nr, quote(&q, l->p, l->len), REGION_FORM);
}

int hostres_parse_lines(struct host_facts *facts, unsigned int host,
			const char *name, const char *text, size_t len,
			const char *default_what, struct hostres_error *err)
{
	struct line l = { .file = name ? name : "(text)" };
	struct hostres_mark mark;
	struct host_info saved;
	size_t pos = 0;
	int ret = 0;

	if (host >= facts->nr_hosts)
		return hostres_fail(err, -EINVAL, "%s: host %u does not exist",
				    l.file, host);
	hostres_mark(facts, &mark);
	saved = facts->hosts[host];
	while (pos < len) {
		const char *p = text + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - p) : len - pos;

		pos += line_len + (nl ? 1 : 0);
		l.nr++;
		if (memchr(p, '\0', line_len)) {
			ret = hostres_fail(err, -EINVAL,
					   "%s:%u: a NUL byte: binary data? (lines of text)",
					   l.file, l.nr);
			break;
		}
		split_line(&l, p, line_len);
		if (!l.nr_words)
			continue;
		ret = parse_line(facts, host, &l, default_what, err);
		if (ret)
			break;
	}
	/* All of the text or none of it. */
	if (ret) {
		hostres_rollback(facts, &mark);
		facts->hosts[host] = saved;
	}
	return ret;
}

int hostres_parse_text(struct host_facts *facts, unsigned int host,
		       const char *name, const char *text, size_t len,
		       struct hostres_error *err)
{
	return hostres_parse_lines(facts, host, name, text, len, "", err);
}
