/* nosan.c - the two sanitizer runtime calls harness/report.c makes, for the builds
 * without a sanitizer runtime (build/fuzz-afl-fast, build/fuzz-afl-cmplog).  There a
 * crash is the engine's to catch (a signal), and no death callback or symbolizer
 * exists; triage replays every raw finding with build/vm-replay (ASan + UBSan).  Weak:
 * where a runtime does come with the link (clang's -fsanitize=fuzzer brings UBSan's
 * standalone runtime in the OSS-Fuzz coverage build), its definitions win. */
#include <stddef.h>

void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out, size_t len);
void __sanitizer_set_death_callback(void (*fn)(void));

__attribute__((weak)) void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out, size_t len)
{
	(void)pc;
	(void)fmt;
	if (len)
		out[0] = 0;
}

__attribute__((weak)) void __sanitizer_set_death_callback(void (*fn)(void))
{
	(void)fn;
}
