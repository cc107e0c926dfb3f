"""One error root for everything a user can fix; anything else is a bug."""

from __future__ import annotations

import os


class DigestError(Exception):
    """Root of every error the CLI reports as `error: <message>`."""

    exit_code = 1


class ConfigError(DigestError):
    """The configuration is wrong: names the key and what was expected."""

    exit_code = 2

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"config: {key}: {problem}")


class DocumentError(DigestError):
    """One input document cannot be published; the run goes on without it."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class PublishError(DigestError):
    """An output file could not be written; the next build tries again."""


class StoreError(DigestError):
    """The state database cannot be used."""


class DeliveryError(DigestError):
    """A digest could not be handed to the mail server."""

    def __init__(self, recipient: str, reason: str, *, permanent: bool) -> None:
        self.recipient = recipient
        self.reason = reason
        self.permanent = permanent
        super().__init__(f"{recipient}: {reason}")


class LockedError(DigestError):
    """Another process already works on this state folder."""

    exit_code = 2


class LeaseLost(DigestError):
    """Another instance leads now: this one must not publish or send any more."""


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def describe(exc: BaseException) -> str:
    """One line for an unforeseen failure: what was raised and where in the code.

    Used where one document's failure must not stop the others; the line is
    what `status` shows and what a bug report needs.
    """
    text = " ".join(str(exc).split())
    if len(text) > 160:
        text = text[:159] + "…"
    where = ""
    # The first frame is the one that caught it; the deepest of ours below it
    # is where it went wrong.
    tb = exc.__traceback__.tb_next if exc.__traceback__ else None
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.startswith(_PACKAGE):
            name = code.co_filename[len(_PACKAGE) :].replace(os.sep, "/")
            where = f" (in {name}:{tb.tb_lineno}, {code.co_name})"
        tb = tb.tb_next
    kind = type(exc).__name__
    return f"unexpected {kind}{': ' + text if text else ''}{where}"
