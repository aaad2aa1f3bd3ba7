"""Claims about published datasets (seed 000, art. 5)."""
