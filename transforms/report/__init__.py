"""The HTML report of a published warehouse."""

from transforms.report.page import write_report

__all__ = ["write_report"]
