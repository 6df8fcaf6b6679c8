"""The access policy of isek as data: role × action × resource (see ``policy``).

Every view, command, job and service asks this module; none decides by itself.
"""

from .policy import (  # noqa: F401
    ACTIONS,
    POLICY,
    Role,
    allows,
    concept_for,
    require,
    role_of,
    visible_concepts,
)
