"""The Jinja2 templates of the weekly report (weekly.html, and weekly.txt for mail's text part).

A package of data only, so the templates are installed with govwatch and found through
importlib.resources (reporting/weekly.py), wherever the package is installed.
"""
