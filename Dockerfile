# mailproc: the e-mail channel of the Layanan Informasi dan Aduan Masyarakat.
# Multi-stage: a static cgo build (go-sqlite3 needs cgo), then a slim Debian
# runtime with CA certificates, running as a non-root user with one volume.
# scripts/build holds the same recipe; .ci/run uses it and tests the binary.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG MAILPROC_VERSION=docker
RUN MAILPROC_VERSION=${MAILPROC_VERSION} scripts/build /out/mailproc

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin mailproc \
 && mkdir -p /data /etc/mailproc && chown mailproc:mailproc /data && chmod 0750 /data
COPY --from=build /out/mailproc /usr/local/bin/mailproc
COPY mailproc.example.toml /etc/mailproc/mailproc.example.toml
ENV MAILPROC_DESK_DATA_DIR=/data
VOLUME ["/data"]
USER mailproc
WORKDIR /data
# /healthz answers on http.listen; healthcheck -config reads it from the same
# config (and MAILPROC_HTTP_LISTEN) the daemon runs with.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s \
  CMD ["/usr/local/bin/mailproc", "healthcheck", "-config", "/etc/mailproc/mailproc.toml"]
ENTRYPOINT ["/usr/local/bin/mailproc"]
CMD ["run", "-config", "/etc/mailproc/mailproc.toml"]
