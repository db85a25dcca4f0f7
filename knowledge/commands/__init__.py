"""Commands that change state: status updates, subscription commands, who leads what."""
