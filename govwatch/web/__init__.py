"""The web console (`govwatch web`): a Starlette app over the same layers the commands call.

An entry layer like the commands (DESIGN.md): it parses requests, turns the signed-in user into
the units it may see (scope.py) and calls one function below it (storage/web.py for the
console's own tables and scoped reads, analysis/lifecycle.py for findings, analysis/text for
drafts, storage/registry.py for the 台账, reporting/view.py for the week's figures). No SQL here.
"""
