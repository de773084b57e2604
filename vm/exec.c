/* exec.c - VM_EXEC_NEWMEM (from PM): a new address space for a process that execs.
 *
 * PM names the process and passes the new image's sizes (struct vm_exec_newmem, read
 * from PM's memory).  VM builds the new image beside the old one: a fresh page
 * directory and demand-zero regions for text (at TEXT_VADDR), data + bss (the heap
 * brk grows) and the stack (below STACK_TOP), every one writable (the caller loads
 * the text and copies the arguments with ordinary copies).  Only when all of it
 * stands and the kernel has installed the new directory is the old image released;
 * any refusal or failure leaves the old image exactly as it was. */
#include "vm.h"
#include "vm_exec.h"

enum { EXEC_TEXT, EXEC_DATA, EXEC_STACK, EXEC_NREGIONS };

/* The new image under construction: its regions (in no tree) and page directory. */
struct exec_image {
	struct vir_region *r[EXEC_NREGIONS]; /* NULL: none (text of size 0) */
	struct pt pt;
};

/* Where the regions of sizes e go: *base[i] and *len[i] (page-rounded; len 0 for no
 * text).  VM_EINVAL for sizes no image has (no stack, no data, arguments larger than
 * the stack); VM_ENOMEM when they do not fit between TEXT_VADDR and STACK_TOP. */
static int exec_layout(const struct vm_exec_newmem *e, uint32_t base[EXEC_NREGIONS], uint32_t len[EXEC_NREGIONS])
{
	uint64_t text = ((uint64_t)e->text_bytes + PAGE_MASK) & ~(uint64_t)PAGE_MASK;
	uint64_t data = ((uint64_t)e->data_bytes + e->bss_bytes + PAGE_MASK) & ~(uint64_t)PAGE_MASK;
	uint64_t stack = ((uint64_t)e->stack_bytes + PAGE_MASK) & ~(uint64_t)PAGE_MASK;

	if (e->stack_bytes == 0 || data == 0 || e->args_bytes > e->stack_bytes)
		return VM_EINVAL;
	if (stack >= STACK_TOP - TEXT_VADDR || TEXT_VADDR + text + data > STACK_TOP - stack)
		return VM_ENOMEM;
	base[EXEC_TEXT] = TEXT_VADDR;
	len[EXEC_TEXT] = (uint32_t)text;
	base[EXEC_DATA] = TEXT_VADDR + (uint32_t)text;
	len[EXEC_DATA] = (uint32_t)data;
	base[EXEC_STACK] = STACK_TOP - (uint32_t)stack;
	len[EXEC_STACK] = (uint32_t)stack;
	return VM_OK;
}

/* Free what exec_build made of img (nothing of it is in a tree or bound). */
static void exec_discard(struct exec_image *img)
{
	for (int i = 0; i < EXEC_NREGIONS; i++)
		if (img->r[i])
			map_region_discard(img->r[i]);
	if (img->pt.dir_phys != PHYS_NONE)
		pt_free(&img->pt);
}

/* Build the new image of vmp in img: a page directory (fault site pt_new) and the
 * regions (slab_alloc, region_pages), none of them in vmp's tree yet.  VM_ENOMEM
 * leaves img empty. */
static int exec_build(struct vmproc *vmp, const uint32_t base[EXEC_NREGIONS], const uint32_t len[EXEC_NREGIONS],
		      struct exec_image *img)
{
	static const uint32_t extra[EXEC_NREGIONS] = { 0, 0, VR_STACK };
	int err;

	img->pt.dir_phys = PHYS_NONE;
	for (int i = 0; i < EXEC_NREGIONS; i++)
		img->r[i] = NULL;
	if ((err = pt_new(&img->pt)) != VM_OK)
		return err;
	for (int i = 0; i < EXEC_NREGIONS; i++) {
		if (len[i] == 0)
			continue;
		img->r[i] = map_region_build(vmp, base[i], len[i], VR_ANON | VR_WRITABLE | extra[i], &mem_type_anon);
		if (!img->r[i]) {
			exec_discard(img);
			return VM_ENOMEM;
		}
	}
	return VM_OK;
}

/* The new image replaces vmp's old one: the kernel installs the new directory
 * (kc_addrspace; on failure nothing changed), then the old regions and page table
 * go and the new regions take their place.  Nothing after the bind can fail. */
static int exec_commit(struct vmproc *vmp, struct exec_image *img)
{
	int err = VM_OK;

	if (FAULT_POINT(KC_ADDRSPACE) || (err = pt_bind(&img->pt, vmp->endpt)) != VM_OK) {
		exec_discard(img);
		return err ? err : VM_ENOMEM;
	}
	map_free_proc(vmp);
	pt_free(&vmp->pt);
	vmp->pt = img->pt;
	for (int i = 0; i < EXEC_NREGIONS; i++)
		if (img->r[i])
			region_insert(vmp, img->r[i]);
	vmp->heap_base = img->r[EXEC_DATA]->vaddr;
	vfs_space_replaced(vmp);
	sanity_changed(vmp->slot);
	MUTATED();
	return VM_OK;
}

/* VM_EXEC_NEWMEM: replace the address space of endpt with a new image whose sizes are
 * the struct vm_exec_newmem at args in the caller (args_len must be its size).
 * Replies flags (VMEN_LOAD_TEXT) and stack_top (STACK_TOP).  VM_EINVAL for a bad
 * length, a target that is not a live process other than VM or that is exiting, or
 * bad sizes; VM_EFAULT when args cannot be read; VM_ENOMEM when the image does not
 * fit or memory runs out.  On any error the old image is untouched. */
int do_exec_newmem(message *m)
{
	struct vm_pl_exec_newmem *q = &m->u.exec_newmem;
	struct vmproc *vmp = proc_target(q->endpt);
	struct vm_exec_newmem e;
	struct exec_image img;
	uint32_t base[EXEC_NREGIONS], len[EXEC_NREGIONS];
	int err;

	if (q->args_len != sizeof(e) || !vmp || (vmp->flags & VMF_EXITING))
		return VM_EINVAL;
	if ((err = copy_from_proc(m->m_source, q->args, &e, sizeof(e))) != VM_OK)
		return err;
	if ((err = exec_layout(&e, base, len)) != VM_OK)
		return err;
	if ((err = exec_build(vmp, base, len, &img)) != VM_OK)
		return err;
	if ((err = exec_commit(vmp, &img)) != VM_OK)
		return err;
	q->flags = VMEN_LOAD_TEXT;
	q->stack_top = STACK_TOP;
	return VM_OK;
}
