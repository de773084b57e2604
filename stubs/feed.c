/* feed.c - the IPC feed: the messages VM will receive, and the log of its replies.
 * The harness (or the MMU, for page faults) pushes; seam_receive pops in order. */
#include <string.h>
#include "vm.h"
#include "stubs.h"

#define FEED_MAX 1024

static struct {
	struct {
		message m;
		uint32_t status;
	} q[FEED_MAX];
	uint32_t head, count;      /* FIFO ring */
	struct reply_rec log[REPLY_LOG_MAX];
	uint32_t nreplies;         /* replies since feed_reset_replies (exact) */
	uint32_t fail_sends;       /* sends still to refuse */
} feed;

void feed_reset(void)
{
	feed.head = feed.count = 0;
	feed.nreplies = 0;
	feed.fail_sends = 0;
}

void feed_push(const message *m, uint32_t status)
{
	uint32_t tail;

	if (feed.count == FEED_MAX)
		hosted_die("feed_push: the feed is full (FEED_MAX messages not received)");
	tail = (feed.head + feed.count) % FEED_MAX;
	feed.q[tail].m = *m;
	feed.q[tail].status = status;
	feed.count++;
}

uint32_t feed_pending(void)
{
	return feed.count;
}

int seam_receive(message *m, uint32_t *status)
{
	if (feed.count == 0)
		return VM_EAGAIN;
	*m = feed.q[feed.head].m;
	*status = feed.q[feed.head].status;
	feed.head = (feed.head + 1) % FEED_MAX;
	feed.count--;
	return VM_OK;
}

/* Log a reply to a live endpoint.  VM_EDEADSRCDST (counted in
 * kmodel.reply_failures, not logged) when dst is not live or a failure was
 * requested with feed_fail_sends. */
int seam_send_nb(endpoint_t dst, const message *m)
{
	if (feed.fail_sends || !kproc_live(dst)) {
		if (feed.fail_sends)
			feed.fail_sends--;
		kmodel.reply_failures++;
		return VM_EDEADSRCDST;
	}
	kmodel.replies++;
	feed.log[feed.nreplies % REPLY_LOG_MAX].dst = dst;
	feed.log[feed.nreplies % REPLY_LOG_MAX].m = *m;
	feed.nreplies++;
	return VM_OK;
}

/* Count a notification to a live endpoint (kmodel.notifies, and the receiver's
 * kproc.notified); VM_EDEADSRCDST when dst is not live. */
int seam_notify(endpoint_t dst)
{
	struct kproc *kp = kproc_live(dst);

	if (!kp)
		return VM_EDEADSRCDST;
	kmodel.notifies++;
	kp->notified++;
	return VM_OK;
}

uint32_t reply_count(void)
{
	return feed.nreplies;
}

/* Reply i (0 = oldest since the reset); only the last REPLY_LOG_MAX are kept, so
 * older ones (and i >= reply_count()) give NULL. */
const struct reply_rec *reply_get(uint32_t i)
{
	if (i >= feed.nreplies || feed.nreplies - i > REPLY_LOG_MAX)
		return NULL;
	return &feed.log[i % REPLY_LOG_MAX];
}

void feed_reset_replies(void)
{
	feed.nreplies = 0;
}

void feed_fail_sends(uint32_t n)
{
	feed.fail_sends = n;
}

void feed_drain(void)
{
	while (vm_step())
		;
}

/* The first reply to src logged after the push is the answer (VM's requests to VFS,
 * VFS_VMCALL, are no replies). */
int hosted_call(endpoint_t src, int type, message *m)
{
	uint32_t first = feed.nreplies;

	m->m_source = src;
	m->m_type = type;
	feed_push(m, 0);
	feed_drain();
	for (uint32_t i = first; i < feed.nreplies; i++) {
		const struct reply_rec *r = reply_get(i);

		if (r && r->dst == src && r->m.m_type != VFS_VMCALL) {
			*m = r->m;
			return m->m_type;
		}
	}
	return VM_SUSPEND;
}
