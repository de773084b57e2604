/* report.c - printing a finding (hosted tools), and the crash reporter of vm-replay
 * that turns sanitizer deaths and fatal signals into a FINDING line whose signature is
 * the hash of the top three symbolised vm/ frames (stable across runs and ASLR). */
#include <execinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sanitizer/common_interface_defs.h>
#include "harness.h"

int finding_report_fd = -1;

void finding_print(FILE *out, const struct finding *f, const struct conv *c)
{
	fprintf(out, "FINDING kind=%s sig=%08x call=%s at=%s\n", f->kind, f->sig, f->call, f->at);
	fprintf(out, "detail: %s\n", f->detail);
	if (c && f->rec >= 0) {
		fprintf(out, "record: %d\nconversation:\n", f->rec);
		conv_print(c, (uint32_t)f->rec + 1, out);
		fprintf(out, "end\n");
	}
	fflush(out);
	if (finding_report_fd >= 0)
		dprintf(finding_report_fd, "%s %08x\n", f->kind, f->sig);
}

/* ---- Crash reporting (vm-replay) ---- */
#define CRASH_FRAMES 64

/* Symbolise pc into file, line and function (sanitizer symbolizer, llvm-symbolizer). */
static void symbolize(void *pc, char *file, size_t fl, int *line, char *fn, size_t fnl)
{
	char buf[512];
	__sanitizer_symbolize_pc(pc, "%s|%l|%f", buf, sizeof buf);
	char *a = strchr(buf, '|'), *b = a ? strchr(a + 1, '|') : NULL;
	if (!a || !b) {
		snprintf(file, fl, "?");
		snprintf(fn, fnl, "?");
		*line = 0;
		return;
	}
	*a = *b = 0;
	snprintf(file, fl, "%s", buf);
	*line = atoi(a + 1);
	snprintf(fn, fnl, "%s", b + 1);
}

/* The path from the first "vm/", "stubs/" or "harness/" component on, or NULL. */
static const char *project_path(const char *file, const char *dir)
{
	size_t n = strlen(dir);
	if (strncmp(file, dir, n) == 0)
		return file;
	for (const char *p = strstr(file, dir); p; p = strstr(p + 1, dir))
		if (p > file && p[-1] == '/')
			return p;
	return NULL;
}

/* Build the signature key from the top three frames inside dir (skipping this file);
 * *at gets the first one's file:line.  Returns the number of frames used. */
static int frames_key(void **pcs, int n, const char *dir, char *key, size_t kl, char *at, size_t al)
{
	int used = 0;
	snprintf(key, kl, "crash");
	for (int i = 0; i < n && used < 3; i++) {
		char file[256], fn[128];
		int line;
		symbolize((char *)pcs[i] - 1, file, sizeof file, &line, fn, sizeof fn);
		const char *p = project_path(file, dir);
		if (!p || strstr(p, "harness/report.c"))
			continue;
		if (used++ == 0)
			snprintf(at, al, "%s:%d", p, line);
		size_t k = strlen(key);
		snprintf(key + k, kl - k, ":%s/%s", p, fn);
	}
	return used;
}

static void report_crash(const char *what)
{
	void *pcs[CRASH_FRAMES];
	char key[512], at[160] = "?", call[32] = "none";
	int n = backtrace(pcs, CRASH_FRAMES);
	static const char *const dirs[] = { "vm/", "stubs/", "harness/" };
	const struct conv *c = runner_conv();

	for (int d = 0; d < 3; d++)
		if (frames_key(pcs, n, dirs[d], key, sizeof key, at, sizeof at))
			break;
	snprintf(call, sizeof call, "%s", finding_call());
	finding_set("crash", key, call, at, "%s; frames %s", what, key);
	finding_print(stdout, finding_get(), c);
}

static void on_death(void)
{
	report_crash("sanitizer report (see stderr)");
}

static void on_signal(int sig)
{
	char what[64];
	snprintf(what, sizeof what, "fatal signal %d", sig);
	report_crash(what);
	signal(sig, SIG_DFL);
	_exit(1);
}

void crash_handlers_install(void)
{
	__sanitizer_set_death_callback(on_death);
	/* ASan reports SEGV, BUS and FPE itself (then on_death runs); these it leaves. */
	signal(SIGABRT, on_signal);
	signal(SIGILL, on_signal);
	signal(SIGTRAP, on_signal);
}
