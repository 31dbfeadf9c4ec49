"""Which camera-trap reader a file needs: Camtrap DP (a package with the 1.0 profile) or a Wildlife Insights
bulk download. One place for ``occurrences import`` and ``occurrences effort``."""
from __future__ import annotations

from pathlib import Path

from .model import CamtrapPackage


def is_survey(path: Path) -> bool:
    from .read import is_camtrap_package
    from .wildlife_insights import is_wildlife_insights

    return is_camtrap_package(path) or is_wildlife_insights(path)


def read_survey(path: Path, *, timezone: str | None = None) -> CamtrapPackage:
    """The survey in ``path``; ``timezone`` (IANA) is used only by Wildlife Insights downloads, whose times carry
    no offset."""
    from .read import is_camtrap_package, read_camtrap_dp
    from .wildlife_insights import read_wildlife_insights

    if is_camtrap_package(path):
        return read_camtrap_dp(path)
    return read_wildlife_insights(path, timezone=timezone)
