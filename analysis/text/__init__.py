"""Pure text checks of posts (analysis/text): no database, no network.

``Checker.load()`` compiles the bundled lexicons (lexicons/*.tsv) plus users'
files; ``checker.check(text, title, context)`` returns labels and findings
with evidence; ``classify_content`` gives a post's content mix. ``typos``
holds the typo model of official Chinese (its file is read on first use).
"""

from .checker import LABELS, Checker, CheckResult, PostContext, TextFinding
from .mix import ContentMix, classify_content

__all__ = ["LABELS", "Checker", "CheckResult", "ContentMix", "PostContext", "TextFinding", "classify_content"]
