"""Pure registry rules: no FastAPI, SQL or Kafka here (they raise the platform's
``RuleViolation``; its problem handler answers 422 naming the field and the rule)."""
