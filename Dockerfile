# One image for both processes: the API (default command) and the worker
# (`node dist/apps/worker/src/main.js`). Debian, not Alpine: the Temporal core bridge and
# @swc/core (which bundles the workflow code, at build and for a worker whose bundle is stale) ship glibc binaries.
# Needs BuildKit (Docker's default builder since 23.0) for the npm cache mounts.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, then compile TypeScript to dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The root postinstall would pip-install the Temporal CLI and apt-install Chromium (dev/test
# tools); the image needs neither. SCARF_ANALYTICS: no install-time telemetry call.
ENV DUBAN_SKIP_TEMPORAL_INSTALL=1 \
    DUBAN_SKIP_BROWSER_INSTALL=1 \
    SCARF_ANALYTICS=false \
    npm_config_fund=false \
    npm_config_audit=false \
    npm_config_update_notifier=false
# Manifests (and the postinstall script they name) first, so code edits reuse the install layer.
COPY package.json package-lock.json ./
COPY scripts/install-temporal.mjs scripts/install-browser.mjs scripts/
RUN --mount=type=cache,target=/root/.npm npm ci
COPY . .
RUN npm run build

# ---- prod-deps: production node_modules only (includes @temporalio/worker and its webpack) ----
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV DUBAN_SKIP_TEMPORAL_INSTALL=1 \
    DUBAN_SKIP_BROWSER_INSTALL=1 \
    SCARF_ANALYTICS=false \
    npm_config_fund=false \
    npm_config_audit=false \
    npm_config_update_notifier=false
COPY package.json package-lock.json ./
COPY scripts/install-temporal.mjs scripts/install-browser.mjs scripts/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# Root-owned and read-only to the app; only .data (DUBAN_DATA_DIR's default) is writable.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
# dist/workflow-bundle.js is the workflow code the worker runs (bundled by `npm run build`);
# dist/workflows stays for replays, and for a worker whose bundle is older than dist.
COPY --from=build /app/dist ./dist
RUN mkdir -p .data && chown node:node .data
# The `node` user (uid 1000) comes with the official image.
USER node
EXPOSE 3000
# No HEALTHCHECK here: the worker serves no HTTP; docker-compose.yml checks the API's /health.
CMD ["node", "dist/apps/api/src/main.js"]
