"""A batch route: up to a thousand items in one request and one transaction, a result per item.

Every item is checked on its own (its schema, then the rules that need no database), a handful
of set-based statements read what the whole batch needs, each item is judged against that, and
one statement per table writes the rows of the items that passed. An item that breaks a rule
gets an error result naming the field as ``body.items[i]…`` and writes nothing; the others are
written. A service gives only its domain: what an item is, how it is judged, which rows it
writes and what those rows change beyond themselves.

- ``items``: the batch's transaction, caller and results, the per-item checks, duplicates
  within a batch, the 409 of a row a concurrent request wrote first;
- ``rows``: the set-based reads and writes (COPY, an UPDATE from arrays).

The route stays the service's own: a thin POST that commits the unit of work, which claims the
``Idempotency-Key`` with the batch's rows and events (a retry with the key gets the first answer).
"""
