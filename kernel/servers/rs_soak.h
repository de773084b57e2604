/* rs_soak.h - RS's shared-memory service for init's soak (kernel/servers/rs_soak.c). */
#ifndef KERNEL_RS_SOAK_H
#define KERNEL_RS_SOAK_H

#include "ipc.h"

/* Serve m from src when it is SK_SHARE: 1, else 0. */
int rs_soak_serve(const message *m, endpoint_t src);

#endif
