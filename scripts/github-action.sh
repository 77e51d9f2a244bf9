#!/usr/bin/env bash
# The steps of the nhiscan GitHub Action (action.yml), kept in a script so tests can run exactly
# what GitHub runs. Inputs arrive as environment variables (never interpolated into the script,
# so a workflow input cannot inject shell). Writes the SARIF/JSON paths and the exit code to
# $GITHUB_OUTPUT and the Markdown report to $GITHUB_STEP_SUMMARY.
set -uo pipefail

out_dir="${NHISCAN_OUTPUT_DIR:-${RUNNER_TEMP:-/tmp}/nhiscan}"
mkdir -p "$out_dir"
sarif="$out_dir/nhiscan.sarif"
json="$out_dir/nhiscan.json"
summary="$out_dir/nhiscan.md"

args=(scan)
# providers: space-separated words, e.g. "aws k8s"; validated by nhiscan itself
if [ -n "${NHISCAN_PROVIDERS:-}" ]; then
  read -r -a providers <<<"$NHISCAN_PROVIDERS"
  args+=("${providers[@]}")
fi
[ -n "${NHISCAN_FROM:-}" ] && args+=(--from "$NHISCAN_FROM")
[ -n "${NHISCAN_CONFIG:-}" ] && args+=(--config "$NHISCAN_CONFIG")
[ -n "${NHISCAN_BASELINE:-}" ] && args+=(--baseline "$NHISCAN_BASELINE")
[ "${NHISCAN_FAIL_ON_NEW:-false}" = "true" ] && args+=(--fail-on-new)
[ -n "${NHISCAN_IGNORE_FILE:-}" ] && args+=(--ignore-file "$NHISCAN_IGNORE_FILE")
[ -n "${NHISCAN_SARIF_CATEGORY:-}" ] && args+=(--sarif-category "$NHISCAN_SARIF_CATEGORY")
args+=(--fail-on "${NHISCAN_FAIL_ON:-high}" -f table -f sarif -o "$sarif" -f json -o "$json" -f markdown -o "$summary")

nhiscan "${args[@]}"
rc=$?

if [ -f "$summary" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$summary" >>"$GITHUB_STEP_SUMMARY"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "exit-code=$rc"
    [ -f "$sarif" ] && echo "sarif-file=$sarif"
    [ -f "$json" ] && echo "json-file=$json"
  } >>"$GITHUB_OUTPUT"
fi
exit "$rc"
