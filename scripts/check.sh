#!/bin/sh
# The checks before the tests, in two lanes that keep both cores of a small machine busy (one
# after another they took about twice as long): the Node typecheck alone, and beside it the
# page's typecheck, the layer rules and the CLI build the CLI tests run. Each lane's output is
# shown when it fails.
cd "$(dirname "$0")/.."
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
npx tsc --noEmit >"$logs/node" 2>&1 &
node=$!
(npx tsc --noEmit -p tsconfig.web.json && npm run --silent lint:layers && npm run --silent build:cli) >"$logs/rest" 2>&1 &
rest=$!
status=0
wait $node || { echo "typecheck (tsconfig.json) failed:" >&2; cat "$logs/node" >&2; status=1; }
wait $rest || { echo "page typecheck, layer rules or CLI build failed:" >&2; cat "$logs/rest" >&2; status=1; }
exit $status
