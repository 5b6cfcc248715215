#!/usr/bin/env bash
# Builds the Debian packages from a clean export of the tree, lints them, installs them, and
# proves the installed result works: `kamgw check` on the packaged conffile, the daemon run as
# _kamgw (the service's command line) against a simulated meter, and an out-of-tree plugin built
# against the installed kamgw-dev and loaded into the installed daemon. Removes everything again.
# Needs root (dpkg -i). Prints lintian's output and the security exposure of the service.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d /tmp/kamgw-pkg.XXXXXX)
chmod 755 "$WORK"
INSTALLED=0
DAEMON_PID=""
# The package creates the system user _kamgw and a purge keeps it (Debian's rule for system
# users). A test leaves the machine as it found it: `kamgw check` run as root checks for
# _kamgw when that user exists, so a leftover one would change what later tests see.
USER_EXISTED=0
id _kamgw >/dev/null 2>&1 && USER_EXISTED=1

cleanup() {
    local rc=$?
    [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
    if [ "$INSTALLED" = 1 ]; then
        rm -f /etc/kamgw/conf.d/ci-*.toml
        rm -f "$PLUGIN_DIR/kamgw-sink-example.so"
        dpkg --purge kamgw-dev kamgw-sink-mqtt-ha kamgw-sink-mqtt kamgw-sink-influxdb kamgw-sink-ha-websocket kamgw >/dev/null 2>&1 || true
        if [ "$USER_EXISTED" = 0 ] && id _kamgw >/dev/null 2>&1; then
            deluser --system --quiet _kamgw >/dev/null 2>&1 || userdel _kamgw >/dev/null 2>&1 || true
            getent group _kamgw >/dev/null && { delgroup --system --quiet _kamgw >/dev/null 2>&1 || groupdel _kamgw >/dev/null 2>&1 || true; }
        fi
    fi
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
count_rows() { local n; n=$(grep -c "$1" "$2" 2>/dev/null) || true; echo "${n:-0}"; }
# What systemd's User=, Group= and SupplementaryGroups= do, without a process in between.
AS_KAMGW=(setpriv --reuid=_kamgw --regid=_kamgw --init-groups --inh-caps=-all --)

if [ -n "${KAMGW_PKG_DEBS:-}" ]; then
    echo "--- using the packages in $KAMGW_PKG_DEBS"
    cp "$KAMGW_PKG_DEBS"/*.deb "$KAMGW_PKG_DEBS"/*.changes "$WORK"/
    mkdir -p "$WORK/src/packaging/debian" && cp "$ROOT/packaging/debian/kamgw.service" "$WORK/src/packaging/debian/"
else
    echo "--- exporting the tree"
    mkdir -p "$WORK/src"
    (cd "$ROOT" && git ls-files -z | tar --null -T - -cf -) | tar -x -C "$WORK/src"

    # The README's package build and install, exactly as written there: the lines of the
    # first ```sh block after the "package-build" marker. `sudo` is not needed as root.
    block=$(awk '/<!-- package-build:/ {found=1; next}
                 found && /^```sh/ {inside=1; next}
                 inside && /^```/ {exit}
                 inside {print}' "$ROOT/README.md")
    [ -n "$block" ] || fail "no package-build block in README.md"
    echo "--- the README's commands:"
    printf '%s\n' "$block"
    INSTALLED=1
    (cd "$WORK/src" && bash -euo pipefail -c "$block") >"$WORK/build.log" 2>&1 ||
        { tail -50 "$WORK/build.log"; fail "the README's package commands failed"; }
    tail -3 "$WORK/build.log"
    [ ! -e "$WORK/src/debian" ] || fail "the package build left debian/ in the tree"
    dpkg -s kamgw >/dev/null 2>&1 || fail "the README's apt install did not install kamgw"
    cp "$WORK/src/build/packages"/*.deb "$WORK/src/build/packages"/*.changes "$WORK/src/build/packages"/*.buildinfo "$WORK"/
fi
ls -1 "$WORK"/*.deb
[ -z "${KAMGW_PKG_KEEP:-}" ] || { mkdir -p "$KAMGW_PKG_KEEP" && cp "$WORK"/*.deb "$WORK"/*.changes "$WORK"/*.buildinfo "$KAMGW_PKG_KEEP"/; }

echo "--- lintian"
lintian -I --pedantic "$WORK"/*.changes 2>&1 | tee "$WORK/lintian.log" || true
if grep -q '^E:' "$WORK/lintian.log"; then fail "lintian reported errors"; fi
echo "lintian: $(grep -c '^E:' "$WORK/lintian.log" || true) errors, $(grep -c '^W:' "$WORK/lintian.log" || true) warnings"

echo "--- systemd-analyze security"
systemd-analyze security --offline=true "$WORK/src/packaging/debian/kamgw.service" 2>/dev/null | tail -1 || true

echo "--- dpkg -i"
INSTALLED=1
dpkg -i $(ls "$WORK"/*.deb | grep -v dbgsym) >/dev/null
PLUGIN_DIR=$(dpkg -L kamgw | grep '/kamgw/plugins$' | head -1)
[ -d "$PLUGIN_DIR" ] || fail "no plugin folder installed"
id _kamgw | grep -q dialout || fail "_kamgw is not in dialout"
[ "$(stat -c '%U:%G %a' /etc/kamgw/kamgw.toml)" = "root:_kamgw 640" ] || fail "conffile owner/mode: $(stat -c '%U:%G %a' /etc/kamgw/kamgw.toml)"
grep -q '/etc/kamgw/kamgw.toml' /var/lib/dpkg/info/kamgw.conffiles || fail "kamgw.toml is not a conffile"
# Not enabled (nor started) by the installation: there is no meter configured yet.
[ ! -e /etc/systemd/system/multi-user.target.wants/kamgw.service ] || fail "the installation enabled the service"
# Each plugin's README and sample go with its package.
for doc in kamgw-sink-mqtt-ha kamgw-sink-mqtt kamgw-sink-influxdb kamgw-sink-ha-websocket kamgw/sink-csv kamgw/transport-serial \
    kamgw/transport-tcp kamgw/transport-rfc2217 kamgw/transport-sim; do
    ls /usr/share/doc/$doc/README.md* /usr/share/doc/$doc/sample.toml* >/dev/null 2>&1 || fail "no README or sample.toml in /usr/share/doc/$doc"
done
grep -q '^Suggests:.*kamgw-sink-mqtt-ha' <(dpkg -s kamgw) || fail "kamgw does not suggest its sinks"
if dpkg -s kamgw | grep -q '^Recommends:'; then fail "kamgw recommends packages"; fi
# The plugin ABI as apt sees it: kamgw provides the number it reports, kamgw-dev and every plugin
# package depend on exactly that, and every packaged plugin kept its fingerprint through dh_strip.
abi=$(/usr/sbin/kamgw --version | sed -n 's/.*plugin ABI \([0-9][0-9]*\).*/\1/p')
[ -n "$abi" ] || fail "kamgw --version names no plugin ABI"
dpkg -s kamgw | grep -Eq "^Provides:.*\bkamgw-abi-$abi\b" || fail "kamgw does not provide kamgw-abi-$abi"
for pkg in kamgw-dev kamgw-sink-mqtt-ha kamgw-sink-mqtt kamgw-sink-influxdb kamgw-sink-ha-websocket; do
    dpkg -s "$pkg" | grep -Eq "^Depends:.*\bkamgw-abi-$abi\b" || fail "$pkg does not depend on kamgw-abi-$abi"
done
for so in $(dpkg -L kamgw kamgw-sink-mqtt-ha kamgw-sink-mqtt kamgw-sink-influxdb kamgw-sink-ha-websocket | grep '/kamgw/plugins/kamgw-.*\.so$'); do
    readelf -n "$so" | grep -q '^  kamgw ' || fail "$so has no ABI fingerprint note (.note.kamgw.abi)"
done

echo "--- kamgw check on the installed conffile"
/usr/sbin/kamgw check -c /etc/kamgw/kamgw.toml

echo "--- the service's command line as _kamgw against a simulated meter"
cat >/etc/kamgw/conf.d/ci-sim.toml <<'EOF'
[[meter]]
name = "ci"
url = "sim://multical403?serial=7654321"
interval = "2s"
registers = ["heat_energy", "volume", "t_forward"]

[[sink]]
type = "csv"
path = "/var/lib/kamgw/ci-readings.csv"
EOF
/usr/sbin/kamgw check -c /etc/kamgw/kamgw.toml >/dev/null
"${AS_KAMGW[@]}" /usr/sbin/kamgw run -c /etc/kamgw/kamgw.toml >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 1 100); do
    [ "$(count_rows heat_energy /var/lib/kamgw/ci-readings.csv)" -ge 2 ] && break
    sleep 0.2
done
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "daemon did not exit 0 on SIGTERM: $(cat "$WORK/daemon.log")"
DAEMON_PID=""
rows=$(count_rows heat_energy /var/lib/kamgw/ci-readings.csv)
[ "$rows" -ge 2 ] || { cat "$WORK/daemon.log"; fail "expected readings in the CSV, got $rows rows"; }
[ "$(stat -c %U /var/lib/kamgw/ci-readings.csv)" = "_kamgw" ] || fail "CSV not written by _kamgw"
echo "installed daemon wrote $rows heat_energy rows as _kamgw:"
head -3 /var/lib/kamgw/ci-readings.csv

echo "--- out-of-tree plugin against the installed kamgw-dev"
EXAMPLES=/usr/share/doc/kamgw-dev/examples
[ -f "$EXAMPLES/CMakeLists.txt" ] || fail "no SDK example installed in $EXAMPLES"
cmake -S "$EXAMPLES" -B "$WORK/example" -G Ninja >/dev/null
cmake --build "$WORK/example" >/dev/null
# The example's own tests, on the SDK's test kit, against the installed headers.
ctest --test-dir "$WORK/example" --output-on-failure | tail -3
plugin=$(find "$WORK/example" -name 'kamgw-sink-example.so' | head -1)
[ -n "$plugin" ] || fail "example plugin not built"
install -m 0644 "$plugin" "$PLUGIN_DIR/"
/usr/sbin/kamgw plugins >"$WORK/plugins.txt" 2>&1 || true
grep -q 'example' "$WORK/plugins.txt" || { cat "$WORK/plugins.txt"; fail "installed kamgw does not list the example plugin"; }
grep -A2 'kamgw-sink-example' "$WORK/plugins.txt" || true
cat >/etc/kamgw/conf.d/ci-example.toml <<'EOF'
[[sink]]
type = "example"
path = "/var/lib/kamgw/ci-example.txt"
EOF
/usr/sbin/kamgw check -c /etc/kamgw/kamgw.toml >/dev/null
"${AS_KAMGW[@]}" /usr/sbin/kamgw run -c /etc/kamgw/kamgw.toml >"$WORK/daemon2.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 1 100); do
    [ -s /var/lib/kamgw/ci-example.txt ] && break
    sleep 0.2
done
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || true
DAEMON_PID=""
[ -s /var/lib/kamgw/ci-example.txt ] || { cat "$WORK/daemon2.log"; fail "the example plugin wrote nothing"; }
echo "example plugin output:"
head -3 /var/lib/kamgw/ci-example.txt

echo "--- packages OK"
