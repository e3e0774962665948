"""What a user swaps without code: presenters, brands, and the model files."""
