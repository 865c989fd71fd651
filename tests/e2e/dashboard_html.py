"""The dashboard's pages in the e2e tests: a client signed in as a browser would be, each
table's raw figures by its cells' ``data-key`` / ``data-value``, every link, and spreadsheet
cells as text."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from typing import Any

import httpx
import openpyxl

from simpul_platform.testing.stack import Stack


async def signed_in(stack: Stack, token: str) -> httpx.AsyncClient:
    """A browser-like client signed in by pasting ``token`` on the sign-in page."""
    client = httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30)
    form = await client.get("/dashboard/masuk")  # its CSRF token, and the cookie to match
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf, form.text
    response = await client.post(
        "/dashboard/masuk", data={"token": token, "next": "/dashboard/ringkasan", "csrf": csrf[1]}
    )
    assert response.status_code == 303, response.text
    assert client.cookies.get("simpul_session") == token
    return client


class Tables(HTMLParser):
    """Each table's rows by id (a table without one under ``""``): every cell's raw figure
    (``data-key`` → ``data-value``), in the page's order; and every link."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[dict[str, str]]] = {}
        self.links: list[str] = []
        self._table: str | None = None
        self._in_body = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "table":
            self._table = found.get("id", "")
            self.tables[self._table] = []
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._table is not None and self._in_body:
            self.tables[self._table].append({})
        elif tag in ("td", "th") and "data-value" in found and self._table is not None:
            self.tables[self._table][-1][found["data-key"]] = found["data-value"]
        elif tag == "a" and "href" in found:
            self.links.append(found["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag == "tbody":
            self._in_body = False


def as_number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: Excel keeps 100.0 as 100, so figures compare as numbers."""
    if value is None:
        return ""
    return repr(float(value)) if isinstance(value, int | float) else str(value)


# --- exports: a page's title lines and its table, as text ----------------------------------


def csv_rows(content: bytes) -> tuple[list[list[str]], list[list[str]]]:
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return lines[:3], lines[5:]


def xlsx_rows(content: bytes) -> tuple[list[list[str]], list[list[str]]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    lines = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    return lines[:3], lines[5:]


def figures(rows: list[list[str]]) -> list[list[Any]]:
    """Excel keeps a number, not its text (100.0 reads back as 100): compared as numbers."""
    return [[number(v) for v in row] for row in rows]


def number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text
