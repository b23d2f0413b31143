#!/bin/sh
# The host's verdict on what one VM run brought back (RESULTS/out, the
# guest's /out): passes only on positive evidence.
#
#   tests/vm/check-results.sh RESULTS
#
# Fails when:
#   - out/ or its scenarios.txt / status.txt / results.txt is missing or empty;
#   - a scenario of scenarios.txt has no status line, or exited non-zero
#     (status.txt: "<scenario> <exit status> <seconds>"), or has a FAIL line;
#   - out/compare.list is missing or empty while a scenario with comparisons ran;
#   - a comparison of tests/vm/expected-compares.txt is absent for a scenario
#     that ran (unless that scenario printed "SKIP: <comparison>:" or
#     "SKIP: <scenario>:");
#   - a comparison fails (tests/vm/compare-pcaps.sh) or compared 0 packets
#     (only EXPECTED "none", a filter that must select nothing, may be empty);
#   - a skip happened in CI and SKBREMAP_EXPECTED_SKIPS does not name it
#     (tests/vm/skips.sh).
# Writes RESULTS/summary.env (COMPARED HARNESS COMPARISONS SKIPS) for
# tests/vm/run.sh's per-kernel table. EXPECTED_COMPARES=FILE replaces the list.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 RESULTS_DIR" >&2; exit 2; }
RESULTS=$1
OUT=$RESULTS/out
EXPECTED=${EXPECTED_COMPARES:-$REPO/tests/vm/expected-compares.txt}
. "$REPO/tests/vm/skips.sh"

failures=
bad() { failures="$failures|$1"; echo "check: FAIL: $1"; }

compared=0
harness=0
comparisons=0
SKIPS=0
finish() {
	cat >"$RESULTS/summary.env" <<EOF
COMPARED=$compared
HARNESS=$harness
COMPARISONS=$comparisons
SKIPS=$SKIPS
EOF
	if [ -n "$failures" ]; then
		echo "check: FAIL ($(echo "$failures" | tr '|' '\n' | grep -c .) problems)"
		exit 1
	fi
	echo "check: PASS ($comparisons comparisons, $compared packets compared, $harness harness, $SKIPS skips)"
	exit 0
}

if [ ! -d "$OUT" ]; then
	bad "no results came back ($OUT missing)"
	finish
fi
for f in scenarios.txt status.txt results.txt; do
	[ -s "$OUT/$f" ] || bad "out/$f missing or empty"
done

# Every scenario that was to run ran, exited 0 and failed no check.
for s in $(cat "$OUT/scenarios.txt" 2>/dev/null); do
	st=$(awk -v s="$s" '$1 == s { print $2 }' "$OUT/status.txt" 2>/dev/null | tail -n 1)
	if [ -z "$st" ]; then
		bad "$s: no exit status recorded (it never ran to its end)"
	elif [ "$st" != 0 ]; then
		bad "$s: exited $st"
	fi
	if grep -qE "^$s [0-9]+s SCENARIO [^ ]+: FAIL" "$OUT/results.txt" 2>/dev/null; then
		bad "$s: $(grep -E "^$s [0-9]+s SCENARIO [^ ]+: FAIL" "$OUT/results.txt" | head -n 3 | cut -d' ' -f3- | tr '\n' ';')"
	elif ! grep -qE "^$s [0-9]+s (SCENARIO [^ ]+: PASS|SKIP: )" "$OUT/results.txt" 2>/dev/null; then
		bad "$s: no PASS (or SKIP) line in results.txt"
	fi
done

# The comparisons each scenario that ran must have left.
want_any=
missing=
for s in $(cat "$OUT/scenarios.txt" 2>/dev/null); do
	names=$(awk -v s="$s" '$1 == s { $1 = ""; print }' "$EXPECTED")
	[ -n "$names" ] || continue
	want_any=1
	for n in $names; do
		[ -f "$OUT/compare.list" ] && awk -v n="$n" '$1 == n { f = 1 } END { exit !f }' "$OUT/compare.list" &&
			continue
		if grep -qE "^SKIP: ($n|$s): " "$OUT/logs/$s.log" 2>/dev/null; then
			echo "check: $s: comparison $n absent, skipped: $(grep -m1 -E "^SKIP: ($n|$s): " "$OUT/logs/$s.log")"
			continue
		fi
		missing="$missing $n"
		bad "$s: expected comparison $n is absent from compare.list"
	done
done
if [ -n "$want_any" ] && [ ! -s "$OUT/compare.list" ]; then
	bad "out/compare.list missing or empty: no capture was compared"
fi

# Each comparison, packet for packet; 0 packets proves nothing.
if [ -s "$OUT/compare.list" ]; then
	while read -r name cand oracle expected; do
		comparisons=$((comparisons + 1))
		f=$RESULTS/compare-$name.txt
		if "$REPO/tests/vm/compare-pcaps.sh" "$name" "$OUT/$cand" "$OUT/$oracle" "$expected" >"$f" 2>&1; then
			n=$(sed -n 's/.*PASS: \([0-9]*\) packets identical.*/\1/p' "$f")
			if [ "${n:-0}" -eq 0 ] && [ "$expected" != none ]; then
				bad "compare-$name: 0 packets compared (expected $expected)"
			fi
			case $name in
			harness*) harness=$((harness + ${n:-0})) ;;
			*) compared=$((compared + ${n:-0})) ;;
			esac
		else
			bad "compare-$name"
		fi
		cat "$f"
		# remapd's own account of the capture (seen/captured/dropped).
		grep -h 'skbremap: seen' "$OUT/$cand.log" 2>/dev/null | sed "s/^/  $name /"
	done <"$OUT/compare.list"
fi

# Skips: counted, printed, and in CI a failure unless expected.
judge_skips "check: " "$OUT"/logs/*.log
[ "$SKIPS_UNEXPECTED" -eq 0 ] || bad "$SKIPS_UNEXPECTED unexpected skips in CI"

finish
