#!/usr/bin/env bash
# The start of the kamgw container, as a Home Assistant add-on or as a plain OCI image.
#
# Add-on: the Supervisor wrote the user's options to /data/options.json; `kamgw addon-config`
# turns them into /data/kamgw/kamgw.toml (asking the Supervisor for the MQTT broker when none is
# given) with the secrets in files beside it. Plain image: the configuration is the mounted
# /etc/kamgw/kamgw.toml and the state the volume at /var/lib/kamgw.
#
# The daemon never runs as root. Started as root (the Supervisor starts add-ons so), this script
# hands the state folder to the daemon's user and drops to it, keeping the groups of the serial
# devices in the container so the optical heads can be opened whatever group owns them on the
# host. Started as that user (the plain image), it runs the daemon directly.
#
# Arguments are passed to `kamgw run` (e.g. --once). The environment may move the paths, for
# tests: KAMGW_BINARY, KAMGW_ADDON_OPTIONS, KAMGW_ADDON_DIR, KAMGW_SUPERVISOR_URL, KAMGW_CONFIG,
# KAMGW_SERVICE_USER.
set -euo pipefail

kamgw=${KAMGW_BINARY:-kamgw}
options=${KAMGW_ADDON_OPTIONS:-/data/options.json}
addon_dir=${KAMGW_ADDON_DIR:-/data/kamgw}
supervisor=${KAMGW_SUPERVISOR_URL:-http://supervisor}
config=${KAMGW_CONFIG:-/etc/kamgw/kamgw.toml}
service_user=${KAMGW_SERVICE_USER:-_kamgw}
state_dir=/var/lib/kamgw

is_root() { [ "$(id -u)" -eq 0 ]; }
if is_root; then
    service_group=$(id -gn "$service_user")
fi

if [ -f "$options" ]; then
    state_dir=$addon_dir/state
    args=(addon-config --options "$options" --output "$addon_dir" --state-dir "$state_dir" --supervisor "$supervisor")
    if is_root; then
        args+=(--group "$service_group")
    fi
    "$kamgw" "${args[@]}"
    config=$addon_dir/kamgw.toml
fi

if ! is_root; then
    exec "$kamgw" run -c "$config" "$@"
fi

install -d -m 0750 -o "$service_user" -g "$service_group" "$state_dir"
if [ -f "$options" ]; then
    # The folder the Supervisor gives the add-on (/data) may be root's alone: the daemon's group
    # may pass through it to its own files, and sees nothing else there.
    chgrp "$service_group" "$(dirname "$addon_dir")"
    chmod g+x "$(dirname "$addon_dir")"
fi
# The groups of the user plus those owning the serial devices mapped into the container.
groups=$(id -G "$service_user" | tr ' ' '\n')
for device in /dev/ttyUSB* /dev/ttyACM* /dev/ttyAMA* /dev/ttyS* /dev/serial/by-id/*; do
    if [ -c "$device" ]; then
        groups+=$'\n'$(stat -L -c %g "$device")
    fi
done
groups=$(sort -un <<<"$groups" | paste -sd, -)
exec setpriv --reuid="$service_user" --regid="$service_group" --groups="$groups" --inh-caps=-all \
    "$kamgw" run -c "$config" "$@"
