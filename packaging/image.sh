#!/usr/bin/env bash
# The kamgw OCI image and the Home Assistant add-on folder, built from the Debian packages of
# this tree (packaging/setup.sh image and addon call this; run as root):
#
#   packaging/image.sh addon ARCH...   the add-on folder with the packages of each architecture
#                                      (amd64 arm64 armhf) in build/ha-addon/kamgw/
#   packaging/image.sh base ARCH       a Debian bookworm base image made with debootstrap from
#                                      Debian's archive (no container registry is needed)
#   packaging/image.sh build ARCH      the kamgw image on that base: localhost/kamgw:VERSION-ARCH
#   packaging/image.sh try             run this machine's image against a mosquitto on 127.0.0.1
#   packaging/image.sh smoke ARCH      the add-on's start in the image once, to a CSV file (under
#                                      qemu-user for another architecture)
#
# Images are built with buildah's chroot isolation, so no OCI runtime (and no cgroup set-up) is
# needed, and tried with `buildah run --isolation chroot`, which shares the machine's network.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/build/oci
ADDON=$ROOT/build/ha-addon/kamgw
VERSION=$(dpkg-parsechangelog -l "$ROOT/packaging/debian/changelog" -S Version)
MIRROR=http://deb.debian.org/debian

step() { printf '\n==> %s (at %s, %d s into the run)\n' "$*" "$(date +%T)" "$SECONDS"; }

# Home Assistant names the architectures differently from Debian.
ha_arch() {
    case "$1" in
    amd64) echo amd64 ;;
    arm64) echo aarch64 ;;
    armhf) echo armv7 ;;
    *)
        echo "unknown architecture '$1'; use amd64, arm64 or armhf" >&2
        return 64
        ;;
    esac
}

debs_of() {
    local arch=$1 dir="$ROOT/build/packages"
    [ "$arch" = "$(dpkg --print-architecture)" ] || dir="$dir/$arch"
    find "$dir" -maxdepth 1 -name "*_${VERSION}_${arch}.deb" ! -name '*-dev_*' ! -name '*-dbgsym_*' | sort
}

# The packages of `arch` into DIR/debs/<ha arch>/, where the Dockerfile takes them from.
copy_debs() {
    local arch=$1 dir=$2 ha debs
    ha=$(ha_arch "$arch")
    mapfile -t debs < <(debs_of "$arch")
    if [ "${#debs[@]}" -eq 0 ]; then
        echo "no $arch packages of version $VERSION in build/packages: run packaging/setup.sh packages (or cross $arch)" >&2
        return 1
    fi
    mkdir -p "$dir/debs/$ha"
    cp "${debs[@]}" "$dir/debs/$ha/"
    echo "$ha: ${debs[*]##*/}"
}

# The add-on folder as the Supervisor builds it: packaging/ha-addon/ plus debs/<ha arch>/.
assemble_addon() {
    local arch built=()
    step "Assembling the Home Assistant add-on in ${ADDON#"$ROOT"/}/"
    rm -rf "$ADDON"
    mkdir -p "$ADDON"
    cp -r "$ROOT"/packaging/ha-addon/. "$ADDON"/
    for arch in "$@"; do
        copy_debs "$arch" "$ADDON"
        built+=("$(ha_arch "$arch")")
    done
    # The Supervisor offers the add-on only on the architectures it has packages for.
    awk -v archs="${built[*]}" '
        /^arch:/ { print; n = split(archs, a, " "); for (i = 1; i <= n; i++) print "  - " a[i]; skip = 1; next }
        skip && /^  - / { next }
        { skip = 0; print }' "$ROOT/packaging/ha-addon/config.yaml" >"$ADDON/config.yaml"
}

base_image_name() { echo "localhost/kamgw-base:bookworm-$1"; }
image_name() { echo "localhost/kamgw:$VERSION-$(ha_arch "$1")"; }

# Programs of another architecture run under qemu-user through binfmt_misc: debootstrap's
# second stage and the image's RUN lines. Registered with qemu's fixed-binary flag, so they run
# inside chroots too.
enable_qemu() {
    local cpu
    cpu=$(dpkg-architecture -a "$1" -qDEB_HOST_GNU_CPU 2>/dev/null)  # aarch64, arm
    command -v "qemu-$cpu-static" >/dev/null || apt-get install -y -q --no-install-recommends qemu-user-static >/dev/null
    [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    [ -e "/proc/sys/fs/binfmt_misc/qemu-$cpu" ] || cat "/usr/lib/binfmt.d/qemu-$cpu.conf" >/proc/sys/fs/binfmt_misc/register
}

# debootstrap's minimal variant, cleaned of what a container never uses, as a one-layer image.
build_base() {
    local arch=$1 rootfs="$OUT/rootfs-$1" ctr
    step "Making the Debian bookworm base for $arch with debootstrap (from $MIRROR)"
    if buildah inspect --type image "$(base_image_name "$arch")" >/dev/null 2>&1; then
        echo "$(base_image_name "$arch") exists; remove it with buildah rmi to make it again"
        return
    fi
    rm -rf "$rootfs"
    mkdir -p "$OUT"
    local -a foreign=()
    if [ "$arch" != "$(dpkg --print-architecture)" ]; then
        foreign=(--foreign)
        enable_qemu "$arch"
    fi
    debootstrap --variant=minbase --arch="$arch" "${foreign[@]}" bookworm "$rootfs" "$MIRROR" >"$OUT/debootstrap-$arch.log"
    if [ "${#foreign[@]}" -gt 0 ]; then
        # The second stage runs the target's programs: qemu-user through binfmt_misc.
        chroot "$rootfs" /debootstrap/debootstrap --second-stage >>"$OUT/debootstrap-$arch.log"
    fi
    cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
    # Bookworm's updates belong in the base: a later layer would hold every updated file twice.
    chroot "$rootfs" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c 'apt-get update -q && apt-get upgrade -y -q' \
        >>"$OUT/debootstrap-$arch.log"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log \
        "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
    ctr=$(buildah from scratch)
    tar -C "$rootfs" -cf - . | tar -C "$(buildah mount "$ctr")" -xf -
    buildah umount "$ctr" >/dev/null
    buildah config --arch "$arch" --os linux --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        --env LANG=C.UTF-8 --cmd /bin/bash "$ctr"
    buildah commit --rm "$ctr" "$(base_image_name "$arch")" >/dev/null
    rm -rf "$rootfs"
    buildah images "$(base_image_name "$arch")"
}

# The add-on's Dockerfile on the debootstrap base, starting as the daemon's user.
build_image() {
    local arch=$1 context="$OUT/context-$1"
    step "Building $(image_name "$arch") with buildah (chroot isolation)"
    # A context of its own: the add-on folder beside it may be assembled for other architectures.
    rm -rf "$context"
    mkdir -p "$context"
    cp -r "$ROOT"/packaging/ha-addon/. "$context"/
    copy_debs "$arch" "$context"
    buildah build --isolation chroot --format docker --arch "$arch" \
        --build-arg BUILD_FROM="$(base_image_name "$arch")" --build-arg BUILD_ARCH="$(ha_arch "$arch")" \
        --build-arg BUILD_VERSION="$VERSION" --build-arg KAMGW_USER=_kamgw \
        -t "$(image_name "$arch")" "$context"
    buildah images "$(image_name "$arch")"
}

# The add-on's start in the image as the Supervisor runs it (root, /data mounted, here without a
# Supervisor: a simulated meter into a CSV file), one poll with --once.
smoke_image() {
    local arch=$1 data ctr rc=0
    step "Running the add-on's start once in $(image_name "$arch")"
    [ "$arch" = "$(dpkg --print-architecture)" ] || enable_qemu "$arch"
    data=$(mktemp -d /tmp/kamgw-smoke.XXXXXX)
    printf '%s\n' '{"meters": [{"name": "heat", "url": "sim://multical403", "registers": "heat_energy, volume, power"}],' \
        ' "mqtt_ha": false, "mqtt": false, "ha_websocket": false, "csv": true,' \
        ' "csv_path": "/data/kamgw/state/readings.csv"}' >"$data/options.json"
    ctr=$(buildah from "$(image_name "$arch")")
    buildah run --isolation chroot "$ctr" -- kamgw --version
    buildah run --isolation chroot --user root -v "$data:/data" "$ctr" -- /usr/lib/kamgw/container/start --once || rc=$?
    buildah rm "$ctr" >/dev/null
    cat "$data/kamgw/state/readings.csv" 2>/dev/null || true
    rm -rf "$data"
    return "$rc"
}

case "${1:-}" in
addon)
    shift
    assemble_addon "$@"
    ;;
base) build_base "$2" ;;
build) build_image "$2" ;;
try) exec "$ROOT/packaging/try-image.sh" "$(image_name "$(dpkg --print-architecture)")" ;;
smoke) smoke_image "$2" ;;
*)
    sed -n '2,16p' "$0"
    exit 64
    ;;
esac
