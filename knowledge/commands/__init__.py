"""Commands: the table of command words (which message is for which command), and the commands
that change state: status updates, subscription commands, who leads what."""
