/* bench_empty.c - an empty fuzz target built exactly like fuzz_entry.c, so
 * `make bench` can compare an engine's ceiling with the real harness's speed. */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}
