"""`python -m bot`: the same command line as `portfoliobot`."""

from bot.cli.main import main

raise SystemExit(main())
