/* vm_main.c - the VM server's ring-3 entry in the image: boot from the kernel's
 * description, then serve messages forever. */
#include "vm.h"

int main(void);

int main(void)
{
	int err = vm_boot();

	if (err != VM_OK) {
		vm_log("VM: boot failed: %d", err);
		PANIC("vm_boot failed");
	}
	vm_log("VM: booted, %u of %u pages free", mem_free_count(), mem_managed_count());
	for (;;)
		vm_step();
}
