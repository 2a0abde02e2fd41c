"""Ratings Inbox: the Django project (settings, URLs, Celery application)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
