"""The portfolio's knowledge: sync from the portfolio database, a fuzzy index, and answers.

Nothing here knows of Teams or botbuilder. `knowledge.portfolio.sync.Syncer` keeps the current
`Snapshot`; `knowledge.answers.answering.Answerer` turns a question into a typed answer; and
`knowledge.answers.plain_text` renders any answer as text in Norwegian bokmål or English.
"""
