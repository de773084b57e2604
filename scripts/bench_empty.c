/* bench_empty.c - a fuzz target that does nothing, built like the real ones, so
 * `make bench` can show what the engine itself costs per execution. */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Accept any input and touch nothing. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}
