/* console.c - VM's console, panic, trace and fault-injection hooks in the hosted build.
 * The hooks are configuration set by the harness, not state: restore keeps them. */
#include <stdio.h>
#include <stdlib.h>
#include "stubs.h"

static struct {
	void (*trace)(enum trace_ev ev, int32_t a, int32_t b);
	int (*fault)(enum fault_site site);
	void (*panic)(const char *file, int line, const char *why);
	int verbose;
	int fault_off; /* hosted_boot: the boot itself is never failed */
} hooks;

void hosted_set_trace_hook(void (*fn)(enum trace_ev ev, int32_t a, int32_t b))
{
	hooks.trace = fn;
}

void hosted_set_fault_hook(int (*fn)(enum fault_site site))
{
	hooks.fault = fn;
}

void hosted_set_panic_hook(void (*fn)(const char *file, int line, const char *why))
{
	hooks.panic = fn;
}

void hosted_set_verbose(int on)
{
	hooks.verbose = on;
}

void seam_puts(const char *s)
{
	if (hooks.verbose)
		fputs(s, stderr);
}

void seam_trace(enum trace_ev ev, int32_t a, int32_t b)
{
	if (hooks.trace)
		hooks.trace(ev, a, b);
}

int seam_fault(enum fault_site site)
{
	return hooks.fault && !hooks.fault_off ? hooks.fault(site) : 0;
}

void hosted_faults_off(int off)
{
	hooks.fault_off = off;
}

/* The hook long-jumps or aborts; if it returns anyway, abort here. */
void seam_panic(const char *file, int line, const char *why)
{
	if (hooks.panic)
		hooks.panic(file, line, why);
	fprintf(stderr, "VM PANIC %s:%d: %s\n", file, line, why);
	abort();
}

void hosted_die(const char *why)
{
	fprintf(stderr, "hosted: %s\n", why);
	abort();
}
