"""One exception family. Library code raises these; only cli/ and web/ present them."""

from __future__ import annotations

__all__ = [
    "AnchorError",
    "BackendUnavailable",
    "ConfigError",
    "InputError",
    "ModelError",
    "RenderError",
    "ReviewNeeded",
]


class AnchorError(Exception):
    """An error a user can act on: a one-line message plus a hint."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InputError(AnchorError):
    """The article, script or an option given by the user cannot be used."""

    exit_code = 2


class ConfigError(AnchorError):
    """A config file, avatar/voice preset or option value is invalid."""

    exit_code = 2


class BackendUnavailable(AnchorError):
    """A backend cannot run here (missing package, model or network)."""

    exit_code = 3


class ModelError(AnchorError):
    """A model could not be fetched, verified or loaded."""

    exit_code = 3


class RenderError(AnchorError):
    """ffmpeg or the frame pipeline failed."""

    exit_code = 1


class ReviewNeeded(AnchorError):
    """The script has sentences the checks fault (a name, a figure, the meaning) and
    ``strict`` is on: a person reviews it before anything is rendered."""

    exit_code = 2
