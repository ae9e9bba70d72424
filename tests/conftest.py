"""Shared fixtures: tiny corpora and a model fitted on one."""

import pathlib

import pandas as pd
import pytest

import stance

REPO = pathlib.Path(__file__).resolve().parents[1]
REALDEV = REPO.parent / "shared" / "realdev.csv"

# Five invented events, each seen from several sides, so grouped splits work.
TINY = [
    ("t01", "Prosecutors said the engineer passed turbine designs to a foreign handler for six years.", "accuse", "g1"),
    ("t02", "The engineer's lawyer said his client is innocent and will fight the charges.", "deny", "g1"),
    ("t03", "Companies should watch for staff approached by recruiters offering cash for designs.", "warn", "g1"),
    ("t04", "The trial of the engineer will open at the regional court on 4 March.", "other", "g1"),
    ("t05", "The ministry said hackers working for the military intelligence service breached the grid operator.", "accuse", "g2"),
    ("t06", "The embassy called the hacking claims baseless and a smear campaign.", "deny", "g2"),
    ("t07", "Operators were told to patch their systems at once because attacks are likely to continue.", "warn", "g2"),
    ("t08", "The grid operator said supply was restored to all customers by the evening.", "other", "g2"),
    ("t09", "Police charged two men with spying on the navy base for a foreign state.", "accuse", "g3"),
    ("t10", "Both men deny the allegations and say they were only photographing birds.", "deny", "g3"),
    ("t11", "Any further provocation near our waters will be met with a firm response.", "warn", "g3"),
    ("t12", "The two foreign ministers agreed to hold talks on fishing rights next month.", "other", "g3"),
    ("t13", "The agency found that the consultant had funnelled secret donations to candidates.", "accuse", "g4"),
    ("t14", "We firmly reject these fabricated accusations of interference.", "deny", "g4"),
    ("t15", "Voters should be vigilant about fake accounts spreading false stories before the election.", "warn", "g4"),
    ("t16", "The election commission published the final turnout figures on Monday.", "other", "g4"),
    ("t17", "Investigators said the company shipped banned chips to a sanctioned buyer.", "accuse", "g5"),
    ("t18", "The company said it has never sold any product to the sanctioned firm.", "deny", "g5"),
    ("t19", "Exporters risk heavy fines if they ignore the new licensing rules.", "warn", "g5"),
    ("t20", "The trade ministry will publish the updated control list in June.", "other", "g5"),
]


@pytest.fixture
def tiny_frame():
    """A valid 20-statement corpus as a DataFrame (columns id, text, label, group)."""
    return pd.DataFrame(TINY, columns=["id", "text", "label", "group"])


@pytest.fixture
def tiny_csv(tmp_path, tiny_frame):
    """The tiny corpus written as a UTF-8 CSV file."""
    path = tmp_path / "tiny.csv"
    tiny_frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def tiny_model():
    """A StanceClassifier fitted on the tiny corpus (no cross-validation)."""
    frame = pd.DataFrame(TINY, columns=["id", "text", "label", "group"])
    return stance.train(frame, cv=0)


@pytest.fixture(scope="session")
def bundled():
    """The bundled serving model."""
    return stance.load()
