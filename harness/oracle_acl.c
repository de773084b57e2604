/* oracle_acl.c - the ACL oracle: a call VM denied (an acl_deny trace event, from the
 * mask check or a privilege check inside a handler) changes nothing and is answered
 * with a denial: ECALLDENIED from the mask, EPERM from a privilege check.  Whether the
 * decision itself was right is the protocol model's to judge (model/). */
#include <stdio.h>
#include "oracle.h"

static void acl_after_msg(const struct run_ctx *x, const struct msg_seen *s)
{
	const struct outcome *o = s->o;
	char key[96];
	(void)x;
	for (uint32_t i = 0; i < o->nev && i < OUT_EV_MAX; i++) {
		if (o->ev[i].ev != TR_ACL_DENY)
			continue;
		snprintf(key, sizeof key, "acl:%s", finding_call());
		if (o->mut_after != o->mut_before)
			finding_set("acl", key, NULL, "acl-mutation", "call denied to %d but %u state mutations happened",
				    o->ev[i].a, o->mut_after - o->mut_before);
		else if (s->code != VM_ECALLDENIED && s->code != VM_EPERM && s->code != VM_SUSPEND)
			finding_set("acl", key, NULL, "acl-reply", "call denied to %d but answered %d", o->ev[i].a,
				    s->code);
		return;
	}
}

const struct oracle acl_oracle = {
	.name = "acl",
	.after_msg = acl_after_msg,
};
