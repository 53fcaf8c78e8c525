"""Braid's Countdown training recipe: a character-level Llama-architecture decoder trained on
`braid countdown solve --flat` traces and exported as GGUF that BraidTransformer loads unchanged."""
