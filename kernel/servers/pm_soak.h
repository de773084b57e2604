/* pm_soak.h - PM's process service for init's soak (kernel/servers/pm_soak.c). */
#ifndef KERNEL_PM_SOAK_H
#define KERNEL_PM_SOAK_H

#include "ipc.h"

/* Forget every soak child (PM's start). */
void pm_soak_init(void);
/* Serve m from src when it is a soak request (SK_SPAWN, SK_EXIT, SK_WAIT): 1, else 0. */
int pm_soak_serve(const message *m, endpoint_t src);

#endif
