from functools import cache

from django.conf import settings

import isek
from isek.accounts import services as accounts


def site(request):
    user = getattr(request, "user", None)
    # asked only where a page shows the menu of a signed-in person (one query, once per request)
    return {"DEMO_MODE": settings.DEMO_MODE, "ISEK_VERSION": isek.__version__,
            "may_hold_api_keys": cache(lambda: accounts.may_hold_api_keys(user))}
