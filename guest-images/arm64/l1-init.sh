#!/bin/busybox sh
# shellcheck shell=dash source-path=SCRIPTDIR
# /init of the emulated arm64 L1 host (QEMU TCG, "-M virt,virtualization=on"
# with "-cpu max": Linux starts at EL2 and runs KVM in VHE mode, nested on
# TCG's EL2; an emulated GICv3 with an ITS, and an SMMUv3). KVM is built into
# Debian's kernel; it loads VFIO and the tap/vhost-net modules
# (arm64/l1-modules.txt, dependencies from modules.dep), binds QEMU's edu
# device (1234:11e8) and e1000e NIC (8086:10d3), behind the SMMUv3 (or a
# virtio-iommu), to vfio-pci, then runs /cases.sh with
# the cases named by shapevm.cases= on its command line, and powers L1 off so
# QEMU exits.
#
# What /cases.sh gets, in its environment:
#   SHAPEVM               /shapevm, the static arm64 VMM under test
#   SHAPEVM_GUEST_KERNEL  /guest/Image (a raw arm64 Image)
#   SHAPEVM_GUEST_INITRD  /guest/initrd.cpio.gz
#   SHAPEVM_L1_KVM        1 if /dev/kvm is there, else 0
#   SHAPEVM_CASE_TIMEOUT  seconds each VMM run may take (shapevm.case_timeout=)
#   SHAPEVM_EDU_BDF       edu's PCI address, bound to vfio-pci; empty when
#                         there is no edu or it could not be bound
#   SHAPEVM_E1000E_BDF    the same for QEMU's e1000e NIC (8086:10d3)
#   SHAPEVM_QEMU          /usr/bin/qemu-system-aarch64 when the image has
#                         Debian's arm64 QEMU (arm64/stage-qemu.sh), else empty
# Lines starting "SHAPEVM_L1:" report on L1 itself, for the host's log: what
# its KVM offers (VHE, the IPA size, vGICv2 or not) comes from the kernel's
# "kvm [1]:" messages.
set -u

/bin/busybox mkdir -p /proc /sys /dev /tmp /root /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

# shellcheck source=../lib/modules.sh
. /lib/shapevm/modules.sh

uptime_s() { cut -d' ' -f1 /proc/uptime; }

# cmdline_arg NAME DEFAULT: the value of shapevm.NAME= on the command line.
# (Dotted words are not passed to init as arguments or environment.)
cmdline_arg() {
	read -r words </proc/cmdline
	for word in $words; do
		case $word in
		shapevm."$1"=*) echo "${word#*=}"; return ;;
		esac
	done
	echo "$2"
}

echo "SHAPEVM_L1: init reached at $(uptime_s) s: Linux $(uname -r), $(nproc) CPU, $(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo) MiB"
kvm=0
if [ -c /dev/kvm ]; then
	kvm=1
	echo "SHAPEVM_L1: /dev/kvm ready at $(uptime_s) s"
else
	echo "SHAPEVM_L1: no /dev/kvm (did Linux start at EL2? -M virt,virtualization=on)"
fi
# KVM's own account of itself: "VHE mode initialized successfully", "IPA
# Size Limit: N bits", "GICv3: no GICV resource entry" (no vGICv2 for
# guests), "vgic interrupt IRQ...", "GICv4 support disabled" and the like.
dmesg | sed -n 's/^\[[ 0-9.]*\] //; s/^kvm \[[0-9]*\]: /SHAPEVM_L1: kvm: /p' | head -n 20
modules_load_list /etc/shapevm/modules
echo "SHAPEVM_L1: modules loaded at $(uptime_s) s"

# find_pci VENDOR:DEVICE: the PCI address of the first such device, or nothing.
find_pci() {
	for dev in /sys/bus/pci/devices/*; do
		[ "$(cat "$dev/vendor"):$(cat "$dev/device")" = "$1" ] || continue
		basename "$dev"
		return
	done
}

# bind_vfio BDF: hand the device to vfio-pci. driver_override binds this one
# device only, whatever else shares its IDs.
bind_vfio() {
	dev=/sys/bus/pci/devices/$1
	[ -e "$dev/driver" ] && echo "$1" >"$dev/driver/unbind"
	echo vfio-pci >"$dev/driver_override" &&
		echo "$1" >/sys/bus/pci/drivers_probe &&
		[ "$(basename "$(readlink "$dev/driver")")" = vfio-pci ]
}

# assign NAME VENDOR:DEVICE: find the device and bind it to vfio-pci; its
# address on stdout, or nothing when it is missing or would not bind. Its
# IOMMU group and the group's reserved regions (the IOMMU's MSI window, over
# which the planner puts the guest's ITS or GICv2m doorbell) go to the log.
assign() {
	bdf=$(find_pci "$2")
	if [ -z "$bdf" ]; then
		echo "SHAPEVM_L1: no $1 device ($2) on the PCI bus" >&2
		return
	fi
	if ! bind_vfio "$bdf" 2>/tmp/bind.err; then
		echo "SHAPEVM_L1: $1 $bdf: cannot bind it to vfio-pci: $(cat /tmp/bind.err) (its driver: $(basename "$(readlink "/sys/bus/pci/devices/$bdf/driver")" 2>/dev/null))" >&2
		return
	fi
	group=$(basename "$(readlink "/sys/bus/pci/devices/$bdf/iommu_group")")
	echo "SHAPEVM_L1: $1 $bdf bound to vfio-pci at $(uptime_s) s: IOMMU group $group (devices: $(cd "/sys/kernel/iommu_groups/$group/devices" && echo *)), /dev/vfio: $(cd /dev/vfio && echo *)" >&2
	while read -r region; do
		echo "SHAPEVM_L1: $1 reserved region: $region" >&2
	done <"/sys/kernel/iommu_groups/$group/reserved_regions"
	echo "$bdf"
}

edu=$(assign edu 0x1234:0x11e8)
e1000e=$(assign e1000e 0x8086:0x10d3)

qemu=
[ ! -x /usr/bin/qemu-system-aarch64 ] || qemu=/usr/bin/qemu-system-aarch64

SHAPEVM_CASE_TIMEOUT=$(cmdline_arg case_timeout 120)
export SHAPEVM=/shapevm SHAPEVM_GUEST_KERNEL=/guest/Image \
	SHAPEVM_GUEST_INITRD=/guest/initrd.cpio.gz SHAPEVM_L1_KVM=$kvm \
	SHAPEVM_CASE_TIMEOUT SHAPEVM_EDU_BDF="$edu" SHAPEVM_E1000E_BDF="$e1000e" SHAPEVM_QEMU="$qemu"
# The case names are split into arguments on purpose.
# shellcheck disable=SC2046
sh /cases.sh $(cmdline_arg cases "" | tr , ' ')
echo "SHAPEVM_L1: done at $(uptime_s) s"

# Let the UART send everything before the power goes (see guest-init.sh).
timeout 2 stty -F /dev/console "$(stty -F /dev/console -g)" 2>/dev/null
poweroff -f
while :; do sleep 3600; done
