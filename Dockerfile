# syntax=docker/dockerfile:1
# Build: docker build -t bluecard .
# Run:   docker run -p 8000:8000 -e BLUECARD_DATABASE_URL=postgresql://... -e BLUECARD_KEYS='{...}' bluecard

FROM python:3.11-slim AS build
WORKDIR /srv/bluecard
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-cache-dir --upgrade pip && pip install --no-cache-dir -e .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /srv/bluecard bluecard
WORKDIR /srv/bluecard
COPY --from=build /opt/venv /opt/venv
COPY --chown=bluecard:bluecard . .
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    BLUECARD_ENVIRONMENT=production \
    BLUECARD_KEY_FILE=/var/lib/bluecard/bluecard.keys
RUN mkdir -p /var/lib/bluecard && chown bluecard:bluecard /var/lib/bluecard
USER bluecard
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz').status != 200)"
CMD ["bluecard", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
