#!/bin/sh
# Publish remapd and remapctl as NativeAOT binaries for the VM lane's
# initramfs: build/vm/aot/{remapd,remapctl}.
#
# Each binary is cached with a hash of the sources it is built from (every
# .cs/.csproj/.props/.json under daemon/, tools/remapctl/ and the repo-wide
# build files); an unchanged hash skips the (slow) publish. A project that
# does not exist yet is skipped with a note: the scenarios that need its
# binary then fail saying so.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VM=${SKBREMAP_VM_DIR:-$REPO/build/vm}
AOT=$VM/aot

log() { echo "publish-aot: $*" >&2; }
die() { echo "publish-aot: ERROR: $*" >&2; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$AOT"

src_hash() {
	(
		cd "$REPO"
		find daemon tools/remapctl kernel/include \
			\( -name bin -o -name obj \) -prune -o \
			-type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \
			-o -name '*.targets' -o -name '*.json' -o -name '*.h' \) -print 2>/dev/null
		ls Directory.Build.props Directory.Packages.props global.json VERSION \
			.editorconfig 2>/dev/null
	) | LC_ALL=C sort | (cd "$REPO" && xargs sha256sum) | sha256sum | cut -c1-16
}

status=0
hash=
for spec in remapd:daemon/remapd/remapd.csproj remapctl:tools/remapctl/remapctl.csproj; do
	name=${spec%%:*}
	proj=$REPO/${spec#*:}
	if [ ! -f "$proj" ]; then
		log "NOTE: no ${spec#*:} yet: $name not published"
		rm -f "$AOT/$name" "$AOT/$name.hash"
		continue
	fi
	[ -n "$hash" ] || hash=$(src_hash)
	if [ -x "$AOT/$name" ] && [ "$(cat "$AOT/$name.hash" 2>/dev/null)" = "$hash" ]; then
		log "$name: cached ($hash)"
		continue
	fi
	log "$name: dotnet publish (NativeAOT, linux-x64), sources $hash"
	rm -rf "$AOT/$name.d" "$AOT/$name" "$AOT/$name.hash"
	if dotnet publish "$proj" -c Release -r linux-x64 -p:PublishAot=true \
		-p:InvariantGlobalization=true -o "$AOT/$name.d" -nologo -v quiet \
		>"$AOT/$name.publish.log" 2>&1 && [ -x "$AOT/$name.d/$name" ]; then
		cp "$AOT/$name.d/$name" "$AOT/$name"
		echo "$hash" >"$AOT/$name.hash"
		log "$name: $(stat -c %s "$AOT/$name") bytes; needs: $(ldd "$AOT/$name" | awk '{print $1}' | tr '\n' ' ')"
	else
		tail -n 30 "$AOT/$name.publish.log" >&2
		log "ERROR: publishing $name failed, see $AOT/$name.publish.log"
		status=1
	fi
done
exit $status
