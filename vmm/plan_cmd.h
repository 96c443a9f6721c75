/* SPDX-License-Identifier: GPL-2.0 */
/* The "plan" and "host-facts" commands; argv[0] is the command word. */
#ifndef SHAPEVM_PLAN_CMD_H
#define SHAPEVM_PLAN_CMD_H

int plan_command(int argc, char **argv);
int host_facts_command(int argc, char **argv);

#endif
