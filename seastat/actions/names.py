"""The words a commitment is made of (kept light: the command line builds its parser from them)."""
STATUSES = ("open", "done", "dropped")
PLACE_LEVELS = ("precinct", "sector", "beat", "block")
COMPARISON_LEVELS = ("city", "precinct", "sector", "beat")
