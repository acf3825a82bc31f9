# epicflow API server. Build: docker build -t epicflow .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv

RUN python -m pip install --no-cache-dir uv==0.13.9 \
    && useradd --create-home --uid 10001 epicflow

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY src ./src
COPY migrations ./migrations
RUN uv sync --no-dev --no-cache && chown -R epicflow /app

USER epicflow
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live')"
# Migrations run first (a release step could run `epicflow db upgrade` and pass --no-migrate).
CMD ["/app/.venv/bin/epicflow", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
