#!/bin/sh
# Make systemd see the new or updated unit; the service is not started or
# enabled here: the default configuration runs no instance.
set -e
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
	if [ "$1" = "configure" ] && [ -n "$2" ] && systemctl is-active --quiet gokeepalived; then
		# An upgrade: restart into the new binary.
		systemctl restart gokeepalived || true
	fi
fi
