"""Scheduled jobs (APScheduler 3.x): payroll draft, price linkage, lifecycle sweep."""
