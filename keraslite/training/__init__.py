"""compile / fit / evaluate / predict: the Trainer mixed into every Model."""
