#!/bin/sh
# shellcheck shell=dash
# The L1 side of bench/virtio: runs inside the emulated x86 host as its
# /cases.sh (guest-images/x86_64/l1-init.sh starts it with SHAPEVM,
# SHAPEVM_GUEST_KERNEL, SHAPEVM_GUEST_INITRD and SHAPEVM_L1_KVM set). The
# host's run.sh put the rest into the image:
#   /bench/bench.env      the settings (BENCH_* below)
#   /bench/boot-clock     runs one VMM (bench/boot-linux/boot-clock.c): its
#                         console to a file, a time limit, its CPU time
#   /bench/vbench         the servers the guest talks to (vbench.c)
#   /bench/modules/       brd and ext4 with what they need, and "order"
#   /usr/bin/qemu-system-x86_64 with its libraries and firmware
# SHAPEVM_GUEST_INITRD is the test guest's initramfs with /bench/vbench and
# /bench/l2-bench.sh added; every VMM boots it with the same kernel.
#
# Setup, once: a RAM disk (brd) with an ext2 file system (mounted by the
# ext4 driver), and on it the disk image, BENCH_DISK_MIB of zeros written
# out (not sparse). A file system on a block device, not L1's tmpfs: this
# 6.1 kernel's tmpfs refuses O_DIRECT, which QEMU's cache=none needs. Then
# a persistent tap0 (10.0.2.1/24) and vbench's servers on it: a sink (5001),
# a source (5002) and an echo (5003).
#
# Each run boots one configuration (BENCH_CONFIGS) under boot-clock; the
# guest's /init runs l2-bench.sh, which measures and prints VBENCH: lines.
# Round 0 (when BENCH_WARMUP=1) is not counted, shows the consoles and,
# when BENCH_TRACE=1, is traced (L1's KVM tracepoints: exits by reason, to
# userspace, port I/O, MMIO, injected interrupts: "SHAPEVM_BENCH: exits ..."
# lines); then come
# BENCH_RUNS rounds, each configuration once a round, the order rotating by
# one every round. Before each run, outside the clock: sync, drop L1's
# caches (so every run finds the image out of L1's page cache), write
# BENCH_SCRUB of fresh memory and compact (bench/boot-linux/l1-bench.sh says
# why), and flush tap0's neighbours. Lines for the host:
#   SHAPEVM_BENCH: metric cfg=C n=N metric=M value=V unit=U ...
#   SHAPEVM_BENCH: run cfg=C n=N <boot-clock's line> <L1 deltas> ok=0|1
#   SHAPEVM_BENCH: fail cfg=C n=N why
#   SHAPEVM_BENCH: info ...
set -u

# Written by run.sh into the image; it sets the BENCH_* variables.
# shellcheck source=/dev/null
. /bench/bench.env

kernel=$SHAPEVM_GUEST_KERNEL
initrd=$SHAPEVM_GUEST_INITRD
guest_cmdline="$BENCH_APPEND -- \"sh /bench/l2-bench.sh $BENCH_READ_MIB $BENCH_WRITE_MIB $BENCH_RAND_S $BENCH_NET_S $BENCH_RR_S\""
mac=52:54:00:12:34:56
image=
servers=

say() { echo "SHAPEVM_BENCH: $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# setup_disk: the image on an ext2 file system on a RAM disk; when that
# cannot be had, on /tmp (tmpfs), where configurations with cache=none fail.
setup_disk() {
	loaded=1
	while read -r path; do
		name=$(basename "$path" .ko)
		[ -d "/sys/module/$(echo "$name" | tr - _)" ] && continue
		params=
		[ "$name" = brd ] && params="rd_nr=1 rd_size=$(((BENCH_DISK_MIB + 64) * 1024)) max_part=0"
		# $params is split on purpose.
		# shellcheck disable=SC2086
		insmod "/bench/modules/$path" $params 2>/tmp/insmod.err ||
			{ say "info insmod $name: $(cat /tmp/insmod.err)"; loaded=0; }
	done </bench/modules/order
	mkdir -p /disk
	if [ "$loaded" = 1 ] && [ -b /dev/ram0 ] && mke2fs -q -m 0 -b 4096 /dev/ram0 >/tmp/mkfs.err 2>&1 &&
		{ mount -t ext4 /dev/ram0 /disk 2>/tmp/mount.err || mount -t ext2 /dev/ram0 /disk 2>>/tmp/mount.err; }; then
		image=/disk/vda.img
		say "info disk: ext2 (ext4 driver) on brd /dev/ram0, $(grep ' /disk ' /proc/mounts)"
	else
		image=/tmp/vda.img
		say "info disk: no RAM disk file system ($(cat /tmp/mkfs.err /tmp/mount.err 2>/dev/null | tail -n 1)); the image is on tmpfs"
	fi
	dd if=/dev/zero of="$image" bs=1M count="$BENCH_DISK_MIB" 2>/dev/null || return 1
	sync
	if dd if="$image" of=/dev/null bs=4096 count=1 iflag=direct 2>/dev/null; then
		say "info disk: $image, $BENCH_DISK_MIB MiB, O_DIRECT works"
	else
		say "info disk: $image, $BENCH_DISK_MIB MiB, O_DIRECT refused: QEMU with cache=none cannot open it"
	fi
}

setup_net() {
	[ -e /sys/class/net/tap0 ] || tunctl -t tap0 >/dev/null || return 1
	ip addr add 10.0.2.1/24 dev tap0 && ip link set tap0 up || return 1
	/bench/vbench sink 5001 &
	servers=$!
	/bench/vbench source 5002 "$BENCH_NET_S" &
	servers="$servers $!"
	/bench/vbench echo 5003 &
	servers="$servers $!"
	say "info net: tap0 10.0.2.1/24 (persistent, tunctl), servers sink:5001 source:5002 (${BENCH_NET_S}s) echo:5003; /dev/vhost-net: $([ -c /dev/vhost-net ] && echo yes || echo no)"
}

# args CONFIG: the VMM's command line for CONFIG, in "$@" of the caller
# (printed one word a line; words hold no newline).
args() {
	case $1 in
	shapevm | shapevm-direct | shapevm-novhost)
		disk=$image
		[ "$1" != shapevm-direct ] || disk=$image,direct
		printf '%s\n' "$SHAPEVM" run -v -k "$kernel" -i "$initrd" -m "$BENCH_MEM" -c 1 \
			--disk "$disk" --net "tap=tap0,mac=$mac"
		[ "$1" != shapevm-novhost ] || echo --no-vhost
		printf '%s\n' -p "$guest_cmdline"
		;;
	qemu-*)
		case $1 in
		qemu-direct) cache=none aio=native vhost=on ;;
		qemu-buffered) cache=writeback aio=threads vhost=off ;;
		*) return 1 ;;
		esac
		printf '%s\n' /usr/bin/qemu-system-x86_64 -M "$BENCH_QEMU_MACHINE"
		# $BENCH_QEMU_ARGS holds several words on purpose.
		# shellcheck disable=SC2086
		printf '%s\n' $BENCH_QEMU_ARGS
		printf '%s\n' -m "$BENCH_MEM" -smp 1 \
			-drive "file=$image,if=none,id=d0,format=raw,cache=$cache,aio=$aio" \
			-device virtio-blk-pci,drive=d0 \
			-netdev "tap,id=n0,ifname=tap0,script=no,downscript=no,vhost=$vhost" \
			-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=" \
			-kernel "$kernel" -initrd "$initrd" -append "$guest_cmdline"
		;;
	*) return 1 ;;
	esac
}

# counters: "name value" lines to compare before and after a run: L1's CPU
# time by kind (/proc/stat, in ticks of 1/100 s), tap0's packets and drops,
# and the TCP segments L1 retransmitted.
counters() {
	awk '$1 == "cpu" { print "l1_user", $2 + $3; print "l1_sys", $4; print "l1_idle", $5 + $6;
		print "l1_irq", $7 + $8 }' /proc/stat
	# tap0 as L1 sees it: rx is what the guest sent.
	for stat in rx_packets tx_packets rx_dropped tx_dropped; do
		echo "tap_$stat $(cat "/sys/class/net/tap0/statistics/$stat")"
	done
	awk '/^Tcp:/ { if (!col) { for (i = 1; i <= NF; i++) if ($i == "RetransSegs") col = i } else print "l1_retrans", $col }' /proc/net/snmp
}

# --- L1's KVM tracepoints, for the untimed round 0 only ------------------
# Counted in the kernel (hist triggers), like bench/boot-linux/l1-bench.sh
# does, from which the exit-name table below is taken. Tracing makes each
# exit dearer, the more so for the VMM with more of them, so the timed
# rounds run untraced.
tracefs=/sys/kernel/tracing
trace_ready=0
trace_setup() {
	[ -d "$tracefs/events/kvm" ] || mount -t tracefs tracefs "$tracefs" 2>/dev/null
	[ -d "$tracefs/events/kvm" ] || { say "info trace: no kvm events in $tracefs"; return 1; }
	trace_ready=1
}
trace_triggers() {
	cat <<-EOF
	kvm/kvm_exit|hist:keys=exit_reason.hex:sort=hitcount.descending
	kvm/kvm_userspace_exit|hist:keys=reason:sort=hitcount.descending
	kvm/kvm_inj_virq|hist:keys=common_pid:sort=hitcount.descending
	kvm/kvm_pio|hist:keys=port.hex,rw:sort=hitcount.descending
	kvm/kvm_mmio|hist:keys=type:sort=hitcount.descending
	EOF
}
trace_start() {
	[ "$trace_ready" = 1 ] || return 1
	trace_triggers | while IFS='|' read -r event trigger; do
		echo "$trigger" >>"$tracefs/events/$event/trigger" ||
			say "info trace: rejected on $event: $trigger"
	done
}
# trace_report CONFIG: one line per key of each table, then the triggers go.
trace_report() {
	trace_triggers | while IFS='|' read -r event trigger; do
		echo "table=${event#kvm/kvm_}"
		cat "$tracefs/events/$event/hist"
	done | awk -v prefix="SHAPEVM_BENCH: exits cfg=$1" -v format="$tracefs/events/kvm/kvm_exit/format" '
		function hexval(s,   i, c, v) {
			s = tolower(s); sub(/^0x/, "", s); v = 0
			for (i = 1; i <= length(s); i++) {
				c = index("0123456789abcdef", substr(s, i, 1))
				if (!c) break
				v = v * 16 + c - 1
			}
			return v
		}
		BEGIN {
			# SVM exit codes and their names, from the tracepoint itself:
			# { 0x07b, "io" }, { 0x040 + 14, "PF excp" }
			while ((getline line < format) > 0) {
				while (match(line, /\{ 0x[0-9a-f]+( \+ [0-9]+)?, "[^"]*" \}/)) {
					entry = substr(line, RSTART, RLENGTH)
					line = substr(line, RSTART + RLENGTH)
					split(entry, part, "\"")
					code = entry; sub(/^\{ /, "", code); sub(/,.*/, "", code)
					plus = 0
					if (code ~ /\+/) { plus = code; sub(/.*\+ */, "", plus); sub(/ *\+.*/, "", code) }
					name[hexval(code) + plus] = part[2]
				}
			}
			split("exception io hypercall debug hlt mmio irq_window shutdown fail_entry intr set_tpr tpr_access", uname, " ")
		}
		/^table=/ { table = substr($0, 7); next }
		/^\{/ {
			key = $0; sub(/^\{ */, "", key); sub(/ *\}.*/, "", key)
			gsub(/[a-z_0-9]+: */, "", key); gsub(/, */, "/", key); gsub(/ /, "", key)
			if (table == "exit") {
				code = hexval(key); key = (code in name ? name[code] : "0x" key)
			} else if (table == "userspace_exit") {
				key = (key in uname ? uname[key] : "reason-" key)
			} else if (table == "pio") {
				split(key, part, "/"); sub(/^0x/, "", part[1]); key = "0x" part[1] "/" (part[2] == 1 ? "out" : "in")
			} else if (table == "mmio") {
				key = key == 2 ? "write" : key == 1 ? "read" : "read-unsatisfied"
			} else if (table == "inj_virq") {
				table = "inj_virq"; key = "all"
			}
			hits = $0; sub(/.*hitcount: */, "", hits); sub(/ .*/, "", hits)
			total[table, key] += hits
			# Each hist comes sorted, largest first: the first 12 keys are enough.
			if (!((table, key) in seen) && ++keys[table] <= 12) { seen[table, key] = 1; order[++n] = table SUBSEP key }
		}
		END {
			for (i = 1; i <= n; i++) {
				split(order[i], tk, SUBSEP)
				printf "%s table=%s key=%s hits=%d\n", prefix, tk[1], tk[2], total[order[i]]
			}
		}'
	trace_triggers | sed '1!G;h;$!d' | while IFS='|' read -r event trigger; do
		echo "!$trigger" >>"$tracefs/events/$event/trigger" 2>/dev/null
	done
}

# run CONFIG N: one boot of CONFIG; prints its metric lines and its run line.
run() {
	cfg=$1 n=$2
	args "$cfg" >/tmp/args || { say "fail cfg=$cfg n=$n unknown configuration"; return; }
	sync
	echo 3 >/proc/sys/vm/drop_caches
	dd if=/dev/zero of=/dev/null bs="$BENCH_SCRUB" count=1 2>/dev/null
	echo 1 >/proc/sys/vm/compact_memory
	ip neigh flush dev tap0 2>/dev/null
	traced=0
	[ "$n" = 0 ] && [ "$BENCH_TRACE" = 1 ] && trace_start && traced=1
	counters >/tmp/counters.before
	# One argument a line: the cmdline holds spaces and quotes.
	set --
	while IFS= read -r word; do set -- "$@" "$word"; done </tmp/args
	timing=$(/bench/boot-clock -t "$BENCH_TIMEOUT" -o /tmp/console.raw -e /tmp/stderr -- "$@")
	counters >/tmp/counters.after
	[ "$traced" = 0 ] || trace_report "$cfg"
	tr -d '\r' </tmp/console.raw >/tmp/console
	deltas=$(awk 'NR == FNR { b[$1] = $2; next } { printf "%s=%d ", $1, $2 - b[$1] }' \
		/tmp/counters.before /tmp/counters.after)
	if [ "$n" = 0 ]; then
		sed "s/^/$cfg| /" /tmp/console
		sed "s/^/$cfg stderr| /" /tmp/stderr
	fi
	sed -n 's/^VBENCH: metric=/metric=/p' /tmp/console | while IFS= read -r line; do
		say "metric cfg=$cfg n=$n $line"
	done
	sed -n 's/^VBENCH: info /info /p' /tmp/console | while IFS= read -r line; do
		say "info cfg=$cfg n=$n guest: ${line#info }"
	done
	[ "$n" != 0 ] || grep -m 1 'tap tap0' /tmp/stderr | sed "s/^/SHAPEVM_BENCH: info cfg=$cfg n=$n shapevm: /"
	ok=1
	case " $timing " in
	*" status=0 "*) ;;
	*" timed_out=1 "*) ok=0; say "fail cfg=$cfg n=$n timed out after ${BENCH_TIMEOUT}s" ;;
	*) ok=0; say "fail cfg=$cfg n=$n the VMM exited with status $(echo "$timing" | sed -n 's/.*status=\([0-9]*\).*/\1/p'): $(grep -v '^[[:space:]]*$' /tmp/stderr | tail -n 1)" ;;
	esac
	if ! grep -q '^SHAPEVM_STATUS=0' /tmp/console; then
		ok=0
		say "fail cfg=$cfg n=$n the guest did not print SHAPEVM_STATUS=0 (last line: $(grep -v '^[[:space:]]*$' /tmp/console | tail -n 1))"
	fi
	sed -n 's/^VBENCH: fail /fail /p' /tmp/console | while IFS= read -r line; do
		say "fail cfg=$cfg n=$n guest: ${line#fail }"
	done
	say "run cfg=$cfg n=$n $timing $deltas ok=$ok"
	if [ "$ok" = 0 ] && [ "$n" != 0 ]; then
		sed "s/^/$cfg| /" /tmp/console | tail -n 15
		sed "s/^/$cfg stderr| /" /tmp/stderr | tail -n 5
	fi
}

if [ "${SHAPEVM_L1_KVM:-0}" != 1 ]; then
	say "fail cfg=all n=0 L1 has no /dev/kvm (kvm_amd did not load; see the L1 log)"
	exit 0
fi
say "info begin at $(uptime_s) s: runs=$BENCH_RUNS configs=$BENCH_CONFIGS mem=$BENCH_MEM disk=${BENCH_DISK_MIB}MiB read=${BENCH_READ_MIB}MiB write=${BENCH_WRITE_MIB}MiB rand=${BENCH_RAND_S}s net=${BENCH_NET_S}s rr=${BENCH_RR_S}s"
say "info qemu $(/usr/bin/qemu-system-x86_64 --version | head -n 1)"
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
trace_setup
setup_disk || { say "fail cfg=all n=0 cannot write the disk image"; exit 0; }
setup_net || { say "fail cfg=all n=0 cannot set up tap0"; exit 0; }
say "info L1 memory: $(awk '/^(MemTotal|MemFree|Shmem):/ { printf "%s %d MiB ", $1, $2 / 1024 }' /proc/meminfo)"
for cfg in $BENCH_CONFIGS; do
	args "$cfg" >/tmp/args || continue
	say "info args cfg=$cfg: $(sed 's/.*[ "].*/'"'"'&'"'"'/' /tmp/args | tr '\n' ' ')"
done

first=1
[ "$BENCH_WARMUP" = 1 ] && first=0
n=$first
count=$(echo "$BENCH_CONFIGS" | wc -w)
while [ "$n" -le "$BENCH_RUNS" ]; do
	[ "$n" != 1 ] || say "info timed runs begin at $(uptime_s) s"
	# Rotate: round n starts with configuration n (mod count).
	order=$(echo "$BENCH_CONFIGS" | tr ' ' '\n' | sed '/^$/d' |
		awk -v n="$n" -v c="$count" '{ w[NR - 1] = $0 } END { for (i = 0; i < c; i++) print w[(i + n) % c] }')
	for cfg in $order; do
		say "info cfg=$cfg n=$n start at $(uptime_s) s"
		run "$cfg" "$n"
	done
	n=$((n + 1))
done
# $servers is a list of process ids.
# shellcheck disable=SC2086
kill $servers 2>/dev/null
say "info end at $(uptime_s) s"
