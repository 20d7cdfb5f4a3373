#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into a FRESH database and an empty uploads folder.
#
#   deploy/restore.sh /var/backups/chashan/chashan-20261129-023000
#
# Environment: DATABASE_URL names the database to restore into; it must exist and be empty
# (e.g. `createdb -O chashan chashan`); MEDIA_ROOT the uploads folder, which must be empty or missing.
# The script refuses anything else rather than mix a backup with live data. It checks the backup's
# SHA256SUMS first, restores the database in one transaction (all or nothing), then unpacks the uploads.
# Stop the portal's services while restoring over a live installation's paths; afterwards run
# `manage.py migrate` (a no-op for a backup of the same version) and start them again.
set -euo pipefail

die() { printf 'restore: %s\n' "$*" >&2; exit 1; }

backup=${1:-}
[[ -n $backup ]] || die "usage: $0 BACKUP_FOLDER (a chashan-YYYYMMDD-HHMMSS folder made by backup.sh)"
[[ -f $backup/database.dump && -f $backup/media.tar.gz && -f $backup/SHA256SUMS ]] ||
    die "$backup is not a complete backup (database.dump, media.tar.gz and SHA256SUMS expected)."

database_url=${DATABASE_URL:-}
media_root=${MEDIA_ROOT:-}
[[ -n $database_url ]] || die "DATABASE_URL is not set: the empty database to restore into."
[[ -n $media_root ]] || die "MEDIA_ROOT is not set: the empty folder to restore the uploads into."
case $database_url in
    postgresql://* | postgres://*) ;;
    pgsql://*) database_url="postgresql://${database_url#pgsql://}" ;;
    *) die "DATABASE_URL is not a PostgreSQL URL." ;;
esac
command -v pg_restore >/dev/null || die "pg_restore is missing (Debian: apt-get install postgresql-client)."

(cd "$backup" && sha256sum --check --quiet SHA256SUMS) || die "$backup does not match its SHA256SUMS."

tables=$(psql --no-psqlrc --tuples-only --no-align --dbname="$database_url" \
    --command="SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg_toast%'") || die "cannot connect to the database named by DATABASE_URL."
[[ $tables == 0 ]] || die "the database named by DATABASE_URL is not empty ($tables tables); restore into a fresh one."
if [[ -e $media_root ]]; then
    [[ -d $media_root ]] || die "MEDIA_ROOT=$media_root is not a folder."
    [[ -z $(ls -A "$media_root") ]] || die "MEDIA_ROOT=$media_root is not empty; restore into an empty folder."
fi

start=$SECONDS
pg_restore --no-owner --no-privileges --single-transaction --exit-on-error \
    --dbname="$database_url" "$backup/database.dump"
mkdir -p "$media_root"
tar --extract --gzip --file="$backup/media.tar.gz" --directory="$media_root" --no-same-owner

files=$(find "$media_root" -type f | wc -l)
printf 'restore: %s into the database of DATABASE_URL and %s (%s files) in %ss\n' \
    "$backup" "$media_root" "$files" "$((SECONDS - start))"
