"""Typed readers for environment variables.

Every setting Concierge reads from the environment goes through one of these helpers, so a bad
value stops the process at start-up with a message that names the variable, instead of failing
later in a request. ``env_secret`` also reads ``NAME_FILE`` (a path), for container secrets.
"""

import os
from pathlib import Path


class EnvError(ValueError):
    """A variable is set to a value its reader cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise EnvError(f"{name} must be one of true/false/1/0/yes/no/on/off, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise EnvError(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise EnvError(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (not both)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        if name in os.environ:
            raise EnvError(f"set either {name} or {name}_FILE, not both")
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise EnvError(f"{name}_FILE: cannot read {path}: {exc.strerror}") from None
    return os.environ.get(name, default)


def env_map(name: str) -> dict[str, str]:
    """Read ``key=value`` pairs separated by commas, e.g. ``it-desk=agent,admins=admin``."""
    result = {}
    for part in env_list(name):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise EnvError(f"{name} must be a comma-separated list of key=value, not {part!r}")
        result[key.strip()] = value.strip()
    return result
