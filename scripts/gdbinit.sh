#!/bin/sh
# gdbinit.sh IMG PORT - print the .gdbinit of `make qemu-gdb`: the kernel's symbols and
# VM's, a connection to QEMU's gdb stub on PORT, and a stop at VM's main loop
# (vm_step).  Every ring-3 program is linked at the same addresses, so the breakpoint
# is a hardware one (by linear address, whatever the page tables) conditioned on the
# first word of vm_step as vm.elf holds it: in another program's address space the
# word there differs and gdb lets it run on.
set -eu
img=$1
port=$2
cat <<GDB
set architecture i386
set pagination off
file $img/vm.elf
set \$vm_step_word = *(unsigned int *)vm_step
file $img/kernel.elf
add-symbol-file $img/vm.elf
target remote localhost:$port
hbreak vm_step if *(unsigned int *)vm_step == \$vm_step_word
continue
GDB
