#!/usr/bin/env bash
# The container's health check: kamgw's own /health (metrics_listen, 127.0.0.1:9780 in the
# add-on's configuration) answers 200 while every meter answers, every sink delivers and the
# journal can be written, 503 otherwise. Bash's /dev/tcp keeps an HTTP client out of the image.
set -euo pipefail
exec 3<>"/dev/tcp/127.0.0.1/${KAMGW_HEALTH_PORT:-9780}"
printf 'GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
read -r -t 5 _ status _ <&3
[ "$status" = 200 ]
