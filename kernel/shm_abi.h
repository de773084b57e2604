/* shm_abi.h - the memory the host shares with the fuzz image (make fuzz-qemu): a file
 * in /dev/shm that QEMU offers as the ivshmem-plain device's BAR2, which the fuzz
 * kernel finds on PCI and maps at FZSHM_VADDR into VM (its edge map, written by the
 * SanitizerCoverage callbacks of kernel/lib/vmcov.c) and into the agent (the header
 * and the input, harness/guest/shm.c).  The host side is harness/qemu_forkserver.c.
 *
 * Layout: the header at 0, the input at FZSHM_INPUT (at most FZSHM_INPUT_CAP bytes),
 * the edge map at FZSHM_MAP (FZSHM_MAP_SIZE one-byte counters, AFL++'s map size).
 *
 * One input: the host clears the map, writes the input, its length and FZI_* flags,
 * then bumps req; the agent runs it, writes verdict and finding, restores the boot
 * snapshot and sets done = req.  Only the host writes req, len, flags and the input;
 * only the agent writes ready, done, verdict and finding. */
#ifndef KERNEL_SHM_ABI_H
#define KERNEL_SHM_ABI_H

#include <stdint.h>

#define FZSHM_SIZE      (256u << 10) /* a power of two, as ivshmem wants */
#define FZSHM_VADDR     0xD0000000u  /* where VM and the agent see it */
#define FZSHM_INPUT     0x1000u
#define FZSHM_INPUT_CAP (64u << 10)  /* harness/guest/guest.h ONE_INPUT_CAP */
#define FZSHM_MAP       0x20000u
#define FZSHM_MAP_SIZE  (64u << 10)
#define FZSHM_READY     0x4D485A46u  /* "FZHM": the agent took its snapshot and waits */

/* Input flags (FZ_INPUT's, a batch's and the shared header's). */
#define FZI_EXPECT 0x1 /* the input came from a text file: check expected replies */
#define FZI_TRACE  0x2 /* print every record and its outcome (kernel command line "trace") */

#define FZSHM_PCI_VENDOR 0x1af4 /* ivshmem */
#define FZSHM_PCI_DEVICE 0x1110

#define FZSHM_CLEAN   0
#define FZSHM_FINDING 1

struct fzshm_hdr {
	volatile uint32_t ready;  /* agent: FZSHM_READY once it serves */
	volatile uint32_t req;    /* host: sequence number of the input to run */
	volatile uint32_t done;   /* agent: req of the last input whose verdict is written */
	volatile uint32_t len;    /* host: input length (at most FZSHM_INPUT_CAP) */
	volatile uint32_t flags;  /* host: FZI_* (kernel/fuzz_abi.h): FZI_EXPECT checks expected replies */
	volatile uint32_t verdict; /* agent: FZSHM_CLEAN or FZSHM_FINDING */
	volatile uint32_t runs;   /* agent: inputs run since boot */
	char finding[256];        /* agent: the FINDING line (NUL-terminated), or "" */
};
_Static_assert(sizeof(struct fzshm_hdr) <= FZSHM_INPUT, "the header fits before the input");
_Static_assert(FZSHM_INPUT + FZSHM_INPUT_CAP <= FZSHM_MAP && FZSHM_MAP + FZSHM_MAP_SIZE <= FZSHM_SIZE,
	       "the layout fits");

#endif
