"""One base error, one subclass per stage; every message says what went wrong and what to do."""

from __future__ import annotations

from generator.i18n import _


class NewsletterError(Exception):
    """Base of every error the tool reports to a user (exit code 2 unless said otherwise)."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class ConfigError(NewsletterError):
    """Bad configuration file, environment variable or flag."""

    @classmethod
    def invalid_value(cls, section: str, key: str, value: object, error: object) -> ConfigError:
        """`[section] key = value n'est pas valable : error`, the one message of a setting of the wrong type."""
        message = _(
            "[{section}] {key} = {value} n'est pas valable : {error}",
            section=section,
            key=key,
            value=repr(value),
            error=error,
        )
        return cls(message)


class InputError(NewsletterError):
    """A transcript that cannot be read or parsed (empty, binary, truncated, too big...)."""


class PromptError(NewsletterError):
    """A prompt file is malformed or cannot be rendered."""


class LLMError(NewsletterError):
    """The language-model backend failed (network, refusal, invalid output)."""


class BudgetError(LLMError):
    """A request cannot fit in the configured context window."""


class RenderError(NewsletterError):
    """A template failed to render."""


class OutboxError(NewsletterError):
    """A draft cannot be found, written or moved to the requested status."""


class LockError(NewsletterError):
    """Another run holds the lock."""


class SourceError(NewsletterError):
    """A feed or a file it points to cannot be fetched or read (down, 404, malformed, too large)."""


class TranscriptionError(NewsletterError):
    """Speech-to-text failed or is not available."""


class DeliveryError(NewsletterError):
    """An edition could not be sent (refused, unapproved, already sent, server or platform failure)."""


class WeeklyError(NewsletterError):
    """The weekly edition cannot be built from these inputs or this state (generator/weekly/)."""
