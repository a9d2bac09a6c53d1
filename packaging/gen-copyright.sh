#!/bin/sh
# gen-copyright.sh BINARY: writes the package's copyright file to stdout:
# packaging/copyright (ours), then one paragraph for the Go standard
# library and for every Go module linked into BINARY (from its build
# information), with that module's own license text, or a reference to
# /usr/share/common-licenses for the Apache License 2.0.
set -eu
cd "$(dirname "$0")/.."
bin=$1
cat packaging/copyright

# paragraph TITLE LICENSEFILE: one DEP-5 Files paragraph for BINARY.
paragraph() {
	title=$1 lic=$2
	if head -n 5 "$lic" | grep -q 'Apache License' && head -n 5 "$lic" | grep -q 'Version 2.0'; then
		name=Apache-2.0
	elif grep -q 'Permission is hereby granted, free of charge' "$lic"; then
		name=Expat
	elif grep -q 'Neither the name' "$lic"; then
		name=BSD-3-clause
	elif grep -q 'Redistribution and use in source and binary forms' "$lic"; then
		name=BSD-2-clause
	else
		echo "gen-copyright.sh: cannot tell the license of $title ($lic)" >&2
		exit 1
	fi
	# An Apache License text holds no holder: its module's NOTICE may.
	holders=$lic
	[ "$name" != Apache-2.0 ] || holders=$(dirname "$lic")/NOTICE
	copyright=$(grep -i '^[#[:space:]]*copyright ' "$holders" 2>/dev/null | sed 's/^[#[:space:]]*//' | head -n 3 | sed '2,$s/^/ /' || true)
	[ -n "$copyright" ] || copyright="the authors of $title"
	printf '\nFiles: usr/sbin/gokeepalived\nComment: %s, linked statically.\nCopyright: %s\nLicense: %s\n' "$title" "$copyright" "$name"
	if [ "$name" = Apache-2.0 ]; then
		echo ' On Debian systems, the complete text of the Apache License, Version 2.0,'
		echo ' can be found in "/usr/share/common-licenses/Apache-2.0".'
		notice=$(dirname "$lic")/NOTICE
		if [ -f "$notice" ]; then
			echo ' .'
			echo " The module's NOTICE file:"
			sed -e 's/^[[:space:]]*$/./' -e 's/^/ /' "$notice"
		fi
	else
		sed -e 's/^[[:space:]]*$/./' -e 's/^/ /' "$lic"
	fi
}

paragraph "The Go standard library ($(go version "$bin" | awk '{print $2}'))" "$(go env GOROOT)/LICENSE"
go version -m "$bin" | awk '$1 == "dep" { print $2, $3 }' | while read -r mod ver; do
	dir=$(go list -m -f '{{.Dir}}' "$mod@$ver")
	lic=$(ls "$dir"/LICENSE* "$dir"/LICENCE* "$dir"/COPYING* 2>/dev/null | head -n 1 || true)
	if [ -z "$lic" ]; then
		echo "gen-copyright.sh: no license file in $mod $ver ($dir)" >&2
		exit 1
	fi
	paragraph "Go module $mod $ver" "$lic"
done
