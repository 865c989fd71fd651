"""API models: what clients send and receive, one module per router in ``api/``.
Person-level outputs are for health roles only."""
