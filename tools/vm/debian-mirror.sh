#!/bin/sh
# Print the Debian archive URI this host's own apt sources use for its own
# release (the "Suites: bookworm" stanza of /etc/apt/sources.list.d/*.sources,
# or a "deb URI bookworm ..." line of sources.list / *.list). The trixie
# kernel and chroot come from the same mirror: the project names no mirror
# of its own, and the host's sources are only read, never changed.
#
#   tools/vm/debian-mirror.sh        -> e.g. http://<mirror>/debian
#
# DEBIAN_MIRROR=URI overrides it.
set -eu
if [ -n "${DEBIAN_MIRROR:-}" ]; then
	echo "$DEBIAN_MIRROR"
	exit 0
fi
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || { echo "debian-mirror: no VERSION_CODENAME in /etc/os-release" >&2; exit 1; }

# deb822: stanzas separated by blank lines; comments dropped; first URI of
# an enabled "Types: deb" stanza whose Suites list the codename itself.
deb822() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v want="$codename" '
			function flush() {
				if (uris != "" && types ~ /(^| )deb( |$)/ && enabled != "no" &&
				    (" " suites " ") ~ (" " want " "))
					{ split(uris, u, " "); print u[1]; found = 1; exit }
				uris = types = suites = enabled = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{
				key = tolower($1); sub(/:$/, "", key)
				val = $0; sub(/^[^:]*:[ \t]*/, "", val)
				if (key == "uris") uris = val
				else if (key == "types") types = val
				else if (key == "suites") suites = val
				else if (key == "enabled") enabled = tolower(val)
			}
			END { if (!found) flush() }' "$f"
	done
}
# One-line format: deb [options] URI SUITE COMPONENT...
oneline() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
			awk -v want="$codename" '$1 == "deb" && $3 == want { print $2; exit }'
	done
}
uri=$( (deb822; oneline) | head -n 1)
[ -n "$uri" ] || {
	echo "debian-mirror: no '$codename' suite in the host's apt sources (set DEBIAN_MIRROR=URI)" >&2
	exit 1
}
echo "${uri%/}"
