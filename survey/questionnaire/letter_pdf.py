"""A streaming PDF writer for invitation letters: pages go to the file as they are drawn, so 10,000 letters take
the memory of one (issue 15: under a minute, bounded memory).

Why not a PDF library: WeasyPrint (the bilag's) takes about 10 ms a letter and holds the whole document; ReportLab
keeps every page in memory until it saves (about 15 MiB per 1,000 letters here) and formats each coordinate in
Python. A letter is a few lines of text and one QR code, which PDF says in a handful of operators, so this module
writes them itself: a catalogue with the language (da-DK) and the title shown, the document information (title,
author), two TrueType fonts embedded whole (regular and bold, WinAnsi encoding: Danish letters included, text
extractable), and per page a compressed content stream. The page tree and cross-reference table come last, when
every page's place is known; what is kept per page until then is three integers."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO

#: A4 in points
PAGE_WIDTH, PAGE_HEIGHT = 595.276, 841.890
MM = 72 / 25.4
ENCODING = "cp1252"  # PDF's WinAnsiEncoding


@dataclass(frozen=True)
class Font:
    """An embedded TrueType font: its file and the advance width (1/1000 em) of each WinAnsi character code."""

    path: Path
    base_name: str
    widths: tuple[int, ...]  # codes 32..255
    flags: int
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int
    italic_angle: float

    def width(self, text: str, size: float) -> float:
        """The width of `text` in points at `size`."""
        return sum(self.widths[code - 32] if code >= 32 else 0 for code in encode(text)) * size / 1000


@cache
def load_font(path: str) -> Font:
    """Read a TrueType font's metrics (fontTools, which WeasyPrint also uses)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        scale = 1000 / font["head"].unitsPerEm
        cmap = font.getBestCmap()
        advances = font["hmtx"].metrics
        widths = []
        for code in range(32, 256):
            try:
                char = bytes([code]).decode(ENCODING)
            except UnicodeDecodeError:
                widths.append(0)
                continue
            glyph = cmap.get(ord(char))
            widths.append(round(advances[glyph][0] * scale) if glyph in advances else 0)
        head, os2, post = font["head"], font["OS/2"], font["post"]
        name = font["name"].getDebugName(6) or Path(path).stem
        return Font(
            path=Path(path),
            base_name="".join(ch for ch in name if ch.isalnum() or ch == "-"),
            widths=tuple(widths),
            flags=32 | (64 if post.italicAngle else 0),  # non-symbolic
            bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
            ascent=round(os2.sTypoAscender * scale),
            descent=round(os2.sTypoDescender * scale),
            cap_height=round(getattr(os2, "sCapHeight", os2.sTypoAscender) * scale),
            italic_angle=float(post.italicAngle),
        )


def encode(text: str) -> bytes:
    """WinAnsi bytes; a character it has not (rare in Danish) becomes '?'."""
    return text.encode(ENCODING, errors="replace")


def pdf_string(text: str) -> bytes:
    """A literal string for a content stream (WinAnsi)."""
    raw = encode(text)
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def info_string(text: str) -> bytes:
    """A text string outside content streams (title, author): UTF-16BE with its byte order mark, as hex."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


class Page:
    """Drawing operators of one page; (0, 0) is the lower left corner, in points."""

    def __init__(self, fonts: dict[str, tuple[str, Font]]):
        self.fonts = fonts  # key -> (resource name, font)
        self.parts: list[bytes] = []

    def text(self, x: float, y: float, text: str, font: str, size: float) -> None:
        name, _ = self.fonts[font]
        self.parts.append(
            f"BT /{name} {_number(size)} Tf {_number(x)} {_number(y)} Td ".encode() + pdf_string(text) + b" Tj ET"
        )

    def qr(self, matrix, x: float, y: float, size: float) -> None:
        """A QR symbol's modules (rows of 0/1, top row first) as one filled path, each row's runs of dark modules as
        rectangles in module units; (x, y) is the lower left corner without the quiet zone."""
        modules = len(matrix)
        rectangles = []
        for row_number, row in enumerate(matrix):
            bottom = modules - 1 - row_number
            start = None
            for column, dark in enumerate((*row, 0)):
                if dark and start is None:
                    start = column
                elif not dark and start is not None:
                    rectangles.append(f"{start} {bottom} {column - start} 1 re")
                    start = None
        scale = _number(size / modules)
        self.parts.append(f"q {scale} 0 0 {scale} {_number(x)} {_number(y)} cm {' '.join(rectangles)} f Q".encode())


class Writer:
    """Writes a PDF of A4 pages to `out` as they come; `pages()` gives each new page to draw on."""

    def __init__(self, out: BinaryIO, title: str, author: str, language: str, fonts: dict[str, Font]):
        self.out, self.offsets, self.written = out, {}, 0
        self.title, self.author, self.language, self.page_ids = title, author, language, []
        self.next_id = 4  # 1 catalogue, 2 page tree, 3 information: written last
        self.font_resources = {key: (f"F{n}", font) for n, (key, font) in enumerate(fonts.items(), start=1)}
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        font_ids = {name: self._font(font) for name, font in self.font_resources.values()}
        fonts_dict = " ".join(f"/{name} {object_id} 0 R" for name, object_id in font_ids.items())
        self.resources_id = self._object(f"<< /Font << {fonts_dict} >> >>".encode())

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.written += len(data)

    def _object(self, body: bytes, object_id: int | None = None) -> int:
        if object_id is None:
            object_id, self.next_id = self.next_id, self.next_id + 1
        self.offsets[object_id] = self.written
        self._write(f"{object_id} 0 obj\n".encode() + body + b"\nendobj\n")
        return object_id

    def _stream(self, data: bytes, extra: str = "") -> int:
        packed = zlib.compress(data, 6)
        head = f"<< /Length {len(packed)} /Filter /FlateDecode{extra} >>\nstream\n".encode()
        return self._object(head + packed + b"\nendstream")

    def _font(self, font: Font) -> int:
        data = font.path.read_bytes()
        file_id = self._stream(data, f" /Length1 {len(data)}")
        descriptor_id = self._object(
            (
                f"<< /Type /FontDescriptor /FontName /{font.base_name} /Flags {font.flags} "
                f"/FontBBox [{' '.join(map(str, font.bbox))}] /ItalicAngle {_number(font.italic_angle)} "
                f"/Ascent {font.ascent} /Descent {font.descent} /CapHeight {font.cap_height} /StemV 80 "
                f"/FontFile2 {file_id} 0 R >>"
            ).encode()
        )
        return self._object(
            (
                f"<< /Type /Font /Subtype /TrueType /BaseFont /{font.base_name} /FirstChar 32 /LastChar 255 "
                f"/Widths [{' '.join(map(str, font.widths))}] /Encoding /WinAnsiEncoding "
                f"/FontDescriptor {descriptor_id} 0 R >>"
            ).encode()
        )

    @contextmanager
    def page(self) -> Iterator[Page]:
        """A new page; it is written when the block ends."""
        page = Page(self.font_resources)
        yield page
        content_id = self._stream(b"\n".join(page.parts))
        self.page_ids.append(
            self._object(
                (
                    f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_number(PAGE_WIDTH)} {_number(PAGE_HEIGHT)}] "
                    f"/Resources {self.resources_id} 0 R /Contents {content_id} 0 R >>"
                ).encode()
            )
        )

    def close(self) -> None:
        """The page tree, catalogue, information and cross-reference table."""
        kids = " ".join(f"{page_id} 0 R" for page_id in self.page_ids)
        self._object(f"<< /Type /Pages /Count {len(self.page_ids)} /Kids [{kids}] >>".encode(), 2)
        self._object(
            (
                f"<< /Type /Catalog /Pages 2 0 R /Lang ({self.language}) "
                "/ViewerPreferences << /DisplayDocTitle true >> >>"
            ).encode(),
            1,
        )
        self._object(
            b"<< /Title " + info_string(self.title) + b" /Author " + info_string(self.author)
            + b" /Producer (Borgerdialog) >>",
            3,
        )  # fmt: skip
        start = self.written
        lines = [f"xref\n0 {self.next_id}\n0000000000 65535 f \n"]
        lines += [f"{self.offsets[object_id]:010d} 00000 n \n" for object_id in range(1, self.next_id)]
        lines.append(f"trailer\n<< /Size {self.next_id} /Root 1 0 R /Info 3 0 R >>\nstartxref\n{start}\n%%EOF\n")
        self._write("".join(lines).encode())
