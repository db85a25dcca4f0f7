"""The portfolio tab for Teams: the whole portfolio at a glance, rendered on the server.

`portfolio_view` (filters, sorting, paging over a snapshot), `page` and `detail` (the HTML),
`charts` (SVG), `mine` ("Mine prosjekter" for the signed-in person), `texts` (bokmål and
English); `static/` holds the stylesheet, the small script and the vendored teams-js.
`bot.web.tab_routes` serves them.
"""
