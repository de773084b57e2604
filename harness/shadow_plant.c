/* shadow_plant.c - the memory oracle's self-test plants: MMU or RAM corruption a VM
 * bug would cause, made from the harness so each rule is shown to fire. */
#include <string.h>
#include "shadow.h"

static const char *const plant_name[] = { "", "mem:flip", "mem:cow", "mem:unmap", "mem:ro", "mem:alias", "mem:cache" };

/* ---- Plants (self-test): MMU or RAM corruption a VM bug would cause ---- */
int shadow_plant(const char *name)
{
	for (int i = 1; i < (int)(sizeof plant_name / sizeof plant_name[0]); i++)
		if (!strcmp(name, plant_name[i])) {
			sh.plant = (enum plant)i;
			return 0;
		}
	if (!strcmp(name, "none")) {
		sh.plant = PL_NONE;
		return 0;
	}
	return -1;
}

/* The PDE and PTE of vaddr in ep's page tables (NULL when there is none). */
static uint32_t *pte_of(endpoint_t ep, uint32_t vaddr, uint32_t **pde)
{
	int32_t slot = ep_slot(ep);
	if (slot < 0 || slot >= NR_PROCS || !kmodel.proc[slot].pdir)
		return NULL;
	uint32_t *pd = phys_ptr(kmodel.proc[slot].pdir, PAGE_SIZE);
	*pde = &pd[vaddr >> 22];
	if (!(**pde & PTE_P) || (**pde & PDE_PS))
		return NULL;
	uint32_t *pt = phys_ptr(**pde & PTE_ADDR_MASK, PAGE_SIZE);
	return &pt[(vaddr >> PAGE_SHIFT) & (PTE_ENTRIES - 1)];
}

/* mem:cow: every present user page of ep becomes writable (no copy-on-write). */
static void plant_all_writable(endpoint_t ep)
{
	for (uint32_t a = USER_BASE; a < USER_TOP; a += PAGE_SIZE) {
		uint32_t *pde, *pte = pte_of(ep, a, &pde);
		if (!pte) {
			a |= BIG_PAGE_SIZE - 1; /* skip the rest of this page table */
			a -= PAGE_SIZE - 1;
			continue;
		}
		if (*pte & PTE_P) {
			*pde |= PTE_W;
			*pte |= PTE_W;
		}
	}
}

void plant_before_msg(const message *m)
{
	if (sh.plant != PL_UNMAP || m->m_type != VM_MUNMAP)
		return;
	for (uint32_t i = 0; i < PLANT_SAVE; i++) {
		uint32_t *pde, *pte = pte_of(m->m_source, m->u.munmap.addr + i * PAGE_SIZE, &pde);
		sh.saved_pte[i] = pte ? *pte : 0;
	}
}

void plant_after_msg(const message *m, int32_t code, const message *rep)
{
	if (code != VM_OK)
		return;
	uint32_t live;
	/* The unmapped range stays mapped, onto a live page (the caller's first text
	 * page: a freed page would be poisoned, and ASan would see it first). */
	if (sh.plant == PL_UNMAP && m->m_type == VM_MUNMAP && mmu_translate(m->m_source, TEXT_VADDR, 0, &live) == VM_OK)
		for (uint32_t i = 0; i < PLANT_SAVE; i++) {
			uint32_t *pde, *pte = pte_of(m->m_source, m->u.munmap.addr + i * PAGE_SIZE, &pde);
			if (pte && (sh.saved_pte[i] & PTE_P))
				*pte = (live & PTE_ADDR_MASK) | (sh.saved_pte[i] & ~PTE_ADDR_MASK);
		}
	if (sh.plant == PL_COW && m->m_type == VM_FORK && rep) {
		plant_all_writable(m->u.fork.parent);
		plant_all_writable(rep->u.fork.child);
	}
}

/* mem:alias: a write through a REMAP alias does not reach the memory it shares
 * (as if the alias were a private copy): the word it replaces is saved here and put
 * back after the write. */
static void plant_alias_save(endpoint_t ep, uint32_t addr, int write)
{
	struct shadow *s;
	struct expect e;
	sh.plant_saved = 0;
	if (sh.plant != PL_ALIAS || !write || !(s = shadow_of(ep)) || s->iv[iv_find(s, addr)].kind != K_ALIAS)
		return;
	if (expect_word(s, addr, &e)) {
		sh.plant_old = e.val;
		sh.plant_saved = 1;
	}
}

void shadow_before_access(const struct run_ctx *x, endpoint_t ep, uint32_t addr, int write)
{
	(void)x;
	uint32_t *pde, *pte;
	if (sh.plant == PL_RO && write && (pte = pte_of(ep, addr, &pde)) && (*pte & PTE_P)) {
		*pde |= PTE_W;
		*pte |= PTE_W; /* the write protection is lost */
	}
	plant_alias_save(ep, addr, write);
}

/* mem:cache: the old owner's write after VM_SETCACHEPAGE lands in the cached block
 * too. */
static void plant_cache_write(endpoint_t ep, uint32_t addr, uint32_t val)
{
	for (uint32_t i = 1; i < sh.nobj; i++) {
		const struct sh_obj *o = &sh.obj[i];
		if (o->kind == OB_CACHE && o->plant_phys && o->owner == ep && o->base == (addr & ~PAGE_MASK))
			*(uint32_t *)phys_ptr(o->plant_phys + (addr & PAGE_MASK), 4) = val;
	}
}

void plant_after_access(endpoint_t ep, uint32_t addr, int write, uint32_t val, int rc)
{
	uint32_t phys;
	if (!write || rc != VM_OK)
		return;
	if (sh.plant == PL_FLIP && mmu_translate(ep, addr, 0, &phys) == VM_OK)
		*(uint8_t *)phys_ptr(phys, 1) ^= 1; /* the page loses the write */
	if (sh.plant == PL_ALIAS && sh.plant_saved && mmu_translate(ep, addr, 0, &phys) == VM_OK)
		*(uint32_t *)phys_ptr(phys, 4) = sh.plant_old;
	if (sh.plant == PL_CACHE)
		plant_cache_write(ep, addr, val);
}
