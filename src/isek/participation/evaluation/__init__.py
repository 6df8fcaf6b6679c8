"""Evaluating citizens' contributions (issue 24): pure engines the planner's pages build on.

No Django, no network, no download at run time (scikit-learn; simplemma ships its German data).

Theme suggestions with active learning (``themes``)::

    from isek.participation.evaluation import Contribution, Theme, ThemeSuggester

    engine = ThemeSuggester([Contribution(id, text, (lon, lat) or None), ...],
                            [Theme("radwege", "Zustand der Radwege: schmal, Schlaglöcher"), ...], seed=0)
    engine.next_to_label(10)      # before any label: typical contributions of 10 groups ("kaltstart")
    engine.fit({id: "radwege", ...})   # all the planner's confirmed labels so far
    engine.suggest()              # [Suggestion(id, theme, confidence, words, runner_up)] for the unlabelled
    engine.next_to_label(10)      # [Pick(id, reason, score)]: least sure ("unsicher") or from a group
                                  # nobody labelled yet ("unerkundet"); REASONS has German texts
    engine.update(id, "ampeln")   # one confirmation or correction: retrain on the labels (< 1 s)

Build the engine once per phase (features on all texts: about 10 s for 10,000 contributions), keep
it while the planner reviews, and call ``update`` with each answer. Suggestions are proposals
only: the planner's labels are the truth, and only they are passed to ``fit``. Bad input (the same
id twice, an unknown theme or contribution, no themes) raises ``EvaluationError`` with a German
message. Figures: bench/participation_themes_bench.py, bench/README.md; choices: decision 0047.
"""

from .themes import REASONS, Contribution, EvaluationError, Pick, Suggestion, Theme, ThemeSuggester

__all__ = ["REASONS", "Contribution", "EvaluationError", "Pick", "Suggestion", "Theme", "ThemeSuggester"]
