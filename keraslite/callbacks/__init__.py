"""Callbacks: objects that ``fit``, ``evaluate`` and ``predict`` notify as they run."""
from keraslite.callbacks.callback import Callback
from keraslite.callbacks.callback_list import CallbackList
from keraslite.callbacks.history import History
from keraslite.callbacks.lambda_callback import LambdaCallback
from keraslite.callbacks.progbar_logger import ProgbarLogger
from keraslite.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = ["Callback", "CallbackList", "History", "LambdaCallback", "ProgbarLogger",
           "TerminateOnNaN"]
