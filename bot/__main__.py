"""`python -m bot`: the same command line as `portfoliobot`."""

from bot.cli import main

raise SystemExit(main())
