# PRM application image: one image for web (gunicorn), worker and beat (Celery) and the
# one-shot migrate job. See docs/deployment.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=prm.settings.production \
    PRM_STATIC_ROOT=/app/static-root \
    PRM_MEDIA_ROOT=/app/media

# Shared libraries WeasyPrint loads at run time (Pango, HarfBuzz) and a default font family.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# A fixed UID/GID so files on the media and static volumes keep their owner across rebuilds.
RUN groupadd --system --gid 10001 prm \
    && useradd --system --uid 10001 --gid prm --create-home --home-dir /home/prm \
        --shell /usr/sbin/nologin prm

WORKDIR /app

# Dependencies first, in their own layer, so a code change does not reinstall them. At this
# point only the project metadata is present: installing "." resolves every runtime
# dependency from pyproject.toml, pinned by requirements.lock. The code itself runs from
# /app (PYTHONPATH), because settings find templates/ and static/ next to the packages.
COPY pyproject.toml requirements.lock ./
RUN pip install -c requirements.lock . \
    && rm -rf build *.egg-info

# The application. New top-level Django apps must be added here as well.
COPY manage.py ./
COPY prm ./prm
COPY partners ./partners
COPY dealreg ./dealreg
COPY onboarding ./onboarding
COPY training ./training
COPY mdf ./mdf
COPY analytics ./analytics
COPY imports ./imports
COPY tenantdata ./tenantdata
COPY demo ./demo
COPY templates ./templates
COPY static ./static

# Settings refuse to load without these three variables. The values below exist only for
# this RUN step (collectstatic touches neither the database nor Redis) and are not part
# of the image's environment.
RUN DJANGO_SECRET_KEY=collectstatic-only \
    DATABASE_URL=postgres://build@127.0.0.1:5432/build \
    REDIS_URL=redis://127.0.0.1:6379/0 \
    python manage.py collectstatic --noinput -v 0 \
    && mkdir -p /app/media \
    && chown -R prm:prm /app/static-root /app/media

USER prm

EXPOSE 8000

CMD ["gunicorn", "prm.wsgi:application", "-b", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
