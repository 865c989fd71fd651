"""Pure rules: no FastAPI, SQL or Kafka."""
