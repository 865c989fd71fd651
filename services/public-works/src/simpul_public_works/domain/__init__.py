"""Pure public-works logic: no FastAPI, SQL or Kafka here."""
