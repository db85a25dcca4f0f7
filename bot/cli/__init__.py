"""The portfoliobot command line, the terminal chat and the local connector stand-in."""
