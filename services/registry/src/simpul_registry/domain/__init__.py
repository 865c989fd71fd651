"""Pure registry rules: no FastAPI, SQL or Kafka here."""

from __future__ import annotations


class RuleViolation(ValueError):
    """An input broke a domain rule; the API turns it into a 422 naming field and rule."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule
        self.message = message
