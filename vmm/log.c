// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmm/log.h"

/* Set once from the command line before any thread starts. */
static enum log_level log_level = LOG_WARN;
/* While the console owns a raw terminal, a newline alone does not return the cursor. */
static volatile int log_raw_terminal;

void log_set_raw_terminal(int raw)
{
	log_raw_terminal = raw;
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = {
		[LOG_ERROR] = "", [LOG_WARN] = "warning: ",
		[LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
	};
	char line[1024];
	va_list ap;
	int n;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* One write per line, so lines from several threads never interleave. */
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	while (n > 0 && line[n - 1] == '\n')
		n--;
	line[n] = '\0';
	/* A terminal in raw mode needs \r to return the cursor. */
	fprintf(stderr, "shapevm: %s%s%s", prefix[level], line,
		log_raw_terminal ? "\r\n" : "\n");
}
