from __future__ import annotations

import codecs
import random

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


def page(text: str, head: str = "") -> str:
    """Return a small HTML page around paragraphs of text."""
    paragraphs = "".join(f"<p>{line}</p>\n" for line in text.split("\n"))
    return f"<html><head>{head}<title>Harbour news</title></head><body>{paragraphs}</body></html>"


ENGLISH = "\n".join(
    [
        "The ferry to Zürich’s sister port — closed since March — reopened on Monday.",
        "Passengers said the crossing took “barely twenty minutes” in calm weather.",
        "The operator’s spokeswoman, Ana Müller, said repairs cost €2.4 million.",
    ]
    * 6
)
RUSSIAN = "\n".join(
    [
        "Паром в соседний порт снова вышел в рейс в понедельник после долгого ремонта.",
        "Пассажиры говорят, что переправа заняла не больше двадцати минут.",
        "По словам представителя компании, ремонт обошёлся в два миллиона рублей.",
    ]
    * 6
)
JAPANESE = "\n".join(
    [
        "港の連絡船は長い修理を終え、月曜日に運航を再開しました。",
        "乗客によると、穏やかな天気の中で横断はわずか二十分でした。",
        "運航会社の広報担当者は、修理費は二百万円だったと述べました。",
    ]
    * 6
)
CHINESE = "\n".join(
    [
        "港口渡轮在经过长时间维修后于周一恢复运营。",
        "乘客们说，在平静的天气里，渡河只用了不到二十分钟。",
        "运营公司的发言人表示，维修费用为两百万元。",
    ]
    * 6
)


def test_stray_windows_1252_bytes_in_a_utf8_page_are_read_as_such() -> None:
    text = page(ENGLISH, '<meta charset="utf-8">')
    # Six curly quotes pasted from a windows-1252 source into the UTF-8 page.
    body = text.encode("utf-8")
    stray = body.replace("“".encode(), b"\x93", 3).replace("”".encode(), b"\x94", 3)
    decoded = decode_body(stray)
    assert decoded.text == text
    assert (decoded.charset, decoded.charset_source) == ("utf-8", "meta_mixed")


def test_a_damaged_utf8_page_is_rejected_not_published_garbled() -> None:
    body = bytearray(page(ENGLISH, '<meta charset="utf-8">').encode("utf-8"))
    rng = random.Random(7)
    for _ in range(int(len(body) * 0.07)):
        body[rng.randrange(200, len(body))] = rng.randrange(0x80, 0x100)
    with pytest.raises(DecodeError) as raised:
        decode_body(bytes(body))
    assert raised.value.reason == "invalid_encoding"
    assert "invalid byte sequences" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (ENGLISH, "utf-16-le"),
        (ENGLISH, "utf-16-be"),
        (RUSSIAN, "utf-16-le"),
        (JAPANESE, "utf-16-be"),
        (RUSSIAN, "cp1251"),
        (RUSSIAN, "koi8-r"),
        (JAPANESE, "shift_jis"),
        (JAPANESE, "euc-jp"),
        (CHINESE, "gb18030"),
    ],
)
def test_undeclared_charsets_are_detected(text: str, codec: str) -> None:
    html = page(text)
    decoded = decode_body(html.encode(codec))
    assert decoded.text == html
    assert decoded.charset_source == "detected"


@pytest.mark.parametrize("label", ["utf-16", "UTF-16LE", "utf-16be", "utf-32"])
def test_a_utf16_meta_label_on_a_utf8_page_means_utf8(label: str) -> None:
    html = page(ENGLISH, f'<meta charset="{label}">')
    decoded = decode_body(html.encode("utf-8"))
    assert decoded.text == html
    assert (decoded.charset, decoded.charset_source) == ("utf-8", "meta")


def test_a_utf16_header_on_utf16_bytes_is_honoured() -> None:
    html = page(RUSSIAN)
    decoded = decode_body(html.encode("utf-16-be"), "utf-16")
    assert decoded.text == html and decoded.charset_source == "header"


def test_a_windows_1252_page_labelled_utf8_is_detected() -> None:
    html = page(
        "Le président a annoncé que la réforme sera présentée à l'Assemblée en février.\n" * 8,
        '<meta charset="utf-8">',
    )
    decoded = decode_body(html.encode("cp1252"))
    assert decoded.text == html
    assert decoded.charset_source == "detected"
