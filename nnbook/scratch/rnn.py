"""RNN/LSTM layers: placeholder until issue 4 lands."""
__all__ = []
