/* pagefault.c - VM_PAGEFAULT from the kernel: map the page or kill the process (a file
 * page VFS must bring first leaves the process stopped until VFS answers: vfs.c). */
#include "vm.h"

/* Serve a user page fault.  The kernel keeps the process stopped until VM clears the
 * fault; an address VM cannot serve gets SIGSEGV.  Never replied to. */
int do_pagefault(message *m)
{
	struct vmproc *vmp = proc_target(m->m_source);
	uint32_t addr = m->u.pagefault.addr;
	int write = (m->u.pagefault.flags & PFERR_WRITE) != 0;
	int err;

	if (!vmp || vmp->pt.dir_phys == PHYS_NONE)
		return VM_SUSPEND;
	err = map_pagefault(vmp, addr, write);
	if (err == VM_SUSPEND) { /* a file page VFS must bring: the process waits */
		err = vfs_fault_request(vmp, region_find(vmp, addr), addr, write);
		if (err == VM_OK)
			return VM_SUSPEND;
	}
	if (err == VM_OK) {
		vmp->minflt++;
		kc_flush_tlb(vmp->endpt);
	} else {
		seam_trace(TR_PF_SEGV, vmp->endpt, (int32_t)addr);
		kc_kill(vmp->endpt, SIGSEGV);
	}
	kc_clear_pagefault(vmp->endpt);
	return VM_SUSPEND;
}
