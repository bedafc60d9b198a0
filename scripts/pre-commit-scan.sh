#!/bin/sh
# The pre-commit framework's `keysmith-scan` hook (.pre-commit-hooks.yaml, language: script):
# runs the keysmith CLI of this checkout on the staged changes of the repository being committed
# to. pre-commit runs it from that repository with this checkout in its cache; the first run
# installs and builds the checkout (npm ci, npm run build), later runs start at once.
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/packages/cli/dist/bin.js"
if [ ! -f "$bin" ]; then
  echo "keysmith: building the keysmith hook once (npm ci && npm run build)..." >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2 && npm run build --silent >&2)
fi
exec node "$bin" scan --staged "$@"
