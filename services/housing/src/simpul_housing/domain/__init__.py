"""Pure housing-field logic: no FastAPI, SQL or Kafka here."""
