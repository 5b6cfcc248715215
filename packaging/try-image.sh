#!/usr/bin/env bash
# Tries the kamgw image (packaging/image.sh try) the way a container runtime runs it, with
# `buildah run --isolation chroot` (same network as this machine), against a mosquitto on
# 127.0.0.1 that wants a password:
#
# 1. the plain image: configuration from a mounted folder (its password in a file beside it),
#    state in a mounted volume, as the image's user; a simulated meter read every 2 s into plain
#    MQTT and CSV. It prints how long the first reading took, asks the image's health check,
#    stops the broker, stops the container with SIGTERM (timed), starts broker and container again
#    and counts: every reading in the CSV file must have reached the broker.
# 2. the add-on: /data/options.json in a mounted /data, a fake Supervisor on 127.0.0.1 answering
#    GET /services/mqtt, the start script run as root as the Supervisor does (it drops to
#    _kamgw), one poll with --once to Home Assistant's MQTT discovery.
set -euo pipefail

IMAGE=$1
WORK=$(mktemp -d /tmp/kamgw-image.XXXXXX)
chmod 755 "$WORK"
PIDS=()
CONTAINERS=()
cleanup() {
    local rc=$? p c
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    for c in "${CONTAINERS[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done
    [ "$rc" -eq 0 ] && [ -z "${KEEP_WORK:-}" ] && rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_tcp() {
    local end=$((SECONDS + 10))
    until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        [ "$SECONDS" -lt "$end" ] || { echo "nothing listens on port $1" >&2; return 1; }
        sleep 0.05
    done
}
now() { date +%s.%N; }
seconds_since() { /usr/bin/python3 -c "import sys;print(f'{float(sys.argv[2])-float(sys.argv[1]):.2f}')" "$1" "$(now)"; }
lines() { cat "$@" 2>/dev/null | wc -l; }

MQTT_PORT=$(free_port)
HEALTH_PORT=$(free_port)
SUPERVISOR_PORT=$(free_port)
MQTT_USER=addons
MQTT_PASSWORD=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')

mosquitto_passwd -c -b "$WORK/pwfile" "$MQTT_USER" "$MQTT_PASSWORD"
chown mosquitto: "$WORK/pwfile"
chmod 600 "$WORK/pwfile"
cat >"$WORK/mosquitto.conf" <<EOF
listener $MQTT_PORT 127.0.0.1
allow_anonymous false
password_file $WORK/pwfile
persistence false
log_dest stdout
EOF
BROKER=
start_broker() {
    stdbuf -oL mosquitto -c "$WORK/mosquitto.conf" >>"$WORK/mosquitto.log" 2>&1 &
    BROKER=$!
    PIDS+=("$BROKER")
    wait_tcp "$MQTT_PORT"
}
end_process() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
stop_broker() { end_process "$BROKER"; }
# A subscriber per broker run (a broker without persistence forgets subscriptions).
SUBSCRIBER=
start_subscriber() {
    mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -u "$MQTT_USER" -P "$MQTT_PASSWORD" -q 1 -t "$2" -F '%t %p' >"$1" &
    SUBSCRIBER=$!
    PIDS+=("$SUBSCRIBER")
    sleep 0.5
}

# --- 1. the plain image -------------------------------------------------------------------
ctr=$(buildah from "$IMAGE")
CONTAINERS+=("$ctr")
uid=$(buildah run --isolation chroot "$ctr" -- id -u)
echo "the image runs as $(buildah run --isolation chroot "$ctr" -- id) (uid $uid)"
mkdir -p "$WORK/config" "$WORK/state"
printf '%s\n' "$MQTT_PASSWORD" >"$WORK/config/mqtt-password"
chown "$uid" "$WORK/config/mqtt-password" "$WORK/state"
chmod 600 "$WORK/config/mqtt-password"
cat >"$WORK/config/kamgw.toml" <<EOF
[gateway]
id = "image-test"
metrics_listen = "127.0.0.1:$HEALTH_PORT"

[[meter]]
name = "sim"
url = "sim://multical403"
interval = "2s"
registers = ["heat_energy", "volume", "power", "t_forward"]

[[sink]]
type = "mqtt"
url = "mqtt://127.0.0.1:$MQTT_PORT"
username = "$MQTT_USER"
password_file = "/etc/kamgw/mqtt-password"
retain = false
retry_initial = "200ms"
retry_max = "1s"

[[sink]]
type = "csv"
path = "/var/lib/kamgw/readings.csv"
line_ending = "lf"
EOF
RUN=
start_container() {
    buildah run --isolation chroot -v "$WORK/config:/etc/kamgw:ro" -v "$WORK/state:/var/lib/kamgw" \
        "$ctr" -- /usr/lib/kamgw/container/start >>"$WORK/container-$1.log" 2>&1 &
    RUN=$!
    PIDS+=("$RUN")
}
# `buildah run` kills its process on SIGTERM instead of passing the signal on; a container
# runtime's stop sends SIGTERM to the container's first process, so that is done here: the first
# process below buildah's own.
main_pid() {
    local pid=$1
    while pid=$(cat /proc/"$pid"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 .); do
        case "$(cat /proc/"$pid"/comm)" in
        buildah* | memfd:buildah*) ;;
        *)
            echo "$pid"
            return
            ;;
        esac
    done
    return 1
}
stop_container() {
    local stopping rc=0
    stopping=$(now)
    kill -TERM "$(main_pid "$RUN")"
    wait "$RUN" || rc=$?
    echo "SIGTERM to exit: $(seconds_since "$stopping") s (exit status $rc)"
}
csv_readings() { echo $(($(lines "$WORK/state/readings.csv") - 1)); }
mqtt_readings() { lines "$WORK"/received-*; }

start_broker
start_subscriber "$WORK/received-1" "kamgw/image-test/sim/+"
started=$(now)
start_container 1
until [ "$(mqtt_readings)" -gt 0 ]; do
    sleep 0.05
    kill -0 "$RUN" 2>/dev/null || { cat "$WORK/container-1.log"; echo "the container stopped" >&2; exit 1; }
done
echo "start to first reading at the broker: $(seconds_since "$started") s"
sleep 8
if buildah run --isolation chroot --env KAMGW_HEALTH_PORT="$HEALTH_PORT" "$ctr" -- /usr/lib/kamgw/container/healthcheck; then
    echo "health check: healthy (GET /health answered 200)"
else
    echo "health check: unhealthy" >&2
    exit 1
fi
echo "broker stopped; the container goes on reading into its journal"
end_process "$SUBSCRIBER"
stop_broker
sleep 6
before=$(csv_readings)
stop_container
echo "before the restart: $before readings in the CSV file, $(mqtt_readings) at the broker"

start_broker
start_subscriber "$WORK/received-2" "kamgw/image-test/sim/+"
start_container 2
end=$((SECONDS + 60))
while [ "$SECONDS" -lt "$end" ] && [ "$(mqtt_readings)" -lt "$before" ]; do sleep 0.2; done
sleep 4
stop_container
sleep 0.5
after=$(csv_readings)
delivered=$(mqtt_readings)
echo "after the restart and a second stop: $after readings in the CSV file, $delivered at the broker"
end_process "$SUBSCRIBER"
if [ "$delivered" -ne "$after" ] || [ "$after" -le "$before" ]; then
    echo "readings were lost: CSV $after, broker $delivered" >&2
    tail -n 20 "$WORK"/container-*.log >&2
    exit 1
fi
echo "nothing lost: every one of the $after readings reached the broker"

# --- 2. the add-on's start script in the image ---------------------------------------------
mkdir -p "$WORK/data"
cat >"$WORK/data/options.json" <<EOF
{"meters": [{"name": "heat", "url": "sim://multical403", "registers": "heat_energy, volume"}],
 "mqtt_ha": true, "mqtt": false, "ha_websocket": false, "csv": false, "log_level": "info"}
EOF
TOKEN=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
cat >"$WORK/supervisor.py" <<'EOF'
# The Supervisor's GET /services/mqtt as an add-on sees it (the Mosquitto add-on's broker).
import http.server, json, sys
port, token, mqtt_port, user, password = sys.argv[1:6]
class Supervisor(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.headers.get("Authorization") == "Bearer " + token
        body = {"result": "ok", "data": {"addon": "core_mosquitto", "host": "127.0.0.1", "port": int(mqtt_port),
                "ssl": False, "protocol": "3.1.1", "username": user, "password": password}} \
            if ok and self.path == "/services/mqtt" else {"result": "error", "message": "refused"}
        self.send_response(200 if ok and self.path == "/services/mqtt" else 401)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(port)), Supervisor).serve_forever()
EOF
/usr/bin/python3 "$WORK/supervisor.py" "$SUPERVISOR_PORT" "$TOKEN" "$MQTT_PORT" "$MQTT_USER" "$MQTT_PASSWORD" &
PIDS+=($!)
wait_tcp "$SUPERVISOR_PORT"
addon=$(buildah from "$IMAGE")
CONTAINERS+=("$addon")
rc=0
buildah run --isolation chroot --user root -v "$WORK/data:/data" --env SUPERVISOR_TOKEN="$TOKEN" \
    --env KAMGW_SUPERVISOR_URL="http://127.0.0.1:$SUPERVISOR_PORT" \
    "$addon" -- /usr/lib/kamgw/container/start --once >"$WORK/addon.log" 2>&1 || rc=$?
grep -E 'addon-config|error' "$WORK/addon.log" || true
if grep -qF -e "$MQTT_PASSWORD" -e "$TOKEN" "$WORK/addon.log"; then
    echo "a secret reached the add-on's log" >&2
    exit 1
fi
echo "the add-on's start (as root, --once) exited $rc; /data/kamgw:"
ls -ln "$WORK/data/kamgw" "$WORK/data/kamgw/secrets"
timeout 5 mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -u "$MQTT_USER" -P "$MQTT_PASSWORD" -t 'homeassistant/sensor/#' \
    -W 3 -F '%t' >"$WORK/discovery" 2>/dev/null || true
echo "Home Assistant discovery configs on the broker: $(lines "$WORK/discovery")"
[ "$rc" -eq 0 ] && [ "$(lines "$WORK/discovery")" -gt 0 ]
