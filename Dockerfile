FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall applies patches/ (patch-package): the postgres.js restart fix must be in the image.
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV NODE_ENV=production SMPP_PORT=2775 HTTP_PORT=8080 DATA_DIR=/data
EXPOSE 2775 8080
VOLUME /data
CMD ["npx", "tsx", "src/main.ts"]
