/* SPDX-License-Identifier: GPL-2.0 */
/* Least privilege: once every file is open, shapevm gives up what it can. */
#ifndef SHAPEVM_PRIVILEGE_H
#define SHAPEVM_PRIVILEGE_H

int privilege_drop(void);

#endif
