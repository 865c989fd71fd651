"""Pure education-field logic: no FastAPI, SQL or Kafka here."""
