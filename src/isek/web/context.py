from django.conf import settings

import isek


def site(request):
    return {"DEMO_MODE": settings.DEMO_MODE, "ISEK_VERSION": isek.__version__}
