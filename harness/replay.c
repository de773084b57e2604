/* replay.c - vm-replay, the replay tool shared by every target.
 *
 *   vm-replay [--trace] [--repeat N] [--json] [--keep-going] [--fast] [--crashes DIR] FILE|DIR...
 *                                      exit 0 clean, 1 finding (--fast: the engines'
 *                                      incremental sanity checks and leak teardown)
 *   vm-replay --print FILE             a conversation (binary or text) as canonical text
 *   vm-replay --compile IN.txt OUT.bin text to binary
 *   vm-replay --bless FILE.txt         rewrite the expected replies from a run
 *   vm-replay --minimize IN OUT        shrink while the same (kind, sig) holds
 *   vm-replay --sweep FILE             fault sweep: every site, every hit, once and from
 * Exit 2 on a usage error or a bad file, with a one-line reason.  Text inputs (.txt,
 * or printable content) are replayed with their expectations checked (--keep-going:
 * every mismatch of a file is printed, not only the first).  A finding whose
 * (kind, sig) names a folder of the crashes directory (--crashes DIR, default crashes/
 * when it exists) that git's HEAD holds (or any folder where git cannot say: no git, no
 * work tree) is a fixed bug that came back: "REGRESSION: ..." is printed; a folder git
 * does not hold (stored by triage, not committed with a fix) is an open finding hit
 * again: "OPEN: ..." (crashes/README.md, "Fixed or open"); for a
 * kind whose signature names a rule, not a code location (every kind but crash and
 * panic), only when the
 * folder's own input gives that finding again on today's code: when it replays clean
 * (or gives another finding) "SAME SIGNATURE: ... possibly a different defect" is
 * printed instead (the exit status is 1 either way).
 * VMFUZZ_PLANT=crash:SITE or panic:SITE plants a bug at SITE's first hit; mem:RULE
 * (flip, cow, unmap, ro, alias, cache) and leak:WHAT (kslot, fork-abort, pages, slab,
 * acl, host) plant the bugs the memory and leak oracles must find, model:WHAT (errno,
 * acl-allow, acl-deny, power, reply-dst, out-field, frame) the defects the protocol
 * model must find, sanity:WHAT (fork-refcount, remap-refcount) the state VM's own
 * checker must catch (self-test).  After the last file,
 * LeakSanitizer looks at the host heap (unless ASAN_OPTIONS turns detect_leaks off):
 * a leak there is a FINDING kind=leak at=leak-host-heap. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sanitizer/lsan_interface.h>
#include "harness.h"
#include "host.h"

#define INPUT_MAX (1 << 20)

static struct {
	int trace, repeat, json, keep_going, fast;
	const char *crashes; /* stored findings, NULL: none */
	int findings, files;
} opt = { .repeat = 1 };

static __attribute__((noreturn)) void die2(const char *fmt, const char *a)
{
	fprintf(stderr, "vm-replay: ");
	fprintf(stderr, fmt, a);
	fprintf(stderr, "\n");
	exit(2);
}

/* Read a whole file (NUL-terminated); exits 2 when it cannot. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die2("cannot open %s", path);
	uint8_t *buf = malloc(INPUT_MAX + 1);
	*len = fread(buf, 1, INPUT_MAX + 1, f);
	fclose(f);
	if (*len > INPUT_MAX)
		die2("%s: larger than 1 MiB", path);
	buf[*len] = 0;
	return buf;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Text by extension, or by content: non-empty and every byte printable or space. */
static int is_text(const char *path, const uint8_t *b, size_t n)
{
	if (ends_with(path, ".txt"))
		return 1;
	if (ends_with(path, ".bin") || n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((b[i] < 0x20 || b[i] > 0x7e) && b[i] != '\n' && b[i] != '\t' && b[i] != '\r')
			return 0;
	return 1;
}

/* Load path into c; returns 1 when it was text.  A text syntax error exits 2 with
 * "file:line: reason". */
static int load(const char *path, struct conv *c, int *lines)
{
	size_t n;
	uint8_t *b = slurp(path, &n);
	int text = is_text(path, b, n);
	char err[256];
	if (text && conv_parse_lines((const char *)b, c, err, sizeof err, lines)) {
		fprintf(stderr, "%s:%s\n", path, err);
		exit(2);
	}
	if (!text)
		conv_decode(b, n, c);
	free(b);
	return text;
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f))
		die2("cannot write %s", path);
}

/* Write c to path: canonical text for .txt, binary otherwise.  The text is printed
 * from the binary decoded again, so a name spelling that the text parser would give
 * another index (records before it were cut by --minimize) prints as @vN: the text
 * means what the binary means. */
static void save(const char *path, const struct conv *c)
{
	static uint8_t buf[CONV_ENCODED_MAX];
	static struct conv canon;
	size_t n = conv_encode(c, buf, sizeof buf);
	if (ends_with(path, ".txt")) {
		FILE *f = fopen(path, "w");
		if (!f)
			die2("cannot write %s", path);
		conv_decode(buf, n, &canon);
		conv_print(&canon, UINT32_MAX, f);
		fclose(f);
		return;
	}
	write_file(path, buf, n);
}

static void json_line(const char *path, const struct finding *f)
{
	if (!opt.json)
		return;
	if (!f)
		printf("{\"file\":\"%s\",\"finding\":null}\n", path);
	else
		printf("{\"file\":\"%s\",\"finding\":{\"kind\":\"%s\",\"sig\":\"%08x\",\"call\":\"%s\",\"at\":\"%s\"}}\n",
		       path, f->kind, f->sig, f->call, f->at);
}

/* The stored folder of finding f in opt.crashes into dir, 1 when it exists (a fixed
 * bug that reproduces again, or an open finding hit again: stored_verdict). */
static int stored(const struct finding *f, char *dir, size_t len)
{
	struct stat st;
	if (!opt.crashes)
		return 0;
	snprintf(dir, len, "%s/%s-%08x", opt.crashes, f->kind, f->sig);
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Kinds whose signature names a rule or invariant, the call and the object (model,
 * memory, sanity, reply, acl, leak, hang, ...), not a code location (crash and panic:
 * a stack or VM's PANIC site): two defects that one rule sees on one call share it. */
static int sig_names_rule(const char *kind)
{
	return strcmp(kind, "crash") && strcmp(kind, "panic");
}

/* Load the input stored in folder dir (input.txt, else input.bin) into c, without
 * exiting on a bad file; *text says which form.  0 when there is none or it does not
 * load (nothing to re-check). */
static int load_stored(const char *dir, struct conv *c, int *text)
{
	static const char *const names[] = { "input.txt", "input.bin" };
	static uint8_t buf[INPUT_MAX + 1];
	char path[4400], err[256];
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		size_t n = fread(buf, 1, INPUT_MAX + 1, f);
		fclose(f);
		if (n > INPUT_MAX)
			return 0;
		buf[n] = 0;
		*text = i == 0;
		if (*text)
			return conv_parse_lines((const char *)buf, c, err, sizeof err, NULL) == 0;
		conv_decode(buf, n, c);
		return 1;
	}
	return 0;
}

/* How git sees stored folder dir: 1 when HEAD holds it (committed with its fix: a fixed
 * bug), 0 when it is in a work tree but not in HEAD (stored by triage, not fixed yet:
 * an open finding), -1 when git cannot say (no git, not a work tree, no HEAD). */
static int git_committed(const char *dir)
{
	char buf[256];
	ssize_t n, total = 0;
	int fd[2], st;
	pid_t pid;

	if (pipe(fd))
		return -1;
	if ((pid = fork()) < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) { /* git ls-tree lists the folder's files at HEAD, nothing if none */
		int nul = open("/dev/null", O_WRONLY);
		dup2(fd[1], 1);
		if (nul >= 0)
			dup2(nul, 2);
		close(fd[0]);
		execlp("git", "git", "-C", dir, "ls-tree", "--name-only", "HEAD", ".", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	while ((n = read(fd[0], buf, sizeof buf)) > 0)
		total += n;
	close(fd[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return total > 0;
}

/* Finding f (a copy: the re-check overwrites the runner's) has the (kind, sig) of the
 * stored folder dir.  Say whether it is the stored bug back: OPEN when git has not got
 * the folder committed (its bug is not fixed yet), else REGRESSION, unless f's
 * signature names a rule and the folder's own input, replayed on today's code with
 * this run's flags, does not give that (kind, sig) again. */
static void stored_verdict(const struct finding *f, const char *dir)
{
	static struct conv sc;
	int text = 0;
	if (git_committed(dir) == 0) {
		printf("OPEN: %s-%08x is stored in %s, not committed: a finding not fixed yet, hit again "
		       "(not a regression)\n",
		       f->kind, f->sig, dir);
		return;
	}
	if (sig_names_rule(f->kind) && load_stored(dir, &sc, &text)) {
		int flags = (text ? RUN_EXPECT : 0) | (opt.fast ? RUN_FAST : 0);
		const struct finding *g = run_conv(&sc, flags) ? finding_get() : NULL;
		if (!g || strcmp(g->kind, f->kind) || g->sig != f->sig) {
			char now[64] = "replays clean";
			if (g)
				snprintf(now, sizeof now, "gives %s-%08x", g->kind, g->sig);
			printf("SAME SIGNATURE: %s-%08x is stored in %s, whose input %s today: same signature, "
			       "different input: possibly a different defect\n",
			       f->kind, f->sig, dir, now);
			return;
		}
	}
	printf("REGRESSION: %s-%08x is stored in %s, a fixed bug, and reproduces again\n", f->kind, f->sig, dir);
}

/* Run c opt.repeat times; different trace hashes are a nondeterminism finding. */
static int replay_conv(const char *path, const struct conv *c, int text)
{
	int flags = (text ? RUN_EXPECT : 0) | (opt.trace ? RUN_TRACE : 0) | (opt.repeat > 1 ? RUN_DIGEST : 0) |
		    (text && opt.keep_going ? RUN_KEEP_GOING : 0) | (opt.fast ? RUN_FAST : 0);
	uint64_t first = 0;
	for (int i = 0; i < opt.repeat; i++) {
		if (run_conv(c, i ? flags & ~RUN_TRACE : flags))
			break;
		if (i == 0)
			first = run_trace_hash();
		else if (run_trace_hash() != first)
			finding_set("nondeterminism", "nondeterminism", "none", "harness:repeat",
				    "run %d gave trace %016llx, run 1 gave %016llx", i + 1,
				    (unsigned long long)run_trace_hash(), (unsigned long long)first);
		if (finding_get())
			break;
	}
	const struct finding *f = finding_get();
	char dir[4200];
	json_line(path, f);
	if (f) {
		printf("%s:\n", path);
		finding_print(stdout, f, c);
		if (stored(f, dir, sizeof dir)) {
			struct finding copy = *f;
			stored_verdict(&copy, dir);
		}
		return 1;
	}
	if (!opt.json)
		printf("OK %s (%u records)\n", path, c->n);
	return 0;
}

static int replay_file(const char *path)
{
	static struct conv c;
	int text = load(path, &c, NULL);
	opt.files++;
	return replay_conv(path, &c, text);
}

static int skip_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	return name[0] == '.' || (dot && strcmp(dot, ".txt") && strcmp(dot, ".bin"));
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every .txt, .bin or extension-less regular file of dir, in name order. */
static int replay_dir(const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, by_name), found = 0;
	if (n < 0)
		die2("cannot read directory %s", dir);
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		size_t dl = strlen(dir);
		snprintf(path, sizeof path, "%.*s/%s", (int)(dl > 1 && dir[dl - 1] == '/' ? dl - 1 : dl), dir,
			 ents[i]->d_name);
		if (!skip_name(ents[i]->d_name) && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			found += replay_file(path);
		free(ents[i]);
	}
	free(ents);
	return found;
}

static int cmd_print(const char *path)
{
	static struct conv c;
	load(path, &c, NULL);
	conv_print(&c, UINT32_MAX, stdout);
	return 0;
}

static int cmd_compile(const char *in, const char *out)
{
	static struct conv c;
	load(in, &c, NULL);
	static uint8_t buf[CONV_ENCODED_MAX];
	write_file(out, buf, conv_encode(&c, buf, sizeof buf));
	return 0;
}

/* Record r's expectations as the run gave them (res): a MSG's code joins its set
 * unless the set has it already, its field checks take the reply's values; an
 * ACCESS that expects a result gets the one it gave.  0 when the code has no name. */
static int blessed(struct rec *r, const struct rec_result *res)
{
	if (r->kind == REC_ACCESS && r->aexp) {
		r->aexp = (uint8_t)runner_access_result(res, r->write);
		r->aval = r->aexp == AX_VALUE ? res->value : 0;
		return 1;
	}
	int e = expect_of_code(res->code);
	if (e == EXP_UNCHECKED)
		return 0;
	if (!(r->expect & EXP_BIT(e)))
		r->expect = EXP_BIT(e);
	for (uint32_t i = 0; i < r->noc && r->call >= 0; i++)
		if (r->oc[i].op == OX_EQ && res->has_reply)
			r->oc[i].value = field_read(&res->rep, &call_table[r->call].fields[r->oc[i].field]);
	return 1;
}

/* Replace the "=> ..." of one MSG or ACCESS line (keeping its comment) with record r's
 * blessed expectations. */
static void bless_line(FILE *out, const char *line, const struct conv *c, uint32_t i)
{
	const char *hash = strchr(line, '#');
	size_t n = hash ? (size_t)(hash - line) : strlen(line);
	char body[4096], fmt[1024];
	struct rec r = c->r[i];
	const char *tail;
	snprintf(body, sizeof body, "%.*s", (int)n, line);
	char *arrow = strstr(body, "=>");
	if (arrow)
		*arrow = 0;
	for (size_t k = strlen(body); k && (body[k - 1] == ' ' || body[k - 1] == '\t'); k--)
		body[k - 1] = 0;
	if (!blessed(&r, runner_result(i))) {
		fprintf(out, "%s => ?%s%s\n", body, hash ? " " : "", hash ? hash : "");
		return;
	}
	rec_format(c, &r, fmt, sizeof fmt);
	tail = strstr(fmt, " =>");
	fprintf(out, "%s%s%s%s\n", body, tail ? tail : "", hash ? " " : "", hash ? hash : "");
}

static int cmd_bless(const char *path)
{
	static struct conv c;
	static int lines[CONV_MAX_RECORDS];
	if (!load(path, &c, lines))
		die2("%s: --bless takes a text file", path);
	if (run_conv(&c, 0)) {
		finding_print(stdout, finding_get(), &c);
		return 1;
	}
	size_t n;
	char *text = (char *)slurp(path, &n), *p = text;
	FILE *out = fopen(path, "w");
	if (!out)
		die2("cannot write %s", path);
	for (int ln = 1; *p; ln++) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		uint32_t i = 0;
		while (i < c.n && lines[i] != ln)
			i++;
		if (i < c.n && (c.r[i].kind == REC_MSG || (c.r[i].kind == REC_ACCESS && c.r[i].aexp)) &&
		    runner_result(i)->ran)
			bless_line(out, p, &c, i);
		else
			fprintf(out, "%s\n", p);
		p = nl ? nl + 1 : p + strlen(p);
	}
	fclose(out);
	free(text);
	printf("blessed %s (%u records)\n", path, c.n);
	return 0;
}

static int cmd_minimize(const char *in, const char *out)
{
	static struct conv c;
	load(in, &c, NULL);
	if (minimize(&c, stderr) < 0) {
		fprintf(stderr, "vm-replay: %s gives no finding, nothing to minimize\n", in);
		return 2;
	}
	save(out, &c);
	printf("minimized %s -> %s (%u records)\n", in, out, c.n);
	return 0;
}

static int cmd_sweep(const char *path)
{
	static struct conv c;
	load(path, &c, NULL);
	return sweep(&c, stdout) ? 1 : 0;
}

/* VMFUZZ_PLANT=crash:SITE | panic:SITE | mem:RULE | leak:WHAT | model:WHAT | sanity:WHAT */
static void plant_from_env(void)
{
	char err[200];
	if (run_plant_from_env(err, sizeof err))
		die2("%s", err);
}

/* LeakSanitizer over the host heap, when it is on: a leak is a finding (printed
 * after LSan's own report on stderr).  Exits at once then, so the at-exit check
 * does not report it a second time. */
static int host_leaks(void)
{
	const char *o = getenv("ASAN_OPTIONS");
	if (o && strstr(o, "detect_leaks=0"))
		return 0;
	if (!__lsan_do_recoverable_leak_check())
		return 0;
	finding_clear();
	finding_set("leak", "leak:host-heap", "none", "leak-host-heap",
		    "LeakSanitizer found host heap blocks nobody points to after %d file(s) (report on stderr)",
		    opt.files);
	finding_print(stdout, finding_get(), NULL);
	fflush(stdout);
	_exit(1);
}

static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr, "usage: vm-replay [--trace] [--repeat N] [--json] [--keep-going] [--fast] [--crashes DIR] FILE|DIR...\n"
			"       vm-replay --print FILE | --compile IN.txt OUT.bin | --bless FILE.txt\n"
			"       vm-replay --minimize IN OUT | --sweep FILE\n");
	exit(2);
}

/* The one-shot commands; returns -1 when argv[1] is none of them. */
static int one_shot(int argc, char **argv)
{
	const char *c = argv[1];
	if (!strcmp(c, "--print") && argc == 3)
		return cmd_print(argv[2]);
	if (!strcmp(c, "--compile") && argc == 4)
		return cmd_compile(argv[2], argv[3]);
	if (!strcmp(c, "--bless") && argc == 3)
		return cmd_bless(argv[2]);
	if (!strcmp(c, "--minimize") && argc == 4)
		return cmd_minimize(argv[2], argv[3]);
	if (!strcmp(c, "--sweep") && argc == 3)
		return cmd_sweep(argv[2]);
	if (!strcmp(c, "--print") || !strcmp(c, "--compile") || !strcmp(c, "--bless") ||
	    !strcmp(c, "--minimize") || !strcmp(c, "--sweep"))
		usage();
	return -1;
}

int main(int argc, char **argv)
{
	int i = 1, found = 0;
	if (argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	crash_handlers_install();
	plant_from_env();
	if (!strcmp(argv[1], "--print") || !strcmp(argv[1], "--compile"))
		return one_shot(argc, argv);
	run_init(0);
	int rc = one_shot(argc, argv);
	if (rc >= 0)
		return rc;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (!strcmp(argv[i], "--trace"))
			opt.trace = 1;
		else if (!strcmp(argv[i], "--json"))
			opt.json = 1;
		else if (!strcmp(argv[i], "--keep-going"))
			opt.keep_going = 1;
		else if (!strcmp(argv[i], "--fast"))
			opt.fast = 1;
		else if (!strcmp(argv[i], "--crashes") && i + 1 < argc)
			opt.crashes = argv[++i];
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc && atoi(argv[i + 1]) > 0)
			opt.repeat = atoi(argv[++i]);
		else
			usage();
	}
	if (i == argc)
		usage();
	struct stat cst;
	if (!opt.crashes && stat("crashes", &cst) == 0 && S_ISDIR(cst.st_mode))
		opt.crashes = "crashes";
	else if (opt.crashes && (stat(opt.crashes, &cst) || !S_ISDIR(cst.st_mode)))
		die2("--crashes %s: not a directory", opt.crashes);
	for (; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st))
			die2("cannot open %s", argv[i]);
		found += S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i]);
	}
	if (!opt.json)
		printf("replayed %d file(s): %d finding(s)\n", opt.files, found);
	if (host_leaks())
		found++;
	return found ? 1 : 0;
}
