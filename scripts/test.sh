#!/bin/sh
# `npm test` after setup: the CLI build the CLI tests run, then vitest with the static checks
# beside it (the Node typecheck in one lane; the page's typecheck and the layer rules in
# another). The tests leave part of both cores idle while they wait on the processes they
# start (the CLI, Chromium), which the checks fill. A lane's output is shown when it fails;
# the exit status is vitest's, else 1 where a check failed.
cd "$(dirname "$0")/.."
npm run --silent build:cli || { echo "CLI build failed" >&2; exit 1; }
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
npx tsc --noEmit >"$logs/node" 2>&1 &
node=$!
(npx tsc --noEmit -p tsconfig.web.json && npm run --silent lint:layers) >"$logs/rest" 2>&1 &
rest=$!
npx vitest run "$@"
status=$?
# Interrupted (Ctrl-C reaches the checks too): no failure reports for lanes that were stopped.
[ $status -gt 128 ] && { kill $node $rest 2>/dev/null; exit $status; }
wait $node; lane=$?
[ $lane -gt 128 ] && exit $lane
[ $lane = 0 ] || { echo "typecheck (tsconfig.json) failed:" >&2; cat "$logs/node" >&2; [ $status = 0 ] && status=1; }
wait $rest; lane=$?
[ $lane -gt 128 ] && exit $lane
[ $lane = 0 ] || { echo "page typecheck or layer rules failed:" >&2; cat "$logs/rest" >&2; [ $status = 0 ] && status=1; }
exit $status
