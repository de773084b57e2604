/* stdio.h - only the FILE type, so harness/input.h's printer prototypes parse in the
 * agent's freestanding build (the agent never prints through FILE). */
#ifndef GUEST_STDIO_H
#define GUEST_STDIO_H

typedef struct guest_no_file FILE;

#endif
