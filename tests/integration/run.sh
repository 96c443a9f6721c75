#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Integration tests: boot the test guests (tests/guests) under /dev/kvm and
# check what the guest itself printed and shapevm's exit status, then check
# that bad command lines fail cleanly.
#
#   SHAPEVM=/path/to/shapevm GUESTS=/dir/with/bzImages bash tests/integration/run.sh
#
# Prints one line per case, "ok - NAME" or "not ok - NAME: WHY" (skips are
# "ok - NAME # SKIP WHY"), then "N passed, M failed[, K skipped]", and exits
# non-zero if any case failed.  Optional: VERBOSE=1 shows the output of each
# failed case as "#" lines; KEEP=1 keeps the scratch directory.
#
# What a case relies on is docs/contracts.md; the guests' output formats are
# described at the top of each tests/guests/*.S.
set -u

# Every shapevm run gets this long; a guest that outlives it has hung.
RUN_TIMEOUT=10
# After a signal, shapevm must be gone within this many seconds.
SIGNAL_DEADLINE=2

MIB=$((1 << 20))
GIB=$((1 << 30))
# The planner keeps RAM out of 0x9f000-0xfffff (MP table, ACPI tables), and
# may take those bytes out of the RAM asked for instead of moving them
# elsewhere.  That is the only slack allowed in e820's RAM total: RAM lost to
# the 32-bit MMIO hole must reappear above 4 GiB.
LOW_HOLE_BYTES=$((0x100000 - 0x9f000))

passed=0
failed=0
skipped=0

ok() {
	echo "ok - $1"
	passed=$((passed + 1))
}

skip() {
	echo "ok - $1 # SKIP $2"
	skipped=$((skipped + 1))
}

# not_ok NAME WHY [FILE...]: the files are shown with VERBOSE=1.
not_ok() {
	local name=$1 why=$2 file

	shift 2
	echo "not ok - $name: $why"
	failed=$((failed + 1))
	[ -n "${VERBOSE:-}" ] || return 0
	for file in "$@"; do
		[ -s "$file" ] || continue
		echo "#   ${file##*/}:"
		head -n 40 "$file" | sed -e 's/^/#     /'
	done
}

usage_error() {
	echo "run.sh: $*" >&2
	echo "usage: SHAPEVM=/path/to/shapevm GUESTS=/dir/with/bzImages bash $0" >&2
	exit 2
}

[ -n "${SHAPEVM:-}" ] || usage_error "SHAPEVM is not set"
[ -n "${GUESTS:-}" ] || usage_error "GUESTS is not set"
[ -x "$SHAPEVM" ] || usage_error "SHAPEVM=$SHAPEVM: not an executable file"
[ -d "$GUESTS" ] || usage_error "GUESTS=$GUESTS: not a directory"

work=$(mktemp -d "${TMPDIR:-/tmp}/shapevm-integration.XXXXXX") ||
	usage_error "cannot make a scratch directory"
cleanup() {
	if [ -n "${KEEP:-}" ]; then
		echo "# scratch files kept in $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

have_kvm=1
if [ ! -e /dev/kvm ]; then
	have_kvm=
	echo "# /dev/kvm does not exist: skipping the cases that boot a guest"
elif ! (exec 3<>/dev/kvm) 2>/dev/null; then
	have_kvm=
	echo "# /dev/kvm cannot be opened for reading and writing: skipping the cases that boot a guest"
fi

# describe_status STATUS: a status, with what it means if it is not an exit.
describe_status() {
	case $1 in
	124) echo "124 (timed out after ${RUN_TIMEOUT} s)" ;;
	137) echo "137 (SIGKILL: still running 2 s after the ${RUN_TIMEOUT} s timeout)" ;;
	*)
		if [ "$1" -gt 128 ]; then
			echo "$1 (signal $(($1 - 128)))"
		else
			echo "$1"
		fi
		;;
	esac
}

# vmm NAME [ARG...]: run shapevm with stdin from $stdin_file (default
# /dev/null; "closed" closes it), leaving its stdout (carriage returns
# dropped) in $work/NAME.out, its stderr in $work/NAME.err and its status in
# $status.
status=0
vmm() {
	local name=$1

	shift
	if [ "${stdin_file:-}" = closed ]; then
		vmm_timed "$name" "$@" <&-
	else
		vmm_timed "$name" "$@" <"${stdin_file:-/dev/null}"
	fi
	status=$?
	tr -d '\r' <"$work/$name.raw" >"$work/$name.out"
}

vmm_timed() {
	local name=$1

	shift
	timeout -k 2 "$RUN_TIMEOUT" "$SHAPEVM" "$@" \
		>"$work/$name.raw" 2>"$work/$name.err"
}

# Each check_* sets $why and returns non-zero when the check fails.
why=

first_stderr_line() {
	local line

	line=$(head -n 1 "$work/$1.err")
	[ -z "$line" ] || echo "; stderr: $line"
}

# check_status NAME WANT...: $status is one of WANT.
check_status() {
	local name=$1 want wanted=

	shift
	for want; do
		[ "$status" -eq "$want" ] && return 0
		wanted=${wanted:+$wanted or }$want
	done
	why="exit status $(describe_status "$status"), expected $wanted$(first_stderr_line "$name")"
	return 1
}

# check_sanitizers NAME: no sanitizer report on stderr.
check_sanitizers() {
	local report

	report=$(grep -m 1 -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|ThreadSanitizer|runtime error:' \
		"$work/$1.err") || return 0
	why="sanitizer report: $report"
	return 1
}

# check_line NAME LINE: the guest printed exactly LINE.
check_line() {
	grep -qxF -e "$2" "$work/$1.out" && return 0
	why="guest did not print \"$2\""
	return 1
}

# guest_path GUEST: the bzImage of a test guest.
guest_path() {
	echo "$GUESTS/$1.bzImage"
}

# check_guest GUEST: the guest was built.
check_guest() {
	[ -f "$(guest_path "$1")" ] && return 0
	why="no $(guest_path "$1") (make -C tests/guests OUT=...)"
	return 1
}

# need_guest CASE GUEST: whether CASE can run; reports it if not.
need_guest() {
	if [ -z "$have_kvm" ]; then
		skip "$1" "no usable /dev/kvm"
		return 1
	fi
	check_guest "$2" && return 0
	not_ok "$1" "$why"
	return 1
}

# boot_case CASE GUEST WANT_STATUS WANT_LINE [ARG...]: boot GUEST with the
# args, expect the status and a line of its output.
boot_case() {
	local case=$1 guest=$2 want_status=$3 want_line=$4

	shift 4
	need_guest "$case" "$guest" || return
	run=$guest
	vmm "$run" run -k "$(guest_path "$guest")" "$@"
	check_sanitizers "$run" && check_status "$run" "$want_status" &&
		check_line "$run" "$want_line"
	verdict "$case"
}

#
# bootinfo: parse what the guest printed, then check it piece by piece, so
# one wrong fact does not hide the others.
#
bi_cmdline=
bi_have_cmdline=
bi_ram=
bi_count=
bi_start=()
bi_end=()
bi_type=()
bi_initrd=
bi_bootparams=
bi_entry_rsi=
bi_entry_regs=
bi_done=

parse_bootinfo() {
	local line

	bi_cmdline=''
	bi_have_cmdline=''
	bi_ram=''
	bi_count=''
	bi_initrd=''
	bi_bootparams=''
	bi_entry_rsi=''
	bi_entry_regs=''
	bi_done=''
	bi_start=() bi_end=() bi_type=()
	while IFS= read -r line; do
		case $line in
		"cmdline="*)
			bi_cmdline=${line#cmdline=}
			bi_have_cmdline=1
			;;
		"e820 ram="*)
			if [[ $line =~ ^e820\ ram=([0-9]+)\ entries=([0-9]+)$ ]]; then
				bi_ram=${BASH_REMATCH[1]}
				bi_count=${BASH_REMATCH[2]}
			fi
			;;
		"e820 0x"*)
			if [[ $line =~ ^e820\ (0x[0-9a-f]+)\ (0x[0-9a-f]+)\ ([0-9]+)$ ]]; then
				bi_start+=("$((BASH_REMATCH[1]))")
				bi_end+=("$((BASH_REMATCH[2]))")
				bi_type+=("${BASH_REMATCH[3]}")
			fi
			;;
		"initrd "*) bi_initrd=$line ;;
		"bootparams "*) bi_bootparams=$line ;;
		"entry rsi="*) bi_entry_rsi=$line ;;
		"entry cs="*) bi_entry_regs=$line ;;
		"bootinfo: done") bi_done=1 ;;
		esac
	done <"$work/$1.out"
}

# check_bootinfo_ran: the guest of run $run got to its end and powered off.
check_bootinfo_ran() {
	check_sanitizers "$run" && check_status "$run" 0 || return 1
	[ -n "$bi_done" ] && return 0
	why="guest did not finish (no \"bootinfo: done\")"
	return 1
}

check_cmdline() {
	if [ -z "$bi_have_cmdline" ]; then
		why="no cmdline= line"
		return 1
	fi
	[ "$bi_cmdline" = "$1" ] && return 0
	why="guest saw cmdline \"$bi_cmdline\", expected \"$1\""
	return 1
}

hex() {
	printf '0x%x' "$1"
}

# ram_covers START END: one RAM entry covers [START, END).
ram_covers() {
	local i

	for i in "${!bi_start[@]}"; do
		((bi_type[i] == 1 && bi_start[i] <= $1 && bi_end[i] >= $2)) &&
			return 0
	done
	return 1
}

# ram_overlaps START END: some RAM entry overlaps [START, END).
ram_overlaps() {
	local i

	for i in "${!bi_start[@]}"; do
		((bi_type[i] == 1 && bi_start[i] < $2 && bi_end[i] > $1)) &&
			return 0
	done
	return 1
}

# check_e820 WANT_RAM_BYTES: the map is well formed, matches the contract's
# layout, and holds the RAM asked for.
check_e820() {
	local want=$1 i n sum=0 prev_end=0

	if [ -z "$bi_count" ]; then
		why="no \"e820 ram=N entries=N\" line"
		return 1
	fi
	n=${#bi_start[@]}
	if [ "$n" -ne "$bi_count" ] || [ "$n" -eq 0 ]; then
		why="e820_entries is $bi_count but the guest listed $n entries"
		return 1
	fi
	for ((i = 0; i < n; i++)); do
		case ${bi_type[i]} in
		1 | 2) ;;
		*)
			why="entry $i has type ${bi_type[i]}, expected 1 (RAM) or 2 (reserved)"
			return 1
			;;
		esac
		if [ "${bi_start[i]}" -ge "${bi_end[i]}" ]; then
			why="entry $i is empty: $(hex "${bi_start[i]}")-$(hex "${bi_end[i]}")"
			return 1
		fi
		if [ "$i" -gt 0 ] && [ "${bi_start[i]}" -lt "$prev_end" ]; then
			why="entry $i at $(hex "${bi_start[i]}") is unsorted or overlaps the one before (ending at $(hex "$prev_end"))"
			return 1
		fi
		prev_end=${bi_end[i]}
		[ "${bi_type[i]}" = 1 ] &&
			sum=$((sum + bi_end[i] - bi_start[i]))
	done
	if [ "$sum" -ne "$bi_ram" ]; then
		why="RAM entries add up to $sum, the guest summed $bi_ram"
		return 1
	fi
	if [ "$bi_ram" -gt "$want" ] || [ "$bi_ram" -lt $((want - LOW_HOLE_BYTES)) ]; then
		why="e820 RAM is $bi_ram bytes, expected $want (at most $LOW_HOLE_BYTES less)"
		return 1
	fi
	if ! ram_covers 0 0x9f000; then
		why="no RAM entry covers 0-0x9efff"
		return 1
	fi
	if ram_overlaps 0x9f000 0x100000; then
		why="RAM in 0x9f000-0xfffff (MP table, ACPI tables)"
		return 1
	fi
	if ! ram_covers 0x100000 0x200000; then
		why="no RAM entry from 0x100000"
		return 1
	fi
	if ram_overlaps 0xc0000000 0x100000000; then
		why="RAM in the 32-bit MMIO hole 0xc0000000-0xffffffff"
		return 1
	fi
	return 0
}

# check_high_ram: RAM continues at 4 GiB.
check_high_ram() {
	local i

	for i in "${!bi_start[@]}"; do
		[ "${bi_type[i]}" = 1 ] && [ "${bi_start[i]}" -eq $((4 * GIB)) ] &&
			return 0
	done
	why="no RAM entry starts at 0x100000000"
	return 1
}

# check_initrd SIZE SUM: the guest read the initrd we gave, where it belongs.
check_initrd() {
	local size=$1 sum=$2 addr got_size got_sum

	if ! [[ $bi_initrd =~ ^initrd\ addr=(0x[0-9a-f]+)\ size=([0-9]+)\ sum=(0x[0-9a-f]+|unreachable)$ ]]; then
		why="guest printed \"${bi_initrd:-no initrd line}\""
		return 1
	fi
	addr=$((BASH_REMATCH[1]))
	got_size=${BASH_REMATCH[2]}
	got_sum=${BASH_REMATCH[3]}
	if [ "$got_size" -ne "$size" ]; then
		why="initrd size $got_size, expected $size"
		return 1
	fi
	if [ $((addr % 4096)) -ne 0 ]; then
		why="initrd at $(hex "$addr") is not page aligned"
		return 1
	fi
	if ! ram_covers "$addr" $((addr + size)); then
		why="initrd $(hex "$addr")-$(hex $((addr + size))) is not inside one RAM entry"
		return 1
	fi
	if [ "$got_sum" != "$sum" ]; then
		why="initrd byte sum $got_sum, expected $sum (contents differ)"
		return 1
	fi
	return 0
}

# check_initrd_high SIZE: the initrd sits as high as it can: below
# initrd_addr_max (0x7fffffff) and the top of the highest RAM entry under
# 4 GiB, with less than a page to spare.
check_initrd_high() {
	local size=$1 addr i top=0 limit

	[[ $bi_initrd =~ ^initrd\ addr=(0x[0-9a-f]+) ]] || {
		why="no initrd address"
		return 1
	}
	addr=$((BASH_REMATCH[1]))
	for i in "${!bi_start[@]}"; do
		[ "${bi_type[i]}" = 1 ] && [ "${bi_start[i]}" -lt $((4 * GIB)) ] &&
			top=${bi_end[i]}
	done
	limit=$((top < 0x80000000 ? top : 0x80000000))
	[ $(((limit - size) & ~0xfff)) -eq "$addr" ] && return 0
	why="initrd at $(hex "$addr"), expected $(hex $(((limit - size) & ~0xfff))) (as high as possible below $(hex "$limit"))"
	return 1
}

# check_entry: registers and zero page as the contract fixes them.
check_entry() {
	local regs="entry cs=0x10 ds=0x18 es=0x18 ss=0x18 rflags=0x2"

	if [ "$bi_entry_rsi" != "entry rsi=0x7000" ]; then
		why="guest printed \"${bi_entry_rsi:-no entry rsi= line}\", expected \"entry rsi=0x7000\""
		return 1
	fi
	if [ "$bi_entry_regs" != "$regs" ]; then
		why="guest printed \"${bi_entry_regs:-no entry cs= line}\", expected \"$regs\""
		return 1
	fi
	if ! [[ $bi_bootparams =~ ^bootparams\ loader=0xff\ version=0x20f\ magic=0x53726448\ cmdline_ptr=0x20000\  ]]; then
		why="guest printed \"${bi_bootparams:-no bootparams line}\", expected loader=0xff version=0x20f magic=0x53726448 cmdline_ptr=0x20000"
		return 1
	fi
	return 0
}

# check_acpi: acpi_rsdp_addr points into the reserved ACPI area.
check_acpi() {
	local rsdp i

	if ! [[ $bi_bootparams =~ \ rsdp=(0x[0-9a-f]+)$ ]]; then
		why="no rsdp= in \"${bi_bootparams:-no bootparams line}\""
		return 1
	fi
	rsdp=$((BASH_REMATCH[1]))
	if [ "$rsdp" -lt $((0xe0000)) ] || [ "$rsdp" -ge $((0x100000)) ]; then
		why="acpi_rsdp_addr is $(hex "$rsdp"), expected in 0xe0000-0xfffff"
		return 1
	fi
	for i in "${!bi_start[@]}"; do
		[ "${bi_type[i]}" = 2 ] && [ "${bi_start[i]}" -le "$rsdp" ] &&
			[ "${bi_end[i]}" -gt "$rsdp" ] && return 0
	done
	why="acpi_rsdp_addr $(hex "$rsdp") is not in a reserved e820 entry"
	return 1
}

# The run whose output a failed case shows.
run=

# verdict CASE: report the checks just run; call it right after them, as
# it reads their status.  A failure shows the output of run $run.
verdict() {
	if [ $? -eq 0 ]; then
		ok "$1"
	else
		not_ok "$1" "$why" "$work/$run.out" "$work/$run.err"
	fi
}

# bootinfo_run RUN ARG...: boot bootinfo; $run names the result.
bootinfo_run() {
	run=$1
	shift
	vmm "$run" run -k "$(guest_path bootinfo)" "$@"
	parse_bootinfo "$run"
}

byte_sum() {
	od -An -v -tu1 "$1" |
		awk '{ for (i = 1; i <= NF; i++) s += $i } END { printf "0x%x\n", s % 4294967296 }'
}

test_bootinfo() {
	local initrd=$work/initrd.img sum cmdline="hello world foo=bar"
	local cases=("bootinfo 64M: status" "bootinfo 64M: cmdline"
		"bootinfo 64M: e820" "bootinfo 64M: initrd"
		"bootinfo 64M: initrd placed high" "bootinfo 64M: entry state"
		"bootinfo 64M: ACPI RSDP" "bootinfo no initrd: initrd none"
		"bootinfo default -m: 256 MiB" "bootinfo -m 64: plain number is MiB"
		"bootinfo 5G: e820" "bootinfo 5G: RAM above 4 GiB")
	local c

	if [ -z "$have_kvm" ] || ! check_guest bootinfo; then
		for c in "${cases[@]}"; do
			if [ -z "$have_kvm" ]; then
				skip "$c" "no usable /dev/kvm"
			else
				not_ok "$c" "$why"
			fi
		done
		return
	fi

	head -c 100000 /dev/urandom >"$initrd"
	sum=$(byte_sum "$initrd")

	bootinfo_run bootinfo-64M -m 64M -p "$cmdline" -i "$initrd"
	check_bootinfo_ran
	verdict "${cases[0]}"
	check_bootinfo_ran && check_cmdline "$cmdline"
	verdict "${cases[1]}"
	check_bootinfo_ran && check_e820 $((64 * MIB))
	verdict "${cases[2]}"
	check_bootinfo_ran && check_initrd 100000 "$sum"
	verdict "${cases[3]}"
	check_bootinfo_ran && check_initrd 100000 "$sum" &&
		check_initrd_high 100000
	verdict "${cases[4]}"
	check_bootinfo_ran && check_entry
	verdict "${cases[5]}"
	check_bootinfo_ran && check_acpi
	verdict "${cases[6]}"

	bootinfo_run bootinfo-noinitrd
	check_bootinfo_ran && check_line "$run" "initrd none"
	verdict "${cases[7]}"
	check_bootinfo_ran && check_e820 $((256 * MIB))
	verdict "${cases[8]}"

	bootinfo_run bootinfo-64 -m 64
	check_bootinfo_ran && check_e820 $((64 * MIB))
	verdict "${cases[9]}"

	bootinfo_run bootinfo-5G -m 5G
	check_bootinfo_ran && check_e820 $((5 * GIB))
	verdict "${cases[10]}"
	check_bootinfo_ran && check_high_ram
	verdict "${cases[11]}"
}

#
# echo: input reaches the guest through COM1.
#

# echo_case CASE WHEN: pipe "abcq" to the guest, either at once ("early") or
# once it has said it is ready ("late", so the input arrives while the vCPU
# is polling LSR).
echo_case() {
	local case=$1 when=$2 fifo writer

	need_guest "$case" echo || return
	run=echo-$when
	fifo=$work/$run.fifo
	mkfifo "$fifo" || {
		not_ok "$case" "cannot make $fifo"
		return
	}
	(
		if [ "$when" = late ]; then
			for ((i = 0; i < RUN_TIMEOUT * 20; i++)); do
				grep -q 'echo: ready' "$work/$run.raw" 2>/dev/null &&
					break
				sleep 0.05
			done
		fi
		printf abcq
	) >"$fifo" &
	writer=$!
	stdin_file=$fifo vmm "$run" run -k "$(guest_path echo)"
	# The writer is done, or gets EPIPE now that the reader is gone.
	wait "$writer"
	check_sanitizers "$run" && check_status "$run" 0 &&
		check_line "$run" abc && check_line "$run" "echo: done"
	verdict "$case"
}

#
# pio: port and MMIO accesses nobody claims.
#

# is_floating VALUE BITS: VALUE is all ones or all zeros in BITS bits.
is_floating() {
	[ "$1" = 0x0 ] || [ "$1" = "$(hex $(((1 << $2) - 1)))" ] ||
		{ [ "$2" = 64 ] && [ "$1" = 0xffffffffffffffff ]; }
}

check_mmio() {
	local line bits i

	line=$(grep -m 1 '^mmio: read8=' "$work/$run.out")
	if ! [[ $line =~ ^mmio:\ read8=(0x[0-9a-f]+)\ read16=(0x[0-9a-f]+)\ read32=(0x[0-9a-f]+)\ read64=(0x[0-9a-f]+)$ ]]; then
		why="guest printed \"${line:-no mmio: line}\""
		return 1
	fi
	bits=(8 16 32 64)
	for i in 0 1 2 3; do
		if ! is_floating "${BASH_REMATCH[i + 1]}" "${bits[i]}"; then
			why="a ${bits[i]}-bit read of unassigned MMIO gave ${BASH_REMATCH[i + 1]}, expected all ones or 0"
			return 1
		fi
	done
	line=$(grep -m 1 '^mmio: after-write32=' "$work/$run.out")
	if ! [[ $line =~ ^mmio:\ after-write32=(0x[0-9a-f]+)$ ]] ||
	   ! is_floating "${BASH_REMATCH[1]}" 32; then
		why="after writing 0x5a5a5a5a to unassigned MMIO the guest printed \"${line:-nothing}\", expected all ones or 0"
		return 1
	fi
	return 0
}

# The PIT exists by default: its speaker port never reads all ones.
check_pit_present() {
	local value

	value=$(sed -n 's/^pit: port61=//p' "$work/$1.out")
	[ -n "$value" ] && [ "$value" != 0xff ] && return 0
	why="port 0x61 read '${value:-nothing}': no in-kernel PIT"
	return 1
}

test_pio() {
	local cases=("pio: writes to an unassigned port" "pio: unassigned ports read all ones; the RTC answers"
		"pio: rep outsb to COM1" "pio: MMIO to the hole reads all ones or 0, writes vanish"
		"pio: powers off")
	local c

	if ! need_guest "${cases[0]}" pio; then
		for c in "${cases[@]:1}"; do
			if [ -z "$have_kvm" ]; then
				skip "$c" "no usable /dev/kvm"
			else
				not_ok "$c" "$why"
			fi
		done
		return
	fi
	run=pio
	vmm "$run" run -k "$(guest_path pio)"
	check_sanitizers "$run" && check_line "$run" "pio: out8 out16 out32 done"
	verdict "${cases[0]}"
	check_sanitizers "$run" &&
		check_line "$run" "pio: in8=0xff in16=0xffff in32=0xffffffff" &&
		check_line "$run" "rtc: rega=0x26 century=0x20" &&
		check_pit_present "$run"
	verdict "${cases[1]}"
	check_sanitizers "$run" && check_line "$run" "pio: rep outsb ok"
	verdict "${cases[2]}"
	check_sanitizers "$run" && check_mmio
	verdict "${cases[3]}"
	check_sanitizers "$run" && check_status "$run" 0 &&
		check_line "$run" "pio: done"
	verdict "${cases[4]}"
}

#
# Signals: a guest that never stops ends when shapevm is told to.
#

# alive PID: PID runs and is not a zombie waiting to be reaped.
alive() {
	local state

	state=$(sed -e 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "${state:0:1}" != Z ]
}

# Background jobs of a script start with SIGINT ignored; give shapevm the
# default disposition, as it has when started from a terminal.
signal_reset=()
if env --default-signal=INT true 2>/dev/null; then
	signal_reset=(env "--default-signal=INT,TERM")
fi

# signal_case CASE SIGNAL WANT_STATUS
signal_case() {
	local case=$1 sig=$2 want=$3 pid i start ms

	need_guest "$case" spin || return
	run=spin-$sig
	"${signal_reset[@]}" "$SHAPEVM" run -k "$(guest_path spin)" \
		</dev/null >"$work/$run.raw" 2>"$work/$run.err" &
	pid=$!
	for ((i = 0; i < RUN_TIMEOUT * 20; i++)); do
		grep -q 'spin: spinning forever' "$work/$run.raw" 2>/dev/null &&
			break
		alive "$pid" || break
		sleep 0.05
	done
	if ! grep -q 'spin: spinning forever' "$work/$run.raw" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid"
		status=$?
		tr -d '\r' <"$work/$run.raw" >"$work/$run.out"
		why="the guest never printed its line (exit status $(describe_status "$status"))$(first_stderr_line "$run")"
		false
		verdict "$case"
		return
	fi
	start=${EPOCHREALTIME/./}
	kill -"$sig" "$pid"
	for ((i = 0; i < SIGNAL_DEADLINE * 50; i++)); do
		alive "$pid" || break
		sleep 0.02
	done
	ms=$(((${EPOCHREALTIME/./} - start) / 1000))
	if alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid"
		tr -d '\r' <"$work/$run.raw" >"$work/$run.out"
		why="still running ${SIGNAL_DEADLINE} s after SIG$sig"
		false
	else
		wait "$pid"
		status=$?
		tr -d '\r' <"$work/$run.raw" >"$work/$run.out"
		if ! check_sanitizers "$run" || ! check_status "$run" "$want"; then
			why="$why (after ${ms} ms)"
			false
		fi
	fi
	verdict "$case"
}

# privilege_case CASE: while a guest runs, shapevm holds no capabilities,
# cannot gain any (NoNewPrivs) and runs under its seccomp filter (mode 2;
# sanitizer builds leave the filter out, their runtimes need more calls).
privilege_case() {
	local case=$1 pid i status_file want_seccomp=2

	need_guest "$case" spin || return
	run=privilege
	grep -q __asan_init "$SHAPEVM" 2>/dev/null && want_seccomp=0
	"$SHAPEVM" run -k "$(guest_path spin)" </dev/null \
		>"$work/$run.raw" 2>"$work/$run.err" &
	pid=$!
	for ((i = 0; i < RUN_TIMEOUT * 20; i++)); do
		grep -q 'spin: spinning forever' "$work/$run.raw" 2>/dev/null && break
		sleep 0.05
	done
	status_file=$work/$run.status
	cat "/proc/$pid/status" >"$status_file" 2>/dev/null
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	status=$?
	: >"$work/$run.out"
	if ! grep -q 'spin: spinning forever' "$work/$run.raw"; then
		why="the guest never printed its line"
		false
	elif ! grep -qE '^CapEff:[[:space:]]+0+$' "$status_file"; then
		why="capabilities left: $(grep CapEff "$status_file")"
		false
	elif ! grep -qE '^NoNewPrivs:[[:space:]]+1$' "$status_file"; then
		why="NoNewPrivs is not set"
		false
	elif ! grep -qE "^Seccomp:[[:space:]]+$want_seccomp\$" "$status_file"; then
		why="$(grep '^Seccomp:' "$status_file"), want $want_seccomp"
		false
	else
		check_status "$run" 143
	fi
	verdict "$case"
}

# stuck_output_case CASE: the guest floods a pipe nobody reads, so its vCPU
# blocks writing to stdout; SIGTERM must still end shapevm, with 143.
stuck_output_case() {
	local case=$1 pid i fifo

	need_guest "$case" flood || return
	run=flood
	fifo=$work/flood.fifo
	mkfifo "$fifo"
	# Held open read-write and never read: writes block once it is full.
	exec 9<>"$fifo"
	"${signal_reset[@]}" "$SHAPEVM" run -k "$(guest_path flood)" \
		</dev/null >&9 2>"$work/$run.err" &
	pid=$!
	sleep 0.5
	kill -TERM "$pid"
	for ((i = 0; i < SIGNAL_DEADLINE * 50; i++)); do
		alive "$pid" || break
		sleep 0.02
	done
	if alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid"
		why="still running ${SIGNAL_DEADLINE} s after SIGTERM with stdout blocked"
		false
	else
		wait "$pid"
		status=$?
		: >"$work/$run.out"
		check_sanitizers "$run" && check_status "$run" 143
	fi
	exec 9>&-
	verdict "$case"
}

#
# Command-line errors: the right status, one line on stderr that starts with
# "shapevm: " and names what was wrong.
#

# check_error_line RUN: stderr is exactly one line "shapevm: ...".
check_error_line() {
	local lines

	lines=$(awk 'END { print NR }' "$work/$1.err")
	if [ "$lines" -ne 1 ]; then
		why="$lines lines on stderr, expected 1$(first_stderr_line "$1")"
		return 1
	fi
	if ! grep -q '^shapevm: ' "$work/$1.err"; then
		why="stderr line does not start with \"shapevm: \"$(first_stderr_line "$1")"
		return 1
	fi
	return 0
}

# check_mentions RUN MENTION...: the error names each MENTION, where a
# MENTION is alternatives split by "|", matched ignoring case.
check_mentions() {
	local run_name=$1 mention alt alts

	shift
	for mention; do
		IFS='|' read -ra alts <<<"$mention"
		for alt in "${alts[@]}"; do
			grep -qiF -e "$alt" "$work/$run_name.err" && continue 2
		done
		why="the error does not name \"${mention//|/\" or \"}\"$(first_stderr_line "$run_name")"
		return 1
	done
	return 0
}

# cli_case CASE STATUSES MENTION... -- ARG...: STATUSES is a comma list.
cli_number=0
cli_case() {
	local case=$1 statuses mentions=()

	IFS=, read -ra statuses <<<"$2"
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		mentions+=("$1")
		shift
	done
	shift
	cli_number=$((cli_number + 1))
	run=cli-$cli_number
	vmm "$run" "$@"
	check_sanitizers "$run" && check_status "$run" "${statuses[@]}" &&
		check_error_line "$run" && check_mentions "$run" "${mentions[@]}"
	verdict "$case"
}

# check_info_output RUN PATTERN: a --help/--version style success: status 0,
# nothing on stderr, stdout matching PATTERN (extended regex, any case).
check_info_output() {
	check_sanitizers "$1" && check_status "$1" 0 || return 1
	if [ -s "$work/$1.err" ]; then
		why="stderr is not empty$(first_stderr_line "$1")"
		return 1
	fi
	grep -qiE -e "$2" "$work/$1.out" && return 0
	why="stdout does not match /$2/: \"$(head -n 1 "$work/$1.out")\""
	return 1
}

test_cli() {
	local hello bootinfo size setup kvm_alt=
	local dir=$work/kernel-dir missing=$work/no-such-kernel.bzImage
	local unreadable=$work/unreadable.bzImage notbz=$work/notbz.bzImage
	local short=$work/truncated-1000.bzImage half=$work/truncated-half.bzImage
	local noinitrd=$work/no-such-initrd.img big=$work/initrd-32M.img

	hello=$(guest_path hello)
	bootinfo=$(guest_path bootinfo)
	# Without KVM, shapevm may fail on /dev/kvm before it looks at a file.
	[ -n "$have_kvm" ] || kvm_alt="|/dev/kvm"

	run=cli-help
	vmm "$run" --help
	check_info_output "$run" 'usage.*run|run.*usage'
	verdict "--help: usage on stdout, exit 0"
	run=cli-version
	vmm "$run" --version
	check_info_output "$run" '[0-9]'
	verdict "--version: exit 0"

	if ! check_guest hello || ! check_guest bootinfo; then
		not_ok "command-line errors" "$why"
		return
	fi

	cli_case "unknown flag: exit 2" 2 --frobnicate -- \
		run -k "$hello" --frobnicate
	cli_case "run without -k: exit 2" 2 "-k|kernel" -- run
	cli_case "-m 0: exit 2" 2 "-m|mem" -- run -k "$hello" -m 0
	cli_case "-m 3Q: exit 2" 2 3Q -- run -k "$hello" -m 3Q
	cli_case "-c 0: exit 2" 2 "-c|cpu" -- run -k "$hello" -c 0
	# Out of KVM's range is a host limit (1) or, if shapevm knows the
	# limit while parsing, a bad value (2).
	cli_case "-c 100000: exit 1 or 2" 1,2 "100000$kvm_alt" -- \
		run -k "$hello" -c 100000
	cli_case "--kvm /nonexistent: exit 1" 1 /nonexistent -- \
		run -k "$hello" --kvm /nonexistent

	cli_case "missing kernel: exit 1" 1 "$missing$kvm_alt" -- \
		run -k "$missing"
	mkdir -p "$dir"
	cli_case "kernel is a directory: exit 1" 1 "$dir$kvm_alt" -- \
		run -k "$dir"
	cp "$hello" "$unreadable" && chmod 000 "$unreadable"
	if [ -r "$unreadable" ]; then
		skip "unreadable kernel: exit 1" "permissions do not stop this user (root) reading"
	else
		cli_case "unreadable kernel: exit 1" 1 "$unreadable$kvm_alt" -- \
			run -k "$unreadable"
	fi
	head -c 65536 /dev/urandom >"$notbz"
	cli_case "kernel is not a bzImage: exit 1" 1 "$notbz$kvm_alt" -- \
		run -k "$notbz"
	head -c 1000 "$bootinfo" >"$short"
	cli_case "bzImage cut to 1000 bytes: exit 1" 1 "$short$kvm_alt" -- \
		run -k "$short"
	size=$(stat -c %s "$bootinfo")
	setup=$((($(od -An -tu1 -j $((0x1f1)) -N 1 "$bootinfo") + 1) * 512))
	head -c $((setup + (size - setup) / 2)) "$bootinfo" >"$half"
	cli_case "bzImage cut inside the 64-bit part: exit 1" 1 "$half$kvm_alt" -- \
		run -k "$half"
	cli_case "missing initrd: exit 1" 1 "$noinitrd$kvm_alt" -- \
		run -k "$hello" -i "$noinitrd"
	truncate -s 32M "$big"
	cli_case "initrd bigger than RAM: exit 1" 1 "$big|initrd$kvm_alt" -- \
		run -k "$hello" -m 16M -i "$big"
	test_kvm_permission
}

# No permission on the KVM device: as root, drop to nobody to see it.
test_kvm_permission() {
	local case="no permission on /dev/kvm: exit 1" kvm_mode

	if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
		skip "$case" "needs root and setpriv to become another user"
		return
	fi
	kvm_mode=$(stat -c %a /dev/kvm 2>/dev/null)
	if [ -z "$kvm_mode" ] || [ "${kvm_mode: -1}" -ge 6 ]; then
		skip "$case" "/dev/kvm is missing or open to everyone (mode ${kvm_mode:-none})"
		return
	fi
	cli_number=$((cli_number + 1))
	run=cli-$cli_number
	# nobody may not reach the build tree (a clone under mktemp -d is
	# 0700): run copies from a directory anyone can enter.
	open_dir=$(mktemp -d) && chmod 755 "$open_dir" &&
		cp "$SHAPEVM" "$open_dir/shapevm" && cp "$hello" "$open_dir/hello" &&
		chmod 755 "$open_dir/shapevm" && chmod 644 "$open_dir/hello" || {
		not_ok "$case" "cannot stage shapevm where nobody can run it"
		return
	}
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		timeout -k 2 "$RUN_TIMEOUT" "$open_dir/shapevm" run -k "$open_dir/hello" \
		</dev/null >"$work/$run.raw" 2>"$work/$run.err"
	status=$?
	rm -rf "$open_dir"
	tr -d '\r' <"$work/$run.raw" >"$work/$run.out"
	check_sanitizers "$run" && check_status "$run" 1 &&
		check_error_line "$run" && check_mentions "$run" /dev/kvm permission
	verdict "$case"
}

test_cli
boot_case "hello: prints and powers off, exit 0" hello 0 "hello from shapevm"
boot_case "hello with 2 vCPUs: exit 0" hello 0 "hello from shapevm" -c 2
boot_case "--no-pit: no PIT behind port 0x61, exit 0" pio 0 "pit: port61=0xff" --no-pit
# As under CI: no standard input at all, so fd 0 is free for shapevm's
# first open().
stdin_file=closed boot_case "hello with stdin closed: exit 0" hello 0 \
	"hello from shapevm"
boot_case "reset: exit 3" reset 3 "reset: resetting through port 0x64"
boot_case "crash (triple fault): exit 4" crash 4 "crash: triple faulting"
test_bootinfo
echo_case "echo: input piped before boot" early
echo_case "echo: input arriving while the guest polls" late
test_pio
signal_case "SIGTERM: exit 143 within ${SIGNAL_DEADLINE} s" TERM 143
signal_case "SIGINT: exit 130 within ${SIGNAL_DEADLINE} s" INT 130
stuck_output_case "SIGTERM with stdout blocked: exit 143 within ${SIGNAL_DEADLINE} s"
privilege_case "while the guest runs: no capabilities, NoNewPrivs, seccomp filter"

summary="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || summary+=", $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
