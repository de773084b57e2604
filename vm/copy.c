/* copy.c - data copies between VM and a process, through the kernel and a scratch
 * page of VM's (its physical address is also its address in VM's window).  The
 * process's side is made present first, so a kernel copy never faults. */
#include "vm.h"

/* Copy len bytes (at most a page) between VM's data and addr in ep; to_proc picks
 * the direction.  VM_EFAULT when ep's range is not in a region (or, to write, not
 * writable) or the kc_copy fault fires; VM_ENOMEM when memory runs out. */
static int copy_via_scratch(endpoint_t ep, uint32_t addr, void *data, uint32_t len, int to_proc)
{
	struct vmproc *vmp = proc_get(ep);
	uint32_t page;
	int err;

	if (len == 0)
		return VM_OK;
	VM_ASSERT(vmp && len <= PAGE_SIZE);
	if ((err = map_prefault(vmp, addr, len, to_proc)) != VM_OK)
		return err == VM_ENOMEM ? VM_ENOMEM : VM_EFAULT;
	kc_flush_tlb(ep);
	if (FAULT_POINT(KC_COPY))
		return VM_EFAULT;
	page = mem_alloc(1, 0);
	if (page == PHYS_NONE)
		return VM_ENOMEM;
	if (to_proc) {
		vm_memcpy(phys_ptr(page, len), data, len);
		err = kc_copy(vm.self, page, ep, addr, len);
	} else {
		err = kc_copy(ep, addr, vm.self, page, len);
		if (err == VM_OK)
			vm_memcpy(data, phys_ptr(page, len), len);
	}
	mem_free(page, 1);
	return err == VM_OK ? VM_OK : VM_EFAULT;
}

/* Copy len bytes of data to addr in the live process ep. */
int copy_to_proc(endpoint_t ep, uint32_t addr, const void *data, uint32_t len)
{
	return copy_via_scratch(ep, addr, (void *)data, len, 1);
}

/* Copy len bytes from addr in the live process ep into data. */
int copy_from_proc(endpoint_t ep, uint32_t addr, void *data, uint32_t len)
{
	return copy_via_scratch(ep, addr, data, len, 0);
}
