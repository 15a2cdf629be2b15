#!/usr/bin/env bash
# Runs a command with another Node.js major first on PATH, fetched from the npm registry (the
# `node-linux-<arch>@<major>` package) into .cache/node<major> on first use.
# Usage: scripts/with-node.sh <major> <command...>   e.g. scripts/with-node.sh 24 pnpm test
set -euo pipefail
major="$1"; shift
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.cache/node$major"
arch="$(uname -m)"; case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
if [ ! -x "$dir/bin/node" ]; then
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$major" >/dev/null && tar xzf node-linux-*.tgz)
  mkdir -p "$root/.cache" && rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
fi
# An && chain does not stop on its first failure under set -e: check the result instead.
if [ ! -x "$dir/bin/node" ]; then
  echo "with-node: could not install Node.js $major into $dir (npm pack node-linux-$arch@$major failed, or $root/.cache is not a writable directory); refusing to run the command on $(node -v 2>/dev/null || echo 'another Node'). Check that npm reaches its registry, remove $root/.cache if it is a broken link or not a directory, and run this again" >&2
  exit 1
fi
echo "with-node: $("$dir/bin/node" -v) from $dir" >&2
PATH="$dir/bin:$PATH" exec "$@"
