/* pm_soak.c - PM's process service for init's soak (kernel/servers/soak.h): fork a
 * soak process into a free soak slot, end it when it asks to exit, and answer a
 * parent's wait once the child exited or VM killed it (a bad access), ending it the way
 * PM does: VM_WILLEXIT then VM_EXIT (pm_vm.c). */
#include "ulib.h"
#include "soak.h"
#include "pm_soak.h"
#include "pm_vm.h"

/* A soak process PM forked: its endpoint, and once ended, how. */
struct soak_child {
	endpoint_t ep;
	int ended, killed, status, exit_result;
};

static struct soak_child children[SK_SLOTS];

static void reply(endpoint_t dst, int type, uint32_t w0, uint32_t w1, uint32_t w2)
{
	message m;

	__builtin_memset(&m, 0, sizeof(m));
	m.m_type = type;
	m.u.word[0] = w0;
	m.u.word[1] = w1;
	m.u.word[2] = w2;
	ipc_send(dst, &m);
}

/* The record of a soak child, or NULL. */
static struct soak_child *child_of(endpoint_t ep)
{
	int32_t i = ep_slot(ep) - SK_SLOT_BASE;

	return i >= 0 && i < SK_SLOTS && children[i].ep == ep ? &children[i] : NULL;
}

/* SK_SPAWN from src: VM forks it into the first free soak slot. */
static void spawn(endpoint_t src)
{
	endpoint_t child;
	int i = 0, r;

	while (i < SK_SLOTS && children[i].ep != NONE)
		i++;
	if (i == SK_SLOTS) {
		reply(src, VM_EAGAIN, 0, 0, 0);
		return;
	}
	r = pm_fork(src, SK_SLOT_BASE + i, &child);
	if (r != VM_OK) {
		reply(src, r, 0, 0, 0);
		return;
	}
	children[i] = (struct soak_child){ child, 0, 0, 0, VM_OK };
	reply(child, SK_CHILD, 0, 0, 0);
	reply(src, SK_PARENT, (uint32_t)child, 0, 0);
}

/* End c through VM (it exited with status, or was killed). */
static void end_child(struct soak_child *c, int killed, int status)
{
	c->exit_result = pm_end(c->ep);
	c->ended = 1;
	c->killed = killed;
	c->status = status;
}

/* Tell waiter how c ended and forget c. */
static void answer_wait(endpoint_t waiter, struct soak_child *c)
{
	reply(waiter, VM_OK, (uint32_t)c->killed, (uint32_t)c->status, (uint32_t)c->exit_result);
	c->ep = NONE;
}

/* SK_WAIT from src for child ep: serve ep (it may fork and wait itself) until it
 * exits or is killed (the kernel then ends a receive from it with VM_EDEADSRCDST). */
static void wait_child(endpoint_t src, endpoint_t ep)
{
	struct soak_child *c = child_of(ep);
	message m;
	int r;

	if (!c) {
		reply(src, VM_EINVAL, 0, 0, 0);
		return;
	}
	while (!c->ended) {
		r = ipc_receive(ep, &m, NULL);
		if (r == VM_EDEADSRCDST)
			end_child(c, 1, 0);
		else if (r == VM_OK && !pm_soak_serve(&m, ep))
			reply(ep, VM_ENOSYS, 0, 0, 0);
	}
	answer_wait(src, c);
}

int pm_soak_serve(const message *m, endpoint_t src)
{
	struct soak_child *c;

	switch (m->m_type) {
	case SK_SPAWN:
		spawn(src);
		return 1;
	case SK_EXIT:
		if ((c = child_of(src)) != NULL && !c->ended)
			end_child(c, 0, (int)m->u.word[0]);
		return 1;
	case SK_WAIT:
		wait_child(src, (endpoint_t)m->u.word[0]);
		return 1;
	default:
		return 0;
	}
}

void pm_soak_init(void)
{
	for (int i = 0; i < SK_SLOTS; i++)
		children[i].ep = NONE;
}
