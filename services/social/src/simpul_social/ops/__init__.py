"""Database operations behind the routes and the consumers."""
