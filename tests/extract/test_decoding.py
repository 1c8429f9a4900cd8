from __future__ import annotations

import codecs

import pytest

from transforms.extract.decoding import DecodeError, decode_body


def test_declared_cp1252_page_decodes() -> None:
    body = '<html><head><meta charset="windows-1252"></head><p>Café in São Paulo – “quoted”</p>'
    decoded = decode_body(body.encode("cp1252"))
    assert "Café in São Paulo – “quoted”" in decoded.text
    assert (decoded.charset, decoded.charset_source) == ("cp1252", "meta")


def test_header_charset_wins_and_latin1_means_windows_1252() -> None:
    decoded = decode_body("Grüße aus Köln".encode("latin-1"), "ISO-8859-1")
    assert decoded.text == "Grüße aus Köln"
    assert decoded.charset_source == "header"


def test_utf8_bom() -> None:
    decoded = decode_body(codecs.BOM_UTF8 + "<p>naïve</p>".encode())
    assert decoded.text == "<p>naïve</p>"
    assert decoded.charset_source == "bom"


def test_undeclared_latin_text_is_detected() -> None:
    text = "Le président a annoncé que la réforme des retraites sera présentée à l'Assemblée. " * 20
    decoded = decode_body(text.encode("cp1252"))
    assert "président" in decoded.text
    assert decoded.charset_source == "detected"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary_content"),
        (bytes(range(256)) * 40, "binary_content"),
        (
            b'<meta charset="utf-8">' + b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc" * 200,
            "invalid_encoding",
        ),
    ],
)
def test_undecodable_bodies_are_rejected_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as raised:
        decode_body(body)
    assert raised.value.reason == reason
