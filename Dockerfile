# The production image: one image for web, worker and beat (docker-compose.yml).
FROM python:3.11-slim
# DEBUG off unless told otherwise: the image then needs SECRET_KEY from its environment (SEC-4).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=ratings_inbox.settings.base DEBUG=0
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir "setuptools>=68" && pip install --no-cache-dir .
COPY . .
RUN useradd --create-home app && mkdir -p /app/var && chown -R app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "ratings_inbox.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
