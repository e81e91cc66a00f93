# syntax=docker/dockerfile:1

# fritid's container image: the one static binary on distroless, as a user without rights.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t fritid .
#   docker compose up          # with PostgreSQL; see compose.yaml and docs/deploy.md

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false
# Modules first, so a change to the source does not download them again; the module and
# build caches stay between builds.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath \
      -ldflags "-s -w -X github.com/fritid/fritid/internal/platform/buildinfo.Version=${VERSION}" \
      -o /out/fritid ./cmd/fritid \
 && /out/fritid --help > /dev/null
# The data directory, owned by the runtime user: a named volume mounted there starts as a
# copy of it, with its owner.
RUN mkdir -p /out/var/lib/fritid/media

# static: CA certificates (SMTP over TLS, S3, OIDC issuers) and time zones, no shell;
# nonroot: UID and GID 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/fritid /fritid
COPY --from=build --chown=65532:65532 /out/var/lib/fritid /var/lib/fritid
USER 65532:65532
ENV FRITID_ENV=production \
    FRITID_HTTP_ADDR=:8080 \
    FRITID_DATA_DIR=/var/lib/fritid \
    FRITID_MEDIA_URL=file:///var/lib/fritid/media
VOLUME ["/var/lib/fritid"]
EXPOSE 8080
# Ready: the server answers and reaches PostgreSQL (GET /readyz).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/fritid", "healthcheck"]
ENTRYPOINT ["/fritid"]
CMD ["serve"]
