#!/bin/sh
# shellcheck shell=dash
# The L1 side of bench/boot-linux: runs inside the emulated x86 host as its
# /cases.sh (guest-images/x86_64/l1-init.sh starts it with SHAPEVM,
# SHAPEVM_GUEST_KERNEL, SHAPEVM_GUEST_INITRD and SHAPEVM_L1_KVM set). The
# host's run.sh put the rest into the image:
#   /bench/bench.env     the settings (BENCH_* below)
#   /bench/boot-clock    times one VMM run (boot-clock.c)
#   /usr/bin/qemu-system-x86_64 with its libraries and firmware
#
# For each vCPU count in BENCH_CPUS it boots the same kernel and initramfs
# with shapevm and with QEMU for each machine in BENCH_QEMU_MACHINES:
# first one untimed run of each whose console is shown (traced with L1's
# KVM tracepoints when BENCH_TRACE=1), then BENCH_RUNS timed rounds, each
# VMM once a round, the order turning every round. Lines for the host:
#   SHAPEVM_BENCH: run vmm=V cpus=C n=N first_ms=.. marker_ms=.. exit_ms=.. status=S maxrss_kib=R ... ok=1
#   SHAPEVM_BENCH: fail vmm=V cpus=C n=N why
#   SHAPEVM_HIST: vmm=V cpus=C table=T key=K hits=H [ns=NS]
#   SHAPEVM_BENCH: info ...
# A run is "ok" when the VMM exited 0 (the guest powered off) and the
# guest printed SHAPEVM_STATUS=0 (its /init ran "true").
set -u

# Written by run.sh into the image; it sets the BENCH_* variables.
# shellcheck source=/dev/null
. /bench/bench.env

kernel=$SHAPEVM_GUEST_KERNEL
initrd=$SHAPEVM_GUEST_INITRD
guest_cmdline="$BENCH_APPEND -- true"
tracefs=/sys/kernel/tracing

say() { echo "SHAPEVM_BENCH: $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# boot VMM CPUS [-s]: one run of VMM with CPUS vCPUs under boot-clock, its
# console in /tmp/console, its stderr in /tmp/stderr; sets $timing to
# boot-clock's line. The guest, its RAM and its command line are the same
# for every VMM; so is the end: the guest powers off, the VMM exits 0.
boot() {
	vmm=$1 cpus=$2 clock_flags=${3:-}
	case $vmm in
	shapevm)
		set -- "$SHAPEVM" run -k "$kernel" -i "$initrd" -m "$BENCH_MEM" -c "$cpus" \
			-p "$guest_cmdline"
		;;
	qemu-*)
		# qemu-MACHINE[@FIRMWARE]: -M MACHINE, and -bios FIRMWARE if given.
		machine=${vmm#qemu-}
		firmware=
		case $machine in
		*@*) firmware="-bios ${machine#*@}" machine=${machine%%@*} ;;
		esac
		# $BENCH_QEMU_ARGS and $firmware hold several words on purpose.
		# shellcheck disable=SC2086
		set -- /usr/bin/qemu-system-x86_64 -M "$machine" $firmware $BENCH_QEMU_ARGS \
			-m "$BENCH_MEM" -smp "$cpus" -kernel "$kernel" -initrd "$initrd" \
			-append "$guest_cmdline"
		;;
	esac
	# Every run starts from the same L1. Without the scrub, each boot after
	# L1's first paid about 5 s more kernel time for the same 50-65 huge
	# page faults: the pages a VM gets are those the last VM freed, which
	# held guest code TCG had translated, and TCG makes the first write to
	# such a page slow (it drops the translations). Writing BENCH_SCRUB of
	# memory here, outside the clock, pays that for whoever runs next. No
	# page cache is left either, and free memory is compacted.
	sync
	echo 3 >/proc/sys/vm/drop_caches
	dd if=/dev/zero of=/dev/null bs="$BENCH_SCRUB" count=1 2>/dev/null
	echo 1 >/proc/sys/vm/compact_memory
	cp /proc/vmstat /tmp/vmstat.before
	# $clock_flags is empty or one flag.
	# shellcheck disable=SC2086
	timing=$(/bench/boot-clock $clock_flags -t "$BENCH_TIMEOUT" -o /tmp/console \
		-e /tmp/stderr -- "$@")
	tr -d '\r' </tmp/console >/tmp/console.txt
	# What L1's memory management did meanwhile: huge pages the faults got
	# or did not, compaction stalls, page faults.
	vmstat=$(awk 'NR == FNR { before[$1] = $2; next }
		$1 ~ /^(thp_fault_alloc|thp_fault_fallback|compact_stall|compact_fail|pgfault)$/ {
			printf "%s=%d ", $1, $2 - before[$1] }' /tmp/vmstat.before /proc/vmstat)
}

# judge: why the last run does not count, or nothing when it does.
judge() {
	case " $timing " in
	*" status=0 "*) ;;
	*" timed_out=1 "*) echo "timed out after ${BENCH_TIMEOUT}s" ; return ;;
	*) echo "exited with status $(echo "$timing" | sed -n 's/.*status=\([0-9]*\).*/\1/p'): $(tail -n 1 /tmp/stderr)"; return ;;
	esac
	grep -q '^SHAPEVM_STATUS=0' /tmp/console.txt ||
		echo "the guest printed no SHAPEVM_STATUS=0 (last line: $(grep -v '^[[:space:]]*$' /tmp/console.txt | tail -n 1))"
}

show_console() {
	sed "s/^/$1| /" /tmp/console.txt
	sed "s/^/$1 stderr| /" /tmp/stderr
}

# --- L1's KVM tracepoints -------------------------------------------------
# Counting happens in the kernel (hist triggers), so a traced boot costs
# little more than an untraced one and nothing leaves L1 but the tables.
# Each L2 exit becomes one synthetic event l2_exit (reason, info1, info2,
# ns) when the vCPU enters again: ns is the time L1 took to handle it,
# VMM userspace included (an hlt's ns is the time the vCPU slept).
trace_ready=0
trace_setup() {
	[ -d "$tracefs/events/kvm" ] || mount -t tracefs tracefs "$tracefs" 2>/dev/null
	[ -d "$tracefs/events/kvm" ] || { say "info trace: no kvm events in $tracefs"; return 1; }
	echo 'l2_exit u32 reason; u64 info1; u64 info2; u64 ns' >>"$tracefs/synthetic_events" ||
		{ say "info trace: cannot define the synthetic event"; return 1; }
	echo mono >"$tracefs/trace_clock"
	echo 8192 >"$tracefs/buffer_size_kb"
	trace_ready=1
}

# The triggers, "event|trigger", in the order they are attached (producers of
# variables first); they are removed in reverse. The named ones are the
# tables printed; the name is the table's.
trace_triggers() {
	cat <<-EOF
	kvm/kvm_exit|hist:keys=vcpu_id:t_exit=common_timestamp,why=exit_reason,i1=info1,i2=info2
	kvm/kvm_entry|hist:keys=vcpu_id:dt=common_timestamp-\$t_exit:onmatch(kvm.kvm_exit).trace(l2_exit,\$why,\$i1,\$i2,\$dt)
	kvm/kvm_exit|hist:name=exit:keys=exit_reason.hex:sort=hitcount.descending
	kvm/kvm_userspace_exit|hist:name=userspace:keys=reason:sort=hitcount.descending
	kvm/kvm_pio|hist:name=pio:keys=port.hex,rw:sort=hitcount.descending
	kvm/kvm_mmio|hist:name=mmio:keys=gpa.hex,type:sort=hitcount.descending
	kvm/kvm_msr|hist:name=msr:keys=ecx.hex,write:sort=hitcount.descending
	synthetic/l2_exit|hist:name=exit_time:keys=reason.hex:vals=hitcount,ns:sort=ns.descending
	synthetic/l2_exit|hist:name=io_time:keys=info1.hex:vals=hitcount,ns:sort=ns.descending if reason == 0x7b
	synthetic/l2_exit|hist:name=npf_time:keys=info1.hex:vals=hitcount,ns:sort=ns.descending if reason == 0x400
	synthetic/l2_exit|hist:name=npf_rsvd_time:keys=info2.hex:vals=hitcount,ns:sort=ns.descending if reason == 0x400 && info1 & 8
	EOF
}

trace_start() {
	[ "$trace_ready" = 1 ] || return 1
	trace_triggers | while IFS='|' read -r event trigger; do
		echo "$trigger" >>"$tracefs/events/$event/trigger" ||
			say "info trace: rejected on $event: $trigger"
	done
	# Each KVM_RUN (ioctl 0xae80) into the ring buffer: the first says when
	# the VMM first ran its guest; their count, how often it returned to L1's
	# userspace.
	: >"$tracefs/trace"
	echo 'cmd == 0xae80' >"$tracefs/events/syscalls/sys_enter_ioctl/filter" &&
		echo 1 >"$tracefs/events/syscalls/sys_enter_ioctl/enable"
}

# trace_report VMM CPUS T0_NS: the tables, then the triggers go.
trace_report() {
	vmm=$1 cpus=$2 t0_ns=$3
	echo 0 >"$tracefs/events/syscalls/sys_enter_ioctl/enable"
	awk -v t0="$t0_ns" -v prefix="SHAPEVM_BENCH: info vmm=$vmm cpus=$cpus" '
		/sys_ioctl\(/ {
			for (i = 1; i <= NF; i++)
				if ($i ~ /^[0-9]+\.[0-9]+:$/) { ts = $i; sub(/:$/, "", ts) }
			if (!n++) first = ts
			last = ts
		}
		END {
			if (n) printf "%s kvm_run_calls=%d first_kvm_run_ms=%.1f last_kvm_run_ms=%.1f\n",
				prefix, n, (first * 1e9 - t0) / 1e6, (last * 1e9 - t0) / 1e6
		}' "$tracefs/trace"
	for event in kvm/kvm_exit kvm/kvm_userspace_exit kvm/kvm_pio kvm/kvm_mmio \
		kvm/kvm_msr synthetic/l2_exit; do
		cat "$tracefs/events/$event/hist"
	done | awk -v prefix="SHAPEVM_HIST: vmm=$vmm cpus=$cpus" -v format="$tracefs/events/kvm/kvm_exit/format" '
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
		}
		/trigger info:/ {
			table = ""
			if (match($0, /:name=[a-z_]+/)) table = substr($0, RSTART + 6, RLENGTH - 6)
			next
		}
		table != "" && /^\{/ {
			key = $0; sub(/^\{ */, "", key); sub(/ *\}.*/, "", key)
			# "port: 3f8, rw: 1" -> "3f8/1"
			gsub(/[a-z_0-9]+: */, "", key); gsub(/, */, "/", key); gsub(/ /, "", key)
			split(key, part, "/")
			if (table == "exit" || table == "exit_time") {
				code = hexval(key)
				key = (code in name ? name[code] : "?") "(0x" key ")"
			} else if (table == "io_time") {
				# IOIO exit info1: port in bits 31:16, bit 0 set for IN.
				code = hexval(key)
				key = sprintf("0x%x/%s", int(code / 65536) % 65536, code % 2 ? "in" : "out")
			} else if (table == "pio") {
				key = "0x" part[1] "/" (part[2] == 1 ? "out" : "in")
			} else if (table == "mmio") {
				key = "0x" part[1] "/" (part[2] == 2 ? "write" : part[2] == 1 ? "read" : "read-to-vmm")
			} else if (table == "msr") {
				key = "0x" part[1] "/" (part[2] == 1 ? "write" : "read")
			} else if (table == "npf_rsvd_time") {
				key = "0x" key
			} else if (table == "npf_time") {
				# The nested page fault error code: bit 0 present, 1 write,
				# 3 reserved bits (an MMIO page KVM has marked), 4 fetch,
				# 32 a final guest-physical access, 33 a guest page table walk.
				code = hexval(key)
				low = code % 65536
				what = int(low / 16) % 2 ? "fetch" : int(low / 2) % 2 ? "write" : "read"
				if (low % 2) what = what "+present"
				if (int(low / 8) % 2) what = what "+mmio"
				if (int(code / 8589934592) % 2) what = what "+pt-walk"
				key = what "(0x" key ")"
			} else if (table == "userspace") {
				split("exception io hypercall debug hlt mmio irq_window shutdown fail_entry intr set_tpr tpr_access", kvm_exit_name, " ")
				kvm_exit_name[0] = "unknown"
				key = (key in kvm_exit_name ? kvm_exit_name[key] : "reason-" key) "(" key ")"
			}
			hits = $0; sub(/.*hitcount: */, "", hits); sub(/ .*/, "", hits)
			ns = ""
			if ($0 ~ / ns: /) { ns = $0; sub(/.* ns: */, "", ns); sub(/ .*/, "", ns); ns = " ns=" ns }
			printf "%s table=%s key=%s hits=%s%s\n", prefix, table, key, hits, ns
		}
		table != "" && /Dropped:/ && $2 > 0 { printf "%s table=%s dropped=%s\n", prefix, table, $2 }
	'
	trace_triggers | sed '1!G;h;$!d' | while IFS='|' read -r event trigger; do
		echo "!$trigger" >>"$tracefs/events/$event/trigger" 2>/dev/null ||
			say "info trace: cannot remove from $event: $trigger"
	done
}

# look VMM CPUS: the untimed run, console shown, traced if asked.
look() {
	vmm=$1 cpus=$2 traced=0
	if [ "$BENCH_TRACE" = 1 ] && trace_start; then
		traced=1
	fi
	say "look vmm=$vmm cpus=$cpus traced=$traced at $(uptime_s) s"
	boot "$vmm" "$cpus" -s
	show_console "$vmm"
	say "look vmm=$vmm cpus=$cpus $timing"
	say "info vmm=$vmm cpus=$cpus n=0 l1_vmstat: $vmstat"
	# The guest kernel's own clock on its first console line ("[    0.93]
	# PCI: ..."): exec to first byte, less this, is about when that clock
	# started, so what came before it (the VMM's setup, the bzImage's
	# decompressor) can be told from the kernel's boot.
	stamp=$(sed -n '1s/^\[ *\([0-9]*\.[0-9]*\)\].*/\1/p' /tmp/console.txt)
	[ -z "$stamp" ] || say "info vmm=$vmm cpus=$cpus guest_clock_at_first_line_s=$stamp"
	why=$(judge)
	[ -z "$why" ] || say "fail vmm=$vmm cpus=$cpus n=0 $why"
	[ "$traced" = 0 ] || trace_report "$vmm" "$cpus" "$(echo "$timing" | sed -n 's/.*t0_ns=\([0-9]*\).*/\1/p')"
}

# timed VMM CPUS N: one measured run.
timed() {
	boot "$1" "$2"
	why=$(judge)
	if [ -z "$why" ]; then
		say "run vmm=$1 cpus=$2 n=$3 $timing ok=1"
		say "info vmm=$1 cpus=$2 n=$3 l1_vmstat: $vmstat"
	else
		say "run vmm=$1 cpus=$2 n=$3 $timing ok=0"
		say "fail vmm=$1 cpus=$2 n=$3 $why"
		show_console "$1" | tail -n 20
	fi
}

if [ "${SHAPEVM_L1_KVM:-0}" != 1 ]; then
	say "fail vmm=all cpus=all n=0 L1 has no /dev/kvm (kvm_amd did not load; see the L1 log)"
	exit 0
fi
vmms=shapevm
for machine in $BENCH_QEMU_MACHINES; do vmms="$vmms qemu-$machine"; done
say "info begin at $(uptime_s) s: runs=$BENCH_RUNS cpus=$BENCH_CPUS mem=$BENCH_MEM vmms=$vmms"
say "info qemu $(/usr/bin/qemu-system-x86_64 --version | head -n 1)"
say "info qemu args: -M MACHINE $BENCH_QEMU_ARGS -m $BENCH_MEM -smp CPUS -kernel K -initrd I -append \"$guest_cmdline\""
say "info shapevm args: run -k K -i I -m $BENCH_MEM -c CPUS -p \"$guest_cmdline\""
[ "$BENCH_TRACE" = 1 ] && trace_setup

for cpus in $BENCH_CPUS; do
	for vmm in $vmms; do
		look "$vmm" "$cpus"
	done
	say "info timed runs begin at $(uptime_s) s"
	n=1
	while [ "$n" -le "$BENCH_RUNS" ]; do
		# Turn the order every round, so neither VMM always runs first.
		if [ $((n % 2)) = 1 ]; then order=$vmms; else order=$(echo "$vmms" | tr ' ' '\n' | sed '1!G;h;$!d' | tr '\n' ' '); fi
		for vmm in $order; do
			timed "$vmm" "$cpus" "$n"
		done
		n=$((n + 1))
	done
done
say "info end at $(uptime_s) s"
