/* memory.c - the kernel's identity map, the boot-time page allocator, and access to
 * user memory by walking page tables (never by touching user addresses, so a
 * kernel copy cannot fault: a missing page is VM_EFAULT). */
#include "kernel.h"

static uint32_t kern_pdir[PDE_ENTRIES] __attribute__((aligned(4096)));
static uint32_t pa_next, pa_top; /* boot-time bump allocator */

/* Identity-map [0, PHYS_MAX) with 4 MiB supervisor pages and turn paging on
 * (PSE for big pages, WP so supervisor writes honour read-only PTEs). */
void paging_init(void)
{
	for (uint32_t i = 0; i < KERNEL_PDE_COUNT; i++)
		kern_pdir[i] = (i * BIG_PAGE_SIZE) | PTE_P | PTE_W | PDE_PS;
	__asm__ volatile("mov %%cr4, %%eax\n\t"
			 "or $0x10, %%eax\n\t"       /* CR4.PSE */
			 "mov %%eax, %%cr4\n\t"
			 "mov %0, %%cr3\n\t"
			 "mov %%cr0, %%eax\n\t"
			 "or $0x80010000, %%eax\n\t" /* CR0.PG | CR0.WP */
			 "mov %%eax, %%cr0"
			 : : "r"(kern_pdir) : "eax", "memory");
}

uint32_t kern_pdir_phys(void) { return (uint32_t)kern_pdir; }
uint32_t kern_pde(int i) { return kern_pdir[i]; }

void palloc_init(uint32_t first_free, uint32_t top)
{
	pa_next = (first_free + PAGE_MASK) & ~PAGE_MASK;
	pa_top = top & ~PAGE_MASK;
}

uint32_t palloc(uint32_t npages)
{
	uint32_t p = pa_next;

	if (npages > (pa_top - pa_next) / PAGE_SIZE)
		kpanic("out of boot memory (%u pages wanted)", npages);
	pa_next += npages * PAGE_SIZE;
	__builtin_memset((void *)p, 0, npages * PAGE_SIZE);
	return p;
}

uint32_t palloc_mark(void) { return pa_next; }
uint32_t palloc_top(void) { return pa_top; }

void map_page(uint32_t pdir, uint32_t vaddr, uint32_t phys, uint32_t flags)
{
	uint32_t *pd = (uint32_t *)pdir;
	uint32_t *pde = &pd[vaddr >> 22];

	if (!(*pde & PTE_P))
		*pde = palloc(1) | PTE_P | PTE_W | PTE_U;
	uint32_t *pt = (uint32_t *)(*pde & PTE_ADDR_MASK);
	pt[(vaddr >> 12) & 0x3FF] = (phys & PTE_ADDR_MASK) | flags | PTE_P;
}

uint32_t uwalk(uint32_t cr3, uint32_t vaddr, int write)
{
	uint32_t need = PTE_P | PTE_U | (write ? PTE_W : 0);
	uint32_t pde, pte, phys;

	if (cr3 == 0 || cr3 >= PHYS_MAX)
		return PHYS_NONE_K;
	pde = ((const uint32_t *)cr3)[vaddr >> 22];
	if ((pde & need) != need)
		return PHYS_NONE_K;
	if (pde & PDE_PS) {
		phys = (pde & 0xFFC00000u) | (vaddr & 0x3FFFFFu);
	} else {
		uint32_t pt = pde & PTE_ADDR_MASK;
		if (pt >= PHYS_MAX)
			return PHYS_NONE_K;
		pte = ((const uint32_t *)pt)[(vaddr >> 12) & 0x3FF];
		if ((pte & need) != need)
			return PHYS_NONE_K;
		phys = (pte & PTE_ADDR_MASK) | (vaddr & PAGE_MASK);
	}
	return phys < PHYS_MAX ? phys : PHYS_NONE_K;
}

/* Bytes from vaddr to the end of its page, at most len. */
static uint32_t chunk(uint32_t vaddr, uint32_t len)
{
	uint32_t room = PAGE_SIZE - (vaddr & PAGE_MASK);
	return len < room ? len : room;
}

/* Copy len bytes from user (scr3, sa) or kernel (ks) to user (dcr3, da) or kernel
 * (kd).  A kernel side has cr3 0 and a pointer.  VM_OK or VM_EFAULT. */
static int copy_gen(uint32_t scr3, uint32_t sa, const uint8_t *ks,
		    uint32_t dcr3, uint32_t da, uint8_t *kd, uint32_t len)
{
	uint32_t end;

	if ((!ks && __builtin_add_overflow(sa, len, &end)) || (!kd && __builtin_add_overflow(da, len, &end)))
		return VM_EFAULT;
	while (len) {
		uint32_t n = len;
		const uint8_t *s = ks;
		uint8_t *d = kd;
		if (!ks) {
			uint32_t ph = uwalk(scr3, sa, 0);
			if (ph == PHYS_NONE_K)
				return VM_EFAULT;
			n = chunk(sa, n);
			s = (const uint8_t *)ph;
		}
		if (!kd) {
			uint32_t ph = uwalk(dcr3, da, 1);
			if (ph == PHYS_NONE_K)
				return VM_EFAULT;
			n = chunk(da, n);
			d = (uint8_t *)ph;
		}
		__builtin_memmove(d, s, n);
#ifdef KERNEL_FUZZ
		if (!kd) /* a write into user memory: the snapshot puts it back */
			snap_kernel_wrote((uint32_t)d, n);
#endif
		len -= n;
		sa += n, da += n;
		if (ks)
			ks += n;
		if (kd)
			kd += n;
	}
	return VM_OK;
}

int copy_from_user(const struct proc *p, uint32_t vaddr, void *dst, uint32_t len)
{
	return copy_gen(p->cr3, vaddr, NULL, 0, 0, dst, len);
}

int copy_to_user(const struct proc *p, uint32_t vaddr, const void *src, uint32_t len)
{
	return copy_gen(0, 0, src, p->cr3, vaddr, NULL, len);
}

int copy_user_user(const struct proc *s, uint32_t sa, const struct proc *d, uint32_t da, uint32_t len)
{
	return copy_gen(s->cr3, sa, NULL, d->cr3, da, NULL, len);
}

/* VM_OK when every byte of [vaddr, vaddr+len) is present, user and writable for p. */
int user_writable(const struct proc *p, uint32_t vaddr, uint32_t len)
{
	uint32_t end;

	if (__builtin_add_overflow(vaddr, len, &end))
		return VM_EFAULT;
	for (uint32_t a = vaddr & ~PAGE_MASK; a < end; a += PAGE_SIZE)
		if (uwalk(p->cr3, a < vaddr ? vaddr : a, 1) == PHYS_NONE_K)
			return VM_EFAULT;
	return VM_OK;
}

/* VM_OK when every byte of [vaddr, vaddr+len) (len > 0) is present and user for p,
 * and writable when write is set; VM_EFAULT otherwise or when the range wraps. */
int user_range_ok(const struct proc *p, uint32_t vaddr, uint32_t len, int write)
{
	uint32_t last;

	if (len == 0)
		return VM_OK;
	if (__builtin_add_overflow(vaddr, len - 1, &last))
		return VM_EFAULT;
	for (uint32_t a = vaddr & ~PAGE_MASK;; a += PAGE_SIZE) {
		if (uwalk(p->cr3, a < vaddr ? vaddr : a, write) == PHYS_NONE_K)
			return VM_EFAULT;
		if (a >= (last & ~PAGE_MASK))
			return VM_OK;
	}
}
