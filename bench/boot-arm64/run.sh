#!/usr/bin/env bash
# bench/boot-arm64: an arm64 Linux boot under shapevm and under QEMU, side by side.
#
#   bash bench/boot-arm64/run.sh           (after make ARCH=arm64)
#   bash bench/boot-arm64/run.sh --summary [CONSOLE_LOG]   (the tables again, from a log)
#
# This x86 machine cannot run arm64 guests, so both VMMs run inside the
# emulated arm64 host of tests/l1/arm64 (QEMU TCG, -M virt,virtualization=on
# with a GICv3 and ITS, nested KVM in VHE mode; guest-images/arm64/run-l1.sh).
# One L1 boot runs everything:
#   shapevm (static arm64)  run -k Image -i I -m 256M -c N -p "console=ttyS0 quiet -- true"
#   qemu-system-aarch64     Debian's, with its libraries copied into L1
#                           (guest-images/arm64/stage-qemu.sh): -accel kvm
#                           -M virt,gic-version=3 -cpu host -nodefaults -m 256M
#                           -smp N ... -append "console=ttyAMA0 quiet -- true"
#                           and again with -cpu host,pauth=off,sve=off
#                           ("qemu:pauth=off,sve=off"): the guest CPU
#                           features shapevm gives (README.md says why)
# on the same kernel and initramfs (guest-images/build.sh arm64): the
# guest's /init runs "true", prints SHAPEVM_STATUS=0 (its first line) and
# powers off through PSCI; both VMMs exit 0 then. Each VMM first boots once
# untimed as a warm-up, its console shown (counted by L1's KVM tracepoints:
# exits by class, MMIO addresses, the time L1 spent on them), then RUNS
# times, the order turning each round. bench/boot-linux/boot-clock.c,
# cross-compiled static for arm64, times each run in L1: fork to the first
# console byte, to the guest's SHAPEVM_STATUS= line, to the VMM's exit, and
# the VMM's peak RSS (wait4's ru_maxrss).
#
# Prints L1's per-run lines as they come, then a summary: medians with
# min-max per VMM and ratios QEMU/shapevm. The whole output is kept in
# build/bench-boot-arm64/results.txt, L1's console (host seconds on each
# line) in build/bench-boot-arm64/console.log.
#
# Environment:
#   SHAPEVM_STATIC_ARM64  the static arm64 shapevm (default build/arm64/shapevm,
#                         from make ARCH=arm64)
#   RUNS            timed runs per VMM and vCPU count (default 5)
#   CPUS            vCPU counts to measure (default "1"; "1 2" adds 2 vCPUs)
#   MEM             guest RAM (default 256M)
#   QEMU_CPUS       QEMU's -cpu values, each host or host,PROPS (default
#                   "host host,pauth=off,sve=off")
#   TRACE           1 (default): trace the warm-up boots; 0: do not
#   RUN_TIMEOUT     seconds one L2 boot may take before it is killed (60;
#                   they take 5-20 s)
#   TOP             rows per exit table (default 10)
#   SHAPEVM_CACHE   see guest-images/build.sh
# Exit status: 0 all runs ok; 1 a run failed or L1 did not finish; 2 usage;
# with no QEMU, no cross compiler, no arm64 shapevm or no guest image on
# this host it says so and exits 0.
# shellcheck source-path=SCRIPTDIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
images=$root/guest-images
out=$root/build/bench-boot-arm64
vmm=${SHAPEVM_STATIC_ARM64:-$root/build/arm64/shapevm}
runs=${RUNS:-5}
cpus_list=${CPUS:-1}
mem=${MEM:-256M}
qemu_cpus=${QEMU_CPUS:-host host,pauth=off,sve=off}
trace=${TRACE:-1}
run_timeout=${RUN_TIMEOUT:-60}
top=${TOP:-10}
# shellcheck source=../lib.sh
. "$here/../lib.sh"

die() { echo "boot-arm64: $*" >&2; exit 2; }

# proc_times: "pid starttime ticks comm" for every process, its CPU time
# (user + system) in clock ticks, from /proc/PID/stat.
proc_times() {
	awk '{
		line = $0
		# comm sits in parentheses and may hold spaces or ")": the fields
		# go on after the last ") ".
		for (end = 0; (at = index(substr(line, end + 1), ") ")) > 0; end += at)
			;
		if (!end) next
		n = split(substr(line, end + 2), f, " ")
		if (n < 20) next
		comm = substr(line, index(line, "(") + 1, end - index(line, "(") - 1)
		gsub(/ /, "_", comm)
		print $1, f[20], f[12] + f[13], comm
	}' /proc/[0-9]*/stat 2>/dev/null
}

# others_busy BEFORE AFTER SECONDS: the CPU time other processes used
# during the L1 run, and the busiest of them: what competed with L1 for
# this host's CPUs. Those alive before and after count their difference,
# those started meanwhile all their time; L1's QEMU has ended by AFTER, and
# those that ended meanwhile are missed.
others_busy() {
	awk -v tck="$(getconf CLK_TCK)" -v secs="$3" -v self=$$ -v ncpu="$(nproc)" '
		NR == FNR { before[$1 " " $2] = $3; next }
		$1 != self {
			d = ($3 - before[$1 " " $2]) / tck
			if (d <= 0) next
			sum += d
			if (d >= 1) {
				busy[++n] = sprintf("%s (pid %s) %.0f s", $4, $1, d)
				used[n] = d
			}
		}
		END {
			if (secs <= 0) exit
			printf "other processes used %.0f CPU-seconds in the %.0f s of the L1 run (%.2f of %d CPUs)", sum, secs, sum / secs, ncpu
			# the busiest three, largest first
			for (k = 1; k <= 3; k++) {
				best = 0
				for (i = 1; i <= n; i++)
					if (!(i in shown) && (best == 0 || used[i] > used[best])) best = i
				if (!best) break
				shown[best] = 1
				printf "%s%s", k == 1 ? ": " : ", ", busy[best]
			}
			printf "\n"
		}' "$1" "$2"
}
skip() { echo "boot-arm64: skipped: $*"; exit 0; }

# --- summary ---
# summary LOG: the tables, from L1's console log; returns 1 if a run failed,
# none was ok, or L1 did not finish.
summary() {
	local log=$1 status=0 kernel
	grep -q 'SHAPEVM_BENCH: info end' "$log" || {
		echo "boot-arm64: L1 did not finish; last lines of $log:"
		tail -n 20 "$log"
		status=1
	}
	if grep -q 'SHAPEVM_BENCH: fail' "$log"; then
		echo "boot-arm64: some runs failed:"
		grep -o 'SHAPEVM_BENCH: fail.*' "$log" | sed 's/^SHAPEVM_BENCH: /  /'
		status=1
	fi
	kernel=$(sed -n 's/.*SHAPEVM_L1: init reached.*: Linux \([^ ,]*\).*/\1/p' "$log" | head -n 1)
	cat <<-EOF
	arm64 Linux boot, shapevm against QEMU, inside an emulated arm64 host (L1: QEMU
	TCG -M virt,virtualization=on, 2 vCPUs, nested KVM in VHE mode): Debian's
	${kernel:-?} Image and the busybox initramfs of guest-images, the same RAM, vCPUs
	and "console=ttyS0 quiet -- true" (ttyAMA0, the PL011, for QEMU virt).
	qemu is -cpu host: the guest gets pointer authentication and SVE, which
	shapevm does not offer and TCG emulates slowly (a guest cost, not QEMU's);
	qemu:pauth=off,sve=off gives the guest shapevm's CPU features.
	Every L2 instruction is emulated by TCG and every L2 exit goes through L1's
	emulated EL2, so these times are tens of times those of real hardware, and
	noisy (this host has $(nproc) CPUs; other work on it slows L1): compare the
	VMMs with each other, inside one L1 boot, not with other machines.
	Times from fork in L1 (boot-clock): first = first console byte,
	init = the guest /init's first line (SHAPEVM_STATUS=0), exit = the VMM has
	exited; RSS = peak resident set (wait4 ru_maxrss). Median [min-max] of ok runs.

	EOF
	grep -o 'SHAPEVM_BENCH: info \(begin\|qemu\|shapevm\) .*' "$log" | sed 's/^SHAPEVM_BENCH: info /L1 /'
	grep -o 'SHAPEVM_HOST: .*' "$log" | sed 's/^SHAPEVM_HOST: /host /'
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
	# median LIST: of space-separated numbers; sets lo and hi.
	function median(list,   n, v, i, j, t) {
		n = split(list, v, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		lo = v[1]; hi = v[n]
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	function header(from, to,   m) {
		printf "%-5s %-24s %4s", "vCPUs", "VMM", "runs"
		for (m = from; m <= to; m++) printf "  %-19s", title[m]
		printf "\n"
	}
	function rows(from, to,   k, key, m, scale) {
		for (k = 1; k <= keys; k++) {
			key = order[k]
			split(key, kp, SUBSEP)
			printf "%-5s %-24s %4d", kp[1], kp[2], count[key]
			for (m = from; m <= to; m++) {
				if (!((key, m) in values)) { printf "  %-19s", "-"; continue }
				med[key, m] = median(values[key, m])
				scale = m == 4 ? 1024 : 1000
				printf "  %-19s", sprintf("%.2f [%.2f-%.2f]", med[key, m] / scale, lo / scale, hi / scale)
			}
			printf "\n"
		}
	}
	function ratios(from, to,   k, m, base) {
		for (k = 1; k <= keys; k++) {
			split(order[k], kp, SUBSEP)
			if (kp[2] == "shapevm") continue
			base = kp[1] SUBSEP "shapevm"
			printf "%-5s %-24s %4s", kp[1], kp[2], ""
			for (m = from; m <= to; m++)
				if ((order[k], m) in med && (base, m) in med && med[base, m] > 0)
					printf "  %-19s", sprintf("x%.2f", med[order[k], m] / med[base, m])
				else
					printf "  %-19s", "-"
			printf "\n"
		}
	}
	BEGIN {
		split("first_ms marker_ms exit_ms maxrss_kib guest_off_ms outside_ms user_ms sys_ms", metric, " ")
		split("first s|init s|exit s|peak RSS MiB|guest clock s|exit - guest s|user s|sys s", title, "|")
	}
	{
		key = field("cpus") SUBSEP field("vmm")
		if (!(key in count))
			order[++keys] = key
		count[key]++
		for (m = 1; m <= 8; m++)
			if ((v = field(metric[m])) != "-")
				values[key, m] = values[key, m] " " v
		# Time outside the guest kernel: exit less the guest clock at power-off.
		if (field("exit_ms") != "-" && field("guest_off_ms") != "-")
			values[key, 6] = values[key, 6] " " field("exit_ms") - field("guest_off_ms")
	}
	END {
		if (!keys) { print "no ok runs to summarize"; exit }
		header(1, 4); rows(1, 4)
		printf "\nratios QEMU/shapevm of the medians (above 1: shapevm is faster, or smaller)\n"
		header(1, 4)
		ratios(1, 4)
		printf "\nThe guest kernel against the rest: the guest clock on its \"reboot: Power down\"\n"
		printf "line (from its clock start, early in its boot, to power-off), and exit less\n"
		printf "that (the VMM starting the guest, the kernel before its clock, the VMM ending)\n"
		header(5, 6); rows(5, 6)
		printf "ratios QEMU/shapevm\n"
		ratios(5, 6)
		printf "\nCPU time of the VMM process in L1 (wait4; user includes its vCPUs running the guest)\n"
		header(7, 8); rows(7, 8)
	}'
	echo
	tables "$log"
	echo "results: $out/results.txt, L1 console: $log"
	[ "$(grep -c 'SHAPEVM_BENCH: run .*ok=1' "$log")" -gt 0 ] || status=1
	return "$status"
}

# tables LOG: the exit tables of the traced warm-up boots, VMMs side by side.
tables() {
	local log=$1
	grep -q 'SHAPEVM_HIST:' "$log" || return 0
	cat <<-EOF
	Where the L2 boot time goes: the traced warm-up boot of each VMM, counted by
	L1's KVM tracepoints (hist triggers). "ms" is the time from an L2 exit to
	that vCPU's next entry: L1's KVM, and the VMM's userspace when the exit
	went there, all under TCG (a WFx's is the time the vCPU slept). Tracing
	slows each exit, so these boots take longer than the timed ones.
	EOF
	grep -o 'SHAPEVM_BENCH: warmup vmm=[^ ]* cpus=[0-9]* first_ms.*' "$log" |
		sed 's/^SHAPEVM_BENCH: warmup /  traced boot: /'
	grep -o 'SHAPEVM_BENCH: info vmm=.*kvm_run_calls.*' "$log" | sed 's/^SHAPEVM_BENCH: info /  L1 saw: /'
	grep -o 'SHAPEVM_HIST: .*' "$log" | awk -v top="$top" '
		function field(name,   i) {
			for (i = 1; i <= NF; i++)
				if (index($i, name "=") == 1)
					return substr($i, length(name) + 2)
			return ""
		}
		function hexval(h,   i, c, v) {
			h = tolower(h); sub(/^0x/, "", h); v = 0
			for (i = 1; i <= length(h); i++) {
				c = index("0123456789abcdef", substr(h, i, 1))
				if (!c) break
				v = v * 16 + c - 1
			}
			return v
		}
		/ key=/ {
			t = field("table"); k = field("key"); v = field("vmm") " " field("cpus") "cpu"
			# MMIO by 1 MiB window: one row for a device, not one a register
			# (the PCI bus scan alone touches hundreds of addresses).
			# (A window number, not an address: awk prints %x of 32 bits only.)
			if (t == "mmio") {
				split(k, kp, "/")
				if (kp[2] == "read-to-vmm") next
				k = sprintf("0x%x00000/%s", int(hexval(kp[1]) / 1048576), kp[2])
			}
			if (!(v in vseen)) { vseen[v] = 1; vmms[++nv] = v }
			if (!((t, k) in kseen)) { kseen[t, k] = 1; keys[t, ++nk[t]] = k }
			hits[t, k, v] += field("hits")
			if (field("ns") != "") { ns[t, k, v] += field("ns"); hasns[t] = 1 }
			total[t, v] += field("hits"); totalns[t, v] += field("ns")
		}
		function table(t, label,   i, j, n, idx, best, tmp, k, v) {
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
			printf "\n%s\n%-24s", label, ""
			for (j = 1; j <= nv; j++) printf " %28s", vmms[j]
			printf "\n%-24s", "key"
			for (j = 1; j <= nv; j++) printf " %28s", hasns[t] ? "count        ms" : "count"
			printf "\n"
			for (i = 1; i <= n && i <= top; i++) {
				k = keys[t, idx[i]]
				printf "%-24s", k
				for (j = 1; j <= nv; j++) {
					v = vmms[j]
					if (hasns[t])
						printf " %28s", sprintf("%8d %13.1f", hits[t, k, v], ns[t, k, v] / 1e6)
					else
						printf " %28d", hits[t, k, v]
				}
				printf "\n"
			}
			if (n > top) printf "(%d more rows)\n", n - top
			printf "%-24s", "total"
			for (j = 1; j <= nv; j++)
				if (hasns[t])
					printf " %28s", sprintf("%8d %13.1f", total[t, vmms[j]], totalns[t, vmms[j]] / 1e6)
				else
					printf " %28d", total[t, vmms[j]]
			printf "\n"
		}
		END {
			table("exit_time", "L2 exits by KVM exception type and ESR class (kvm_exit)")
			table("userspace", "exits to the VMM process (kvm_userspace_exit reason)")
			table("mmio", "MMIO accesses by 1 MiB guest-physical window, whether L1 KVM (vGIC) or the VMM served them (kvm_mmio)")
		}'
	echo
}

if [ "${1:-}" = --summary ]; then
	summary "${2:-$out/console.log}"
	exit
fi
[ $# -eq 0 ] || die "usage: [SHAPEVM_STATIC_ARM64=...] bash $0, or bash $0 --summary [CONSOLE_LOG]"
case $runs in '' | *[!0-9]* | 0) die "RUNS=$runs: not a positive number" ;; esac
case $run_timeout in '' | *[!0-9]* | 0) die "RUN_TIMEOUT=$run_timeout: not a positive number of seconds" ;; esac
case $top in '' | *[!0-9]* | 0) die "TOP=$top: not a positive number" ;; esac
for cpus in $cpus_list; do
	case $cpus in *[!0-9]* | 0) die "CPUS=$cpus_list: $cpus is not a vCPU count" ;; esac
done
[ -n "$cpus_list" ] || die "CPUS is empty"
case $mem in [1-9]*[MG] | [1-9][MG]) ;; *) die "MEM=$mem: a size such as 256M or 1G" ;; esac
case $trace in 0 | 1) ;; *) die "TRACE=$trace: 0 or 1" ;; esac
for cpu in $qemu_cpus; do
	case $cpu in
	*[!A-Za-z0-9,=_-]*) die "QEMU_CPUS: $cpu: unexpected characters" ;;
	host | host,*) ;;
	*) die "QEMU_CPUS: $cpu: host or host,PROPS (the L2 guests run on L1's KVM)" ;;
	esac
done
[ -n "$qemu_cpus" ] || die "QEMU_CPUS is empty"
[ -f "$vmm" ] || skip "no arm64 shapevm at $vmm (make ARCH=arm64 builds it; or set SHAPEVM_STATIC_ARM64)"
command -v qemu-system-aarch64 >/dev/null ||
	skip "qemu-system-aarch64 is not installed (package qemu-system-arm; scripts/install-deps.sh)"
command -v aarch64-linux-gnu-gcc >/dev/null ||
	skip "aarch64-linux-gnu-gcc is not installed (package gcc-aarch64-linux-gnu; it builds boot-clock)"
mkdir -p "$out" || exit 1
exec > >(tee "$out/results.txt") 2>&1
tee_pid=$!

# --- build: the guest, the timing helper, QEMU for L1, the L1 image ---
vars=$("$images/build.sh" arm64)
case $? in
0) eval "$vars" ;;
3) skip "cannot build the arm64 test guest here (guest-images/build.sh said why above)" ;;
*) echo "boot-arm64: guest-images/build.sh arm64 failed"; exit 1 ;;
esac
export SHAPEVM_MODULES_DIR SHAPEVM_BUSYBOX
aarch64-linux-gnu-gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -static \
	-o "$out/boot-clock" "$root/bench/boot-linux/boot-clock.c" ||
	{ echo "boot-arm64: cannot build boot-clock"; exit 1; }
extra=$out/l1-extra
rm -rf "$extra"
mkdir -p "$extra/bench" || exit 1
"$images/arm64/stage-qemu.sh" "$extra"
case $? in
0) ;;
3) skip "cannot stage QEMU for L1 (stage-qemu.sh said why above)" ;;
*) echo "boot-arm64: cannot stage QEMU for L1"; exit 1 ;;
esac
cp "$out/boot-clock" "$extra/bench/" || exit 1
cat >"$extra/bench/bench.env" <<EOF
BENCH_RUNS=$runs
BENCH_CPUS="$cpus_list"
BENCH_MEM=$mem
BENCH_TIMEOUT=$run_timeout
BENCH_TRACE=$trace
BENCH_SCRUB=512M
BENCH_APPEND="quiet -- true"
BENCH_QEMU_CPUS="$qemu_cpus"
BENCH_QEMU_ARGS="-accel kvm -M virt,gic-version=3 -nodefaults -no-user-config -display none -monitor none -serial stdio -no-reboot"
EOF
"$images/arm64/build-l1-initramfs.sh" "$out/l1-initrd.cpio" "$vmm" \
	"$SHAPEVM_GUEST_KERNEL" "$SHAPEVM_GUEST_INITRD" "$here/l1-bench.sh" "$extra"
case $? in
0) ;;
3) skip "cannot build the L1 initramfs here (build-l1-initramfs.sh said why above)" ;;
*) echo "boot-arm64: cannot build the L1 initramfs"; exit 1 ;;
esac
rm -rf "$extra"

# --- run: one L1 boot ---
# Each L2 boot gets RUN_TIMEOUT (boot-clock's SIGTERM, then SIGKILL) inside
# L1; L1 as a whole gets this, which only a hung L1 reaches.
cpu_count=0
for _ in $cpus_list; do cpu_count=$((cpu_count + 1)); done
vmm_count=1
for _ in $qemu_cpus; do vmm_count=$((vmm_count + 1)); done
l1_timeout=$((120 + cpu_count * vmm_count * (runs + 1) * (run_timeout + 20)))
log=$out/console.log
{
	echo "SHAPEVM_HOST: before: $(host_line)"
	echo "SHAPEVM_HOST: shapevm: $vmm, built $(date -u -r "$vmm" '+%Y-%m-%d %H:%M UTC'); tree now: $(git -C "$root" describe --always --dirty 2>/dev/null || echo 'no git')"
} >"$out/host-before.txt"
before=$(cpu_snapshot)
proc_times >"$out/procs-before.txt"
l1_start=${EPOCHREALTIME/./}
echo "boot-arm64: shapevm and QEMU boot arm64 Linux inside an emulated arm64 host: L1 boot and $((cpu_count * vmm_count * (runs + 1))) L2 boots, 10-20 s each with the clean-up between them (L1 limit ${l1_timeout}s); L1's console: $log"
"$images/arm64/run-l1.sh" --initrd "$out/l1-initrd.cpio" --log "$log" \
	--timeout "$l1_timeout" --stream | grep --line-buffered -E '^SHAPEVM_(BENCH|L1):'
l1_status=${PIPESTATUS[0]}
# What else kept the host busy while L1 ran: TCG is sensitive to it.
{
	cat "$out/host-before.txt"
	echo "SHAPEVM_HOST: after: $(host_line)"
	echo "SHAPEVM_HOST: $(others_line "$before" "$(cpu_snapshot)")"
	proc_times >"$out/procs-after.txt"
	echo "SHAPEVM_HOST: $(others_busy "$out/procs-before.txt" "$out/procs-after.txt" \
		$(((${EPOCHREALTIME/./} - l1_start) / 1000000)))"
} >>"$log"
rm -f "$out/host-before.txt" "$out/procs-before.txt" "$out/procs-after.txt"
echo
[ "$l1_status" = 0 ] || echo "boot-arm64: L1's QEMU exited $l1_status (124: the ${l1_timeout}s limit)"
summary "$log"
status=$?
# Let tee write the last lines before the shell ends.
exec >&- 2>&-
wait "$tee_pid"
exit "$status"
