# syntax=docker/dockerfile:1
# Build stage: full image, because better-sqlite3 may compile its native addon.
FROM node:26-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: slim, non-root, state on the /data volume.
FROM node:26-bookworm-slim
ENV NODE_ENV=production \
    DATA_DIR=/data \
    POLICIES_DIR=/data/policies \
    HTTP_PORT=8080 \
    HTTPS_PORT=8443
WORKDIR /app
RUN groupadd --system policyhost && useradd --system --gid policyhost --home /app policyhost \
    && mkdir -p /data && chown policyhost:policyhost /data
COPY --from=build --chown=policyhost:policyhost /app/node_modules ./node_modules
COPY --from=build --chown=policyhost:policyhost /app/dist ./dist
COPY --chown=policyhost:policyhost package.json ./
USER policyhost
VOLUME ["/data"]
# Unprivileged ports; the platform maps 80 → 8080 and 443 → 8443 (see fly.toml).
EXPOSE 8080 8443
# Liveness: /healthz answers 503 only when the process cannot serve (a listener or the database
# down); a degraded state (a failing job) stays 200. Load balancers use /readyz.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/index.js"]
CMD ["serve"]
