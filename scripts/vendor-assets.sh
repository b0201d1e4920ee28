#!/bin/sh
# Copy the front-end libraries installed by `npm ci` into the package's static vendor directory.
# Used by `make assets` and by docker/Dockerfile, so both ship the same files.
set -eu
VENDOR="${1:-src/trajectflow/web/static/vendor}"
mkdir -p "$VENDOR"
rm -rf "$VENDOR/swagger-ui-dist" "$VENDOR/bpmn-js"
cp -r node_modules/swagger-ui-dist "$VENDOR/swagger-ui-dist"
cp -r node_modules/bpmn-js/dist "$VENDOR/bpmn-js"
cp node_modules/htmx.org/dist/htmx.min.js "$VENDOR/htmx.min.js"
cp node_modules/chart.js/dist/chart.umd.min.js "$VENDOR/chart.umd.min.js"
