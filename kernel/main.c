/* main.c - kernel entry: bring up the machine, load the boot processes, run. */
#include "kernel.h"

struct kstate k;

void shutdown(int status)
{
	cli();
	outb(DEBUG_EXIT_PORT, (uint8_t)(DEBUG_EXIT_BASE + status)); /* QEMU isa-debug-exit */
	outw(0x604, 0x2000);                                       /* QEMU ACPI power off */
	for (;;)
		__asm__ volatile("hlt");
}

/* Called from arch/boot.S with the multiboot magic and info address. */
void kmain(uint32_t magic, uint32_t mbi)
{
	serial_init();                   /* COM1 console */
	kputs("\nvmfuzz kernel: booting\n");
	gdt_init();                      /* segments and TSS */
	idt_init();                      /* exception, interrupt and trap gates */
	pic_init();                      /* IRQs at 32..47, timer only */
	pit_init(100);                   /* 100 Hz quantum */
	paging_init();                   /* identity map of RAM, paging on */
	proc_init();                     /* every slot free */
	boot_start(magic, mbi);          /* modules -> VM + boot descriptions */
	kprintf("kernel: starting VM (endpoint %d)\n", k.vm->endpt);
	sched_return();                  /* never returns */
}
