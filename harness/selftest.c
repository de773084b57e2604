/* selftest.c - self-tests of the harness: the decoder is total and canonical, text
 * and binary round-trip, syntax errors name their line, the fault engine counts, and
 * random conversations from a fixed seed all run without a finding.
 * Usage: harness-selftest [random-runs]   exit 0 when every check passes. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static int failures;
static int failures_before; /* failures when the current test started */

/* Start a test: its verdict counts the checks that fail from here. */
static void test_start(void)
{
	failures_before = failures;
}

/* One line per test saying what happened: PASS with the claim, or FAIL with the
 * number of its checks that failed (each printed above as it failed). */
static void test_verdict(const char *id, const char *claim)
{
	int failed = failures - failures_before;
	if (failed)
		printf("FAIL %s %s: %d check(s) failed\n", id, claim, failed);
	else
		printf("PASS %s %s\n", id, claim);
}
#define EXPECT(c, ...)                                          \
	do {                                                    \
		if (!(c)) {                                     \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__);                    \
			printf("\n");                           \
			failures++;                             \
		}                                               \
	} while (0)

static uint64_t rng = 0x9E3779B97F4A7C15ull; /* fixed seed */
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static size_t random_input(uint8_t *b, size_t cap)
{
	size_t n = next_rand() % cap;
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)next_rand();
	if (n >= 2 && (next_rand() & 1)) { /* half of them with a proper header */
		b[0] = INPUT_MAGIC;
		b[1] = INPUT_VERSION;
	}
	return n;
}

/* decode -> encode -> decode -> encode is a fixed point, and print -> parse -> encode
 * gives the same bytes. */
static void check_roundtrip(const uint8_t *in, size_t n)
{
	static struct conv a, b, t;
	static uint8_t e1[CONV_ENCODED_MAX], e2[CONV_ENCODED_MAX], e3[CONV_ENCODED_MAX];
	static char text[1 << 16], err[256];
	conv_decode(in, n, &a);
	size_t n1 = conv_encode(&a, e1, sizeof e1);
	conv_decode(e1, n1, &b);
	size_t n2 = conv_encode(&b, e2, sizeof e2);
	EXPECT(n1 && n1 == n2 && !memcmp(e1, e2, n1), "binary re-encoding is not canonical");
	text[0] = 0; /* fmemopen leaves the buffer alone when nothing is printed */
	FILE *f = fmemopen(text, sizeof text, "w");
	conv_print(&a, UINT32_MAX, f);
	fclose(f);
	int rc = conv_parse(text, &t, err, sizeof err);
	EXPECT(rc == 0, "printed text does not parse: %s\n%s", err, text);
	size_t n3 = conv_encode(&t, e3, sizeof e3);
	EXPECT(n3 == n1 && !memcmp(e3, e1, n1), "text round trip changed the conversation:\n%s", text);
}

static void test_total(int count)
{
	static uint8_t buf[2048];
	char claim[128];
	test_start();
	for (int i = 0; i < count; i++)
		check_roundtrip(buf, random_input(buf, sizeof buf));
	snprintf(claim, sizeof claim, "%d random byte strings decode, re-encode canonically and round-trip as text",
		 count);
	test_verdict("SELF0001", claim);
}

static void test_truncated(void)
{
	static struct conv c;
	static uint8_t buf[CONV_ENCODED_MAX];
	char err[128];
	test_start();
	EXPECT(!conv_parse("msg from=live:0 VM_BRK addr=0x1000\nnotify from=any\nfault page_alloc nth=3 from\n",
			   &c, err, sizeof err), "parse: %s", err);
	size_t n = conv_encode(&c, buf, sizeof buf);
	conv_decode(buf, n - 1, &c);
	EXPECT(c.n == 2, "truncated last record not dropped (%u records)", c.n);
	conv_decode(buf, 3, &c);
	EXPECT(c.n == 0, "a short header must decode to an empty conversation");
	test_verdict("SELF0002", "a truncated record is dropped, a short header gives no records");
}

static void test_errors(void)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "msg from=live:0 VM_NOPE\n", "1: unknown call" },
		{ "# ok\nmsg from=live:99 VM_BRK\n", "2: bad endpoint" },
		{ "msg from=live:0 VM_BRK bogus=1\n", "1: VM_BRK has no field" },
		{ "msg from=live:0 VM_FORK child=3\n", "1: VM_FORK.child is a reply field" },
		{ "fault page_alloc nth=0 once\n", "1: nth must be" },
		{ "msg from=live:0 VM_BRK => MAYBE\n", "1: unknown reply code" },
		{ "\n\nwrite proc=live:0 addr=region:9.0 value=1\n", "3: bad address" },
		{ "frobnicate\n", "1: unknown record" },
		{ "msg from=live:0 VM_BRK => OK|MAYBE\n", "1: unknown reply code" },
		{ "msg from=live:0 VM_FORK => OK kid=@c\n", "1: VM_FORK has no field" },
		{ "msg from=live:0 VM_FORK => OK child=@9x\n", "1: bad name" },
		{ "write proc=live:4 addr=0 value=1 => 0x5\n", "1: '=>' after a write" },
		{ "read proc=live:4 addr=0 => MAYBE\n", "1: '=>' after a read" },
		{ "check free_pages=now\n", "1: usage: check" },
		{ "repeat 0 {\nnotify from=any\n}\n", "1: usage: repeat" },
		{ "repeat 2 {\nrepeat 2 {\n", "2: a repeat inside a repeat" },
		{ "repeat 2 {\n}\n", "2: an empty repeat" },
		{ "}\n", "1: '}' without" },
		{ "repeat 2 {\nnotify from=any\n", "2: the repeat opened is never closed" },
	};
	static struct conv c;
	char err[256];
	test_start();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = conv_parse(bad[i].text, &c, err, sizeof err);
		EXPECT(rc != 0 && strncmp(err, bad[i].want, strlen(bad[i].want)) == 0,
		       "'%s' gave '%s', want '%s'", bad[i].text, rc ? err : "success", bad[i].want);
	}
	test_verdict("SELF0003", "syntax errors name their line and reason");
}

static void test_fault_engine(void)
{
	static struct conv c;
	char err[128];
	test_start();
	EXPECT(!conv_parse("fault pt_new nth=2 once\nfault slab_alloc nth=3 from\n", &c, err, sizeof err),
	       "%s", err);
	fault_reset();
	fault_arm(c.r[0].site, c.r[0].nth, c.r[0].mode);
	fault_arm(c.r[1].site, c.r[1].nth, c.r[1].mode);
	int got[6];
	for (int i = 0; i < 6; i++)
		got[i] = fault_hook(FS_PT_NEW) * 10 + fault_hook(FS_SLAB_ALLOC);
	EXPECT(got[0] == 0 && got[1] == 10 && got[2] == 1 && got[3] == 1 && got[4] == 1 && got[5] == 1,
	       "schedule wrong: %d %d %d %d %d %d", got[0], got[1], got[2], got[3], got[4], got[5]);
	EXPECT(fault_hits(FS_PT_NEW) == 6 && fault_injected() == 5, "counters wrong");
	fault_arm(FS_PT_NEW, 1, FM_ONCE); /* counted from the arming: hit 7 fails */
	EXPECT(fault_hook(FS_PT_NEW) == 1 && fault_hook(FS_PT_NEW) == 0, "arming does not count from now");
	test_verdict("SELF0004", "the fault engine fails the N-th hit after arming once, or every hit from it");
}

/* Text expectations: what holds passes, what does not is one expect finding (the
 * first, or with RUN_KEEP_GOING all of them counted); names bind and resolve; a
 * REPEAT runs its body count times, advancing what it says. */
static void test_expectations(void)
{
	static const char *const good =
		"write proc=live:4 addr=0x0804c010 value=0x11111111 => OK\n"
		"repeat 20 {\n"
		"msg from=live:0 VM_FORK parent=live:4 slot=free:0 => OK child=@c\n"
		"check alive=@c\n"
		"read proc=@c addr=0x0804c010 => 0x11111111\n"
		"msg from=live:0 VM_WILLEXIT endpt=@c => OK\n"
		"msg from=live:0 VM_EXIT endpt=@c => OK\n"
		"check dead=@c\n"
		"}\n"
		"check free_pages=baseline\ncheck slab_objects=baseline\ncheck procs=baseline\n"
		"msg from=live:4 VM_MUNMAP addr=0x1001 len=0 => ENOMEM|EFAULT|EINVAL\n"
		"msg from=live:4 VM_MMAP addr=0 len=0x4000 prot=3 flags=0x1002 fd=-1 forwhom=self => retaddr=@m\n"
		"repeat 4 step=0x1000 {\nwrite proc=live:4 addr=@m value=9\n}\n"
		"read proc=live:4 addr=@m+0x3000 => 9\n"
		"msg from=live:4 VM_MUNMAP addr=@m len=0x4000 => OK\n"
		"msg from=live:0 VM_FORK parent=live:4 slot=free:0 => OK child=@k\n"
		"read proc=@k addr=@m => KILLED\n"
		"msg from=live:0 VM_WILLEXIT endpt=@k => OK\nmsg from=live:0 VM_EXIT endpt=@k => OK\n";
	static const struct {
		const char *tail, *at;
	} bad[] = {
		{ "read proc=live:4 addr=0x0804c010 => 0x2\n", "at=expected-access" },
		{ "msg from=live:4 VM_MUNMAP addr=0x1001 len=0 => OK|ENOMEM\n", "at=expected-reply" },
		{ "msg from=live:0 VM_FORK parent=live:4 slot=free:0 => OK child=5\n", "at=expected-field" },
		{ "check dead=live:4\n", "at=check-dead" },
		{ "msg from=live:4 VM_BRK addr=0x08060000 => OK\ncheck free_pages=baseline\n", "at=check-free_pages" },
		{ "read proc=live:4 addr=0x7000 => FAULT\n", "at=expected-access" },
	};
	static struct conv c;
	static char text[4096];
	char err[256];
	test_start();
	EXPECT(!conv_parse(good, &c, err, sizeof err), "parse: %s", err);
	EXPECT(!run_conv(&c, RUN_EXPECT), "the conforming file gave %s %s", finding_get()->kind, finding_get()->detail);
	EXPECT(runner_repeated() == 19 * 6 + 3, "the repeats ran %u records again, not %u", runner_repeated(), 19 * 6 + 3);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, "%s%s", good, bad[i].tail);
		EXPECT(!conv_parse(text, &c, err, sizeof err), "parse: %s", err);
		const struct finding *f = run_conv(&c, RUN_EXPECT) ? finding_get() : NULL;
		EXPECT(f && !strcmp(f->kind, "expect") && !strncmp(f->at, bad[i].at + 3, strlen(bad[i].at + 3)),
		       "'%s' gave %s %s, want kind=expect %s", bad[i].tail, f ? f->kind : "no finding", f ? f->at : "",
		       bad[i].at);
	}
	snprintf(text, sizeof text, "repeat 3 {\nread proc=live:4 addr=0x0804c010 => 0x5\n}\n"
				    "msg from=live:4 VM_BRK addr=0x1000 => EPERM\n");
	EXPECT(!conv_parse(text, &c, err, sizeof err), "parse: %s", err);
	const struct finding *f = run_conv(&c, RUN_EXPECT | RUN_KEEP_GOING) ? finding_get() : NULL;
	EXPECT(f && f->rec == 0 && strstr(f->detail, "4 mismatch(es)"), "--keep-going: %s", f ? f->detail : "no finding");
	/* The engines' cap: a binary input's repeats run REPEAT_BUDGET_ENGINE records again
	 * under RUN_FAST whatever its header asks; a text input, or a full replay, the header's. */
	EXPECT(!conv_parse("header budget=8192\nrepeat 2000 {\nread proc=live:4 addr=0x0804c010\n}\n", &c, err, sizeof err),
	       "parse: %s", err);
	static const int cap_flags[3] = { RUN_FAST, 0, RUN_FAST | RUN_EXPECT };
	static const uint32_t cap_runs[3] = { REPEAT_BUDGET_ENGINE, 1999, 1999 };
	for (int i = 0; i < 3; i++) {
		EXPECT(!run_conv(&c, cap_flags[i]), "the capped repeat gave %s", finding_get()->kind);
		EXPECT(runner_repeated() == cap_runs[i], "flags %#x: the repeat ran %u records again, not %u",
		       (unsigned)cap_flags[i], runner_repeated(), cap_runs[i]);
	}
	test_verdict("SELF0008", "reply sets, fields, names, access results, checks and repeats hold or give an expect finding; "
				 "the engines' repeat cap");
}

/* Random conversations must run clean (a finding here is a VM bug or a harness bug). */
static void test_random_runs(int count)
{
	static uint8_t buf[1024];
	static struct conv c;
	int found = 0;
	char claim[128];
	test_start();
	int differ = 0;
	for (int i = 0; i < count; i++) {
		conv_decode(buf, random_input(buf, sizeof buf), &c);
		while (conv_repeat_budget(&c) > REPEAT_BUDGET_ENGINE)
			c.budget--; /* both runs the same records: the engines' cap is SELF0008's */
		int inc = run_conv(&c, RUN_FAST);
		uint64_t h = run_trace_hash();
		if (run_conv(&c, 0)) {
			if (!found || getenv("SELFTEST_ALL"))
				finding_print(stdout, finding_get(), &c);
			found++;
		}
		differ += inc != (finding_get() != NULL) || h != run_trace_hash();
	}
	EXPECT(found == 0, "%d of %d random conversations gave a finding", found, count);
	EXPECT(differ == 0, "%d of %d random conversations ran differently with the engines' fast checks", differ,
	       count);
	snprintf(claim, sizeof claim,
		 "%d random conversations from a fixed seed run without a finding, the same with the engines' fast checks", count);
	test_verdict("SELF0005", claim);
}

/* The memory oracle checks what the protocol promises, without false findings: boot
 * image, bss and stack, zero after brk and mmap, words copied at fork and private
 * after it, a VM_INFO copy overwriting a word; the planted bugs make it fire. */
static void test_memory_oracle(void)
{
	static const char *const text =
		"read proc=live:4 addr=0x08048010\n"      /* text: image bytes */
		"read proc=live:4 addr=0x0804c100\n"      /* data: image bytes */
		"read proc=live:4 addr=0x0804d900\n"      /* data past the file size: zero */
		"read proc=live:4 addr=0xeffff000\n"      /* stack: zero */
		"msg from=live:4 VM_BRK addr=0x08050000\n"
		"read proc=live:4 addr=0x0804f004\n"      /* grown heap: zero */
		"msg from=live:4 VM_MMAP addr=0 len=0x2000 prot=3 flags=0x1002 fd=-1 forwhom=self\n"
		"read proc=live:4 addr=region:4.2+0x1008\n" /* fresh mapping: zero */
		"write proc=live:4 addr=region:4.2+0x10 value=0xabcd\n"
		"msg from=live:0 VM_FORK parent=live:4 slot=fresh:7\n"
		"read proc=live:6 addr=region:6.2+0x10\n" /* the child sees the parent's word */
		"write proc=live:4 addr=region:4.2+0x10 value=0x1111\n"
		"read proc=live:6 addr=region:6.2+0x10\n" /* ... and not its later write */
		"read proc=live:4 addr=region:4.2+0x10\n"
		"msg from=live:4 VM_INFO what=1 endpt=self count=0 ptr=region:4.2+0x10 next=0\n"
		"read proc=live:4 addr=region:4.2+0x10\n" /* overwritten: not checked, pinned */
		"read proc=live:4 addr=region:4.2+0x10\n"
		"msg from=live:4 VM_MUNMAP addr=region:4.2 len=0x2000\n"
		"read proc=live:4 addr=0x20000010\n";     /* unmapped: the access fails */
	static const char *const plants[] = { "mem:flip", "mem:cow", "mem:ro" };
	static const char *const rules[] = { "memory-read-value", "memory-fork-write-shows", "memory-ro-write" };
	static const char *const planted[] = {
		"write proc=live:4 addr=region:4.1+0x10 value=0x1234\nread proc=live:4 addr=region:4.1+0x10\n",
		("write proc=live:4 addr=region:4.1+0x10 value=1\nmsg from=live:0 VM_FORK parent=live:4 slot=fresh:7\n"
		 "write proc=live:4 addr=region:4.1+0x10 value=2\nread proc=live:6 addr=region:6.1+0x10\n"),
		"write proc=live:4 addr=region:4.0+0x20 value=5\n",
	};
	static struct conv c;
	char err[256];
	test_start();
	EXPECT(conv_parse(text, &c, err, sizeof err) == 0, "memory conversation: %s", err);
	EXPECT(run_conv(&c, 0) == 0, "clean memory conversation gave %s at %s",
	       finding_get() ? finding_get()->kind : "-", finding_get() ? finding_get()->at : "-");
	EXPECT(shadow_checked() == 10, "the memory oracle checked %u reads, not 10", shadow_checked());
	for (int i = 0; i < 3; i++) {
		EXPECT(conv_parse(planted[i], &c, err, sizeof err) == 0, "planted conversation: %s", err);
		shadow_plant(plants[i]);
		int found = run_conv(&c, 0);
		shadow_plant("none");
		EXPECT(found && !strcmp(finding_get()->kind, "memory") && !strcmp(finding_get()->at, rules[i]),
		       "plant %s gave %s", plants[i], found ? finding_get()->at : "no finding");
	}
	test_verdict("SELF0006", "the memory oracle checks boot, brk, mmap and fork memory and fires on planted bugs");
}

/* RS grants itself every call (the first lines of the SELF0007 conversations). */
#define RS_ALL_CALLS                                                  \
	"write proc=2 addr=region:2.1+0x100 value=0xffffffff\n"        \
	"write proc=2 addr=region:2.1+0x104 value=0xffffffff\n"        \
	"msg from=2 VM_RS_SET_PRIV endpt=2 buf=region:2.1+0x100 sys=1\n"

/* The memory effects (docs/model.md, "Memory effects") check shared memory, device
 * windows, the block cache and the RS calls without false findings on VM's correct
 * behaviour, and the planted bugs mem:alias and mem:cache fire their rules.  Process
 * 11 is init, 12 the agent, 0x800N a child in slot N. */
static void test_memory_effects(void)
{
	static const char *const conv[] = {
		/* MEMFX-01..03: init's mmap is shared with the agent (REMAP) and, read-only,
		 * with a child of the agent forked after it; a child of init forked before
		 * keeps its copy; unmapping the source and SHM_UNMAP of one alias leave the
		 * others their memory; the read-only alias refuses a write. */
		RS_ALL_CALLS
		"msg from=11 VM_MMAP addr=0x30000000 len=0x2000 prot=3 flags=0x1012 fd=-1 forwhom=self\n"
		"write proc=11 addr=0x30000000 value=0x11\n"
		"msg from=0 VM_FORK parent=11 slot=3\n"
		"msg from=2 VM_REMAP dst=12 src=11 dst_addr=0x40000000 src_addr=0x30000000 size=0x2000\n"
		"read proc=12 addr=0x40000000\n"          /* MEMFX-01: the source's word */
		"write proc=12 addr=0x40000004 value=0x22\n"
		"read proc=11 addr=0x30000004\n"          /* MEMFX-01: the alias's write */
		"read proc=0x8003 addr=0x30000004\n"      /* the earlier child: zero */
		"read proc=0x8003 addr=0x30000000\n"
		"msg from=0 VM_FORK parent=12 slot=4\n"
		"write proc=0x8004 addr=0x40001000 value=0x44\n"
		"read proc=11 addr=0x30001000\n"          /* MEMFX-01: the child's write */
		"read proc=12 addr=0x40001000\n"
		"msg from=2 VM_REMAP_RO dst=0x8004 src=11 dst_addr=0x50000000 src_addr=0x30000000 size=0x2000\n"
		"read proc=0x8004 addr=0x50001000\n"
		"msg from=11 VM_MUNMAP addr=0x30000000 len=0x2000\n"
		"read proc=12 addr=0x40000004\n"          /* MEMFX-01: the source is gone */
		"write proc=12 addr=0x40001004 value=0x55\n"
		"read proc=0x8004 addr=0x50001004\n"
		"read proc=0x8004 addr=0x40001004\n"
		"msg from=2 VM_SHM_UNMAP forwhom=12 addr=0x40001000\n"
		"read proc=0x8004 addr=0x40000004\n"      /* MEMFX-03: the other alias stays */
		"write proc=0x8004 addr=0x50000000 value=0x66\n", /* MEMFX-02: faults */
		/* MEMFX-04..08: two windows onto one frame, split, forked, unmapped whole and
		 * mapped again; a cached block keeps its page as SETCACHEPAGE took it, writes
		 * through a mapping show in a later mapping, FORGETCACHEPAGE keeps a mapped
		 * block; PROCCTL CLEAR empties a process. */
		RS_ALL_CALLS
		"msg from=0 VM_FORK parent=11 slot=3\n"
		"msg from=2 VM_MAP_PHYS endpt=0x8003 phaddr=0xa0000 len=0x3000\n"
		"msg from=2 VM_MAP_PHYS endpt=0x8003 phaddr=0xa1010 len=0x10\n"
		"write proc=0x8003 addr=0x20001010 value=0x55\n"
		"read proc=0x8003 addr=0x20003010\n"      /* MEMFX-04: frame 0xa1000 twice */
		"msg from=0x8003 VM_MUNMAP addr=0x20001000 len=0x1000\n"
		"write proc=0x8003 addr=0x20002020 value=0x66\n"
		"msg from=0 VM_FORK parent=0x8003 slot=5\n"
		"read proc=0x8005 addr=0x20003010\n"
		"msg from=2 VM_MAP_PHYS endpt=0x8005 phaddr=0xa2000 len=0x1000\n"
		"read proc=0x8005 addr=0x20001020\n"      /* MEMFX-04: page 2 after the split */
		"write proc=0x8005 addr=0x20002024 value=0x77\n"
		"read proc=0x8003 addr=0x20002024\n"
		"msg from=2 VM_UNMAP_PHYS endpt=0x8003 vaddr=0x20002000\n"
		"msg from=2 VM_MAP_PHYS endpt=0x8003 phaddr=0xa2000 len=0x1000\n"
		"read proc=0x8003 addr=0x20001024\n"
		"msg from=2 VM_MMAP addr=0x30000000 len=0x2000 prot=3 flags=0x1012 fd=-1 forwhom=self\n"
		"write proc=2 addr=0x30000000 value=0x100\n"
		"write proc=2 addr=0x30001000 value=0x101\n"
		"msg from=2 VM_SETCACHEPAGE dev_offset=0x10000 dev=7 block=0x30000000 pages=2 flags=0\n"
		"write proc=2 addr=0x30000000 value=0x200\n"
		"msg from=2 VM_MAPCACHEPAGE dev_offset=0x10000 dev=7 pages=2\n"
		"read proc=2 addr=0x20000000\n"           /* MEMFX-07: 0x100, not 0x200 */
		"write proc=2 addr=0x20001000 value=0x301\n"
		"msg from=2 VM_MAPCACHEPAGE dev_offset=0x11000 dev=7 pages=1\n"
		"read proc=2 addr=0x20002000\n"
		"read proc=2 addr=0x30001000\n"           /* the owner keeps 0x101 */
		"msg from=2 VM_FORGETCACHEPAGE dev_offset=0x10000 dev=7 pages=2\n"
		"read proc=2 addr=0x20000000\n"
		"msg from=1 VM_PROCCTL param=1 who=0x8005 m1=0 len=0 flags=0\n"
		"msg from=0x8005 VM_MMAP addr=0x20003000 len=0x1000 prot=3 flags=0x1012 fd=-1 forwhom=self\n"
		"read proc=0x8005 addr=0x20003010\n"
		"read proc=0x8003 addr=0x20003010\n",
		/* MEMFX-09..12: a live update swaps two children's memories; RS_PREPARE grows
		 * a new instance's heap and copies an mmap copy-on-write; RS_MEMCTL
		 * preallocates zero memory; GETRUSAGE writes into PM. */
		"msg from=0 VM_FORK parent=11 slot=3\n"
		"msg from=0 VM_FORK parent=11 slot=4\n"
		"write proc=0x8003 addr=0x0804c010 value=0x77\n"
		"write proc=0x8004 addr=0x0804c010 value=0x88\n"
		"msg from=2 VM_RS_UPDATE src=0x8003 dst=0x8004 flags=0\n"
		"read proc=0x8003 addr=0x0804c010\n"      /* MEMFX-09 */
		"read proc=0x8004 addr=0x0804c010\n"
		"msg from=0x8003 VM_BRK addr=0x08060000\n"
		"msg from=0x8003 VM_MMAP addr=0x30000000 len=0x2000 prot=3 flags=0x1012 fd=-1 forwhom=self\n"
		"write proc=0x8003 addr=0x30001008 value=0x99\n"
		"msg from=0 VM_FORK parent=12 slot=5\n"
		"msg from=2 VM_RS_PREPARE src=0x8003 dst=0x8005 flags=0\n"
		"read proc=0x8005 addr=0x30001008\n"      /* MEMFX-10: the copied word */
		"read proc=0x8005 addr=0x0805f000\n"      /* MEMFX-10: the grown heap */
		"write proc=0x8005 addr=0x30001008 value=0xaa\n"
		"read proc=0x8003 addr=0x30001008\n"      /* copy-on-write: still 0x99 */
		"read proc=0x8005 addr=0x30000000\n"
		"msg from=2 VM_RS_MEMCTL endpt=0x8004 req=2 addr=0 len=0x2000\n"
		"read proc=0x8004 addr=0x0804f00c\n"      /* MEMFX-11 */
		"msg from=2 VM_RS_MEMCTL endpt=0x8004 req=3 addr=0 len=0x1001\n"
		"read proc=0x8004 addr=0x20001ffc\n"
		"msg from=2 VM_RS_MEMCTL endpt=0x8004 req=4 addr=0 len=0\n"
		"msg from=2 VM_RS_MEMCTL endpt=0x8004 req=0 addr=0 len=0\n"
		"read proc=0x8004 addr=0x20000000\n"
		"msg from=0 VM_GETRUSAGE endpt=11 addr=region:0.1+0x200 children=0\n" /* MEMFX-12 */
		"read proc=0 addr=region:0.1+0x204\n",
	};
	static const struct {
		const char *rule;
		uint32_t n;
	} want[] = { { "memory", 5 },   { "MEMFX-01", 9 }, { "MEMFX-04", 6 }, { "MEMFX-07", 3 },
		     { "MEMFX-09", 2 }, { "MEMFX-10", 3 }, { "MEMFX-11", 3 }, { "MEMFX-12", 1 } };
	static const char *const plants[] = { "mem:alias", "mem:cache" };
	static const char *const rules[] = { "MEMFX-01", "MEMFX-06" };
	static const char *const planted[] = {
		RS_ALL_CALLS
		"msg from=11 VM_MMAP addr=0x30000000 len=0x1000 prot=3 flags=0x1012 fd=-1 forwhom=self\n"
		"write proc=11 addr=0x30000000 value=0x11\n"
		"msg from=2 VM_REMAP dst=12 src=11 dst_addr=0x40000000 src_addr=0x30000000 size=0x1000\n"
		"write proc=12 addr=0x40000000 value=0x22\n"
		"read proc=11 addr=0x30000000\n",
		RS_ALL_CALLS
		"msg from=2 VM_MMAP addr=0x30000000 len=0x1000 prot=3 flags=0x1012 fd=-1 forwhom=self\n"
		"write proc=2 addr=0x30000000 value=0x100\n"
		"msg from=2 VM_SETCACHEPAGE dev_offset=0x10000 dev=7 block=0x30000000 pages=1 flags=0\n"
		"write proc=2 addr=0x30000000 value=0x200\n"
		"msg from=2 VM_MAPCACHEPAGE dev_offset=0x10000 dev=7 pages=1\n"
		"read proc=2 addr=0x20000000\n",
	};
	static struct conv c;
	uint32_t got[sizeof want / sizeof want[0]] = { 0 };
	char err[256];
	test_start();
	for (size_t i = 0; i < sizeof conv / sizeof conv[0]; i++) {
		EXPECT(conv_parse(conv[i], &c, err, sizeof err) == 0, "memory-effect conversation %zu: %s", i, err);
		EXPECT(run_conv(&c, 0) == 0, "memory-effect conversation %zu gave %s at %s: %s", i,
		       finding_get() ? finding_get()->kind : "-", finding_get() ? finding_get()->at : "-",
		       finding_get() ? finding_get()->detail : "-");
		for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
			got[k] += shadow_checked_rule(want[k].rule);
	}
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
		EXPECT(got[k] == want[k].n, "%s checked %u reads, not %u", want[k].rule, got[k], want[k].n);
	for (int i = 0; i < 2; i++) {
		EXPECT(conv_parse(planted[i], &c, err, sizeof err) == 0, "planted conversation: %s", err);
		shadow_plant(plants[i]);
		int found = run_conv(&c, 0);
		shadow_plant("none");
		EXPECT(found && !strcmp(finding_get()->kind, "model") && !strcmp(finding_get()->at, rules[i]),
		       "plant %s gave %s", plants[i], found ? finding_get()->at : "no finding");
		EXPECT(run_conv(&c, 0) == 0, "the conversation of plant %s gives a finding without it", plants[i]);
	}
	test_verdict("SELF0007", "the memory effects check shared memory, windows, the block cache and the RS calls "
				 "and fire on planted bugs");
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 2000;
	run_init(0);
	test_total(5000);
	test_truncated();
	test_errors();
	test_fault_engine();
	test_random_runs(runs);
	test_memory_oracle();
	test_memory_effects();
	test_expectations();
	printf("harness-selftest: %s\n", failures ? "FAILED" : "all passed");
	return failures ? 1 : 0;
}
