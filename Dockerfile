# syntax=docker/dockerfile:1
# The Persona MCP server. The build stage compiles the TypeScript sources to dist/ (bin/build.js, tsc);
# the image holds dist/ plus the production node_modules, no sources, and runs no compiler.
# Both stages use the same Debian (bookworm) so native modules built in one load in the other.

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source (node-gyp) whenever no prebuilt binary matches the platform
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# Dependencies first, so source edits do not reinstall them. npm ci's postinstall runs
# `prisma generate`, which needs the schema and its config.
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund

COPY . .
# The Prisma client is generated into src/generated (git-ignored, and kept out by .dockerignore):
# generate it here from the copied schema, compile everything to dist/ (TypeScript is a dev dependency),
# then drop the dev dependencies (tap, typescript, types). tsx stays for the terminal client.
RUN node scripts/prisma-generate.mjs \
 && test -d src/generated/prisma \
 && node bin/build.js \
 && test -f dist/src/server.js \
 && node scripts/build-console.mjs \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force


FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/data
WORKDIR /app

# Application files stay owned by root: the non-root user can read them but not change them.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/package.json /app/package-lock.json /app/config.json /app/tsconfig.json ./
COPY --from=build /app/bin ./bin
# the compiled server (src/ and plugins/ as JavaScript); bin/persona-mcp.js runs it as it is
COPY --from=build /app/dist ./dist
# migrations are applied by the server itself at start-up (src/store/migrations.ts)
COPY --from=build /app/prisma ./prisma
# the terminal client: `docker compose exec app npm run client -- --api-key KEY`
COPY --from=build /app/client ./client
# the web console's built assets, served at /console
COPY --from=build /app/console/dist ./console/dist

# The data directory belongs to the unprivileged `node` user of the base image; a fresh named
# volume mounted here takes over this ownership.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000

# The slim image has no curl: ask /health with Node's own fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node is PID 1 and handles SIGTERM itself (graceful shutdown, exit 0), so no init wrapper is needed.
CMD ["node", "bin/persona-mcp.js", "serve"]
