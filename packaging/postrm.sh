#!/bin/sh
# Make systemd forget the removed unit; on purge also what
# deb-systemd-helper recorded about it (enabled or not).
set -e
if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
if command -v deb-systemd-helper >/dev/null; then
	if [ "$1" = "remove" ]; then
		deb-systemd-helper mask gokeepalived.service >/dev/null || true
	fi
	if [ "$1" = "purge" ]; then
		deb-systemd-helper purge gokeepalived.service >/dev/null || true
		deb-systemd-helper unmask gokeepalived.service >/dev/null || true
	fi
fi
