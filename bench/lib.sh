# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by the bench/ scripts: building the helpers, statistics.
# Source it; it sets BENCH_DIR and BENCH_TOOLS.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_TOOLS=${BENCH_TOOLS:-$(cd "$BENCH_DIR/.." && pwd)/build/bench}

bench_die() {
	echo "${0##*/}: $*" >&2
	exit 2
}

# Build launch, floor, kvm-costs and trace-shim.so into $BENCH_TOOLS.
bench_build_tools() {
	make --no-print-directory -s -C "$BENCH_DIR" OUT="$BENCH_TOOLS" >&2 ||
		bench_die "cannot build the helpers in bench/"
}

# stats < numbers: "p10 median p90 min max" of one number a line.  The
# median of an even count is the mean of the middle two; p10 and p90 are
# nearest-rank.  Prints "- - - - -" for no numbers.
stats() {
	sort -g | awk '
		{ v[NR] = $1 }
		function rank(p,   i) {
			i = int(p * NR + 0.999999)
			return v[i < 1 ? 1 : i]
		}
		END {
			if (NR == 0) { print "- - - - -"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			print rank(0.1), m, rank(0.9), v[1], v[NR]
		}'
}

# field NAME < launch lines: the value of NAME=... on each line.
field() {
	sed -n -e "s/.*\\b$1=\\([-0-9.]*\\).*/\\1/p"
}

# The host, in one line, for the record.
host_line() {
	local cpu load
	cpu=$(sed -n -e 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	load=$(cut -d ' ' -f 1-3 /proc/loadavg)
	echo "host: $(uname -r), $(nproc) CPUs ($cpu), load $load"
}

# cpu_snapshot: "busy total own" in clock ticks: all CPUs' busy and total
# time from /proc/stat (steal counts as idle: it is not this host's doing),
# and this shell's CPU time with its reaped children.  /proc/stat samples
# busy time at ticks, so the difference is rough: good for "the host was
# busy", not for fractions of a CPU.
cpu_snapshot() {
	local own
	own=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$$/stat")
	awk -v own="$own" '$1 == "cpu" {
		total = 0
		for (f = 2; f <= NF; f++)
			total += $f
		print total - $5 - $6 - $9, total, own
		exit
	}' /proc/stat
}

# others_line BEFORE AFTER: how many CPUs other processes kept busy between
# two snapshots, and a warning when that inflates the timings.
others_line() {
	awk -v b="$1" -v a="$2" -v ncpu="$(nproc)" 'BEGIN {
		split(b, x, " "); split(a, y, " ")
		total = y[2] - x[2]
		if (total <= 0) exit
		others = (y[1] - x[1] - (y[3] - x[3])) / total * ncpu
		if (others < 0) others = 0
		printf "other processes kept about %.1f of %d CPUs busy during the runs", others, ncpu
		if (others > 0.3)
			printf " (timings inflated: run again on a quiet host)"
		printf "\n"
	}'
}
