"""Evaluating citizens' contributions (issue 24): pure engines the planner's pages build on.

No Django, no network, no download at run time (scikit-learn; simplemma ships its German data).

Theme suggestions with active learning (``themes``)::

    from isek.participation.evaluation import Contribution, Theme, ThemeSuggester

    engine = ThemeSuggester([Contribution(id, text, (lon, lat) or None), ...],
                            [Theme("radwege", "Zustand der Radwege: schmal, Schlaglöcher"), ...], seed=0)
    engine.next_to_label(10)      # before any label: typical contributions of 10 groups ("kaltstart")
    engine.fit({id: "radwege", ...})   # all the planner's confirmed labels so far
    engine.suggest()              # [Suggestion(id, theme, confidence, words, runner_up)] for the unlabelled;
                                  # words: content words characteristic of the theme (decision 0088), no
                                  # place names: the texts' own and ``places=[street names of the area]``
                                  # given to the constructor (decision 0107)
    engine.next_to_label(10)      # [Pick(id, reason, score)]: likely members of the themes with fewest
                                  # labels ("selten"), least sure ("unsicher"), from a group nobody
                                  # labelled yet ("unerkundet"); REASONS has German texts
    engine.update(id, "ampeln")   # one confirmation or correction: quick warm retrain (0.4 s CPU for
                                  # 10,000 contributions, with fresh suggestions)

Build the engine once per phase (features on all texts: about 5 s CPU for 10,000 contributions,
the first ``fit`` and ``next_to_label`` about 13 s each), keep it while the planner reviews, and
call ``update`` with each answer; ``fit`` with all labels now and then solves afresh. Suggestions are proposals
only: the planner's labels are the truth, and only they are passed to ``fit``. Bad input (the same
id twice, an unknown theme or contribution, no themes) raises ``EvaluationError`` with a German
message. Figures: bench/participation_themes_bench.py, bench/README.md; choices: decision 0047.

Near-duplicates (``duplicates``)::

    from isek.participation.evaluation.duplicates import near_duplicates
    near_duplicates(contributions, threshold=0.5, max_distance_m=200)
    # [Pair(a, b, similarity, distance_m)], most similar first: text alike (character n-grams)
    # and, where both have a point, close together. Proposals only; the planner merges.

Groups (``groups``) and the citizens' own words (``summaries``)::

    from isek.participation.evaluation.groups import group_contributions
    group_contributions(contributions, fixed={id: planners_group_key})
    # [Group(key, members, words, name)], largest first: by text (LSA + k-means, a fixed seed), split
    # by place where a group's points lie far apart; the planner's fixed contributions stay in their
    # group, and new ones like them join it (decision 0054)

    from isek.participation.evaluation.summaries import representative_sentences
    representative_sentences(contributions, {key: [id, ...]})  # {key: [Quote(id, sentence, score)]}

Corpora (``corpora``): readers of the CIMT files named in the data manifest (benchmarks, tests).
"""

from .themes import REASONS, Contribution, EvaluationError, Pick, Suggestion, Theme, ThemeSuggester

__all__ = ["REASONS", "Contribution", "EvaluationError", "Pick", "Suggestion", "Theme", "ThemeSuggester"]
