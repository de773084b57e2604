/* kernel.h - the i386 microkernel's internals: the process table and every
 * cross-file prototype, grouped by the file that implements it. */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdint.h>
#include <stddef.h>
#include "ipc.h"
#include "layout.h"
#include "bootinfo.h"
#include "boot_table.h"
#include "abi.h"
#include "arch/x86.h"
#ifdef KERNEL_FUZZ
#include "fuzz_abi.h"
#include "fault_sites.h"
#define FUZZ 1
#else
#define FUZZ 0
#endif

#define PHYS_NONE_K 0xFFFFFFFFu
#define SIGSEGV 11 /* as in seam.h */
#define MAP_WORDS (NR_PROCS / 32)
/* Fault rules armed at once: harness/fault.c's FAULT_RULES_MAX (CONV_MAX_RECORDS + 1);
 * a repeat may arm more, which both engines drop (make fuzz-qemu found the image's
 * table of 80 refusing the 81st, where the hosted one ignored the 66th). */
#define FZ_FAULT_RULES 65
#define SNAP_MAX_PAGES 8192 /* the fuzz image's snapshot covers at most 32 MiB */

/* ---- Process table ---- */
/* Blocking reasons; a process runs when none is set. */
#define RTS_SLOT_FREE    0x01 /* no process in this slot */
#define RTS_NO_ADDRSPACE 0x02 /* boot or fork: waits for kc_addrspace from VM */
#define RTS_SENDING      0x04 /* queued on sendto's sender queue */
#define RTS_RECEIVING    0x08 /* waits for a message from getfrom (or ANY) */
#define RTS_PAGEFAULT    0x10 /* waits for VM to resolve its page fault */
#define RTS_KILLED       0x20 /* killed: never runs again, slot kept until kc_exit */
#define RTS_FZ_HOLD      0x40 /* fuzz image: a process VM manages but nobody runs */
#define RTS_FZ_WAIT      0x80 /* fuzz image: the agent waits for VM to finish a request */
#define RTS_FZ_DEAD      0x100 /* fuzz image: VM panicked or faulted */

struct priv {
	uint32_t ipc_to[MAP_WORDS]; /* bit s: may send to / notify slot s */
	uint32_t kc_mask;           /* bit n: may make kernel call n */
};

struct proc {
	struct trapframe tf;        /* user registers while not running */
	uint32_t rts;
	endpoint_t endpt;
	int32_t slot;
	int32_t gen;                /* generation of the slot's current or last process */
	int32_t ever_used;          /* a process has occupied this slot */
	uint32_t cr3;               /* page directory (physical), 0 before kc_addrspace */
	char name[8];
	struct priv priv;
	/* IPC state */
	endpoint_t sendto, getfrom;
	uint32_t msg_vaddr;         /* user buffer of the pending receive */
	int sendrec;                /* the pending send is the first half of a sendrec */
	int pf_queued;              /* queued on VM's sender queue with a page fault */
	uint32_t pf_addr, pf_err;
	message msg;                /* kernel copy of the message being sent */
	int held;                   /* a message matched my receive but my buffer needs VM */
	uint32_t held_status;
	message held_msg;
	struct proc *q_head, *q_next; /* processes queued to send to me; queue link */
	uint32_t notify_pending[MAP_WORDS]; /* bit s: a notify from slot s is pending */
};

struct kstate {
	struct proc proc[NR_PROCS];
	struct proc *cur;           /* the process that trapped / will run */
	struct proc *vm;            /* the VM server */
	uint32_t ticks;
	int preempt;
	struct boot_info bi;        /* what kc_bootinfo hands VM */
	uint32_t soak_cycles;       /* "soak=N" on the command line (init's soak) */
	int monitor;                /* "monitor" on the command line (init's monitor) */
#ifdef KERNEL_FUZZ
	struct fz_state {
		struct proc agent;  /* the agent runs here, outside the process table */
		uint32_t input, input_len, input_flags; /* the input module */
		int busy;           /* a request of the agent is in progress */
		int delivered;      /* its message reached VM */
		int op;             /* KC_FZ_MSG, KC_FZ_ACCESS or KC_FZ_CTL */
		message msg;
		uint32_t status;
		uint32_t out_va;    /* the agent's struct outcome */
		uint32_t ctl_va;    /* KC_FZ_CTL: the agent's struct fz_ctl */
		struct outcome out;
		struct fz_ctl ctl;
		endpoint_t acc_ep;  /* FZ_ACCESS */
		uint32_t acc_addr, acc_value;
		int acc_write, acc_tries;
		uint32_t mutations; /* vm.mutations as VM last reported it */
		uint32_t free_pages; /* VM's free page count as it last reported it */
		int counting;       /* the fault engine counts hits (from the first record) */
		uint32_t hits[FS_COUNT];
		uint32_t nrules;
		struct { uint32_t site, mode, nth, base; } rule[FZ_FAULT_RULES];
		uint32_t fail_sends;
		struct fz_death {   /* why VM stopped for good (enum vm_life) */
			int32_t life, panic_line, sanity_fail;
			char panic_file[64], panic_why[128];
			char sanity_inv[32], sanity_text[96], sanity_obj[16];
			uint32_t exc_vec, exc_eip;
		} dead;
		struct fz_snap {    /* kernel/snapshot.c: many inputs per boot */
			int taken, verify;  /* verify: "snapcheck", compare all after a restore */
			uint32_t lo, hi;    /* restored physical range: VM's memory and pool */
			uint32_t agent_lo, agent_hi; /* the agent's memory inside it: kept */
			uint32_t copy;      /* physical address of the copy of [lo, hi) */
			struct proc *procs; /* the process table as taken (after the copy) */
			uint32_t mutations, free_pages;
			struct fz_death dead;
			uint32_t kdirty[SNAP_MAX_PAGES / 32]; /* pages the kernel wrote */
			uint32_t restores, pages_restored;
		} snap;
		uint32_t shm_phys;  /* kernel/shm.c: the host's shared memory, 0 if none */
	} fz;
#endif
};
extern struct kstate k;

/* ---- serial.c: COM1 console ---- */
void serial_init(void);
void kputs(const char *s);
void kputn(const char *s, uint32_t n);
/* Minimal formatter: %d %u %x %s %c, with a zero-pad width for %x (e.g. %08x). */
void kprintf(const char *fmt, ...);

/* ---- main.c ---- */
__attribute__((noreturn)) void kpanic(const char *fmt, ...);
/* Leave QEMU with status (0 = success) through isa-debug-exit, else ACPI off. */
__attribute__((noreturn)) void shutdown(int status);

/* ---- arch/cpu.c ---- */
void gdt_init(void);
void idt_init(void);
void pic_init(void);
void pic_eoi(int irq);
void pit_init(uint32_t hz);
void user_return(struct trapframe *tf) __attribute__((noreturn)); /* arch/trap.S */

/* ---- memory.c: paging, boot-time page allocation, user memory access ---- */
void paging_init(void);
uint32_t kern_pdir_phys(void);
/* The supervisor PDE the kernel puts at index i (< KERNEL_PDE_COUNT) of every directory. */
uint32_t kern_pde(int i);
void palloc_init(uint32_t first_free, uint32_t top);
/* npages zeroed, contiguous, page-aligned physical pages; panics when RAM runs out. */
uint32_t palloc(uint32_t npages);
uint32_t palloc_mark(void);
uint32_t palloc_top(void);
/* Map page vaddr -> phys in directory pdir with PTE flags, allocating a page table. */
void map_page(uint32_t pdir, uint32_t vaddr, uint32_t phys, uint32_t flags);
/* Translate a user address through directory cr3: the physical address, or
 * PHYS_NONE_K when not present, not user, or (write) not writable. */
uint32_t uwalk(uint32_t cr3, uint32_t vaddr, int write);
/* Copies through page tables; VM_OK or VM_EFAULT (never a memory request). */
int copy_from_user(const struct proc *p, uint32_t vaddr, void *dst, uint32_t len);
int copy_to_user(const struct proc *p, uint32_t vaddr, const void *src, uint32_t len);
int copy_user_user(const struct proc *s, uint32_t sa, const struct proc *d, uint32_t da, uint32_t len);
int user_writable(const struct proc *p, uint32_t vaddr, uint32_t len);
int user_range_ok(const struct proc *p, uint32_t vaddr, uint32_t len, int write);

/* ---- boot.c: multiboot modules, boot processes, VM's address space ---- */
void boot_start(uint32_t magic, uint32_t mbi);

/* ---- proc.c: process table and scheduler ---- */
void proc_init(void);
/* The process of a live endpoint (SELF = caller); NULL when free, stale, killed. */
struct proc *proc_live(endpoint_t ep, struct proc *caller);
/* Like proc_live but also finds killed processes (VM still has to clean them up). */
struct proc *proc_any(endpoint_t ep, struct proc *caller);
void proc_unblock(struct proc *p, uint32_t flag, int result);
/* End p's IPC: dequeue it, fail everyone waiting on it with VM_EDEADSRCDST. */
void proc_detach_ipc(struct proc *p);
void proc_free(struct proc *p);
void proc_kill(struct proc *p, int sig, const char *why);
__attribute__((noreturn)) void sched_return(void);

/* ---- ipc.c ---- */
void ipc_trap(struct proc *p);
/* Deliver the kernel's VM_PAGEFAULT message for p to VM (or queue it). */
void ipc_pagefault(struct proc *p);
void queue_remove(struct proc *dst, struct proc *p);
/* VM resolved p's fault: finish a receive whose copy waited for it. */
void ipc_resume(struct proc *p);

/* ---- kcall.c ---- */
/* A kernel call's arguments (ebx, ecx, edx, esi, edi) and its extra result (edx). */
struct kargs { uint32_t a, b, c, d, e; uint32_t out; };
void kcall_trap(struct proc *p);

/* ---- fuzz.c (fuzz image only) ---- */
#ifdef KERNEL_FUZZ
#define KC_FZ_DECL(n, NAME, name) int kc_##name(struct proc *caller, struct kargs *x);
KCALLS_FUZZ(KC_FZ_DECL)
#undef KC_FZ_DECL
/* A send of VM: logged for the agent when dst is live, refused otherwise. */
int fz_vm_send(struct proc *vm, endpoint_t dst, uint32_t vaddr);
/* VM blocked in its receive with nothing pending: deliver or finish a request. */
void fz_vm_idle(void);
/* An exception in VM: it never runs again; the agent's request ends with a crash. */
void fz_vm_fault(const struct trapframe *tf);
/* ---- snapshot.c (fuzz image only) ---- */
/* The kernel wrote [phys, phys + len): pages of the snapshot's range are restored. */
void snap_kernel_wrote(uint32_t phys, uint32_t len);
/* ---- shm.c (fuzz image only) ---- */
/* Find the ivshmem device on PCI and map its memory at FZSHM_VADDR into the spaces
 * whose directories are given (VM's and the agent's); nothing when there is none. */
void shm_init(uint32_t vm_pdir, uint32_t agent_pdir);
#endif
/* ---- sysinfo.c: the console and monitor calls (kernel/monitor_abi.h) ---- */
#define KC_MON_DECL(n, NAME, name) int kc_##name(struct proc *caller, struct kargs *x);
KCALLS_MONITOR(KC_MON_DECL)
#undef KC_MON_DECL
/* ---- pmctl.c: PM's process control ---- */
#define KC_PM_DECL(n, NAME, name) int kc_##name(struct proc *caller, struct kargs *x);
KCALLS_PM(KC_PM_DECL)
#undef KC_PM_DECL
/* Deliver m with status to dst, which waits in a receive that m satisfies. */
int ipc_deliver(struct proc *dst, const message *m, uint32_t status);

/* ---- trap.c ---- */
void trap(struct trapframe *tf);

#endif
