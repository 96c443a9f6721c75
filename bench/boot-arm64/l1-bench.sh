#!/bin/sh
# shellcheck shell=dash
# The L1 side of bench/boot-arm64: runs inside the emulated arm64 host as its
# /cases.sh (guest-images/arm64/l1-init.sh starts it with SHAPEVM,
# SHAPEVM_GUEST_KERNEL, SHAPEVM_GUEST_INITRD, SHAPEVM_L1_KVM and SHAPEVM_QEMU
# set). The host's run.sh put the rest into the image:
#   /bench/bench.env     the settings (BENCH_* below)
#   /bench/boot-clock    times one VMM run (bench/boot-linux/boot-clock.c,
#                        cross-compiled)
#   /usr/bin/qemu-system-aarch64 with its libraries (arm64/stage-qemu.sh)
#
# For each vCPU count in BENCH_CPUS it boots the same Image and initramfs
# with shapevm and with QEMU (-M virt,gic-version=3 -accel kvm -cpu C) for
# each C in BENCH_QEMU_CPUS: "host", named qemu, and "host,PROPS", named
# qemu:PROPS. First one untimed warm-up run of each, its console shown (and
# counted by L1's KVM tracepoints when BENCH_TRACE=1), then BENCH_RUNS
# timed rounds, each VMM once a round, the order turning every round.
# Lines for the host:
#   SHAPEVM_BENCH: run vmm=V cpus=C n=N first_ms=.. marker_ms=.. exit_ms=.. status=S maxrss_kib=R ... guest_off_ms=G ok=1
#   SHAPEVM_BENCH: fail vmm=V cpus=C n=N why
#   SHAPEVM_HIST: vmm=V cpus=C table=T key=K hits=H [ns=NS]
#   SHAPEVM_BENCH: info ...
# A run is "ok" when the VMM exited 0 (the guest powered off through PSCI)
# and the guest printed SHAPEVM_STATUS=0 (its /init ran "true"): that line
# is the first one /init prints (guest-images/lib/guest-init.sh loads no
# modules when there is no virtio device, and prints nothing else first).
set -u

# Written by run.sh into the image; it sets the BENCH_* variables.
# shellcheck source=/dev/null
. /bench/bench.env

kernel=$SHAPEVM_GUEST_KERNEL
initrd=$SHAPEVM_GUEST_INITRD
qemu=${SHAPEVM_QEMU:-}
tracefs=/sys/kernel/tracing

say() { echo "SHAPEVM_BENCH: $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# boot VMM CPUS: one run of VMM with CPUS vCPUs under boot-clock, its
# console in /tmp/console, its stderr in /tmp/stderr; sets $timing to
# boot-clock's line. Kernel, initramfs, RAM, vCPUs and the command line are
# the same for every VMM but for the console's name: shapevm's UART is a
# 16550 (ttyS0), QEMU virt's a PL011 (ttyAMA0).
boot() {
	vmm=$1 cpus=$2
	case $vmm in
	shapevm)
		set -- "$SHAPEVM" run -k "$kernel" -i "$initrd" -m "$BENCH_MEM" -c "$cpus" \
			-p "console=ttyS0 $BENCH_APPEND"
		;;
	qemu*)
		# $BENCH_QEMU_ARGS holds several words on purpose.
		# shellcheck disable=SC2086
		set -- "$qemu" $BENCH_QEMU_ARGS -cpu "$(qemu_cpu "$vmm")" -m "$BENCH_MEM" -smp "$cpus" \
			-kernel "$kernel" -initrd "$initrd" -append "console=ttyAMA0 $BENCH_APPEND"
		;;
	esac
	# Every run starts from the same L1 (bench/boot-linux found why this
	# matters under TCG: the pages a VM gets are those the last VM freed,
	# which held guest code TCG had translated, and TCG makes the first
	# write to such a page slow). Writing BENCH_SCRUB of memory here,
	# outside the clock, pays that for whoever runs next. No page cache is
	# left either, and free memory is compacted.
	sync
	echo 3 >/proc/sys/vm/drop_caches
	dd if=/dev/zero of=/dev/null bs="$BENCH_SCRUB" count=1 2>/dev/null
	echo 1 >/proc/sys/vm/compact_memory 2>/dev/null
	timing=$(/bench/boot-clock -t "$BENCH_TIMEOUT" -o /tmp/console \
		-e /tmp/stderr -- "$@")
	tr -d '\r' </tmp/console >/tmp/console.txt
	# The guest kernel's clock on its "reboot: Power down" line: how long
	# the kernel ran from its clock's start (time_init, early in its boot)
	# to power-off, so the VMM's own start and end can be told apart from
	# the guest's boot.
	off=$(awk '/^\[ *[0-9.]*\] reboot: Power down/ {
		s = $0; sub(/^\[ */, "", s); sub(/\].*/, "", s); ms = sprintf("%.1f", s * 1000) }
		END { if (ms != "") print ms }' /tmp/console.txt)
	[ -z "$off" ] || timing="$timing guest_off_ms=$off"
}

# program VMM: the file the VMM runs from.
program() {
	case $1 in
	shapevm) echo "$SHAPEVM" ;;
	*) echo "$qemu" ;;
	esac
}

# qemu_cpu NAME: QEMU's -cpu for the VMM named qemu or qemu:PROPS.
qemu_cpu() {
	case $1 in
	*:*) echo "host,${1#*:}" ;;
	*) echo host ;;
	esac
}

# judge: why the last run does not count, or nothing when it does.
judge() {
	# A timeout first: QEMU ends with status 0 on the SIGTERM.
	case " $timing " in
	*" timed_out=1 "*) echo "timed out after ${BENCH_TIMEOUT}s (last line: $(grep -v '^[[:space:]]*$' /tmp/console.txt | tail -n 1))"; return ;;
	*" status=0 "*) ;;
	*) echo "exited with status $(echo "$timing" | sed -n 's/.*status=\([0-9]*\).*/\1/p'): $(tail -n 1 /tmp/stderr)"; return ;;
	esac
	grep -q '^SHAPEVM_STATUS=0' /tmp/console.txt ||
		echo "the guest printed no SHAPEVM_STATUS=0 (last line: $(grep -v '^[[:space:]]*$' /tmp/console.txt | tail -n 1))"
}

show_console() {
	sed "s/^/$1| /" /tmp/console.txt
	sed "s/^/$1 stderr| /" /tmp/stderr
}

# --- L1's KVM tracepoints (arm64) -----------------------------------------
# Counted in the kernel (hist triggers), so only the tables leave L1. Each
# L2 exit becomes one synthetic event l2_exit (ret, ec, ns) when that vCPU
# thread enters the guest again: ret is KVM's exception type (0 IRQ, 2
# TRAP, ...), ec the ESR exception class of a trap, ns the time L1 took
# to handle it, the VMM's userspace included (a WFI's ns is the time the
# vCPU slept). arm64's kvm_exit and kvm_entry carry no vCPU id, so the
# vCPU thread's pid pairs them.
trace_ready=0
trace_setup() {
	[ -d "$tracefs/events/kvm" ] || mount -t tracefs tracefs "$tracefs" 2>/dev/null
	[ -d "$tracefs/events/kvm" ] || { say "info trace: no kvm events in $tracefs"; return 1; }
	echo 'l2_exit int ret; u32 ec; u64 ns' >>"$tracefs/synthetic_events" ||
		{ say "info trace: cannot define the synthetic event"; return 1; }
	echo mono >"$tracefs/trace_clock"
	echo 8192 >"$tracefs/buffer_size_kb"
	trace_ready=1
}

# "event|trigger", in the order they are attached (producers of variables
# first); they are removed in reverse. A trigger's name is its table's.
trace_triggers() {
	cat <<-EOF
	kvm/kvm_exit|hist:keys=common_pid:t_exit=common_timestamp,r=ret,c=esr_ec
	kvm/kvm_entry|hist:keys=common_pid:dt=common_timestamp-\$t_exit:onmatch(kvm.kvm_exit).trace(l2_exit,\$r,\$c,\$dt)
	kvm/kvm_userspace_exit|hist:name=userspace:keys=reason:sort=hitcount.descending
	kvm/kvm_mmio|hist:name=mmio:keys=gpa.hex,type:sort=hitcount.descending if type != 0
	synthetic/l2_exit|hist:name=exit_time:keys=ret,ec:vals=hitcount,ns:sort=ns.descending
	EOF
}

trace_start() {
	[ "$trace_ready" = 1 ] || return 1
	trace_triggers | while IFS='|' read -r event trigger; do
		echo "$trigger" >>"$tracefs/events/$event/trigger" ||
			say "info trace: rejected on $event: $trigger"
	done
	# Each KVM_RUN (ioctl 0xae80) into the ring buffer: the first says when
	# the VMM first ran its guest; their count, how often the vCPUs came
	# back to the VMM's userspace.
	# The VMM's exec and its exit go there too, so the times are measured
	# from them on the trace's own clock. (Against boot-clock's fork time
	# they would need the trace clock to agree with CLOCK_MONOTONIC, and
	# in this L1 the trace's "mono" clock ran some 0.3-0.45 s ahead.)
	: >"$tracefs/trace"
	echo 'cmd == 0xae80' >"$tracefs/events/syscalls/sys_enter_ioctl/filter" &&
		echo 1 >"$tracefs/events/syscalls/sys_enter_ioctl/enable"
	echo 1 >"$tracefs/events/sched/sched_process_exec/enable"
	echo 1 >"$tracefs/events/sched/sched_process_exit/enable"
}

# trace_report VMM CPUS PROGRAM: the tables, then the triggers go.
trace_report() {
	vmm=$1 cpus=$2 program=$3
	for event in syscalls/sys_enter_ioctl sched/sched_process_exec sched/sched_process_exit; do
		echo 0 >"$tracefs/events/$event/enable"
	done
	# From the exec of PROGRAM to its first and last KVM_RUN and to the exit
	# of its main thread (the pid exec kept).
	awk -v program="$program" -v prefix="SHAPEVM_BENCH: info vmm=$vmm cpus=$cpus" '
		{
			ts = ""
			for (i = 1; i <= NF; i++)
				if ($i ~ /^[0-9]+\.[0-9]+:$/) { ts = $i; sub(/:$/, "", ts) }
		}
		/sched_process_exec:/ && index($0, "filename=" program " ") {
			exec_ts = ts
			pid = $0; sub(/.* pid=/, "", pid); sub(/ .*/, "", pid)
		}
		/sched_process_exit:/ && pid != "" && index($0, " pid=" pid " ") { exit_ts = ts }
		/sys_ioctl\(/ {
			if (!n++) first = ts
			last = ts
		}
		END {
			if (!n) exit
			printf "%s kvm_run_calls=%d", prefix, n
			if (exec_ts != "")
				printf " exec_to_first_kvm_run_ms=%.1f exec_to_last_kvm_run_ms=%.1f", (first - exec_ts) * 1000, (last - exec_ts) * 1000
			if (exec_ts != "" && exit_ts != "")
				printf " exec_to_exit_ms=%.1f", (exit_ts - exec_ts) * 1000
			printf "\n"
		}' "$tracefs/trace"
	for event in kvm/kvm_userspace_exit kvm/kvm_mmio synthetic/l2_exit; do
		cat "$tracefs/events/$event/hist"
	done | awk -v prefix="SHAPEVM_HIST: vmm=$vmm cpus=$cpus" '
		BEGIN {
			# KVM arm64 exception types and the ESR exception classes a
			# guest traps with (arch/arm64/include/asm/esr.h).
			split("IRQ SERROR TRAP IL", type_name, " ")
			ec_name[0] = "UNKNOWN"; ec_name[1] = "WFx"; ec_name[7] = "FP_ASIMD"
			ec_name[22] = "HVC64"; ec_name[23] = "SMC64"; ec_name[24] = "SYS64"
			ec_name[32] = "IABT_LOW"; ec_name[36] = "DABT_LOW"; ec_name[60] = "BRK64"
			split("unknown exception io hypercall debug hlt mmio irq_window shutdown fail_entry intr", user_name, " ")
			user_name[25] = "system_event"; user_name[29] = "arm_nisv"
		}
		/trigger info:/ {
			table = ""
			if (match($0, /:name=[a-z_]+/)) table = substr($0, RSTART + 6, RLENGTH - 6)
			next
		}
		table != "" && /^\{/ {
			key = $0; sub(/^\{ */, "", key); sub(/ *\}.*/, "", key)
			# "gpa: 9000000, type: 1" -> "9000000/1" (.hex prints no 0x)
			gsub(/[a-z_0-9]+: */, "", key); gsub(/, */, "/", key); gsub(/ /, "", key)
			split(key, part, "/")
			if (table == "exit_time") {
				ret = part[1] + 0; ec = part[2] + 0
				key = ret == 2 ? "TRAP:" (ec in ec_name ? ec_name[ec] : sprintf("ec0x%02x", ec)) \
					: ((ret + 1) in type_name ? type_name[ret + 1] : "ret" ret)
			} else if (table == "mmio") {
				# KVM_TRACE_MMIO_READ 1, WRITE 2. (arm64 KVM also traces
				# every read as READ_UNSATISFIED, 0, before it tries its own
				# devices: the trigger leaves those out.)
				key = "0x" part[1] "/" (part[2] == 2 ? "write" : part[2] == 1 ? "read" : "type" part[2])
			} else if (table == "userspace") {
				key = ((key + 1) in user_name ? user_name[key + 1] : "reason-" key) "(" key ")"
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

# warmup VMM CPUS: the untimed run, console shown, traced if asked.
warmup() {
	vmm=$1 cpus=$2 traced=0
	if [ "$BENCH_TRACE" = 1 ] && trace_start; then
		traced=1
	fi
	say "warmup vmm=$vmm cpus=$cpus traced=$traced at $(uptime_s) s"
	boot "$vmm" "$cpus"
	show_console "$vmm"
	say "warmup vmm=$vmm cpus=$cpus $timing"
	why=$(judge)
	[ -z "$why" ] || say "fail vmm=$vmm cpus=$cpus n=0 $why"
	[ "$traced" = 0 ] || trace_report "$vmm" "$cpus" "$(program "$vmm")"
}

# timed VMM CPUS N: one measured run.
timed() {
	boot "$1" "$2"
	why=$(judge)
	if [ -z "$why" ]; then
		say "run vmm=$1 cpus=$2 n=$3 $timing ok=1"
	else
		say "run vmm=$1 cpus=$2 n=$3 $timing ok=0"
		say "fail vmm=$1 cpus=$2 n=$3 $why"
		show_console "$1" | tail -n 20
	fi
}

if [ "${SHAPEVM_L1_KVM:-0}" != 1 ]; then
	say "fail vmm=all cpus=all n=0 L1 has no /dev/kvm (see the SHAPEVM_L1 lines)"
	exit 0
fi
if [ -z "$qemu" ]; then
	say "fail vmm=qemu cpus=all n=0 L1 has no qemu-system-aarch64 (stage-qemu.sh did not stage it)"
	exit 0
fi
vmms=shapevm
for cpu in $BENCH_QEMU_CPUS; do
	case $cpu in
	host) vmms="$vmms qemu" ;;
	host,*) vmms="$vmms qemu:${cpu#host,}" ;;
	*) say "fail vmm=qemu cpus=all n=0 BENCH_QEMU_CPUS: $cpu is not host or host,PROPS"; exit 0 ;;
	esac
done
say "info begin at $(uptime_s) s: runs=$BENCH_RUNS cpus=$BENCH_CPUS mem=$BENCH_MEM vmms=$vmms"
say "info qemu $("$qemu" --version | head -n 1)"
say "info qemu args: $BENCH_QEMU_ARGS -cpu host[,PROPS] -m $BENCH_MEM -smp CPUS -kernel K -initrd I -append \"console=ttyAMA0 $BENCH_APPEND\""
say "info shapevm args: run -k K -i I -m $BENCH_MEM -c CPUS -p \"console=ttyS0 $BENCH_APPEND\""
say "info shapevm $("$SHAPEVM" --version 2>&1 | head -n 1)"
[ "$BENCH_TRACE" = 1 ] && trace_setup

for cpus in $BENCH_CPUS; do
	for vmm in $vmms; do
		warmup "$vmm" "$cpus"
	done
	say "info timed runs begin at $(uptime_s) s"
	n=1
	while [ "$n" -le "$BENCH_RUNS" ]; do
		# Turn the order every round, so no VMM always runs first: round n
		# starts with the n-th VMM (cyclically).
		order=$(echo "$vmms" | tr ' ' '\n' | awk -v n="$n" '{ v[NR - 1] = $0 }
			END { for (i = 0; i < NR; i++) printf "%s ", v[(i + n - 1) % NR] }')
		for vmm in $order; do
			timed "$vmm" "$cpus" "$n"
		done
		n=$((n + 1))
	done
done
say "info end at $(uptime_s) s"
