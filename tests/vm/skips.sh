# Sourced by the VM lane's host-side checks (tests/vm/check-results.sh,
# tests/kernel/filter-smoke.sh): what a skip does to the verdict.
#
# A check that did not run prints "SKIP: <what>: <reason>" (skbremap-smoke:
# "MODE SKIP: <mode> ..."). Every skip is printed and counted; a skip is
# never a pass. In CI (CI=true) or with SKBREMAP_STRICT_SKIPS=1, a skip
# fails the lane unless SKBREMAP_EXPECTED_SKIPS, a comma-separated list of
# substrings, names it: the lane must be told which piece is unavailable,
# e.g. SKBREMAP_EXPECTED_SKIPS="mode-remap,filter mode remap".
# SKBREMAP_STRICT_SKIPS=0 turns the rule off even in CI.

SKIP_RE='(^|[ ])SKIP: '

# skips_strict: skips fail the lane here.
skips_strict() {
	case ${SKBREMAP_STRICT_SKIPS:-} in
	1) return 0 ;;
	0) return 1 ;;
	esac
	[ "${CI:-}" = true ]
}

# skip_expected LINE: SKBREMAP_EXPECTED_SKIPS names LINE's skip.
skip_expected() {
	[ -n "${SKBREMAP_EXPECTED_SKIPS:-}" ] || return 1
	_ifs=$IFS
	IFS=,
	for _w in $SKBREMAP_EXPECTED_SKIPS; do
		IFS=$_ifs
		[ -n "$_w" ] || continue
		case $1 in *"$_w"*) return 0 ;; esac
	done
	IFS=$_ifs
	return 1
}

# judge_skips PREFIX FILE...: print every skip line of FILEs (one line per
# distinct skip), set SKIPS (their count) and SKIPS_UNEXPECTED (how many
# fail the lane under the rule above).
judge_skips() {
	_p=$1
	shift
	SKIPS=0
	SKIPS_UNEXPECTED=0
	_tmp=$(mktemp)
	cat "$@" 2>/dev/null | tr -d '\r' | grep -E "$SKIP_RE" | sed -E 's/^[^ ]+ [0-9]+s (SKIP: )/\1/' |
		sort -u >"$_tmp"
	while IFS= read -r _l; do
		SKIPS=$((SKIPS + 1))
		if skip_expected "$_l"; then
			echo "$_p$_l (expected: SKBREMAP_EXPECTED_SKIPS)"
		elif skips_strict; then
			SKIPS_UNEXPECTED=$((SKIPS_UNEXPECTED + 1))
			echo "$_p$_l -- FAIL: a skip in CI (name it in SKBREMAP_EXPECTED_SKIPS if the piece is unavailable)"
		else
			echo "$_p$_l (counted; fails in CI)"
		fi
	done <"$_tmp"
	rm -f "$_tmp"
}
