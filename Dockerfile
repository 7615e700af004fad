# syntax=docker/dockerfile:1
# Build: docker build -t bluecard .
# Run:   see deploy/compose.yaml (migrate job, app replicas, reverse proxy) and README.
# Bookworm's postgresql-client is 15: pg_dump must be at least the server's major version.
ARG PYTHON=python:3.11-slim-bookworm

FROM ${PYTHON} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies in a layer of their own, as the lock file pins them (versions and hashes):
# rebuilt only when the lock changes.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
# The code as a wheel (no tests): app/ into site-packages, migrations and seed data
# under /opt/venv/share/bluecard.
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY seed ./seed
RUN pip install --no-deps .

FROM ${PYTHON}
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home bluecard \
    && mkdir -p /var/lib/bluecard && chown bluecard:bluecard /var/lib/bluecard
# Owned by root: the runtime user can read the code, not change it.
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    BLUECARD_ENVIRONMENT=production \
    BLUECARD_KEY_FILE=/run/secrets/bluecard.keys
WORKDIR /var/lib/bluecard
USER bluecard
EXPOSE 8000
# Liveness only: readiness (/readyz) is for the balancer, which takes a host out while it
# is not ready; restarting it for that would not help.
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
# Migrations are a job of their own (`bluecard db upgrade`, see deploy/compose.yaml).
CMD ["bluecard", "serve", "--no-migrate", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
