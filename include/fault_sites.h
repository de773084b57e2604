/* fault_sites.h - every place VM can be made to fail, declared once.
 *
 * S(ID, name): the code marks a site with FAULT_POINT(FS_ID), which is true when the
 * fault engine wants this hit to fail.  Sites count allocation *calls* (never slab
 * pages), so one input hits the same sites in the image and the hosted build.
 * Kernel calls listed here are fallible: VM rolls back and answers an errno.
 * Kernel calls not listed (kill, clear_pagefault, flush_tlb, exit) are never failed. */
#ifndef VMFUZZ_FAULT_SITES_H
#define VMFUZZ_FAULT_SITES_H

#define FAULT_SITES(S)                                   \
	S(PAGE_ALLOC, "page_alloc")     /* physical pages */ \
	S(SLAB_ALLOC, "slab_alloc")     /* slab objects */   \
	S(PT_NEW, "pt_new")             /* page directory */ \
	S(PT_PAGE, "pt_page")           /* page-table page */ \
	S(REGION_PAGES, "region_pages") /* region page array */ \
	S(KC_FORK, "kc_fork")           /* kernel: fork a process slot */ \
	S(KC_ADDRSPACE, "kc_addrspace") /* kernel: install a page directory */ \
	S(KC_COPY, "kc_copy")           /* kernel: copy out to a process (VM_INFO) */

enum fault_site {
#define FS_ENUM(id, name) FS_##id,
	FAULT_SITES(FS_ENUM)
#undef FS_ENUM
	FS_COUNT
};

#endif
