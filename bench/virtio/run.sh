#!/usr/bin/env bash
# bench/virtio: shapevm's virtio-blk and virtio-net against QEMU's
# virtio-blk-pci and virtio-net-pci, on the same Linux guest.
#
#   SHAPEVM_STATIC=/abs/build/x86_64-static/shapevm bash bench/virtio/run.sh
#   bash bench/virtio/run.sh --summary [CONSOLE_LOG]   (the tables again, from a log)
#
# This machine's /dev/kvm cannot boot Linux, so both VMMs run inside the
# emulated x86 host of tests/l1/x86 (QEMU TCG, q35, nested kvm-amd; see
# guest-images/x86_64/run-l1.sh), as bench/boot-linux does. One L1 boot runs
# everything (bench/virtio/l1-bench.sh). Each run boots the same Debian kernel
# and busybox initramfs (guest-images/build.sh, plus bench/virtio/vbench and
# l2-bench.sh), 256M and 1 vCPU, with a disk and a NIC, in one of these
# configurations:
#   shapevm          run ... --disk IMG --net tap=tap0,mac=M  (vhost-net;
#                    the disk buffered, through L1's page cache)
#   shapevm-direct   the same with --disk IMG,direct (O_DIRECT)
#   shapevm-novhost  as shapevm with --no-vhost (shapevm's own data path)
#   qemu-direct      Debian's qemu-system-x86_64, -M microvm,pcie=on,rtc=on:
#                    -drive file=IMG,...,cache=none,aio=native -device virtio-blk-pci
#                    -netdev tap,ifname=tap0,...,vhost=on -device virtio-net-pci
#   qemu-buffered    the same with cache=writeback,aio=threads and vhost=off
# IMG is a 512 MiB raw file in L1 (an ext2 file system on a RAM disk);
# tap0 is L1's, 10.0.2.1. The guest measures, on its own clock:
#   seqread   busybox dd from /dev/vda, bs=1M, iflag=direct         MiB/s
#             (L1's page cache dropped before each run), then again
#   randread  4 KiB O_DIRECT random reads, 1 and 32 in flight       IOPS
#   seqwrite  busybox dd to /dev/vda, bs=1M, oflag=direct conv=fsync MiB/s
#   tx, rx    TCP to and from L1's vbench sink/source               MiB/s
#   rr        1-byte TCP round trips with L1's vbench echo          trans/s
# bench/virtio/README.md has the details and why.
#
# Prints L1's lines as they come, then the tables: medians with min-max
# per configuration, and shapevm/QEMU ratios (above 1: shapevm is faster).
# The output is kept in build/bench-virtio/results.txt, L1's console (host
# seconds on each line) in build/bench-virtio/console.log.
#
# Environment:
#   SHAPEVM_STATIC  the static shapevm (required; make STATIC=1)
#   RUNS            timed rounds, each configuration once a round (default 5)
#   WARMUP          1 (default): an untimed round 0 first, consoles shown
#   TRACE           1 (default): round 0 is traced with L1's KVM tracepoints
#   CONFIGS         configurations (default all five above)
#   QEMU_MACHINE    QEMU's -M (default microvm,pcie=on,rtc=on)
#   DISK_MIB READ_MIB WRITE_MIB   image size, MiB read (twice) and written
#                                (512 512 512)
#   RAND_S NET_S RR_S            seconds of random reads (each depth),
#                                of each TCP stream, of round trips (6 8 4)
#   RUN_TIMEOUT     seconds one L2 run may take before it is killed (300)
#   SHAPEVM_L1_MEM  L1's memory in MiB (default here 3072: the RAM disk, the
#                   page cache of the image, the guest's 256M)
#   SHAPEVM_CACHE   see guest-images/build.sh
# Exit status: 0 all runs ok; 1 a run failed or L1 did not finish; 2 usage;
# with no QEMU or no guest image on this host it says so and exits 0.
# shellcheck source-path=SCRIPTDIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
images=$root/guest-images
out=$root/build/bench-virtio
runs=${RUNS:-5}
warmup=${WARMUP:-1}
trace=${TRACE:-1}
configs=${CONFIGS:-shapevm shapevm-direct shapevm-novhost qemu-direct qemu-buffered}
machine=${QEMU_MACHINE:-microvm,pcie=on,rtc=on}
disk_mib=${DISK_MIB:-512}
read_mib=${READ_MIB:-512}
write_mib=${WRITE_MIB:-512}
rand_s=${RAND_S:-6}
net_s=${NET_S:-8}
rr_s=${RR_S:-4}
run_timeout=${RUN_TIMEOUT:-300}
mem=256M
export SHAPEVM_L1_MEM=${SHAPEVM_L1_MEM:-3072}

die() { echo "bench-virtio: $*" >&2; exit 2; }
skip() { echo "bench-virtio: skipped: $*"; exit 0; }

# --- summary ---
# summary LOG: the tables, from L1's console log; returns 1 if a run failed,
# nothing was measured, or L1 did not finish.
summary() {
	local log=$1 status=0 kernel
	grep -q 'SHAPEVM_BENCH: info end' "$log" || {
		echo "bench-virtio: L1 did not finish; last lines of $log:"
		tail -n 20 "$log"
		status=1
	}
	if grep -q 'SHAPEVM_BENCH: fail' "$log"; then
		echo "bench-virtio: some runs failed:"
		grep -o 'SHAPEVM_BENCH: fail.*' "$log" | sed 's/^SHAPEVM_BENCH: /  /'
		status=1
	fi
	kernel=$(sed -n 's/.*SHAPEVM_L1: init reached.*: Linux \([^ ,]*\).*/\1/p' "$log" | head -n 1)
	cat <<-EOF
	virtio-blk and virtio-net, shapevm against QEMU, inside an emulated x86 host
	(L1: QEMU TCG, nested kvm-amd): Debian's ${kernel:-?} kernel and the busybox
	initramfs of guest-images as L2, 256M, 1 vCPU. Every L2 instruction is
	emulated by TCG and every L2 exit goes through L1's emulated SVM, so the
	figures are a small fraction of real hardware's, and noisy (this host has
	$(nproc) CPUs; other work on it slows L1): compare the VMMs with each other,
	inside one L1 boot, not with other machines. Measured in the guest, on its
	clock; median [min-max] over the timed rounds (the count after them).

	EOF
	grep -o 'SHAPEVM_BENCH: info begin.*' "$log" | sed 's/^SHAPEVM_BENCH: info /L1 /'
	grep -o 'SHAPEVM_BENCH: info \(qemu\|disk\|net\).*' "$log" | sed 's/^SHAPEVM_BENCH: info /L1 /'
	grep -o 'SHAPEVM_BENCH: info args .*' "$log" | sed 's/^SHAPEVM_BENCH: info /L1 /'
	grep -o 'SHAPEVM_HOST: .*' "$log" | sed 's/^SHAPEVM_HOST: /host: /'
	grep -E 'SHAPEVM_BENCH: info (begin|end) at' "$log" | sed -n 's/^\[ *\([0-9.]*\)\].* at \([0-9.]*\) s.*/\1 \2/p' |
		awk 'NR == 1 { h = $1; l = $2 } NR == 2 && $1 > h {
			printf "L1 clock check: L1 counted %.1f s while the host counted %.1f s (%.3f)\n", $2 - l, $1 - h, ($2 - l) / ($1 - h) }'
	echo
	{
		grep -o 'SHAPEVM_BENCH: metric .*' "$log"
		grep -o 'SHAPEVM_BENCH: run .*' "$log"
	} | awk '
	function field(name,   i) {
		for (i = 1; i <= NF; i++)
			if (index($i, name "=") == 1)
				return substr($i, length(name) + 2)
		return ""
	}
	# median LIST: sets lo and hi too.
	function median(list,   n, v, i, j, t) {
		n = split(list, v, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		lo = v[1]; hi = v[n]; cnt = n
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	function fmt(x) { return x == int(x) || x >= 100 ? sprintf("%.0f", x) : x >= 10 ? sprintf("%.1f", x) : sprintf("%.2f", x) }
	function cell(cfg, m,   md) {
		if (!((cfg, m) in vals)) return "-"
		md = median(vals[cfg, m])
		med[cfg, m] = md
		return sprintf("%s [%s-%s] (%d)", fmt(md), fmt(lo), fmt(hi), cnt)
	}
	function table(title, metrics, pairs,   nm, m, k, c, np, p, pr, a, b) {
		nm = split(metrics, m, " ")
		printf "%s\n%-44s", title, ""
		for (k = 1; k <= nm; k++) printf " %-28s", head[m[k]]
		printf "\n"
		for (c = 1; c <= ncfg; c++) {
			printf "%-44s", label[cfgs[c]]
			for (k = 1; k <= nm; k++) printf " %-28s", cell(cfgs[c], m[k])
			printf "\n"
		}
		np = split(pairs, p, " ")
		if (np) printf "ratios of the medians, shapevm/QEMU (above 1: shapevm is faster)\n"
		for (k = 1; k <= np; k++) {
			split(p[k], pr, "/"); a = pr[1]; b = pr[2]
			if (!(a in seen) || !(b in seen)) continue
			printf "%-44s", short[a] " / " short[b]
			for (c = 1; c <= nm; c++)
				if ((a, m[c]) in med && (b, m[c]) in med && med[b, m[c]] > 0)
					printf " %-28s", sprintf("x%.2f", med[a, m[c]] / med[b, m[c]])
				else
					printf " %-28s", "-"
			printf "\n"
		}
		printf "\n"
	}
	BEGIN {
		label["shapevm"] = "shapevm --disk IMG (vhost-net)"
		label["shapevm-novhost"] = "shapevm --no-vhost"
		label["shapevm-direct"] = "shapevm --disk IMG,direct (vhost-net)"
		label["qemu-direct"] = "QEMU cache=none,aio=native; vhost=on"
		label["qemu-buffered"] = "QEMU cache=writeback,aio=threads; vhost=off"
		short["shapevm"] = "shapevm"; short["shapevm-novhost"] = "shapevm --no-vhost"
		short["shapevm-direct"] = "shapevm direct"
		short["qemu-direct"] = "QEMU direct/vhost"; short["qemu-buffered"] = "QEMU writeback/no vhost"
		head["seqread"] = "seq read MiB/s"; head["seqread_warm"] = "seq read again MiB/s"; head["seqwrite"] = "seq write MiB/s"
		head["randread_qd1"] = "4k rand read QD1 IOPS"; head["randread_qd32"] = "4k rand read QD32 IOPS"
		head["tx"] = "TCP guest->L1 MiB/s"; head["rx"] = "TCP L1->guest MiB/s"; head["rr"] = "TCP 1-byte round trips/s"
		head["wall"] = "run, exec to exit s"; head["user"] = "VMM user CPU s"; head["sys"] = "VMM sys CPU s"
		head["l1_user"] = "L1 user CPU s"; head["l1_sys"] = "L1 sys CPU s"
		head["tx_retrans"] = "guest retransmits, tx"; head["rx_retrans"] = "guest retransmits, rx"
		head["rr_retrans"] = "guest retransmits, rr"; head["l1_retrans"] = "L1 retransmits, run"
		head["tap_rx_dropped"] = "tap0 rx dropped, run"; head["tap_tx_dropped"] = "tap0 tx dropped, run"
	}
	{
		cfg = field("cfg"); n = field("n")
		if (n == "" || n == 0) next
		if (!(cfg in seen)) { seen[cfg] = 1; if (!(cfg in label)) { label[cfg] = cfg; short[cfg] = cfg } }
		if ($2 == "metric") {
			vals[cfg, field("metric")] = vals[cfg, field("metric")] " " field("value")
			if (field("guest_retrans") != "") vals[cfg, field("metric") "_retrans"] = vals[cfg, field("metric") "_retrans"] " " field("guest_retrans")
		} else if ($2 == "run") {
			if (field("exit_ms") != "" && field("exit_ms") != "-") vals[cfg, "wall"] = vals[cfg, "wall"] " " field("exit_ms") / 1000
			if (field("user_ms") != "") vals[cfg, "user"] = vals[cfg, "user"] " " field("user_ms") / 1000
			if (field("sys_ms") != "") vals[cfg, "sys"] = vals[cfg, "sys"] " " field("sys_ms") / 1000
			split("l1_user l1_sys", tk, " ")
			for (i = 1; i <= 2; i++) if (field(tk[i]) != "") vals[cfg, tk[i]] = vals[cfg, tk[i]] " " field(tk[i]) / 100
			split("tap_rx_dropped tap_tx_dropped l1_retrans", tk, " ")
			for (i = 1; i <= 3; i++) if (field(tk[i]) != "") vals[cfg, tk[i]] = vals[cfg, tk[i]] " " field(tk[i])
		}
	}
	END {
		# Rows in a fixed order: shapevm'"'"'s, then QEMU'"'"'s.
		split("shapevm-direct shapevm shapevm-novhost qemu-direct qemu-buffered", known, " ")
		for (i = 1; i <= 5; i++) if (known[i] in seen) { cfgs[++ncfg] = known[i]; done[known[i]] = 1 }
		for (c in seen) if (!(c in done)) cfgs[++ncfg] = c
		if (!ncfg) { print "nothing measured"; exit }
		table("virtio-blk: a raw image in L1 (ext2 on a RAM disk); shapevm and shapevm --no-vhost share the buffered disk path, so their rows measure the same thing.\n" \
			"seq read: L1'"'"'s page cache dropped before the run; again: the buffered VMMs find the image in it",
			"seqread seqread_warm seqwrite randread_qd1 randread_qd32", "shapevm-direct/qemu-direct shapevm/qemu-buffered")
		table("virtio-net: TCP over L1'"'"'s tap0 (vbench), vhost-net rows with vhost-net, userspace rows with userspace",
			"tx rx rr", "shapevm/qemu-direct shapevm-direct/qemu-direct shapevm-novhost/qemu-buffered")
		table("TCP segments retransmitted (the guest'"'"'s during each test, L1'"'"'s over the run) and tap0'"'"'s drops over the run",
			"tx_retrans rx_retrans l1_retrans tap_rx_dropped tap_tx_dropped", "")
		print "Whole runs (boot, all of the above, power-off): wall time and the VMM process'"'"'s CPU time in L1"
		print "(wait4: user includes its vCPU running the guest; vhost-net'"'"'s kernel thread is not counted),"
		print "and L1'"'"'s CPU time by kind (/proc/stat: L1 has one CPU, and TCG keeps it busy)"
		table("", "wall user sys l1_user l1_sys", "")
	}'
	exits "$log"
	echo "results: $out/results.txt, L1 console: $log"
	grep -q 'SHAPEVM_BENCH: metric cfg=[^ ]* n=[1-9]' "$log" || status=1
	return "$status"
}

# exits LOG: the traced round 0, configurations side by side.
exits() {
	grep -q 'SHAPEVM_BENCH: exits ' "$1" || return 0
	cat <<-'EOF'
	Round 0 (not counted above), traced in L1: what L2 cost L1's KVM over the
	whole run (boot, the measurements, power-off). "exit" is every L2 exit by
	SVM reason; "userspace_exit" the exits KVM handed to the VMM process
	(KVM_RUN returning); pio and mmio those L1's KVM emulated or passed on;
	inj_virq the interrupts injected into L2.
	EOF
	grep -o 'SHAPEVM_BENCH: exits .*' "$1" | awk -v top=8 '
	{
		cfg = $3; sub(/^cfg=/, "", cfg)
		k = $0; sub(/.* table=/, "", k); t = k; sub(/ key=.*/, "", t)
		sub(/^[^ ]* key=/, "", k); h = k; sub(/ hits=.*/, "", k); sub(/.* hits=/, "", h)
		if (!(cfg in cseen)) { cseen[cfg] = 1; cfgs[++nc] = cfg }
		if (!(t in tseen)) { tseen[t] = 1; tables[++nt] = t }
		if (!((t, k) in kseen)) { kseen[t, k] = 1; keys[t, ++nk[t]] = k }
		hits[t, k, cfg] += h; total[t, cfg] += h
	}
	END {
		for (i = 1; i <= nt; i++) {
			t = tables[i]
			printf "\n%-26s", t
			for (c = 1; c <= nc; c++) printf " %16s", cfgs[c]
			printf "\n"
			# rows by their largest count, descending
			n = nk[t]
			for (r = 1; r <= n; r++) {
				idx[r] = r; best[r] = 0
				for (c = 1; c <= nc; c++) if (hits[t, keys[t, r], cfgs[c]] + 0 > best[r]) best[r] = hits[t, keys[t, r], cfgs[c]] + 0
			}
			for (r = 2; r <= n; r++)
				for (j = r; j > 1 && best[idx[j - 1]] < best[idx[j]]; j--) { x = idx[j]; idx[j] = idx[j - 1]; idx[j - 1] = x }
			for (r = 1; r <= n && r <= top; r++) {
				printf "  %-24s", keys[t, idx[r]]
				for (c = 1; c <= nc; c++) printf " %16d", hits[t, keys[t, idx[r]], cfgs[c]]
				printf "\n"
			}
			if (n > top) printf "  (%d more)\n", n - top
			printf "  %-24s", "total"
			for (c = 1; c <= nc; c++) printf " %16d", total[t, cfgs[c]]
			printf "\n"
		}
		printf "\n"
	}'
}

if [ "${1:-}" = --summary ]; then
	summary "${2:-$out/console.log}"
	exit
fi
[ $# -eq 0 ] || die "usage: SHAPEVM_STATIC=... bash $0, or bash $0 --summary [CONSOLE_LOG]"
[ -n "${SHAPEVM_STATIC:-}" ] || die "set SHAPEVM_STATIC to a statically linked shapevm (make STATIC=1)"
[ -f "$SHAPEVM_STATIC" ] || die "SHAPEVM_STATIC=$SHAPEVM_STATIC: no such file (make STATIC=1 builds it)"
for value in "$runs" "$disk_mib" "$read_mib" "$write_mib" "$rand_s" "$net_s" "$rr_s" "$run_timeout" "$SHAPEVM_L1_MEM"; do
	case $value in '' | *[!0-9]* | 0) die "RUNS, DISK_MIB, READ_MIB, WRITE_MIB, RAND_S, NET_S, RR_S, RUN_TIMEOUT and SHAPEVM_L1_MEM are positive numbers ($value)" ;; esac
done
if [ "$read_mib" -gt "$disk_mib" ] || [ "$write_mib" -gt "$disk_mib" ]; then
	die "READ_MIB and WRITE_MIB must fit in DISK_MIB"
fi
case $warmup in 0 | 1) ;; *) die "WARMUP=$warmup: 0 or 1" ;; esac
case $trace in 0 | 1) ;; *) die "TRACE=$trace: 0 or 1" ;; esac
for cfg in $configs; do
	case $cfg in shapevm | shapevm-direct | shapevm-novhost | qemu-direct | qemu-buffered) ;; *) die "CONFIGS: $cfg: unknown" ;; esac
done
[ -n "$configs" ] || die "CONFIGS is empty"
case $machine in *[!A-Za-z0-9.,=_-]*) die "QEMU_MACHINE: $machine: unexpected characters" ;; esac
command -v qemu-system-x86_64 >/dev/null ||
	skip "qemu-system-x86_64 is not installed (package qemu-system-x86; scripts/install-deps.sh)"
command -v gcc >/dev/null || skip "gcc is not installed (it builds boot-clock and vbench)"
mkdir -p "$out" || exit 1
exec > >(tee "$out/results.txt") 2>&1
tee_pid=$!

# --- build: the guest, the helpers, QEMU and modules for L1, the L1 image ---
vars=$("$images/build.sh" x86_64)
case $? in
0) eval "$vars" ;;
3) skip "cannot build the test guest here (guest-images/build.sh said why above)" ;;
*) echo "bench-virtio: guest-images/build.sh x86_64 failed"; exit 1 ;;
esac
cflags=(-std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -static)
# boot-clock is bench/boot-linux's, used as it is.
if ! gcc "${cflags[@]}" -o "$out/boot-clock" "$root/bench/boot-linux/boot-clock.c" ||
	! gcc "${cflags[@]}" -Wstrict-prototypes -Wmissing-prototypes -o "$out/vbench" "$here/vbench.c"; then
	echo "bench-virtio: cannot build boot-clock or vbench"
	exit 1
fi

# The guest's initramfs with /bench/vbench and /bench/l2-bench.sh: a second
# cpio appended to guest-images' (Linux unpacks one after the other).
l2=$out/l2-extra
rm -rf "$l2" && mkdir -p "$l2/bench" || exit 1
install -m 0755 "$out/vbench" "$l2/bench/vbench" &&
	install -m 0755 "$here/l2-bench.sh" "$l2/bench/l2-bench.sh" || exit 1
(cd "$l2" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -9) >"$out/l2-bench.cpio.gz" &&
	cat "$SHAPEVM_GUEST_INITRD" "$out/l2-bench.cpio.gz" >"$out/guest-initrd.cpio.gz" || exit 1
rm -rf "$l2"

extra=$out/l1-extra
rm -rf "$extra"
mkdir -p "$extra/bench/modules" || exit 1
"$images/x86_64/stage-qemu.sh" "$extra"
case $? in
0) ;;
3) skip "cannot stage QEMU for L1 (stage-qemu.sh said why above)" ;;
*) echo "bench-virtio: cannot stage QEMU for L1"; exit 1 ;;
esac
cp "$out/boot-clock" "$out/vbench" "$extra/bench/" || exit 1
# The RAM disk and the file system for the image, with their dependencies
# in load order (modules_order reads modules.dep), decompressed if need be.
# shellcheck source=../../guest-images/lib/modules.sh
. "$images/lib/modules.sh"
order=$(modules_order "$SHAPEVM_MODULES_DIR/modules.dep" "$SHAPEVM_MODULES_DIR/modules.builtin" \
	brd ext4 crc32c_generic) || { echo "bench-virtio: no brd or ext4 module in $SHAPEVM_MODULES_DIR"; exit 1; }
for path in $order; do
	target=$extra/bench/modules/${path%.xz}
	mkdir -p "$(dirname "$target")" || exit 1
	case $path in
	*.ko.xz) xz -dc "$SHAPEVM_MODULES_DIR/$path" >"$target" || exit 1 ;;
	*) cp "$SHAPEVM_MODULES_DIR/$path" "$target" || exit 1 ;;
	esac
	echo "${path%.xz}" >>"$extra/bench/modules/order"
done
cat >"$extra/bench/bench.env" <<EOF
BENCH_RUNS=$runs
BENCH_WARMUP=$warmup
BENCH_TRACE=$trace
BENCH_CONFIGS="$configs"
BENCH_MEM=$mem
BENCH_TIMEOUT=$run_timeout
BENCH_SCRUB=512M
BENCH_APPEND="console=ttyS0 quiet"
BENCH_DISK_MIB=$disk_mib
BENCH_READ_MIB=$read_mib
BENCH_WRITE_MIB=$write_mib
BENCH_RAND_S=$rand_s
BENCH_NET_S=$net_s
BENCH_RR_S=$rr_s
BENCH_QEMU_MACHINE="$machine"
BENCH_QEMU_ARGS="-accel kvm -cpu host -nodefaults -no-user-config -display none -monitor none -serial stdio -no-reboot"
EOF
"$images/x86_64/build-l1-initramfs.sh" "$out/l1-initrd.cpio" "$SHAPEVM_STATIC" \
	"$SHAPEVM_GUEST_KERNEL" "$out/guest-initrd.cpio.gz" "$here/l1-bench.sh" "$extra"
case $? in
0) ;;
3) skip "cannot build the L1 initramfs here (build-l1-initramfs.sh said why above)" ;;
*) echo "bench-virtio: cannot build the L1 initramfs"; exit 1 ;;
esac
rm -rf "$extra"

# --- run: one L1 boot ---
count=0
for _ in $configs; do count=$((count + 1)); done
l1_timeout=$((300 + count * (runs + warmup) * (run_timeout + 30)))
log=$out/console.log
# cpu_sample: "busy total own" in clock ticks: the busy and total time of all
# the host's CPUs and this shell's with its reaped descendants, L1's QEMU
# among them (the same as bench/boot-linux/run.sh's).
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
echo "bench-virtio: $((count * (runs + warmup))) L2 runs of about 1-2 minutes each inside an emulated x86 host (L1 limit ${l1_timeout}s, ${SHAPEVM_L1_MEM} MiB); L1's console: $log"
rm -f "$out/l1-status"
(
	"$images/x86_64/run-l1.sh" --initrd "$out/l1-initrd.cpio" --log "$log" \
		--timeout "$l1_timeout" --stream | grep --line-buffered -E '^SHAPEVM_(BENCH|L1):'
	echo "${PIPESTATUS[0]}" >"$out/l1-status"
) &
l1_job=$!
# descendants PID: the processes under PID, children first.
descendants() {
	ps -eo pid=,ppid= | awk -v root="$1" '{ parent[$1] = $2 } END {
		queue[1] = root; n = 1
		for (i = 1; i <= n; i++)
			for (p in parent)
				if (parent[p] == queue[i]) { queue[++n] = p; print p }
	}'
}
# Watchdog: once, L1 went idle for good in the middle of a run (its QEMU used
# no CPU, its console said nothing more) and only the whole-run limit would
# have ended it. A run prints its lines when it ends and boot-clock ends it
# after RUN_TIMEOUT, so a console silent for much longer means L1 hung: its
# QEMU is stopped (run-l1.sh runs it under timeout(1), which passes SIGTERM
# on) and the tables show what was measured until then.
silent_limit=$((run_timeout + 240))
while kill -0 "$l1_job" 2>/dev/null; do
	sleep 10
	age=$(($(date +%s) - $(stat -c %Y "$log" 2>/dev/null || date +%s)))
	[ "$age" -gt "$silent_limit" ] || continue
	echo "bench-virtio: L1's console has been silent for ${age}s (limit ${silent_limit}s): L1 hung; stopping its QEMU"
	for pid in $(descendants "$l1_job"); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = timeout ] && kill -TERM "$pid"
	done
	sleep 30
done
wait "$l1_job"
l1_status=$(cat "$out/l1-status" 2>/dev/null || echo "?")
awk -v b="$before" -v a="$(cpu_sample)" -v cpus="$(nproc)" 'BEGIN {
	split(b, x, " "); split(a, y, " ")
	if (y[2] <= x[2]) exit
	others = (y[1] - x[1] - (y[3] - x[3])) / (y[2] - x[2]) * cpus
	printf "SHAPEVM_HOST: other processes kept %.1f of the host'"'"'s %d CPUs busy during the L1 run%s\n",
		(others < 0 ? 0 : others), cpus, (others > 0.3 ? " (figures lower and noisier)" : "")
}' | tee -a "$log"
echo "SHAPEVM_HOST: $("$SHAPEVM_STATIC" --version 2>&1 | head -n 1), $SHAPEVM_STATIC built $(date -u -r "$SHAPEVM_STATIC" '+%F %T UTC'); the tree is at $(git -C "$root" describe --always --dirty 2>/dev/null)" | tee -a "$log"
echo
[ "$l1_status" = 0 ] || echo "bench-virtio: L1's QEMU exited $l1_status (124: the ${l1_timeout}s limit)"
summary "$log"
status=$?
exec >&- 2>&-
wait "$tee_pid"
exit "$status"
