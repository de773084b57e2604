/* region.c - each process's regions in an AVL tree keyed by start address.
 * Regions never overlap, so "the region covering addr" is a plain descent. */
#include "vm.h"

static int32_t height(const struct vir_region *r) { return r ? r->height : 0; }

/* Recompute r's height from its children. */
static void fix_height(struct vir_region *r)
{
	int32_t l = height(r->left), h = height(r->right);
	r->height = (l > h ? l : h) + 1;
}

static struct vir_region *rotate_right(struct vir_region *r)
{
	struct vir_region *l = r->left;
	r->left = l->right;
	l->right = r;
	fix_height(r);
	fix_height(l);
	return l;
}

static struct vir_region *rotate_left(struct vir_region *r)
{
	struct vir_region *h = r->right;
	r->right = h->left;
	h->left = r;
	fix_height(r);
	fix_height(h);
	return h;
}

/* Restore the AVL balance at r after one of its subtrees changed height by one. */
static struct vir_region *rebalance(struct vir_region *r)
{
	int32_t bal;

	fix_height(r);
	bal = height(r->left) - height(r->right);
	if (bal > 1) {
		if (height(r->left->left) < height(r->left->right))
			r->left = rotate_left(r->left);
		return rotate_right(r);
	}
	if (bal < -1) {
		if (height(r->right->right) < height(r->right->left))
			r->right = rotate_right(r->right);
		return rotate_left(r);
	}
	return r;
}

/* Insert r below root; returns the rebalanced subtree. */
static struct vir_region *insert_at(struct vir_region *root, struct vir_region *r)
{
	if (!root)
		return r;
	if (r->vaddr < root->vaddr)
		root->left = insert_at(root->left, r);
	else
		root->right = insert_at(root->right, r);
	return rebalance(root);
}

/* Detach the leftmost node of root into *min; return the remaining subtree. */
static struct vir_region *remove_min(struct vir_region *root, struct vir_region **min)
{
	if (!root->left) {
		*min = root;
		return root->right;
	}
	root->left = remove_min(root->left, min);
	return rebalance(root);
}

/* Remove r from below root (it must be there); returns the rebalanced subtree. */
static struct vir_region *remove_at(struct vir_region *root, struct vir_region *r)
{
	struct vir_region *min;

	if (!root)
		PANIC("region_remove: region not in tree");
	if (r->vaddr < root->vaddr) {
		root->left = remove_at(root->left, r);
	} else if (r->vaddr > root->vaddr) {
		root->right = remove_at(root->right, r);
	} else {
		if (root != r)
			PANIC("region_remove: another region at the same address");
		if (!r->right)
			return r->left;
		r->right = remove_min(r->right, &min);
		min->left = r->left;
		min->right = r->right;
		return rebalance(min);
	}
	return rebalance(root);
}

/* Insert r (its range must be free) into vmp's tree. */
void region_insert(struct vmproc *vmp, struct vir_region *r)
{
	r->left = r->right = NULL;
	r->height = 1;
	vmp->regions = insert_at(vmp->regions, r);
	MUTATED();
	sanity_changed(vmp->slot);
}

/* Take r out of vmp's tree (r itself is not freed). */
void region_remove(struct vmproc *vmp, struct vir_region *r)
{
	vmp->regions = remove_at(vmp->regions, r);
	r->left = r->right = NULL;
	MUTATED();
	sanity_changed(vmp->slot);
}

/* The region whose range contains addr, or NULL. */
struct vir_region *region_find(struct vmproc *vmp, uint32_t addr)
{
	struct vir_region *r = vmp->regions;

	while (r) {
		if (addr < r->vaddr)
			r = r->left;
		else if (addr - r->vaddr >= r->length)
			r = r->right;
		else
			return r;
	}
	return NULL;
}

/* The lowest region that ends above addr (it contains addr or lies above it). */
struct vir_region *region_find_ge(struct vmproc *vmp, uint32_t addr)
{
	struct vir_region *r = vmp->regions, *best = NULL;

	while (r) {
		if (r->vaddr + (r->length - 1) >= addr) {
			best = r;
			r = r->left;
		} else {
			r = r->right;
		}
	}
	return best;
}

/* The highest region that starts below addr, or NULL. */
struct vir_region *region_find_lt(struct vmproc *vmp, uint32_t addr)
{
	struct vir_region *r = vmp->regions, *best = NULL;

	while (r) {
		if (r->vaddr < addr) {
			best = r;
			r = r->right;
		} else {
			r = r->left;
		}
	}
	return best;
}

struct vir_region *region_first(struct vmproc *vmp)
{
	struct vir_region *r = vmp->regions;

	while (r && r->left)
		r = r->left;
	return r;
}

/* The region after r in address order, or NULL. */
struct vir_region *region_next(struct vmproc *vmp, struct vir_region *r)
{
	uint32_t end;

	if (add_wraps(r->vaddr, r->length, &end) || end == 0)
		return NULL;
	return region_find_ge(vmp, end);
}

uint32_t region_count(struct vmproc *vmp)
{
	uint32_t n = 0;

	for (struct vir_region *r = region_first(vmp); r; r = region_next(vmp, r))
		n++;
	return n;
}

/* Check heights, balance and key order below r within (lo, hi]; returns the height,
 * or -1 on a violation. */
static int32_t check_subtree(const struct vir_region *r, uint32_t lo, uint32_t hi, int has_lo)
{
	int32_t l, h;

	if (!r)
		return 0;
	if ((has_lo && r->vaddr < lo) || r->vaddr > hi)
		return -1;
	l = check_subtree(r->left, lo, r->vaddr, has_lo);
	h = check_subtree(r->right, r->vaddr, hi, 1);
	if (l < 0 || h < 0 || l - h > 1 || h - l > 1)
		return -1;
	if (r->height != (l > h ? l : h) + 1)
		return -1;
	return r->height;
}

/* 0 when vmp's tree is a valid AVL tree ordered by address, SAN_AVL otherwise. */
int region_tree_check(struct vmproc *vmp)
{
	return check_subtree(vmp->regions, 0, 0xFFFFFFFFu, 0) < 0 ? SAN_AVL : 0;
}
