#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The planner's speed as host facts grow (bench/plan/plan-bench.c).
# PLAN_BENCH: the built benchmark (make bench builds it). Exits 1 if the
# 10,000-region case misses its 10 ms target.
set -u
[ -x "${PLAN_BENCH:-}" ] || {
	echo "plan: set PLAN_BENCH to the built plan-bench (make bench builds it)" >&2
	exit 1
}
"$PLAN_BENCH" "${RUNS:-15}"
