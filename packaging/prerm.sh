#!/bin/sh
# Stop the service before its files go away (not on upgrade).
set -e
if [ "$1" = "remove" ] && [ -d /run/systemd/system ]; then
	systemctl stop gokeepalived >/dev/null 2>&1 || true
fi
