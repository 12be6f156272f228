"""Recurrent layers in NumPy (issue 4): the front door that `nnbook.scratch` re-exports.

- `rnn_reference`: the plain RNN as written, `rnn_step`, step forward/backward, the loop over the steps;
- `recurrent`: the plain RNN, fast: `rnn_forward` / `rnn_backward`;
- `lstm_reference`: the LSTM as written, `lstm_step`, step forward/backward, the loop over the steps;
- `lstm`: the LSTM, fast: `lstm_forward` / `lstm_backward`, `lstm_gates`;
- `torch_weights`: weight copies to and from `torch.nn.RNN` / `torch.nn.LSTM`;
- `seq_layers`: layer classes (`TimeRNN`, `TimeLSTM`, ...) and `CharRNNLM`;
- here: `hidden_grad_norms`, the per-step gradient norms for the vanishing-gradient plot.
"""
import numpy as np

from .lstm import *  # noqa: F401,F403
from .lstm import LSTMCache, lstm_backward
from .lstm import __all__ as _lstm_all
from .lstm_reference import *  # noqa: F401,F403
from .lstm_reference import __all__ as _lstm_ref_all
from .recurrent import *  # noqa: F401,F403
from .recurrent import RNNCache, rnn_backward
from .recurrent import __all__ as _rnn_all
from .rnn_reference import *  # noqa: F401,F403
from .rnn_reference import __all__ as _rnn_ref_all
from .seq_layers import *  # noqa: F401,F403
from .seq_layers import __all__ as _layers_all
from .torch_weights import *  # noqa: F401,F403
from .torch_weights import __all__ as _torch_all

__all__ = [*_rnn_ref_all, *_rnn_all, *_lstm_ref_all, *_lstm_all, *_torch_all, *_layers_all, "hidden_grad_norms"]


def hidden_grad_norms(dhs, cache):
    """‖∂L/∂h_t‖ for every step t: how much gradient reaches each hidden state.

    dhs: (N, T, H), the gradient on the outputs (for the vanishing-gradient plot, typically zero
    except at the last step). cache: from `rnn_forward` or `lstm_forward`.
    Returns (T,): for each t the Euclidean norm over H of the total gradient reaching h_t (from its
    own output and from step t + 1), averaged over the batch (for N = 1, simply the norm).
    """
    if isinstance(cache, RNNCache):
        dh = rnn_backward(dhs, cache, return_dh=True)[-1]
    elif isinstance(cache, LSTMCache):
        dh = lstm_backward(dhs, cache, return_dh=True)[-1]
    else:
        raise ValueError("hidden_grad_norms: cache must come from rnn_forward or lstm_forward, "
                         f"got {type(cache).__name__}")
    return np.linalg.norm(dh, axis=2).mean(axis=0)
