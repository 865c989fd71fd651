"""Pure social-field logic: no FastAPI, SQL or Kafka here."""
