"""The instructor's HTML report: a class summary page and one page per student, from results only."""
from grader.report.html import write_html
from grader.report.run import RunInfo
from grader.report.shards import Reports, write_reports

__all__ = ["Reports", "RunInfo", "write_html", "write_reports"]
