"""CNN layers: placeholder until issue 3 lands."""
__all__ = []
