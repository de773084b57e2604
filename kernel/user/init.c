/* init.c - the first user process and the image's self-test: it exercises VM and
 * the kernel's IPC through the real machine, prints one "PASS <name>" or
 * "FAIL <name>" line per check, and shuts the system down with the failure count
 * as status (0 = all passed).  With "soak=N" on the kernel command line it then runs
 * the soak (soak.c) and shuts down with its verdict; with "monitor" it ends in the
 * console monitor (monitor.c). */
#include "user.h"
#include "layout.h"
#include "monitor_abi.h"
#include "../servers/selftest.h"

int main(void);
extern char _end[]; /* end of init's bss (user.ld) */

#define HEAP_PAGES 4

static int failures;
static volatile uint32_t fork_probe = 1; /* shared copy-on-write after the fork test */

/* Report one check: got must equal want. */
static void check(const char *name, int got, int want)
{
	if (got == want) {
		uprintf("PASS %s\n", name);
	} else {
		uprintf("FAIL %s (got %d, want %d)\n", name, got, want);
		failures++;
	}
}

/* The first page of init's heap (right above its data segment). */
static uint32_t heap_base(void)
{
	return ((uint32_t)_end + PAGE_MASK) & ~PAGE_MASK;
}

static uint32_t heap_grown; /* the top of the heap the self-tests grew */

uint32_t heap_top(void)
{
	return heap_grown ? heap_grown : heap_base();
}

/* brk past the heap's top (the data segment's end on the first run; VM_BRK only grows),
 * then touch the fresh pages: each first touch is a page fault that VM serves with a
 * zeroed page before init resumes. */
static void test_heap(void)
{
	uint32_t base = heap_top(), bad = 0;
	volatile uint32_t *w = (volatile uint32_t *)base;
	const uint32_t n = HEAP_PAGES * PAGE_SIZE / 4;

	check("vm_brk", vm_brk(base + HEAP_PAGES * PAGE_SIZE), VM_OK);
	for (uint32_t i = 0; i < n; i++)
		bad += w[i] != 0;
	check("heap_zero_fill", (int)bad, 0);
	for (uint32_t i = 0; i < n; i++)
		w[i] = i * 2654435761u;
	bad = 0;
	for (uint32_t i = 0; i < n; i++)
		bad += w[i] != i * 2654435761u;
	check("heap_write_read", (int)bad, 0);
	heap_grown = base + HEAP_PAGES * PAGE_SIZE; /* the monitor's selftest grows it further */
}

/* VM calls outside init's mask (FORK, EXIT, the DMA, watch and signal calls) are
 * denied by VM's ACL. */
static void test_vm_acl(void)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	m.u.fork.parent = INIT_PROC_NR;
	m.u.fork.slot = 40;
	check("vm_fork_denied", vm_call(VM_FORK, &m), VM_ECALLDENIED);
	__builtin_memset(&m, 0, sizeof(m));
	check("vm_exit_denied", vm_call(VM_EXIT, &m), VM_ECALLDENIED);
	/* the DMA calls are a driver's (RS grants them), never a user process's */
	__builtin_memset(&m, 0, sizeof(m));
	m.u.adddma.endpt = INIT_PROC_NR;
	m.u.adddma.start = 0x10000000;
	m.u.adddma.size = 0x1000;
	check("vm_adddma_denied", vm_call(VM_ADDDMA, &m), VM_ECALLDENIED);
	check("vm_deldma_denied", vm_call(VM_DELDMA, &m), VM_ECALLDENIED);
	__builtin_memset(&m, 0, sizeof(m));
	check("vm_getdma_denied", vm_call(VM_GETDMA, &m), VM_ECALLDENIED);
	/* EXEC_NEWMEM is PM's */
	__builtin_memset(&m, 0, sizeof(m));
	m.u.exec_newmem.endpt = INIT_PROC_NR;
	m.u.exec_newmem.args_len = 20;
	check("vm_exec_newmem_denied", vm_call(VM_EXEC_NEWMEM, &m), VM_ECALLDENIED);
	/* the watch calls are RS's, the signal calls PM's */
	__builtin_memset(&m, 0, sizeof(m));
	m.u.watch_exit.endpt = PM_PROC_NR;
	check("vm_watch_exit_denied", vm_call(VM_WATCH_EXIT, &m), VM_ECALLDENIED);
	__builtin_memset(&m, 0, sizeof(m));
	check("vm_query_exit_denied", vm_call(VM_QUERY_EXIT, &m), VM_ECALLDENIED);
	m.u.notify_sig.endpt = INIT_PROC_NR;
	m.u.notify_sig.ipc_endpt = RS_PROC_NR;
	check("vm_notify_sig_denied", vm_call(VM_NOTIFY_SIG, &m), VM_ECALLDENIED);
	__builtin_memset(&m, 0, sizeof(m));
	m.u.push_sig.endpt = INIT_PROC_NR;
	check("vm_push_sig_denied", vm_call(VM_PUSH_SIG, &m), VM_ECALLDENIED);
}

/* VM_MUNMAP_TEXT (a basic call) refuses init's heap, an unaligned address and a zero
 * length; nothing is unmapped (the heap is still readable). */
static void test_munmap_text(void)
{
	message m;
	uint32_t base = heap_base();

	__builtin_memset(&m, 0, sizeof(m));
	m.u.munmap_text.addr = base;
	m.u.munmap_text.len = PAGE_SIZE;
	check("munmap_text_heap", vm_call(VM_MUNMAP_TEXT, &m), VM_EINVAL);
	m.u.munmap_text.addr = base + 4;
	check("munmap_text_unaligned", vm_call(VM_MUNMAP_TEXT, &m), VM_EFAULT);
	m.u.munmap_text.addr = base;
	m.u.munmap_text.len = 0;
	check("munmap_text_zero_len", vm_call(VM_MUNMAP_TEXT, &m), VM_EINVAL);
	check("munmap_text_heap_kept", (int)*(volatile uint32_t *)base, 0);
}

/* PM prepares a signal frame below init's own stack pointer (VM makes it present and
 * writable; init then writes it), and is refused one below every region; PM's
 * NOTIFY_SIG queues init's signal for RS, which VM notifies and which answers it from
 * QUERY_EXIT once. */
static void test_signal(void)
{
	message m;
	volatile uint32_t here = 0;
	uint32_t sp = ((uint32_t)(uintptr_t)&here - 256) & ~3u;
	int r;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = ST_SIGFRAME;
	m.u.word[0] = sp;
	r = ipc_sendrec(PM_PROC_NR, &m);
	check("push_sig", r == VM_OK ? m.m_type : r, VM_OK);
	check("push_sig_frame", (int)(m.u.word[0] == sp - VM_SIGFRAME_BYTES), 1);
	*(volatile uint32_t *)(uintptr_t)(sp - VM_SIGFRAME_BYTES) = 0x5157;
	check("push_sig_frame_written", (int)*(volatile uint32_t *)(uintptr_t)(sp - VM_SIGFRAME_BYTES), 0x5157);
	m.m_type = ST_SIGFRAME;
	m.u.word[0] = 0x7ff00000u;
	r = ipc_sendrec(PM_PROC_NR, &m);
	check("push_sig_no_region", r == VM_OK ? m.m_type : r, VM_EFAULT);
	m.m_type = ST_NOTIFY_SIG;
	m.u.word[0] = RS_PROC_NR;
	r = ipc_sendrec(PM_PROC_NR, &m);
	check("notify_sig", r == VM_OK ? m.m_type : r, VM_OK);
	m.m_type = ST_NOTIFY_SIG;
	m.u.word[0] = INIT_PROC_NR;
	r = ipc_sendrec(PM_PROC_NR, &m);
	check("notify_sig_self", r == VM_OK ? m.m_type : r, VM_EINVAL);
	m.m_type = ST_WATCH_QUERY;
	r = ipc_sendrec(RS_PROC_NR, &m);
	check("query_exit_signal", r == VM_OK && m.m_type == VM_OK && m.u.word[0] == INIT_PROC_NR && m.u.word[1] == 0, 1);
	m.m_type = ST_WATCH_QUERY;
	r = ipc_sendrec(RS_PROC_NR, &m);
	check("query_exit_empty", r == VM_OK ? m.m_type : r, VM_ESRCH);
}

/* Dead, stale and never-used endpoints are refused by the kernel. */
static void test_endpoints(void)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	check("send_stale_endpoint", ipc_send(ep_make(1, PM_PROC_NR), &m), VM_EDEADSRCDST);
	check("send_unused_slot", ipc_send(ep_make(0, 100), &m), VM_EDEADSRCDST);
	check("notify_stale_endpoint", ipc_notify(ep_make(3, RS_PROC_NR)), VM_EDEADSRCDST);
	check("receive_stale_endpoint", ipc_receive(ep_make(2, VM_PROC_NR), &m, NULL), VM_EDEADSRCDST);
}

/* Kernel copies of messages never fault: bad buffers are VM_EFAULT. */
static void test_efault(void)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	check("receive_readonly_buffer", ipc_receive(ANY, (message *)(uintptr_t)&check, NULL), VM_EFAULT);
	check("receive_unmapped_buffer", ipc_receive(ANY, (message *)0x30000000u, NULL), VM_EFAULT);
	check("send_unmapped_buffer", ipc_send(PM_PROC_NR, (message *)0x30000000u), VM_EFAULT);
	check("sendrec_readonly_buffer", ipc_sendrec(PM_PROC_NR, (message *)(uintptr_t)&check), VM_EFAULT);
}

/* Privileges: a kernel call outside init's mask, SENDNB to a server not waiting
 * for init, sendrec to itself. */
static void test_privileges(void)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	check("kcall_denied", kcall(KC_COPY, 0, 0, 0, 0, 0, NULL), VM_ECALLDENIED);
	check("pmctl_denied", kcall(KC_PMCTL, PMCTL_GETSP, PM_PROC_NR, 0, 0, 0, NULL), VM_ECALLDENIED);
	check("kcall_unknown", kcall(KC_COUNT + 7, 0, 0, 0, 0, 0, NULL), VM_EBADCALL);
	check("sendnb_not_ready", ipc_sendnb(VFS_PROC_NR, &m), VM_ENOTREADY);
	check("sendrec_self", ipc_sendrec(INIT_PROC_NR, &m), VM_ELOCKED);
}

/* Notify PM; PM answers with the status and source it saw. */
static void test_notify(void)
{
	message m;
	int r;

	__builtin_memset(&m, 0, sizeof(m));
	check("notify", ipc_notify(PM_PROC_NR), VM_OK);
	r = ipc_receive(PM_PROC_NR, &m, NULL);
	check("notify_ack", r == VM_OK && m.m_type == ST_NOTIFY_ACK, 1);
	check("notify_status_flag", (int)(m.u.word[0] & IPC_FLG_NOTIFY), (int)IPC_FLG_NOTIFY);
	check("notify_source_stamped", (int)m.u.word[1], INIT_PROC_NR);
}

/* A sendrec cycle (init -> PM while PM -> init) is refused with VM_ELOCKED on
 * whichever side would close it, and nobody deadlocks. */
static void test_cycle(void)
{
	message m;
	int r, locked;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = ST_CYCLE;
	check("cycle_setup_send", ipc_send(PM_PROC_NR, &m), VM_OK);
	m.m_type = ST_QUERY;
	r = ipc_sendrec(PM_PROC_NR, &m);
	if (r == VM_ELOCKED) {
		/* PM is blocked in its sendrec to us: take its ping and answer it. */
		locked = ipc_receive(PM_PROC_NR, &m, NULL) == VM_OK && m.m_type == ST_PING;
		m.m_type = VM_OK;
		locked = locked && ipc_send(PM_PROC_NR, &m) == VM_OK;
	} else {
		/* PM's sendrec was refused; it reported that in its reply. */
		locked = r == VM_OK && m.m_type == VM_ELOCKED;
	}
	check("sendrec_cycle_refused", locked, 1);
}

/* The forked child: write the shared page (a copy-on-write fault), report to PM,
 * then wait for PM to end it. */
__attribute__((noreturn)) static void fork_child(void)
{
	message m;

	fork_probe = 2;
	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = ST_CHILD_DONE;
	m.u.word[0] = fork_probe == 2;
	ipc_send(PM_PROC_NR, &m);
	for (;;)
		ipc_receive(PM_PROC_NR, &m, NULL);
}

/* PM forks init through VM: kc_fork, VM's copy-on-write address space, kc_addrspace;
 * the child writes, reports and is ended with VM_WILLEXIT + VM_EXIT (kc_exit), after
 * which its endpoint is stale. */
static void test_fork(void)
{
	message m;
	endpoint_t child;
	int r, watched;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = ST_FORK;
	r = ipc_sendrec(PM_PROC_NR, &m);
	if (r == VM_OK && m.m_type == ST_CHILD)
		fork_child();
	check("fork_by_pm", r == VM_OK && m.m_type == ST_PARENT, 1);
	child = (endpoint_t)m.u.word[0];
	check("fork_child_endpoint", ep_slot(child) == ST_FORK_SLOT && ep_generation(child) > 0, 1);
	/* RS watches the child: OK, or ESRCH when PM has already ended it */
	m.m_type = ST_WATCH;
	m.u.word[0] = (uint32_t)child;
	r = ipc_sendrec(RS_PROC_NR, &m);
	watched = r == VM_OK ? m.m_type : r;
	check("watch_exit_child", watched == VM_OK || watched == VM_ESRCH, 1);
	m.m_type = ST_FORK_QUERY;
	r = ipc_sendrec(PM_PROC_NR, &m);
	check("fork_child_cow_write", r == VM_OK && m.u.word[0] == 1, 1);
	check("fork_parent_unchanged", (int)fork_probe, 1);
	check("fork_child_exit", (int)m.u.word[1], VM_OK);
	check("send_exited_child", ipc_send(child, &m), VM_EDEADSRCDST);
	/* the child's exit is RS's event when RS watched it in time, else there is none */
	m.m_type = ST_WATCH_QUERY;
	r = ipc_sendrec(RS_PROC_NR, &m);
	if (watched == VM_OK)
		check("query_exit_child", r == VM_OK && m.m_type == VM_OK && m.u.word[0] == (uint32_t)child, 1);
	else
		check("query_exit_child", r == VM_OK ? m.m_type : r, VM_ESRCH);
}

/* PM forks init into a child that never runs and execs it through VM: each refusal,
 * then the new image (reply flags and stack top), then the child's end. */
static void test_exec(void)
{
	message m;
	int r;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = ST_EXEC;
	r = ipc_sendrec(PM_PROC_NR, &m);
	check("exec_setup_fork", r == VM_OK ? (int)m.u.word[0] : r, VM_OK);
	check("exec_bad_args_len", (int)m.u.word[1], VM_EINVAL);
	check("exec_of_vm", (int)m.u.word[2], VM_EINVAL);
	check("exec_unmapped_args", (int)m.u.word[3], VM_EFAULT);
	check("exec_image_too_large", (int)m.u.word[4], VM_ENOMEM);
	check("exec_newmem", (int)m.u.word[5], VM_OK);
	check("exec_reply_fields", (int)m.u.word[6], 1);
	check("exec_child_exit", (int)m.u.word[7], VM_OK);
}

/* One expectation of a round: with report, a PASS/FAIL line (check); without, silent.
 * 1 when got differs from want. */
static int expect(int report, const char *name, int got, int want)
{
	if (report)
		check(name, got, want);
	return got != want;
}

/* PM execs a fork of init into the hello program of VFS's file set: VM_EXEC_NEWMEM,
 * RS maps the file over the text, the kernel starts it at TEXT_VADDR; it prints a
 * line and reports its status, PM ends it.  The count of failed expectations. */
int exec_hello_round(int report)
{
	message m;
	int r, bad;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = ST_EXEC_RUN;
	r = ipc_sendrec(PM_PROC_NR, &m);
	bad = expect(report, "exec_run_fork", r == VM_OK ? (int)m.u.word[EXR_FORK] : r, VM_OK);
	bad += expect(report, "exec_run_newmem", (int)m.u.word[EXR_NEWMEM], VM_OK);
	bad += expect(report, "exec_run_map_file", (int)m.u.word[EXR_MAP], VM_OK);
	bad += expect(report, "exec_run_start", (int)m.u.word[EXR_START], VM_OK);
	bad += expect(report, "exec_run_status", (int)m.u.word[EXR_STATUS], HELLO_STATUS);
	bad += expect(report, "exec_run_placement", (int)m.u.word[EXR_PLACE], 1);
	bad += expect(report, "exec_run_exit", (int)m.u.word[EXR_EXIT], VM_OK);
	bad += expect(report, "pmctl_refusals", (int)m.u.word[EXR_REFUSED], 1);
	return bad;
}

/* The signalled child's handler (called by the kernel's delivery on the frame VM
 * prepared; it must not return): report the signal to PM, wait to be ended. */
__attribute__((noreturn)) static void sig_handler(int signo)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = ST_SIG_HANDLED;
	m.u.word[0] = (uint32_t)signo;
	m.u.word[1] = (uint32_t)(uintptr_t)&signo; /* on the frame: PM checks where */
	ipc_send(PM_PROC_NR, &m);
	for (;;)
		ipc_receive(PM_PROC_NR, &m, NULL);
}

/* The signalled child: tell PM where its handler is and wait in that call. */
__attribute__((noreturn)) static void sig_child(void)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = ST_SIG_READY;
	m.u.word[0] = (uint32_t)(uintptr_t)&sig_handler;
	ipc_sendrec(PM_PROC_NR, &m);
	for (;;) /* not reached: the signal ends the wait */
		ipc_receive(PM_PROC_NR, &m, NULL);
}

/* RS watches a child of init; PM signals it while it waits in a call to PM: the
 * frame from VM_PUSH_SIG at the child's stack pointer, the kernel's delivery to its
 * handler, VM_NOTIFY_SIG for RS.  The handler reports, PM ends the child; RS's
 * QUERY_EXIT then answers the child twice (the signal and the exit) and then none.
 * The count of failed expectations. */
int signal_child_round(int report)
{
	message m;
	endpoint_t child;
	int r, ok, bad;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = ST_SIG_FORK;
	r = ipc_sendrec(PM_PROC_NR, &m);
	if (r == VM_OK && m.m_type == ST_CHILD)
		sig_child();
	if (expect(report, "sig_child_fork", r == VM_OK && m.m_type == ST_PARENT, 1))
		return 1;
	child = (endpoint_t)m.u.word[0];
	m.m_type = ST_WATCH;
	m.u.word[0] = (uint32_t)child;
	r = ipc_sendrec(RS_PROC_NR, &m);
	bad = expect(report, "sig_child_watch", r == VM_OK ? m.m_type : r, VM_OK);
	m.m_type = ST_SIG_SEND;
	r = ipc_sendrec(PM_PROC_NR, &m);
	bad += expect(report, "sig_child_getsp", r == VM_OK ? (int)m.u.word[SGR_GETSP] : r, VM_OK);
	bad += expect(report, "sig_child_push_sig", (int)m.u.word[SGR_PUSH_SIG], VM_OK);
	bad += expect(report, "sig_child_frame", (int)m.u.word[SGR_FRAME], 1);
	bad += expect(report, "sig_child_bad_frame", (int)m.u.word[SGR_BAD_FRAME], VM_EINVAL);
	bad += expect(report, "sig_child_deliver", (int)m.u.word[SGR_DELIVER], VM_OK);
	bad += expect(report, "sig_child_notify_sig", (int)m.u.word[SGR_NOTIFY], VM_OK);
	m.m_type = ST_SIG_WAIT;
	r = ipc_sendrec(PM_PROC_NR, &m);
	bad += expect(report, "sig_child_handler_ran", r == VM_OK && m.u.word[0] == ST_SIGNO, 1);
	bad += expect(report, "sig_child_handler_frame", (int)m.u.word[1], 1);
	bad += expect(report, "sig_child_exit", (int)m.u.word[2], VM_OK);
	/* RS: the child's signal and its exit, in either order, then nothing */
	m.m_type = ST_WATCH_QUERY;
	r = ipc_sendrec(RS_PROC_NR, &m);
	ok = r == VM_OK && m.m_type == VM_OK && m.u.word[0] == (uint32_t)child && m.u.word[1] == 1;
	m.m_type = ST_WATCH_QUERY;
	r = ipc_sendrec(RS_PROC_NR, &m);
	ok = ok && r == VM_OK && m.m_type == VM_OK && m.u.word[0] == (uint32_t)child && m.u.word[1] == 0;
	bad += expect(report, "sig_child_query_exit", ok, 1);
	m.m_type = ST_WATCH_QUERY;
	r = ipc_sendrec(RS_PROC_NR, &m);
	bad += expect(report, "sig_child_query_empty", r == VM_OK ? m.m_type : r, VM_ESRCH);
	bad += expect(report, "send_signalled_child", ipc_send(child, &m), VM_EDEADSRCDST);
	return bad;
}

/* mmap of a file through the image's VFS: VM waits for VFS's FDLOOKUP answer, a page
 * fault asks VFS for the page (FDIO: VFS caches it), a write copies it, the page past
 * the file's end is zero; a descriptor VFS does not know is EBADF; VFS's calls are
 * denied to init. */
static void test_file_mmap(void)
{
	volatile uint32_t *p;
	message m;
	int r;

	__builtin_memset(&m, 0, sizeof(m));
	m.u.mmap.fd = VFS_TEST_FD;
	m.u.mmap.len = 3 * PAGE_SIZE;
	m.u.mmap.prot = PROT_READ | PROT_WRITE;
	m.u.mmap.flags = MAP_PRIVATE;
	m.u.mmap.forwhom = SELF;
	r = vm_call(VM_MMAP, &m);
	check("file_mmap", r, VM_OK);
	if (r != VM_OK)
		return;
	p = (volatile uint32_t *)(uintptr_t)m.u.mmap.retaddr;
	check("file_page_in", p[0] == vfs_test_word(0), 1);
	check("file_second_page", p[1024 + 5] == vfs_test_word(PAGE_SIZE + 20), 1);
	check("file_past_end_zero", (int)p[2048], 0);
	p[1] = 0x7777;
	check("file_private_write", p[1] == 0x7777 && p[0] == vfs_test_word(0), 1);
	__builtin_memset(&m, 0, sizeof(m));
	m.u.mmap.fd = VFS_TEST_FD + 5;
	m.u.mmap.len = PAGE_SIZE;
	m.u.mmap.prot = PROT_READ;
	m.u.mmap.flags = MAP_PRIVATE;
	m.u.mmap.forwhom = SELF;
	check("file_mmap_bad_fd", vm_call(VM_MMAP, &m), VM_EBADF);
	__builtin_memset(&m, 0, sizeof(m));
	check("vfs_reply_denied", vm_call(VM_VFS_REPLY, &m), VM_ECALLDENIED);
	check("vfs_mmap_denied", vm_call(VM_VFS_MMAP, &m), VM_ECALLDENIED);
}

int selftest_run(void)
{
	failures = 0;
	uprintf("init: self-tests start\n");
	test_heap();
	test_vm_acl();
	test_munmap_text();
	test_signal();
	test_endpoints();
	test_efault();
	test_privileges();
	test_notify();
	test_cycle();
	test_fork();
	test_exec();
	test_file_mmap();
	exec_hello_round(1);
	signal_child_round(1);
	uprintf("init: %d check(s) failed\n", failures);
	return failures;
}

int main(void)
{
	int failed = selftest_run();
	uint32_t cycles = sysinfo(SI_SOAK);

	if (sysinfo(SI_MONITOR))
		monitor_run();
	if (failed == 0 && cycles > 0)
		failed = soak_run(cycles);
	sys_shutdown(failed);
}
