"""The instructor's HTML report: a class summary page and one page per student, from results only."""
from grader.report.html import write_html
from grader.report.run import RunInfo

__all__ = ["RunInfo", "write_html"]
