/* pm.c - a minimal process manager: it stays alive receiving, answers unknown
 * requests ENOSYS, plays the peer of init's IPC self-tests (kernel/servers/selftest.h),
 * runs the exec'd program and the signalled child of init's exec and signal tests
 * (with the kernel's PMCTL calls), and serves init's soak (kernel/servers/pm_soak.c). */
#include "ulib.h"
#include "selftest.h"
#include "pm_soak.h"
#include "pm_vm.h"
#include "soak.h"
#include "layout.h"
#include "vm_exec.h"

int main(void);

_Static_assert(ST_SIGFRAME < SK_SPAWN && ST_WATCH_QUERY < SK_SPAWN && ST_EXEC_RUN > SK_SHARE,
	       "the self-tests' message types and the soak's are apart");

/* ST_CYCLE from src: sendrec a ping back while src may be about to sendrec us. */
static int ping_back(endpoint_t src)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = ST_PING;
	return ipc_sendrec(src, &m);
}

/* Answer a fork as MINIX's PM does (both wait for PM): the child gets ST_CHILD, src
 * ST_PARENT with the child's endpoint; after a failed fork (r) src gets r. */
static void answer_fork(endpoint_t src, endpoint_t child, int r)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	if (r == VM_OK) {
		m.m_type = ST_CHILD;
		ipc_send(child, &m);
		m.m_type = ST_PARENT;
		m.u.word[0] = (uint32_t)child;
	} else {
		m.m_type = r;
	}
	ipc_send(src, &m);
}

/* The fork self-test: the child, its report, and who waits for it. */
struct fork_test {
	endpoint_t child, waiter;
	uint32_t report;
	int exit_result, done;
};

/* ST_FORK from src: VM forks src into ST_FORK_SLOT; the child gets ST_CHILD, src
 * gets ST_PARENT (both wait for PM's reply, as after a MINIX fork). */
static void fork_sender(endpoint_t src, struct fork_test *ft)
{
	int r = pm_fork(src, ST_FORK_SLOT, &ft->child);

	ft->done = 0; /* the monitor's selftest runs the fork test again */
	answer_fork(src, ft->child, r);
}

/* Answer the fork test's waiter with the child's report and its exit result. */
static void fork_answer(struct fork_test *ft)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = VM_OK;
	m.u.word[0] = ft->report;
	m.u.word[1] = (uint32_t)ft->exit_result;
	ipc_send(ft->waiter, &m);
	ft->waiter = NONE;
}

/* The child reported: end it (pm_end), answer a waiting init. */
static void fork_child_done(const message *rep, struct fork_test *ft)
{
	ft->report = rep->u.word[0];
	ft->exit_result = pm_end(ft->child);
	ft->done = 1;
	if (ft->waiter != NONE)
		fork_answer(ft);
}

/* VM_EXEC_NEWMEM of ep with the sizes at args (args_len len); the reply's flags and
 * stack_top in *flags and *top. */
static int exec_newmem(endpoint_t ep, const void *args, uint32_t len, uint32_t *flags, uint32_t *top)
{
	message m;
	int r;

	__builtin_memset(&m, 0, sizeof(m));
	m.u.exec_newmem.endpt = ep;
	m.u.exec_newmem.args = (uint32_t)(uintptr_t)args;
	m.u.exec_newmem.args_len = len;
	r = vm_call(VM_EXEC_NEWMEM, &m);
	*flags = m.u.exec_newmem.flags;
	*top = m.u.exec_newmem.stack_top;
	return r;
}

/* ST_EXEC from src: fork src into ST_EXEC_SLOT (the child stays blocked in its sendrec
 * to PM and never runs), then VM_EXEC_NEWMEM through the real kernel: refusals (a bad
 * length, VM as target, sizes at an unmapped address, an image that does not fit),
 * the exec itself (its reply fields), and the child's end.  word[i] = check i. */
static void exec_test(endpoint_t src)
{
	static const struct vm_exec_newmem good = { 0x2000, 0x1000, 0x1000, 0x4000, 0x100 };
	static const struct vm_exec_newmem huge = { 0x80000000u, 0x80000000u, 0, 0x1000, 0 };
	uint32_t flags = 0, top = 0;
	message m;
	endpoint_t child;
	int r = pm_fork(src, ST_EXEC_SLOT, &child);

	__builtin_memset(&m, 0, sizeof(m));
	m.u.word[0] = (uint32_t)r;
	m.u.word[1] = (uint32_t)exec_newmem(child, &good, sizeof(good) - 1, &flags, &top);
	m.u.word[2] = (uint32_t)exec_newmem(VM_PROC_NR, &good, sizeof(good), &flags, &top);
	m.u.word[3] = (uint32_t)exec_newmem(child, (const void *)0x30000000u, sizeof(good), &flags, &top);
	m.u.word[4] = (uint32_t)exec_newmem(child, &huge, sizeof(huge), &flags, &top);
	m.u.word[5] = (uint32_t)exec_newmem(child, &good, sizeof(good), &flags, &top);
	m.u.word[6] = flags == VMEN_LOAD_TEXT && top == STACK_TOP;
	m.u.word[7] = (uint32_t)pm_end(child);
	m.m_type = VM_OK;
	ipc_send(src, &m);
}

/* The exec run: the exec'd child, init waiting for its end, the checks (EXR_*). */
struct exec_run {
	endpoint_t child, waiter;
	uint32_t word[EXR_CHECKS];
};

/* Answer the exec run's waiter with its checks. */
static void exec_run_answer(struct exec_run *er)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = VM_OK;
	for (int i = 0; i < EXR_CHECKS; i++)
		m.u.word[i] = er->word[i];
	ipc_send(er->waiter, &m);
	er->waiter = NONE;
	er->child = NONE;
}

/* ST_EXEC_RUN from src: fork src into ST_EXEC_RUN_SLOT (the child waits for PM's
 * reply), give it a new image (VM_EXEC_NEWMEM), have RS map the hello file over its
 * text, start it at TEXT_VADDR on the new stack (PMCTL_EXEC).  src is answered when
 * the program reports (exec_run_done), or at once when a step failed. */
static void exec_run(endpoint_t src, struct exec_run *er)
{
	static const struct vm_exec_newmem img = { VFS_HELLO_PAGES * PAGE_SIZE, 0, PAGE_SIZE, HELLO_STACK_BYTES, 0 };
	uint32_t flags = 0, top = 0;
	message m;
	int r;

	for (int i = 0; i < EXR_CHECKS; i++)
		er->word[i] = (uint32_t)VM_EINVAL;
	er->waiter = src;
	r = pm_fork(src, ST_EXEC_RUN_SLOT, &er->child);
	er->word[EXR_FORK] = (uint32_t)r;
	if (r != VM_OK) {
		exec_run_answer(er);
		return;
	}
	r = exec_newmem(er->child, &img, sizeof(img), &flags, &top);
	er->word[EXR_NEWMEM] = (uint32_t)r;
	if (r == VM_OK) {
		__builtin_memset(&m, 0, sizeof(m));
		m.m_type = ST_EXEC_MAP;
		m.u.word[0] = (uint32_t)er->child;
		r = ipc_sendrec(RS_PROC_NR, &m);
		r = r == VM_OK ? m.m_type : r;
		er->word[EXR_MAP] = (uint32_t)r;
	}
	if (r == VM_OK) {
		/* refused: VFS does not wait for PM; an entry outside the user range */
		er->word[EXR_REFUSED] =
			kcall(KC_PMCTL, PMCTL_EXEC, VFS_PROC_NR, TEXT_VADDR, top, 0, NULL) == VM_EINVAL &&
			kcall(KC_PMCTL, PMCTL_EXEC, (uint32_t)er->child, 0x1000, top, 0, NULL) == VM_EINVAL;
		r = kcall(KC_PMCTL, PMCTL_EXEC, (uint32_t)er->child, TEXT_VADDR, top, 0, NULL);
		er->word[EXR_START] = (uint32_t)r;
	}
	if (r != VM_OK) {
		er->word[EXR_EXIT] = (uint32_t)pm_end(er->child);
		exec_run_answer(er);
	}
}

/* ST_HELLO_EXIT from the exec'd program: its status and placement; end it, answer. */
static void exec_run_done(const message *rep, struct exec_run *er)
{
	er->word[EXR_STATUS] = rep->u.word[0];
	er->word[EXR_PLACE] = rep->u.word[1];
	er->word[EXR_EXIT] = (uint32_t)pm_end(er->child);
	if (er->waiter != NONE)
		exec_run_answer(er);
}

/* The signal test: the child, its handler, who waits for what, the checks. */
struct sig_test {
	endpoint_t child, sender, waiter;
	uint32_t handler, frame;
	int ready, done;
	uint32_t word[SGR_CHECKS];
	uint32_t signo, frame_ok, exit_result;
};

/* ST_SIG_FORK from src: fork it into ST_SIG_SLOT; the child gets ST_CHILD, src
 * ST_PARENT with the child's endpoint. */
static void sig_fork(endpoint_t src, struct sig_test *st)
{
	int r = pm_fork(src, ST_SIG_SLOT, &st->child);

	st->ready = st->done = 0;
	st->sender = st->waiter = NONE;
	answer_fork(src, st->child, r);
}

/* Signal the child once it is ready and init asked: its stack pointer, VM_PUSH_SIG
 * there, the kernel's delivery to the handler, VM_NOTIFY_SIG for RS.  init gets the
 * checks (SGR_*). */
static void sig_send(struct sig_test *st)
{
	message m, v;
	uint32_t sp = 0;

	if (!st->ready || st->sender == NONE)
		return;
	__builtin_memset(&m, 0, sizeof(m));
	m.u.word[SGR_GETSP] = (uint32_t)kcall(KC_PMCTL, PMCTL_GETSP, (uint32_t)st->child, 0, 0, 0, &sp);
	__builtin_memset(&v, 0, sizeof(v));
	v.u.push_sig.endpt = st->child;
	v.u.push_sig.sp = sp;
	m.u.word[SGR_PUSH_SIG] = (uint32_t)vm_call(VM_PUSH_SIG, &v);
	m.u.word[SGR_FRAME] = v.u.push_sig.frame == sp - VM_SIGFRAME_BYTES;
	st->frame = v.u.push_sig.frame;
	m.u.word[SGR_BAD_FRAME] =
		(uint32_t)kcall(KC_PMCTL, PMCTL_SIGNAL, (uint32_t)st->child, sp, st->handler, ST_SIGNO, NULL);
	m.u.word[SGR_DELIVER] = (uint32_t)kcall(KC_PMCTL, PMCTL_SIGNAL, (uint32_t)st->child, v.u.push_sig.frame,
						st->handler, ST_SIGNO, NULL);
	__builtin_memset(&v, 0, sizeof(v));
	v.u.notify_sig.endpt = st->child;
	v.u.notify_sig.ipc_endpt = RS_PROC_NR;
	m.u.word[SGR_NOTIFY] = (uint32_t)vm_call(VM_NOTIFY_SIG, &v);
	m.m_type = VM_OK;
	ipc_send(st->sender, &m);
	st->sender = NONE;
	st->ready = 0;
}

/* Answer init's ST_SIG_WAIT once the handler reported and PM ended the child. */
static void sig_answer(struct sig_test *st)
{
	message m;

	if (!st->done || st->waiter == NONE)
		return;
	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = VM_OK;
	m.u.word[0] = st->signo;
	m.u.word[1] = st->frame_ok;
	m.u.word[2] = st->exit_result;
	ipc_send(st->waiter, &m);
	st->waiter = NONE;
}

/* A message of the signal test (ST_SIG_*) from src; 0 when it is none of them. */
static int sig_serve(const message *m, endpoint_t src, struct sig_test *st)
{
	if (m->m_type == ST_SIG_FORK) {
		sig_fork(src, st);
	} else if (m->m_type == ST_SIG_READY && src == st->child) {
		st->handler = m->u.word[0];
		st->ready = 1;
		sig_send(st);
	} else if (m->m_type == ST_SIG_SEND) {
		st->sender = src;
		sig_send(st);
	} else if (m->m_type == ST_SIG_HANDLED && src == st->child) {
		st->signo = m->u.word[0];
		st->frame_ok = m->u.word[1] == st->frame + 4; /* handler(signo): after the return address */
		st->exit_result = (uint32_t)pm_end(st->child);
		st->done = 1;
		sig_answer(st);
	} else if (m->m_type == ST_SIG_WAIT) {
		st->waiter = src;
		sig_answer(st);
	} else {
		return 0;
	}
	return 1;
}

/* ST_SIGFRAME and ST_NOTIFY_SIG from src: the signal calls PM makes for src. */
static void signal_call(message *m, endpoint_t src)
{
	message v;
	int r;

	__builtin_memset(&v, 0, sizeof(v));
	if (m->m_type == ST_SIGFRAME) {
		v.u.push_sig.endpt = src;
		v.u.push_sig.sp = m->u.word[0];
		r = vm_call(VM_PUSH_SIG, &v);
		m->u.word[0] = v.u.push_sig.frame;
	} else {
		v.u.notify_sig.endpt = src;
		v.u.notify_sig.ipc_endpt = (endpoint_t)m->u.word[0];
		r = vm_call(VM_NOTIFY_SIG, &v);
	}
	m->m_type = r;
	ipc_sendnb(src, m);
}

int main(void)
{
	struct fork_test ft = { NONE, NONE, 0, VM_OK, 0 };
	struct exec_run er = { NONE, NONE, { 0 } };
	struct sig_test st = { NONE, NONE, NONE, 0, 0, 0, 0, { 0 }, 0, 0, 0 };
	message m;
	uint32_t status;
	int last_ping = VM_OK;

	__builtin_memset(&m, 0, sizeof(m));
	pm_soak_init();
	for (;;) {
		if (ipc_receive(ANY, &m, &status) != VM_OK)
			continue;
		endpoint_t src = m.m_source;
		if (status & IPC_FLG_NOTIFY) {
			__builtin_memset(&m, 0, sizeof(m));
			m.m_type = ST_NOTIFY_ACK;
			m.u.word[0] = status;
			m.u.word[1] = (uint32_t)src;
			ipc_send(src, &m);
		} else if (m.m_type == ST_CYCLE) {
			last_ping = ping_back(src);
		} else if (m.m_type == ST_FORK) {
			fork_sender(src, &ft);
		} else if (m.m_type == ST_CHILD_DONE && src == ft.child) {
			fork_child_done(&m, &ft);
		} else if (m.m_type == ST_EXEC) {
			exec_test(src);
		} else if (m.m_type == ST_EXEC_RUN) {
			exec_run(src, &er);
		} else if (m.m_type == ST_HELLO_EXIT && src == er.child) {
			exec_run_done(&m, &er);
		} else if (sig_serve(&m, src, &st)) {
			continue;
		} else if (m.m_type == ST_FORK_QUERY) {
			ft.waiter = src;
			if (ft.done)
				fork_answer(&ft);
		} else if (m.m_type == ST_SIGFRAME || m.m_type == ST_NOTIFY_SIG) {
			signal_call(&m, src);
		} else if (m.m_type == ST_QUERY) {
			m.m_type = last_ping;
			ipc_send(src, &m);
		} else if (!pm_soak_serve(&m, src)) {
			m.m_type = VM_ENOSYS;
			ipc_sendnb(src, &m);
		}
	}
}
