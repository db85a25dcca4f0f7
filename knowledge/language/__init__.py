"""Understanding questions: normalising text, vocabulary, intent parsing and the fuzzy indexes."""
