/* bench.c - vm-bench, the profiler behind `make bench` (scripts/bench.sh).  It runs
 * binary inputs as the fuzz entry does (decode, then the runner over the hosted oracle
 * list in run.c's order, from the boot snapshot) and times the parts with
 * clock_gettime.  Wall-clock numbers are only printed: nothing a run decides reads them.
 *
 *   vm-bench [--runs N] --profile FILE...  where an execution's time goes: restore,
 *                                          VM's handlers, the sanity checker, each
 *                                          oracle; restore cost; deliver cost by call
 *   vm-bench [--runs N] --each FILE...     "<median us per execution> <records> <file>",
 *                                          a line per file (records: the messages and
 *                                          accesses the runner delivered in one run)
 *   vm-bench [--runs N] --restore FILE...  restore cost alone: the reset after each run
 *   --without NAME (before the mode, repeatable) leaves oracle NAME ("leak", "model",
 *   ...) out of the list, to see what the rest costs without it.
 *
 * Time is split exclusively: a stack of buckets, the top one accrues.  The sanity
 * checker is timed through the linker (--wrap=sanity_check,--wrap=sanity_at), so its
 * time inside a handler or inside an oracle (the leak teardown's final check) counts
 * as the checker's.  The oracles are timed by wrapping each one's hooks; the platform
 * by wrapping reset (restore), deliver and access (VM).  The timing itself costs about
 * two clock reads per hook call, charged to the bucket that is left. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "harness.h"
#include "host.h"
#include "hosted.h"

#define INPUT_MAX (1 << 20)
#define NORACLES 7
#define STACK_MAX 64

/* run.c's hosted list, in its order (the order findings are looked for). */
static const struct oracle *const inner[NORACLES] = {
	&vmdeath_oracle, &reply_oracle, &acl_oracle, &leak_oracle, &memory_oracle, &model_oracle, &expect_oracle,
};

enum bucket { B_OTHER, B_RESTORE, B_VM, B_SANITY, B_ORACLE, B_COUNT = B_ORACLE + NORACLES };

static struct {
	double acc[B_COUNT]; /* exclusive ns per bucket, over all executions */
	int stack[STACK_MAX], depth, cur;
	double last;
	int counting; /* samples are kept (not during a warm-up run) */
	uint32_t records; /* deliveries and accesses of the current execution */
} tm;

/* Samples of one quantity (ns), for medians. */
struct samples {
	double *v;
	size_t n, cap;
};

static struct samples restore_ns, exec_ns, dirty_pages;
static struct samples call_ns[256], call_vm_ns[256]; /* by call index; [ncalls]: others */

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void add(struct samples *s, double v)
{
	if (!tm.counting)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		if (!s->v)
			abort();
	}
	s->v[s->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The q-quantile (0.5: median) of s, or 0 when it is empty; sorts s. */
static double quantile(struct samples *s, double q)
{
	if (!s->n)
		return 0;
	qsort(s->v, s->n, sizeof *s->v, cmp_double);
	return s->v[(size_t)(q * (double)(s->n - 1) + 0.5)];
}

/* ---- The bucket stack ---- */
static void enter(int b)
{
	double t = now_ns();
	tm.acc[tm.cur] += t - tm.last;
	tm.last = t;
	if (tm.depth < STACK_MAX)
		tm.stack[tm.depth] = tm.cur;
	tm.depth++;
	tm.cur = b;
}

static void leave_to(int depth)
{
	double t = now_ns();
	tm.acc[tm.cur] += t - tm.last;
	tm.last = t;
	while (tm.depth > depth) {
		tm.depth--;
		tm.cur = tm.depth < STACK_MAX ? tm.stack[tm.depth] : B_OTHER;
	}
}

/* ---- The sanity checker, through the linker ---- */
int __real_sanity_check(void);
void __real_sanity_at(int l, const char *file, int line);

int __wrap_sanity_check(void)
{
	int d = tm.depth, r;
	enter(B_SANITY);
	r = __real_sanity_check();
	leave_to(d);
	return r;
}

void __wrap_sanity_at(int l, const char *file, int line)
{
	int d = tm.depth;
	enter(B_SANITY);
	__real_sanity_at(l, file, line);
	leave_to(d);
}

/* ---- The platform, timed ---- */
static struct platform plat;

static void t_reset(int level, uint32_t how)
{
	int d = tm.depth;
	double t0;

	add(&dirty_pages, hosted_dirty_pages());
	t0 = now_ns();
	enter(B_RESTORE);
	host_platform.reset(level, how);
	leave_to(d);
	add(&restore_ns, now_ns() - t0);
}

/* A panic long-jumps inside host_deliver and returns from it normally, so the stack
 * is put back to its depth at entry. */
static void t_deliver(const message *m, uint32_t status, struct outcome *o)
{
	int d = tm.depth, k = call_by_type(m->m_type);
	double t0 = now_ns(), s0;
	tm.records++;
	enter(B_VM);
	s0 = tm.acc[B_SANITY];
	host_platform.deliver(m, status, o);
	leave_to(d);
	if (k < 0 || k >= ncalls)
		k = ncalls;
	double all = now_ns() - t0;
	add(&call_ns[k], all);
	add(&call_vm_ns[k], all - (tm.acc[B_SANITY] - s0));
}

static void t_access(endpoint_t ep, uint32_t addr, int write, uint32_t value, struct outcome *o)
{
	int d = tm.depth;
	tm.records++;
	enter(B_VM);
	host_platform.access(ep, addr, write, value, o);
	leave_to(d);
}

/* ---- The oracles, timed: one wrapper table per list position ---- */
#define WRAP(i)                                                                                          \
	static void begin##i(const struct run_ctx *x)                                                    \
	{                                                                                                \
		int d = tm.depth;                                                                        \
		enter(B_ORACLE + i);                                                                     \
		inner[i]->begin(x);                                                                      \
		leave_to(d);                                                                             \
	}                                                                                                \
	static void before_msg##i(const struct run_ctx *x, const message *m, uint32_t st)                \
	{                                                                                                \
		int d = tm.depth;                                                                        \
		enter(B_ORACLE + i);                                                                     \
		inner[i]->before_msg(x, m, st);                                                          \
		leave_to(d);                                                                             \
	}                                                                                                \
	static void after_msg##i(const struct run_ctx *x, const struct msg_seen *s)                      \
	{                                                                                                \
		int d = tm.depth;                                                                        \
		enter(B_ORACLE + i);                                                                     \
		inner[i]->after_msg(x, s);                                                               \
		leave_to(d);                                                                             \
	}                                                                                                \
	static void before_access##i(const struct run_ctx *x, endpoint_t ep, uint32_t a, int w)          \
	{                                                                                                \
		int d = tm.depth;                                                                        \
		enter(B_ORACLE + i);                                                                     \
		inner[i]->before_access(x, ep, a, w);                                                    \
		leave_to(d);                                                                             \
	}                                                                                                \
	static void access##i(const struct run_ctx *x, const struct access_seen *a)                      \
	{                                                                                                \
		int d = tm.depth;                                                                        \
		enter(B_ORACLE + i);                                                                     \
		inner[i]->access(x, a);                                                                  \
		leave_to(d);                                                                             \
	}                                                                                                \
	static void fault##i(const struct run_ctx *x, int site, uint32_t nth, int mode)                  \
	{                                                                                                \
		int d = tm.depth;                                                                        \
		enter(B_ORACLE + i);                                                                     \
		inner[i]->fault(x, site, nth, mode);                                                     \
		leave_to(d);                                                                             \
	}                                                                                                \
	static void check##i(const struct run_ctx *x, const struct rec *r)                               \
	{                                                                                                \
		int d = tm.depth;                                                                        \
		enter(B_ORACLE + i);                                                                     \
		inner[i]->check(x, r);                                                                   \
		leave_to(d);                                                                             \
	}                                                                                                \
	static void end##i(const struct run_ctx *x)                                                      \
	{                                                                                                \
		int d = tm.depth;                                                                        \
		enter(B_ORACLE + i);                                                                     \
		inner[i]->end(x);                                                                        \
		leave_to(d);                                                                             \
	}                                                                                                \
	static void wrap##i(struct oracle *w)                                                            \
	{                                                                                                \
		const struct oracle *o = inner[i];                                                       \
		w->name = o->name;                                                                       \
		w->begin = o->begin ? begin##i : NULL;                                                   \
		w->before_msg = o->before_msg ? before_msg##i : NULL;                                    \
		w->after_msg = o->after_msg ? after_msg##i : NULL;                                       \
		w->before_access = o->before_access ? before_access##i : NULL;                           \
		w->access = o->access ? access##i : NULL;                                                \
		w->fault = o->fault ? fault##i : NULL;                                                   \
		w->check = o->check ? check##i : NULL;                                                   \
		w->end = o->end ? end##i : NULL;                                                         \
	}
WRAP(0)
WRAP(1)
WRAP(2)
WRAP(3)
WRAP(4)
WRAP(5)
WRAP(6)
_Static_assert(NORACLES == 7, "one WRAP per oracle");

static struct oracle wrapped[NORACLES];
static const struct oracle *list[NORACLES];
static int nlist;
static const char *without[NORACLES];
static int nwithout;

static int left_out(const char *name)
{
	for (int i = 0; i < nwithout; i++)
		if (!strcmp(without[i], name))
			return 1;
	return 0;
}

static void bench_init(void)
{
	void (*const wrap[NORACLES])(struct oracle *) = { wrap0, wrap1, wrap2, wrap3, wrap4, wrap5, wrap6 };

	run_init(0);
	plat = host_platform;
	plat.reset = t_reset;
	plat.deliver = t_deliver;
	plat.access = t_access;
	for (int i = 0; i < NORACLES; i++) {
		wrap[i](&wrapped[i]);
		if (!left_out(inner[i]->name))
			list[nlist++] = &wrapped[i];
	}
	memset(tm.acc, 0, sizeof tm.acc); /* the boot's checks are no execution's */
}

/* One execution of data as the fuzz entry runs it (no abort on a finding); its ns. */
static double run_once(const uint8_t *data, size_t len)
{
	static struct conv c;
	static struct run_ctx x;
	double t0 = now_ns();

	tm.depth = 0;
	tm.records = 0;
	tm.cur = B_OTHER;
	tm.last = t0;
	conv_decode(data, len, &c);
	x.plat = &plat;
	x.c = &c;
	x.flags = RUN_FAST; /* as the fuzz entry runs it */
	x.level = c.sanity > HARNESS_SANITY_FLOOR ? c.sanity : HARNESS_SANITY_FLOOR;
	runner_run(&x, list, nlist);
	double t1 = now_ns();
	tm.acc[tm.cur] += t1 - tm.last;
	return t1 - t0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(INPUT_MAX);
	if (!f || !buf) {
		fprintf(stderr, "vm-bench: cannot read %s\n", path);
		exit(2);
	}
	*len = fread(buf, 1, INPUT_MAX, f);
	fclose(f);
	return buf;
}

static void print_restore(void)
{
	printf("restore: median %.2f us, 90th percentile %.2f us, max %.2f us (%zu resets); "
	       "pages written before it: median %.0f, max %.0f\n",
	       quantile(&restore_ns, 0.5) / 1e3, quantile(&restore_ns, 0.9) / 1e3, quantile(&restore_ns, 1) / 1e3,
	       restore_ns.n, quantile(&dirty_pages, 0.5), quantile(&dirty_pages, 1));
}

static void print_profile(void)
{
	static const char *const bname[B_ORACLE] = { "runner, codec and the rest", "restore", "VM handlers (no sanity)",
						     "sanity checker" };
	double total = 0;
	size_t execs = exec_ns.n;

	for (int b = 0; b < B_COUNT; b++)
		total += tm.acc[b];
	printf("### Where an execution's time goes (%zu executions, %.1f us each on average)\n\n", execs,
	       total / 1e3 / (double)(execs ? execs : 1));
	printf("| part | us per execution | share |\n|---|---:|---:|\n");
	for (int b = 0; b < B_COUNT; b++) {
		char name[64];
		if (b < B_ORACLE)
			snprintf(name, sizeof name, "%s", bname[b]);
		else
			snprintf(name, sizeof name, "oracle: %s", inner[b - B_ORACLE]->name);
		printf("| %s | %.1f | %.1f %% |\n", name, tm.acc[b] / 1e3 / (double)(execs ? execs : 1),
		       total > 0 ? 100 * tm.acc[b] / total : 0);
	}
	printf("\nexecution: median %.1f us, 90th percentile %.1f us\n", quantile(&exec_ns, 0.5) / 1e3,
	       quantile(&exec_ns, 0.9) / 1e3);
	print_restore();
	printf("\n");
	printf("### Deliver cost by call (us, median over every delivery of the corpus)\n\n");
	printf("| call | deliveries | with sanity | without sanity |\n|---|---:|---:|---:|\n");
	for (int k = 0; k <= ncalls; k++)
		if (call_ns[k].n)
			printf("| %s | %zu | %.1f | %.1f |\n", k < ncalls ? call_table[k].name : "(other type)",
			       call_ns[k].n, quantile(&call_ns[k], 0.5) / 1e3, quantile(&call_vm_ns[k], 0.5) / 1e3);
}

int main(int argc, char **argv)
{
	int runs = 20, mode = 0, i = 1;

	for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-'; i += 2)
		if (!strcmp(argv[i], "--runs"))
			runs = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--without") && nwithout < NORACLES)
			without[nwithout++] = argv[i + 1];
		else
			break;
	if (i < argc && !strcmp(argv[i], "--profile"))
		mode = 'p';
	else if (i < argc && !strcmp(argv[i], "--each"))
		mode = 'e';
	else if (i < argc && !strcmp(argv[i], "--restore"))
		mode = 'r';
	if (!mode || runs < 1) {
		fprintf(stderr, "usage: vm-bench [--runs N] [--without ORACLE]... --profile|--each|--restore FILE...\n");
		return 2;
	}
	bench_init();
	for (i++; i < argc; i++) {
		size_t len;
		uint8_t *data = slurp(argv[i], &len);
		struct samples one = { 0 };
		double acc[B_COUNT];

		memcpy(acc, tm.acc, sizeof acc);
		tm.counting = 0;
		run_once(data, len); /* warm the caches; not counted */
		memcpy(tm.acc, acc, sizeof acc);
		tm.counting = 1;
		for (int r = 0; r < runs; r++) {
			double t = run_once(data, len);
			add(&one, t);
			add(&exec_ns, t);
		}
		if (mode == 'e')
			printf("%.1f %u %s\n", quantile(&one, 0.5) / 1e3, tm.records, argv[i]);
		free(one.v);
		free(data);
	}
	if (mode == 'p')
		print_profile();
	else if (mode == 'r')
		print_restore();
	return 0;
}
