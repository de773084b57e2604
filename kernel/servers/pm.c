/* pm.c - a minimal process manager: it stays alive receiving, answers unknown
 * requests ENOSYS, and plays the peer of init's IPC self-tests (kernel/servers/selftest.h). */
#include "ulib.h"
#include "selftest.h"

int main(void);

/* ST_CYCLE from src: sendrec a ping back while src may be about to sendrec us. */
static int ping_back(endpoint_t src)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = ST_PING;
	return ipc_sendrec(src, &m);
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
	message m;
	int r;

	__builtin_memset(&m, 0, sizeof(m));
	m.u.fork.parent = src;
	m.u.fork.slot = ST_FORK_SLOT;
	r = vm_call(VM_FORK, &m);
	ft->child = m.u.fork.child;
	__builtin_memset(&m, 0, sizeof(m));
	if (r == VM_OK) {
		m.m_type = ST_CHILD;
		ipc_send(ft->child, &m);
		m.m_type = ST_PARENT;
		m.u.word[0] = (uint32_t)ft->child;
	} else {
		m.m_type = r;
	}
	ipc_send(src, &m);
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

/* The child reported: end it the way PM does, VM_WILLEXIT then VM_EXIT. */
static void fork_child_done(const message *rep, struct fork_test *ft)
{
	message m;

	ft->report = rep->u.word[0];
	__builtin_memset(&m, 0, sizeof(m));
	m.u.willexit.endpt = ft->child;
	ft->exit_result = vm_call(VM_WILLEXIT, &m);
	__builtin_memset(&m, 0, sizeof(m));
	m.u.exit.endpt = ft->child;
	if (ft->exit_result == VM_OK)
		ft->exit_result = vm_call(VM_EXIT, &m);
	ft->done = 1;
	if (ft->waiter != NONE)
		fork_answer(ft);
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
	message m;
	uint32_t status;
	int last_ping = VM_OK;

	__builtin_memset(&m, 0, sizeof(m));
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
		} else if (m.m_type == ST_FORK_QUERY) {
			ft.waiter = src;
			if (ft.done)
				fork_answer(&ft);
		} else if (m.m_type == ST_SIGFRAME || m.m_type == ST_NOTIFY_SIG) {
			signal_call(&m, src);
		} else if (m.m_type == ST_QUERY) {
			m.m_type = last_ping;
			ipc_send(src, &m);
		} else {
			m.m_type = VM_ENOSYS;
			ipc_sendnb(src, &m);
		}
	}
}
