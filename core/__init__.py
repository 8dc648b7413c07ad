"""The ground every layer stands on: configuration, the domain's vocabulary and items, private files."""
