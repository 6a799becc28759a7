# syntax=docker/dockerfile:1
# The sitrep image: one image for `sitrep worker`, `sitrep migrate` and `sitrep ingest`.
#   docker build -t sitrep:local .
#   docker run --rm sitrep:local --help
ARG PYTHON_IMAGE=python:3.11-slim

# --- build: sitrep and its dependencies in a virtualenv ---------------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/sitrep
WORKDIR /src
# Only what the package is built from (no .venv, var/ or .git in the build context copy).
COPY pyproject.toml ./
COPY sitrep ./sitrep
COPY ingest ./ingest
COPY processors ./processors
COPY sinks ./sinks
COPY schemas ./schemas
COPY migrations ./migrations
RUN /opt/sitrep/bin/pip install .

# --- runtime: the virtualenv only (same base image, so its interpreter paths hold) ----------------
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/sitrep/bin:$PATH \
    SITREP_DATA_DIR=/var/lib/sitrep
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin sitrep \
    && mkdir -p /app /var/lib/sitrep \
    && chown sitrep:sitrep /var/lib/sitrep
COPY --from=build /opt/sitrep /opt/sitrep
WORKDIR /app
# The bundled samples at a stable path: `sitrep ingest /app/sitrep/samples/reports.jsonl`.
COPY sitrep/samples/reports.jsonl ./sitrep/samples/reports.jsonl
USER sitrep
# Worker state (RocksDB tables) and the ingest --follow memory live here; mount a volume.
VOLUME ["/var/lib/sitrep"]
EXPOSE 6066
ENTRYPOINT ["sitrep"]
CMD ["worker"]
