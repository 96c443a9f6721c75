/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tap interface with virtio-net headers (IFF_VNET_HDR): opened when it
 * exists, created (and brought up) when it does not and shapevm may.
 */
#ifndef SHAPEVM_TAP_H
#define SHAPEVM_TAP_H

#include <stdbool.h>

/* Returns the fd (non-blocking), or -errno with the reason logged. */
int tap_open(const char *name, unsigned int vnet_hdr_size, bool *created);
/* TUNSETOFFLOAD: what the guest accepts (TUN_F_* bits). */
int tap_set_offload(int fd, unsigned int flags);

#endif
