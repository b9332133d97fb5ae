"""Scale-out benchmark: K crawler processes over Redis against a latency-bound network."""
