"""The Teams activity handler and what it routes a turn to: commands, questions, the status desk."""
