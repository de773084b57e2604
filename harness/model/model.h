/* model.h - the executable protocol model's abstract state and rule interface
 * (internal to harness/model/).  The model is written from the protocol
 * (include/vm_calls.h, the MINIX VM fact sheet, the hardened deviations the README
 * documents), never from vm/'s code, and never reads vm/'s state: it sees what a
 * client and the kernel see (struct msg_seen, struct access_seen, the platform's
 * process table and boot description).  Every rule has an id and a line in
 * docs/model.md.
 *
 * Ownership: model.c (hooks, dispatch, verdicts) and proc.c (processes, ACL, the
 * lifecycle and RS calls) own this header, struct model and struct mproc except `as`;
 * space.c and mem.c own struct mspace (space.h), the address-space calls and the
 * functions declared under "the space half" below.  Names here are stable.
 *
 * How a message is judged (model.c):
 *   before_msg  the common rules run first, in the order the protocol fixes (PROC-*,
 *               ACL-*); then the call's row (struct mcall) predicts into a struct mpred.
 *               A predict function must not change any state.
 *   after_msg   model.c compares who got the reply, the code and the ACL event with
 *               the prediction; then the row's commit function checks OUT fields (mfind
 *               on a disagreement) and applies the effect when the call succeeded.
 *               Commit is not called when the model did not know (dont_know), nor
 *               when the request failed with the errno of an injected fault (VM is
 *               all-or-nothing: nothing changed).
 * The call rows live in tables: proc_calls (proc.c), dma_calls (dma.c), vfs_calls
 * (vfs.c), exec_calls (exec.c), watch_calls (watch.c), sig_calls (sig.c) and
 * space_calls (space.c); model.c looks a type up in that order. */
#ifndef VMFUZZ_MODEL_H
#define VMFUZZ_MODEL_H

#include "oracle.h"
#include "bootinfo.h"
#include "space.h"
#include "vm_vfs.h"

/* ---- Predictions ---- */
#define MPRED_CODES 8

/* Whether the request must emit an acl_deny trace event (TR_ACL_DENY, a = sender). */
enum mdeny {
	MDENY_NO,  /* allowed: no acl_deny event (the default) */
	MDENY_YES, /* refused by the mask (ECALLDENIED) or a privilege check (EPERM) */
	MDENY_ANY, /* the model does not know the sender's mask bit */
};

/* A prediction for one message, made before it is delivered. */
struct mpred {
	const char *rule;              /* id of the rule that decided (docs/model.md) */
	int32_t code[MPRED_CODES];     /* the allowed reply codes (VM_SUSPEND: no reply) */
	int ncode;
	endpoint_t reply_to;           /* who must get the reply (normally the sender) */
	int dont_know;                 /* the model lost track: nothing is checked */
	int deny;                      /* enum mdeny */
	int acl_unknown;               /* the sender's mask bit for the call is unknown:
					* ECALLDENIED is allowed too, and learnt from */
	int others_ok;                 /* replies to other processes are the call's own
					* business, judged by its commit (VM_VFS_REPLY) */
	int ok_elsewhere;              /* an OK reply goes to ok_to, not to reply_to */
	endpoint_t ok_to;              /* (VM_RS_UPDATE after the swap) */
	uint32_t need_pages;           /* pages the request may allocate (0: none): ENOMEM is
					* allowed when VM's free pages are fewer than this plus
					* a margin (memory really short) */
	struct mproc *src;             /* the sender (a live model process), or NULL */
	struct mproc *tgt, *tgt2;      /* processes named by endpoint fields, when valid */
	/* Filled by model.c before commit: */
	int32_t got;                   /* the code reply_to got (VM_SUSPEND: none) */
	const message *rep;            /* the reply to reply_to, or NULL (send failed) */
	/* Free for the rule's own after-check and commit. */
	uint32_t u[8];
};

/* A rule: fills p from the request and the model's state.  Must not change state.
 * model.c has set rule, reply_to (the sender), src and one allowed code VM_OK before. */
typedef void (*mrule_predict)(const message *m, uint32_t status, struct mpred *p);
/* After the reply: check OUT fields and side effects (call mfind on a disagreement),
 * then commit the effect of the outcome to the model's state (p->got says how the
 * request ended). */
typedef void (*mrule_commit)(const struct msg_seen *s, const struct mpred *p);

struct mcall {
	int32_t type;          /* VM_* */
	mrule_predict predict;
	mrule_commit commit;
};

/* Set the prediction to exactly one code, decided by rule. */
void mpred_set(struct mpred *p, const char *rule, int32_t code);
/* Allow one more code (a small documented set where VM may choose). */
void mpred_add(struct mpred *p, int32_t code);
/* Refused by a privilege check inside a handler: EPERM and an acl_deny event. */
void mpred_deny(struct mpred *p, const char *rule);
/* The model cannot tell: nothing is checked and nothing committed; counted. */
void mpred_dont_know(struct mpred *p, const char *rule);
/* True when code is one of the predicted codes. */
int mpred_has(const struct mpred *p, int32_t code);

/* Report a disagreement: kind model, signature from "model:<rule>:<call>[:<object>]",
 * at = rule.  The detail should say what was predicted and what happened. */
void mfind(const char *rule, const char *object, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- Processes ---- */
/* Powers a process identity holds beyond its call mask.  They belong to the identity
 * (endpoint with its generation) they were given to at boot: a forked child never
 * inherits them, and a process that later gets the same slot has none of them. */
#define MPRIV_EXEC      0x01 /* RS, VFS: MAP_THIRDPARTY and MAP_UNINITIALIZED mmaps,
			      * MAP_PHYS / UNMAP_PHYS / MAP_FIXED for another process */
#define MPRIV_CLEAR     0x02 /* RS, VFS: VM_PROCCTL CLEAR */
#define MPRIV_HANDLEMEM 0x04 /* VFS: VM_PROCCTL HANDLEMEM */
#define MPRIV_RUSAGE    0x08 /* PM: VM_GETRUSAGE acts (anyone else: EPERM) */

/* Which call mask a process is checked against. */
enum macl {
	MACL_NONE, /* no mask: every call is denied (a child of a system process) */
	MACL_USER, /* the one mask every user process shares (struct model.user_mask) */
	MACL_SYS,  /* its own mask (struct mproc.mask) */
};

struct mproc {
	int live;               /* VM knows a process in this slot */
	endpoint_t endpt;       /* its endpoint, generation included (slot: mproc_slot) */
	int exiting;            /* VM_WILLEXIT was accepted */
	int is_vm;              /* VM itself (no address space in the model) */
	uint32_t priv;          /* MPRIV_* */
	int acl;                /* enum macl */
	vm_callmask_t mask;     /* MACL_SYS: its mask */
	vm_callmask_t known;    /* MACL_SYS: the bits of mask the model knows */
	/* The RS_MEMCTL preallocated map (proc.c): 0 none, 1 [pmap_addr, +pmap_len), 2 unknown. */
	int pmap;
	uint32_t pmap_addr, pmap_len;
	struct mspace as;       /* the address space: space.c and mem.c own it */
};

/* A DMA range row (dma.c): the owner's endpoint stays after it exits (the owner has
 * exited when no live process has that endpoint). */
struct mdma {
	endpoint_t owner;
	uint32_t start, size;
	int reported;           /* VM_GETDMA reported it (after the owner's exit) */
};

/* A row of the exit and signal watch table (watch.c). */
#define MW_WATCH  1 /* watcher waits for target's exit */
#define MW_EXITED 2 /* event: target exited */
#define MW_SIGNAL 3 /* event: VM_NOTIFY_SIG queued target's signal */
struct mwatch {
	int kind;
	endpoint_t watcher, target;
};

struct mstats {
	uint32_t judged;        /* messages whose outcome was checked */
	uint32_t dont_know;     /* messages the model could not predict */
	uint32_t unknown_acl;   /* ACL decisions not judged (mask bit unknown) */
};

/* The model's whole state: reset by begin, nothing else is global.  begin clears
 * every field before proc (a few KB); proc (NR_PROCS entries of about 2.4 KB) is not
 * cleared: an entry is cleared when its slot first gets a process in the conversation
 * (mslot_new), and used_mask says which entries that happened to.  An entry whose
 * used_mask bit is 0 holds a former conversation's state: only mslot_live may look. */
struct model {
	int on;                 /* begin found a usable process table */
	const struct run_ctx *x;/* the running conversation (platform: peek, proc_flags) */
	endpoint_t vm_endpt;
	vm_callmask_t user_mask, user_known; /* the shared mask of user processes */
	uint32_t armed_sites;   /* bit per enum fault_site that a FAULT record armed */
	struct mstats st;
	/* The message being judged (model.c). */
	int pending;            /* before_msg made a prediction that after_msg judges */
	struct mpred pred;
	const struct mcall *row;/* the row that predicted, or NULL (common rules) */
	/* ---- space.c owns: the block cache, frame ids, REMAP links (space.h) ---- */
	struct mspace_glob sg;
	/* ---- dma.c owns: the DMA range table as the protocol describes it ---- */
	struct mdma dma[VM_DMA_MAX]; /* rows [0, ndma), in registration order */
	uint32_t ndma;
	/* ---- vfs.c owns: file mmaps waiting for VFS (requester, target, request) ---- */
	struct mvfs_w { endpoint_t requester, target; struct vm_pl_mmap q; } vfsw[VM_VFS_QUEUE_MAX];
	uint32_t nvfsw;
	int vfsw_lost;          /* more waited than the model kept: VFS answers forget all */
	/* ---- watch.c owns: the exit and signal watch table ---- */
	struct mwatch watch[VM_WATCH_MAX]; /* rows [0, nwatch), in registration order */
	uint32_t nwatch;
	uint32_t used_mask[NR_PROCS / 32]; /* bit s: proc[s] was cleared in this conversation */
	/* ---- not cleared by begin (must stay last) ---- */
	struct mproc proc[NR_PROCS];
};
extern struct model mdl;

/* Is slot s (in [0, NR_PROCS)) a live process of the model? */
static inline int mslot_live(int32_t s)
{
	return ((mdl.used_mask[s / 32] >> (s % 32)) & 1) && mdl.proc[s].live;
}
/* Slot s's entry, all zero, for a process the model now places there (the caller
 * sets live and the rest). */
struct mproc *mslot_new(int32_t s);
/* The slot of a model process: its index in mdl.proc. */
static inline int32_t mproc_slot(const struct mproc *p)
{
	return (int32_t)(p - mdl.proc);
}

/* The live model process whose endpoint is exactly ep, or NULL. */
struct mproc *mproc_of(endpoint_t ep);

/* Validate an endpoint field the way the protocol does (vm_isokendpt):
 *   MEP_OK   ep names a live process (SELF names the caller when self_ok); *pp = it;
 *   MEP_BAD  no such process: slot out of [0, NR_PROCS) (kernel tasks, ANY, NONE, SELF
 *            without self_ok), a stale generation, or a free slot;
 *   MEP_VM   VM's own endpoint: this VM refuses to act on itself. */
enum mep { MEP_OK, MEP_BAD, MEP_VM };
int mep_check(endpoint_t ep, endpoint_t caller, int self_ok, struct mproc **pp);
/* The codes for a refused endpoint field: MEP_BAD gives bad (the call's errno for a
 * bad endpoint: EINVAL, ESRCH), MEP_VM gives {bad, EPERM} (the hardened VM refuses to
 * name itself with one of them; rule EP-02). */
void mpred_ep(struct mpred *p, const char *rule, int mep, int32_t bad);

/* The mask bit of call number num for process p: 1 allowed, 0 denied, -1 unknown. */
int macl_allows(const struct mproc *p, int num);

/* ---- proc.c ---- */
extern const struct mcall proc_calls[];
extern const int proc_ncalls;
/* Boot: the model's processes from the boot description (or, without one, from the
 * platform's table and include/boot_table.h); 0 when the model cannot start. */
int proc_begin(const struct run_ctx *x);
/* The common rules that precede every call's rule (PROC-*, ACL-*): 1 when they decided
 * the prediction, 0 when the call's row must predict. */
int proc_precheck(const message *m, uint32_t status, struct mpred *p);
/* After the common verdict: learn an unknown mask bit from the ACL event. */
void proc_learn_acl(const struct msg_seen *s, const struct mpred *p);
/* A successful call may have removed part of a process's preallocated map. */
void proc_note_unmap(struct mproc *t, uint32_t addr, uint32_t len);

/* ---- dma.c ---- */
extern const struct mcall dma_calls[]; /* ADDDMA, DELDMA, GETDMA */
extern const int dma_ncalls;
/* Does the live process ep hold a DMA range (DMA-09: it may not fork)? */
int mdma_held(endpoint_t ep);

/* ---- vfs.c ---- */
extern const struct mcall vfs_calls[]; /* VFS_MMAP, VFS_REPLY */
extern const int vfs_ncalls;
/* A file mmap from requester for target waits for VFS (VFS-04): VFS's answer may map
 * a region in target; the space model forgets target's space then. */
void mvfs_wait(endpoint_t requester, endpoint_t target, const struct vm_pl_mmap *q);
/* The boot VFS exited (s: that VM_EXIT): VFS-10, every process waiting for it was
 * answered with an errno; nobody waits any more. */
void mvfs_server_exits(const struct msg_seen *s);
/* Process ep (not VFS) exited: VFS-11, its waits end unanswered. */
void mvfs_requester_exits(endpoint_t ep);
/* Is m (in o's replies) a request VM sent VFS rather than a reply? */
int mvfs_is_request(endpoint_t dst, const message *m);

/* ---- exec.c ---- */
extern const struct mcall exec_calls[]; /* EXEC_NEWMEM */
extern const int exec_ncalls;

/* ---- watch.c, sig.c ---- */
extern const struct mcall watch_calls[]; /* WATCH_EXIT, NOTIFY_SIG, QUERY_EXIT */
extern const int watch_ncalls;
extern const struct mcall sig_calls[];   /* PUSH_SIG, MUNMAP_TEXT */
extern const int sig_ncalls;

/* ---- The space half (space.c, mem.c; trivial versions in space_stub.c until they
 * exist).  An mspace is empty (all zero) when its process does not exist (in an
 * entry mslot_new cleared). ---- */
#define MS_UNKNOWN INT32_MIN /* a check's answer when the space half cannot tell */

extern const struct mcall space_calls[]; /* MMAP, MUNMAP, BRK, ..., PAGEFAULT rows; a
					  * VM_INFO row there is called for VMIW_REGION only */
extern const int space_ncalls;
/* A conversation starts: global space state (block cache, shared links) to empty. */
void space_reset(void);
/* cost.c: pages a request may make VM allocate for its bookkeeping (ENOMEM below) */
uint32_t mcost_region(uint64_t len);
uint32_t mcost_held(const struct mspace *as, uint64_t a, uint64_t e);
uint32_t mcost_pt(uint64_t a, uint64_t e);
uint32_t mcost_cut(const struct mspace *as, uint64_t a, uint64_t e);
uint32_t mcost_pt_any(uint64_t len);
uint32_t mcost_new_region(uint64_t len, int prealloc);
uint32_t mcost_copy(const struct mspace *as);
uint32_t mcost_copy_all_held(const struct mspace *as);
/* A boot process's address space from its boot description (as is empty before). */
void space_boot(struct mspace *as, const struct boot_proc *bp);
/* The model knows nothing of as any more (no boot description, lost track). */
void space_forget(struct mspace *as);
/* m got an answer the model did not know, or a failure it excused: when m is a cache
 * call, cache lookups are not judged any more. */
void cache_forget_call(const message *m);
/* Part of a call that failed by an injected failure (or with memory really short) may
 * be done: which pages of as are present, and every frame's count, are not known any
 * more; its extents are (a failed call keeps them, hardened). */
void space_lose_presence(struct mspace *as);
/* VM_FORK OK: dst (empty) becomes a copy-on-write copy of src. */
void space_copy(struct mspace *dst, const struct mspace *src);
/* VM_EXIT OK, VM_PROCCTL CLEAR OK: every extent of as is gone (shared links too). */
void space_clear(struct mspace *as);
/* VM_RS_UPDATE OK: the two processes exchange address spaces (endpoints stay). */
void space_swap(struct mspace *a, struct mspace *b);
/* May VM make [addr, addr+len) of as present (write: writable), as PROCCTL HANDLEMEM
 * and the copies of VM_INFO and VM_GETRUSAGE do first?  VM_OK, VM_EFAULT (a page in no
 * region, a write to a read-only one, a wrapping range) or MS_UNKNOWN.  len 0: VM_OK. */
int space_prefault_check(const struct mspace *as, uint32_t addr, uint32_t len, int write);
/* It did: those pages are present now (demand-zero pages are zero-filled). */
void space_prefault(struct mspace *as, uint32_t addr, uint32_t len, int write);
/* A copy or HANDLEMEM that VM refused with EFAULT for its range: VM faulted the pages
 * in order (PF-01) up to the first one the access may not reach, and those stay
 * present; a range that wraps made none present. */
void space_prefault_refused(struct mspace *as, uint32_t addr, uint32_t len, int write);
/* VM wrote [addr, addr+len) of as with values the model does not know. */
void space_clobber(struct mspace *as, uint32_t addr, uint32_t len);
/* RS_MEMCTL HEAP_PREALLOC: may the heap of as grow by len bytes above the start of its
 * data region, preallocated?  VM_OK, VM_ENOMEM or MS_UNKNOWN; then the commit. */
int space_heap_prealloc_check(const struct mspace *as, uint32_t len);
void space_heap_prealloc(struct mspace *as, uint32_t len);
/* RS_MEMCTL MAP_PREALLOC: may a preallocated anonymous writable region of len bytes
 * (page-rounded) be placed in as?  VM_OK, VM_ENOMEM or MS_UNKNOWN.  Commit: the reply
 * placed it at addr (page-aligned; the hint is VM's choice); space_place_ok judges
 * that address first (1 free and in the user range, 0 not, -1 unknown). */
int space_map_prealloc_check(const struct mspace *as, uint32_t len);
int space_place_ok(const struct mspace *as, uint32_t addr, uint32_t len);
void space_map_prealloc(struct mspace *as, uint32_t addr, uint32_t len);
/* RS_PREPARE: dst's heap grows to src's heap length; unless nommap, every anonymous
 * mmap region of src is shared copy-on-write into dst at the same address.  Check:
 * VM_OK, VM_ENOMEM (an address taken in dst, no room) or MS_UNKNOWN; then the commit. */
int space_prepare_check(const struct mspace *dst, const struct mspace *src, int nommap);
void space_prepare(struct mspace *dst, const struct mspace *src, int nommap);
/* User memory accesses (READ/WRITE records): judge and commit (mem.c). */
void space_before_access(const struct run_ctx *x, struct mproc *p, uint32_t addr, int write);
void space_access(const struct run_ctx *x, struct mproc *p, const struct access_seen *a);

#endif
