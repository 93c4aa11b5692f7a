"""Dataset packs, declared as data: see `model` for the vocabulary and `registry` for the list."""
