/* selcore.c - the endpoint-selector rules shared by the hosted harness and the guest
 * agent (see selcore.h).  No libc: the agent builds it freestanding. */
#include <string.h>
#include "selcore.h"

static struct {
	uint32_t bound; /* bit i: name i has a value */
	uint32_t value[NAMES_MAX];
} names;

void selcore_names_clear(void)
{
	names.bound = 0;
}

void selcore_bind(uint32_t name, uint32_t value)
{
	if (name < NAMES_MAX) {
		names.bound |= 1u << name;
		names.value[name] = value;
	}
}

void selcore_unbind(uint32_t name)
{
	if (name < NAMES_MAX)
		names.bound &= ~(1u << name);
}

int selcore_name(uint32_t name, uint32_t *value)
{
	if (name >= NAMES_MAX || !(names.bound & (1u << name)))
		return 0;
	*value = names.value[name];
	return 1;
}

static int in_set(const struct sel_table *t, int32_t s, enum sel_set set)
{
	switch (set) {
	case SEL_LIVE: return t->live(s);
	case SEL_USED: return t->used(s);
	case SEL_FREE: return !t->live(s);
	default: return !t->used(s);
	}
}

static uint32_t bits_set(uint32_t w)
{
	return (uint32_t)__builtin_popcount(w);
}

/* The slot of the n-th set bit (from the lowest, n < bits_set(w)) of word w. */
static int32_t nth_bit(uint32_t w, uint32_t n)
{
	int32_t base = 0;
	if (n < 8) { /* the usual case (few live processes): drop the n lowest members */
		for (; n; n--)
			w &= w - 1;
		return __builtin_ctz(w);
	}
	for (uint32_t half = 16; half; half /= 2) { /* a binary search over the word's halves */
		uint32_t low = w & ((1u << half) - 1), c = bits_set(low);
		if (n >= c) {
			n -= c;
			w >>= half;
			base += (int32_t)half;
		} else {
			w = low;
		}
	}
	return base;
}

/* The words of one set and the members before each word: selectors ask for the n-th
 * member of the same few sets many times per conversation while the table rarely
 * changes, so the counts are kept until the words differ. */
struct set_counts {
	uint32_t w[NR_PROCS / 32];
	uint32_t before[NR_PROCS / 32 + 1]; /* before[i]: members in words 0..i-1 */
	int valid;
};

/* Bring c up to date with the words w of a set. */
static void set_counts_update(struct set_counts *c, const uint32_t w[NR_PROCS / 32])
{
	uint32_t diff = !c->valid;
	for (int i = 0; i < NR_PROCS / 32; i++)
		diff |= c->w[i] ^ w[i];
	if (!diff)
		return;
	memcpy(c->w, w, sizeof c->w);
	c->before[0] = 0;
	for (int i = 0; i < NR_PROCS / 32; i++)
		c->before[i + 1] = c->before[i] + bits_set(w[i]);
	c->valid = 1;
}

/* The n-th member (modulo their number) of the set in the table's bitmaps, or -1. */
static int32_t nth_of_sets(const struct sel_table *t, unsigned n, enum sel_set set)
{
	static struct set_counts cache[4]; /* per enum sel_set */
	uint32_t live[NR_PROCS / 32], used[NR_PROCS / 32], w[NR_PROCS / 32];
	struct set_counts *c = &cache[(unsigned)set & 3];

	t->sets(live, used);
	for (int i = 0; i < NR_PROCS / 32; i++)
		w[i] = set == SEL_LIVE ? live[i] : set == SEL_USED ? used[i] : set == SEL_FREE ? ~live[i] : ~used[i];
	set_counts_update(c, w);
	if (c->before[NR_PROCS / 32] == 0)
		return -1;
	n %= c->before[NR_PROCS / 32];
	int i = 0;
	while (c->before[i + 1] <= n)
		i++;
	return i * 32 + nth_bit(w[i], n - c->before[i]);
}

/* One pass over the slots (the table's methods are calls through pointers, made for
 * every selector of every record): the members in slot order, then the n-th.  With
 * the table's bitmaps, the same member from them. */
int32_t selcore_nth(const struct sel_table *t, unsigned n, enum sel_set set)
{
	uint8_t member[NR_PROCS];
	int32_t count = 0;

	_Static_assert(NR_PROCS <= 256 && NR_PROCS % 32 == 0, "slots fit a byte and whole words");
	if (t->sets)
		return nth_of_sets(t, n, set);
	for (int32_t s = 0; s < NR_PROCS; s++)
		if (in_set(t, s, set))
			member[count++] = (uint8_t)s;
	if (count == 0)
		return -1;
	return member[n % (unsigned)count];
}

/* A dead endpoint of slot s: its last occupant when free, else the generation
 * before the current one (or after it, for generation 0). */
static endpoint_t stale_of(const struct sel_table *t, int32_t s)
{
	int32_t g = t->generation(s);

	if (!t->live(s))
		return ep_make(g, s);
	return ep_make(g > 0 ? g - 1 : g + 1, s);
}

endpoint_t selcore_endpoint(const struct sel_table *t, const struct ep_sel *e)
{
	static const endpoint_t special[3] = { ANY, NONE, SELF };
	int32_t s;
	uint32_t v;

	switch (e->kind) {
	case EPS_NAMED:
		if (selcore_name(e->arg, &v))
			return (endpoint_t)v;
		/* fall through: unbound, the arg-th live process */
	case EPS_LIVE:
		s = selcore_nth(t, e->arg, SEL_LIVE);
		return s < 0 ? e->arg : t->endpt(s);
	case EPS_STALE:
		s = selcore_nth(t, e->arg, SEL_USED);
		return s < 0 ? e->arg : stale_of(t, s);
	case EPS_FRESH:
		s = selcore_nth(t, e->arg, SEL_FRESH);
		return s < 0 ? e->arg : ep_make(0, s);
	case EPS_FREE:
		s = selcore_nth(t, e->arg, SEL_FREE);
		return s < 0 ? e->arg : ep_make(t->used(s) ? t->generation(s) : 0, s);
	case EPS_TASK:
		return -1 - (endpoint_t)(e->arg % NR_TASKS);
	case EPS_SPECIAL:
		return special[e->arg % 3];
	default:
		return e->raw;
	}
}

int32_t selcore_slot(const struct sel_table *t, const struct ep_sel *e)
{
	if (e->kind == EPS_RAW)
		return e->raw;
	return ep_slot(selcore_endpoint(t, e));
}

void selcore_build_msg(const struct sel_table *t, uint32_t (*addr)(const struct addr_sel *a),
		       const struct rec *r, message *m)
{
	memset(m, 0, sizeof *m);
	m->m_source = selcore_endpoint(t, &r->ep);
	if (r->call < 0) {
		m->m_type = (int32_t)r->raw_type;
		return;
	}
	const struct call_desc *cd = &call_table[r->call];
	m->m_type = cd->type;
	for (int i = 0; i < cd->nfields; i++) {
		const struct field_desc *fd = &cd->fields[i];
		uint64_t v = r->f[i].raw;

		if (!field_is_in(fd))
			continue;
		if (fd->kind == FK_ENDPOINT)
			v = (uint32_t)selcore_endpoint(t, &r->f[i].ep);
		else if (fd->kind == FK_SLOT)
			v = (uint32_t)selcore_slot(t, &r->f[i].ep);
		else if (fd->kind == FK_ADDR)
			v = addr(&r->f[i].ad);
		field_write(m, fd, v);
	}
}
