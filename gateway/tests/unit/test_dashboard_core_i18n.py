"""The dashboard's labels: both languages have every key, every template's label exists, and the
language is chosen from the query, then the cookie, then Indonesian."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from starlette.requests import Request

from simpul_gateway.dashboard.i18n import EN, ID, LABELS, chosen_lang
from simpul_gateway.dashboard.render import cell, number, percent

pytestmark = pytest.mark.unit


def test_indonesian_and_english_have_the_same_keys_and_no_empty_label():
    assert set(ID) == set(EN)
    assert set(LABELS) == {"id", "en"}
    assert all(text.strip() for text in [*ID.values(), *EN.values()])


def test_every_label_a_template_names_exists():
    templates = files("simpul_gateway.dashboard") / "templates"
    named: set[str] = set()
    for template in templates.iterdir():
        text = template.read_text(encoding="utf-8")
        named |= set(re.findall(r"\bt\.([a-z_]+)", text))
        named |= set(re.findall(r"\bt\[\"([a-z_]+)\"\]", text))
    assert named, "the templates name labels as t.<key>"
    assert named <= set(ID), named - set(ID)


def _request(query: str = "", cookie: str | None = None) -> Request:
    headers = [(b"cookie", f"lang={cookie}".encode())] if cookie else []
    scope = {"type": "http", "query_string": query.encode(), "headers": headers}
    return Request(scope)


@pytest.mark.parametrize(
    ("query", "cookie", "expected"),
    [
        ("", None, "id"),
        ("lang=en", None, "en"),
        ("", "en", "en"),
        ("lang=id", "en", "id"),  # the query wins over the remembered choice
        ("lang=fr", "en", "en"),  # an unknown language is ignored
        ("lang=fr", None, "id"),
    ],
)
def test_the_language_comes_from_the_query_then_the_cookie_then_indonesian(query, cookie, expected):
    assert chosen_lang(_request(query, cookie)) == expected


def test_figures_are_written_as_each_language_reads_them():
    assert number(12345, "id") == "12.345"
    assert number(12345, "en") == "12,345"
    assert percent(37.5, "id") == "37,5 %"
    assert percent(37.5, "en") == "37.5 %"
    assert percent(None, "id") == "—"
    assert cell(1234.5, "id") == "1.234,5"
    assert cell("Tenggarong", "id") == "Tenggarong"
