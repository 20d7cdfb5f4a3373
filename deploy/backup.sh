#!/usr/bin/env bash
# Back up the portal: the PostgreSQL database (pg_dump, custom format) and the uploads under MEDIA_ROOT
# (a tar), into one dated folder, then keep only the newest BACKUP_KEEP of them.
#
#   deploy/backup.sh                       # reads DATABASE_URL and MEDIA_ROOT from the environment
#
# Environment (the portal's own /etc/chashan/env provides the first two):
#   DATABASE_URL   postgresql://user:password@host:5432/name (postgres:// and pgsql:// too)
#   MEDIA_ROOT     the uploads folder, e.g. /var/lib/chashan/media
#   BACKUP_DIR     where backups go (default /var/backups/chashan)
#   BACKUP_KEEP    how many backups to keep, the newest first (default 14; at least 1)
#
# A backup is a folder BACKUP_DIR/chashan-YYYYMMDD-HHMMSS/ holding database.dump, media.tar.gz and
# SHA256SUMS. It is written under a .partial name and renamed when complete, so a backup that failed
# half-way is never taken for a good one (and is removed). Old backups are removed only after a new
# one is complete. The database is dumped first, then the uploads: every photo the dump refers to was
# saved before its row was committed, so it is in the tar (a photo saved in between is merely extra).
# Restore with deploy/restore.sh.
set -euo pipefail
# backups hold officials' phone numbers and signed letters: readable by their owner only
umask 077

die() { printf 'backup: %s\n' "$*" >&2; exit 1; }

database_url=${DATABASE_URL:-}
media_root=${MEDIA_ROOT:-}
backup_dir=${BACKUP_DIR:-/var/backups/chashan}
keep=${BACKUP_KEEP:-14}

[[ -n $database_url ]] || die "DATABASE_URL is not set (e.g. set -a; . /etc/chashan/env; set +a)."
[[ -n $media_root ]] || die "MEDIA_ROOT is not set."
[[ $keep =~ ^[1-9][0-9]*$ ]] || die "BACKUP_KEEP=$keep is not a whole number of at least 1."
case $database_url in
    postgresql://* | postgres://*) ;;
    pgsql://*) database_url="postgresql://${database_url#pgsql://}" ;;  # libpq knows only these two
    sqlite:*) die "DATABASE_URL names SQLite: back up the file itself; this script is for PostgreSQL." ;;
    *) die "DATABASE_URL is not a PostgreSQL URL." ;;
esac
[[ -d $media_root ]] || die "MEDIA_ROOT=$media_root is not a folder."
command -v pg_dump >/dev/null || die "pg_dump is missing (Debian: apt-get install postgresql-client)."

mkdir -p "$backup_dir"
name="chashan-$(date +%Y%m%d-%H%M%S)"
target="$backup_dir/$name"
partial="$target.partial"
[[ ! -e $target && ! -e $partial ]] || die "$target already exists; wait a second and run again."
trap 'rm -rf "$partial"' EXIT
mkdir "$partial"

start=$SECONDS
pg_dump --format=custom --compress=6 --file="$partial/database.dump" --dbname="$database_url"
files=$(find "$media_root" -type f | wc -l)
tar --create --gzip --file="$partial/media.tar.gz" --directory="$media_root" .
(cd "$partial" && sha256sum database.dump media.tar.gz >SHA256SUMS)

mv "$partial" "$target"
trap - EXIT

printf 'backup: %s (database %s, media %s with %s files) in %ss\n' "$target" \
    "$(du -h "$target/database.dump" | cut -f1)" "$(du -h "$target/media.tar.gz" | cut -f1)" \
    "$files" "$((SECONDS - start))"

# retention: the newest $keep complete backups stay (the names sort by date)
mapfile -t backups < <(find "$backup_dir" -mindepth 1 -maxdepth 1 -type d -name 'chashan-*' ! -name '*.partial' | sort)
excess=$((${#backups[@]} - keep))
for ((i = 0; i < excess; i++)); do
    rm -rf -- "${backups[i]}"
    printf 'backup: removed %s (keeping the newest %s)\n' "${backups[i]}" "$keep"
done
