# llmlocust in a container: the web UI built first, then one static binary
# that embeds it, on a base image with nothing else and a non-root user.
#
#   docker build -t llmlocust .
#   docker run --rm llmlocust                      # a 30 s demo against the simulator
#   docker run --rm llmlocust -f /scenarios/openai_chat.lua -H http://vllm:8000 --headless -u 50 -t 5m
#   docker run --rm llmlocust -f /scenarios/openai_chat.lua --worker --master-host master

FROM node:20-bookworm AS frontend
WORKDIR /src/webui/frontend
COPY webui/frontend/package.json webui/frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY webui/frontend/ ./
RUN mkdir -p ../dist && npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=frontend /src/webui/dist/ webui/dist/
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/llmlocust ./cmd/llmlocust

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/llmlocust /usr/local/bin/llmlocust
COPY scenarios/ /scenarios/
USER nonroot:nonroot
WORKDIR /home/nonroot
# 8089: the web UI (give --web-host 0.0.0.0 and --web-auth to reach it);
# 5557: a master's port for its workers.
EXPOSE 8089 5557
ENTRYPOINT ["/usr/local/bin/llmlocust"]
CMD ["-f", "/scenarios/openai_chat.lua", "-H", "mock", "--headless", "-u", "10", "-r", "5", "-t", "30s"]
