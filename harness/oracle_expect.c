/* oracle_expect.c - expected replies: the "=> CODE" of a text input's MSG line is the
 * code the sender must get (RUN_EXPECT). */
#include <stdio.h>
#include "oracle.h"

static void expect_after_msg(const struct run_ctx *x, const struct msg_seen *s)
{
	const struct rec *r = s->r;
	if (!(x->flags & RUN_EXPECT) || !r || r->kind != REC_MSG || r->expect == EXP_UNCHECKED)
		return;
	int got = expect_of_code(s->code);
	if (got == r->expect)
		return;
	char key[160];
	const char *gn = got == EXP_UNCHECKED ? "?" : expect_name(got);
	snprintf(key, sizeof key, "expect:%s:%s:%s", finding_call(), expect_name(r->expect), gn);
	finding_set("expect", key, NULL, "expected-reply", "expected %s, got %s (%d)", expect_name(r->expect), gn,
		    s->code);
}

const struct oracle expect_oracle = {
	.name = "expect",
	.after_msg = expect_after_msg,
};
