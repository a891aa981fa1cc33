"""Writing a measured block into BENCHMARKS.md: under its section, between its markers,
replacing the block of an earlier run of the same measurement (shared by the benchmarks)."""
import re
from pathlib import Path

__all__ = ["write_block"]


def write_block(out, section, start, end, block):
    """Put ``start + block + end`` into the file ``out`` under the heading ``section``
    (created at the end when missing): in place of the text between ``start`` and
    ``end`` if the file has them, else at the end of the section."""
    path = Path(out)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if section not in text:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    wrapped = f"{start}\n{block}{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: wrapped, text)
    else:
        head, _, tail = text.partition(section)
        following = re.search(r"\n## ", tail)
        cut = following.start() if following else len(tail)
        text = (head + section + tail[:cut].rstrip("\n") + "\n\n" + wrapped + "\n"
                + tail[cut:])
    path.write_text(text, encoding="utf-8")
