"""Reference documents generated from the registry (``rnn-migrate api-map``)."""
