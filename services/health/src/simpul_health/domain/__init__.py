"""Pure health logic: no FastAPI, SQL or Kafka imports here. A broken rule raises the
platform's ``RuleViolation`` (``simpul_platform.domain``)."""
