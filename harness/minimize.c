/* minimize.c - the record-level minimizer: drop records, then shrink values, keeping
 * every change after which the conversation still gives the same (kind, sig).  Each
 * trial runs in a child process, so crashes are survived like any other finding. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

static int minimize_flags; /* RUN_* flags of every trial */

/* The child: run c silently, report "kind sig" on fd, exit. */
static __attribute__((noreturn)) void child(const struct conv *c, int fd)
{
	int null = open("/dev/null", O_WRONLY);
	if (null >= 0) {
		dup2(null, 1);
		dup2(null, 2);
	}
	finding_report_fd = fd;
	if (run_conv(c, minimize_flags))
		finding_print(stdout, finding_get(), c);
	_exit(0);
}

int classify(const struct conv *c, char *kind, size_t kindlen, uint32_t *sig)
{
	int p[2];
	char buf[128] = "";
	if (pipe(p))
		return 0;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		child(c, p[1]);
	}
	close(p[1]);
	ssize_t n = pid > 0 ? read(p[0], buf, sizeof buf - 1) : -1;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char k[32];
	unsigned s;
	if (sscanf(buf, "%31s %x", k, &s) != 2)
		return 0;
	snprintf(kind, kindlen, "%s", k);
	*sig = s;
	return 1;
}

struct target {
	char kind[32];
	uint32_t sig;
	unsigned trials;
};

static int same(const struct conv *c, struct target *t)
{
	char k[32];
	uint32_t s;
	t->trials++;
	return classify(c, k, sizeof k, &s) && s == t->sig && !strcmp(k, t->kind);
}

/* Drop single records, last first, until no drop keeps the finding. */
static void drop_records(struct conv *c, struct target *t)
{
	static struct conv trial;
	for (int progress = 1; progress;) {
		progress = 0;
		for (int i = (int)c->n - 1; i >= 0; i--) {
			trial = *c;
			memmove(&trial.r[i], &trial.r[i + 1], (trial.n - (uint32_t)i - 1) * sizeof trial.r[0]);
			trial.n--;
			if (same(&trial, t)) {
				*c = trial;
				progress = 1;
			}
		}
	}
}

static void try_ep(struct conv *c, struct ep_sel *e, struct target *t)
{
	struct ep_sel old = *e, simple = { EPS_LIVE, 0, 0 };
	if (!memcmp(&old, &simple, sizeof old))
		return;
	*e = simple;
	if (!same(c, t))
		*e = old;
}

/* Shrink a raw value in place: to 0, else halve while that keeps the finding. */
#define SHRINK_FN(name, type)                                          \
	static void name(struct conv *c, type *v, struct target *t)    \
	{                                                              \
		type old = *v;                                         \
		if (!old)                                              \
			return;                                        \
		*v = 0;                                                \
		if (same(c, t))                                        \
			return;                                        \
		*v = old;                                              \
		while (*v > 1) {                                       \
			type prev = *v;                                \
			*v = prev / 2;                                 \
			if (!same(c, t)) {                             \
				*v = prev;                             \
				return;                                \
			}                                              \
		}                                                      \
	}
SHRINK_FN(shrink_u64, uint64_t)
SHRINK_FN(shrink_u32, uint32_t)

static void shrink_msg(struct conv *c, struct rec *r, struct target *t)
{
	if (r->call < 0)
		return;
	const struct call_desc *cd = &call_table[r->call];
	for (int i = 0; i < cd->nfields; i++) {
		const struct field_desc *fd = &cd->fields[i];
		if (!field_is_in(fd))
			continue;
		if (fd->kind == FK_ENDPOINT || fd->kind == FK_SLOT) {
			try_ep(c, &r->f[i].ep, t);
		} else if (fd->kind == FK_ADDR) {
			shrink_u32(c, &r->f[i].ad.value, t);
		} else {
			shrink_u64(c, &r->f[i].raw, t);
		}
	}
}

static void shrink_values(struct conv *c, struct target *t)
{
	for (uint32_t i = 0; i < c->n; i++) {
		struct rec *r = &c->r[i];
		if (r->kind == REC_MSG || r->kind == REC_NOTIFY || r->kind == REC_ACCESS || r->kind == REC_KPF)
			try_ep(c, &r->ep, t);
		if (r->kind == REC_MSG)
			shrink_msg(c, r, t);
		if (r->kind == REC_FAULT && r->nth > 1) {
			uint32_t old = r->nth;
			r->nth = 1;
			if (!same(c, t))
				r->nth = old;
		}
	}
}

int minimize(struct conv *c, FILE *log)
{
	struct target t = { .trials = 0 };
	minimize_flags = 0;
	if (!classify(c, t.kind, sizeof t.kind, &t.sig))
		return -1;
	uint32_t n0 = c->n;
	drop_records(c, &t);
	shrink_values(c, &t);
	fprintf(log, "minimize: kind=%s sig=%08x, %u -> %u records, %u trials\n", t.kind, t.sig, n0, c->n,
		t.trials);
	return 0;
}
