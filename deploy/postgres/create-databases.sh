#!/bin/sh
# Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d):
# one database per service, named in $SIMPUL_DATABASES (comma-separated, from services.toml),
# owned by $POSTGRES_USER.
set -eu
for db in $(echo "${SIMPUL_DATABASES:?}" | tr ',' ' '); do
  echo "creating database $db"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -c "CREATE DATABASE \"$db\" OWNER \"$POSTGRES_USER\""
done
