"""What the concepts app tells other apps, without knowing them."""

from django.dispatch import Signal

# Sent inside the transaction of ``services.start_concept`` when a new concept takes the structure
# of another, with ``user``, ``concept`` (the new one), ``source`` and ``via``: each app copies what
# it keeps of the source (monitoring: the indicator catalogue). A receiver's error undoes the start.
structure_copied = Signal()

# Sent to learn the extent of a city's base map (``city``), for the doubts about a new area
# (decision 0066); the geodata app answers [west, south, east, north] in WGS84, or None. A signal,
# because geodata's services import this app's.
base_map_extent = Signal()

# Sent inside the transaction of ``services.save_concept`` before a changed term is saved, with
# ``concept`` (its new ``start_year`` and ``end_year``): a receiver refuses by raising ValidationError
# – the finance app where an approval granted money for a year outside the new term (decision 0075).
term_changing = Signal()

# Sent inside the transaction of ``services.correct_city_ags`` (decision 0090) with ``city`` (its
# new ``ags``), ``old`` (the key before) and ``user``: an app that keeps something derived from the
# key follows it – the legal app the Land of the city's enforcement procedure where it was the old key's.
city_ags_corrected = Signal()

# Sent inside the transaction of ``services.create_concept`` and ``services.start_concept`` with
# ``concept`` (the new one, its starter's role given) and ``via``: the accounts app gives the roles
# that a city's identity provider maps to every concept of the city to the people it signed in
# before (decision 0090).
concept_created = Signal()

# Sent inside the transaction of ``services.delete_measure`` before the measure is deleted, with
# ``measure``: each receiver answers a list of phrases naming what holds the measure – the finance
# app an approval's lines ("bewilligt im Zuwendungsbescheid …"), the procedure app payment requests
# that cite its payments or request money for it. Any phrase refuses the deletion (decision 0095).
measure_deleting = Signal()

# Sent by ``services.district_leaving`` (before ``services.save_authority`` narrows a funding
# authority's district) with ``authority`` and ``cities`` (those the new prefixes leave out): each
# receiver answers a list of phrases – the procedure app the submitted and approved applications of
# those cities, which would drop out of the authority's portfolio (decision 0095).
district_narrowing = Signal()
