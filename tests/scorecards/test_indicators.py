"""Every indicator is documented, names its inputs, is pure, and maps to 0..10 with NaN for no data."""

from __future__ import annotations

import pandas as pd
import pytest

from peacewatch.scorecards.frames import card_frame
from peacewatch.scorecards.indicators import CARDS, indicators


@pytest.mark.parametrize("card", CARDS)
def test_indicators_are_documented_pure_and_bounded(card):
    frame, missing = card_frame(card)
    before = frame.copy()
    for ind in indicators(card).values():
        assert len(ind.summary) > 40, f"{card}.{ind.id}: the docstring is the public explanation"
        assert ind.inputs and all(isinstance(s, str) and s for s in ind.inputs.values())
        s = ind.score(frame)
        assert len(s) == len(frame)
        assert ((s >= 0) & (s <= 10) | s.isna()).all(), f"{card}.{ind.id} leaves 0..10"
        if ind.requires in missing:
            assert s.isna().all()  # a missing component is no data, never 0
        else:
            have_inputs = frame[list(ind.inputs)].notna().all(axis=1)
            assert not s[~have_inputs].notna().any(), f"{card}.{ind.id} scores a row with missing inputs"
    pd.testing.assert_frame_equal(frame, before)  # no indicator mutates the frame
