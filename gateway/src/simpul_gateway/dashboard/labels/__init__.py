"""Each page's own labels: a module per page with ``ID`` and ``EN`` dicts of the same keys,
merged into ``dashboard.i18n``'s at import (a key may be defined once in all of them)."""
