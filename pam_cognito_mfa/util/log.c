/* log.c: the logging shim shared by the module and the CLI. */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "cmfa_util.h"

#define CMFA_LOG_LINE_MAX 1024

void
cmfa_vlog(const struct cmfa_log *log, int prio, const char *fmt, va_list ap)
{
	char raw[CMFA_LOG_LINE_MAX], clean[CMFA_LOG_LINE_MAX];
	int n;

	if (log == NULL || log->fn == NULL)
		return;
	if (prio == LOG_DEBUG && !log->debug)
		return;
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	if (n < 0)
		return;
	cmfa_sanitize(clean, sizeof(clean), raw, strnlen(raw, sizeof(raw)));
	log->fn(log->ctx, prio, clean);
}

void
cmfa_log(const struct cmfa_log *log, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmfa_vlog(log, prio, fmt, ap);
	va_end(ap);
}
