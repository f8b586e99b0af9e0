"""The one error the calculators raise for bad input: a ValueError with a message in the reader's language."""

from __future__ import annotations


class CalculatorInputError(ValueError):
    """Bad input. `message` is in the requested language and says what to fix; `field` names the input."""

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None, lang: str = "en"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code  # a stable key for the kind of problem (e.g. "negative"), for programs
        self.lang = lang

    def to_dict(self) -> dict[str, str | None]:
        return {"message": self.message, "field": self.field, "code": self.code}


class CalculatorDataError(RuntimeError):
    """The compiled handbook data is missing or of an unknown shape (a build problem, not the reader's)."""
