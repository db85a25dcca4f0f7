"""What runs around every turn: the turn log, the typing indicator, the turn-error handler."""
