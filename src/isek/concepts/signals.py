"""What the concepts app tells other apps, without knowing them."""

from django.dispatch import Signal

# Sent inside the transaction of ``services.start_concept`` when a new concept takes the structure
# of another, with ``user``, ``concept`` (the new one), ``source`` and ``via``: each app copies what
# it keeps of the source (monitoring: the indicator catalogue). A receiver's error undoes the start.
structure_copied = Signal()
