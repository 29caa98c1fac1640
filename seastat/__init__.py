"""SeaStat: the Seattle Police Department's biweekly strategy dashboard, as an importable package."""
__version__ = "0.1.0"
