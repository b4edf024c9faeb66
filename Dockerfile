# Build stage: all dependencies, compile src/ to dist/, then drop the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall applies patches/ (patch-package): the postgres.js restart fix must be in the image.
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime: the compiled gateway, production dependencies, migrations; runs as the unprivileged `node` user.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production MALLOC_ARENA_MAX=1 SMPP_PORT=2775 HTTP_PORT=8080 OPS_PORT=9090 DATA_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY drizzle ./drizzle
COPY bin ./bin
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
USER node
EXPOSE 2775 8080
VOLUME /data
# /readyz on the ops listener, which every role runs (a workers-only container has no HTTP port).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.OPS_PORT||9090)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM: unbind peers, finish in-flight jobs, exit 0 within SHUTDOWN_TIMEOUT_MS (compose waits longer).
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=30", "--v8-pool-size=2", "--require=./bin/threadpool.cjs", "dist/main.js"]
