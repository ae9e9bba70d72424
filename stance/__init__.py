"""stance: tag official statements as accuse, deny, warn or other.

>>> import stance
>>> stance.predict("The accusations are groundless.")
'deny'

The public surface is listed in ``__all__``. Importing stance and predicting
with the bundled model needs NumPy only; scikit-learn and pandas are imported
when training or evaluating.
"""

__version__ = "0.1.0"

from ._api import predict, predict_proba
from ._base import MAX_CHARS
from .corpus import LABELS, load_corpus
from .exceptions import CorpusError, ModelFileError, UntrustedModelError
from .model import StanceClassifier, train
from .persistence import load, load_estimator, read_card, save_model
from .serving import ServingModel

__all__ = [
    "__version__",
    "LABELS",
    "MAX_CHARS",
    "predict",
    "predict_proba",
    "load",
    "load_estimator",
    "read_card",
    "save_model",
    "train",
    "load_corpus",
    "StanceClassifier",
    "ServingModel",
    "CorpusError",
    "ModelFileError",
    "UntrustedModelError",
]
