"""Test set-up shared by every app: fast hashing, in-memory files, immediate tasks, personas."""

import pytest

pytest_plugins = ["concierge.core.testing"]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    from django.core.cache import cache

    cache.clear()  # cached page fragments must not leak from one test into the next
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    settings.ACCOUNT_RATE_LIMITS = False
    # Tests do not run collectstatic: plain file names, served from the apps' folders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
