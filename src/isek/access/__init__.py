"""The access policy of isek as data: role × action × resource (see ``policy``).

Every view, command, job and service asks this module; none decides by itself.
"""

from .policy import (  # noqa: F401
    ACTIONS,
    AUTHORITY_ONLY,
    MODERATION_ONLY,
    POLICY,
    PROCEDURE,
    SITE_DENIED,
    SITE_POLICY,
    STAFF_ONLY,
    Operator,
    Role,
    administered_cities,
    allows,
    allows_site,
    allows_site_somewhere,
    authority_by_pk,
    city_by_ags,
    concept_for,
    know_roles,
    needs_second_factor,
    require,
    require_site,
    reviewed_authorities,
    role_of,
    site_cities,
    site_role,
    visible_concepts,
    works_for,
)
from .routes import Site, account_view, concept_view, declare, open_view, route_of, site_view  # noqa: F401
