# keysmith in a container: the server (with its dashboard at /) and the `keysmith` CLI.
#
#   docker build -t keysmith .
#   docker run -d --name keysmith -p 8787:8787 -v keysmith-data:/data keysmith
#   docker exec keysmith cat /data/root-key        # the first root key, written once
#
# Configuration is the KEYSMITH_* environment (README, "Configuration"); the defaults below
# listen on every interface of the container and keep SQLite in the /data volume. Set
# KEYSMITH_DATABASE_URL=postgres://… and KEYSMITH_REDIS_URL=redis://… for the cluster mode
# (compose.yaml).

ARG NODE_IMAGE=node:20-slim

# Production dependencies of the server and the CLI, from the lockfile. better-sqlite3 is the one
# native addon: its install downloads a prebuilt binary, or compiles SQLite with the tools below.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/server/package.json packages/server/
COPY packages/cli/package.json packages/cli/
COPY packages/scanner/package.json packages/scanner/
COPY packages/sdk/package.json packages/sdk/
COPY packages/dashboard/package.json packages/dashboard/
COPY examples/weather-api/package.json examples/weather-api/
COPY examples/client/package.json examples/client/
# --ignore-scripts: the root's `prepare` would build, with no sources here yet.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      -w @keysmith/server -w @keysmith/cli \
  && npm rebuild better-sqlite3 \
  && npm cache clean --force

# The build: TypeScript for every package, the dashboard (Vite), copied into the server package.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/server/package.json packages/server/
COPY packages/cli/package.json packages/cli/
COPY packages/scanner/package.json packages/scanner/
COPY packages/sdk/package.json packages/sdk/
COPY packages/dashboard/package.json packages/dashboard/
COPY examples/weather-api/package.json examples/weather-api/
COPY examples/client/package.json examples/client/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    KEYSMITH_HOST=0.0.0.0 \
    KEYSMITH_PORT=8787 \
    KEYSMITH_DATABASE_URL=/data/keysmith.db \
    KEYSMITH_ROOT_KEY_FILE=/data/root-key
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/package.json ./
COPY --from=build /src/packages/core/package.json packages/core/
COPY --from=build /src/packages/core/dist packages/core/dist
COPY --from=build /src/packages/server/package.json packages/server/
COPY --from=build /src/packages/server/dist packages/server/dist
COPY --from=build /src/packages/server/dashboard packages/server/dashboard
COPY --from=build /src/packages/cli/package.json packages/cli/
COPY --from=build /src/packages/cli/dist packages/cli/dist
COPY --from=build /src/packages/scanner/package.json packages/scanner/
COPY --from=build /src/packages/scanner/dist packages/scanner/dist
COPY --from=build /src/packages/sdk/package.json packages/sdk/
COPY --from=build /src/packages/sdk/dist packages/sdk/dist
RUN chmod 755 packages/cli/dist/bin.js \
  && ln -s /app/packages/cli/dist/bin.js /usr/local/bin/keysmith \
  && mkdir -p /data && chown node:node /data
# The image's own user (uid 1000), never root. A new named volume takes /data's owner.
USER node
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.KEYSMITH_PORT || 8787) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) drains: in-flight requests finish, usage is flushed.
STOPSIGNAL SIGTERM
ENTRYPOINT ["keysmith"]
CMD ["serve"]
