#!/usr/bin/env bash
# bench/boot-linux: a real Linux boot under shapevm and under QEMU, side by side.
#
#   SHAPEVM_STATIC=/abs/build/x86_64-static/shapevm bash bench/boot-linux/run.sh
#   bash bench/boot-linux/run.sh --summary [CONSOLE_LOG]   (again, from a log)
#
# This machine's /dev/kvm cannot boot Linux, so both VMMs run inside the
# emulated x86 host of tests/l1/x86 (QEMU TCG, q35, nested kvm-amd; see
# guest-images/x86_64/run-l1.sh). One L1 boot runs everything:
#   shapevm (static)     run -k K -i I -m 256M -c N -p "console=ttyS0 quiet -- true"
#   qemu-system-x86_64   Debian's, with its libraries copied into L1
#                        (guest-images/x86_64/stage-qemu.sh): -M MACHINE
#                        -accel kvm -cpu host -nodefaults -m 256M -smp N ...
# on the same kernel and initramfs (guest-images/build.sh): the guest's
# /init runs "true", prints SHAPEVM_STATUS=0 and powers off; both VMMs
# exit 0 then. Each VMM first boots once untimed with its console shown
# (traced with L1's KVM tracepoints: exits by reason, port, address and
# the time L1 spent on them), then RUNS times, the order turning each round.
# bench/boot-linux/boot-clock.c, a static helper in L1, times each run:
# exec to the first console byte, to the guest's SHAPEVM_STATUS= line, to
# the VMM's exit, and the VMM's peak RSS (wait4's ru_maxrss).
#
# Prints L1's per-run lines as they come, then a summary: medians with
# min-max per VMM, ratios QEMU/shapevm, and the exit tables side by side.
# The whole output is kept in build/boot-linux/results.txt, L1's console
# (host seconds on each line) in build/boot-linux/console.log.
#
# Environment:
#   SHAPEVM_STATIC  the static shapevm (required; make STATIC=1)
#   RUNS            timed runs per VMM and vCPU count (default 5)
#   CPUS            vCPU counts to measure (default "1"; "1 2" adds 2 vCPUs)
#   QEMU_MACHINES   QEMU machines, each MACHINE[@FIRMWARE] for -M MACHINE
#                   [-bios FIRMWARE] (default "microvm,rtc=on", the fastest
#                   tried: bench/boot-linux/README.md says why)
#   TRACE           1 (default): trace the untimed boots; 0: do not
#   RUN_TIMEOUT     seconds one L2 boot may take before it is killed (150)
#   TOP             rows per exit table (default 12)
#   SHAPEVM_CACHE   see guest-images/build.sh
# Exit status: 0 all runs ok; 1 a run failed or L1 did not finish; 2 usage;
# with no QEMU or no guest image on this host it says so and exits 0.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
images=$root/guest-images
out=$root/build/boot-linux
runs=${RUNS:-5}
cpus_list=${CPUS:-1}
machines=${QEMU_MACHINES:-microvm,rtc=on}
trace=${TRACE:-1}
run_timeout=${RUN_TIMEOUT:-150}
top=${TOP:-12}
mem=256M

die() { echo "boot-linux: $*" >&2; exit 2; }
skip() { echo "boot-linux: skipped: $*"; exit 0; }

# --- summary ---
# summary LOG: the tables, from L1's console log; returns 1 if a run failed,
# none was ok, or L1 did not finish.
summary() {
	local log=$1 status=0 kernel
	grep -q 'SHAPEVM_BENCH: info end' "$log" || {
		echo "boot-linux: L1 did not finish; last lines of $log:"
		tail -n 20 "$log"
		status=1
	}
	if grep -q 'SHAPEVM_BENCH: fail' "$log"; then
		echo "boot-linux: some runs failed:"
		grep -o 'SHAPEVM_BENCH: fail.*' "$log" | sed 's/^SHAPEVM_BENCH: /  /'
		status=1
	fi
	kernel=$(sed -n 's/.*SHAPEVM_L1: init reached.*: Linux \([^ ,]*\).*/\1/p' "$log" | head -n 1)
	cat <<-EOF
	Linux boot, shapevm against QEMU, inside an emulated x86 host (L1: QEMU TCG,
	nested kvm-amd): Debian's ${kernel:-?} kernel and the busybox initramfs of
	guest-images, 256M, "console=ttyS0 quiet -- true", power-off at the end.
	Every L2 instruction is emulated by TCG and every L2 exit goes through L1's
	emulated SVM, so these times are tens of times those of real hardware, and
	noisy (this host has $(nproc) CPUs; other work on it slows L1): compare the
	VMMs with each other, inside one L1 boot, not with other machines.
	Times from exec in L1 (boot-clock): first = first console byte,
	status = the guest's SHAPEVM_STATUS= line, exit = the VMM has exited;
	RSS = peak resident set (wait4 ru_maxrss). Median [min-max] of the ok runs.

	EOF
	grep -o 'SHAPEVM_BENCH: info begin.*' "$log" | sed 's/^SHAPEVM_BENCH: info /L1 /'
	grep -o 'SHAPEVM_HOST: .*' "$log" | sed 's/^SHAPEVM_HOST: /host: /'
	# L1's clock (boot-clock's) against the host's stamps on the same lines.
	grep -E 'SHAPEVM_BENCH: info (begin|end) at' "$log" | sed -n 's/^\[ *\([0-9.]*\)\].* at \([0-9.]*\) s.*/\1 \2/p' |
		awk 'NR == 1 { h = $1; l = $2 } NR == 2 && $1 > h {
			printf "L1 clock check: L1 counted %.1f s while the host counted %.1f s (%.3f)\n", $2 - l, $1 - h, ($2 - l) / ($1 - h) }'
	echo
	grep -o 'SHAPEVM_BENCH: run .*ok=1' "$log" | awk '
	function field(name,   i) {
		for (i = 1; i <= NF; i++)
			if (index($i, name "=") == 1)
				return substr($i, length(name) + 2)
		return "-"
	}
	function median(list,   n, v, i, j, t) {
		n = split(list, v, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		lo[0] = v[1]; hi[0] = v[n]
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	{
		vmm = field("vmm"); cpus = field("cpus")
		key = cpus SUBSEP vmm
		if (!(key in count)) {
			order[++keys] = key
		}
		count[key]++
		for (m = 1; m <= 6; m++) {
			v = field(metric[m])
			if (v != "-")
				values[key, m] = values[key, m] " " v
		}
	}
	BEGIN {
		split("first_ms marker_ms exit_ms maxrss_kib user_ms sys_ms", metric, " ")
		split("first s|status s|exit s|peak RSS MiB|user s|sys s", title, "|")
	}
	END {
		if (!keys) { print "no ok runs to summarize"; exit }
		printf "%-5s %-28s %4s", "vCPUs", "VMM", "runs"
		for (m = 1; m <= 4; m++) printf "  %-21s", title[m]
		printf "\n"
		for (k = 1; k <= keys; k++) {
			key = order[k]; split(key, kp, SUBSEP)
			printf "%-5s %-28s %4d", kp[1], kp[2], count[key]
			for (m = 1; m <= 4; m++) {
				if (!((key, m) in values)) { printf "  %-21s", "-"; continue }
				med[key, m] = median(values[key, m])
				scale = m == 4 ? 1024 : 1000
				printf "  %-21s", sprintf("%.2f [%.2f-%.2f]", med[key, m] / scale, lo[0] / scale, hi[0] / scale)
			}
			printf "\n"
		}
		for (k = 1; k <= keys; k++)
			if ((order[k], 5) in values) cpu_known = 1
		if (cpu_known)
			printf "\nCPU time the VMM process used in L1 (wait4; user includes its vCPUs running the guest)\n"
		if (cpu_known) {
			printf "%-5s %-28s %4s", "vCPUs", "VMM", "runs"
			for (m = 5; m <= 6; m++) printf "  %-21s", title[m]
			printf "\n"
		}
		for (k = 1; cpu_known && k <= keys; k++) {
			key = order[k]; split(key, kp, SUBSEP)
			printf "%-5s %-28s %4d", kp[1], kp[2], count[key]
			for (m = 5; m <= 6; m++) {
				if (!((key, m) in values)) { printf "  %-21s", "-"; continue }
				med[key, m] = median(values[key, m])
				printf "  %-21s", sprintf("%.2f [%.2f-%.2f]", med[key, m] / 1000, lo[0] / 1000, hi[0] / 1000)
			}
			printf "\n"
		}
		printf "\nratios QEMU/shapevm of the medians (above 1: shapevm is ahead)\n"
		for (k = 1; k <= keys; k++) {
			key = order[k]; split(key, kp, SUBSEP)
			if (kp[2] == "shapevm") continue
			base = kp[1] SUBSEP "shapevm"
			printf "%-5s %-28s     ", kp[1], kp[2]
			for (m = 1; m <= 4; m++) {
				if ((key, m) in med && (base, m) in med && med[base, m] > 0)
					printf "  %-21s", sprintf("x%.2f", med[key, m] / med[base, m])
				else
					printf "  %-21s", "-"
			}
			printf "\n"
		}
	}'
	echo
	tables "$log"
	echo "results: $out/results.txt, L1 console: $log"
	[ "$(grep -c 'SHAPEVM_BENCH: run .*ok=1' "$log")" -gt 0 ] || status=1
	return "$status"
}

# tables LOG: the exit tables of the traced boots, VMMs side by side, and what L1 saw
# of each traced VMM (KVM_RUN calls, time to the first one).
tables() {
	local log=$1
	grep -q 'SHAPEVM_HIST:' "$log" || return 0
	cat <<-EOF
	Where the L2 boot time goes: one traced boot per VMM (the untimed first
	one), counted by L1's KVM tracepoints (hist triggers). "ms" is the time
	from an L2 exit to the next entry of that vCPU, that is L1's KVM and the
	VMM's userspace handling it, under TCG. Tracing slows each exit, so these
	boots take longer than the timed ones; counts do not depend on it.
	EOF
	grep -o 'SHAPEVM_BENCH: look vmm=[^ ]* cpus=[0-9]* first_ms.*' "$log" |
		sed 's/^SHAPEVM_BENCH: look /  traced boot: /; s/ t0_ns=[0-9]*//'
	grep -o 'SHAPEVM_BENCH: info vmm=.*kvm_run_calls.*' "$log" | sed 's/^SHAPEVM_BENCH: info /  L1 saw: /'
	# exec to the first console byte, less the guest's clock on that line:
	# when the guest kernel's clock started (after the VMM's setup and the
	# bzImage's decompressor).
	grep -o -E 'SHAPEVM_BENCH: (look vmm=[^ ]* cpus=[0-9]* first_ms=[0-9.]*|info vmm=[^ ]* cpus=[0-9]* guest_clock_at_first_line_s=[0-9.]*)' "$log" |
		awk '{ for (i = 1; i <= NF; i++) { e = index($i, "="); if (e) f[substr($i, 1, e - 1)] = substr($i, e + 1) } }
			/first_ms=/ { first = f["first_ms"] }
			/guest_clock/ && first != "" {
				printf "  guest kernel clock started: vmm=%s cpus=%s about %.1f s after exec (first line at %.1f s, stamped %.2f s)\n",
					f["vmm"], f["cpus"], first / 1000 - f["guest_clock_at_first_line_s"], first / 1000, f["guest_clock_at_first_line_s"]
				first = ""
			}'
	grep -o 'SHAPEVM_HIST: .*' "$log" | awk -v top="$top" '
		function field(name,   i) {
			for (i = 1; i <= NF; i++)
				if (index($i, name "=") == 1)
					return substr($i, length(name) + 2)
			return ""
		}
		{
			# "key=" may hold spaces (exit names such as "PF excp").
			k = $0; sub(/.* key=/, "", k); sub(/ hits=.*/, "", k)
			if ($0 !~ / key=/) next
			t = field("table"); v = field("vmm") " " field("cpus") "cpu"
			if (!(v in vseen)) { vseen[v] = 1; vmms[++nv] = v }
			if (!((t, k) in kseen)) { kseen[t, k] = 1; keys[t, ++nk[t]] = k }
			# io_time keys repeat for each access size: add them up.
			hits[t, k, v] += field("hits")
			if (field("ns") != "") { ns[t, k, v] += field("ns"); hasns[t] = 1 }
			total[t, v] += field("hits"); totalns[t, v] += field("ns")
		}
		function table(t, label,   i, j, n, idx, best, bi, tmp, k, v, shown) {
			n = nk[t]
			if (!n) return
			# rows by the largest count among the VMMs, descending
			for (i = 1; i <= n; i++) {
				idx[i] = i; best[i] = 0
				for (j = 1; j <= nv; j++)
					if (hits[t, keys[t, i], vmms[j]] + 0 > best[i]) best[i] = hits[t, keys[t, i], vmms[j]] + 0
			}
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && best[idx[j - 1]] < best[idx[j]]; j--) {
					tmp = idx[j]; idx[j] = idx[j - 1]; idx[j - 1] = tmp
				}
			printf "\n%s\n%-28s", label, ""
			for (j = 1; j <= nv; j++) printf " %25s", vmms[j]
			printf "\n%-28s", "key"
			for (j = 1; j <= nv; j++) printf " %25s", hasns[t] ? "count       ms" : "count"
			printf "\n"
			for (i = 1; i <= n && i <= top; i++) {
				k = keys[t, idx[i]]
				printf "%-28s", k
				for (j = 1; j <= nv; j++) {
					v = vmms[j]
					if (hasns[t])
						printf " %25s", sprintf("%9d %12.1f", hits[t, k, v], ns[t, k, v] / 1e6)
					else
						printf " %25d", hits[t, k, v]
				}
				printf "\n"
			}
			if (n > top) printf "%-28s\n", "(" n - top " more rows)"
			printf "%-28s", "total"
			for (j = 1; j <= nv; j++)
				if (hasns[t])
					printf " %25s", sprintf("%9d %12.1f", total[t, vmms[j]], totalns[t, vmms[j]] / 1e6)
				else
					printf " %25d", total[t, vmms[j]]
			printf "\n"
		}
		END {
			table("exit_time", "L2 exits by reason (kvm_exit; SVM exit codes)")
			table("userspace", "exits to the VMM process (kvm_userspace_exit reason)")
			table("pio", "port I/O (kvm_pio port/direction)")
			table("io_time", "time of the port I/O exits (kvm_exit io, by port/direction)")
			table("mmio", "MMIO emulated by L1 KVM (kvm_mmio address/kind)")
			table("npf_time", "nested page faults by error code (RAM first touches are write/read/fetch)")
			table("npf_rsvd_time", "nested page faults on pages KVM marked MMIO, by address")
			table("msr", "MSR accesses (kvm_msr)")
		}'
	echo
}

if [ "${1:-}" = --summary ]; then
	summary "${2:-$out/console.log}"
	exit
fi
[ $# -eq 0 ] || die "usage: SHAPEVM_STATIC=... bash $0, or bash $0 --summary [CONSOLE_LOG]"
[ -n "${SHAPEVM_STATIC:-}" ] || die "set SHAPEVM_STATIC to a statically linked shapevm (make STATIC=1)"
[ -f "$SHAPEVM_STATIC" ] || die "SHAPEVM_STATIC=$SHAPEVM_STATIC: no such file (make STATIC=1 builds it)"
case $runs in '' | *[!0-9]* | 0) die "RUNS=$runs: not a positive number" ;; esac
case $run_timeout in '' | *[!0-9]* | 0) die "RUN_TIMEOUT=$run_timeout: not a positive number of seconds" ;; esac
case $top in '' | *[!0-9]* | 0) die "TOP=$top: not a positive number" ;; esac
for cpus in $cpus_list; do
	case $cpus in *[!0-9]* | 0) die "CPUS=$cpus_list: $cpus is not a vCPU count" ;; esac
done
[ -n "$cpus_list" ] || die "CPUS is empty"
for machine in $machines; do
	case $machine in *[!A-Za-z0-9@.,=_-]*) die "QEMU_MACHINES: $machine: unexpected characters" ;; esac
done
[ -n "$machines" ] || die "QEMU_MACHINES is empty"
case $trace in 0 | 1) ;; *) die "TRACE=$trace: 0 or 1" ;; esac
command -v qemu-system-x86_64 >/dev/null ||
	skip "qemu-system-x86_64 is not installed (package qemu-system-x86; scripts/install-deps.sh)"
command -v gcc >/dev/null || skip "gcc is not installed (it builds boot-clock)"
mkdir -p "$out" || exit 1
exec > >(tee "$out/results.txt") 2>&1
tee_pid=$!

# --- build: the guest, the timing helper, QEMU for L1, the L1 image ---
vars=$("$images/build.sh" x86_64)
case $? in
0) eval "$vars" ;;
3) skip "cannot build the test guest here (guest-images/build.sh said why above)" ;;
*) echo "boot-linux: guest-images/build.sh x86_64 failed"; exit 1 ;;
esac
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -static \
	-o "$out/boot-clock" "$here/boot-clock.c" || { echo "boot-linux: cannot build boot-clock"; exit 1; }
extra=$out/l1-extra
rm -rf "$extra"
mkdir -p "$extra/bench" || exit 1
"$images/x86_64/stage-qemu.sh" "$extra"
case $? in
0) ;;
3) skip "cannot stage QEMU for L1 (stage-qemu.sh said why above)" ;;
*) echo "boot-linux: cannot stage QEMU for L1"; exit 1 ;;
esac
cp "$out/boot-clock" "$extra/bench/" || exit 1
cat >"$extra/bench/bench.env" <<EOF
BENCH_RUNS=$runs
BENCH_CPUS="$cpus_list"
BENCH_MEM=$mem
BENCH_TIMEOUT=$run_timeout
BENCH_TRACE=$trace
BENCH_SCRUB=512M
BENCH_APPEND="console=ttyS0 quiet"
BENCH_QEMU_MACHINES="$machines"
BENCH_QEMU_ARGS="-accel kvm -cpu host -nodefaults -no-user-config -display none -monitor none -serial stdio -no-reboot"
EOF
"$images/x86_64/build-l1-initramfs.sh" "$out/l1-initrd.cpio" "$SHAPEVM_STATIC" \
	"$SHAPEVM_GUEST_KERNEL" "$SHAPEVM_GUEST_INITRD" "$here/l1-bench.sh" "$extra"
case $? in
0) ;;
3) skip "cannot build the L1 initramfs here (build-l1-initramfs.sh said why above)" ;;
*) echo "boot-linux: cannot build the L1 initramfs"; exit 1 ;;
esac
rm -rf "$extra"

# --- run: one L1 boot ---
# Each L2 boot gets RUN_TIMEOUT (boot-clock's SIGTERM, then SIGKILL) inside
# L1; L1 as a whole gets this, which only a hung L1 reaches.
vmm_count=0
for _ in shapevm $machines; do vmm_count=$((vmm_count + 1)); done
cpu_count=0
for _ in $cpus_list; do cpu_count=$((cpu_count + 1)); done
l1_timeout=$((120 + cpu_count * vmm_count * (runs + 1) * (run_timeout + 30)))
log=$out/console.log
# cpu_sample: "busy total own" in clock ticks: the busy and total time of all
# the host's CPUs (/proc/stat; guest time is inside user time there) and this
# shell's with its reaped descendants, L1's QEMU among them.
cpu_sample() {
	awk -v own="$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$$/stat")" '$1 == "cpu" {
		total = 0
		for (i = 2; i <= 9; i++)
			total += $i
		print total - $5 - $6, total, own
		exit
	}' /proc/stat
}
before=$(cpu_sample)
echo "boot-linux: shapevm and QEMU boot Linux inside an emulated x86 host: L1 boot and $((cpu_count * vmm_count * (runs + 1))) L2 boots, 30-60 s each with the clean-up between them (L1 limit ${l1_timeout}s); L1's console: $log"
"$images/x86_64/run-l1.sh" --initrd "$out/l1-initrd.cpio" --log "$log" \
	--timeout "$l1_timeout" --stream | grep --line-buffered -E '^SHAPEVM_(BENCH|L1):'
l1_status=${PIPESTATUS[0]}
# What else kept the host busy while L1 ran: TCG is sensitive to it.
awk -v b="$before" -v a="$(cpu_sample)" -v cpus="$(nproc)" 'BEGIN {
	split(b, x, " "); split(a, y, " ")
	if (y[2] <= x[2]) exit
	others = (y[1] - x[1] - (y[3] - x[3])) / (y[2] - x[2]) * cpus
	printf "SHAPEVM_HOST: other processes kept %.1f of the host'"'"'s %d CPUs busy during the L1 run%s\n",
		(others < 0 ? 0 : others), cpus, (others > 0.3 ? " (timings inflated and noisier)" : "")
}' | tee -a "$log"
echo
[ "$l1_status" = 0 ] || echo "boot-linux: L1's QEMU exited $l1_status (124: the ${l1_timeout}s limit)"
summary "$log"
status=$?
# Let tee write the last lines before the shell ends.
exec >&- 2>&-
wait "$tee_pid"
exit "$status"

