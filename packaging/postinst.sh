#!/bin/sh
# Register the unit with deb-systemd-helper without enabling it (the default
# configuration runs no instance), make systemd see the new or updated unit
# and, on an upgrade, restart a running service into the new binary.
set -e
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-deconfigure" ] || [ "$1" = "abort-remove" ]; then
	if command -v deb-systemd-helper >/dev/null; then
		deb-systemd-helper update-state gokeepalived.service >/dev/null || true
	fi
	if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
		if [ -n "$2" ]; then
			deb-systemd-invoke try-restart gokeepalived.service >/dev/null || true
		fi
	fi
fi
