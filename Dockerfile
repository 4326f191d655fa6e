# syntax=docker/dockerfile:1
# Vigil server image: a static binary on distroless, running as non-root.
#   docker build --build-arg VERSION=v1.2.3 -t vigil .
#   docker run -p 8080:8080 -p 8443:8443 -v vigil-data:/data vigil

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/vigil-monitor/vigil/internal/version.Version=${VERSION}" \
      -o /out/vigil . \
 && mkdir -p /out/data

# distroless/static has CA certificates, tzdata and a nonroot user (65532)
# and nothing else: no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/vigil /vigil
# The directory exists owned by nonroot before VOLUME, so a new named volume
# starts out writable by the server.
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV VIGIL_DATA=/data \
    VIGIL_LISTEN=:8080 \
    VIGIL_AGENT_LISTEN=:8443
VOLUME /data
EXPOSE 8080 8443
ENTRYPOINT ["/vigil", "server"]
