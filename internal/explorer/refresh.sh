#!/bin/sh
# Refresh the explorer's embedded browser files from npm.
#
# The versions are pinned in package.json and package-lock.json next to this script. To move
# to new versions, edit package.json and run `./refresh.sh --update` (rewrites the lock);
# without it the lock is installed exactly (npm ci). Then run the package's tests and commit
# assets/, package.json and package-lock.json.
#
# Only the minified browser builds are copied: no source maps, no node_modules.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cp "$here/package.json" "$tmp/"
if [ "${1:-}" = "--update" ]; then
	(cd "$tmp" && npm install --ignore-scripts --no-audit --no-fund)
	cp "$tmp/package-lock.json" "$here/"
else
	cp "$here/package-lock.json" "$tmp/"
	(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund)
fi

m="$tmp/node_modules"
out="$here/assets"
cp "$m/graphiql/graphiql.min.js" "$m/graphiql/graphiql.min.css" "$out/"
cp "$m/react/umd/react.production.min.js" "$out/"
cp "$m/react-dom/umd/react-dom.production.min.js" "$out/"
# The bundles end with a sourceMappingURL comment; the maps are not shipped, so drop it
# rather than have browser developer tools ask the server for a file that is not there.
for f in "$out"/*.min.js "$out"/*.min.css; do
	sed -i.bak -e 's|^//# sourceMappingURL=.*$||' -e 's|/\*# sourceMappingURL=[^*]*\*/||' "$f"
	rm -f "$f.bak"
done
for p in graphiql react react-dom; do
	cp "$m/$p/LICENSE" "$out/LICENSE.$p"
done
for p in graphiql react react-dom; do
	printf '%s %s\n' "$p" "$(node -p "require('$m/$p/package.json').version")"
done >"$out/VERSIONS"
ls -l "$out"
