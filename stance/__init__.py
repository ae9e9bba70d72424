"""stance: tag official statements as accuse, deny, warn or other.

>>> import stance
>>> stance.predict("The accusations are groundless.")
'deny'

The public surface is listed in ``__all__``. Importing stance and predicting
with the bundled model needs NumPy only; scikit-learn and pandas are imported
when training or evaluating.
"""

__version__ = "0.1.0"

from ._api import UNCERTAIN, predict, predict_frame, predict_proba
from ._base import MAX_CHARS
from .corpus import LABELS, load_corpus
from .documents import split_sentences, tag
from .exceptions import CorpusError, InputFileError, ModelFileError, UntrustedModelError
from .model import StanceClassifier, train
from .persistence import load, load_estimator, read_card, save_model
from .serving import Explanation, ServingModel

__all__ = [
    "__version__",
    "LABELS",
    "MAX_CHARS",
    "predict",
    "predict_proba",
    "predict_frame",
    "tag",
    "split_sentences",
    "UNCERTAIN",
    "load",
    "load_estimator",
    "read_card",
    "save_model",
    "train",
    "load_corpus",
    "StanceClassifier",
    "ServingModel",
    "Explanation",
    "CorpusError",
    "ModelFileError",
    "InputFileError",
    "UntrustedModelError",
]
