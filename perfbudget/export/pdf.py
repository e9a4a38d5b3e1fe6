"""A PPTX as PDF through LibreOffice (soffice --headless --convert-to pdf), each conversion
with its own fresh profile folder: two conversions at once, or one beside a user's open
LibreOffice, would otherwise fight over the profile lock. A deck converts in ~2–4 s."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

TIMEOUT_SECONDS = 180
MISSING_MESSAGE = (
    "未找到 LibreOffice（soffice），无法生成 PDF；请下载 PPTX，或安装 LibreOffice Impress"
    "（Debian/Ubuntu：apt-get install libreoffice-impress）。\n"
    "LibreOffice (soffice) was not found, so no PDF can be made: download the PPTX instead, or "
    "install LibreOffice Impress."
)


class PdfUnavailable(RuntimeError):
    """No LibreOffice on this machine."""


class PdfConversionError(RuntimeError):
    """LibreOffice ran but produced no PDF."""


def soffice_path() -> str | None:
    """The LibreOffice binary, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def available() -> bool:
    return soffice_path() is not None


def pptx_to_pdf(pptx: bytes, name: str = "briefing.pptx") -> bytes:
    """The deck converted to PDF bytes. Raises PdfUnavailable without LibreOffice."""
    binary = soffice_path()
    if binary is None:
        raise PdfUnavailable(MISSING_MESSAGE)
    with tempfile.TemporaryDirectory(prefix="perfbudget-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / (Path(name).stem.replace(" ", "_") + ".pptx")
        source.write_bytes(pptx)
        profile = (folder / "profile").as_uri()
        command = [
            binary,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder / "out"),
            str(source),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise PdfConversionError(
                f"LibreOffice 转换超时（{TIMEOUT_SECONDS} 秒）/ conversion timed out"
            ) from exc
        result = folder / "out" / (source.stem + ".pdf")
        if done.returncode != 0 or not result.is_file():
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[-500:]
            raise PdfConversionError(f"LibreOffice 未生成 PDF / no PDF produced: {detail}")
        return result.read_bytes()


# Chinese fonts LibreOffice can use here, best first. The PPTX users download names 微软雅黑
# (on every Windows PC); a server without it would substitute a font of its own choosing, so
# the PDF is made from a copy of the deck set in a font this machine has.
SERVER_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "Noto Sans CJK TC",
    "WenQuanYi Zen Hei",
)


@cache
def server_cjk_font() -> str | None:
    """The best installed font with Chinese glyphs (fontconfig), or None when none is
    known."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, timeout=20, check=False
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired):
        return None
    families = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    return next((f for f in SERVER_FONTS if f in families), None)


def briefing_pdf(briefing, images: dict[str, bytes] | None = None) -> bytes:
    """The briefing deck as PDF: the same slides, set in a Chinese font this server has."""
    # python-pptx loads when a PDF is made; the availability checks above do without it
    from perfbudget.export.pptx import FONT, briefing_pptx

    deck = briefing_pptx(briefing, images=images, font=server_cjk_font() or FONT)
    return pptx_to_pdf(deck, briefing.file_name("pptx"))
