#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine, then run the whole suite.
#   bash scripts/test.sh            # all tests
#   bash scripts/test.sh -k ogc     # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: headless Chromium (browser tests) and PostGIS (the store contract suite runs on both
# backends). No fonts: the Noto fonts for maps and pages ship inside the package.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1 || need+=(postgresql-15-postgis-3)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${need[@]}" \
    || echo "warning: could not install ${need[*]}; tests that need them will be skipped with a reason"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

# A throwaway PostGIS database for the contract tests (skipped with a reason when unavailable).
if [ -z "${OCCURRENCES_TEST_POSTGIS_URL:-}" ] && [ -f scripts/ci-postgis.sh ]; then
  if url_line=$(bash scripts/ci-postgis.sh); then eval "$url_line"; export OCCURRENCES_TEST_POSTGIS_URL; fi
fi
echo "PostGIS tests: ${OCCURRENCES_TEST_POSTGIS_URL:-skipped (no server)}"

exec .venv/bin/python -m pytest "$@"
