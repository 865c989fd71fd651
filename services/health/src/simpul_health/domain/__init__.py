"""Pure health logic: no FastAPI, SQL or Kafka imports here."""

from __future__ import annotations


class RuleViolation(Exception):
    """A domain rule broken by one field; the API turns it into a 422 naming field and rule."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule
        self.message = message
