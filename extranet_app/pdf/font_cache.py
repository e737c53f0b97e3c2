"""Embedded fonts without their per-document cost, for PDFs made by the hundred (quittances).

fpdf2 parses each TrueType font again for every document (about 5 ms per font here) and, when
it writes the file, cuts the font down to the glyphs the document used and compiles that subset
(about 7 ms per font). Two fonts make a quittance cost about 25 ms before any text is laid out.
This mixin keeps what never changes:

- the parsed font (widths, character map, metrics) is read once per process; each document gets
  a shallow copy with its own glyph subset and descriptor, as fpdf2's own `TTFFont.__deepcopy__`
  shares the read-only parts;
- the compiled subset is remembered per set of glyphs, and every document starts with the same
  set (the characters of everyday French text, `reserve_common_glyphs`): most documents then
  embed the same bytes, compiled and compressed once, exactly those fpdf2 would have written for
  that subset (tests/test_receipt_pdfs.py compares them).

It relies on fpdf2 internals (TTFFont's attributes, `OutputProducer._add_fonts`): the version is
pinned in pyproject.toml; re-run the tests and the benchmark when it changes.
"""

from __future__ import annotations

import copy
import functools
import logging
import zlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.output import (
    CIDSystemInfo,
    OutputProducer,
    PDFFont,
    PDFFontStream,
    _build_cmap_blocks,
    _cid_font_widths,
)
from fpdf.syntax import Name, PDFArray, PDFContentStream

logger = logging.getLogger(__name__)
# The tables fpdf2's OutputProducer._add_fonts drops when it subsets a font (fpdf2 2.8.9).
_DROPPED_TABLES = [
    "FFTM",
    "GDEF",
    "GPOS",
    "GSUB",
    "MATH",
    "hdmx",
    "meta",
    "sbix",
    "CBDT",
    "CBLC",
    "EBDT",
    "EBLC",
    "EBSC",
    "SVG ",
    "CPAL",
    "COLR",
]
COMMON_CHARACTERS = (
    "".join(chr(code) for code in range(0x20, 0x7F))
    + "àâäçéèêëîïôöùûüÿæœÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ«»€°²³·•–—…‘’“”\u00a0\u202f"
)
_COMPRESSION_LEVEL = PDFContentStream._COMPRESSION_LEVEL  # fpdf2's, for the same bytes
_SUBSETS_KEPT = 256  # distinct glyph sets remembered per process (a few KB each)
_TO_UNICODE_HEAD = (
    "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n"
    "<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n"
    "<0000> <FFFF>\nendcodespacerange\n"
)
_TO_UNICODE_TAIL = "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"


def reserve_common_glyphs(font: TTFFont) -> None:
    """Put the characters of everyday French text in the document's subset before any text.

    Without this, each document's subset holds exactly the letters it prints, and names vary:
    most quittances would have a glyph set of their own and miss the cache. With it, they all
    embed the same ~150 glyphs (about 10 KB more per font), and only a name with rarer letters
    ("Nguyễn") makes a subset of its own. The codes are reserved in a fixed order, so the
    document's bytes stay the same from one run to the next.
    """
    for character in COMMON_CHARACTERS:
        font.subset.pick(ord(character))


class _FontHost:
    """The two attributes TTFFont reads from its FPDF while parsing a font."""

    def __init__(self) -> None:
        self.fonts: dict[str, Any] = {}
        self.render_color_fonts = False


@functools.cache
def _parsed_font(path: Path, fontkey: str, style: str) -> TTFFont:
    return TTFFont(_FontHost(), path, fontkey, style)


@dataclass(frozen=True)
class _SubsetProgram:
    """A font cut down to some glyphs, as fpdf2 embeds it, and each glyph's new index."""

    data: bytes
    glyph_ids: dict[str, int]


@functools.lru_cache(maxsize=_SUBSETS_KEPT)
def _subset_program(path: Path, glyph_names: frozenset[str]) -> _SubsetProgram:
    """What fpdf2 would embed for a document using `glyph_names` of the font at `path`."""
    font = ttLib.TTFont(path, recalcTimestamp=False, lazy=True)
    options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True)
    options.drop_tables += _DROPPED_TABLES
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(glyphs=sorted(glyph_names))
    subsetter.subset(font)
    output = BytesIO()
    font.save(output)
    glyph_ids = {name: font.getGlyphID(name) for name in glyph_names}
    return _SubsetProgram(data=output.getvalue(), glyph_ids=glyph_ids)


def _is_plain_truetype(font: object) -> bool:
    return isinstance(font, TTFFont) and font.color_font is None and not font.is_cff


# What a document's subset holds, in the order fpdf2 lists it: (code, glyph name, characters,
# width) for each glyph. Everything fpdf2 writes for an embedded font follows from it.
Signature = tuple[tuple[int, str, tuple[int, ...], int], ...]


@dataclass(frozen=True)
class _EmbeddedFont:
    """The streams and widths fpdf2 writes for a font subset, compressed once."""

    program: bytes  # compressed
    program_length: int
    widths: str
    to_unicode: bytes
    cid_to_gid: bytes  # compressed


def _signature(font: TTFFont) -> Signature:
    return tuple(
        (code, glyph.glyph_name, tuple(glyph.unicode), glyph.glyph_width)
        for glyph, code in font.subset.items()
        if glyph is not None
    )


@functools.lru_cache(maxsize=_SUBSETS_KEPT)
def _embedded_font(path: Path, signature: Signature) -> _EmbeddedFont:
    """What fpdf2 2.8.9 embeds for a document whose subset of the font at `path` is `signature`."""
    program = _subset_program(path, frozenset(name for _, name, _, _ in signature))
    return _EmbeddedFont(
        program=zlib.compress(program.data, level=_COMPRESSION_LEVEL),
        program_length=len(program.data),
        widths=_cid_font_widths({code: width for code, _, _, width in signature}),
        to_unicode=_to_unicode_map(signature),
        cid_to_gid=_cid_to_gid_map(
            {code: program.glyph_ids[name] for code, name, _, _ in signature}
        ),
    )


def _to_unicode_map(signature: Signature) -> bytes:
    """Which character each code of the document stands for (text search and copy)."""
    entries = [
        f"<{code:04X}> <{''.join(_utf16_hex(unicode) for unicode in characters)}>\n"
        for code, _, characters, _ in signature
        if characters
    ]
    text = _TO_UNICODE_HEAD + _build_cmap_blocks(entries, "bfchar") + _TO_UNICODE_TAIL
    return text.encode("latin-1")


def _utf16_hex(unicode: int) -> str:
    if unicode > 0xFFFF:  # a surrogate pair
        high, low = 0xD800 | (unicode - 0x10000) >> 10, 0xDC00 | (unicode & 0x3FF)
        return f"{high:04X}{low:04X}"
    return f"{unicode:04X}"


def _cid_to_gid_map(code_to_glyph: dict[int, int]) -> bytes:
    table = bytearray(256 * 256 * 2)
    for code, glyph_id in code_to_glyph.items():
        table[code * 2 : code * 2 + 2] = glyph_id.to_bytes(2, "big")
    return zlib.compress(bytes(table), level=_COMPRESSION_LEVEL)


class _CompressedStream(PDFContentStream):
    """A content stream whose bytes were compressed (and cached) beforehand."""

    def __init__(self, compressed: bytes) -> None:
        super().__init__(contents=compressed, compress=False)
        self.filter = Name("FlateDecode")


class _CompressedFontStream(PDFFontStream):
    """The embedded font program, compressed beforehand; `length1` is its size uncompressed."""

    def __init__(self, compressed: bytes, length: int) -> None:
        PDFContentStream.__init__(self, contents=compressed, compress=False)
        self.filter = Name("FlateDecode")
        self.length1 = length


class _CachedFontsOutput(OutputProducer):
    """Writes the fonts of a document like fpdf2 2.8.9 does for TrueType fonts (same objects,
    same bytes), from what was computed once for the document's glyph subset."""

    def _add_fonts(self, *args: Any, **kwargs: Any) -> Any:
        fonts = sorted(self.fpdf.fonts.values(), key=lambda font: font.i)
        if self.fpdf._compliance or not all(_is_plain_truetype(font) for font in fonts):
            return super()._add_fonts(*args, **kwargs)
        return {font.i: self._add_truetype_font(font) for font in fonts}

    def _add_truetype_font(self, font: TTFFont) -> PDFFont:
        fontname = f"MPDFAA+{font.name}"
        if font.missing_glyphs:
            missing = ", ".join(repr(chr(code)) for code in font.missing_glyphs[:10])
            logger.warning("Font %s is missing the following glyphs: %s", fontname, missing)
        embedded = _embedded_font(Path(font.ttffile), _signature(font))
        composite = PDFFont(subtype="Type0", base_font=fontname, encoding="Identity-H")
        self._add_pdf_obj(composite, "fonts")
        cid_font = PDFFont(
            subtype="CIDFontType2",
            base_font=fontname,
            d_w=font.desc.missing_width,
            w=embedded.widths,
        )
        self._add_pdf_obj(cid_font, "fonts")
        composite.descendant_fonts = PDFArray([cid_font])
        to_unicode = PDFContentStream(embedded.to_unicode)
        self._add_pdf_obj(to_unicode, "fonts")
        composite.to_unicode = to_unicode
        system_info = CIDSystemInfo()
        self._add_pdf_obj(system_info, "fonts")
        cid_font.c_i_d_system_info = system_info
        descriptor = font.desc
        descriptor.font_name = Name(fontname)
        self._add_pdf_obj(descriptor, "fonts")
        cid_font.font_descriptor = descriptor
        cid_to_gid = _CompressedStream(embedded.cid_to_gid)
        self._add_pdf_obj(cid_to_gid, "fonts")
        cid_font.c_i_d_to_g_i_d_map = cid_to_gid
        font_file = _CompressedFontStream(embedded.program, embedded.program_length)
        self._add_pdf_obj(font_file, "fonts")
        descriptor.font_file2 = font_file
        font.subset.pick.cache_clear()
        font.subset.get_glyph.cache_clear()
        return composite


class CachedFontsMixin(FPDF):
    """Put before the document class (`class X(CachedFontsMixin, AgencyDocument)`): plain
    TrueType fonts are parsed once per process and their subsets compiled once per glyph set."""

    def add_font(self, family=None, style="", fname=None, **options):
        if family is None or fname is None or options:
            return super().add_font(family, style, fname, **options)
        style = "".join(sorted(style.upper()))
        fontkey = f"{family.lower()}{style}"
        if fontkey in self.fonts:
            return None
        font = copy.copy(_parsed_font(Path(fname), fontkey, style))
        # What fpdf2 changes while writing this document: its own copies.
        font.i = len(self.fonts) + 1
        font.desc = copy.copy(font.desc)
        font.subset = SubsetMap(font)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font._hbfont = None
        reserve_common_glyphs(font)
        self.fonts[fontkey] = font
        return None

    def output(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("output_producer_class", _CachedFontsOutput)
        return super().output(*args, **kwargs)
