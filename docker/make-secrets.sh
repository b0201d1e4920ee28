#!/bin/sh
# Create docker/secrets/ with random values for compose.yaml (never committed; see .gitignore).
set -eu
dir="$(dirname "$0")/secrets"
mkdir -p "$dir"
umask 077
if [ ! -f "$dir/db_password" ]; then
    python3 -c 'import secrets; print(secrets.token_urlsafe(24), end="")' > "$dir/db_password"
fi
printf 'postgresql://trajectflow:%s@db:5432/trajectflow' "$(cat "$dir/db_password")" > "$dir/database_url"
if [ ! -f "$dir/secret_key" ]; then
    python3 -c 'import secrets; print(secrets.token_urlsafe(48), end="")' > "$dir/secret_key"
fi
echo "secrets written to $dir"
