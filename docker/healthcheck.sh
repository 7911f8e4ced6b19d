#!/bin/bash
# Container health check without curl or wget (the JRE images do not promise either): an HTTP/1.0 GET over bash's
# /dev/tcp to the ops port. Usage: healthcheck [PATH], PATH defaulting to /health/live. Exit 0 only on a 200.
set -u
path="${1:-/health/live}"
port="${TAGSTREAM_METRICS_PORT:-9400}"
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$path" >&3
IFS= read -r -t 5 status <&3 || exit 1
case "$status" in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) echo "healthcheck: GET $path answered: ${status%$'\r'}" >&2; exit 1 ;;
esac
