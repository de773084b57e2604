/* oracle.h - one interface for every oracle, walked by one runner (harness/runner.c)
 * in the hosted harness and in the QEMU guest agent alike.
 *
 * An oracle is a table of hooks, like vm/'s memory types: the runner calls each hook
 * of each oracle of the platform's list, in list order, around every record; an oracle
 * never calls back into the runner.  It judges what it is shown and reports with
 * finding_set() (the first finding of a run wins; later ones are ignored).  Any hook
 * may be NULL.  Shared code (runner, findings, the oracles the guest runs) is
 * freestanding: string.h and the snprintf subset %d %u %x %s %c, a zero-padded width,
 * and the ll modifier. */
#ifndef VMFUZZ_ORACLE_H
#define VMFUZZ_ORACLE_H

#include <stdint.h>
#include "input.h"
#include "platform.h"

/* Runner flags. */
#define RUN_TRACE  0x1 /* print every record and its outcome */
#define RUN_EXPECT 0x2 /* check expected replies (text inputs) */
#define RUN_ABORT  0x4 /* abort on a finding (under the engines) */
#define RUN_DIGEST 0x8 /* fold the final state digest into the trace hash */
#define RUN_KEEP_GOING 0x10 /* RUN_EXPECT: report every mismatch, one finding at the end */
#define RUN_FAST 0x20 /* the engines' cheaper checks: VM's per-handler sanity checks
			* incremental (the one after the last record stays full) and the
			* leak teardown of the processes the conversation touched only, and
			* REPEATs of a binary input capped at REPEAT_BUDGET_ENGINE records */

/* Records all REPEATs of a binary input run again at most under RUN_FAST (the engines,
 * vm-replay --fast), whatever its header's budget class asks: a bound on an execution's
 * cost that a fuzzed input cannot raise by flipping two header bits.  Replay without
 * --fast, and every text input, honour the header (up to 8192). */
#define REPEAT_BUDGET_ENGINE 512

#define STEP_CAP 16 /* vm_step calls per record before it counts as a hang */

/* What every hook sees: the platform, the conversation and where the run is. */
struct run_ctx {
	const struct platform *plat;
	const struct conv *c;
	int32_t rec;    /* index of the record being run; -1 before the first */
	uint32_t iter;  /* the run of its REPEAT body (0: as written, or no REPEAT) */
	int flags;      /* RUN_* */
	int level;      /* the conversation's sanity level */
};

/* A message as delivered and what came of it. */
struct msg_seen {
	const struct rec *r;    /* its record (NULL for the leak oracle's own messages) */
	message m;              /* as delivered: m_source and fields resolved */
	uint32_t status;        /* IPC_FLG_* */
	int was_live;           /* the sender was a live process before delivery */
	int32_t code;           /* out_code(o, m.m_source) */
	const message *rep;     /* the last reply to the sender, or NULL */
	const struct outcome *o;
};

/* A user memory access and what came of it. */
struct access_seen {
	const struct rec *r;
	endpoint_t ep;
	uint32_t addr; /* 4-byte aligned */
	int write;
	uint32_t value; /* written, or read (rc == VM_OK) */
	int32_t rc;
	const struct outcome *o;
};

struct oracle {
	const char *name;
	/* A conversation starts (after the platform's reset). */
	void (*begin)(const struct run_ctx *x);
	/* Before a message is delivered (m_source and fields resolved). */
	void (*before_msg)(const struct run_ctx *x, const message *m, uint32_t status);
	/* After it was handled. */
	void (*after_msg)(const struct run_ctx *x, const struct msg_seen *s);
	/* Before and after a user access. */
	void (*before_access)(const struct run_ctx *x, endpoint_t ep, uint32_t addr, int write);
	void (*access)(const struct run_ctx *x, const struct access_seen *a);
	/* A FAULT record armed the fault engine. */
	void (*fault)(const struct run_ctx *x, int site, uint32_t nth, int mode);
	/* A CHECK record (r, its selectors unresolved). */
	void (*check)(const struct run_ctx *x, const struct rec *r);
	/* After the last record, when no finding was made yet. */
	void (*end)(const struct run_ctx *x);
};

/* ---- findings.c: findings (shared with the guest agent) ---- */
struct finding {
	int set;
	char kind[16];
	uint32_t sig;
	char call[32];
	char at[160];
	char detail[512];
	int32_t rec; /* index of the failing record, -1 = none */
};
/* The runner says which record runs and its call name (findings name them); call
 * must stay valid until the next finding_context. */
void finding_context(int32_t rec, const char *call);
/* The call name of the record being run ("VM_MMAP", "teardown", "none"). */
const char *finding_call(void);
/* Record a finding (the first one of a run wins).  The signature is the FNV-1a hash
 * of sigkey; call (NULL: the record's) and at go on the FINDING line. */
void finding_set(const char *kind, const char *sigkey, const char *call, const char *at,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
extern const struct finding *finding_current; /* kept by findings.c; read finding_get */
static inline const struct finding *finding_get(void)
{
	return finding_current;
}
void finding_clear(void);
/* Make f (a copy saved from finding_get) the run's finding again. */
void finding_put(const struct finding *f);
/* Re-sign the run's finding (none: nothing happens): signature sig_hash(sigkey), call
 * (NULL: unchanged) on the FINDING line, more appended to the detail (NULL: none). */
void finding_resign(const char *sigkey, const char *call, const char *more);
uint32_t sig_hash(const char *s);

/* ---- runner.c ---- */
/* Run c on x->plat with the oracles list[0..n-1]; 1 on a finding (finding_get). */
int runner_run(struct run_ctx *x, const struct oracle *const *list, int n);
/* Records all REPEATs of x->c may run again: its header's budget, at most
 * REPEAT_BUDGET_ENGINE under RUN_FAST for a binary input (no RUN_EXPECT). */
uint32_t runner_repeat_budget(const struct run_ctx *x);
/* Hash of everything observable in the last run (replies, events, reads). */
uint64_t runner_trace_hash(void);
/* Fold more bytes into the trace hash (the hosted digest). */
void runner_hash_in(const void *p, uint32_t n);
/* What record i gave in the last run of it (its REPEAT's last run). */
struct rec_result {
	int ran;         /* the record ran */
	int32_t code;    /* MSG: the code the sender got */
	int has_reply;   /* MSG: rep is the reply to the sender */
	message rep;
	int32_t rc;      /* ACCESS: VM_OK or the failure */
	uint32_t value;  /* ACCESS: the value read */
	int killed;      /* ACCESS: VM killed the process */
};
const struct rec_result *runner_result(uint32_t i);
/* The access result (AX_VALUE, AX_OK, AX_FAULT, AX_KILLED) a record result shows. */
int runner_access_result(const struct rec_result *res, int write);
/* Records run again by REPEATs in the last run. */
uint32_t runner_repeated(void);
/* The conversation being run (crash reports), or NULL. */
const struct conv *runner_conv(void);
/* The address an addr-sel names now on platform p (the offset alone when the region
 * is missing). */
uint32_t runner_addr(const struct platform *p, const struct addr_sel *a);
/* A display name for record r's call ("VM_MMAP", "0xc06", "NOTIFY"). */
void rec_call_name(const struct rec *r, char *buf, uint32_t len);

/* ---- The oracles (one file each) ---- */
/* oracle_vm.c: a finding for VM's alarm in o (panic, sanity failure, exception, a
 * request past the step cap); 1 when there was one. */
int vm_alarm_finding(const struct outcome *o);

extern const struct oracle reply_oracle;  /* oracle_reply.c: codes, OUT fields, one reply when due */
extern const struct oracle acl_oracle;    /* oracle_acl.c: a denied call changes nothing */
extern const struct oracle expect_oracle; /* oracle_expect.c: => lines of text inputs */
extern const struct oracle vmdeath_oracle;/* oracle_vm.c: panics, sanity failures, hangs */
extern const struct oracle memory_oracle; /* shadow.c (hosted) */
extern const struct oracle leak_oracle;   /* leak.c (hosted) */
extern const struct oracle model_oracle;  /* model/ : the executable protocol model */

#endif
