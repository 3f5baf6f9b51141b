# IPS Portal: one image for every production process (web, worker, beat, migrate).
#   docker build -t ips-portal .
# The command is the web server; docker-compose.yml runs the other processes from the same
# image with their own commands. All configuration comes from environment variables.
FROM python:3.11-slim-bookworm

# XDG_CACHE_HOME: fontconfig (used by WeasyPrint) wants a writable cache; the code is read-only.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    IPS_VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media \
    STATIC_ROOT=/app/staticfiles \
    XDG_CACHE_HOME=/tmp/cache \
    GUNICORN_CMD_ARGS="--access-logfile - --timeout 60"

# WeasyPrint's native libraries (Pango, HarfBuzz font subsetting) and a default font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 ips \
    && useradd --system --uid 10001 --gid ips --home-dir /app --shell /usr/sbin/nologin ips

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. Exact versions and hashes.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

# The code stays owned by root: the portal's user can read it, not change it.
COPY . .

# Static files are collected into the image (served by WhiteNoise). The key is a throwaway:
# collectstatic needs production settings to load, not a secret.
RUN DJANGO_ENV=production SECRET_KEY=collectstatic-only-not-a-secret ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput -v 0 \
    && mkdir -p /app/var/media /app/var/celery \
    && chown -R ips:ips /app/var

USER ips

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "scripts/healthcheck.py"]

CMD ["gunicorn", "ipsportal.wsgi", "-b", "0.0.0.0:8000", "--workers", "3"]
