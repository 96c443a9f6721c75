#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The planner from the command line: "shapevm plan", "host-facts", --check,
# and "run" with --host-reserved and --plan, where a guest (tests/guests
# bootinfo) reports the e820 map it was given.
#
#   SHAPEVM=/path/to/shapevm GUESTS=/dir/with/bzImages bash tests/integration/plan.sh
#
# Prints "ok - NAME" / "not ok - NAME: WHY" per case, then the counts; exits
# non-zero if any case failed. VERBOSE=1 shows a failed case's output.
set -u

passed=0 failed=0 skipped=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ok() { echo "ok - $1"; passed=$((passed + 1)); }
skip() { echo "ok - $1 # SKIP $2"; skipped=$((skipped + 1)); }
not_ok() {
	echo "not ok - $1: $2"
	failed=$((failed + 1))
	if [ -n "${VERBOSE:-}" ]; then
		sed -e 's/^/#   out: /' "$work/out" | head -n 40
		sed -e 's/^/#   err: /' "$work/err" | head -n 20
	fi
}

# sv ARG...: shapevm with its output in $work/out and $work/err, status in $status.
sv() {
	timeout -k 2 20 "$SHAPEVM" "$@" </dev/null >"$work/out" 2>"$work/err"
	status=$?
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$work/err"; then
		status=99
	fi
}

# expect CASE STATUS [out|err PATTERN]...: status and fixed strings in stdout/stderr.
expect() {
	local case=$1 want=$2 stream pattern

	shift 2
	if [ "$status" != "$want" ]; then
		not_ok "$case" "exit $status, expected $want: $(head -n 1 "$work/err")"
		return 1
	fi
	while [ $# -ge 2 ]; do
		stream=$1 pattern=$2
		shift 2
		if ! grep -qF -e "$pattern" "$work/$stream"; then
			not_ok "$case" "$stream lacks \"$pattern\": $(head -n 1 "$work/err")"
			return 1
		fi
	done
	ok "$case"
}

cat >"$work/intel.txt" <<'EOF'
# An Intel host: the MSI window and an RMRR in the middle of low RAM.
0x00000000fee00000 0x00000000feefffff msi
0x00000000bdf6e000 0x00000000bdf84fff direct
iova-range 0x0000000000000000 0x00000000fedfffff
iova-range 0x00000000fef00000 0x0000007fffffffff
phys-bits 46
EOF
cat >"$work/amd.txt" <<'EOF'
0x00000000fee00000 0x00000000feefffff msi
0x000000fd00000000 0x000000ffffffffff reserved
phys-bits 48
EOF
cat >"$work/armA.txt" <<'EOF'
0x0000000008000000 0x00000000080fffff msi
EOF
cat >"$work/armB.txt" <<'EOF'
0x0000000008000000 0x00000000080fffff msi
0x00000000c6010000 0x00000000c601ffff msi
0x0000000048000000 0x0000000048ffffff direct-relaxable
EOF
cat >"$work/bad.txt" <<'EOF'
# fine
0x00000000fee00000 0x00000000feefffff msi
0x1000 0x2000 msii
EOF
# 32 MiB into RAM, ending off a 4 KiB boundary: the guest must see the hole.
cat >"$work/rmrr.txt" <<'EOF'
0x0000000003000000 0x0000000003016fff direct
EOF

sv plan -m 4G --host-reserved "$work/intel.txt"
expect "plan around an RMRR: hole, banks end and start at it" 0 \
	out "0x00000000bdf6e000 0x00000000bdf84fff      92K  hole" \
	out "0x00000000bdf85000 0x00000000bfffffff" \
	out "kept out of RAM: hole0" \
	out "MSI doorbell: 0xfee00000-0xfeefffff, x86's architectural MSI window"

sv plan -m 1T --host-reserved "$work/intel.txt"
expect "1 TiB with a 39-bit IOVA aperture: exit 1, says what fits" 1 \
	err "IOVA ranges" err "Ask for at most"

sv plan -m 1500G --host-reserved "$work/amd.txt" --json
cp "$work/out" "$work/amd-plan.json"
expect "1.5 TiB on AMD: JSON plan" 0 out '"arch": "x86_64"' out '"doorbell"'
sv plan -m 1500G --host-reserved "$work/amd.txt" --json
if cmp -s "$work/out" "$work/amd-plan.json"; then
	ok "the same input gives byte-identical JSON"
else
	not_ok "the same input gives byte-identical JSON" "two runs differ"
fi
sv plan -m 1500G --host-reserved "$work/amd.txt"
expect "1.5 TiB on AMD: RAM skips the HyperTransport hole" 0 \
	out "0x000000fd00000000 0x000000ffffffffff      12G  hole" \
	out "0x0000010000000000 "

sv plan --check "$work/amd-plan.json" --host-reserved "$work/amd.txt"
expect "--check: the saved plan is valid for its host" 0 out "valid for x86_64"
sv plan --check "$work/amd-plan.json" --host-reserved "$work/intel.txt"
expect "--check: the same plan on a 39-bit host: exit 1, names the bank" 1 \
	err "not inside $work/intel.txt's IOVA ranges"

sv plan --arch arm64 -m 8G --host-reserved "$work/armA.txt" --host-reserved "$work/armB.txt"
expect "arm64, two hosts: the ITS on the msi window, RAM off the doorbells" 0 \
	out "0x0000000008000000 0x000000000801ffff     128K  msi         gic-its" \
	out "MSI doorbell: 0x8010000-0x801ffff, on $work/armA.txt's msi window" \
	out "0x00000000c6010000 0x00000000c601ffff      64K  hole" \
	out "0x0000000048000000 0x0000000048ffffff      16M  hole"
sv plan --arch arm64 -m 8G --host-reserved "$work/armB.txt" --allow-relaxable
expect "--allow-relaxable: RAM on the relaxable region" 0 \
	out "RAM placed on it (--allow-relaxable)"

sv plan -m 1G --host-reserved "$work/bad.txt"
expect "malformed host file: exit 1, names file and line" 1 err "bad.txt:3"
sv plan -m 1G --host-reserved "$work/none.txt"
expect "missing host file: exit 1, names it" 1 err "none.txt"
sv plan -m 1G --frobnicate
expect "plan: unknown flag: exit 2" 2 err "--frobnicate"
sv host-facts -m 1G
expect "host-facts takes no -m: exit 2" 2 err "--mem"

# A recorded sysfs tree: one device to assign, a peer in its group.
root=$work/sys
mkdir -p "$root/devices/pci0000:00/0000:03:00.0" "$root/devices/pci0000:00/0000:03:00.1" \
	"$root/bus/pci/devices" "$root/kernel/iommu_groups/7/devices"
for dev in 0000:03:00.0 0000:03:00.1; do
	ln -s "../../../devices/pci0000:00/$dev" "$root/bus/pci/devices/$dev"
	ln -s "../../../../kernel/iommu_groups/7" "$root/devices/pci0000:00/$dev/iommu_group"
	ln -s "../../../../devices/pci0000:00/$dev" "$root/kernel/iommu_groups/7/devices/$dev"
done
printf '0x00000000fee00000 0x00000000feefffff msi\n0x00000000bdf6e000 0x00000000bdf84fff direct\n' \
	>"$root/kernel/iommu_groups/7/reserved_regions"
{
	printf '0x00000000d0000000 0x00000000d0ffffff 0x0000000000140204\n'
	for _ in 1 2 3 4 5 6; do printf '0x0000000000000000 0x0000000000000000 0x0000000000000000\n'; done
} >"$root/devices/pci0000:00/0000:03:00.0/resource"
{
	printf '0x00000000d1000000 0x00000000d10fffff 0x0000000000040200\n'
	printf '0x000000000000e000 0x000000000000e01f 0x0000000000040101\n'
	for _ in 1 2 3 4 5; do printf '0x0000000000000000 0x0000000000000000 0x0000000000000000\n'; done
} >"$root/devices/pci0000:00/0000:03:00.1/resource"

sv plan -m 4G --vfio 0000:03:00.0 --sysfs-root "$root"
expect "plan --vfio on a recorded sysfs tree: group regions and the peer BAR" 0 \
	out "0x00000000bdf6e000 0x00000000bdf84fff      92K  hole" \
	out "0x00000000d1000000 0x00000000d10fffff peer-bar"
sv host-facts --vfio 0000:03:00.0 --sysfs-root "$root"
cp "$work/out" "$work/recorded.txt"
expect "host-facts on the recorded tree" 0 \
	out "0x00000000fee00000 0x00000000feefffff msi" \
	out "0x00000000d1000000 0x00000000d10fffff peer-bar"
sv plan -m 4G --host-reserved "$work/recorded.txt"
expect "host-facts output plans again as a host file" 0 \
	out "0x00000000bdf6e000 0x00000000bdf84fff      92K  hole"
sv plan -m 4G --vfio 0000:09:00.0 --sysfs-root "$root"
expect "--vfio of a device that is not there: exit 1" 1 err "0000:09:00.0"

# run --vfio checks each device in sysfs before anything else is set up:
# one line naming the flag and the device, exit 1 (no IOMMU needed).
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	sv run -k /dev/null --vfio 0000:ff:1f.7
	expect "run --vfio of a device that is not there: one line, exit 1" 1 \
		err "shapevm: --vfio 0000:ff:1f.7: no such PCI device"
	[ "$(wc -l <"$work/err")" = 1 ] || not_ok "run --vfio missing device: one line" \
		"$(wc -l <"$work/err") lines"
	sv run -k /dev/null --vfio 3:0
	expect "run --vfio of a bad address: usage error" 2 err "--vfio \"3:0\": not a PCI address"
	sv run -k /dev/null --vfio ""
	expect "run --vfio with an empty value: usage error" 2 err "--vfio: empty value"
else
	skip "run --vfio of a device that is not there" "no usable /dev/kvm"
fi

# run: the guest's e820 shows the hole the host file made.
have_kvm=1
(exec 3<>/dev/kvm) 2>/dev/null || have_kvm=
bootinfo=$GUESTS/bootinfo.bzImage
# e820_has START END TYPE: bootinfo printed that entry.
e820_has() {
	grep -qxF "e820 $1 $2 $3" <(tr -d '\r' <"$work/out")
}
run_case() {
	local case=$1

	shift
	if [ -z "$have_kvm" ]; then
		skip "$case" "no usable /dev/kvm"
		return 1
	fi
	if [ ! -f "$bootinfo" ]; then
		not_ok "$case" "no $bootinfo"
		return 1
	fi
	sv run -k "$bootinfo" "$@"
	return 0
}
case="run --host-reserved: the guest's e820 has the hole, RAM total kept"
if run_case "$case" -m 128M --host-reserved "$work/rmrr.txt"; then
	if [ "$status" = 0 ] && e820_has 0x3000000 0x3017000 2 &&
		grep -q "e820 ram=$((128 << 20)) " "$work/out"; then
		ok "$case"
	else
		not_ok "$case" "exit $status; e820: $(grep -c '^e820' "$work/out") lines"
	fi
fi
sv plan -m 128M --host-reserved "$work/rmrr.txt" --json
cp "$work/out" "$work/small-plan.json"
case="run --plan: boots with exactly the saved layout"
if run_case "$case" --plan "$work/small-plan.json"; then
	if [ "$status" = 0 ] && e820_has 0x3000000 0x3017000 2; then
		ok "$case"
	else
		not_ok "$case" "exit $status"
	fi
fi
case="run --plan with a different -m: exit 1"
if run_case "$case" --plan "$work/small-plan.json" -m 256M; then
	expect "$case" 1 err "--mem"
fi
sv plan -m 128M --json
cp "$work/out" "$work/plain-plan.json"
case="run --plan that a host region breaks: exit 1, names the bank"
if run_case "$case" --plan "$work/plain-plan.json" --host-reserved "$work/rmrr.txt"; then
	expect "$case" 1 err "overlaps $work/rmrr.txt's direct region 0x3000000-0x3016fff"
fi

# 100 host regions inside RAM: more e820 entries than the zero page holds.
for i in $(seq 0 99); do
	printf '0x%016x 0x%016x direct\n' $((0x2000000 + i * 0x100000)) $((0x2000000 + i * 0x100000 + 0xfff))
done >"$work/many.txt"
case="run with 100 host holes: e820 overflows into setup_data, the guest boots"
if run_case "$case" -m 256M --host-reserved "$work/many.txt"; then
	if [ "$status" = 0 ] && grep -q "e820 ram=[0-9]* entries=128" "$work/out" &&
		e820_has 0x2000000 0x2001000 2; then
		ok "$case"
	else
		not_ok "$case" "exit $status; $(grep 'e820 ram' "$work/out")"
	fi
fi

summary="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || summary+=", $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
