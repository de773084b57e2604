/* shm.c - the memory the host shares with the fuzz image (KERNEL_FUZZ only; make
 * fuzz-qemu): QEMU's ivshmem-plain device, whose BAR2 is a file in /dev/shm on the
 * host.  At boot the kernel looks for the device on PCI bus 0 (configuration
 * mechanism 1), and when its BAR2 is a memory BAR below 4 GiB of at least FZSHM_SIZE
 * bytes, maps it at FZSHM_VADDR into VM's space (the edge map its SanitizerCoverage
 * callbacks write, kernel/lib/vmcov.c) and the agent's (header and input,
 * harness/guest/shm.c).  FZ_SHM tells either where it is.  The layout is
 * kernel/shm_abi.h's. */
#include "kernel.h"
#include "shm_abi.h"

#define PCI_ADDR 0xCF8
#define PCI_DATA 0xCFC
#define PCI_CMD_MEMORY 0x2

/* The 32-bit configuration register off of device dev on bus 0. */
static uint32_t pci_read(uint32_t dev, uint32_t off)
{
	outl(PCI_ADDR, 0x80000000u | dev << 11 | (off & 0xFC));
	return inl(PCI_DATA);
}

static void pci_write(uint32_t dev, uint32_t off, uint32_t v)
{
	outl(PCI_ADDR, 0x80000000u | dev << 11 | (off & 0xFC));
	outl(PCI_DATA, v);
}

/* The size BAR off of dev decodes (all ones written, the old value put back). */
static uint32_t bar_size(uint32_t dev, uint32_t off)
{
	uint32_t old = pci_read(dev, off), mask;

	pci_write(dev, off, 0xFFFFFFFFu);
	mask = pci_read(dev, off) & ~0xFu;
	pci_write(dev, off, old);
	return mask ? ~mask + 1 : 0;
}

/* The physical address of the device's shared memory, or 0 (no device, or a BAR2
 * the kernel cannot use: an I/O BAR, above 4 GiB, unassigned or too small). */
static uint32_t find_shm(void)
{
	for (uint32_t dev = 0; dev < 32; dev++) {
		uint32_t id = pci_read(dev, 0x00);
		if (id != (FZSHM_PCI_DEVICE << 16 | FZSHM_PCI_VENDOR))
			continue;
		uint32_t bar = pci_read(dev, 0x18), hi = (bar & 0x6) == 0x4 ? pci_read(dev, 0x1C) : 0;
		uint32_t base = bar & ~0xFu;
		if ((bar & 1) || hi || base == 0 || base < PHYS_MAX || bar_size(dev, 0x18) < FZSHM_SIZE) {
			kprintf("shm: ivshmem BAR2 0x%x:%x unusable\n", hi, bar);
			return 0;
		}
		pci_write(dev, 0x04, pci_read(dev, 0x04) | PCI_CMD_MEMORY);
		return base;
	}
	return 0;
}

void shm_init(uint32_t vm_pdir, uint32_t agent_pdir)
{
	uint32_t base = find_shm();

	if (!base)
		return;
	for (uint32_t off = 0; off < FZSHM_SIZE; off += PAGE_SIZE) {
		map_page(vm_pdir, FZSHM_VADDR + off, base + off, PTE_U | PTE_W);
		map_page(agent_pdir, FZSHM_VADDR + off, base + off, PTE_U | PTE_W);
	}
	k.fz.shm_phys = base;
	kprintf("shm: host memory at 0x%x, %u KiB, mapped at 0x%x\n", base, FZSHM_SIZE >> 10, FZSHM_VADDR);
}

/* FZ_SHM(): out = FZSHM_VADDR when the host shares memory; VM_ENXIO otherwise. */
int kc_fz_shm(struct proc *caller, struct kargs *x)
{
	(void)caller;
	if (!k.fz.shm_phys)
		return VM_ENXIO;
	x->out = FZSHM_VADDR;
	return VM_OK;
}
