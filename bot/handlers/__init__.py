"""The Teams activity handler, the router that sends each message down one route in one order,
and the routes: the status dialog and desk, subscription commands, help and questions."""
