"""Settings, one object per concern, passed explicitly (no module-level globals outside entry points)."""
from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .store import DEFAULT_URL


class Settings(BaseSettings):
    """Read from ``OCCURRENCES_*`` environment variables; CLI options override them."""

    model_config = SettingsConfigDict(env_prefix="OCCURRENCES_", extra="ignore")

    db: str = Field(DEFAULT_URL, description="Database URL: sqlite:///file.db or postgresql://...")
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_bytes: int = 50 * 1024 * 1024
    # Requests a server process works on at once (its thread pool, hence its SQLite connections or PostgreSQL
    # pool use); more wait in the event loop, which costs nothing. None: the store's own default
    # (``request_threads`` of the store class, see api.request_threads).
    threads: int | None = Field(None, ge=1, le=64)
    default_language: str = "en"
    trusted_proxies: str = Field("", description="Comma-separated addresses or networks (10.0.0.0/8) of reverse "
                                 "proxies whose X-Forwarded-For is believed; default none: the peer address counts")

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: str) -> str:
        for network in filter(None, (n.strip() for n in value.split(","))):
            ipaddress.ip_network(network, strict=False)  # ValueError names the bad entry
        return value

