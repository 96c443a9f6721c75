/* SPDX-License-Identifier: GPL-2.0 */
/* The syscall allowlist for the running VM (libseccomp). */
#ifndef SHAPEVM_SECCOMP_H
#define SHAPEVM_SECCOMP_H

int seccomp_install(void);

#endif
