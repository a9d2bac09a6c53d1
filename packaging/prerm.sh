#!/bin/sh
# Stop the service before its files go away (not on upgrade: postinst
# restarts it then).
set -e
if [ "$1" = "remove" ] && [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
	deb-systemd-invoke stop gokeepalived.service >/dev/null || true
fi
