"""`extract view`: a self-contained HTML page to review a run's records in their source text."""

from pipeline.review.page import ReviewError, screenshot, write_review

__all__ = ["ReviewError", "screenshot", "write_review"]
